#!/bin/sh
# One policy, two modes: its setuid rule enforces, its setgid rule audits.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop

cg_setup rulemode
A=$(cg_make A)
cat > "$TEST_TMP/policy.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: mixed
spec:
  mode: audit
  selector:
    cgroup: $(cg_rel A)
  setuid:
    deny:
      - to: 0
        mode: enforce
  setgid:
    deny:
      - to: 0
POLICY
agent_start --policy "$TEST_TMP/policy.yaml" || fail "agent did not start"
# Each change read back: the audited setegid(0) happened, the enforced
# seteuid(0) did not, and nothing else moved.
out=$("$CREDOP" --cgroup "$A" setegid:1000=ok expect-egid:1000 setegid:0=ok expect-egid:0 expect-gid:0 expect-sgid:0 \
	seteuid:1000=ok expect-euid:1000 seteuid:0=EPERM expect-euid:1000 expect-uid:0 expect-suid:0) || fail "modes: $out"
agent_stop
expect_count 1 '.credgate_decision.hook=="task_fix_setuid" and .credgate_decision.verdict=="denied" and .credgate_decision.mode=="enforce"' "setuid rule enforced"
expect_count 1 '.credgate_decision.hook=="task_fix_setgid" and .credgate_decision.verdict=="audited-would-deny" and .credgate_decision.mode=="audit"' "setgid rule audited"
cleanup
