#!/bin/sh
# Attack: capabilities that enter a set without capset(). Root inside a
# governed cgroup whose policy says `capset: denyGain: [CAP_NET_RAW]`
# (enforce) tries every other way in, and each must fail with EPERM and be
# reported:
#   1. seteuid(0) after seteuid(1000): the kernel refills the effective set
#      from the permitted set;
#   2. uid 1000 executes a copy of a binary with file capabilities
#      (security.capability: cap_net_raw+ep);
#   3. uid 1000 executes a set-user-ID root copy (root's capabilities);
#   4. an ambient raise (allowed: the rule's sets are permitted and
#      effective), then an exec that turns it into an effective capability;
#   5. root drops CAP_NET_RAW from its effective and permitted sets, then
#      executes a program: root's exec refills them from the bounding set.
# And the packaged default policy (packaging/policies.d, audit) reports a
# `su`-like exec: uid 1000 executing a set-user-ID root program, which
# makes no set*id call.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop

cg_setup capspaths
A=$(cg_make A)
B=$(cg_make B)
cp "$CREDOP" /tmp/plain-credop
cp "$CREDOP" /tmp/fcap-credop && /bin/setfcap -e /tmp/fcap-credop 13 || fail "cannot set file capabilities"
cp "$CREDOP" /tmp/suid-credop && chown 0:0 /tmp/suid-credop && chmod 4755 /tmp/suid-credop

# The packaged policy, its selectors replaced by this test's cgroup B.
awk -v sel="    - cgroup: $(cg_rel B)" '
	/^  selector:/ { print; print sel; skip = 1; next }
	skip && /^  [a-z]/ { skip = 0 }
	!skip { print }' /tests/policies.d/00-audit-containers.yaml > "$TEST_TMP/default.yaml"
grep -q "cgroup: $(cg_rel B)" "$TEST_TMP/default.yaml" || fail "could not retarget the default policy"
cat > "$TEST_TMP/caps.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: no-net-raw
spec:
  mode: enforce
  selector:
    cgroup: $(cg_rel A)
  capset:
    denyGain: [CAP_NET_RAW]
POLICY
mkdir "$TEST_TMP/policies" && cp "$TEST_TMP/caps.yaml" "$TEST_TMP/default.yaml" "$TEST_TMP/policies/"
agent_start --policy "$TEST_TMP/policies" || fail "agent did not start"

# 1. seteuid(0) refills the effective set: refused, the euid stays 1000.
"$CREDOP" --cgroup "$A" seteuid:1000=ok seteuid:0=EPERM expect-euid:1000 ||
	fail "seteuid(0) regaining CAP_NET_RAW in the effective set should fail with EPERM"
# 2-5: each exec fails with EPERM (credop exits 3).
"$CREDOP" --cgroup "$A" setresuid:1000,1000,1000=ok exec:/tmp/fcap-credop > "$TEST_TMP/2.out"
[ $? = 3 ] || fail "exec of a file-capability binary should fail with EPERM: $(cat "$TEST_TMP/2.out")"
"$CREDOP" --cgroup "$A" setresuid:1000,1000,1000=ok exec:/tmp/suid-credop > "$TEST_TMP/3.out"
[ $? = 3 ] || fail "exec of a set-user-ID root binary should fail with EPERM: $(cat "$TEST_TMP/3.out")"
"$CREDOP" --cgroup "$A" capraise:i:net_raw=ok keepcaps=ok setresuid:1000,1000,1000=ok ambient:net_raw=ok \
	exec:/tmp/plain-credop > "$TEST_TMP/4.out"
[ $? = 3 ] || fail "exec turning an ambient capability effective should fail with EPERM: $(cat "$TEST_TMP/4.out")"
"$CREDOP" --cgroup "$A" capdrop:e:net_raw=ok capdrop:p:net_raw=ok exec:/tmp/plain-credop > "$TEST_TMP/5.out"
[ $? = 3 ] || fail "root regaining a dropped capability by exec should fail with EPERM: $(cat "$TEST_TMP/5.out")"
# What gains nothing still works: uid 1000 runs a plain program.
"$CREDOP" --cgroup "$A" setresuid:1000,1000,1000=ok exec:/tmp/plain-credop expect-euid:1000 ||
	fail "an exec that gains nothing must pass"
# The default policy: a su-like exec succeeds (audit) and is reported.
"$CREDOP" --cgroup "$B" setresuid:1000,1000,1000=ok exec:/tmp/suid-credop expect-euid:0 ||
	fail "the audit policy must not stop the exec"
agent_stop
expect_valid_json
D='.credgate_decision'
expect_count 1 "$D.hook==\"task_fix_setuid\" and $D.verdict==\"denied\" and $D.policy_name==\"no-net-raw\"
	and $D.subject.capability==\"CAP_NET_RAW\" and $D.subject.set==\"effective\"
	and $D.new_credentials.euid==0" "seteuid(0) refused for the capability it refills"
expect_count 4 "$D.hook==\"bprm_creds_from_file\" and $D.verdict==\"denied\" and $D.policy_name==\"no-net-raw\"
	and $D.subject.capability==\"CAP_NET_RAW\"" "four execs refused for CAP_NET_RAW"
expect_count 1 "$D.hook==\"bprm_creds_from_file\" and $D.exec.filename==\"/tmp/fcap-credop\"" \
	"the file-capability binary is named"
expect_count 1 "$D.hook==\"bprm_creds_from_file\" and $D.verdict==\"audited-would-deny\"
	and $D.policy_name==\"audit-containers\" and $D.new_credentials.euid==0
	and $D.exec.filename==\"/tmp/suid-credop\"" "the default policy reports a su-like exec"
expect_count 0 "$D.exec.filename==\"/tmp/plain-credop\" and $D.old_credentials.uid==1000
	and $D.old_credentials.euid==1000 and $D.new_credentials.euid==1000 and $D.verdict!=\"denied\"" \
	"a plain exec that gains nothing is not reported"
cleanup
