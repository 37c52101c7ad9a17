#!/bin/sh
# Attack: an exec rule that looked only at the new effective uid. With
# `allowTargetUids: ["1000-1999"]`, uid 1000 executing a program that keeps
# its euid (1000, "allowed") but gains gid 0 (set-group-ID root) or a
# capability (file capabilities) got through. Each id slot that changes
# and each capability gained must be allowed: both execs fail with EPERM,
# while a set-user-ID program owned by an allowed uid still passes.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop

cg_setup execslots
A=$(cg_make A)
cp "$CREDOP" /tmp/sgid-root && chown 0:0 /tmp/sgid-root && chmod 2755 /tmp/sgid-root
cp "$CREDOP" /tmp/fcap-sysadmin && /bin/setfcap -e /tmp/fcap-sysadmin 21 || fail "cannot set file capabilities"
cp "$CREDOP" /tmp/suid-1500 && chown 1500:0 /tmp/suid-1500 && chmod 4755 /tmp/suid-1500
cat > "$TEST_TMP/policy.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: exec-targets
spec:
  mode: enforce
  selector:
    cgroup: $(cg_rel A)
  exec:
    allowTargetUids: ["1000-1999"]
POLICY
agent_start --policy "$TEST_TMP/policy.yaml" || fail "agent did not start"

"$CREDOP" --cgroup "$A" setresgid:1000,1000,1000=ok setresuid:1000,1000,1000=ok exec:/tmp/sgid-root > "$TEST_TMP/sgid.out"
[ $? = 3 ] || fail "a set-group-ID root exec should fail with EPERM: $(cat "$TEST_TMP/sgid.out")"
"$CREDOP" --cgroup "$A" setresuid:1000,1000,1000=ok exec:/tmp/fcap-sysadmin > "$TEST_TMP/fcap.out"
[ $? = 3 ] || fail "a file-capability exec should fail with EPERM: $(cat "$TEST_TMP/fcap.out")"
"$CREDOP" --cgroup "$A" setresuid:1000,1000,1000=ok exec:/tmp/suid-1500 expect-euid:1500 ||
	fail "a set-user-ID exec to an allowed uid should pass"
agent_stop
expect_valid_json
D='.credgate_decision'
expect_count 1 "$D.hook==\"bprm_creds_from_file\" and $D.verdict==\"denied\" and $D.exec.setgid==true
	and $D.new_credentials.egid==0 and $D.exec.filename==\"/tmp/sgid-root\"" "the set-group-ID exec refused"
expect_count 1 "$D.hook==\"bprm_creds_from_file\" and $D.verdict==\"denied\" and $D.exec.file_capabilities==true
	and $D.exec.filename==\"/tmp/fcap-sysadmin\"" "the file-capability exec refused"
expect_count 0 "$D.exec.filename==\"/tmp/suid-1500\"" "the allowed target raises nothing"
cleanup
