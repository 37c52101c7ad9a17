#!/bin/sh
# credgate-vm: --smp=1
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
# One CPU: with two, qemu's multi-threaded TCG sometimes keeps running a
# stale copy of kernel code the attach or detach just patched (the hammer's
# CPU loops on an int3 that is no longer there), a fault of the emulator
# that real CPUs do not have (tests/vm/README.md).
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
		echo "$rounds" > "$TEST_TMP/rounds"
	done
	echo "rounds=$rounds"
) > "$TEST_TMP/hammer.out" &
hammer=$!

rounds_now() { cat "$TEST_TMP/rounds" 2>/dev/null || echo 0; }
n=0
while [ $n -lt 4 ]; do
	before=$(rounds_now)
	if [ $((n % 2)) = 0 ]; then
		kill -KILL "$AGENT_PID"
		wait "$AGENT_PID" 2>/dev/null
		AGENT_PID=
		how=killed
	else
		agent_stop
		how=stopped
	fi
	# The hammer goes on with no agent at all, then across the start.
	sleep 0.3
	agent_start --policy "$TEST_TMP/enforce.yaml" --pin-dir $PINS --output compact ||
		fail "agent did not start again after restart $n"
	grep -q "adopted" "$AGENT_LOG" || fail "restart $n did not adopt the pinned maps"
	[ "$(ls $PINS/links | wc -l)" = "$links" ] || fail "pinned links piled up: $(ls $PINS/links)"
	kill -0 "$hammer" 2>/dev/null || break
	log "restart $n ($how): the hammer made $(($(rounds_now) - before)) rounds of 100 refused changes meanwhile"
	n=$((n + 1))
done
kill -0 "$hammer" 2>/dev/null || fail "a credential change escaped the policy during a restart or the upgrade: $(cat "$TEST_TMP/hammer.out")"

before=$(rounds_now)
kill -KILL "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null
AGENT_PID=
for map in cg_config_map cg_policies cg_cgroups; do
	/bin/pin_foreign_map "$PINS/maps/$map" || fail "cannot pin a foreign map as $map"
done
agent_start --policy "$TEST_TMP/enforce.yaml" --pin-dir $PINS --output compact || fail "agent did not start after the upgrade"
grep -q "replaced (their layout differs): .*cg_config_map" "$AGENT_LOG" ||
	fail "the agent did not replace the foreign maps: $(grep -i "map" "$AGENT_LOG")"
[ "$(ls $PINS/links | wc -l)" = "$links" ] || fail "pinned links piled up: $(ls $PINS/links)"
log "upgrade with maps of another layout: the hammer made $(($(rounds_now) - before)) rounds meanwhile"

touch "$TEST_TMP/stop"
wait "$hammer" || fail "a credential change escaped the policy during a restart or the upgrade: $(cat "$TEST_TMP/hammer.out")"
rounds=$(sed -n 's/^rounds=//p' "$TEST_TMP/hammer.out")
[ "$rounds" -ge 4 ] || fail "the hammer made only $rounds rounds: it did not overlap the restarts"
"$CREDOP" --cgroup "$A" seteuid:1000=ok seteuid:0=EPERM > /dev/null || fail "not enforcing after the restarts"
log "ok: $((rounds * 100)) changes to euid 0 across 4 restarts and an upgrade, every one refused"
ctl unload > /dev/null || fail "unload failed"
wait "$AGENT_PID"
AGENT_PID=
[ ! -e $PINS ] || fail "pins left after unload: $(ls -R $PINS)"
cleanup
