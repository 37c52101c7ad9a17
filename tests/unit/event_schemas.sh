#!/bin/sh
# unit.event_schemas: every sample event of test_event_schema validates
# against docs/schemas, and the schemas reject what they claim to: each
# broken case is one valid sample with exactly one change, validated alone;
# its unchanged sample must pass and the changed one must fail with the
# expected error, every problem at the changed field. (A broken event that
# also lacked a required field, or had no known kind, would fail whatever
# the rule under test said.)
#
#   event_schemas.sh TEST_EVENT_SCHEMA VALIDATE_EVENTS_PY OUTPUT_DIR
set -u
bin=$1
validate=$2
out=$3
fail() {
	echo "FAIL: $*"
	exit 1
}
# Debian's python3 (with python3-jsonschema), not another one on PATH.
run_validator() { /usr/bin/python3 "$validate" "$@"; }

"$bin" > "$out/event_samples.json" || fail "test_event_schema failed"
run_validator "$out/event_samples.json" || fail "the samples do not validate"

# CASE|PROBLEM: the problem line the validator must print for the broken
# event (after "FILE:1: "), as a fixed-string prefix of that line.
expectations='uid-type|process_kprobe: process_kprobe/process/uid: '"'1000'"' is not of type '"'integer'"'
verdict-enum|credgate_decision: credgate_decision/verdict: '"'maybe'"' is not one of
exec-id-pattern|process_exec: process_exec/process/exec_id: '"'kind-control-plane:40798876026598:125798'"' does not match
empty-selinux-context|credgate_decision: credgate_decision/process/selinux_context: '"''"' is too short
policy-name-pattern|credgate_decision: credgate_decision/policy_name: '"'credgate:none'"' does not match
unknown-kind|expected exactly one of process_kprobe, credgate_decision, process_exec, credgate_lost, got keys ['"'credgate_gone'"

cases=$("$bin" --list) || fail "test_event_schema --list failed"
for c in $cases; do
	echo "$expectations" | grep -q "^$c|" || fail "case $c has no expected error here"
done
n=0
while IFS='|' read -r c problem; do
	echo "$cases" | grep -qx "$c" || fail "test_event_schema has no case $c"
	base="$out/event_base.$c.json"
	broken="$out/event_broken.$c.json"
	"$bin" --base "$c" > "$base" || fail "$c: no base sample"
	"$bin" --broken "$c" > "$broken" || fail "$c: no broken event"
	[ "$(wc -l < "$broken")" = 1 ] || fail "$c: expected one broken event"
	run_validator "$base" > "$out/event_base.$c.out" ||
		fail "$c: the unchanged sample does not validate: $(cat "$out/event_base.$c.out")"
	if run_validator "$broken" > "$out/event_broken.$c.out"; then
		fail "$c: the broken event validated: $(cat "$broken")"
	fi
	# The event's problems ("FILE:1: ..."), not the file summary lines.
	grep "^$broken:1: " "$out/event_broken.$c.out" | sed "s|^$broken:1: ||" > "$out/event_broken.$c.problems"
	grep -qF -- "$problem" "$out/event_broken.$c.problems" ||
		fail "$c: expected [$problem], the validator said: $(cat "$out/event_broken.$c.out")"
	# Every problem is at the changed field (KIND: PATH: of the expected
	# one; the selinux context breaks both minLength and the pattern), so
	# nothing else about the event is wrong.
	where=$(echo "$problem" | awk -F': ' 'NF > 2 { print $1 ": " $2 ": " }')
	if [ -n "$where" ] && grep -vqF -- "$where" "$out/event_broken.$c.problems"; then
		fail "$c: problems outside $where: $(cat "$out/event_broken.$c.problems")"
	fi
	[ "$(wc -l < "$out/event_broken.$c.problems")" -ge 1 ] || fail "$c: no problem reported"
	echo "ok: $c: $(head -1 "$out/event_broken.$c.problems")"
	n=$((n + 1))
done <<EOF
$expectations
EOF
[ "$n" = "$(echo "$cases" | wc -l)" ] || fail "checked $n cases of $(echo "$cases" | wc -l)"
echo "ok: $n broken events, each rejected for its one change"
