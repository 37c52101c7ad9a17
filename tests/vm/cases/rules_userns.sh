#!/bin/sh
# Creating a user namespace: refused in the enforcing cgroup, reported in the
# auditing one (the userns_create hook exists since 6.1).
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop

cg_setup userns
E=$(cg_make enforce)
A=$(cg_make audit)
cat > "$TEST_TMP/policy.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: no-userns
spec:
  selector:
    cgroup: $(cg_rel enforce)
  userns:
    mode: enforce
---
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: watch-userns
spec:
  selector:
    cgroup: $(cg_rel audit)
  userns:
    mode: audit
POLICY
agent_start --policy "$TEST_TMP/policy.yaml" || fail "agent did not start"
"$CREDOP" --cgroup "$E" unshare-user=EPERM || fail "unshare(CLONE_NEWUSER) should be refused"
"$CREDOP" --cgroup "$A" unshare-user=ok || fail "unshare(CLONE_NEWUSER) should pass in audit mode"
agent_stop
expect_count 1 '.credgate_decision.hook=="userns_create" and .credgate_decision.verdict=="denied" and .credgate_decision.policy_name=="no-userns"' "refused"
expect_count 1 '.credgate_decision.hook=="userns_create" and .credgate_decision.verdict=="audited-would-deny" and .credgate_decision.policy_name=="watch-userns"' "audited"
cleanup
