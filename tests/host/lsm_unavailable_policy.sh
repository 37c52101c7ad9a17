#!/bin/sh
# Without BPF LSM: --lsm-unavailable=fail (the default) refuses to start when
# a policy enforces, and says why; an audit-only policy still starts; and
# --lsm-unavailable=observe starts, reporting violations as "unavailable".
. "$(dirname "$0")/preamble.inc"

cg_setup fail
A=$(cg_make A)
write_policy "$TEST_TMP/enforce.yaml" enforce-a enforce "$(cg_rel A)"
write_policy "$TEST_TMP/audit.yaml" audit-a audit "$(cg_rel A)"

# A refusal exits non-zero on its own, neither killed nor a sanitizer report.
agent_refuses --policy "$TEST_TMP/enforce.yaml"
grep -q "Refusing to start: policy 'enforce-a'" "$AGENT_LOG" || fail "no refusal message"
grep -q "lsm=" "$AGENT_LOG" || fail "the refusal does not say how to enable BPF LSM"
log "ok: refused to start, exit status $AGENT_STATUS"

agent_start --policy "$TEST_TMP/audit.yaml" || fail "an audit-only policy must start"
agent_stop
log "ok: audit-only policy starts and stops cleanly"

agent_start --policy "$TEST_TMP/enforce.yaml" --lsm-unavailable=observe || fail "observe mode must start"
grep -q "only REPORTED" "$AGENT_LOG" || fail "observe mode must warn that nothing is stopped"
"$CREDOP" --cgroup "$A" seteuid:1000=ok seteuid:0=ok || fail "observe mode must not stop anything"
agent_stop
expect_count 1 '.credgate_decision.verdict=="audited-would-deny" and .credgate_decision.mode=="enforce" and .credgate_decision.enforcement=="unavailable"' "violation reported as unenforceable"
cleanup
