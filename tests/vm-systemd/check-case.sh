#!/bin/sh
# check-case.sh OUT NAME...: the verdict of systemd VM cases from a session
# that run.sh --fixture --out OUT wrote (ctest: vm-systemd.NAME). Prints the
# case's part of the guest console when it failed or did not run.
set -u
out=$1
shift
results=$out/results
console=$out/console.log
if [ ! -f "$results" ]; then
	echo "check-case.sh: no results in $out: the VM session (vm-systemd.session) did not run or failed" >&2
	exit 1
fi
rc=0
for name in "$@"; do
	line=$(awk -v n="$name" '$1 == n' "$results" | tail -n1)
	if [ -z "$line" ]; then
		echo "vm-systemd: case $name did not run; last 60 console lines of the session:" >&2
		tail -n 60 "$console" >&2
		rc=1
		continue
	fi
	status=$(printf '%s\n' "$line" | cut -d' ' -f2)
	secs=$(printf '%s\n' "$line" | cut -d' ' -f3)
	reason=$(printf '%s\n' "$line" | cut -d' ' -f4-)
	if [ "$status" = PASS ]; then
		echo "vm-systemd: $name PASS in $secs s"
		continue
	fi
	rc=1
	{
		echo "vm-systemd: $name FAIL after $secs s: $reason"
		echo "==== guest console of case $name ($console):"
		sed -n "/^CREDGATE-VMS-BEGIN: $name\$/,/^CREDGATE-VMS-CASE: $name /p" "$console"
		echo "==== end of case $name"
	} >&2
done
exit "$rc"
