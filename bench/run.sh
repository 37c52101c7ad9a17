#!/bin/sh
# Credential-change overhead, measured side by side in one run:
#   none       no agent at all
#   unpoliced  agent running, no policy on the benchmark's cgroup
#   audited    agent running, an audit policy on the benchmark's cgroup;
#              every event is delivered to user space, formatted as JSON and
#              counted (the agent reports losses; the run fails on any)
# Rounds alternate the configurations so drift hits all of them alike; the
# medians and their ratios to "none" are printed. Works on this machine
# (syscall tracepoints) and in the VM (BPF LSM + kprobes): bench/run-vm.sh.
#
#   bench/run.sh [--rounds N] [--changes N]   (root; CREDGATED, SETEUID_FLIP
#   and CREDGATE_LIB name the binaries and tests/lib/common.sh)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ -n "${CREDGATE_VM:-}" ]; then
	# Inside the test VM: everything is in /bin and /tests.
	CREDGATED=/bin/credgated SETEUID_FLIP=/bin/seteuid_flip CREDGATE_LIB=/tests/lib/common.sh
fi
: "${CREDGATED:=$here/../build/agent/credgated}"
: "${SETEUID_FLIP:=$here/../build/bench/seteuid_flip}"
: "${CREDGATE_LIB:=$here/../tests/lib/common.sh}"
rounds=5
changes=200000
if [ -n "${CREDGATE_VM:-}" ]; then
	# Emulated CPUs are ~20x slower and much noisier: fewer changes keep a
	# run short (and each burst within what the emulated agent drains),
	# more rounds steady the medians.
	changes=10000
	rounds=11
fi
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=$2; shift 2 ;;
	--changes) changes=$2; shift 2 ;;
	*) echo "usage: $0 [--rounds N] [--changes N]" >&2; exit 2 ;;
	esac
done
. "$CREDGATE_LIB"
trap cleanup EXIT INT TERM
# The report is the output: no progress lines (fail still prints why).
log() { :; }
# Events are formatted in full and written to /dev/null: what is measured is
# the agent, not the disk.
EVENTS=/dev/null

cg_setup bench
FREE=$(cg_make free)
AUDITED=$(cg_make audited)
cat > "$TEST_TMP/policy.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: bench-audit
spec:
  mode: audit
  observe: false
  selector:
    cgroup: $(cg_rel audited)
  setuid:
    deny:
      - to: 0
POLICY

# flip CGROUP FILE: one sample, appended to FILE. A failed run or one without
# a number fails the benchmark: an empty sample would count as 0 in the
# median. (Not in a pipe or $(...): fail must end this shell.)
flip() {
	flip_out=$("$SETEUID_FLIP" --cgroup "$1" --changes "$changes" 2>&1) || fail "seteuid_flip failed: $flip_out"
	flip_ns=$(echo "$flip_out" | sed -n 's/.*ns_per_change=\([0-9][0-9]*\(\.[0-9]*\)\{0,1\}\).*/\1/p')
	[ -n "$flip_ns" ] || fail "seteuid_flip printed no ns_per_change: $flip_out"
	echo "$flip_ns" >> "$2"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
spread() { sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.0f-%.0f", lo, hi }'; }

: > "$TEST_TMP/none"
: > "$TEST_TMP/unpoliced"
: > "$TEST_TMP/audited"
expected_events=0
r=1
while [ "$r" -le "$rounds" ]; do
	flip "$FREE" "$TEST_TMP/none"
	agent_start --policy "$TEST_TMP/policy.yaml" --lsm-unavailable=observe || fail "agent did not start"
	flip "$FREE" "$TEST_TMP/unpoliced"
	flip "$AUDITED" "$TEST_TMP/audited"
	agent_stop
	# One audited decision per change back to 0 (the policy does not observe).
	expected=$((changes / 2))
	line=$(grep "stopped:" "$AGENT_LOG")
	written=$(echo "$line" | sed -n 's/.*stopped: \([0-9]*\) events written.*/\1/p')
	# Lost in the kernel buffer, the in-flight table, malformed, write errors.
	lost=$(echo "$line" | sed -n 's/.*written, \([0-9]*\) lost (kernel.*, \([0-9]*\) lost (in-flight.*, \([0-9]*\) malformed, \([0-9]*\) write errors.*/\1 \2 \3 \4/p')
	[ "$written" = "$expected" ] && [ "$lost" = "0 0 0 0" ] ||
		fail "round $r: expected $expected events and no loss, agent says: $line"
	expected_events=$((expected_events + expected))
	r=$((r + 1))
done

none=$(median < "$TEST_TMP/none")
unpoliced=$(median < "$TEST_TMP/unpoliced")
audited=$(median < "$TEST_TMP/audited")
kernel=$(uname -r)
path=$(grep -o "enforcement: [a-z-]*" "$AGENT_LOG" | head -1)
echo "credgate benchmark: $kernel, $path, $rounds rounds x $changes changes"
echo "  median ns per change (range over rounds), ratio to none:"
awk -v n="$none" -v u="$unpoliced" -v a="$audited" -v ev="$expected_events" \
	-v sn="$(spread < "$TEST_TMP/none")" -v su="$(spread < "$TEST_TMP/unpoliced")" \
	-v sa="$(spread < "$TEST_TMP/audited")" 'BEGIN {
	printf "  none       %8.1f (%s)\n", n, sn
	printf "  unpoliced  %8.1f (%s)  ratio %.3f  (target <= 1.05)\n", u, su, u / n
	printf "  audited    %8.1f (%s)  ratio %.3f  (target <= 1.30), %d events delivered, 0 lost\n", a, sa, a / n, ev
}'
cleanup
