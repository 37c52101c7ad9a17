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
# Each change read back: the allowed ones happened, the refused ones left
# the set as it was.
out=$("$CREDOP" --cgroup "$A" capdrop:e:net_raw=ok expect-nocap:e:net_raw capraise:e:net_raw=ok expect-cap:e:net_raw \
	expect-nocap:i:net_raw capraise:i:net_raw=EPERM expect-nocap:i:net_raw \
	capdrop:e:sys_admin=ok expect-nocap:e:sys_admin capraise:e:sys_admin=EPERM expect-nocap:e:sys_admin expect-cap:p:sys_admin \
	capraise:i:net_bind_service=ok expect-cap:i:net_bind_service) || fail "capset sets: $out"
"$CREDOP" --cgroup "$A" capraise:i:net_bind_service=ok expect-nocap:a:net_bind_service ambient:net_bind_service > "$TEST_TMP/amb.out"
status=$?
[ "$status" = 137 ] || fail "the ambient raise should be killed (137), got $status: $(cat "$TEST_TMP/amb.out")"
# credop's output is unbuffered: the line before the raise is there, the raise's is not.
grep -qx "capraise(i:net_bind_service) = 0" "$TEST_TMP/amb.out" || fail "no line for capraise: $(cat "$TEST_TMP/amb.out")"
grep -q "^ambient(" "$TEST_TMP/amb.out" && fail "the ambient raise returned to user space: $(cat "$TEST_TMP/amb.out")"
agent_stop
expect_count 1 '.credgate_decision.subject.set=="inheritable" and .credgate_decision.subject.capability=="CAP_NET_RAW"' "inheritable +NET_RAW denied"
expect_count 1 '.credgate_decision.subject.set=="effective" and .credgate_decision.subject.capability=="CAP_SYS_ADMIN"' "effective +SYS_ADMIN denied"
expect_count 1 '.credgate_decision.hook=="task_prctl" and .credgate_decision.subject.set=="ambient" and .credgate_decision.enforcement=="sigkill"' "ambient raise killed"
cleanup
