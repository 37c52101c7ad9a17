#!/bin/sh
# What binding containers by identity (containerName, image, labels) adds to
# a container's start, measured side by side in one run on this machine,
# with credgated running an audit policy that selects containers by name:
#
#   hook     credgate-oci-hook run as a runtime runs it (OCI state on stdin)
#            for a container whose cgroup and runtime state the script made:
#            exec, connect, bind-container, the agent's answer. A runtime
#            waits for it, so its time is what the hook adds to a start.
#   floor    /bin/true run the same way: what any hook costs the runtime
#            (fork, exec, wait), which a start without the hook does not pay.
#
#   window   runtimes started without the hook or the wrapper: the kernel
#            tells the agent of each new container cgroup, and the agent
#            binds it a moment later. N cgroups are made one after the
#            other (each with its runtime's state written first); the
#            agent's own measure of each delay (from the cgroup's creation
#            to the bind, CLOCK_BOOTTIME) is summed and maximised in its
#            metrics. During that window a container is governed by path
#            selectors only (docs/containers.md).
#
# The report: median of hook and floor over --starts runs, alternating,
# and what the hook adds (median(hook) - median(floor)); then the window's
# mean and maximum over --window-starts cgroups. Target (issue 13): at most
# 10 ms added by the hook.
#
#   bench/container_start.sh [--starts N] [--window-starts N]   (root;
#   CREDGATED, CREDGATECTL, CREDGATE_OCI_HOOK and CREDGATE_LIB name the
#   binaries and tests/lib/common.sh; defaults: build/)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${CREDGATED:=$here/../build/agent/credgated}"
: "${CREDGATECTL:=$here/../build/agent/credgatectl}"
: "${CREDGATE_OCI_HOOK:=$here/../build/agent/oci/credgate-oci-hook}"
: "${CREDGATE_LIB:=$here/../tests/lib/common.sh}"
starts=100
window_starts=1000
while [ $# -gt 0 ]; do
	case $1 in
	--starts) starts=$2; shift 2 ;;
	--window-starts) window_starts=$2; shift 2 ;;
	*) echo "usage: $0 [--starts N] [--window-starts N]" >&2; exit 2 ;;
	esac
done
. "$CREDGATE_LIB"
trap cleanup EXIT INT TERM
log() { :; }
EVENTS=/dev/null
RT="$TEST_TMP/runtime"
ID=b000000000000000000000000000000000000000000000000000000000000000

state() { docker_state "$RT" "$@"; }

cg_setup bench-containers
mkdir -p "$TEST_TMP/policies"
cat > "$TEST_TMP/policies/bench.yaml" << POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: bench-web
spec:
  mode: audit
  observe: false
  selector:
    containerName: "web*"
  setuid:
    deny:
      - to: 0
POLICY
cat > "$TEST_TMP/settings.yaml" << SETTINGS
apiVersion: credgate.io/v1
kind: AgentConfig
containerCgroups:
  - $(cg_rel "docker-*.scope")
SETTINGS
state "$ID" web-bench
C=$(cg_make "docker-$ID.scope")
sh -c 'echo $$ > "$1/cgroup.procs" && exec sleep 3600' sh "$C" &
SLEEPER=$!
CREDGATE_TEST_RUNTIME_ROOT="$RT"
export CREDGATE_TEST_RUNTIME_ROOT
agent_start --policy "$TEST_TMP/policies" --config "$TEST_TMP/settings.yaml"
STATE=$(printf '{"ociVersion":"1.0.2","id":"%s","status":"created","pid":%d,"bundle":"/run/bench/%s"}' \
	"$ID" "$SLEEPER" "$ID")
# The hook must bind for real, or the run measures a refusal.
out=$(printf '%s' "$STATE" | "$CREDGATE_OCI_HOOK" --socket "$CONTROL_SOCKET" 2>&1) ||
	fail "credgate-oci-hook refused: $out"

# one_run CMD...: wall time of CMD with the state on stdin, in nanoseconds
one_run() {
	t0=$(date +%s%N)
	printf '%s' "$STATE" | "$@" > /dev/null 2>&1 || fail "$* failed"
	t1=$(date +%s%N)
	echo $((t1 - t0))
}
: > "$TEST_TMP/hook.ns"
: > "$TEST_TMP/floor.ns"
i=0
while [ "$i" -lt "$starts" ]; do
	one_run "$CREDGATE_OCI_HOOK" --socket "$CONTROL_SOCKET" >> "$TEST_TMP/hook.ns"
	one_run /bin/true >> "$TEST_TMP/floor.ns"
	i=$((i + 1))
done
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
hook_ns=$(median "$TEST_TMP/hook.ns")
floor_ns=$(median "$TEST_TMP/floor.ns")

# The window: cgroups made one after the other, each bound on the kernel's word.
metric() { "$CREDGATECTL" --socket "$CONTROL_SOCKET" metrics | awk -v m="$1" '$1 == m { print $2 }'; }
i=0
while [ "$i" -lt "$window_starts" ]; do
	id=$(printf 'c%063x' "$i")
	state "$id" "web-$i"
	mkdir "$CG_PARENT/docker-$id.scope"
	i=$((i + 1))
done
n=0
tries=0
until [ "$n" -ge "$window_starts" ]; do
	n=$(metric 'credgate_container_binds_total{result="after_start"}')
	tries=$((tries + 1))
	[ "$tries" -le 600 ] || fail "only $n of $window_starts new containers were bound"
	sleep 0.1
done
sum_us=$(metric credgate_container_bind_delay_microseconds_total)
max_us=$(metric credgate_container_bind_delay_microseconds_max)
kill "$SLEEPER" 2> /dev/null || true
agent_stop

printf 'credgate container start benchmark: %s, %d starts (hook vs floor, alternating), %d without a hook\n' \
	"$(uname -r)" "$starts" "$window_starts"
printf '  %-32s %10.3f ms (median)\n' "credgate-oci-hook, bind included" "$(echo "$hook_ns / 1000000" | bc -l)"
printf '  %-32s %10.3f ms (median)\n' "floor: /bin/true as a hook" "$(echo "$floor_ns / 1000000" | bc -l)"
printf '  %-32s %10.3f ms (target: at most 10 ms)\n' "added by the hook" "$(echo "($hook_ns - $floor_ns) / 1000000" | bc -l)"
printf '  %-32s %10.3f ms mean, %.3f ms max (no hook: governed by path selectors until then)\n' \
	"window, cgroup made -> bound" "$(echo "$sum_us / $window_starts / 1000" | bc -l)" "$(echo "$max_us / 1000" | bc -l)"
