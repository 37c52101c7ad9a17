#!/bin/sh
# Attack: `userns: deny` refused creating a user namespace, but a governed
# process with CAP_SYS_ADMIN over an existing one could join it with setns():
# by its namespace file, by a pidfd with CLONE_NEWUSER, or through the IA-32
# system call table. The user namespace is made before the policy and
# outside the governed cgroups, by a process that stays ungoverned. Each join
# must fail with EPERM and be reported as denied under enforce, pass and be
# reported once as audited under audit; joining the holder's mount or UTS
# namespace is never this rule's business; outside any policy the same join
# passes.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop NSJOIN=/bin/nsjoin CREDGATECTL=/bin/credgatectl

cg_setup usersetns
E=$(cg_make enforce)
A=$(cg_make audit)

# The namespaces to join: UTS and mount namespaces of the caller's user
# namespace, and a new user namespace, held by a process outside the
# test's cgroups.
"$NSJOIN" hold "$TEST_TMP/held" user+uts+mnt > "$TEST_TMP/holder.out" 2>&1 &
H=$!
i=0
until [ -e "$TEST_TMP/held" ]; do
	kill -0 "$H" 2>/dev/null || fail "the namespace holder exited: $(cat "$TEST_TMP/holder.out")"
	i=$((i + 1))
	[ "$i" -le 300 ] || fail "the namespace holder is not ready after 30 s"
	sleep 0.1
done
for ns in user uts mnt; do
	[ "$(readlink "/proc/$H/ns/$ns")" != "$(readlink "/proc/self/ns/$ns")" ] ||
		fail "the holder's $ns namespace is not a new one"
done
cleanup_holder() { kill "$H" 2>/dev/null; wait "$H" 2>/dev/null; }

cat > "$TEST_TMP/policy.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: no-userns
spec:
  mode: enforce
  selector:
    cgroup: $(cg_rel enforce)
  userns: deny
---
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: watch-userns
spec:
  mode: audit
  selector:
    cgroup: $(cg_rel audit)
  userns: deny
POLICY
agent_start --policy "$TEST_TMP/policy.yaml" || fail "agent did not start"
# Status says which hook decides the join.
ctl status -o json | jq -e '.hooks.capable == "bpf-lsm"' > /dev/null ||
	{ cleanup_holder; fail "status does not list the capable hook: $(ctl status -o json | jq -c .hooks)"; }

# Outside any policy the attack works: what the policy must stop.
"$NSJOIN" join "/proc/$H/ns/user" 0 ok || { cleanup_holder; fail "an ungoverned setns() into the user namespace should pass"; }

# Enforce: every way into the user namespace is refused with EPERM.
for join in "join /proc/$H/ns/user 0" "join /proc/$H/ns/user user" "join pid:$H user" \
	"join pid:$H user+uts+mnt" "--ia32 join /proc/$H/ns/user 0" "--ia32 join pid:$H user"; do
	# shellcheck disable=SC2086 # the words of $join are arguments
	"$NSJOIN" --cgroup "$E" $join EPERM || { cleanup_holder; fail "setns() should be refused: $join"; }
done
# ... and the holder's other namespaces are not this rule's.
for join in "join /proc/$H/ns/uts 0" "join /proc/$H/ns/mnt 0" "join pid:$H uts+mnt" \
	"--ia32 join /proc/$H/ns/uts 0"; do
	# shellcheck disable=SC2086
	"$NSJOIN" --cgroup "$E" $join ok || { cleanup_holder; fail "setns() should pass: $join"; }
done

# Audit: the joins happen, each reported once (a pidfd join of three
# namespaces makes more CAP_SYS_ADMIN checks after the user namespace's).
"$NSJOIN" --cgroup "$A" join "/proc/$H/ns/user" 0 ok || { cleanup_holder; fail "audit: the nsfd join should pass"; }
"$NSJOIN" --cgroup "$A" join "pid:$H" user+uts+mnt ok || { cleanup_holder; fail "audit: the pidfd join should pass"; }
"$NSJOIN" --cgroup "$A" join "/proc/$H/ns/uts" 0 ok || { cleanup_holder; fail "audit: the UTS join should pass"; }
cleanup_holder

agent_stop
expect_valid_json
D='.credgate_decision'
expect_count 6 "$D.hook==\"capable\" and $D.call==\"setns\" and $D.verdict==\"denied\" and $D.enforcement==\"eperm\"
	and $D.policy_name==\"no-userns\" and $D.rule==\"userns: deny\" and $D.subject.namespace==\"user\"
	and $D.mode==\"enforce\"" "setns() into the user namespace refused"
expect_count 2 "$D.hook==\"capable\" and $D.call==\"setns\" and $D.verdict==\"audited-would-deny\"
	and $D.policy_name==\"watch-userns\" and $D.rule==\"userns: deny\" and $D.subject.namespace==\"user\"
	and $D.mode==\"audit\"" "setns() into the user namespace audited, once per call"
# Nothing else: no decision for the other namespaces or the ungoverned join.
expect_count 8 "$D != null" "decisions in all"
cleanup
