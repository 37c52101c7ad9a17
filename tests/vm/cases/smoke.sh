#!/bin/sh
# smoke.sh - minimal VM test case: proves the harness and the kernel features
# credgate relies on are there (BPF LSM active, cgroup2 mounted, a process can
# be moved into a new cgroup).  Runs under busybox sh inside the test VM.
set -eu

fail() { echo "smoke: FAIL: $*" >&2; exit 1; }

[ "${CREDGATE_VM:-}" = 1 ] || fail "not running inside the credgate test VM"

lsm=$(cat /sys/kernel/security/lsm) || fail "cannot read /sys/kernel/security/lsm"
echo "smoke: active LSMs: $lsm"
case ",$lsm," in
*,bpf,*) ;;
*) fail "bpf is not in the active LSM list ($lsm)" ;;
esac

[ -f /sys/fs/cgroup/cgroup.controllers ] || fail "/sys/fs/cgroup/cgroup.controllers missing (cgroup2 not mounted?)"
echo "smoke: cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"

cg=/sys/fs/cgroup/smoke
mkdir "$cg" || fail "cannot create cgroup $cg"
sleep 30 &
pid=$!
echo "$pid" >"$cg/cgroup.procs" || fail "cannot move pid $pid into $cg"
grep -qx "$pid" "$cg/cgroup.procs" || fail "pid $pid not listed in $cg/cgroup.procs"
grep -qx '0::/smoke' "/proc/$pid/cgroup" || fail "/proc/$pid/cgroup says: $(cat "/proc/$pid/cgroup")"
echo "smoke: pid $pid is in $(cat "/proc/$pid/cgroup"), cgroup inode $(stat -c %i "$cg")"
kill "$pid"
wait "$pid" 2>/dev/null || true
rmdir "$cg" || fail "cannot remove cgroup $cg"
echo "smoke: ok"
