#!/bin/sh
# credgate-vm: --smp=1 --timeout=600
# No gap across agent restarts. With programs, links and maps pinned, a
# governed cgroup hammers seteuid(0), which an enforce policy refuses, while
# the agent is killed (SIGKILL) or stopped (SIGTERM) and started again, four
# times. A new agent loads and attaches its own programs before it unpins
# the old links, the policy staying in the shared pinned maps, so every one
# of those calls must be refused: one that succeeds was made at an instant
# when nothing checked it. The pinned links must not pile up either.
# Last, an upgrade to a build whose maps differ: the pinned policy maps are
# swapped for maps of another layout (tests/progs/pin_foreign_map.c), so the
# next agent cannot adopt them and starts with empty ones. The old programs
# must keep deciding, with their own maps, until its policy is in force.
# Each window is held open, not left to the scheduler: the hammer must
# finish two whole runs (so one run of 100 refused calls lies entirely
# inside) while no agent runs at all, and again while the new agent waits,
# paused by CREDGATE_TEST_HANDOVER_PAUSE (agent/kernel/bpf_pins.h), just before
# its policy goes into the maps. An agent that dropped the old links before
# that instant would leave them unchecked for that whole run, every time.
# One CPU: with two, qemu's multi-threaded TCG sometimes keeps running a
# stale copy of kernel code the attach or detach just patched (the hammer's
# CPU loops on an int3 that is no longer there), a fault of the emulator
# that real CPUs do not have (tests/vm/README.md). Six agent starts, each
# slowed by the hammer and by a busy host, need a longer watchdog.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDGATECTL=/bin/credgatectl CREDOP=/bin/credop
PINS=/sys/fs/bpf/credgate-test

cg_setup nogap
A=$(cg_make A)
write_policy "$TEST_TMP/enforce.yaml" nogap-enforce enforce "$(cg_rel A)"
agent_start --policy "$TEST_TMP/enforce.yaml" --pin-dir $PINS --output compact || fail "agent did not start"
links=$(ls $PINS/links | wc -l)
[ "$links" -gt 0 ] || fail "nothing pinned in $PINS/links"

# One credop run: 100 round trips, each seteuid(0) expected to be refused.
ops=
i=0
while [ $i -lt 100 ]; do
	ops="$ops seteuid:1000=ok seteuid:0=EPERM"
	i=$((i + 1))
done
(
	rounds=0
	while [ ! -e "$TEST_TMP/stop" ]; do
		# shellcheck disable=SC2086 # one word per operation
		if ! "$CREDOP" --quiet --cgroup "$A" $ops > "$TEST_TMP/credop.out" 2>&1; then
			echo "escaped in round $rounds: $(cat "$TEST_TMP/credop.out")"
			exit 1
		fi
		rounds=$((rounds + 1))
		echo "$rounds" > "$TEST_TMP/rounds.new" # a rename: readers never see it half-written
		mv -f "$TEST_TMP/rounds.new" "$TEST_TMP/rounds"
	done
	echo "rounds=$rounds"
) > "$TEST_TMP/hammer.out" &
hammer=$!
# On the one vCPU the hammer yields to the agent, whose start (the verifier)
# it would otherwise slow down several times; it still runs whenever the
# agent waits or is gone, which is when it must.
renice -n 19 -p "$hammer" > /dev/null || fail "cannot renice the hammer"

rounds_now() { cat "$TEST_TMP/rounds" 2>/dev/null || echo 0; }

# wait_rounds N: wait until the hammer finished N more runs, setting MADE to
# the runs it made. Returns 1 if the hammer stopped (a change escaped) and 2
# if it made no progress for 60 s.
wait_rounds() {
	from=$(rounds_now)
	i=0
	MADE=0
	while [ "$MADE" -lt "$1" ]; do
		kill -0 "$hammer" 2>/dev/null || return 1
		i=$((i + 1))
		[ $i -le 1200 ] || return 2
		sleep 0.05
		MADE=$(($(rounds_now) - from))
	done
}
# rounds_or_fail N WHAT: wait_rounds, failing the test with WHAT if it fails.
rounds_or_fail() {
	wait_rounds "$1" && return 0
	[ $? = 1 ] && escaped "$2"
	fail "the hammer made no progress for 60 s during $2"
}
escaped() {
	fail "a credential change escaped the policy during $1: $(cat "$TEST_TMP/hammer.out")"
}

# The handshake with the paused agent runs beside agent_start, which waits
# for "ready": wait for the pause file, let the hammer finish two more runs,
# record that, release the agent. The record is written before the release,
# so once agent_start returned, no record means the agent did not pause.
PAUSE="$TEST_TMP/handover-pause"
hold_handover() {
	rm -f "$TEST_TMP/held"
	(
		i=0
		while [ ! -e "$PAUSE" ] && [ $i -lt 2400 ]; do
			i=$((i + 1))
			sleep 0.05
		done
		[ -e "$PAUSE" ] || exit 0 # held() reports it
		wait_rounds 2
		echo "$? $MADE" > "$TEST_TMP/held"
		rm -f "$PAUSE"
	) &
	holder=$!
}
# held WHAT: after agent_start, check that the hammer finished two runs
# (one wholly inside) while the new agent held its policy back; sets DURING.
held() {
	if [ ! -e "$TEST_TMP/held" ]; then
		kill "$holder" 2>/dev/null
		wait "$holder" 2>/dev/null
		fail "$1: the agent never paused before putting its policy in force ($PAUSE)"
	fi
	wait "$holder"
	read -r status DURING < "$TEST_TMP/held"
	case $status in
	0) ;;
	1) escaped "$1, while the new agent held its policy back" ;;
	*) fail "$1: the hammer made no progress for 60 s while the new agent held its policy back" ;;
	esac
	grep -q "test pause .* over" "$AGENT_LOG" || fail "$1: the agent did not say it paused"
}

export CREDGATE_TEST_HANDOVER_PAUSE="$PAUSE"
n=0
while [ $n -lt 4 ]; do
	if [ $((n % 2)) = 0 ]; then
		kill -KILL "$AGENT_PID"
		wait "$AGENT_PID" 2>/dev/null
		AGENT_PID=
		how=killed
	else
		agent_stop
		how=stopped
	fi
	# With no agent at all, the pinned programs alone decide.
	rounds_or_fail 2 "restart $n ($how), with no agent running"
	alone=$MADE
	hold_handover
	agent_start --policy "$TEST_TMP/enforce.yaml" --pin-dir $PINS --output compact ||
		fail "agent did not start again after restart $n"
	held "restart $n ($how)"
	kill -0 "$hammer" 2>/dev/null || escaped "restart $n ($how), after the new agent was ready"
	grep -q "adopted" "$AGENT_LOG" || fail "restart $n did not adopt the pinned maps"
	[ "$(ls $PINS/links | wc -l)" = "$links" ] || fail "pinned links piled up: $(ls $PINS/links)"
	log "restart $n ($how): $alone hammer runs with no agent, $DURING while the new agent held its policy back, 100 refused changes each"
	n=$((n + 1))
done

kill -KILL "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null
AGENT_PID=
for map in cg_config_map cg_policies cg_cgroups; do
	/bin/pin_foreign_map "$PINS/maps/$map" || fail "cannot pin a foreign map as $map"
done
hold_handover
agent_start --policy "$TEST_TMP/enforce.yaml" --pin-dir $PINS --output compact || fail "agent did not start after the upgrade"
held "the upgrade (the new agent's maps empty)"
kill -0 "$hammer" 2>/dev/null || escaped "the upgrade, after the new agent was ready"
grep -q "replaced (their layout differs): .*cg_config_map" "$AGENT_LOG" ||
	fail "the agent did not replace the foreign maps: $(grep -i "map" "$AGENT_LOG")"
[ "$(ls $PINS/links | wc -l)" = "$links" ] || fail "pinned links piled up: $(ls $PINS/links)"
log "upgrade with maps of another layout: $DURING hammer runs while the new agent held its policy back"
unset CREDGATE_TEST_HANDOVER_PAUSE

touch "$TEST_TMP/stop"
wait "$hammer" || escaped "the last phase"
rounds=$(sed -n 's/^rounds=//p' "$TEST_TMP/hammer.out")
"$CREDOP" --cgroup "$A" seteuid:1000=ok seteuid:0=EPERM > /dev/null || fail "not enforcing after the restarts"
log "ok: $((rounds * 100)) changes to euid 0 across 4 restarts and an upgrade, every one refused"
ctl unload > /dev/null || fail "unload failed"
wait "$AGENT_PID"
AGENT_PID=
[ ! -e $PINS ] || fail "pins left after unload: $(ls -R $PINS)"
cleanup
