#!/bin/sh
# Privilege gained by exec: uid 1000 executing a set-user-ID root binary is
# refused (execve fails with EPERM) unless the binary's path is allowed;
# a set-user-ID binary owned by an allowed target uid passes.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop

cg_setup exec
A=$(cg_make A)
B=$(cg_make B)
for f in suid-denied suid-allowed; do
	cp /bin/credop /tmp/$f && chown 0:0 /tmp/$f && chmod 4755 /tmp/$f
done
cp /bin/credop /tmp/suid-2000 && chown 2000:0 /tmp/suid-2000 && chmod 4755 /tmp/suid-2000
cat > "$TEST_TMP/policy.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: exec-paths
spec:
  mode: enforce
  selector:
    cgroup: $(cg_rel A)
  exec:
    allowPaths: [/tmp/suid-allowed]
---
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: exec-uids
spec:
  mode: enforce
  selector:
    cgroup: $(cg_rel B)
  exec:
    allowTargetUids: ["2000-2999"]
POLICY
agent_start --policy "$TEST_TMP/policy.yaml" || fail "agent did not start"

"$CREDOP" --cgroup "$A" setresuid:1000,1000,1000=ok exec:/tmp/suid-denied expect-euid:0 > "$TEST_TMP/denied.out"
[ $? = 3 ] || fail "exec of a set-user-ID binary not on the list should fail with EPERM: $(cat "$TEST_TMP/denied.out")"
"$CREDOP" --cgroup "$A" setresuid:1000,1000,1000=ok exec:/tmp/suid-allowed expect-euid:0 ||
	fail "the allowed path should gain euid 0"
"$CREDOP" --cgroup "$B" setresuid:1000,1000,1000=ok exec:/tmp/suid-2000 expect-euid:2000 ||
	fail "the allowed target uid should be gained"
"$CREDOP" --cgroup "$B" setresuid:1000,1000,1000=ok exec:/tmp/suid-denied expect-euid:0 > /dev/null
[ $? = 3 ] || fail "euid 0 is not an allowed target uid"
agent_stop
D='.credgate_decision'
expect_count 2 "$D.hook==\"bprm_creds_from_file\" and $D.verdict==\"denied\"" "two execs refused"
expect_count 2 "$D.exec.filename==\"/tmp/suid-denied\" and $D.exec.setuid==true and $D.new_credentials.euid==0" "the refused binary is named"
expect_count 0 "$D.exec.filename==\"/tmp/suid-allowed\"" "the allowed path raises nothing"
cleanup
