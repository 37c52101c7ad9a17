#!/bin/sh
# On this kernel (no BPF LSM, --lsm-unavailable=kill): the pinned syscall
# programs keep killing a governed caller after the agent got SIGKILL; the
# next agent adopts them; credgatectl unload detaches everything. Stopping
# (SIGTERM) keeps the pins and the enforcement unless --unload-on-stop.
. "$(dirname "$0")/preamble.inc"
PINS=/sys/fs/bpf/credgate-test-$$

cg_setup pins
K=$(cg_make enforced)
write_policy "$TEST_TMP/policy.yaml" pinned-kill enforce "$(cg_rel enforced)"
agent_start --policy "$TEST_TMP/policy.yaml" --lsm-unavailable=kill --pin-dir "$PINS" || fail "agent did not start"
kill -KILL "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null
AGENT_PID=
"$CREDOP" --cgroup "$K" seteuid:1000=ok seteuid:0 > /dev/null
[ $? = 137 ] || fail "with the agent dead, the pinned programs should still kill"
log "ok: still enforcing (SIGKILL) with no agent"

agent_start --policy "$TEST_TMP/policy.yaml" --lsm-unavailable=kill --pin-dir "$PINS" || fail "agent did not restart"
grep -q "adopted" "$AGENT_LOG" || fail "maps not adopted"
ctl unload > /dev/null || fail "unload failed"
wait "$AGENT_PID"
AGENT_PID=
[ ! -e "$PINS" ] || fail "pins left after unload"
"$CREDOP" --cgroup "$K" seteuid:1000=ok seteuid:0=ok > /dev/null || fail "still killing after unload"
expect_count 1 '.credgate_decision.verdict=="killed"' "the kill made while the agent was down was reported by the next one"

agent_start --policy "$TEST_TMP/policy.yaml" --lsm-unavailable=kill --pin-dir "$PINS" || fail "agent did not start"
agent_stop
[ -n "$(ls "$PINS/links")" ] || fail "a plain stop removed the pins"
"$CREDOP" --cgroup "$K" seteuid:1000=ok seteuid:0 > /dev/null
[ $? = 137 ] || fail "after a plain stop the pinned programs should still kill"
log "ok: a plain stop keeps the pins and the enforcement"
agent_start --policy "$TEST_TMP/policy.yaml" --lsm-unavailable=kill --pin-dir "$PINS" --unload-on-stop ||
	fail "agent did not start with --unload-on-stop"
agent_stop
[ "$AGENT_STATUS" = 0 ] || fail "the agent exited $AGENT_STATUS on stop"
[ ! -e "$PINS" ] || fail "--unload-on-stop left pins: $(ls -R "$PINS")"
"$CREDOP" --cgroup "$K" seteuid:1000=ok seteuid:0=ok > /dev/null || fail "still killing after --unload-on-stop"
log "ok: --unload-on-stop removes everything"
cleanup
