#!/bin/sh
# A million credential changes in one cgroup: every one is either delivered
# as an event or counted in a credgate_lost event (kernel buffer full,
# in-flight table full, or over the cgroup's rate limit when one is set).
# Delivered plus reported lost equals the number of calls, exactly.
#
# FLOOD_AGENT_ARGS adds agent options (a rate limit, once credgated has the
# option); FLOOD_RINGBUF sets --ringbuf-size. The default, 512 MiB, holds the
# whole flood, so the agent loses nothing even on a loaded machine. With a
# small buffer (FLOOD_RINGBUF=4194304) events are lost and reported; that is
# exact only once exec/fork/exit records lost in the kernel are counted apart
# from events (credgate_lost.process_records), since other processes on the
# host may lose theirs during the flood.
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
out=$("$SETEUID_FLIP" --cgroup "$F" --changes "$CHANGES") || fail "seteuid_flip: $out"
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
cleanup
