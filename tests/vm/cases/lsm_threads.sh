#!/bin/sh
# A multi-threaded process: glibc applies seteuid to every thread, one
# system call each, and every one of those hook calls is governed.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop

cg_setup threads
A=$(cg_make A)
write_policy "$TEST_TMP/policy.yaml" enforce-a enforce "$(cg_rel A)"
agent_start --policy "$TEST_TMP/policy.yaml" || fail "agent did not start"

"$CREDOP" --cgroup "$A" --threads 4 seteuid:1000=ok seteuid:0=EPERM expect-euid:1000 || fail "credop"
agent_stop
expect_count 5 '.credgate_decision.verdict=="denied"' "five denied decisions (main thread + 4)"
tids=$(jq -s '[.[] | select(.credgate_decision.verdict=="denied") | .credgate_decision.process.tid] | unique | length' "$EVENTS")
[ "$tids" = 5 ] || fail "expected 5 distinct thread ids, got $tids"
pids=$(jq -s '[.[] | select(.credgate_decision.verdict=="denied") | .credgate_decision.process.pid] | unique | length' "$EVENTS")
[ "$pids" = 1 ] || fail "expected one process, got $pids"
log "ok: every thread's call was decided"
cleanup
