#!/bin/sh
# auditRecords: avc. A decision in a test cgroup becomes a USER_AVC record in
# the kernel's audit subsystem, which the test reads as the audit daemon
# would (tests/tools/audit_reader.c registers as it, and puts the audit
# "enabled" state back on exit). The records are found by `ausearch -m
# USER_AVC`, interpreted by `ausearch -i`, say permissive=1 in audit mode and
# permissive=0 when the change was stopped (kill mode here: no BPF LSM), and
# are exactly what `credgatectl avc` makes of the same events.
. "$(dirname "$0")/preamble.inc"
command -v ausearch > /dev/null || fail "ausearch is required (apt-get install auditd; scripts/install-deps.sh)"
command -v auditctl > /dev/null || fail "auditctl is required (apt-get install auditd)"

AUDIT_LOG="$TEST_TMP/audit.log"
READER_PID=
PREVIOUS_ENABLED=

reader_stop() {
	[ -n "$READER_PID" ] || return 0
	kill -TERM "$READER_PID" 2>/dev/null
	wait "$READER_PID" 2>/dev/null
	READER_PID=
	# The reader restores "enabled" itself; if it died, do it here.
	if [ -n "$PREVIOUS_ENABLED" ] && ! auditctl -s | grep -q "^enabled $PREVIOUS_ENABLED\$"; then
		auditctl -e "$PREVIOUS_ENABLED" > /dev/null
	fi
}
trap 'reader_stop; cleanup' EXIT INT TERM

: > "$AUDIT_LOG"
"$AUDIT_READER" "$AUDIT_LOG" > "$TEST_TMP/reader.out" 2>&1 &
READER_PID=$!
i=0
while ! grep -q "audit_reader: ready" "$TEST_TMP/reader.out"; do
	kill -0 "$READER_PID" 2>/dev/null || fail "audit reader: $(cat "$TEST_TMP/reader.out")"
	i=$((i + 1))
	[ "$i" -le 50 ] || fail "audit reader not ready"
	sleep 0.1
done
PREVIOUS_ENABLED=$(sed -n 's/^audit_reader: previous enabled=\([0-9]*\) .*/\1/p' "$TEST_TMP/reader.out")
log "audit reader registered (enabled was $PREVIOUS_ENABLED)"

cg_setup avc
C=$(cg_make demo)
cat > "$TEST_TMP/policy.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: avc-demo
spec:
  mode: permissive
  selector:
    cgroup: $(cg_rel demo)
  setuid:
    deny:
      - to: 0
  setgid:
    deny:
      - to: 0
POLICY

# audit_sync WHAT: after the agent has stopped, every record it sent is in the
# log once a marker sent after it is: the kernel hands records to the audit
# daemon in the order it received them. Then counts are final, and the
# absence of a record means something (no sleep-and-hope).
MARKERS=0
audit_sync() {
	MARKERS=$((MARKERS + 1))
	marker="credgate-test marker $MARKERS: $1"
	auditctl -m "$marker" || fail "auditctl -m failed"
	i=0
	until grep -q "^type=USER .*$marker" "$AUDIT_LOG"; do
		i=$((i + 1))
		[ "$i" -le 100 ] || fail "the audit marker ($1) never reached the log: $(cat "$AUDIT_LOG")"
		sleep 0.1
	done
}
# records: the credgate USER_AVC records in the log.
records() { grep -c "^type=USER_AVC .*credgate_policy=" "$AUDIT_LOG"; }

# 1. Audit mode ("permissive"): both changes happen, both are recorded with permissive=1.
agent_start --policy "$TEST_TMP/policy.yaml" --audit-records=avc || fail "agent did not start"
grep -q "audit records: audited and denied decisions are also written" "$AGENT_LOG" || fail "no audit records line at start"
out=$("$CREDOP" --cgroup "$C" setresgid:1000,0,0=ok setresuid:1000,0,0=ok setgid:0=ok setuid:0=ok) || fail "credop: $out"
pid=$(echo "$out" | sed -n 's/^credop: pid //p')
ctl status > "$TEST_TMP/status.txt" || fail "status failed"
ctl status -o json > "$TEST_TMP/status.json" || fail "status -o json failed"
agent_stop
expect_valid_json
audit_sync "audit mode"
[ "$(records)" = 2 ] || fail "expected 2 USER_AVC records, audit log has: $(grep USER_AVC "$AUDIT_LOG")"
grep -q "^audit records: avc, " "$TEST_TMP/status.txt" || fail "status does not say audit records: $(cat "$TEST_TMP/status.txt")"
jq -e '.audit_records.mode == "avc" and .selinux.enabled == false and .selinux.mode == "off"' "$TEST_TMP/status.json" > /dev/null ||
	fail "status json: $(jq -c '{audit_records, selinux}' "$TEST_TMP/status.json")"

ausearch -if "$AUDIT_LOG" -m USER_AVC > "$TEST_TMP/found.txt" 2>&1 || fail "ausearch -m USER_AVC found nothing: $(cat "$TEST_TMP/found.txt")"
[ "$(grep -c "credgate_policy=\"avc-demo\"" "$TEST_TMP/found.txt")" = 2 ] || fail "ausearch found: $(cat "$TEST_TMP/found.txt")"
grep -q "msg='avc:  denied  { setuid } for pid=$pid comm=\"credop\" capability=7 scontext=? tcontext=? tclass=capability permissive=1 credgate_policy=\"avc-demo\" credgate_rule=\"setuid.deny\[0\]\" credgate_hook=task_fix_setuid credgate_call=setuid credgate_verdict=audited-would-deny" "$TEST_TMP/found.txt" ||
	fail "the setuid record is not as expected: $(cat "$TEST_TMP/found.txt")"
log "ok: ausearch -m USER_AVC finds both records, permissive=1"
# ausearch -i interprets the fields: the capability by name, the AVC text kept whole.
ausearch -i -if "$AUDIT_LOG" -m USER_AVC > "$TEST_TMP/interpreted.txt" 2>&1 || fail "ausearch -i failed"
grep -q "avc:  denied  { setuid } for pid=$pid comm=credop capability=setuid scontext=? tcontext=? tclass=capability permissive=1" "$TEST_TMP/interpreted.txt" ||
	fail "ausearch -i: $(cat "$TEST_TMP/interpreted.txt")"
grep -q "uid=root" "$TEST_TMP/interpreted.txt" || fail "ausearch -i did not interpret the sender's uid"
log "ok: ausearch -i interprets them"
# The same text as credgatectl avc makes of the event log.
"$CREDGATECTL" avc < "$EVENTS" > "$TEST_TMP/avc.txt" || fail "credgatectl avc failed"
sed -n "s/^type=USER_AVC .* msg='\(avc:.*credgate_policy=\"avc-demo\".*\)'\$/\1/p" "$AUDIT_LOG" > "$TEST_TMP/records.txt"
cmp -s "$TEST_TMP/avc.txt" "$TEST_TMP/records.txt" ||
	fail "credgatectl avc differs from the records: $(diff "$TEST_TMP/avc.txt" "$TEST_TMP/records.txt")"
log "ok: credgatectl avc prints the records' text"

# 2. Enforcing without BPF LSM (kill mode): the caller is stopped, permissive=0.
sed -i 's/mode: permissive/mode: enforcing/' "$TEST_TMP/policy.yaml"
agent_start --policy "$TEST_TMP/policy.yaml" --lsm-unavailable=kill --audit-records=avc || fail "agent did not start in kill mode"
"$CREDOP" --cgroup "$C" setresgid:1000,0,0=ok setresuid:1000,0,0=ok setgid:0 > /dev/null
status=$?
agent_stop
[ "$status" = 137 ] || fail "expected SIGKILL (137), got $status"
audit_sync "kill mode"
[ "$(records)" = 3 ] || fail "expected one more USER_AVC record, audit log has: $(grep USER_AVC "$AUDIT_LOG")"
ausearch -if "$AUDIT_LOG" -m USER_AVC > "$TEST_TMP/found.txt" 2>&1 || fail "ausearch found nothing"
grep -q "{ setgid } for .* permissive=0 .*credgate_verdict=killed credgate_enforcement=sigkill" "$TEST_TMP/found.txt" ||
	fail "no permissive=0 record for the killed caller: $(cat "$TEST_TMP/found.txt")"
log "ok: an enforced decision is permissive=0"

# 3. Without --audit-records, nothing is written.
before=$(grep -c "type=USER_AVC" "$AUDIT_LOG")
sed -i 's/mode: enforcing/mode: permissive/' "$TEST_TMP/policy.yaml"
agent_start --policy "$TEST_TMP/policy.yaml" || fail "agent did not start"
"$CREDOP" --cgroup "$C" setresuid:1000,0,0=ok setuid:0=ok > /dev/null || fail "credop"
agent_stop
# The marker follows anything the agent sent: absent before it means never sent.
audit_sync "records off"
[ "$(grep -c "type=USER_AVC" "$AUDIT_LOG")" = "$before" ] || fail "records written with auditRecords off"
log "ok: off by default"

reader_stop
auditctl -s | grep -q "^enabled $PREVIOUS_ENABLED\$" || fail "audit enabled not restored to $PREVIOUS_ENABLED"
auditctl -s | grep -q "^pid 0\$" || fail "the test's audit daemon is still registered"
log "ok: audit state restored (enabled $PREVIOUS_ENABLED)"
cleanup
