#!/bin/sh
# readme-command.sh run|test: print one of the two commands on the README's
# first screen, as written there.
#
# The first fenced block of README.md holds exactly two commands (lines that
# are neither empty nor comments): the first runs the agent, the second runs
# every test. .ci/run runs the second and tests/host/readme_run.sh the first,
# so that what a newcomer copies is what is tested. Exit 1 if the block is
# not of that shape.
set -eu
readme="$(dirname "$0")/../README.md"
case ${1:-} in
run) n=1 ;;
test) n=2 ;;
*) echo "usage: ${0##*/} run|test" >&2; exit 2 ;;
esac
# Non-comment, non-empty lines of the first ``` block.
cmds=$(awk '/^```/ { if (inside) exit; inside = 1; next }
	inside && $0 !~ /^[ \t]*(#|$)/ { print }' "$readme")
count=$(printf '%s\n' "$cmds" | grep -c . || true)
if [ "$count" != 2 ]; then
	echo "${0##*/}: README.md's first fenced block should hold exactly 2 commands, found $count:" >&2
	printf '%s\n' "$cmds" >&2
	exit 1
fi
printf '%s\n' "$cmds" | sed -n "${n}p"
