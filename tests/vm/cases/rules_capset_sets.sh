#!/bin/sh
# capset rules per set: CAP_NET_RAW may not enter the inheritable set (the
# effective set is not watched by that rule), CAP_SYS_ADMIN may not enter
# the effective set; an ambient raise of CAP_NET_BIND_SERVICE is caught on
# task_prctl, after the capability module committed it: the caller is killed.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop

cg_setup capsets
A=$(cg_make A)
cat > "$TEST_TMP/policy.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: cap-sets
spec:
  mode: enforce
  selector:
    cgroup: $(cg_rel A)
  capset:
    rules:
      - denyGain: [net_raw]
        sets: [inheritable]
      - denyGain: [CAP_SYS_ADMIN]
        sets: [effective]
      - denyGain: [net_bind_service]
        sets: [ambient]
POLICY
agent_start --policy "$TEST_TMP/policy.yaml" || fail "agent did not start"
"$CREDOP" --cgroup "$A" capdrop:e:net_raw=ok capraise:e:net_raw=ok capraise:i:net_raw=EPERM \
	capdrop:e:sys_admin=ok capraise:e:sys_admin=EPERM capraise:i:net_bind_service=ok || fail "capset sets"
"$CREDOP" --cgroup "$A" capraise:i:net_bind_service=ok ambient:net_bind_service > "$TEST_TMP/amb.out"
status=$?
[ "$status" = 137 ] || fail "the ambient raise should be killed (137), got $status: $(cat "$TEST_TMP/amb.out")"
agent_stop
expect_count 1 '.credgate_decision.subject.set=="inheritable" and .credgate_decision.subject.capability=="CAP_NET_RAW"' "inheritable +NET_RAW denied"
expect_count 1 '.credgate_decision.subject.set=="effective" and .credgate_decision.subject.capability=="CAP_SYS_ADMIN"' "effective +SYS_ADMIN denied"
expect_count 1 '.credgate_decision.hook=="task_prctl" and .credgate_decision.subject.set=="ambient" and .credgate_decision.enforcement=="sigkill"' "ambient raise killed"
cleanup
