#!/bin/sh
# A child cgroup of A inherits A's enforce policy (nearest ancestor wins).
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop

cg_setup inherit
cg_make A > /dev/null
CHILD=$(cg_make A/child/grandchild)
write_policy "$TEST_TMP/policy.yaml" enforce-a enforce "$(cg_rel A)"
agent_start --policy "$TEST_TMP/policy.yaml" || fail "agent did not start"

"$CREDOP" --cgroup "$CHILD" seteuid:1000=ok seteuid:0=EPERM expect-euid:1000 || fail "credop"
agent_stop
expect_count 1 ".credgate_decision.verdict==\"denied\" and .credgate_decision.policy_name==\"enforce-a\"
	and .credgate_decision.process.cgroup.path==\"$(cg_rel A/child/grandchild)\"" \
	"denied in a grandchild of the governed cgroup"
cleanup
