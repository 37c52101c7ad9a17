#!/bin/sh
# A cgroup created after the policy loaded is governed from its first
# instruction: a thousand times, create a cgroup matching a glob selector,
# put a process in it at once (by cgroup.procs, or born there with clone3
# CLONE_INTO_CGROUP) and have it regain euid 0: every attempt is refused.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDGATECTL=/bin/credgatectl

cg_setup race
P=$(cg_make system.slice)
cat > "$TEST_TMP/policy.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: race-containers
spec:
  mode: enforce
  observe: false
  selector:
    cgroup: $(cg_rel system.slice)/docker-*.scope
  setuid:
    deny:
      - to: 0
POLICY
agent_start --policy "$TEST_TMP/policy.yaml" || fail "agent did not start"
/bin/cgrace --parent "$P" --count 1000 --prefix docker- --suffix .scope > "$TEST_TMP/race.out" 2>&1 ||
	fail "not every new cgroup was governed: $(tail -5 "$TEST_TMP/race.out")"
cat "$TEST_TMP/race.out"
# A cgroup that does not match the glob is not governed.
/bin/cgrace --parent "$P" --count 2 --prefix other- --suffix .scope > "$TEST_TMP/free.out" 2>&1 &&
	fail "a non-matching cgroup was governed"
grep -q "denied 0 of 2" "$TEST_TMP/free.out" || fail "unexpected: $(cat "$TEST_TMP/free.out")"
# Every cgroup had its state from its creation: none needed the ancestor fallback.
ctl status -o json > "$TEST_TMP/status.json"
jq -e '.cgroups.unknown == 0 and .cgroups.state_failures == 0' "$TEST_TMP/status.json" > /dev/null ||
	fail "cgroups without a state: $(jq -c .cgroups "$TEST_TMP/status.json")"
agent_stop
expect_count 1000 '.credgate_decision.verdict=="denied"' "1000 denied decisions"
log "ok: 1000 new cgroups governed from their first instruction"
cleanup
