#!/bin/sh
# init.sh - /init (PID 1) of the credgate test VM; copied into the initramfs
# by build-initramfs.sh and run by busybox sh.
#
# Why: each VM boot runs exactly one test case and must always end with one
# machine-readable verdict and a power-off, even when the case hangs, so that
# run-vm.sh (on the host) can decide pass/fail from the serial console alone.
#
# What it does:
#   - mounts proc, sysfs, devtmpfs, devpts, securityfs, bpffs, tracefs,
#     debugfs (when the kernel has them), tmpfs on /tmp, /run, /dev/shm and
#     cgroup2 directly on /sys/fs/cgroup;
#   - reads credgate.case=NAME and credgate.timeout=SECONDS (default 120)
#     from /proc/cmdline and runs `sh /tests/NAME.sh` with stdout/stderr on
#     the console, stdin from /dev/null, cwd /tmp, PATH=/bin:/sbin:/usr/bin:
#     /usr/sbin and CREDGATE_VM=1, CREDGATE_VM_CASE=NAME exported;
#   - once the case ended, prints every events file it left under /tmp
#     (events.json and rotated events.json.N) between markers, gzip'd and
#     base64-encoded, then "CREDGATE-VM-EVENTS-FILES: COUNT" (carry_events):
#     run-vm.sh validates them on the host, which has python3-jsonschema;
#   - prints exactly one line "CREDGATE-VM-RESULT: PASS",
#     "CREDGATE-VM-RESULT: FAIL rc=N" or "CREDGATE-VM-RESULT: FAIL timeout",
#     then `poweroff -f`.
# No `set -e`: PID 1 must not exit early (if it ever does, the kernel panics
# and panic=-1 plus qemu -no-reboot still end the VM).

PATH=/bin:/sbin:/usr/bin:/usr/sbin
HOME=/root
CREDGATE_VM=1
export PATH HOME CREDGATE_VM
umask 022

say() { echo "credgate-vm: $*"; }

have_fs() { grep -qw "$1" /proc/filesystems 2>/dev/null; }

# mnt FSTYPE DIR [OPTIONS]
mnt() {
	mkdir -p "$2" 2>/dev/null
	if [ -n "${3:-}" ]; then
		mount -t "$1" -o "$3" "$1" "$2" 2>/dev/null
	else
		mount -t "$1" "$1" "$2" 2>/dev/null
	fi || { say "warning: cannot mount $1 on $2"; return 1; }
}

mnt proc /proc
mnt sysfs /sys
mnt devtmpfs /dev
# Re-open the console from devtmpfs (the initramfs only has a bare node).
exec </dev/console >/dev/console 2>&1
mnt devpts /dev/pts
mnt tmpfs /dev/shm mode=1777
mnt tmpfs /tmp mode=1777
mnt tmpfs /run mode=0755
mnt securityfs /sys/kernel/security
mnt bpf /sys/fs/bpf mode=0700
if have_fs tracefs; then mnt tracefs /sys/kernel/tracing; fi
if have_fs debugfs; then mnt debugfs /sys/kernel/debug; fi
mnt cgroup2 /sys/fs/cgroup
ip link set lo up 2>/dev/null
hostname credgate-vm 2>/dev/null

if [ -s /etc/credgate-vm/ld-library-path ]; then
	LD_LIBRARY_PATH=$(cat /etc/credgate-vm/ld-library-path)
	export LD_LIBRARY_PATH
fi

case_name=
timeout=120
read -r cmdline </proc/cmdline
set -f
for arg in $cmdline; do
	case $arg in
	credgate.case=*) case_name=${arg#credgate.case=} ;;
	credgate.timeout=*) timeout=${arg#credgate.timeout=} ;;
	esac
done
set +f
case $timeout in
'' | *[!0-9]*)
	say "warning: bad credgate.timeout='$timeout', using 120"
	timeout=120
	;;
esac
CREDGATE_VM_CASE=$case_name
export CREDGATE_VM_CASE

# result VERDICT: print the verdict once (the watchdog and the main path may
# race; mkdir is atomic), wait for the console to drain, power off.
result() {
	mkdir /run/credgate-vm-result 2>/dev/null || return 0
	echo
	echo "CREDGATE-VM-RESULT: $*"
	# stty sets the mode with TCSADRAIN: returns once the UART has sent it all.
	stty onlcr </dev/console 2>/dev/null
	sync
	poweroff -f
	sleep 5
	exit 1
}

# carry_events: the case's events files, for run-vm.sh to check against
# docs/schemas (nothing here can). Each one as
#   CREDGATE-VM-EVENTS-BEGIN N SHA256 BYTES PATH
#   CREDGATE-VM-EV <base64 of the gzip'd file, 76 characters a line>...
#   CREDGATE-VM-EVENTS-END N
# and then the count, so that the host can tell a file lost on the way.
# A file in the compact text format (--output compact: each line starts
# with the time), which has no schema, is only named:
#   CREDGATE-VM-EVENTS-COMPACT N BYTES PATH
# Anything else is carried, so that a broken JSON file is seen broken.
carry_events() {
	n=0
	find /tmp -type f \( -name events.json -o -name 'events.json.[0-9]*' \) 2>/dev/null | sort >/run/credgate-vm-events
	while read -r f; do
		n=$((n + 1))
		if head -n 1 "$f" | grep -qE '^([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z|-) '; then
			echo "CREDGATE-VM-EVENTS-COMPACT $n $(wc -c <"$f") $f"
			continue
		fi
		sum=$(sha256sum <"$f") && sum=${sum%% *}
		echo "CREDGATE-VM-EVENTS-BEGIN $n $sum $(wc -c <"$f") $f"
		gzip -c <"$f" | base64 | sed 's/^/CREDGATE-VM-EV /'
		echo "CREDGATE-VM-EVENTS-END $n"
	done </run/credgate-vm-events
	echo "CREDGATE-VM-EVENTS-FILES: $n"
}

lsm=$(cat /sys/kernel/security/lsm 2>/dev/null)
say "kernel $(uname -r), lsm=${lsm:-?}, case=${case_name:-?}, timeout=${timeout}s"

case $case_name in
'')
	say "error: no credgate.case=NAME on the kernel command line"
	result "FAIL rc=2"
	;;
*[!A-Za-z0-9_.-]* | .*)
	say "error: bad case name '$case_name'"
	result "FAIL rc=2"
	;;
esac
if [ ! -f "/tests/$case_name.sh" ]; then
	say "error: no /tests/$case_name.sh in the initramfs; cases present:"
	ls /tests 2>&1
	result "FAIL rc=127"
fi

# With more than one vCPU (run-vm.sh --smp; the default is one), hold the
# raw syscall tracepoints enabled for the whole boot, with a filter that
# records nothing. Attaching the agent's first syscall program turns on the
# sys_enter (sys_exit) tracepoint's static key, and the kernel patches the
# jump in syscall_trace_enter with text_poke_bp's int3 sequence;
# multi-threaded TCG sometimes lets the other vCPU run a stale translation
# holding the int3 after the patch is done, and the guest panics ("Oops:
# int3"; real CPUs are serialised by text_poke_bp's IPIs). With these keys
# already on, that site is not patched. Other keys still flip (perf's in
# __schedule, say), so this lowers the chance, it does not remove it: that
# is why guests have one vCPU (tests/vm/README.md).
hold_syscall_tracepoints() {
	events=/sys/kernel/tracing/events/raw_syscalls
	[ "$(grep -c '^processor' /proc/cpuinfo)" -gt 1 ] || return 0
	for ev in sys_enter sys_exit; do
		if ! { echo 'id == -1' >"$events/$ev/filter" && echo 1 >"$events/$ev/enable"; } 2>/dev/null; then
			say "warning: cannot hold raw_syscalls/$ev enabled: the agent's attach patches kernel text under TCG"
		fi
	done
}
hold_syscall_tracepoints

cd /tmp || cd /
say "running /tests/$case_name.sh"
sh "/tests/$case_name.sh" </dev/null &
pid=$!
(
	sleep "$timeout"
	echo
	say "case $case_name still running after ${timeout}s: giving up"
	result "FAIL timeout"
) &
watchdog=$!
wait "$pid"
rc=$?
kill "$watchdog" 2>/dev/null
echo
carry_events
if [ "$rc" -eq 0 ]; then
	result "PASS"
else
	result "FAIL rc=$rc"
fi
