#!/bin/sh
# Every selector kind, on cgroup paths shaped as docker, containerd (CRI),
# systemd and kubelet create them; nearest selector wins; priority breaks a
# tie; host: true stops at containers. Each path is checked twice: created
# before the agent starts (user space computes its state) and after (the
# kernel's cgroup_mkdir program does), which must agree.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop

ID=4f2a9c0d1e3b5a7968cb0d1e2f3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c
POD=5b6c1d2e-3f40-4152-8637-a8b9c0d1e2f3
POD_=$(echo "$POD" | tr - _)
OTHERPOD_=11111111_2222_4333_8444_555555555555
QOS=kubepods.slice/kubepods-besteffort.slice

cat > "$TEST_TMP/policies.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata: {name: p-glob}
spec:
  mode: enforce
  selector: {cgroup: "/**/system.slice/docker-*.scope"}
  setuid: {deny: [{to: 0}]}
---
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata: {name: p-glob-low}
spec:
  mode: enforce
  selector: {cgroup: "/**/system.slice/docker-*.scope"}
  priority: -5
  setuid: {deny: [{to: 0}]}
---
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata: {name: p-unit}
spec:
  mode: enforce
  selector: {systemdUnit: web.service}
  setuid: {deny: [{to: 0}]}
---
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata: {name: p-container}
spec:
  mode: enforce
  selector: {container: $ID}
  setuid: {deny: [{to: 0}]}
---
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata: {name: p-pod}
spec:
  mode: enforce
  selector: {pod: $POD}
  setuid: {deny: [{to: 0}]}
---
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata: {name: p-qos}
spec:
  mode: enforce
  selector: {qos: besteffort}
  setuid: {deny: [{to: 0}]}
---
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata: {name: p-host}
spec:
  mode: audit
  observe: false
  selector: {host: true}
  setuid: {deny: [{to: 0}]}
POLICY

# make_tree ROOT: the cgroups of one run.
make_tree() {
	for d in system.slice/docker-abc.scope system.slice/web.service \
		$QOS/kubepods-besteffort-pod$POD_.slice/cri-containerd-$ID.scope \
		$QOS/kubepods-besteffort-pod$POD_.slice/other \
		$QOS/kubepods-besteffort-pod$OTHERPOD_.slice/x \
		kubepods.slice/unmatched plain; do
		cg_make "$1/$d" > /dev/null
	done
}

# check ROOT PATH EXPECT POLICY: seteuid(0) back from 1000 gives EXPECT
# (EPERM or ok) and the decision names POLICY ("-" for none).
check() {
	dir=$(cg_make "$1/$2")
	out=$("$CREDOP" --cgroup "$dir" seteuid:1000=ok "seteuid:0=$3") || fail "$1/$2: seteuid(0) should give $3: $out"
	pid=$(echo "$out" | sed -n 's/^credop: pid //p')
	echo "$pid $4 $1/$2" >> "$TEST_TMP/expect"
}

cg_setup sel
# Where the kubelet puts pods, host: true stops (this guest's root is ours).
KROOT="$(cg_root)/kubepods.slice"
mkdir -p "$KROOT/unmatched-pre" || fail "cannot create $KROOT"
make_tree pre
agent_start --policy "$TEST_TMP/policies.yaml" || fail "agent did not start"
mkdir -p "$KROOT/unmatched-post" || fail "cannot create $KROOT"
make_tree post
for when in pre post; do
	out=$("$CREDOP" --cgroup "$KROOT/unmatched-$when" seteuid:1000=ok seteuid:0=ok) ||
		fail "/kubepods.slice/unmatched-$when: seteuid(0) should be ok: $out"
	echo "$(echo "$out" | sed -n 's/^credop: pid //p') - /kubepods.slice/unmatched-$when" >> "$TEST_TMP/expect"
	rmdir "$KROOT/unmatched-$when"
done
rmdir "$KROOT"
for root in pre post; do
	check $root system.slice/docker-abc.scope EPERM p-glob
	check $root system.slice/web.service EPERM p-unit
	check $root $QOS/kubepods-besteffort-pod$POD_.slice/cri-containerd-$ID.scope EPERM p-container
	check $root $QOS/kubepods-besteffort-pod$POD_.slice/other EPERM p-pod
	check $root $QOS/kubepods-besteffort-pod$OTHERPOD_.slice/x EPERM p-qos
	# A kubepods.slice below some other cgroup is not where the kubelet puts
	# pods: not "inside a container" (issue 11: anchored, or a user could name one).
	check $root kubepods.slice/unmatched ok p-host
	check $root plain ok p-host
done
agent_stop
expect_valid_json
while read -r pid policy path; do
	got=$(jq -r "select(.credgate_decision.process.pid==$pid) | .credgate_decision.policy_name" "$EVENTS" | sort -u | tr '\n' ' ')
	want="$policy "
	[ "$policy" = - ] && want=""
	[ "$got" = "$want" ] || fail "$path: decided by '$got', expected '$want'"
	log "ok: $path -> $policy"
done < "$TEST_TMP/expect"
cleanup
