#!/bin/sh
# The control socket's clients as attackers. The agent runs with
# --socket-group nogroup; "nobody" (uid 65534, group nogroup, no other
# groups: setpriv, or a root helper that drops to it) is a member of the
# socket group and nothing more. It must be able to read (status), and must
# not be able to change anything:
# - reload and unload from nobody are refused, with exit status 1 and a
#   message, and the policy stays in force (its decisions keep coming);
# - a socket that root connected and then handed to nobody (here: root
#   connects, drops to nobody, writes) cannot carry nobody's unload;
# - 100 silent connections (nobody's, then root's) and 70 getevents streams
#   from nobody do not keep root's `credgatectl reload` out, and the silent
#   ones are dropped after the request deadline;
# - a pathological process pattern does not slow the events of another
#   client; too long a pattern is refused;
# - oversized, garbage, NUL-laden and dribbled requests are answered ERROR or
#   dropped, and the agent keeps serving;
# - every credgatectl subcommand answers --help with exit status 0, and
#   reload/unload/policy check have -o json;
# - without --socket-group the socket is root's alone (0600).
. "$(dirname "$0")/preamble.inc"

PY=/usr/bin/python3
[ -x "$PY" ] || fail "python3 is required (the misbehaving clients are written in it)"

# nobody must reach the socket: the test's directory becomes traversable,
# the socket's own directory is root's 0755, as the unit's
# RuntimeDirectoryMode= makes /run/credgate: the socket's mode decides.
chmod 0711 "$TEST_TMP"
mkdir -m 0755 "$TEST_TMP/run"
CONTROL_SOCKET="$TEST_TMP/run/credgated.sock"

as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"; }
nctl() { as_nobody timeout 20 "$CREDGATECTL" --socket "$CONTROL_SOCKET" "$@"; }
# An agent that stalls must fail the test, not hang it: every request is timed.
ctl() { timeout 20 "$CREDGATECTL" --socket "$CONTROL_SOCKET" "$@"; }
# stalled WHY: a stalled agent ignores SIGTERM; kill it so that cleanup returns.
stalled() { [ -n "$AGENT_PID" ] && kill -KILL "$AGENT_PID" 2> /dev/null; fail "$1"; }

# Misbehaving clients. Each starts as root and becomes nobody when asked,
# before connecting (so SO_PEERCRED says nobody) or after (a handed-over
# socket).
cat > "$TEST_TMP/peer.py" << 'PY'
import os, select, socket, sys, time

def drop():
    os.setgroups([])
    os.setresgid(65534, 65534, 65534)
    os.setresuid(65534, 65534, 65534)

def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s

def reply(s, timeout=10):
    s.settimeout(timeout)
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
    except socket.timeout:
        out += b"<timeout>"
    except ConnectionResetError:
        out += b"<reset>"
    return out.decode("utf-8", "replace")

def hold(stopfile):
    # Until the test says so, and never past a minute (a failed test leaves none behind).
    end = time.monotonic() + 60
    while not os.path.exists(stopfile) and time.monotonic() < end:
        time.sleep(0.1)

mode, path = sys.argv[1], sys.argv[2]
if mode == "handover":
    # Root connects; the socket then belongs to a process that is nobody.
    s = connect(path)
    drop()
    s.sendall(sys.argv[3].encode() + b"\n\n")
    s.shutdown(socket.SHUT_WR)
    sys.stdout.write(reply(s))
elif mode == "raw":
    # As root, with no SO_PASSCRED of our own: the agent must still see uid 0.
    if sys.argv[4] == "nobody":
        drop()
    s = connect(path)
    s.sendall(sys.argv[3].encode().decode("unicode_escape").encode("latin-1"))
    s.shutdown(socket.SHUT_WR)
    sys.stdout.write(reply(s))
elif mode == "dribble":
    # One byte a second and never the end of the request: must be dropped.
    if sys.argv[3] == "nobody":
        drop()
    s = connect(path)
    start = time.monotonic()
    for ch in b"command=status\noutput=json\n":
        try:
            s.sendall(bytes([ch]))
        except OSError:
            break
        r, _, _ = select.select([s], [], [], 1)
        if r:
            break
    got = reply(s, 20)
    print("closed after %.1f s: %r" % (time.monotonic() - start, got))
elif mode == "silent":
    # N connections that send nothing; hold them until STOPFILE exists, then
    # say how many the agent closed.
    n, who, stopfile = int(sys.argv[3]), sys.argv[4], sys.argv[5]
    if who == "nobody":
        drop()
    conns = []
    for _ in range(n):
        try:
            conns.append(connect(path))
        except OSError as e:
            print("connect failed: %s" % e, flush=True)
    print("opened %d" % len(conns), flush=True)
    hold(stopfile)
    closed = 0
    for s in conns:
        s.setblocking(False)
        try:
            if s.recv(4096) == b"":
                closed += 1
        except BlockingIOError:
            pass
        except ConnectionResetError:
            closed += 1
    print("closed by the agent: %d of %d" % (closed, len(conns)), flush=True)
elif mode == "streams":
    # N getevents clients as nobody, held until STOPFILE exists.
    n, stopfile = int(sys.argv[3]), sys.argv[4]
    drop()
    conns, busy, alive = [], 0, 0
    for _ in range(n):
        s = connect(path)
        try:
            s.sendall(b"command=getevents\nkind=decision\n\n")
        except OSError:
            pass # refused at once (too many clients): its reply is still to read
        conns.append(s)
    time.sleep(1)
    for s in conns:
        s.setblocking(False)
        try:
            if s.recv(4096).startswith(b"ERROR\ntoo many clients"):
                busy += 1
        except BlockingIOError:
            alive += 1
        except ConnectionResetError:
            pass
    print("streams %d, alive %d, refused as too many %d" % (n, alive, busy), flush=True)
    hold(stopfile)
PY
peer() { "$PY" "$TEST_TMP/peer.py" "$@"; }

# --- every subcommand answers --help -------------------------------------
for cmd in getevents status metrics reload unload "policy check" policy avc; do
	# shellcheck disable=SC2086 # "policy check" is two words on purpose
	"$CREDGATECTL" $cmd --help > "$TEST_TMP/help.out" 2>&1 || fail "credgatectl $cmd --help: exit $?: $(cat "$TEST_TMP/help.out")"
	grep -q "^Usage: credgatectl ${cmd%% *}" "$TEST_TMP/help.out" || fail "credgatectl $cmd --help: $(cat "$TEST_TMP/help.out")"
done
"$CREDGATECTL" --help | grep -q "^Usage: credgatectl" || fail "credgatectl --help"
log "ok: every subcommand answers --help with exit status 0"
"$CREDGATECTL" policy check -o json "$TEST_TMP/none.yaml" > "$TEST_TMP/check.json" && fail "policy check of a missing file passed"
jq -e '.ok == false and (.problems | length) >= 1' "$TEST_TMP/check.json" > /dev/null ||
	fail "policy check -o json: $(cat "$TEST_TMP/check.json")"

# --- the agent, group-readable socket ------------------------------------
cg_setup ctlattack
A=$(cg_make A)
mkdir "$TEST_TMP/policies"
write_policy "$TEST_TMP/policies/p.yaml" ctl-attack audit "$(cg_rel A)"
sed -i 's/^spec:/spec:\n  observe: false/' "$TEST_TMP/policies/p.yaml"
agent_start --policy "$TEST_TMP/policies" --socket-group nogroup || fail "agent did not start"
[ "$(stat -c '%a %U %G' "$CONTROL_SOCKET")" = "660 root nogroup" ] ||
	fail "socket with a group: $(stat -c '%a %U %G' "$CONTROL_SOCKET"), expected 660 root nogroup"

decisions() { grep -c '"verdict":"audited-would-deny"' "$EVENTS"; }
# One audited change in A; wait until the agent has written it.
audited_change() {
	before=$(decisions)
	"$CREDOP" --cgroup "$A" seteuid:1000=ok seteuid:0=ok > /dev/null || fail "credop"
	i=0
	until [ "$(decisions)" -gt "$before" ]; do
		i=$((i + 1)); [ "$i" -le 100 ] || fail "the policy no longer reports ($1)"; sleep 0.1
	done
}
generation() { ctl status -o json | jq .policy.generation; }

# --- read-only for the group, nothing that changes anything ---------------
nctl status -o json > "$TEST_TMP/nstatus.json" || fail "nobody (socket group) cannot read the status"
jq -e '.policy.policies[0].name == "ctl-attack"' "$TEST_TMP/nstatus.json" > /dev/null || fail "nobody's status"
nctl metrics | grep -q '^credgate_decisions_total' || fail "nobody cannot read the metrics"
audited_change "before the attacks"
gen=$(generation)

if nctl reload > "$TEST_TMP/r.out" 2> "$TEST_TMP/r.err"; then
	fail "nobody's reload succeeded: $(cat "$TEST_TMP/r.out")"
fi
grep -q "permission denied: 'reload' is for root only (connected as uid 65534)" "$TEST_TMP/r.err" ||
	fail "nobody's reload: $(cat "$TEST_TMP/r.err")"
nctl reload -o json > "$TEST_TMP/r.json" && fail "nobody's reload -o json succeeded"
jq -e '.ok == false and (.problems[0] | test("permission denied"))' "$TEST_TMP/r.json" > /dev/null ||
	fail "nobody's reload -o json: $(cat "$TEST_TMP/r.json")"
nctl unload --pin-dir "$TEST_TMP/nopins" > "$TEST_TMP/u.out" 2> "$TEST_TMP/u.err"
st=$?
[ "$st" = 1 ] || fail "nobody's unload: exit $st, expected 1: $(cat "$TEST_TMP/u.out" "$TEST_TMP/u.err")"
grep -q "permission denied: 'unload' is for root only" "$TEST_TMP/u.err" || fail "nobody's unload: $(cat "$TEST_TMP/u.err")"
kill -0 "$AGENT_PID" 2> /dev/null || fail "the agent stopped after nobody's unload"
[ "$(generation)" = "$gen" ] || fail "the policy generation changed after nobody's reload"
grep -q "Refused 'unload' over the control socket from pid [0-9]* uid 65534" "$AGENT_LOG" || fail "the refusal is not logged"
audited_change "after nobody's reload and unload"
log "ok: nobody (socket group) reads status and metrics; its reload and unload are refused, the policy stays"
refused=$(ctl status -o json | jq -e '.control.refused') || fail "status has no control.refused"
[ "$refused" -ge 2 ] || fail "status counts $refused refused requests, expected at least nobody's reload and unload"
ctl metrics | grep -q '^credgate_control_clients_total{outcome="refused"} [1-9]' || fail "metrics do not count refused requests"
log "ok: status and metrics count $refused refused requests"

# A socket root connected, written by nobody: refused on the writer's credentials.
peer handover "$CONTROL_SOCKET" "command=unload" > "$TEST_TMP/h.out"
grep -q "^permission denied: 'unload' is for root only (the request was not written by uid 0)" "$TEST_TMP/h.out" ||
	fail "a handed-over root socket carried nobody's unload: $(cat "$TEST_TMP/h.out")"
kill -0 "$AGENT_PID" 2> /dev/null || fail "the agent stopped after the handed-over unload"
# Root, with a client that does not ask for SO_PASSCRED itself, still may.
peer raw "$CONTROL_SOCKET" 'command=reload\n\n' root > "$TEST_TMP/rr.out"
grep -q "^OK generation" "$TEST_TMP/rr.out" || fail "root's reload from a plain client: $(cat "$TEST_TMP/rr.out")"
ctl reload -o json > "$TEST_TMP/rj.json" || fail "root's reload -o json failed"
jq -e '.ok == true and .generation > 1' "$TEST_TMP/rj.json" > /dev/null || fail "reload -o json: $(cat "$TEST_TMP/rj.json")"
log "ok: a root-connected socket written by nobody is refused; root's own reload works"

# --- silent clients and streams do not lock root out ---------------------
# timed_reload WHAT: root's reload must answer within 2 s.
timed_reload() {
	t0=$(date +%s%N)
	timeout 10 "$CREDGATECTL" --socket "$CONTROL_SOCKET" reload > "$TEST_TMP/tr.out" 2>&1 ||
		fail "root's reload failed with $1: $(cat "$TEST_TMP/tr.out")"
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$ms" -lt 2000 ] || fail "root's reload took $ms ms with $1"
	log "ok: root's reload answered in $ms ms with $1"
}
for who in nobody root; do
	rm -f "$TEST_TMP/stop"
	"$PY" "$TEST_TMP/peer.py" silent "$CONTROL_SOCKET" 100 "$who" "$TEST_TMP/stop" > "$TEST_TMP/silent.out" 2>&1 &
	sp=$!
	i=0
	until grep -q "^opened" "$TEST_TMP/silent.out"; do
		i=$((i + 1)); [ "$i" -le 100 ] || fail "the silent clients did not connect: $(cat "$TEST_TMP/silent.out")"; sleep 0.1
	done
	timed_reload "100 silent connections of $who"
	sleep 6 # past the request deadline (5 s)
	touch "$TEST_TMP/stop"
	wait "$sp"
	grep -q "^closed by the agent: 100 of 100" "$TEST_TMP/silent.out" ||
		fail "silent clients of $who were not all dropped: $(cat "$TEST_TMP/silent.out")"
done
log "ok: 100 silent connections were dropped, and root's reload never waited"
dropped=$(ctl status -o json | jq -e '.control.timed_out + .control.evicted') || fail "status has no control.timed_out"
[ "$dropped" -ge 200 ] || fail "status counts $dropped silent clients dropped or evicted, expected 200"

turned_before=$(ctl status -o json | jq -e '.control.rejected + .control.evicted') || fail "no control counters"
rm -f "$TEST_TMP/stop"
"$PY" "$TEST_TMP/peer.py" streams "$CONTROL_SOCKET" 70 "$TEST_TMP/stop" > "$TEST_TMP/streams.out" 2>&1 &
sp=$!
i=0
until grep -q "^streams" "$TEST_TMP/streams.out"; do
	i=$((i + 1)); [ "$i" -le 100 ] || fail "the streams did not start: $(cat "$TEST_TMP/streams.out")"; sleep 0.1
done
# 56 stream; the others were refused, or evicted while their request was unread.
grep -q "^streams 70, alive 56, refused as too many [0-9]*$" "$TEST_TMP/streams.out" ||
	fail "nobody's streams should get 56 of the 64 slots: $(cat "$TEST_TMP/streams.out")"
[ "$(ctl status -o json | jq .events.clients)" = 56 ] || fail "status does not count 56 streams"
timed_reload "56 of nobody's getevents streams"
nctl status > /dev/null 2> "$TEST_TMP/ns.err" && fail "nobody got a slot past its share"
grep -q "too many clients" "$TEST_TMP/ns.err" || fail "nobody past its share: $(cat "$TEST_TMP/ns.err")"
touch "$TEST_TMP/stop"
wait "$sp"
log "ok: nobody's streams hold at most 56 slots; root still gets in"
turned=$(ctl status -o json | jq -e '.control.rejected + .control.evicted') || fail "status has no control.rejected"
[ $((turned - turned_before)) -ge 14 ] ||
	fail "status counts $((turned - turned_before)) streams rejected or evicted, expected the 14 past nobody's share"

# --- a pathological pattern does not slow the other clients --------------
# The binary's name is 200 'a's: what '(a*)*b'-style patterns backtrack on.
long="$TEST_TMP/$(printf 'a%.0s' $(seq 200))"
cp "$CREDOP" "$long"
bad='*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b'
nctl getevents --process "$(printf 'a%.0s' $(seq 64))" > /dev/null 2> "$TEST_TMP/long.err" &&
	fail "a 64-element pattern was accepted"
grep -q "more than 63 elements" "$TEST_TMP/long.err" || fail "too long a pattern: $(cat "$TEST_TMP/long.err")"
setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$CREDGATECTL" --socket "$CONTROL_SOCKET" getevents --process "$bad" > "$TEST_TMP/bad.json" &
bp=$!
"$CREDGATECTL" --socket "$CONTROL_SOCKET" getevents --kind decision > "$TEST_TMP/good.json" &
gp=$!
i=0
until [ "$(ctl status -o json | jq .events.clients)" = 2 ]; do
	i=$((i + 1)); [ "$i" -le 100 ] || stalled "the two getevents clients did not connect"; sleep 0.1
done
t0=$(date +%s%N)
n=0
while [ $n -lt 200 ]; do
	"$long" --cgroup "$A" seteuid:1000=ok seteuid:0=ok > /dev/null || fail "credop"
	n=$((n + 1))
done
i=0
until [ "$(grep -c '"audited-would-deny"' "$TEST_TMP/good.json")" -ge 200 ]; do
	i=$((i + 1)); [ "$i" -le 100 ] || stalled "the other client got $(grep -c '"audited-would-deny"' "$TEST_TMP/good.json") of 200 events"
	sleep 0.1
done
ms=$((($(date +%s%N) - t0) / 1000000))
[ ! -s "$TEST_TMP/bad.json" ] || fail "the pattern matched: $(head -c 300 "$TEST_TMP/bad.json")"
kill "$bp" "$gp" 2> /dev/null
wait "$bp" "$gp" 2> /dev/null
log "ok: with a pathological pattern on one client, the other got all 200 events in $ms ms"

# --- garbage -------------------------------------------------------------
expect_error() { # WHAT REQUEST REASON
	peer raw "$CONTROL_SOCKET" "$2" nobody > "$TEST_TMP/g.out"
	head -n 1 "$TEST_TMP/g.out" | grep -q "^ERROR$" || fail "$1: $(head -c 300 "$TEST_TMP/g.out")"
	grep -q "$3" "$TEST_TMP/g.out" || fail "$1: $(head -c 300 "$TEST_TMP/g.out")"
}
expect_error "9000 bytes, no newline" "$(printf 'x%.0s' $(seq 9000))" "request too long"
expect_error "a 5000-byte value" "command=getevents\\ncgroup=$(printf 'x%.0s' $(seq 5000))\\n\\n" "longer than 4095 bytes"
expect_error "NUL bytes" 'command=status\x00reload\n\n' "NUL byte"
expect_error "binary garbage" '\xff\xfe\x01\x02\n\x1b[31m\n\n' "expected key=value"
expect_error "an empty request" '\n\n' "unknown command ''"
expect_error "unload by a repeated key" 'command=status\ncommand=unload\n\n' "'command' given twice"
peer dribble "$CONTROL_SOCKET" nobody > "$TEST_TMP/d.out"
# Dropped with no reply: a clean end of file, or a reset when the byte sent
# just before the deadline was still unread as the agent closed.
grep -Eq "^closed after [5-7][.][0-9] s: '(|<reset>)'$" "$TEST_TMP/d.out" || fail "a dribbling client: $(cat "$TEST_TMP/d.out")"
kill -0 "$AGENT_PID" 2> /dev/null || fail "the agent died of garbage"
nctl status > /dev/null || fail "status after the garbage"
audited_change "after the garbage"
log "ok: garbage is answered ERROR, a dribbling client is dropped at the deadline, the agent serves on"
agent_stop

# --- without --socket-group: root's alone --------------------------------
agent_start --policy "$TEST_TMP/policies" || fail "agent did not start again"
[ "$(stat -c '%a %U %G' "$CONTROL_SOCKET")" = "600 root root" ] ||
	fail "socket without a group: $(stat -c '%a %U %G' "$CONTROL_SOCKET"), expected 600 root root"
nctl status > /dev/null 2>&1 && fail "nobody reached a root-only socket"
ctl status > /dev/null || fail "root's status"
log "ok: without --socket-group the socket is 0600 root:root"
cleanup
