# shellcheck shell=sh
# Shared helpers for credgate's host tests (bash, this machine's kernel) and
# VM cases (busybox sh, a Debian kernel under qemu). POSIX sh only.
#
# Every policy a test loads selects only cgroups the test created under a
# per-run parent, so nothing outside the test is ever governed. cleanup()
# removes them, and is safe to run twice.
#
# The caller sets CREDGATED and CREDOP (paths), and may set TEST_TMP.

: "${TEST_TMP:=$(mktemp -d /tmp/credgate-test.XXXXXX)}"
: "${AGENT_READY_TIMEOUT:=60}"
AGENT_PID=
CG_PARENT=
EVENTS="$TEST_TMP/events.json"
AGENT_LOG="$TEST_TMP/agent.log"
# Each test's agent has its own control socket: tests may run in parallel.
CONTROL_SOCKET="$TEST_TMP/credgated.sock"

# Messages carry seconds since boot, to see where slow (emulated) time goes.
log() { echo "[test $(cut -d" " -f1 /proc/uptime)] $*"; }

FAILING=

fail() {
	echo "[test] FAIL: $*"
	# fail -> cleanup -> agent_stop may meet a second problem (the agent
	# crashed too): agent_stop only reports it then, so this runs once and
	# cleanup always completes. The agent is stopped before its log is
	# printed: what it says on the way out (a sanitizer report) is in it.
	if [ -z "$FAILING" ]; then
		FAILING=1
		agent_stop
		if [ -f "$AGENT_LOG" ]; then
			echo "[test] --- agent log ---"
			cat "$AGENT_LOG"
		fi
		if [ -f "$EVENTS" ]; then
			echo "[test] --- events ---"
			cat "$EVENTS"
		fi
		cleanup
	fi
	exit 1
}

# The cgroup2 mount point, from /proc/self/mountinfo (never hard-coded).
cg_root() {
	awk '{ for (i = 1; i <= NF; i++) if ($i == "-") { if ($(i+1) == "cgroup2" && $4 == "/") { print $5; exit } } }' /proc/self/mountinfo
}

# cg_setup NAME: create the per-test parent cgroup /NAME-PID; prints nothing.
cg_setup() {
	CG_ROOT=$(cg_root)
	[ -n "$CG_ROOT" ] || fail "no cgroup2 mount found"
	CG_PARENT_REL="/credgate-test-$1-$$"
	CG_PARENT="$CG_ROOT$CG_PARENT_REL"
	mkdir "$CG_PARENT" || fail "cannot create $CG_PARENT"
}

# cg_make SUBPATH: create $CG_PARENT/SUBPATH; prints its absolute path.
cg_make() {
	mkdir -p "$CG_PARENT/$1" || fail "cannot create cgroup $1"
	echo "$CG_PARENT/$1"
}

# The path policies use: relative to the cgroup2 root.
cg_rel() { echo "$CG_PARENT_REL/$1"; }

# Remove the test's cgroups, deepest first; move stragglers to the parent's parent.
cg_remove_tree() {
	[ -n "$CG_PARENT" ] && [ -d "$CG_PARENT" ] || return 0
	find "$CG_PARENT" -depth -type d | while read -r d; do
		if [ -f "$d/cgroup.procs" ]; then
			while read -r p; do
				echo "$p" > "$CG_ROOT/cgroup.procs" 2>/dev/null || kill -9 "$p" 2>/dev/null
			done < "$d/cgroup.procs"
		fi
		rmdir "$d" 2>/dev/null || true
	done
}

cleanup() {
	agent_stop
	# A test that pins (PINS set) never leaves programs behind.
	if [ -n "${PINS:-}" ] && [ -e "$PINS" ]; then
		"$CREDGATECTL" --socket "$CONTROL_SOCKET" unload --pin-dir "$PINS" > /dev/null 2>&1
	fi
	cg_remove_tree
}

# agent_launch ARGS...: start credgated with events to $EVENTS and wait
# until it says "ready" (returns 0) or exits first (returns 1, AGENT_STATUS
# set). Tests call agent_start or agent_refuses, which say which they expect.
agent_launch() {
	: > "$EVENTS"
	# Emptied here, not only by the redirection below: that happens in the
	# child, and until it has, the loop below could read an earlier agent's
	# "ready" and return before this one attached anything.
	: > "$AGENT_LOG"
	"$CREDGATED" --events "$EVENTS" --socket "$CONTROL_SOCKET" "$@" > "$AGENT_LOG" 2>&1 &
	AGENT_PID=$!
	log "agent starting: $*"
	i=0
	while ! grep -q "ready" "$AGENT_LOG" 2>/dev/null; do
		if ! kill -0 "$AGENT_PID" 2>/dev/null; then
			AGENT_STATUS=0
			wait "$AGENT_PID" 2>/dev/null || AGENT_STATUS=$?
			AGENT_PID=
			return 1
		fi
		i=$((i + 1))
		[ "$i" -le $((AGENT_READY_TIMEOUT * 10)) ] || fail "agent not ready after ${AGENT_READY_TIMEOUT}s"
		sleep 0.1
	done
	return 0
}

# agent_sanitizer_report: true if the agent's log holds an ASan, LSan or
# UBSan report (the sanitizer build exits 1 like a refusal, so the status
# alone cannot tell them apart).
agent_sanitizer_report() {
	grep -qE '^==[0-9]+==ERROR: |^SUMMARY: [A-Za-z]+Sanitizer|: runtime error: ' "$AGENT_LOG" 2>/dev/null
}

# agent_start ARGS...: start credgated, wait for "ready". An agent that
# exits instead fails the test (a test that expects a refusal uses
# agent_refuses). Returns 0, so "agent_start ... || fail" stays correct.
agent_start() {
	agent_launch "$@" || fail "the agent exited with status $AGENT_STATUS before it was ready"
	log "agent ready: $(grep -E "enforcement:|observation:" "$AGENT_LOG" | sed 's/^credgated: //' | tr '\n' ' ')"
	return 0
}

# agent_refuses ARGS...: credgated must refuse to start: exit before "ready"
# with a failure status of its own (1-125: not killed by a signal, no
# sanitizer report). Sets AGENT_STATUS for the test to check further.
agent_refuses() {
	if agent_launch "$@"; then
		agent_stop
		fail "the agent started, but should have refused: $*"
	fi
	if [ "$AGENT_STATUS" -lt 1 ] || [ "$AGENT_STATUS" -gt 125 ] || agent_sanitizer_report; then
		fail "the agent did not refuse cleanly: exit status $AGENT_STATUS"
	fi
	log "agent refused to start (status $AGENT_STATUS)"
}

# agent_stop [--expect-status=N]: SIGTERM, which drains the ring buffer and
# flushes events, then wait. The agent must exit N (default 0) with no
# sanitizer report: a crash while draining, a signal or an unexpected status
# fails the test (a test that means the agent to exit non-zero says so with
# the option). During fail's cleanup it only reports.
agent_stop() {
	[ -n "$AGENT_PID" ] || return 0
	expected_status=0
	case "${1:-}" in
	--expect-status=*) expected_status=${1#--expect-status=} ;;
	"") ;;
	*) fail "agent_stop: unknown argument $1" ;;
	esac
	# Written to hold under "set -e" too (the benchmarks): a kill or wait
	# that fails must not end the shell before the status is looked at.
	kill -TERM "$AGENT_PID" 2>/dev/null || true
	AGENT_STATUS=0
	wait "$AGENT_PID" 2>/dev/null || AGENT_STATUS=$?
	AGENT_PID=
	log "agent stopped (status $AGENT_STATUS)"
	if [ "$AGENT_STATUS" != "$expected_status" ] || agent_sanitizer_report; then
		if [ -n "$FAILING" ]; then
			echo "[test] also: the agent exited with status $AGENT_STATUS (expected $expected_status)"
		else
			fail "the agent exited with status $AGENT_STATUS on SIGTERM (expected $expected_status), or its log has a sanitizer report"
		fi
	fi
	return 0
}

# wait_log PATTERN [SECONDS]: wait until the agent's log has a line
# matching the grep PATTERN (default at most 30 s), or fail naming it.
wait_log() {
	i=0
	until grep -q "$1" "$AGENT_LOG" 2> /dev/null; do
		i=$((i + 1))
		[ "$i" -le $((${2:-30} * 10)) ] || fail "no '$1' in the agent log after ${2:-30} s"
		sleep 0.1
	done
}

# docker_state ROOT ID NAME [APP]: container ID's config.v2.json as dockerd
# writes it, below the runtime root ROOT (the agent's
# CREDGATE_TEST_RUNTIME_ROOT): named NAME, image credgate/test:1, label
# app=APP (default web).
docker_state() {
	mkdir -p "$1/var/lib/docker/containers/$2" || fail "cannot create the state of container $2"
	cat > "$1/var/lib/docker/containers/$2/config.v2.json" << JSON
{"ID":"$2","Name":"/$3","Image":"sha256:f00df00df00df00df00df00df00df00df00df00df00df00df00df00df00df00d",
 "Config":{"Image":"credgate/test:1","Labels":{"app":"${4:-web}"}},
 "State":{"Running":true,"StartedAt":"2026-12-06T11:00:00Z"}}
JSON
}

# write_policy FILE NAME MODE CGROUP_REL [EXTRA_SPEC_YAML]
write_policy() {
	cat > "$1" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: $2
spec:
  mode: $3
  selector:
    cgroup: $4
  setuid:
    deny:
      - to: 0
  setgid:
    deny:
      - to: 0
  capset:
    denyGain: [CAP_NET_RAW, CAP_SYS_ADMIN]
${5:-}
POLICY
}

# count_events JQ_FILTER: how many events match a jq select() body. A
# missing events file, a line that is not JSON (half-written), a filter jq
# rejects or that fails on an event is an error, never a count: it prints
# "error" (not a number: every comparison with it fails) with the reason on
# stderr, and returns 2. (Callers run it in $(...): fail() would only end
# that subshell.)
count_events() {
	if [ ! -f "$EVENTS" ]; then
		echo "count_events: no events file $EVENTS" >&2
		echo error
		return 2
	fi
	if ! count_events_out=$(jq -n "reduce (inputs | select($1)) as \$e (0; . + 1)" "$EVENTS" 2>&1); then
		echo "count_events [$1]: jq: $count_events_out" >&2
		echo error
		return 2
	fi
	echo "$count_events_out"
}

# expect_count N JQ_FILTER WHAT
expect_count() {
	got=$(count_events "$2")
	[ "$got" = "$1" ] || fail "$3: expected $1 events matching [$2], got $got"
	log "ok: $3 ($got)"
}

# Every line of the events file must be valid JSON and, where python3 is
# there (the host, not the VM), match its kind's schema in docs/schemas.
expect_valid_json() {
	jq -e . "$EVENTS" > /dev/null || fail "events file is not valid JSON Lines"
	# Debian's python3 (with python3-jsonschema), not another one on PATH.
	if [ -n "${CREDGATE_LIB:-}" ] && [ -x /usr/bin/python3 ]; then
		/usr/bin/python3 "$(dirname "$CREDGATE_LIB")/../tools/validate_events.py" "$EVENTS" > "$TEST_TMP/validate.out" 2>&1 ||
			fail "events do not match docs/schemas: $(cat "$TEST_TMP/validate.out")"
	fi
}

# ctl ARGS...: credgatectl talking to this test's agent.
ctl() { "$CREDGATECTL" --socket "$CONTROL_SOCKET" "$@"; }
