#!/bin/sh
# A process in a cgroup with no policy is untouched and produces no event,
# while the same calls in the governed cgroup next to it are denied (so the
# policy is demonstrably live in this run).
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop

cg_setup unpoliced
A=$(cg_make A)
C=$(cg_make C)
write_policy "$TEST_TMP/policy.yaml" enforce-a enforce "$(cg_rel A)"
agent_start --policy "$TEST_TMP/policy.yaml" || fail "agent did not start"

out=$("$CREDOP" --cgroup "$C" seteuid:1000=ok seteuid:0=ok setgid:0=ok expect-euid:0) || fail "credop in C: $out"
free_pid=$(echo "$out" | sed -n 's/^credop: pid //p')
"$CREDOP" --cgroup "$A" seteuid:1000=ok seteuid:0=EPERM || fail "credop in A"
agent_stop
expect_valid_json
expect_count 0 ".credgate_decision.process.pid==$free_pid or .process_kprobe.process.pid==$free_pid" \
	"no event at all for the process in the ungoverned cgroup"
expect_count 1 '.credgate_decision.verdict=="denied"' "the governed cgroup's change is denied"
cleanup
