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

fail() {
	echo "[test] FAIL: $*"
	if [ -f "$AGENT_LOG" ]; then
		echo "[test] --- agent log ---"
		cat "$AGENT_LOG"
	fi
	if [ -f "$EVENTS" ]; then
		echo "[test] --- events ---"
		cat "$EVENTS"
	fi
	cleanup
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

# agent_start ARGS...: start credgated with events to $EVENTS; wait for "ready".
agent_start() {
	: > "$EVENTS"
	"$CREDGATED" --events "$EVENTS" --socket "$CONTROL_SOCKET" "$@" > "$AGENT_LOG" 2>&1 &
	AGENT_PID=$!
	log "agent starting: $*"
	i=0
	while ! grep -q "ready" "$AGENT_LOG" 2>/dev/null; do
		if ! kill -0 "$AGENT_PID" 2>/dev/null; then
			wait "$AGENT_PID" 2>/dev/null
			AGENT_STATUS=$?
			AGENT_PID=
			return 1
		fi
		i=$((i + 1))
		[ "$i" -le $((AGENT_READY_TIMEOUT * 10)) ] || fail "agent not ready after ${AGENT_READY_TIMEOUT}s"
		sleep 0.1
	done
	log "agent ready: $(grep -E "enforcement:|observation:" "$AGENT_LOG" | sed 's/^credgated: //' | tr '\n' ' ')"
	return 0
}

# agent_stop: SIGTERM, which drains the ring buffer and flushes events.
agent_stop() {
	[ -n "$AGENT_PID" ] || return 0
	kill -TERM "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID" 2>/dev/null
	AGENT_STATUS=$?
	AGENT_PID=
	log "agent stopped (status $AGENT_STATUS)"
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

# count_events JQ_FILTER: events matching a jq select() body.
count_events() {
	jq -c "select($1)" "$EVENTS" | wc -l | tr -d ' '
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
