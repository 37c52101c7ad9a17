#!/bin/sh
# Attack: forge a line of the compact output. A process in a governed
# cgroup runs a program whose file name holds a newline followed by a line
# that looks like credgate's own (and a terminal escape), and passes such
# an argument too. Every line of the output must be one of credgate's: the
# name and the argument appear escaped (\n, \x1b) inside the real line, and
# no line starts with the forged text.
. "$(dirname "$0")/preamble.inc"

cg_setup forgery
A=$(cg_make A)
write_policy "$TEST_TMP/p.yaml" forgery audit "$(cg_rel A)"
nl='
'
esc=$(printf '\033')
forged="2026-01-01T00:00:00.000000000Z host sshd[1] setuid(0) = 0 FORGED"
evil="$TEST_TMP/evil${nl}${forged}${esc}[2J"
cp "$CREDOP" "$evil" || fail "cannot copy credop to a name with a newline"

agent_start --policy "$TEST_TMP/p.yaml" --output compact || fail "agent did not start"
out=$("$evil" --cgroup "$A" seteuid:1000=ok seteuid:0=ok "exec:/bin/true" "arg${nl}${forged}") ||
	fail "the renamed credop failed: $out"
pid=$(echo "$out" | sed -n 's/^credop: pid //p')
[ -n "$pid" ] || fail "no pid from credop: $out"
# Wait for the decision of the flip, then stop (which drains the rest).
i=0
until grep -q "\[$pid\] setresuid: euid 1000→0" "$EVENTS"; do
	i=$((i + 1)); [ "$i" -le 100 ] || fail "no decision for pid $pid"; sleep 0.1
done
agent_stop

grep -n "FORGED" "$EVENTS" | grep -v "\[$pid\] " && fail "a line with the forged text is not one of credgate's lines for pid $pid"
grep -q "^$forged" "$EVENTS" && fail "a forged line starts a line of the output"
grep -q "$esc" "$EVENTS" && fail "an escape character reached the output"
grep -qF 'evil\n2026-01-01T00:00:00.000000000Z host sshd[1] setuid(0) = 0 FORGED\x1b[2J' "$EVENTS" ||
	fail "the file name does not appear escaped"
grep -qF 'arg\n2026-01-01T00:00:00.000000000Z host' "$EVENTS" || fail "the exec argument does not appear escaped"
log "ok: the name and the argument are escaped, no line forged"
cleanup
