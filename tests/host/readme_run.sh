#!/bin/sh
# The README's first command, exactly as written there, as a newcomer runs
# it: it installs, builds, starts the agent with the built-in policy and
# reports credential changes until Ctrl-C. The test reads the command from
# README.md (scripts/readme-command.sh), waits for "ready", makes a change
# of its own and finds its event, then sends SIGINT to the command's process
# group as a terminal's Ctrl-C does. The agent must exit 0 and leave none of
# its BPF programs, maps or links behind (the default run pins nothing).
. "$(dirname "$0")/preamble.inc"
command -v bpftool > /dev/null || fail "bpftool is required (apt-get install bpftool)"

ROOT=$(cd "$(dirname "$CREDGATE_LIB")/../.." && pwd)
BUILD=$(cd "$(dirname "$CREDGATED")/.." && pwd)
cmd=$("$ROOT/scripts/readme-command.sh" run) || fail "cannot read the README's run command"
log "the README's run command: $cmd"
OUT="$TEST_TMP/run.out"
ERR="$TEST_TMP/run.err"

# setsid: the command leads its own process group, as a shell's foreground
# job does, so that SIGINT goes to the group like a Ctrl-C. exec: the group
# leader is the command itself, whose status is the one to check.
(cd "$ROOT" && CREDGATE_BUILD_DIR="$BUILD" exec setsid sh -c "exec $cmd") > "$OUT" 2> "$ERR" &
RUN_PID=$!
stop_run() { kill -KILL "-$RUN_PID" 2> /dev/null; }
trap 'stop_run; cleanup' EXIT INT TERM

i=0
until grep -q "^credgated: ready" "$ERR"; do
	kill -0 "$RUN_PID" 2> /dev/null || fail "the README's run command exited before ready: $(cat "$ERR")"
	i=$((i + 1))
	[ "$i" -le 1800 ] || fail "not ready after 180 s: $(tail -n 20 "$ERR")"
	sleep 0.1
done
AGENT=$(pgrep -x -s "$RUN_PID" credgated) || fail "no credgated in the command's session"
log "ready; credgated is pid $AGENT"

# What the agent holds in the kernel, to check after it stopped: the ids
# behind its file descriptors (bpftool's owner pids need a BPF iterator,
# which this kernel may refuse).
bpf_ids() { cat /proc/"$AGENT"/fdinfo/* 2> /dev/null | sed -n "s/^$1:[[:space:]]*//p" | sort -un; }
progs=$(bpf_ids prog_id)
maps=$(bpf_ids map_id)
links=$(bpf_ids link_id)
[ -n "$progs" ] && [ -n "$links" ] || fail "credgated $AGENT holds no BPF programs or links"
log "credgated holds programs $(echo $progs), $(echo "$links" | wc -l) links, $(echo "$maps" | wc -l) maps"

# A change of the test's own: uid 0 -> effective 1000 -> 0, which the
# built-in policy reports and flags (a change to uid 0).
out=$("$CREDOP" seteuid:1000=ok seteuid:0=ok) || fail "credop: $out"
pid=$(echo "$out" | sed -n 's/^credop: pid //p')
i=0
until grep -q "credop\[$pid\] setresuid: euid 1000→0.* audited-would-deny (policy builtin-audit-host" "$OUT"; do
	i=$((i + 1))
	[ "$i" -le 300 ] || fail "no flagged event for credop $pid's seteuid(0) in 30 s; its lines: $(grep "\[$pid\]" "$OUT")"
	sleep 0.1
done
grep -q "credop\[$pid\] setresuid(-1, 1000, -1) = 0" "$OUT" || fail "seteuid(1000) of credop $pid not reported"
log "ok: credop $pid's seteuid(1000) reported, seteuid(0) flagged"

kill -INT "-$RUN_PID" || fail "cannot send SIGINT to the command's process group"
wait "$RUN_PID"
status=$?
[ "$status" = 0 ] || fail "the README's run command exited $status after Ctrl-C: $(tail -n 5 "$ERR")"
grep -q "^credgated: received Interrupt, detaching" "$ERR" || fail "the agent did not say it stopped on SIGINT"
grep -q "^credgated: stopped: .* 0 lost (kernel buffer full)" "$ERR" || fail "events lost: $(grep stopped "$ERR")"
log "ok: Ctrl-C stopped it, status 0"

# Nothing left: every program, link and map it held is gone from the kernel.
left_progs=$(bpftool -j prog show | jq -r '.[].id')
left_maps=$(bpftool -j map show | jq -r '.[].id')
left_links=$(bpftool -j link show | jq -r '.[].id')
for id in $progs; do echo "$left_progs" | grep -qx "$id" && fail "program $id is still loaded after the agent stopped"; done
for id in $links; do echo "$left_links" | grep -qx "$id" && fail "link $id is still attached after the agent stopped"; done
for id in $maps; do echo "$left_maps" | grep -qx "$id" && fail "map $id still exists after the agent stopped"; done
log "ok: nothing of credgated $AGENT stays in the kernel"
trap cleanup EXIT INT TERM
cleanup
