#!/bin/sh
# Attack: an exec rule matched on the string given to execve(), not on the
# file the kernel executes. The policy allows two set-user-ID paths, one of
# them in a world-writable sticky directory where the program is missing;
# the attacker puts a symlink there to another set-user-ID root program.
# The exec must fail with EPERM and the event must name the file executed.
# Conversely a relative path or a symlink to the allowed program is the
# allowed program, and passes.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop

cg_setup execlink
A=$(cg_make A)
for f in suid-allowed suid-other; do
	cp "$CREDOP" /tmp/$f && chown 0:0 /tmp/$f && chmod 4755 /tmp/$f
done
mkdir -p /tmp/shared && chmod 1777 /tmp/shared
cat > "$TEST_TMP/policy.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: exec-files
spec:
  mode: enforce
  selector:
    cgroup: $(cg_rel A)
  exec:
    allowPaths: [/tmp/suid-allowed, /tmp/shared/helper]
POLICY
agent_start --policy "$TEST_TMP/policy.yaml" || fail "agent did not start"

# The attacker's symlink, at the allowed path, to a program not allowed.
ln -s /tmp/suid-other /tmp/shared/helper
"$CREDOP" --cgroup "$A" setresuid:1000,1000,1000=ok exec:/tmp/shared/helper expect-euid:0 > "$TEST_TMP/link.out"
[ $? = 3 ] || fail "a symlink at an allowed path to another set-user-ID program should fail with EPERM: $(cat "$TEST_TMP/link.out")"
# The same program through a relative path and a dot-dot path: refused too.
(cd /tmp && "$CREDOP" --cgroup "$A" setresuid:1000,1000,1000=ok exec:./suid-other > "$TEST_TMP/rel.out")
[ $? = 3 ] || fail "a relative path to a program not allowed should fail with EPERM: $(cat "$TEST_TMP/rel.out")"
# The allowed program, by a relative path and by a symlink: allowed.
(cd /tmp && "$CREDOP" --cgroup "$A" setresuid:1000,1000,1000=ok exec:./suid-allowed expect-euid:0) ||
	fail "the allowed program by a relative path should gain euid 0"
ln -s ../suid-allowed /tmp/shared/alias
"$CREDOP" --cgroup "$A" setresuid:1000,1000,1000=ok exec:/tmp/shared/alias expect-euid:0 ||
	fail "a symlink to the allowed program is that program"
agent_stop
expect_valid_json
D='.credgate_decision'
expect_count 2 "$D.hook==\"bprm_creds_from_file\" and $D.verdict==\"denied\"" "two execs refused"
expect_count 2 "$D.hook==\"bprm_creds_from_file\" and $D.exec.filename==\"/tmp/suid-other\"" \
	"each refusal names the file executed, not the string given"
expect_count 0 "$D.exec.filename==\"/tmp/shared/helper\" or $D.exec.filename==\"./suid-other\"" \
	"no event names the string"
cleanup
