#!/bin/sh
# setfsuid(0) under enforce leaves the fsuid unchanged and the event says
# so: the kernel reports no error for a refused setfsuid.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop

cg_setup setfsuid
A=$(cg_make A)
write_policy "$TEST_TMP/policy.yaml" enforce-a enforce "$(cg_rel A)"
agent_start --policy "$TEST_TMP/policy.yaml" || fail "agent did not start"

"$CREDOP" --cgroup "$A" setfsuid:1000 expect-fsuid:1000 setfsuid:0 expect-fsuid:1000 || fail "credop"
agent_stop
D='.credgate_decision'
expect_count 1 "$D.verdict==\"denied\" and $D.call==\"setfsuid\" and $D.enforcement==\"fsid-unchanged\"
	and $D.old_credentials.fsuid==1000 and $D.new_credentials.fsuid==0" \
	"denied setfsuid says fsid-unchanged, not EPERM"
# setfsuid returns the previous fsuid, 1000, not -1.
expect_count 1 '.process_kprobe.function_name=="__x64_sys_setfsuid" and .process_kprobe.args[0].int_arg==0
	and .process_kprobe.return.int_arg==1000 and .process_kprobe.new_credentials.fsuid==1000' \
	"observed setfsuid(0) returned 1000 and fsuid stayed 1000"
cleanup
