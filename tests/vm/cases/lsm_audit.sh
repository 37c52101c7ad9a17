#!/bin/sh
# Audit: the same call in cgroup B succeeds and yields an
# "audited-would-deny" event.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop

cg_setup audit
B=$(cg_make B)
write_policy "$TEST_TMP/policy.yaml" audit-b audit "$(cg_rel B)"
agent_start --policy "$TEST_TMP/policy.yaml" || fail "agent did not start"

"$CREDOP" --cgroup "$B" seteuid:1000=ok seteuid:0=ok expect-euid:0 || fail "credop"
agent_stop
expect_valid_json
D='.credgate_decision'
expect_count 0 "$D.verdict==\"denied\"" "nothing denied"
expect_count 1 "$D.verdict==\"audited-would-deny\" and $D.hook==\"task_fix_setuid\"
	and $D.old_credentials.euid==1000 and $D.new_credentials.euid==0
	and $D.policy_name==\"audit-b\" and $D.mode==\"audit\" and $D.enforcement==\"none\"" \
	"audited-would-deny event"
cleanup
