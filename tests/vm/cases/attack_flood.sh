#!/bin/sh
# Attack: hide a violation under a flood. Root in cgroup F runs 16 threads
# that loop setgid(0), each call denied (enforce): a stream of decision
# events into the one ring buffer every cgroup shares. Meanwhile cgroup V,
# under an audit policy, makes one audited change per round, 100 rounds.
# All 100 of V's decisions must be delivered; F's losses must be counted
# against F (status and metrics), and none against V.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop CREDGATECTL=/bin/credgatectl

cg_setup flood
F=$(cg_make F)
V=$(cg_make V)
cat > "$TEST_TMP/policy.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: flooder
spec:
  mode: enforce
  observe: false
  selector:
    cgroup: $(cg_rel F)
  setgid:
    deny:
      - to: 0
---
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: victim
spec:
  mode: audit
  observe: false
  selector:
    cgroup: $(cg_rel V)
  setuid:
    deny:
      - to: 0
POLICY
# Identical denials of the flood fold into counted lines in user space
# (--deny-summary): the kernel still sends each one; the events file stays
# small enough for jq under emulation.
agent_start --policy "$TEST_TMP/policy.yaml" --deny-summary=20/20 || fail "agent did not start"
F_ID=$(stat -c %i "$F")
V_ID=$(stat -c %i "$V")

/bin/credflood --cgroup "$F" --threads 16 --seconds 200 > "$TEST_TMP/flood.out" 2>&1 &
FLOOD=$!
sleep 3
kill -0 "$FLOOD" 2>/dev/null || fail "the flood did not start: $(cat "$TEST_TMP/flood.out")"
# One process in V, 100 rounds 20 ms apart, each one audited change
# (euid 1000 -> 0): spawning 100 processes under emulation, beside 16
# spinning threads, would take minutes.
rounds=
round=0
while [ "$round" -lt 100 ]; do
	rounds="$rounds seteuid:1000=ok seteuid:0=ok sleep:20"
	round=$((round + 1))
done
# shellcheck disable=SC2086
"$CREDOP" --cgroup "$V" --quiet $rounds || fail "the rounds in V failed"
log "100 rounds done"
kill "$FLOOD" 2>/dev/null
wait "$FLOOD" 2>/dev/null
ctl status -o json > "$TEST_TMP/status.json" || fail "status"
ctl metrics > "$TEST_TMP/metrics.txt" || fail "metrics"
agent_stop
expect_valid_json

D='.credgate_decision'
# Each decision of V, counting any folded into a "repeated" line.
v_delivered=$(jq -n "[inputs | $D | select(.policy_name==\"victim\" and .verdict==\"audited-would-deny\"
	and .hook==\"task_fix_setuid\" and .new_credentials.euid==0) | (.repeated.count // 1)] | add // 0" "$EVENTS")
[ "$v_delivered" = 100 ] || fail "V's audited changes: 100 made, $v_delivered delivered"
log "ok: every audited change of V delivered (100)"
flood_events=$(count_events "$D.policy_name==\"flooder\" and $D.verdict==\"denied\"")
log "flood: $flood_events denied decisions delivered"
[ "$flood_events" -gt 0 ] 2>/dev/null || fail "the flood delivered no decision at all: $flood_events"
# F's losses are counted against F, by cgroup: the flood really overflowed.
f_lost=$(jq "[.events.lost_by_cgroup[] | select(.cgroup_id == $F_ID) | .decisions] | add // 0" "$TEST_TMP/status.json")
v_lost=$(jq "[.events.lost_by_cgroup[] | select(.cgroup_id == $V_ID) | .decisions + .observations] | add // 0" "$TEST_TMP/status.json")
log "lost: F $f_lost, V $v_lost"
[ "$f_lost" -gt 0 ] 2>/dev/null || fail "the flood's losses are not counted against F: $(jq -c .events "$TEST_TMP/status.json")"
[ "$v_lost" = 0 ] || fail "V lost events: $v_lost"
jq -e ".events.lost_by_cgroup[] | select(.cgroup_id == $F_ID) | .cgroup == \"$(cg_rel F)\"" "$TEST_TMP/status.json" > /dev/null ||
	fail "status does not name F's cgroup: $(jq -c .events.lost_by_cgroup "$TEST_TMP/status.json")"
grep -q "^credgate_cgroup_events_lost_total{cgroup_id=\"$F_ID\",cgroup=\"$(cg_rel F)\",kind=\"decision\"" "$TEST_TMP/metrics.txt" ||
	fail "metrics do not count F's losses: $(grep cgroup_events_lost "$TEST_TMP/metrics.txt")"
cleanup
