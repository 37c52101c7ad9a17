#!/bin/sh
# Attack: make the agent (root) write into a file of the attacker's choice.
# Someone who can write the directory of the events file or of the metrics
# file places, where the agent will write, a symbolic or hard link to a
# victim file. The agent must not follow either: it refuses an events file
# that is a link, and writes its metrics through a fresh temporary file,
# never through a link planted at the temporary name. The victim is
# unchanged.
. "$(dirname "$0")/preamble.inc"

cg_setup outlinks
A=$(cg_make A)
write_policy "$TEST_TMP/p.yaml" outlinks audit "$(cg_rel A)"
VICTIM="$TEST_TMP/victim"
printf 'root:secret\n' > "$VICTIM"
before=$(sha256sum < "$VICTIM")

# The events file is a symbolic link, then a hard link, to the victim.
ln -s "$VICTIM" "$TEST_TMP/linked.json"
"$CREDGATED" --policy "$TEST_TMP/p.yaml" --events "$TEST_TMP/linked.json" --socket "$CONTROL_SOCKET" \
	> "$TEST_TMP/refused.log" 2>&1 && fail "the agent started with a symbolic link as its events file"
grep -q "Refusing the events file $TEST_TMP/linked.json: it is a symbolic link" "$TEST_TMP/refused.log" ||
	fail "no reason given: $(cat "$TEST_TMP/refused.log")"
rm "$TEST_TMP/linked.json"
ln "$VICTIM" "$TEST_TMP/linked.json"
"$CREDGATED" --policy "$TEST_TMP/p.yaml" --events "$TEST_TMP/linked.json" --socket "$CONTROL_SOCKET" \
	> "$TEST_TMP/refused.log" 2>&1 && fail "the agent started with a hard link as its events file"
grep -q "it is a file with more than one name (hard link)" "$TEST_TMP/refused.log" ||
	fail "no reason given: $(cat "$TEST_TMP/refused.log")"
log "ok: events file links refused"

# The metrics temporary file is a symbolic link to the victim.
M="$TEST_TMP/metrics.prom"
ln -s "$VICTIM" "$M.tmp"
agent_start --policy "$TEST_TMP/p.yaml" --metrics-file "$M" || fail "agent did not start"
"$CREDOP" --cgroup "$A" seteuid:1000=ok seteuid:0=ok > /dev/null || fail "credop"
agent_stop
grep -q "^credgate_" "$M" || fail "no metrics written to $M"
[ ! -L "$M" ] || fail "$M is a link"
[ "$(sha256sum < "$VICTIM")" = "$before" ] || fail "the victim file was written: $(cat "$VICTIM")"
log "ok: metrics written to a fresh file, the victim untouched"
cleanup
