#!/bin/sh
# Problems found while binding a policy set to this host's cgroups, not in
# its text, are reported like the text's own (FILE:LINE:COL: severity:) by
# the same printer: a selector that matches no cgroup now is a warning, and
# the set is put in force; two policies tied on a cgroup are an error, the
# set is refused and the reload's caller gets the line too. A cgroup's name
# is the adversary's text (the kernel refuses only '\n' in it): control
# characters are escaped, so that a carriage return cannot make the line
# read as another. At most 32 such problems are printed, the rest counted.
. "$(dirname "$0")/preamble.inc"

cg_setup publish
A=$(cg_make A)
mkdir "$TEST_TMP/policies"
P="$TEST_TMP/policies/p.yaml"
cat > "$P" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata: {name: here}
spec:
  mode: audit
  selector: {cgroup: $(cg_rel A)}
  setuid: {deny: [{to: 0}]}
---
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata: {name: ghost}
spec:
  mode: audit
  selector: {cgroup: $(cg_rel none)}
  setuid: {deny: [{to: 0}]}
POLICY
agent_start --policy "$TEST_TMP/policies" || fail "agent did not start"
grep -qxF "credgated: $P:14:13: warning: policy 'ghost': selector (cgroup $(cg_rel none)) matches no cgroup now; it will govern matching cgroups from their creation" "$AGENT_LOG" ||
	fail "no warning for the selector that matches nothing: $(grep -i warning "$AGENT_LOG")"
grep -q "generation 1" "$AGENT_LOG" || fail "a warning refused the set"
log "ok: a selector that matches no cgroup is a warning"

# Two policies at the same depth and priority on every cX below A; the
# only one so far is named by its adversary with a carriage return.
CR=$(printf '\r')
mkdir "$A/c${CR}fake: error: injected" || fail "mkdir"
cat > "$TEST_TMP/policies/t.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata: {name: left}
spec:
  mode: audit
  selector: {cgroup: $(cg_rel A)/c*}
  setuid: {deny: [{to: 0}]}
---
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata: {name: right}
spec:
  mode: audit
  selector: {cgroup: $(cg_rel A)/c*}
  setuid: {deny: [{to: 0}]}
POLICY
T="$TEST_TMP/policies/t.yaml"
tie="$T:9:1: error: cgroup ${CG_PARENT_REL#/}/A/c\\rfake: error: injected is selected by policy 'left' and by policy 'right' ($T:9:1) at the same depth and priority 0; give one of them a higher priority:"
if ctl reload > "$TEST_TMP/reload.out" 2> "$TEST_TMP/reload.err"; then
	fail "a set with a tie was put in force"
fi
grep -qxF "$tie" "$TEST_TMP/reload.err" || fail "reload's answer lacks the tie: $(cat "$TEST_TMP/reload.err")"
wait_log "Reload failed"
grep -qxF "credgated: $tie" "$AGENT_LOG" || fail "the log lacks the tie on one line: $(grep -A1 'same depth' "$AGENT_LOG")"
grep -q "$CR" "$AGENT_LOG" "$TEST_TMP/reload.err" && fail "a cgroup's name put a carriage return in a line"
log "ok: a tie refuses the set, named on one line"

# 40 more ties: 32 problems printed, the other 9 counted.
for i in $(seq 10 49); do mkdir "$A/c$i" || fail "mkdir"; done
: > "$AGENT_LOG.before"
cp "$AGENT_LOG" "$AGENT_LOG.before"
ctl reload > /dev/null 2>&1 && fail "a set with ties was put in force"
i=0
until [ "$(grep -c "Reload failed" "$AGENT_LOG")" -ge 2 ]; do
	i=$((i + 1)); [ "$i" -le 300 ] || fail "no second 'Reload failed'"; sleep 0.1
done
new=$(tail -n +"$(($(wc -l < "$AGENT_LOG.before") + 1))" "$AGENT_LOG")
[ "$(printf "%s\n" "$new" | grep -c "same depth and priority")" = 32 ] ||
	fail "expected 32 ties printed: $(printf "%s\n" "$new" | grep -c "same depth and priority")"
printf "%s\n" "$new" | grep -qx "credgated: ... and 9 more problems" || fail "the dropped ties are not counted: $(printf "%s\n" "$new" | grep more)"
log "ok: 32 problems printed, the rest counted"

rm "$T"
ctl reload > "$TEST_TMP/reload.out" || fail "reload without the tie failed: $(cat "$TEST_TMP/reload.out")"
grep -q "^OK generation 2" "$TEST_TMP/reload.out" || fail "reload answer: $(cat "$TEST_TMP/reload.out")"
agent_stop
cleanup
