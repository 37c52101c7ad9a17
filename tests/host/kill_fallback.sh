#!/bin/sh
# --lsm-unavailable=kill: with no BPF LSM, a caller in the enforced cgroup
# whose change a rule denies gets SIGKILL before it returns to user space,
# and the events say "killed"; the same calls in another cgroup are untouched.
. "$(dirname "$0")/preamble.inc"

cg_setup kill
K=$(cg_make enforced)
N=$(cg_make free)
write_policy "$TEST_TMP/policy.yaml" kill-k enforce "$(cg_rel enforced)"
agent_start --policy "$TEST_TMP/policy.yaml" --lsm-unavailable=kill || fail "agent did not start"
grep -q "enforcement: sigkill" "$AGENT_LOG" || fail "expected enforcement: sigkill"

"$CREDOP" --cgroup "$N" seteuid:1000=ok seteuid:0=ok expect-euid:0 > "$TEST_TMP/free.out" ||
	fail "the process outside the enforced cgroup was disturbed: $(cat "$TEST_TMP/free.out")"
"$CREDOP" --cgroup "$K" seteuid:1000=ok seteuid:0 expect-euid:0 > "$TEST_TMP/killed.out"
status=$?
[ "$status" = 137 ] || fail "expected death by SIGKILL (137), got exit status $status"
# credop writes each line before its next operation (unbuffered stdout): the
# line of seteuid(1000) is there, so output reaches the file, and that of
# seteuid(0) is not, so the process died before it returned to user space.
grep -qx "seteuid(1000) = 0" "$TEST_TMP/killed.out" ||
	fail "no line for seteuid(1000): the check below would hold for any process: $(cat "$TEST_TMP/killed.out")"
grep -q "^seteuid(0)" "$TEST_TMP/killed.out" && fail "the killed process returned to user space: $(cat "$TEST_TMP/killed.out")"
agent_stop
expect_valid_json
expect_count 1 '.credgate_decision.verdict=="killed" and .credgate_decision.enforcement=="sigkill" and .credgate_decision.policy_name=="kill-k"' "a killed decision"
expect_count 1 '.process_kprobe.action=="KPROBE_ACTION_SIGKILL"' "the observation says SIGKILL"
expect_count 1 '.credgate_decision' "exactly one decision: none for the free cgroup"
cleanup
