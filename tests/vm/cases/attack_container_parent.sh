#!/bin/sh
# Attack (issue 11, item 1): a container put where no runtime puts one by
# default (docker --cgroup-parent) was not known as a container. Its root,
# if it can write its cgroupfs, named a child like container B and took B's
# lenient policy, and host policies still applied to it. The operator names
# such places in the settings file (containerCgroups); then the container's
# cgroup is sealed (names below it confer nothing) and inside a container.
#
# First without the setting, to show the hole the setting closes (and that
# this test sees it), then with it, on cgroups made before and after the
# agent started.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop

A=aaaaaaaaaaaa0000000000000000000000000000000000000000000000000001
B=bbbbbbbbbbbb0000000000000000000000000000000000000000000000000002
C=cccccccccccc0000000000000000000000000000000000000000000000000003

cg_setup cgparent
CA=$(cg_make "custom.slice/docker-$A.scope")
CC=$(cg_make "custom.slice/docker-$C.scope")
mkdir -p "$CA/pre/docker-$B.scope" || fail "cannot create cgroups in A"

cat > "$TEST_TMP/policies.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata: {name: host-strict}
spec:
  mode: enforce
  selector: {cgroup: $CG_PARENT_REL, host: true}
  setuid: {deny: [{to: 0}]}
---
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata: {name: container-a}
spec:
  mode: enforce
  selector: {container: $A}
  setuid: {deny: [{to: 0}]}
---
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata: {name: container-b}
spec:
  mode: audit
  selector: {container: $B}
  setuid: {deny: [{to: 0}]}
POLICY
cat > "$TEST_TMP/settings.yaml" <<SETTINGS
apiVersion: credgate.io/v1
kind: AgentConfig
containerCgroups:
  - $CG_PARENT_REL/custom.slice/docker-*.scope
SETTINGS

# attack TAG CGROUP EXPECT POLICY VERDICT: root, moved to CGROUP, drops to
# euid 1000 and takes euid 0 back: EXPECT is credop's expectation for that
# (EPERM or ok); the decision must come from POLICY with VERDICT ("none":
# no decision at all).
attack() {
	out=$("$CREDOP" --cgroup "$2" seteuid:1000=ok "seteuid:0=$3")
	status=$?
	log "$1: status $status: $(echo "$out" | tr '\n' ' ')"
	[ "$status" = 0 ] || fail "$1: expected seteuid(0) to give $3 (status $status): $out"
	pid=$(echo "$out" | sed -n 's/^credop: pid //p')
	[ -n "$pid" ] || fail "$1: no pid in: $out"
	echo "$pid $4 $5 $1" >> "$TEST_TMP/expect"
}

# check_decisions: every attack was decided as expected.
check_decisions() {
	expect_valid_json
	while read -r pid policy verdict what; do
		got=$(jq -r "select(.credgate_decision.process.pid==$pid) | \"\(.credgate_decision.policy_name) \(.credgate_decision.verdict)\"" "$EVENTS" | sort -u | tr '\n' ' ')
		if [ "$policy" = none ]; then
			[ -z "$got" ] || fail "$what: decided by '$got', expected no decision"
		else
			[ "$got" = "$policy $verdict " ] || fail "$what: decided by '$got', expected '$policy $verdict'"
		fi
		log "ok: $what -> $policy $verdict"
	done < "$TEST_TMP/expect"
	: > "$TEST_TMP/expect"
}

# Without the setting: the hole, as it was.
agent_start --policy "$TEST_TMP/policies.yaml" || fail "agent did not start"
attack "unknown place: docker-B in A" "$CA/pre/docker-$B.scope" ok container-b audited-would-deny
attack "unknown place: C is under the host policy" "$CC" EPERM host-strict denied
agent_stop
check_decisions

# With it: A's cgroup is a container's, sealed; C is inside a container.
agent_start --config "$TEST_TMP/settings.yaml" --policy "$TEST_TMP/policies.yaml" || fail "agent did not start"
grep -q "containers also at $CG_PARENT_REL/custom.slice/docker-\*.scope" "$AGENT_LOG" ||
	fail "the agent did not say where else containers are: $(cat "$AGENT_LOG")"
mkdir -p "$CA/post/x/docker-$B.scope" || fail "cannot create cgroups in A"
attack "pre: docker-B in A" "$CA/pre/docker-$B.scope" EPERM container-a denied
attack "post: docker-B in A" "$CA/post/x/docker-$B.scope" EPERM container-a denied
attack "C is inside a container: no host policy" "$CC" ok none none
agent_stop
check_decisions
cleanup
