#!/bin/sh
# SIGHUP reloads the policy: a broken file is refused with its place named
# and the old policy stays in force; a good one takes over.
. "$(dirname "$0")/preamble.inc"

cg_setup reload
A=$(cg_make A)
mkdir "$TEST_TMP/policies"
write_policy "$TEST_TMP/policies/p.yaml" first audit "$(cg_rel A)"
agent_start --policy "$TEST_TMP/policies" || fail "agent did not start"

flip() { "$CREDOP" --cgroup "$A" seteuid:1000=ok seteuid:0=ok > /dev/null || fail "credop"; }

flip
# A broken file: the old policy must stay, and the error must name the place.
printf 'apiVersion: credgate.io/v1\nkind: CredentialPolicy\nmetadata:\n  name: second\nspec:\n  mode: sometimes\n' \
	> "$TEST_TMP/policies/p.yaml"
kill -HUP "$AGENT_PID"
wait_log "Reload failed"
grep -q "p.yaml:6:9: error: spec.mode" "$AGENT_LOG" || fail "the reload error does not name file, line and column"
flip
# A good file: the new policy takes over.
write_policy "$TEST_TMP/policies/p.yaml" third audit "$(cg_rel A)"
kill -HUP "$AGENT_PID"
wait_log "generation 2"
flip
agent_stop
expect_count 2 '.credgate_decision.policy_name=="first"' "the first policy decided before and after the failed reload"
expect_count 1 '.credgate_decision.policy_name=="third"' "the reloaded policy decides after a good reload"
expect_count 0 '.credgate_decision.policy_name=="second"' "the broken policy never decided"
cleanup
