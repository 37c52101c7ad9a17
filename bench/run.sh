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
: "${CREDGATED:=$here/../build/agent/credgated}"
: "${SETEUID_FLIP:=$here/../build/bench/seteuid_flip}"
: "${CREDGATE_LIB:=$here/../tests/lib/common.sh}"
rounds=5
changes=200000
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=$2; shift 2 ;;
	--changes) changes=$2; shift 2 ;;
	*) echo "usage: $0 [--rounds N] [--changes N]" >&2; exit 2 ;;
	esac
done
. "$CREDGATE_LIB"
trap cleanup EXIT INT TERM

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
  selector:
    cgroup: $(cg_rel audited)
  setuid:
    deny:
      - to: 0
POLICY

flip() { "$SETEUID_FLIP" --cgroup "$1" --changes "$changes" | sed -n 's/.*ns_per_change=//p'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: > "$TEST_TMP/none"
: > "$TEST_TMP/unpoliced"
: > "$TEST_TMP/audited"
expected_events=0
r=1
while [ "$r" -le "$rounds" ]; do
	flip "$FREE" >> "$TEST_TMP/none"
	agent_start --policy "$TEST_TMP/policy.yaml" --lsm-unavailable=observe > /dev/null ||
		fail "agent did not start"
	flip "$FREE" >> "$TEST_TMP/unpoliced"
	flip "$AUDITED" >> "$TEST_TMP/audited"
	agent_stop > /dev/null
	# One observation per change, and one audited decision per change back to 0.
	expected=$((changes + changes / 2))
	line=$(grep "stopped:" "$AGENT_LOG")
	written=$(echo "$line" | sed -n 's/.*stopped: \([0-9]*\) events written.*/\1/p')
	lost=$(echo "$line" | sed -n 's/.*written, \([0-9]*\) lost (kernel.*, \([0-9]*\) lost (in-flight.*/\1 \2/p')
	[ "$written" = "$expected" ] && [ "$lost" = "0 0" ] ||
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
awk -v n="$none" -v u="$unpoliced" -v a="$audited" -v ev="$expected_events" 'BEGIN {
	printf "  none       %8.1f ns/change\n", n
	printf "  unpoliced  %8.1f ns/change  ratio %.3f  (target <= 1.05)\n", u, u / n
	printf "  audited    %8.1f ns/change  ratio %.3f  (target <= 1.30), %d events delivered, 0 lost\n", a, a / n, ev
}'
cleanup
