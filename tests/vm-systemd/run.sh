#!/usr/bin/env bash
# run.sh - boot the credgate package in a Debian 12 VM with systemd as PID 1
# and run the systemd cases; report per case.
#
# Usage: run.sh --deb CREDGATE_DEB --credop CREDOP [--rootfs IMAGE] [--kernel K]
#               [--out DIR] [--cases "BOOT1 CASES" "BOOT2 CASES"] [--one-boot "CASES"]
#               [--dropin FILE]
#               [--boot-timeout S] [--fixture] [--verbose]
#   --deb        the package under test (cpack -G DEB)
#   --credop     tests/progs' credop, the process that changes credentials
#   --rootfs     ext4 image from build-rootfs.sh (default: build or reuse the
#                cached one for this .deb)
#   --kernel     bzImage path or release: bookworm (6.1, the default) or
#                trixie (6.12), from tests/vm's fetch-kernel.sh cache,
#                fetched when missing
#   --out        results: DIR/results (NAME STATUS SECONDS REASON), DIR/console.log
#                (default: a temporary directory, kept only on failure)
#   --cases      override the case lists of boot 1 and boot 2
#   --one-boot   run these cases in one boot and power off (no boot 2):
#                the container session (install ct-images ct-docker ...)
#   --dropin     an extra drop-in for credgate.service (experiments only)
#   --boot-timeout  host-side limit per boot (default 600 s)
#   --fixture    exit 0 whenever the guest finished (per-case verdicts are in
#                DIR/results, for check-case.sh); exit 1 only if it did not
#   --verbose    stream the console to stderr (also CREDGATE_VM_VERBOSE=1)
#
# How: a private sparse copy of the cached image per run (the cache is never
# written); debugfs writes the payload (the .deb, credop, guest/ scripts) into
# /var/lib/credgate-vmtest/payload, which credgate-vmtest.service runs at
# every boot. qemu runs under TCG (-enable-kvm fails on the CI machines) with
# -no-reboot and lsm=...,bpf; the root file system is an NVMe disk (built
# into the cloud kernel, no initramfs). The guest's "reboot" ends qemu, and
# run.sh boots the same disk again. Exit status: 0 when every case passed
# (or, with --fixture, when the guest finished); otherwise 1, with the
# console (last 400 lines) on stderr.
set -euo pipefail

prog=${0##*/}
here=$(cd "$(dirname "$0")" && pwd)
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }
usage() { sed -n '/^# Usage:/,/^#$/s/^# \{0,1\}//p' "$0" >&2; exit 2; }

deb='' credop='' rootfs='' kernel=bookworm out='' dropin='' boot_timeout=600 fixture=0
verbose=${CREDGATE_VM_VERBOSE:-0}
boot1="install enable-start security enforce reload-sighup reload reload-broken kill9 restart watchdog reboot-prep"
boot2="boot-enforcing upgrade purge"
while [ $# -gt 0 ]; do
	case $1 in
	--deb) deb=$2; shift ;;
	--credop) credop=$2; shift ;;
	--rootfs) rootfs=$2; shift ;;
	--kernel) kernel=$2; shift ;;
	--out) out=$2; shift ;;
	--cases) boot1=$2; boot2=$3; shift 2 ;;
	--one-boot) boot1=$2; boot2=''; shift ;;
	--dropin) dropin=$2; shift ;;
	--boot-timeout) boot_timeout=$2; shift ;;
	--fixture) fixture=1 ;;
	--verbose) verbose=1 ;;
	-h | --help) usage ;;
	*) die "unknown argument: $1" ;;
	esac
	shift
done
[ -n "$deb" ] && [ -n "$credop" ] || usage
# A glob that matched one file (ctest passes credgate_*.deb unexpanded).
for f in $deb; do deb=$f; done
[ -f "$deb" ] || die "package not found: $deb (build it: cpack -G DEB in the build directory)"
[ -x "$credop" ] || die "credop not found: $credop"
[ -z "$dropin" ] || [ -f "$dropin" ] || die "drop-in not found: $dropin"
[ "$(id -u)" -eq 0 ] || die "run as root (build-rootfs.sh needs it)"
for t in qemu-system-x86_64 debugfs; do
	command -v "$t" >/dev/null || die "$t not found (apt-get install qemu-system-x86 e2fsprogs)"
done

cache=${CREDGATE_VM_CACHE:-/var/cache/credgate-vm}
if [ ! -f "$kernel" ]; then
	[ -f "$cache/$kernel/vmlinuz" ] || "$here/../vm/fetch-kernel.sh" "$kernel" >&2 ||
		die "no $kernel kernel (tests/vm/fetch-kernel.sh $kernel)"
	kernel=$cache/$kernel/vmlinuz
fi
kver=$(cat "$(dirname "$kernel")/version" 2>/dev/null || echo '?')
if [ -z "$rootfs" ]; then
	rootfs=$("$here/build-rootfs.sh" --deb "$deb" | sed -n 's/^build-rootfs.sh: \(.*\) \[.*\]$/\1/p')
	[ -n "$rootfs" ] || die "build-rootfs.sh failed"
fi
[ -f "$rootfs" ] || die "root file system image not found: $rootfs (build-rootfs.sh; a link to a pruned image?)"
rootfs=$(readlink -f "$rootfs")

keep_out=1
if [ -z "$out" ]; then
	out=$(mktemp -d "${TMPDIR:-/tmp}/credgate-vm-systemd.XXXXXX")
	keep_out=0
fi
mkdir -p "$out"
rm -f "$out/results" "$out"/console*.log
work=$(mktemp -d "${TMPDIR:-/tmp}/credgate-vm-systemd-disk.XXXXXX")
trap 'rm -rf "$work"; [ "$keep_out" = 1 ] || [ "${failed:-1}" = 1 ] || rm -rf "$out"' EXIT

# --- The disk: a private copy of the cached image, plus the payload -----------
t_start=$(date +%s.%N)
cp --sparse=always "$rootfs" "$work/disk.img"
pay=$work/payload
mkdir -p "$pay/cases"
cp "$here"/guest/*.sh "$pay/"
cp "$here"/guest/cases/*.sh "$pay/cases/"
cp "$deb" "$pay/"
cp "$credop" "$pay/credop"
[ -z "$dropin" ] || cp "$dropin" "$pay/dropin.conf"
cat >"$pay/config.sh" <<EOF
BOOT1_CASES="$boot1"
BOOT2_CASES="$boot2"
CASE_TIMEOUT=${CREDGATE_VMS_CASE_TIMEOUT:-180}
EXPOSURE_MAX=${CREDGATE_EXPOSURE_MAX:-1.7}
EOF
{
	base=/var/lib/credgate-vmtest/payload
	echo "mkdir $base/cases"
	(cd "$pay" && find . -type f | sort) | while read -r f; do
		echo "write $pay/${f#./} $base/${f#./}"
	done
} >"$work/debugfs.cmds"
debugfs -w -f "$work/debugfs.cmds" "$work/disk.img" >"$work/debugfs.log" 2>&1 ||
	{ cat "$work/debugfs.log" >&2; die "debugfs could not write the payload into the image"; }
if grep -qi 'error\|could not\|not found' "$work/debugfs.log"; then
	cat "$work/debugfs.log" >&2
	die "debugfs could not write the payload into the image"
fi

# --- Boot, and boot again while the guest asks for it ------------------------
qemu_cmd=(
	qemu-system-x86_64 -accel "tcg,thread=multi" -cpu max -m "${CREDGATE_VM_MEM:-1024}"
	-smp "${CREDGATE_VM_SMP:-2}" -nographic -no-reboot -nic none
	-kernel "$kernel"
	-append "console=ttyS0 root=/dev/nvme0n1 rw lsm=lockdown,capability,landlock,yama,bpf panic=-1 quiet"
	-drive "file=$work/disk.img,format=raw,if=none,id=root,cache=unsafe"
	-device nvme,serial=credgate-root,drive=root
)
clean() { sed -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b[()][A-Za-z0-9]//g' -e 's/\x1bc//g' "$@"; }
boot=0 why=''
while :; do
	boot=$((boot + 1))
	log=$out/console-$boot.log
	t0=$(date +%s.%N)
	set +e
	if [ "$verbose" = 1 ]; then
		timeout -k 10 "$boot_timeout" "${qemu_cmd[@]}" </dev/null 2>&1 | tee "$log" >&2
		qrc=${PIPESTATUS[0]}
	else
		timeout -k 10 "$boot_timeout" "${qemu_cmd[@]}" </dev/null >"$log" 2>&1
		qrc=$?
	fi
	set -e
	t1=$(date +%s.%N)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	ready=$(clean "$log" | sed -n 's/^CREDGATE-VMS: boot [0-9]*: system .* at \([0-9.]*\) s;.*/\1/p' | head -n1)
	printf '%s: boot %d: %s s in qemu%s\n' "$prog" "$boot" "$secs" "${ready:+, systemd up ${ready} s after kernel start}" >&2
	if clean "$log" | grep -q '^CREDGATE-VM-RESULT: '; then
		break
	fi
	if [ "$(clean "$log" | grep '^CREDGATE-VMS-' | tail -n1)" = CREDGATE-VMS-REBOOT ] && [ "$boot" -lt 3 ]; then
		continue
	fi
	if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
		why="boot $boot: qemu killed by the host timeout after $boot_timeout s"
	elif p=$(clean "$log" | grep -m1 -o 'Kernel panic - not syncing:.*'); then
		why="boot $boot: $p"
	else
		why="boot $boot: the guest stopped without a result line (qemu exit status $qrc)"
	fi
	break
done
for i in $(seq 1 "$boot"); do clean "$out/console-$i.log"; done >"$out/console.log"
t_end=$(date +%s.%N)
total=$(awk -v a="$t_start" -v b="$t_end" 'BEGIN { printf "%.1f", b - a }')

# --- Results ---------------------------------------------------------------------
sed -n 's/^CREDGATE-VMS-CASE: \([^ ]*\) \(PASS\|FAIL\) (\([0-9.]*\) s)\(: \)\{0,1\}\(.*\)$/\1 \2 \3 \5/p' \
	"$out/console.log" >"$out/results"
verdict=$(sed -n 's/^CREDGATE-VM-RESULT: //p' "$out/console.log" | tail -n1)
printf '%s: kernel %s, %s\n' "$prog" "$kver" "$(basename "$deb")"
while read -r name status secs reason; do
	printf '  %-16s %s  %6s s  %s\n' "$name" "$status" "$secs" "$reason"
done <"$out/results"
printf '%s: %s in %s s (%d boots)%s\n' "$prog" "${verdict:-no result}" "$total" "$boot" "${why:+: $why}"

failed=1
if [ "$verdict" = PASS ]; then
	failed=0
	exit 0
fi
if [ "$fixture" = 1 ] && [ -n "$verdict" ]; then
	# The cases ran; check-case.sh reports each one.
	failed=0
	exit 0
fi
{
	lines=$(wc -l <"$out/console.log")
	printf '\n==== credgate systemd VM test FAILED on %s (%s)\n' "$kernel" "$kver"
	printf '==== %s\n' "${why:-cases failed: ${verdict#FAIL }}"
	printf '==== console logs in %s\n' "$out"
	if [ "$lines" -gt 400 ]; then
		printf '==== guest console (last 400 of %s lines):\n' "$lines"
		tail -n 400 "$out/console.log"
	else
		printf '==== guest console:\n'
		cat "$out/console.log"
	fi
	printf '==== end of console (%s)\n' "${why:-cases failed: ${verdict#FAIL }}"
} >&2
exit 1
