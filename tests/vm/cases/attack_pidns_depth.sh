#!/bin/sh
# Attack: look like the host. Pid namespaces nest up to 32 levels below the
# initial one, and any user can make them (with a user namespace; root
# here). A process 32 levels down is not in the host pid namespace, and
# must be neither reported as if it were, nor left out of a policy for
# processes outside it: Tetragon's reference policy observes it, and a
# TracingPolicy that kills setuid(0) outside the host pid namespace kills
# it, at every depth from 1 to 32.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop

cg_setup pidnsdepth
A=$(cg_make A)

# nested N CMD...: CMD in a pid namespace N levels below this one.
nested() {
	n=$1
	shift
	set -- "$n" "$@"
	shift
	prefix=
	i=0
	while [ "$i" -lt "$n" ]; do
		prefix="$prefix unshare -p -f"
		i=$((i + 1))
	done
	# shellcheck disable=SC2086 # one word per prefix item
	$prefix "$@"
}

agent_start --policy /tests/data/process.credentials.changes.at.syscalls.yaml || fail "agent did not start"
for depth in 1 31 32; do
	nested "$depth" "$CREDOP" --cgroup "$A" setresuid:1000,0,0=ok setuid:0=ok > "$TEST_TMP/d$depth.out" ||
		fail "credop $depth pid namespaces down: $(cat "$TEST_TMP/d$depth.out")"
done
# Proof that depth 32 was reached: a 33rd level is refused by the kernel.
nested 33 /bin/true 2> "$TEST_TMP/d33.err" && fail "a 33rd pid namespace level was allowed: the depth is not what it seems"
agent_stop
expect_valid_json
K='.process_kprobe'
expect_count 0 "$K.process.host_pid_namespace==true" "nothing reported as the host pid namespace"
expect_count 3 "$K.function_name==\"__x64_sys_setuid\" and $K.args==[{\"int_arg\":0}] and $K.process.host_pid_namespace==false" \
	"setuid(0) observed at depths 1, 31 and 32"

cat > "$TEST_TMP/kill.yaml" <<POLICY
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: kill-setuid-root-in-containers
spec:
  kprobes:
  - call: "sys_setuid"
    syscall: true
    args:
    - index: 0
      type: "int"
    selectors:
    - matchNamespaces:
      - namespace: Pid
        operator: NotIn
        values:
        - "host_ns"
      matchArgs:
      - index: 0
        operator: "Equal"
        values:
        - "0"
      matchActions:
      - action: Sigkill
POLICY
agent_start --policy "$TEST_TMP/kill.yaml" || fail "agent did not start with the Sigkill policy"
for depth in 1 32; do
	nested "$depth" "$CREDOP" --cgroup "$A" setresuid:1000,0,0=ok setuid:0 > "$TEST_TMP/k$depth.out"
	status=$?
	[ "$status" = 137 ] || fail "setuid(0) $depth pid namespaces down was not killed (status $status): $(cat "$TEST_TMP/k$depth.out")"
	log "ok: killed $depth pid namespaces down"
done
"$CREDOP" --cgroup "$A" setresuid:1000,0,0=ok setuid:0=ok > /dev/null || fail "the host pid namespace is outside the kill policy"
agent_stop
expect_count 2 '.credgate_decision.policy_name=="kill-setuid-root-in-containers" and .credgate_decision.enforcement=="sigkill"' \
	"two kills, at depths 1 and 32"
cleanup
