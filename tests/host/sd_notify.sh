#!/bin/sh
# What credgated tells systemd, read from a notify socket the test owns:
# READY=1 only once programs are attached and the policy is in the maps (a
# change made the instant READY=1 arrives is decided), a one-line STATUS=
# with mode and counts, RELOADING=1 with MONOTONIC_USEC= then READY=1 around
# a reload (good or broken), WATCHDOG=1 pings while the loop runs, and
# STOPPING=1 at the end.
. "$(dirname "$0")/preamble.inc"

NOTIFY_LOG="$TEST_TMP/notify.log"
LISTENER=$(dirname "$CREDGATE_LIB")/../tools/notify_listener.py
STATUS_RE='STATUS=(enforcing|auditing) [0-9]+ polic(y|ies) on [0-9]+ cgroups?, (bpf-lsm|no bpf-lsm: reporting only|no bpf-lsm: sigkill at syscall exit); [0-9]+ events lost'

cg_setup notify
A=$(cg_make A)
mkdir "$TEST_TMP/policies"
write_policy "$TEST_TMP/policies/p.yaml" notify audit "$(cg_rel A)"

# The change the listener makes the moment READY=1 arrives: euid 1000 -> 0,
# which the policy audits ("to: 0").
/usr/bin/python3 "$LISTENER" "$TEST_TMP/notify.sock" "$NOTIFY_LOG" \
	--on-ready "$CREDOP --cgroup $A seteuid:1000=ok seteuid:0=ok > /dev/null" &
LISTENER_PID=$!
stop_listener() { kill "$LISTENER_PID" 2>/dev/null; wait "$LISTENER_PID" 2>/dev/null; }
trap 'stop_listener; cleanup' EXIT INT TERM
i=0
until grep -q LISTENING "$NOTIFY_LOG" 2>/dev/null; do
	i=$((i + 1)); [ "$i" -le 100 ] || fail "the notify listener did not start"; sleep 0.1
done

# notify_wait N PATTERN WHAT: until N messages match the extended regex.
notify_wait() {
	i=0
	until [ "$(grep -cE "$2" "$NOTIFY_LOG")" -ge "$1" ]; do
		i=$((i + 1))
		[ "$i" -le 150 ] || { cat "$NOTIFY_LOG"; fail "$3: expected $1 notify messages matching [$2]"; }
		sleep 0.1
	done
	log "ok: $3"
}

# This kernel has no BPF LSM: --lsm-unavailable=kill lets the reload below
# put an enforcing policy in force (on the test's cgroup only).
export NOTIFY_SOCKET="$TEST_TMP/notify.sock" WATCHDOG_USEC=1000000
agent_start --policy "$TEST_TMP/policies" --lsm-unavailable=kill || fail "agent did not start"
unset NOTIFY_SOCKET WATCHDOG_USEC

notify_wait 1 'ON-READY-EXIT=0' "the change made at READY=1 ran"
i=0
until [ "$(count_events '.credgate_decision.verdict=="audited-would-deny"')" -ge 1 ]; do
	i=$((i + 1)); [ "$i" -le 50 ] || fail "the change made the instant READY=1 arrived was not decided: READY=1 came too early"
	sleep 0.1
done
log "ok: a change made the instant READY=1 arrived was decided"
[ "$(grep -c 'READY=1' "$NOTIFY_LOG")" = 1 ] || fail "more than one READY=1 at start"
grep 'READY=1' "$NOTIFY_LOG" | grep -qE "$STATUS_RE" || {
	cat "$NOTIFY_LOG"; fail "READY=1 came without a STATUS= line of mode and counts"; }
grep 'READY=1' "$NOTIFY_LOG" | grep -q 'STATUS=auditing 1 policy on 1 cgroup, ' || {
	cat "$NOTIFY_LOG"; fail "STATUS= does not count 1 policy on 1 cgroup"; }

# WATCHDOG_USEC=1s: pings every half second from the loop.
notify_wait 4 'WATCHDOG=1' "watchdog pings"

# A good reload: RELOADING=1 with a monotonic timestamp, then READY=1.
write_policy "$TEST_TMP/policies/p.yaml" notify enforce "$(cg_rel A)"
kill -HUP "$AGENT_PID"
notify_wait 1 'RELOADING=1\|MONOTONIC_USEC=[0-9]+' "RELOADING=1 with MONOTONIC_USEC="
notify_wait 2 'READY=1' "READY=1 after the reload"
reloading_line=$(grep -n 'RELOADING=1' "$NOTIFY_LOG" | head -1 | cut -d: -f1)
ready_line=$(grep -n 'READY=1' "$NOTIFY_LOG" | sed -n 2p | cut -d: -f1)
[ "$reloading_line" -lt "$ready_line" ] || fail "READY=1 came before RELOADING=1"
usec=$(grep 'RELOADING=1' "$NOTIFY_LOG" | head -1 | sed 's/.*MONOTONIC_USEC=\([0-9]*\).*/\1/')
# MONOTONIC_USEC is CLOCK_MONOTONIC: it must be close to the listener's clock.
received=$(grep 'RELOADING=1' "$NOTIFY_LOG" | head -1 | cut -f1)
diff=$((received - usec))
[ "${diff#-}" -lt 2000000 ] || fail "MONOTONIC_USEC=$usec is not the monotonic clock (received at $received)"
grep 'READY=1' "$NOTIFY_LOG" | sed -n 2p | grep -qE 'STATUS=enforcing 1 policy on 1 cgroup' || {
	cat "$NOTIFY_LOG"; fail "STATUS= after the reload does not say enforcing"; }

# A broken reload: still bracketed, and STATUS= says it failed.
printf 'apiVersion: credgate.io/v1\nkind: CredentialPolicy\nmetadata:\n  name: broken\nspec:\n  mode: sometimes\n' \
	> "$TEST_TMP/policies/p.yaml"
kill -HUP "$AGENT_PID"
notify_wait 2 'RELOADING=1' "RELOADING=1 for the broken reload"
notify_wait 3 'READY=1' "READY=1 after the broken reload"
grep 'READY=1' "$NOTIFY_LOG" | sed -n 3p | grep -q 'reload failed' || {
	cat "$NOTIFY_LOG"; fail "STATUS= after a failed reload does not say so"; }

agent_stop
notify_wait 1 'STOPPING=1' "STOPPING=1 at stop"
stop_listener
cleanup
