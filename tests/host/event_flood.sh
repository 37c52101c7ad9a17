#!/bin/sh
# A million credential changes in one cgroup: every one is either delivered
# as an event or counted in a credgate_lost event (kernel buffer full,
# in-flight table full, or over the cgroup's rate limit when one is set).
# Delivered plus reported lost equals the number of calls, exactly. That sum
# alone would also hold if every event were dropped and counted, so each
# buffer size also says what it must deliver:
#
# - the default here, 512 MiB (FLOOD_RINGBUF unset), holds the whole flood:
#   nothing may be lost, every call is delivered;
# - a small buffer (FLOOD_RINGBUF=4194304, ctest host.event_flood_small)
#   must lose some (else the loss accounting went untested) and deliver
#   some. So that the buffer fills whatever the machine's speed (an idle
#   machine's agent keeps up even with 4 MiB), the agent is stopped
#   (SIGSTOP) while the flood runs and continued after it. exec/fork/exit
#   records that other processes lose meanwhile are counted apart
#   (credgate_lost.process_records), not in the sum.
#
# FLOOD_AGENT_ARGS adds agent options (a rate limit, once credgated has the
# option): then losses are expected, as with a small buffer.
. "$(dirname "$0")/preamble.inc"

CHANGES=${FLOOD_CHANGES:-1000000}
cg_setup flood
F=$(cg_make flood)
# Observation only: one process_kprobe per call, no decisions.
cat > "$TEST_TMP/flood.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: flood
spec:
  mode: audit
  observe: true
  selector:
    cgroup: $(cg_rel flood)
POLICY

# shellcheck disable=SC2086
agent_start --policy "$TEST_TMP/flood.yaml" --ringbuf-size "${FLOOD_RINGBUF:-536870912}" ${FLOOD_AGENT_ARGS:-} ||
	fail "agent did not start"
small=
[ -n "${FLOOD_RINGBUF:-}" ] && small=1
[ -z "$small" ] || kill -STOP "$AGENT_PID" || fail "cannot stop the agent"
out=$("$SETEUID_FLIP" --cgroup "$F" --changes "$CHANGES")
flip_status=$?
[ -z "$small" ] || kill -CONT "$AGENT_PID" || fail "cannot continue the agent"
[ "$flip_status" = 0 ] || fail "seteuid_flip: $out"
log "seteuid_flip: $out"
# The agent reports losses once a second; give it two, then stop (which drains).
sleep 2
agent_stop
# Up to a million lines of 1.5 kB: grep counts them, jq reads only the loss
# reports, and a failure prints those, not the whole file.
ALL_EVENTS="$TEST_TMP/flood-events.json"
mv "$EVENTS" "$ALL_EVENTS"
: > "$EVENTS"
grep -q "stopped:" "$AGENT_LOG" || fail "the agent did not stop cleanly"
delivered=$(grep -F '"function_name":"__x64_sys_setresuid"' "$ALL_EVENTS" | grep -c -F "\"path\":\"$(cg_rel flood)\"")
grep -F '{"credgate_lost":' "$ALL_EVENTS" > "$TEST_TMP/lost.json" || true
cp "$TEST_TMP/lost.json" "$EVENTS"
rm -f "$ALL_EVENTS"
lost=$(jq -s '[.[] | .credgate_lost | .ringbuf_full + .inflight_full + .rate_limited] | add // 0' "$TEST_TMP/lost.json")
process_records=$(jq -s '[.[] | .credgate_lost.process_records // 0] | add // 0' "$TEST_TMP/lost.json")
log "calls $CHANGES, delivered $delivered, reported lost $lost (process records lost: $process_records)"
[ $((delivered + lost)) -eq "$CHANGES" ] ||
	fail "delivered ($delivered) + reported lost ($lost) = $((delivered + lost)), not $CHANGES"
log "ok: delivered + reported lost == calls"
if [ -z "${FLOOD_RINGBUF:-}" ] && [ -z "${FLOOD_AGENT_ARGS:-}" ]; then
	[ "$lost" -eq 0 ] && [ "$delivered" -eq "$CHANGES" ] ||
		fail "the default buffer holds the whole flood, yet $lost of $CHANGES were lost"
	log "ok: nothing lost with the default buffer"
else
	[ "$lost" -gt 0 ] || fail "nothing was lost: this run does not test the loss accounting (make the buffer smaller)"
	[ "$delivered" -gt 0 ] || fail "nothing was delivered"
	log "ok: $lost lost and reported, $delivered delivered"
fi
cleanup
