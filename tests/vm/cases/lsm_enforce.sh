#!/bin/sh
# Enforce: in cgroup A, seteuid(0) back from euid 1000 (saved uid 0) fails
# with EPERM, and a "denied" event names the hook, the old and new euid and
# the policy.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop

cg_setup enforce
A=$(cg_make A)
write_policy "$TEST_TMP/policy.yaml" enforce-a enforce "$(cg_rel A)"
agent_start --policy "$TEST_TMP/policy.yaml" || fail "agent did not start"
grep -q "enforcement: bpf-lsm" "$AGENT_LOG" || fail "agent did not choose bpf-lsm"

"$CREDOP" --cgroup "$A" seteuid:1000=ok seteuid:0=EPERM expect-euid:1000 || fail "credop"
agent_stop
expect_valid_json
D='.credgate_decision'
expect_count 1 "$D.verdict==\"denied\"" "one denied decision"
expect_count 1 "$D.verdict==\"denied\" and $D.hook==\"task_fix_setuid\" and $D.call==\"setresuid\"
	and $D.old_credentials.euid==1000 and $D.new_credentials.euid==0
	and $D.policy_name==\"enforce-a\" and $D.mode==\"enforce\" and $D.enforcement==\"eperm\"
	and $D.subject.from==1000 and $D.subject.to==0
	and $D.process.cgroup.path==\"$(cg_rel A)\"" "denied event names hook, euid 1000->0, policy"
# The observation of the same calls, with the refused one's return value.
expect_count 1 '.process_kprobe.function_name=="__x64_sys_setresuid" and .process_kprobe.return.int_arg==-1
	and .process_kprobe.args[1].int_arg==0' "observed setresuid(-1, 0, -1) = -EPERM"
cleanup
