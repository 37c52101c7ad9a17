#!/bin/sh
# setgroups: each added supplementary gid is checked against deny rules
# (single ids and ranges); gids kept from before are not.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop

cg_setup setgroups
A=$(cg_make A)
cat > "$TEST_TMP/policy.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: no-admin-groups
spec:
  mode: enforce
  selector:
    cgroup: $(cg_rel A)
  setgroups:
    deny:
      - gid: [0, "4-27"]
POLICY
agent_start --policy "$TEST_TMP/policy.yaml" || fail "agent did not start"
# Each change read back: the refused lists left the groups as they were.
out=$("$CREDOP" --cgroup "$A" setgroups:100,200=ok expect-groups:100,200 setgroups:100,0=EPERM expect-groups:100,200 \
	setgroups:100,27=EPERM expect-groups:100,200 setgroups:100,28,200=ok expect-groups:100,28,200) || fail "setgroups: $out"
agent_stop
expect_count 2 '.credgate_decision.hook=="task_fix_setgroups" and .credgate_decision.verdict=="denied"' "two refused"
expect_count 1 '.credgate_decision.subject.gid==0' "gid 0 named"
expect_count 1 '.credgate_decision.subject.gid==27' "gid 27 named"
cleanup
