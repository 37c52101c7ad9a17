#!/bin/sh
# SafeSetID-style allow lists: a process that keeps CAP_SETUID as uid 1000
# may move to 1001 or 1002 and nowhere else; 1001, which no allow rule
# constrains, is constrained to itself (transitivity), so 1001 -> 1002 is
# refused; ranges and "any" in deny rules.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop

cg_setup safesetid
A=$(cg_make A)
B=$(cg_make B)
cat > "$TEST_TMP/policy.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: allow-list
spec:
  mode: enforce
  selector:
    cgroup: $(cg_rel A)
  setuid:
    allow:
      - from: 1000
        to: [1001, 1002]
---
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: ranges
spec:
  mode: enforce
  selector:
    cgroup: $(cg_rel B)
  setuid:
    deny:
      - from: any
        to: 100-999
POLICY
agent_start --policy "$TEST_TMP/policy.yaml" || fail "agent did not start"
grep -q "transitivity" "$AGENT_LOG" || fail "no transitivity warning for uid 1001/1002"

# uid 1000 with CAP_SETUID kept: 1003 is refused, 1001 allowed, then 1001 -> 1002 refused.
"$CREDOP" --cgroup "$A" keepcaps setresuid:1000,1000,1000=ok capraise:e:setuid=ok \
	setuid:1003=EPERM setuid:1001=ok expect-uid:1001 setuid:1002=EPERM expect-uid:1001 ||
	fail "allow list"
# Ranges: 500 is in 100-999, 2000 is not.
"$CREDOP" --cgroup "$B" setresuid:-1,500,-1=EPERM setresuid:-1,2000,-1=ok || fail "ranges"
agent_stop
expect_count 1 '.credgate_decision.policy_name=="allow-list" and .credgate_decision.new_credentials.uid==1003 and .credgate_decision.verdict=="denied"' "1000 -> 1003 denied"
expect_count 1 '.credgate_decision.policy_name=="allow-list" and .credgate_decision.old_credentials.uid==1001 and .credgate_decision.new_credentials.uid==1002 and .credgate_decision.verdict=="denied"' "1001 -> 1002 denied (transitivity)"
expect_count 1 '.credgate_decision.policy_name=="ranges" and .credgate_decision.new_credentials.euid==500' "euid 500 denied by the range"
cleanup
