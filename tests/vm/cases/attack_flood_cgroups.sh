#!/bin/sh
# Attack: hide a violation under a flood that keeps changing cgroups. The
# attacker is an unprivileged user (uid 1000, no capability) owning a
# delegated cgroup D (chowned to it, as systemd's Delegate= does for
# user@1000.service). 8 of its processes each loop a denied
# setresuid(-1, 1001, -1) (effective uid to its saved one: the kernel allows
# it, the policy governing D denies it), and each moves into a fresh child
# cgroup of D every 100 calls (mkdir, write cgroup.procs, rmdir the old
# one), so that no cgroup it floods from is ever seen twice. Meanwhile
# cgroup V, under an audit policy, makes one audited change per round, 100
# rounds, while the agent is stopped (the buffer fills). All 100 of V's
# decisions must be delivered; every one of the flood's denials is
# delivered or counted lost, and every lost one is counted under D (status
# names D's path, metrics too), none under the cgroups it moved through; no
# decision of V is lost.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop CREDGATECTL=/bin/credgatectl

cg_setup floodcg
D=$(cg_make user.slice/user-1000.slice/user@1000.service)
V=$(cg_make V)
# What systemd does for user@1000.service (Delegate=yes).
chown 1000:1000 "$D" "$D/cgroup.procs" "$D/cgroup.subtree_control" "$D/cgroup.threads" ||
	fail "cannot delegate $D"
cat > "$TEST_TMP/policy.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: users
spec:
  mode: enforce
  observe: false
  selector:
    cgroup: $(cg_rel user.slice)
  setuid:
    deny:
      - from: 1000
        to: 1001
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
D_ID=$(stat -c %i "$D")
V_ID=$(stat -c %i "$V")

# credflood enters D as root, then drops to uids (1000, 1000, 1001), gid
# 1000, no groups and no capability before any worker starts: from there
# on, making cgroups and moving into them is what the user may do in D.
# The agent is stopped while the flood and the rounds run: nothing drains
# the ring buffer, so it fills on any machine (an agent that falls behind,
# made certain), and what reaches the buffer is decided by the kernel's
# budget alone. Stopped before the flood starts, it then has no more than
# a buffer's worth of the flood to write (jq is slow under emulation).
kill -STOP "$AGENT_PID" || fail "cannot stop the agent"
/bin/credflood --cgroup "$D" --user 1000,1000,1001 --hop 100 --threads 8 --seconds 150 \
	> "$TEST_TMP/flood.out" 2>&1 &
FLOOD=$!
# A failing step stops the flood first: its workers would otherwise keep
# making cgroups while cleanup removes them.
flood_fail() {
	kill "$FLOOD" 2>/dev/null
	wait "$FLOOD" 2>/dev/null
	kill -CONT "$AGENT_PID"
	fail "$@"
}
# Started once a worker has moved into a cgroup of its own making.
waited=0
until ls -d "$D"/hop-* > /dev/null 2>&1; do
	kill -0 "$FLOOD" 2>/dev/null || flood_fail "the flood did not start: $(cat "$TEST_TMP/flood.out")"
	[ "$waited" -lt 600 ] || flood_fail "the flood made no cgroup in D within 60 s"
	sleep 0.1
	waited=$((waited + 1))
done
# One process in V, 100 rounds 20 ms apart, each one audited change
# (euid 1000 -> 0), as in attack_flood.
rounds=
round=0
while [ "$round" -lt 100 ]; do
	rounds="$rounds seteuid:1000=ok seteuid:0=ok sleep:20"
	round=$((round + 1))
done
# shellcheck disable=SC2086
"$CREDOP" --cgroup "$V" --quiet $rounds || flood_fail "the rounds in V failed"
log "100 rounds done"
# SIGTERM: each worker finishes its call, and credflood prints exact counts.
kill "$FLOOD" 2>/dev/null
wait "$FLOOD"
status=$?
kill -CONT "$AGENT_PID" || fail "cannot continue the agent"
log "$(cat "$TEST_TMP/flood.out")"
[ "$status" = 0 ] || fail "credflood failed (status $status): $(cat "$TEST_TMP/flood.out")"
ctl status -o json > "$TEST_TMP/status.json" || fail "status"
ctl metrics > "$TEST_TMP/metrics.txt" || fail "metrics"
agent_stop
expect_valid_json

denied=$(sed -n 's/^credflood: [0-9]* calls, \([0-9]*\) EPERM, [0-9]* cgroups entered$/\1/p' "$TEST_TMP/flood.out")
hops=$(sed -n 's/^credflood: [0-9]* calls, [0-9]* EPERM, \([0-9]*\) cgroups entered$/\1/p' "$TEST_TMP/flood.out")
if [ -z "$denied" ] || [ -z "$hops" ]; then
	fail "no counts from credflood: $(cat "$TEST_TMP/flood.out")"
fi
# The attack as meant: many cgroups, every call a denial.
[ "$hops" -ge 100 ] || fail "the flood moved through only $hops cgroups"
calls=$(sed -n 's/^credflood: \([0-9]*\) calls.*/\1/p' "$TEST_TMP/flood.out")
[ "$calls" = "$denied" ] || fail "not every flood call was denied: $calls calls, $denied EPERM"

# Each decision of V and of the flood, counting any folded into a
# "repeated" line; one pass over the events (jq is slow under emulation).
counts=$(jq -rn 'reduce (inputs | .credgate_decision | select(. != null)) as $d ([0, 0];
	($d.repeated.count // 1) as $n
	| if $d.policy_name == "victim" and $d.verdict == "audited-would-deny" and $d.hook == "task_fix_setuid"
		and $d.new_credentials.euid == 0 then .[0] += $n
	  elif $d.policy_name == "users" and $d.verdict == "denied" then .[1] += $n
	  else . end) | "\(.[0]) \(.[1])"' "$EVENTS") || fail "cannot count the events"
v_delivered=${counts% *}
flood_delivered=${counts#* }
[ "$v_delivered" = 100 ] || fail "V's audited changes: 100 made, $v_delivered delivered"
log "ok: every audited change of V delivered (100)"

# Losses, by cgroup: the flood's under D alone.
jq -c '.events.lost_by_cgroup' "$TEST_TMP/status.json"
d_lost=$(jq "[.events.lost_by_cgroup[] | select(.cgroup_id == $D_ID) | .decisions] | add // 0" "$TEST_TMP/status.json")
other_decisions=$(jq "[.events.lost_by_cgroup[] | select(.cgroup_id != $D_ID) | .decisions] | add // 0" "$TEST_TMP/status.json")
v_lost=$(jq "[.events.lost_by_cgroup[] | select(.cgroup_id == $V_ID) | .decisions] | add // 0" "$TEST_TMP/status.json")
log "flood: $denied denied in $hops cgroups, $flood_delivered delivered, $d_lost lost under D; other cgroups' lost decisions: $other_decisions; V lost $v_lost"
[ "$d_lost" -gt 0 ] 2>/dev/null || fail "the flood overflowed nothing, or its losses are not counted under D: $(jq -c .events "$TEST_TMP/status.json")"
[ "$flood_delivered" -gt 0 ] 2>/dev/null || fail "the flood delivered no decision at all: $flood_delivered"
[ "$other_decisions" = 0 ] || fail "decisions lost under cgroups other than D (the flood's own cgroups): $other_decisions"
# V's observations (its exec, fork, exit) may be lost while the buffer is
# full: the reserve is for decisions only.
[ "$v_lost" = 0 ] || fail "V lost decisions: $v_lost"
# Every denial is delivered or counted lost: none vanishes.
[ $((flood_delivered + d_lost)) = "$denied" ] ||
	fail "the flood's denials: $denied made, $flood_delivered delivered + $d_lost lost under D"
jq -e ".events.lost_by_cgroup[] | select(.cgroup_id == $D_ID) | .cgroup == \"$(cg_rel user.slice/user-1000.slice/user@1000.service)\"" \
	"$TEST_TMP/status.json" > /dev/null ||
	fail "status does not name D's cgroup: $(jq -c .events.lost_by_cgroup "$TEST_TMP/status.json")"
grep -q "^credgate_cgroup_events_lost_total{cgroup_id=\"$D_ID\",cgroup=\"$(cg_rel user.slice/user-1000.slice/user@1000.service)\",kind=\"decision\"" \
	"$TEST_TMP/metrics.txt" || fail "metrics do not count D's losses: $(grep cgroup_events_lost "$TEST_TMP/metrics.txt")"
cleanup
