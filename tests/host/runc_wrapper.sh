#!/bin/sh
# credgate-runc, the runc wrapper for docker and containerd
# (docs/oci-hook.md), in front of a fake runc that records its argv (as a
# JSON array, in the transcript the fake agent writes to too, so the order
# of runc calls and bind requests is seen):
# - every command but create and run --detach reaches runc exactly as given
#   (spaces, empty words, options runc 1.1 has not), by exec, with its status;
# - create is passed as given, then bound with the id and the pid that runc
#   1.1 would read from that command line (global options first; create's
#   options anywhere, as urfave/cli reorders them; -b, -pid-file=, --), the
#   pid from --pid-file or else `runc state`; a refusal deletes the container
#   with the same global options, exits 1 and says why on stderr and in
#   runc's --log (where containerd and docker read it);
# - run --detach is create (without run's own options), bind, start: the
#   container's first instruction waits for the agent;
# - a create with an option runc 1.1 lacks is refused before runc runs.
. "$(dirname "$0")/preamble.inc"
. "$(dirname "$0")/oci_fake.inc"
WRAP=${CREDGATE_RUNC_WRAPPER:?CREDGATE_RUNC_WRAPPER: the credgate-runc binary}
[ -x "$WRAP" ] || fail "$WRAP is not executable"

ID=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
B="$TEST_TMP/bundle"
mkdir -p "$B"
FAKE_RUNC="$TEST_TMP/runc"
# The fake runc: records argv, writes $FAKE_RUNC_PID (4343) to --pid-file on
# create, answers state with pid 4344, and exits with
# $FAKE_RUNC_STATUS_<command> (default 0).
cat > "$FAKE_RUNC" << 'FAKE'
#!/bin/sh
jq -cn '$ARGS.positional' --args -- "$@" | sed 's/^/runc /' >> "$TRANSCRIPT"
cmd=
pidfile=
while [ $# -gt 0 ]; do
	case $1 in
	--root | --log | --log-format | --criu | --rootless) shift ;;
	--pid-file | -pid-file) pidfile=$2; shift ;;
	--pid-file=* | -pid-file=*) pidfile=${1#*=} ;;
	-*) ;;
	*) [ -z "$cmd" ] && cmd=$1 ;;
	esac
	shift
done
[ "$cmd" = create ] && [ -n "$pidfile" ] && printf '%s' "${FAKE_RUNC_PID-4343}" > "$pidfile"
[ "$cmd" = state ] && echo '{"ociVersion": "1.0.2", "id": "x", "pid": 4344, "status": "created"}'
eval "exit \${FAKE_RUNC_STATUS_$cmd:-0}"
FAKE
chmod +x "$FAKE_RUNC"
export TRANSCRIPT CREDGATE_RUNC="$FAKE_RUNC" CREDGATE_SOCKET="$SOCK" CREDGATE_CONTAINERS_MODE="$MODE_FILE"
export CREDGATE_BIND_TIMEOUT=0.5

# wrap ARGS...: run credgate-runc (killed after 20 s); sets ST.
wrap() {
	: > "$TRANSCRIPT"
	(cd "$B" && timeout 20 "$WRAP" "$@") > "$OUT" 2> "$ERR"
	ST=$?
}

# runc_line ARGS...: the transcript line for a runc call with ARGS.
runc_line() { printf 'runc %s\n' "$(jq -cn '$ARGS.positional' --args -- "$@")"; }
# agent_line PID [BUNDLE]: the transcript line for a bind-container request.
agent_line() {
	if [ $# -ge 2 ]; then
		printf 'agent %s\n' "$(jq -cn --arg id "$ID" --arg p "$1" --arg b "$2" \
			'["command=bind-container", "container=\($id)", "pid=\($p)", "bundle=\($b)"]')"
	else
		printf 'agent %s\n' "$(jq -cn --arg id "$ID" --arg p "$1" '["command=bind-container", "container=\($id)", "pid=\($p)"]')"
	fi
}
# expect_transcript WHAT [LINE...]: the transcript is exactly these lines (none: empty).
expect_transcript() {
	what=$1
	shift
	if [ $# -eq 0 ]; then : > "$TEST_TMP/want"; else printf '%s\n' "$@" > "$TEST_TMP/want"; fi
	cmp -s "$TEST_TMP/want" "$TRANSCRIPT" || {
		echo "--- want:"; cat "$TEST_TMP/want"; echo "--- got:"; cat "$TRANSCRIPT"; echo "--- stderr:"; cat "$ERR"
		fail "$what: runc calls and requests differ"
	}
}

fake_start ok
set_mode enforce

# --- every other command: exactly as given, by exec, with its status --------
wrap --root /run/containerd/runc/moby --log "$B/log.json" --log-format json exec --process /tmp/p.json -d "$ID" \
	'two words' '' --
expect_status 0 "$ST" "exec passthrough"
expect_transcript "exec passthrough" "$(runc_line --root /run/containerd/runc/moby --log "$B/log.json" --log-format json \
	exec --process /tmp/p.json -d "$ID" 'two words' '' --)"
FAKE_RUNC_STATUS_kill=3 wrap --systemd-cgroup kill "$ID" KILL
expect_status 3 "$ST" "kill's status"
expect_transcript "kill passthrough" "$(runc_line --systemd-cgroup kill "$ID" KILL)"
wrap --frobnicate state "$ID"
expect_transcript "an unknown global option without create" "$(runc_line --frobnicate state "$ID")"
wrap --version
expect_transcript "--version" "$(runc_line --version)"
wrap start "$ID"
expect_transcript "start" "$(runc_line start "$ID")"
log "OK: other commands pass through exactly"

# --- create as containerd's runc shim runs it (go-runc) ------------------------
GLOBAL="--root /run/containerd/runc/moby --log $B/log.json --log-format json --systemd-cgroup"
# shellcheck disable=SC2086 # GLOBAL's words have no blanks
wrap $GLOBAL create --bundle "$B" --pid-file "$B/init.pid" --console-socket /tmp/pty.sock "$ID"
expect_status 0 "$ST" "create, agent OK"
expect_err_empty "create, agent OK"
# shellcheck disable=SC2086
expect_transcript "create, agent OK" \
	"$(runc_line $GLOBAL create --bundle "$B" --pid-file "$B/init.pid" --console-socket /tmp/pty.sock "$ID")" \
	"$(agent_line 4343 "$B")"
log "OK: create passes through, then binds id, pid from --pid-file, bundle"

# Options where urfave/cli reorders them, and Go's spellings.
wrap create "$ID" --bundle="$B" -pid-file "$B/init.pid" --no-pivot
expect_status 0 "$ST" "create, options after the id"
expect_transcript "create, options after the id" \
	"$(runc_line create "$ID" --bundle="$B" -pid-file "$B/init.pid" --no-pivot)" "$(agent_line 4343 "$B")"
wrap --log=/dev/null -systemd-cgroup=true create -b relative/b --pid-file=p.pid --preserve-fds 2 -- "$ID"
expect_status 0 "$ST" "create, -b, '=' forms, --"
expect_transcript "create, -b, '=' forms, --" \
	"$(runc_line --log=/dev/null -systemd-cgroup=true create -b relative/b --pid-file=p.pid --preserve-fds 2 -- "$ID")" \
	"$(agent_line 4343 "$B/relative/b")"
# No --bundle: runc's is the directory it runs in; no --pid-file: runc state.
wrap --root /r create "$ID"
expect_status 0 "$ST" "create, no --pid-file"
expect_transcript "create, no --pid-file" "$(runc_line --root /r create "$ID")" "$(runc_line --root /r state "$ID")" \
	"$(agent_line 4344 "$B")"
log "OK: create's id, bundle and pid file found wherever runc 1.1 takes them"

# --- refusals delete ------------------------------------------------------------
fake_start error
rm -f "$B/log.json"
# shellcheck disable=SC2086
wrap $GLOBAL create --bundle "$B" --pid-file "$B/init.pid" "$ID"
expect_status 1 "$ST" "create, agent ERROR"
expect_err "container $ID: refused by credgated: container 42 is not in a cgroup of its own" "create, agent ERROR"
# shellcheck disable=SC2086
expect_transcript "create, agent ERROR" "$(runc_line $GLOBAL create --bundle "$B" --pid-file "$B/init.pid" "$ID")" \
	"$(agent_line 4343 "$B")" "$(runc_line $GLOBAL delete --force "$ID")"
jq -e --arg id "$ID" 'select(.level == "error" and (.msg | contains("container \($id): refused by credgate")))' \
	"$B/log.json" > /dev/null || { cat "$B/log.json"; fail "runc's --log has no error line saying why"; }
log "OK: ERROR deletes the container with the same global options, says why on stderr and in --log"

fake_stop
for m in enforce audit; do
	set_mode $m
	wrap create --pid-file "$B/init.pid" "$ID"
	if [ $m = enforce ]; then
		expect_status 1 "$ST" "create, no agent, mode enforce"
		expect_err "container $ID: refused: no answer from credgated" "create, no agent, mode enforce"
		expect_transcript "create, no agent, mode enforce" "$(runc_line create --pid-file "$B/init.pid" "$ID")" \
			"$(runc_line delete --force "$ID")"
	else
		expect_status 0 "$ST" "create, no agent, mode audit"
		expect_transcript "create, no agent, mode audit" "$(runc_line create --pid-file "$B/init.pid" "$ID")"
	fi
done
CREDGATE_ON_AGENT_DOWN=allow wrap create --pid-file "$B/init.pid" "$ID"
set_mode enforce
CREDGATE_ON_AGENT_DOWN=allow wrap create --pid-file "$B/init.pid" "$ID"
expect_status 0 "$ST" "create, no agent, CREDGATE_ON_AGENT_DOWN=allow"
log "OK: without an agent, containers.mode and CREDGATE_ON_AGENT_DOWN decide"

fake_start ok
for junk in 1 junk 4343x -4343 99999999999 ''; do
	FAKE_RUNC_PID=$junk wrap create --pid-file "$B/init.pid" "$ID"
	expect_status 1 "$ST" "create, pid file says '$junk'"
	expect_err "container $ID: refused: no process id from $B/init.pid: not a process id above 1" \
		"create, pid file says '$junk'"
	expect_transcript "create, pid file says '$junk'" "$(runc_line create --pid-file "$B/init.pid" "$ID")" \
		"$(runc_line delete --force "$ID")"
done
FAKE_RUNC_PID='4343
' wrap create --pid-file "$B/init.pid" "$ID"
expect_status 0 "$ST" "create, pid file with a newline"
wrap create --pid-file /dev/null "$ID"
expect_status 1 "$ST" "create, pid file not a regular file"
expect_err "container $ID: refused: no process id from /dev/null" "create, pid file not a regular file"
expect_transcript "create, pid file not a regular file" "$(runc_line create --pid-file /dev/null "$ID")" \
	"$(runc_line delete --force "$ID")"
log "OK: a pid file that is not runc's refuses and deletes"

# An id runc takes ('+' and ',' are in its pattern) but no request may carry.
wrap create --pid-file "$B/init.pid" "web+1"
expect_status 1 "$ST" "create with an id the agent does not take"
expect_err "container web\+1: refused: not an id the agent takes" "create with an id the agent does not take"
expect_transcript "create with an id the agent does not take" "$(runc_line create --pid-file "$B/init.pid" "web+1")" \
	"$(runc_line delete --force "web+1")"

# --- runc's own failure: its status, nothing bound ---------------------------
FAKE_RUNC_STATUS_create=7 wrap create --pid-file "$B/init.pid" "$ID"
expect_status 7 "$ST" "create failing in runc"
expect_transcript "create failing in runc" "$(runc_line create --pid-file "$B/init.pid" "$ID")"

# --- what runc would refuse, or that does not create --------------------------
wrap create --pid-file "$B/init.pid" "$ID" other
expect_transcript "create with two ids (runc refuses)" "$(runc_line create --pid-file "$B/init.pid" "$ID" other)"
wrap create --help
expect_transcript "create --help" "$(runc_line create --help)"
wrap create --frobnicate "$ID"
expect_status 1 "$ST" "create with an unknown option"
expect_err "refused: .runc create. has an option runc 1.1 does not have" "create with an unknown option"
expect_transcript "create with an unknown option"
wrap --frobnicate create "$ID"
expect_status 1 "$ST" "an unknown global option before create"
expect_transcript "an unknown global option before create"
log "OK: what runc refuses is left to runc; unknown options on a create refuse"

# --- run --detach: create, bind, start ---------------------------------------
wrap --root /r run -d --keep --no-subreaper --pid-file "$B/init.pid" -b "$B" "$ID"
expect_status 0 "$ST" "run -d"
expect_transcript "run -d" "$(runc_line --root /r create --pid-file "$B/init.pid" -b "$B" "$ID")" \
	"$(agent_line 4343 "$B")" "$(runc_line --root /r start "$ID")"
fake_start error
wrap run --detach=true --pid-file "$B/init.pid" "$ID"
expect_status 1 "$ST" "run -d, agent ERROR"
expect_transcript "run -d, agent ERROR" "$(runc_line create --pid-file "$B/init.pid" "$ID")" "$(agent_line 4343 "$B")" \
	"$(runc_line delete --force "$ID")"
# In the foreground, runc must stay runc's parent: passed through (docs/oci-hook.md).
wrap run --pid-file "$B/init.pid" "$ID"
expect_transcript "run in the foreground" "$(runc_line run --pid-file "$B/init.pid" "$ID")"
log "OK: run --detach is create, bind, start; refused, it is deleted and never started"

# --- the wrapper's own settings ------------------------------------------------
CREDGATE_RUNC="$WRAP" wrap state "$ID"
expect_status 1 "$ST" "CREDGATE_RUNC pointing at the wrapper"
expect_err "is credgate-runc itself" "CREDGATE_RUNC pointing at the wrapper"
CREDGATE_ON_AGENT_DOWN=maybe wrap create --pid-file "$B/init.pid" "$ID"
expect_status 1 "$ST" "CREDGATE_ON_AGENT_DOWN=maybe"
expect_err "CREDGATE_ON_AGENT_DOWN=maybe" "CREDGATE_ON_AGENT_DOWN=maybe"
log "PASS"
