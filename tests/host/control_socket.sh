#!/bin/sh
# credgatectl against a running agent: status (JSON and text), metrics,
# reload (refused with the problems and a non-zero exit, then accepted), and
# getevents with three clients, one stalled: the two that read get every
# event, the stalled one never slows the agent and is counted as missing;
# once it reads again it gets whole lines and is told exactly how many it
# missed.
. "$(dirname "$0")/preamble.inc"

cg_setup control
A=$(cg_make A)
mkdir "$TEST_TMP/policies"
write_policy "$TEST_TMP/policies/p.yaml" ctl-audit audit "$(cg_rel A)"
sed -i 's/^spec:/spec:\n  observe: false/' "$TEST_TMP/policies/p.yaml"
agent_start --policy "$TEST_TMP/policies" || fail "agent did not start"

ctl status -o json > "$TEST_TMP/status.json" || fail "status failed"
jq -e '.enforcement == "unavailable" and .policy.policies[0].name == "ctl-audit" and .policy.generation == 1
	and .policy.policies[0].mode == "audit" and .cgroups.governed == 1 and .hooks.task_fix_setuid == "syscall-exit"
	and .kernel.bpf_lsm.available == false and .observation == "tracepoints"
	and (.versions | .credgate != "" and (.libbpf | test("^[0-9]+[.][0-9]+$")) and .kernel != "")
	and (.uptime_seconds | type) == "number" and (.events.lost_kernel_buffer | type) == "number"' \
	"$TEST_TMP/status.json" > /dev/null || fail "unexpected status: $(cat "$TEST_TMP/status.json")"
ctl status > "$TEST_TMP/status.txt" || fail "text status failed"
grep -q "^enforcement: unavailable" "$TEST_TMP/status.txt" || fail "text status: $(cat "$TEST_TMP/status.txt")"
grep -q "^policy: 1 policies governing 1 cgroup from " "$TEST_TMP/status.txt" || fail "text status: governed cgroups"
grep -q "^  ctl-audit: audit, .*p.yaml:1" "$TEST_TMP/status.txt" || fail "text status: the policy and its mode"
ctl metrics | grep -q '^credgate_decisions_total{verdict="denied"} 0$' || fail "metrics"
log "ok: status and metrics"

printf 'apiVersion: credgate.io/v1\nkind: CredentialPolicy\nmetadata:\n  name: x\nspec:\n  mode: audit\n  selector:\n    cgroup: /\n  setuid:\n    deny:\n      - to: root-ish\n' \
	> "$TEST_TMP/policies/q.yaml"
if ctl reload 2> "$TEST_TMP/reload.err"; then
	fail "reload of a broken policy succeeded"
fi
grep -q "q.yaml:11:13: error:" "$TEST_TMP/reload.err" || fail "reload error lacks file:line:col: $(cat "$TEST_TMP/reload.err")"
rm "$TEST_TMP/policies/q.yaml"
ctl reload > "$TEST_TMP/reload.out" || fail "reload of a good policy failed: $(cat "$TEST_TMP/reload.out")"
grep -q "^OK generation 2" "$TEST_TMP/reload.out" || fail "reload answer: $(cat "$TEST_TMP/reload.out")"
log "ok: reload refused with its problems, then accepted"

# Two clients that read, one that does not until $TEST_TMP/go exists (its
# pipe fills up, then its socket, then its queue in the agent).
ctl getevents --kind decision > "$TEST_TMP/c1.json" &
c1=$!
ctl getevents -o compact --verdict audited-would-deny > "$TEST_TMP/c2.txt" &
c2=$!
ctl getevents --kind decision | { while [ ! -e "$TEST_TMP/go" ]; do sleep 0.1; done; cat; } > "$TEST_TMP/c3.json" &
c3=$!
i=0
until [ "$(ctl status -o json | jq .events.clients)" = 3 ]; do
	i=$((i + 1)); [ "$i" -le 100 ] || fail "clients did not connect"; sleep 0.1
done
# 20000 decisions in bursts of 2000 (tens of thousands per second): the
# reading clients must get every one while the third client reads nothing.
i=0
while [ $i -lt 10 ]; do
	"$SETEUID_FLIP" --cgroup "$A" --changes 4000 > /dev/null || fail "seteuid_flip"
	sleep 0.05
	i=$((i + 1))
done
sleep 1
missed=$(ctl status -o json | jq .events.client_missed)
[ "$missed" -gt 0 ] || fail "the stalled client should have missed events, status says $missed"
# The stalled client reads again: it is told what it missed, in its stream.
touch "$TEST_TMP/go"
i=0
until grep -q '^{"credgate_lost":{"client_missed":' "$TEST_TMP/c3.json"; do
	i=$((i + 1)); [ "$i" -le 100 ] || fail "the stalled client was not told what it missed"; sleep 0.1
done
agent_stop
wait "$c1" "$c2" "$c3"
jq -c . "$TEST_TMP/c3.json" > /dev/null || fail "the stalled client got a broken line"
got3=$(grep -c '"verdict":"audited-would-deny"' "$TEST_TMP/c3.json")
told3=$(jq -s '[.[] | select(.credgate_lost | keys? == ["client_missed"]) | .credgate_lost.client_missed] | add' "$TEST_TMP/c3.json")
[ "$((got3 + told3))" = 20000 ] || fail "the stalled client got $got3 and was told of $told3 missed, not 20000"
[ "$told3" = "$missed" ] || fail "the stalled client was told of $told3 missed, status counted $missed"
log "ok: the stalled client got $got3 whole lines and was told of the $told3 it missed"
got1=$(grep -c '"verdict":"audited-would-deny"' "$TEST_TMP/c1.json")
got2=$(grep -c 'audited-would-deny' "$TEST_TMP/c2.txt")
[ "$got1" = 20000 ] || fail "client 1 got $got1 of 20000 decisions"
[ "$got2" = 20000 ] || fail "client 2 got $got2 of 20000 decisions"
# Whole numbers: "0 lost" alone would also match "10 lost".
grep -qE "stopped: [0-9]+ events written, 0 lost \(kernel buffer full\), 0 lost \(in-flight table full\), 0 malformed, 0 write errors" "$AGENT_LOG" ||
	fail "the agent itself lost events: $(grep stopped: "$AGENT_LOG")"
[ "$(grep -c '"credgate_decision"' "$EVENTS")" = 20000 ] || fail "the agent's own output lacks decisions"
# The stalled client's misses are reported in the agent's output too.
[ "$(count_events '.credgate_lost.client_missed > 0')" -ge 1 ] || fail "the stalled client's misses were not reported"
log "ok: the stalled client's misses were reported"
log "ok: both reading clients got all 20000 events while the third was stalled"
cleanup
