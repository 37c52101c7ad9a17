#!/bin/sh
# Attack: a local user who can write a policy file, or the directory that
# holds it, rewrites what is enforced. Here "nobody" is handed write access
# (a file left mode 0666, a directory left 0777, a file chowned to it) and
# turns the enforcing policy into an audit one, or drops a file of its own
# into the directory. The agent must refuse such a path, at reload and at
# start, name the file and say why, and keep the last good policy in force.
. "$(dirname "$0")/preamble.inc"
command -v setpriv > /dev/null || fail "setpriv is required (util-linux)"

as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }

cg_setup policyfile
A=$(cg_make A)
D="$TEST_TMP/policies"
mkdir -m 0755 "$D"
chmod 0755 "$TEST_TMP"
write_policy "$D/p.yaml" strict audit "$(cg_rel A)"
chmod 0644 "$D/p.yaml"
agent_start --policy "$D" || fail "agent did not start with a root-owned 0644 policy"
generation() { ctl status -o json | jq -r '.policy.generation'; }
# reload_refused N: SIGHUP, then wait for the agent's Nth "Reload failed".
reload_refused() {
	kill -HUP "$AGENT_PID"
	i=0
	until [ "$(grep -c "Reload failed" "$AGENT_LOG")" -ge "$1" ]; do
		i=$((i + 1)); [ "$i" -le 100 ] || fail "reload $1 was not refused"; sleep 0.1
	done
}
g1=$(generation)
[ -n "$g1" ] && [ "$g1" != null ] || fail "no policy generation in status"

# 1. The file is left writable by others: nobody rewrites it.
chmod 0666 "$D/p.yaml"
# credgatectl policy check says beforehand what the agent will refuse.
ctl policy check "$D" > "$TEST_TMP/check.out" 2>&1 && fail "policy check accepted a 0666 policy file"
grep -q "p.yaml: error: refusing a policy file writable by its group and others (mode 0666)" "$TEST_TMP/check.out" ||
	fail "policy check does not say why: $(cat "$TEST_TMP/check.out")"
write_policy "$TEST_TMP/lenient.yaml" lenient audit "/unrelated-$$"
as_nobody sh -c "cat '$TEST_TMP/lenient.yaml' > '$D/p.yaml'" || fail "nobody could not write the 0666 file (test setup)"
kill -HUP "$AGENT_PID"
wait_log "p.yaml: error: refusing a policy file writable by its group and others (mode 0666)"
wait_log "Reload failed"
[ "$(generation)" = "$g1" ] || fail "a reload from a file others may write changed the policy"
log "ok: reload refused a 0666 file nobody had rewritten"

# 2. The directory is left writable by others: nobody adds a file.
write_policy "$D/p.yaml" strict audit "$(cg_rel A)"
chmod 0644 "$D/p.yaml"
chmod 0777 "$D"
as_nobody cp "$TEST_TMP/lenient.yaml" "$D/zz-nobody.yaml" || fail "nobody could not write into the 0777 directory (test setup)"
chmod 0644 "$D/zz-nobody.yaml"
reload_refused 2
grep -q "refusing a policy file: the directory $D above it is writable by its group and others (mode 0777)" "$AGENT_LOG" ||
	grep -q "$D: error: refusing a policy file writable by its group and others (mode 0777)" "$AGENT_LOG" ||
	fail "the refusal does not name the directory and its mode"
[ "$(generation)" = "$g1" ] || fail "a reload from a directory others may write changed the policy"
log "ok: reload refused a 0777 directory with nobody's file in it"

# 3. A file owned by another user, in a root directory.
chmod 0755 "$D"
rm -f "$D/zz-nobody.yaml"
chown nobody "$D/p.yaml"
reload_refused 3
grep -q "p.yaml: error: refusing a policy file owned by uid $(id -u nobody), not by root" "$AGENT_LOG" ||
	fail "the refusal does not name the owner"
[ "$(generation)" = "$g1" ] || fail "a reload from a file nobody owns changed the policy"
agent_stop
log "ok: reload refused a file owned by nobody"

# 4. At start: the agent refuses to start on such a file, with the reason.
agent_refuses --policy "$D"
grep -q "refusing a policy file owned by uid" "$AGENT_LOG" || fail "no reason given at start"
log "ok: start refused (status $AGENT_STATUS)"

# 5. The settings file too.
chown root "$D/p.yaml"
printf 'apiVersion: credgate.io/v1\nkind: AgentConfig\npolicyDir: %s\n' "$D" > "$TEST_TMP/credgate.yaml"
chmod 0666 "$TEST_TMP/credgate.yaml"
agent_refuses --config "$TEST_TMP/credgate.yaml"
grep -q "Refusing the settings file $TEST_TMP/credgate.yaml: .* is writable by its group and others (mode 0666)" "$AGENT_LOG" ||
	fail "no reason given for the settings file"
chmod 0644 "$TEST_TMP/credgate.yaml"
agent_start --config "$TEST_TMP/credgate.yaml" || fail "the agent did not start once the settings file was root's 0644"
agent_stop
log "ok: settings file checked the same way"
cleanup
