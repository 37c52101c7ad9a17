#!/bin/sh
# credgate-oci-hook, the createRuntime hook that podman and CRI-O run
# (docs/oci-hook.md), against a fake agent (tests/tools/fake_bind_agent.py):
# - a valid OCI state sends exactly one bind-container request with the
#   state's id, pid and bundle, and "OK ..." lets the container start, quietly;
# - "ERROR" from a live agent refuses, whatever --on-agent-down says;
# - an agent that never answers (past --timeout), hangs up, or is absent:
#   --on-agent-down decides, and by default containers.mode does (enforce
#   refuses; audit, none and no file allow; a file that is not the agent's
#   or says something else refuses); an answer that is neither refuses;
# - hostile states (each one change from the valid one) are refused with a
#   message and send nothing: the request is one line per key, so a newline
#   in a value would be a forged key;
# - every refusal names the container and the reason on stderr;
# - a rootless runtime (a user, or root of a user namespace) is let through
#   without a request: the agent binds no delegated cgroup.
. "$(dirname "$0")/preamble.inc"
. "$(dirname "$0")/oci_fake.inc"
HOOK=${CREDGATE_OCI_HOOK:?CREDGATE_OCI_HOOK: the credgate-oci-hook binary}
[ -x "$HOOK" ] || fail "$HOOK is not executable"

ID=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
BUNDLE=/var/lib/containers/storage/overlay-containers/$ID/userdata

# state [JQ-FILTER]: the valid OCI state, changed by the filter.
state() {
	jq -cn --arg id "$ID" --arg b "$BUNDLE" "{ociVersion: \"1.0.2-dev\", id: \$id, status: \"created\", pid: 4242,
		bundle: \$b, annotations: {\"io.podman.annotations.autoremove\": \"FALSE\"}} | ${1:-.}"
}

# hook STDIN-TEXT ARGS...: run the hook (killed after 20 s: status 124); sets ST.
hook() {
	input=$1
	shift
	printf '%s' "$input" | timeout 20 "$HOOK" --socket "$SOCK" --containers-mode "$MODE_FILE" "$@" > "$OUT" 2> "$ERR"
	ST=$?
}

# --- a live agent that says OK ------------------------------------------------
fake_start ok
set_mode enforce
hook "$(state)"
expect_status 0 "$ST" "OK from the agent"
expect_err_empty "OK from the agent"
want=$(jq -cn --arg id "$ID" --arg b "$BUNDLE" '["command=bind-container", "container=\($id)", "pid=4242", "bundle=\($b)"]')
[ "$(cat "$TRANSCRIPT")" = "agent $want" ] || { cat "$TRANSCRIPT"; fail "the request is not exactly $want"; }
log "OK: the state's id, pid and bundle were sent, exit 0"

# The socket from the environment when --socket is not given (the hooks.d
# file may set it so).
: > "$TRANSCRIPT"
state | CREDGATE_SOCKET="$SOCK" "$HOOK" --containers-mode "$MODE_FILE" > "$OUT" 2> "$ERR"
expect_status 0 $? "CREDGATE_SOCKET"
[ "$(transcript_lines)" = 1 ] || fail "CREDGATE_SOCKET: the agent got $(transcript_lines) requests, expected 1"

# --- a live agent that says ERROR: always refused ------------------------------
fake_start error
for down in refuse-if-enforcing refuse allow; do
	for m in enforce audit absent; do
		set_mode "$m"
		hook "$(state)" --on-agent-down="$down"
		expect_status 1 "$ST" "ERROR, --on-agent-down=$down, mode $m"
		expect_err "container $ID: refused by credgated: container 42 is not in a cgroup of its own" \
			"ERROR, --on-agent-down=$down, mode $m"
	done
done
log "OK: ERROR refuses, with the agent's reason, whatever --on-agent-down and containers.mode say"

# --- an answer that is neither OK nor ERROR ----------------------------------
fake_start garbage
set_mode audit
hook "$(state)" --on-agent-down=allow
expect_status 1 "$ST" "garbage answer"
expect_err "container $ID: refused: credgated's answer is neither OK nor ERROR: HELLO there" "garbage answer"

# --- no answer: --on-agent-down and containers.mode decide ---------------------
# down_case AGENT DOWN MODE WANT-STATUS PATTERN
down_case() {
	case $1 in
	absent) fake_stop ;;
	*) fake_start "$1" ;;
	esac
	set_mode "$3"
	t0=$(date +%s%N)
	if [ "$2" = default ]; then hook "$(state)" --timeout=0.5; else hook "$(state)" --timeout=0.5 --on-agent-down="$2"; fi
	t1=$(date +%s%N)
	expect_status "$4" "$ST" "agent $1, --on-agent-down=$2, mode $3"
	expect_err "$5" "agent $1, --on-agent-down=$2, mode $3"
	expect_err "container $ID" "agent $1, --on-agent-down=$2, mode $3"
	# The deadline holds: 0.5 s, with room for a loaded machine.
	[ $(((t1 - t0) / 1000000)) -lt 4000 ] || fail "agent $1: the hook took $(((t1 - t0) / 1000000)) ms with --timeout=0.5"
}
for agent in silent close absent; do
	case $agent in
	silent) why="no answer in time" ;;
	close) why="closed the connection without an answer" ;;
	absent) why="$SOCK: No such file or directory" ;;
	esac
	down_case $agent default enforce 1 "refused: no answer from credgated \(.*$why.*\), and a policy that names containers enforces"
	down_case $agent refuse-if-enforcing enforce 1 "refused: .*$why"
	down_case $agent default audit 0 "starting ungoverned until credgated answers: .*$why.*only audit"
	down_case $agent default none 0 "starting ungoverned until credgated answers: .*do not exist"
	down_case $agent default absent 0 "starting ungoverned: .*has not said since boot"
	down_case $agent refuse none 1 "refused: no answer from credgated \(.*$why.*\); --on-agent-down=refuse"
	down_case $agent allow enforce 0 "starting ungoverned: no answer from credgated \(.*$why.*\); --on-agent-down=allow"
	log "OK: agent $agent: enforce refuses, audit/none/no file allow, refuse and allow override"
done
# A containers.mode the agent did not write decides nothing: refused.
down_case absent default surprise 1 "cannot tell .*not enforce, audit or none"
set_mode audit
chmod 0666 "$MODE_FILE"
hook "$(state)" --timeout=0.5
expect_status 1 "$ST" "world-writable containers.mode"
expect_err "not a regular file that only root writes" "world-writable containers.mode"
rm -f "$MODE_FILE"
mkdir "$MODE_FILE"
hook "$(state)" --timeout=0.5
expect_status 1 "$ST" "containers.mode is a directory"
rmdir "$MODE_FILE"
log "OK: a containers.mode that is not the agent's refuses"

# --- hostile states: refused, and nothing sent -------------------------------
fake_start ok
set_mode none
: > "$TRANSCRIPT"
# bad WHAT STDIN PATTERN
bad() {
	hook "$2"
	expect_status 1 "$ST" "state: $1"
	expect_err "^credgate-oci-hook: .*refused: .*$3" "state: $1"
	[ "$(transcript_lines)" = 0 ] || fail "state: $1: a request was sent: $(cat "$TRANSCRIPT")"
}
big_pad=$(head -c 1100000 /dev/zero | tr '\0' ' ')
deep=$(printf '%0.s[' $(seq 20))$(printf '%0.s]' $(seq 20))
bad "not JSON" "ociVersion=1" "the OCI state on stdin is not one JSON object"
bad "empty" "" "the OCI state on stdin is not one JSON object"
bad "an array" "[$(state)]" "not one JSON object"
bad "two objects" "$(state)$(state)" "not one JSON object"
bad "trailing garbage" "$(state) x" "not one JSON object"
bad "cut short" "$(state | head -c 40)" "not one JSON object"
bad "longer than 1 MiB" "$(state)$big_pad" "longer than 1 MiB"
bad "nested too deep" "$(state ".annotations.x = $deep")" "not one JSON object"
bad "no id" "$(state 'del(.id)')" 'no valid "id"'
bad "empty id" "$(state '.id = ""')" 'no valid "id"'
bad "id with /" "$(state '.id = "../../etc"')" 'no valid "id"'
bad "id with a newline" "$(state '.id = "abc\npid=1"')" 'no valid "id"'
bad "id with a NUL" "$(state '.id = "abc\u0000def"')" 'no valid "id"'
bad "id of 129" "$(state '.id = ("a" * 129)')" 'no valid "id"'
bad "id a number" "$(state '.id = 42')" 'no valid "id"'
bad "no ociVersion" "$(state 'del(.ociVersion)')" 'no valid "ociVersion"'
bad "pid 1" "$(state '.pid = 1')" '"pid" is not a process id above 1'
bad "pid 0" "$(state '.pid = 0')" '"pid" is not a process id above 1'
bad "pid -5" "$(state '.pid = -5')" '"pid" is not a process id above 1'
bad "pid a string" "$(state '.pid = "4242"')" '"pid" is not a process id above 1'
bad "pid a fraction" "$(state '.pid = 4242.5')" '"pid" is not a process id above 1'
bad "pid 2^40" "$(state '.pid = 1099511627776')" '"pid" is not a process id above 1'
bad "no pid" "$(state 'del(.pid)')" '"pid" is not a process id above 1'
bad "no bundle" "$(state 'del(.bundle)')" '"bundle" is not an absolute path'
bad "relative bundle" "$(state '.bundle = "userdata"')" '"bundle" is not an absolute path'
bad "bundle with a newline" "$(state '.bundle = "/b\ncontainer=other"')" '"bundle" is not an absolute path'
# The same states' valid twin goes through (the checks above can fail only on their change).
hook "$(state)"
expect_status 0 "$ST" "the valid state after the hostile ones"
[ "$(transcript_lines)" = 1 ] || fail "the valid state made $(transcript_lines) requests"
log "OK: hostile states refused with a message, nothing sent; the valid one sent"

# --- rootless runtimes: nothing to bind, nothing refused ---------------------
# Their containers are in cgroups delegated to a user, which the agent never
# binds, and the request is root's: the hook lets them start, whatever
# containers.mode says, and sends nothing. Rootless podman runs hooks as
# root mapped in a user namespace of its own; a plain user is the same.
set_mode enforce
: > "$TRANSCRIPT"
chmod 0711 "$TEST_TMP"
state | timeout 20 unshare --user --map-root-user "$HOOK" --socket "$SOCK" --containers-mode "$MODE_FILE" \
	> "$OUT" 2> "$ERR"
expect_status 0 $? "the hook as root of a user namespace"
expect_err_empty "the hook as root of a user namespace"
state | timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups "$HOOK" --socket "$SOCK" \
	--containers-mode "$MODE_FILE" > "$OUT" 2> "$ERR"
expect_status 0 $? "the hook as nobody"
[ "$(transcript_lines)" = 0 ] || fail "a rootless runtime's hook sent a request: $(cat "$TRANSCRIPT")"
# The same state from root in the host's namespace is sent.
hook "$(state)"
expect_status 0 "$ST" "the same state as root"
[ "$(transcript_lines)" = 1 ] || fail "the same state as root made $(transcript_lines) requests"
log "OK: a rootless runtime's hook sends nothing and refuses nothing"

# --- the command line --------------------------------------------------------
hook "$(state)" --on-agent-down=maybe
expect_status 2 "$ST" "--on-agent-down=maybe"
expect_err "not refuse, allow or refuse-if-enforcing" "--on-agent-down=maybe"
hook "$(state)" --timeout=nan
expect_status 2 "$ST" "--timeout=nan"
hook "$(state)" --timeout=0
expect_status 2 "$ST" "--timeout=0"
"$HOOK" --help > "$OUT" 2> "$ERR" || fail "--help: exit status $?"
grep -q -- "--on-agent-down" "$OUT" || fail "--help does not name --on-agent-down"
log "PASS"
