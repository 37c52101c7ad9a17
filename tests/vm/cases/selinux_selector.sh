#!/bin/sh
# credgate-vm: --lsm=lockdown,capability,landlock,yama,selinux,bpf --append=selinux=1 --append=enforcing=0
# SELinux beside credgate, for real: the guest boots with SELinux ahead of
# BPF in the LSM order, permissive, and loads Debian's reference policy
# (selinux-policy-default, built on the host). Processes are put in a type
# by writing their context (/proc/self/attr/current, allowed in permissive
# mode) and then exec'ing credop. Checked:
#  - status and the start-up line report SELinux permissive and the LSM order;
#  - a selinuxType policy governs only processes of that type: svirt_t is
#    refused seteuid(0), kernel_t in the same cgroup is not (Debian 12's
#    policy has no container module: svirt_t, the confined guest domain of
#    its virt module, stands in for container_t);
#  - a selinuxContext policy matches the whole context (categories included),
#    and its decision carries that context;
#  - events carry the process's selinux_context;
#  - with auditRecords: avc the USER_AVC record carries the real contexts;
#  - no decision met an unlabelled process (label_unknown == 0, at the end):
#    an unlabelled process is governed by design, so without this every
#    "refused" step above would also pass with labelling broken.
# The agent labels a process, and reads its context, when it reads the exec
# event (docs/selinux.md, "The window after exec"). So each credop waits
# (waitfor) before changing ids until the agent is seen to be past its exec
# event: the ring buffer is in order, and a later decision of a marker
# process has reached the events file.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop CREDGATECTL=/bin/credgatectl
SVIRT=system_u:system_r:svirt_t:s0:c1,c2
SVIRT_OTHER=system_u:system_r:svirt_t:s0:c3,c4

mkdir -p /sys/fs/selinux
mount -t selinuxfs selinuxfs /sys/fs/selinux || fail "cannot mount selinuxfs"
[ "$(cat /proc/self/attr/current | tr -d '\0')" = kernel ] || fail "a policy is loaded already?"
# One write: the kernel takes the policy whole, not in pieces (busybox cat writes 4 KiB at a time).
dd if=/tests/selinux/policy of=/sys/fs/selinux/load bs=16M 2>/dev/null || fail "the reference policy did not load"
[ "$(cat /sys/fs/selinux/enforce)" = 0 ] || fail "SELinux is not permissive"
log "policy loaded; this shell is $(tr -d '\0' < /proc/self/attr/current)"

# in_context CONTEXT CMD...: run CMD (an exec) in CONTEXT.
in_context() {
	ctx=$1
	shift
	(printf %s "$ctx" > /proc/self/attr/current && exec "$@")
}

# labelled CONTEXT CGROUP OPS...: credop in CONTEXT ("-": this shell's) in
# CGROUP, held until the agent has handled its exec event, then OPS. Prints
# credop's output; its status is credop's. Callers run it in $(...), a
# subshell: the count of runs, which names its files, is kept in a file.
labelled() {
	_run=$(($(cat "$TEST_TMP/runs" 2>/dev/null || echo 0) + 1))
	echo "$_run" > "$TEST_TMP/runs"
	_go=$TEST_TMP/go.$_run _out=$TEST_TMP/run.$_run _ctx=$1 _cg=$2
	shift 2
	if [ "$_ctx" = - ]; then
		"$CREDOP" --cgroup "$_cg" waitfor:"$_go" "$@" > "$_out" 2>&1 &
	else
		in_context "$_ctx" "$CREDOP" --cgroup "$_cg" waitfor:"$_go" "$@" > "$_out" 2>&1 &
	fi
	_job=$!
	_i=0
	until grep -q "^credop: pid " "$_out" 2>/dev/null; do
		_i=$((_i + 1))
		[ "$_i" -le 300 ] || fail "credop did not start: $(cat "$_out")"
		sleep 0.1
	done
	# The marker: an audited decision in the plain cgroup, after the exec.
	# It is held too, so that it is alive when the agent reads its own exec
	# event (its events carry its context, as every process's must).
	"$CREDOP" --cgroup "$P" seteuid:1000=ok seteuid:0=ok waitfor:"$_go" > "$_out.marker" 2>&1 &
	_marker_job=$!
	_i=0
	until _marker=$(sed -n 's/^credop: pid //p' "$_out.marker" 2>/dev/null) && [ -n "$_marker" ] &&
		grep -q "\"pid\":$_marker[,}]" "$EVENTS"; do
		_i=$((_i + 1))
		[ "$_i" -le 300 ] || fail "the marker's decision never reached the events file: $(cat "$_out.marker")"
		sleep 0.1
	done
	touch "$_go"
	wait "$_marker_job" || fail "marker: $(cat "$_out.marker")"
	wait "$_job"
	_status=$?
	cat "$_out"
	return $_status
}

cg_setup selinux
C=$(cg_make typed)
E=$(cg_make context)
P=$(cg_make plain)
cat > "$TEST_TMP/policy.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata: {name: svirt-no-root}
spec:
  mode: enforcing
  selector: {cgroup: $(cg_rel typed), selinuxType: svirt_t}
  setuid: {deny: [{to: 0}]}
---
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata: {name: one-context}
spec:
  mode: enforcing
  selector: {cgroup: $(cg_rel context), selinuxContext: "$SVIRT_OTHER"}
  setuid: {deny: [{to: 0}]}
---
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata: {name: plain-audit}
spec:
  mode: audit
  selector: {cgroup: $(cg_rel plain)}
  setuid: {deny: [{to: 0}]}
POLICY
# The records go to a reader registered as the audit daemon (the kernel's
# own printing of records is rate-limited, and SELinux's permissive AVCs use it up).
/bin/audit_reader "$TEST_TMP/audit.log" > "$TEST_TMP/reader.out" 2>&1 &
READER_PID=$!
i=0
until grep -q "audit_reader: ready" "$TEST_TMP/reader.out"; do
	i=$((i + 1))
	[ "$i" -le 100 ] || fail "audit reader: $(cat "$TEST_TMP/reader.out")"
	sleep 0.1
done
agent_start --policy "$TEST_TMP/policy.yaml" --audit-records=avc || fail "agent did not start"
# 6.12 adds ima,evm after bpf: the kernel's own list is what must be reported.
LSMS=$(cat /sys/kernel/security/lsm)
grep -q "selinux: enabled, permissive (selinuxfs /sys/fs/selinux); LSM order $LSMS: SELinux decides first" "$AGENT_LOG" ||
	fail "no SELinux line at start (LSMs $LSMS)"
ctl status -o json > "$TEST_TMP/status.json" || fail "status"
jq -e --arg lsms "$LSMS" '.selinux.enabled and .selinux.mode == "permissive" and .selinux.lsm_order == $lsms
	and .selinux.decides_first == "selinux" and .selinux.labels == 2 and .selinux.processes_labelled > 0' "$TEST_TMP/status.json" > /dev/null ||
	fail "status: $(jq -c .selinux "$TEST_TMP/status.json")"
ctl status | grep -q "^selinux: enabled, permissive" || fail "text status: $(ctl status)"
log "ok: SELinux permissive and the LSM order reported"

# selinuxType: svirt_t is governed, kernel_t in the same cgroup is not.
out=$(labelled "$SVIRT" "$C" seteuid:1000=ok seteuid:0=EPERM expect-euid:1000) ||
	fail "svirt_t: seteuid(0) should be refused: $out"
svirt_pid=$(echo "$out" | sed -n 's/^credop: pid //p')
out=$(labelled - "$C" seteuid:1000=ok seteuid:0=ok expect-euid:0) ||
	fail "kernel_t in the same cgroup should not be governed: $out"
kernel_pid=$(echo "$out" | sed -n 's/^credop: pid //p')
log "ok: selinuxType svirt_t governs svirt_t ($svirt_pid), not kernel_t ($kernel_pid)"

# A fork has no window: the kernel copies the parent's label to the child.
# The kernel_t child changes ids at once and is not governed (had it no
# label, the policy would apply: fail closed); the svirt_t child is.
labelled - "$C" fork seteuid:1000=ok seteuid:0=ok expect-euid:0 > "$TEST_TMP/fork.out" ||
	fail "a kernel_t child forked from a labelled parent was governed: $(cat "$TEST_TMP/fork.out")"
labelled "$SVIRT" "$C" fork seteuid:1000=ok seteuid:0=EPERM expect-euid:1000 > "$TEST_TMP/fork.out" ||
	fail "a svirt_t child was not governed: $(cat "$TEST_TMP/fork.out")"
# Where a step needs it, and again at the end.
expect_labelled() {
	ctl status -o json > "$TEST_TMP/status.json" || fail "status"
	jq -e '.selinux.label_unknown == 0 and .selinux.processes_labelled > 0' "$TEST_TMP/status.json" > /dev/null ||
		fail "decisions met unlabelled processes ($1): $(jq -c .selinux "$TEST_TMP/status.json")"
}
expect_labelled "after the forks"
log "ok: forked children carry their parent's label"

# selinuxContext: the whole context, categories included.
out=$(labelled "$SVIRT_OTHER" "$E" seteuid:1000=ok seteuid:0=EPERM expect-euid:1000) ||
	fail "$SVIRT_OTHER should be refused: $out"
context_pid=$(echo "$out" | sed -n 's/^credop: pid //p')
out=$(labelled "$SVIRT" "$E" seteuid:1000=ok seteuid:0=ok expect-euid:0) ||
	fail "$SVIRT is another context: not governed by one-context: $out"
other_pid=$(echo "$out" | sed -n 's/^credop: pid //p')
log "ok: selinuxContext matches the whole context"

# No SELinux selector: everyone in the cgroup, and the events carry the context.
out=$(labelled - "$P" seteuid:1000=ok seteuid:0=ok expect-euid:0) || fail "plain: $out"
plain_pid=$(echo "$out" | sed -n 's/^credop: pid //p')
# Every refusal above was made on a labelled process, not fail-closed on an unlabelled one.
expect_labelled "at the end"
log "ok: no decision met an unlabelled process"
agent_stop
expect_valid_json
D=.credgate_decision
expect_count 1 "$D.process.pid==$svirt_pid and $D.verdict==\"denied\" and $D.policy_name==\"svirt-no-root\"
	and $D.process.selinux_context==\"$SVIRT\"" "the svirt_t decision carries its context"
expect_count 0 "$D.process.pid==$kernel_pid" "no decision for kernel_t in the svirt_t policy's cgroup"
expect_count 1 "$D.process.pid==$context_pid and $D.verdict==\"denied\" and $D.policy_name==\"one-context\"
	and $D.process.selinux_context==\"$SVIRT_OTHER\"" "the one-context decision carries its context"
expect_count 0 "$D.process.pid==$other_pid" "no decision for the other svirt_t context"
expect_count 1 "$D.process.pid==$plain_pid and $D.verdict==\"audited-would-deny\"
	and $D.process.selinux_context==\"system_u:system_r:kernel_t:s0\"" "a kernel_t process's events carry kernel_t"
# (A process gone before the agent read its exec event would have none:
# these are all held until the agent is past their exec.)
expect_count 0 "(.process_kprobe // .credgate_decision // .process_exec).process | has(\"selinux_context\") | not" \
	"every process block has a context"
# The USER_AVC record with the real contexts; the agent's own subject is SELinux's.
kill "$READER_PID"
wait "$READER_PID"
grep "type=USER_AVC" "$TEST_TMP/audit.log" > "$TEST_TMP/avc.txt"
grep -q "subj=system_u:system_r:kernel_t:s0 msg='avc:  denied  { setuid } for pid=$svirt_pid comm=\"credop\" capability=7 scontext=$SVIRT tcontext=$SVIRT tclass=capability permissive=0 credgate_policy=\"svirt-no-root\"" "$TEST_TMP/avc.txt" ||
	fail "no USER_AVC record with the svirt_t context: $(cat "$TEST_TMP/avc.txt")"
grep -q "for pid=$plain_pid comm=\"credop\" capability=7 scontext=system_u:system_r:kernel_t:s0 tcontext=system_u:system_r:kernel_t:s0 tclass=capability permissive=1 credgate_policy=\"plain-audit\"" "$TEST_TMP/avc.txt" ||
	fail "no permissive=1 USER_AVC record for the audited kernel_t process: $(cat "$TEST_TMP/avc.txt")"
log "ok: the USER_AVC record names the process's context"
cleanup
