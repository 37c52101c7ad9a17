#!/bin/sh
# Pinned programs keep enforcing when the agent is killed (SIGKILL); the
# next agent adopts the pinned maps and links without a gap, delivers the
# events the ring buffer held while it was down, and puts its own policy in
# force; credgatectl unload removes everything, an enforcing policy included.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDGATECTL=/bin/credgatectl CREDOP=/bin/credop
PINS=/sys/fs/bpf/credgate-test

cg_setup pins
A=$(cg_make A)
write_policy "$TEST_TMP/enforce.yaml" pinned-enforce enforce "$(cg_rel A)"
write_policy "$TEST_TMP/next.yaml" pinned-audit audit "$(cg_rel A)"
agent_start --policy "$TEST_TMP/enforce.yaml" --pin-dir $PINS || fail "agent did not start"
"$CREDOP" --cgroup "$A" seteuid:1000=ok seteuid:0=EPERM > /dev/null || fail "not enforcing"
[ -n "$(ls $PINS/links)" ] && [ -e $PINS/maps/cg_policies ] || fail "nothing pinned in $PINS"

kill -KILL "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null
AGENT_PID=
log "agent killed"
out=$("$CREDOP" --cgroup "$A" seteuid:1000=ok seteuid:0=EPERM) || fail "enforcement stopped with the agent: $out"
down_pid=$(echo "$out" | sed -n 's/^credop: pid //p')
log "ok: still enforcing with no agent (pid $down_pid denied)"

# The next agent: adopts, delivers what happened while it was down, and
# switches to its own (audit) policy with no gap in between.
agent_start --policy "$TEST_TMP/next.yaml" --pin-dir $PINS || fail "agent did not restart"
grep -q "adopted" "$AGENT_LOG" || fail "the maps were not adopted"
"$CREDOP" --cgroup "$A" seteuid:1000=ok seteuid:0=ok > /dev/null || fail "the new (audit) policy is not in force"
# Enforcing again before the unload: an audit policy would let seteuid(0)
# through whether the unload removed the programs or not.
write_policy "$TEST_TMP/next.yaml" pinned-enforce-again enforce "$(cg_rel A)"
kill -HUP "$AGENT_PID"
wait_log "policy: 1 policies (1 enforcing)"
"$CREDOP" --cgroup "$A" seteuid:1000=ok seteuid:0=EPERM expect-euid:1000 > /dev/null ||
	fail "the reloaded enforcing policy is not in force"
log "ok: enforcing before the unload"
ctl unload > "$TEST_TMP/unload.out" || fail "unload: $(cat "$TEST_TMP/unload.out")"
wait "$AGENT_PID"
AGENT_PID=
[ ! -e $PINS ] || fail "pins left after unload: $(ls -R $PINS)"
"$CREDOP" --cgroup "$A" seteuid:1000=ok seteuid:0=ok expect-euid:0 > /dev/null || fail "still enforcing after unload"
expect_count 1 ".credgate_decision.process.pid==$down_pid and .credgate_decision.verdict==\"denied\"" \
	"the decision made while no agent ran was delivered by the next one"
expect_count 1 '.credgate_decision.policy_name=="pinned-audit" and .credgate_decision.verdict=="audited-would-deny"' \
	"the new policy decided after adoption"
cleanup
