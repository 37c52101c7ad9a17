#!/usr/bin/env bash
# run-vm.sh - boot one credgate VM test case under qemu and report its verdict.
#
# Usage: run-vm.sh --kernel VMLINUZ --initrd INITRD --case NAME
#                  [--timeout SECONDS] [--outer-timeout SECONDS] [--log FILE]
#                  [--append EXTRA]... [--lsm LIST] [--smp N] [--mem MIB] [--verbose]
#   --kernel         a bzImage, or a release name (bookworm, trixie) meaning
#                    ${CREDGATE_VM_CACHE:-/var/cache/credgate-vm}/RELEASE/vmlinuz
#   --initrd         initramfs from build-initramfs.sh
#   --case           runs /tests/NAME.sh in the guest (credgate.case=NAME)
#   --timeout        guest-side limit for the case (credgate.timeout), default 120
#   --outer-timeout  host-side limit for the whole qemu run, default timeout+60
#                    (180 with the default --timeout)
#   --log            keep the console here (default: a temporary file, removed)
#   --append         extra kernel command line words (repeatable)
#   --lsm            the lsm= list instead of lockdown,capability,landlock,yama,bpf
#                    (a case that needs SELinux says so in a "# credgate-vm:" line)
#   --smp            virtual CPUs (default 1, or CREDGATE_VM_SMP): with two,
#                    multi-threaded TCG sometimes runs kernel code that the
#                    agent's attach just patched from a stale translation, an
#                    "Oops: int3" (see tests/vm/README.md)
#   --mem            guest memory in MiB (default 1024, or CREDGATE_VM_MEM)
#   --verbose        also stream the console to stderr while it runs
#                    (also: CREDGATE_VM_VERBOSE=1)
#
# Why: the host kernel cannot run BPF LSM programs, so cases run in a
# throw-away qemu guest (TCG: -enable-kvm does not work on the CI machines)
# whose serial console is the only channel back.  The guest's /init (init.sh)
# prints one "CREDGATE-VM-RESULT: ..." line and powers off; qemu runs under
# `timeout` so a stuck guest cannot hang CI.
# The guest boots with panic_on_warn=1 oops=panic and loglevel=5, so that a
# kernel warning or oops is on the console and ends the guest.
# Exit 0 only if the console says "CREDGATE-VM-RESULT: PASS", shows none of
# "Oops:", "BUG:", "WARNING:", "Call Trace" once /init started, and every
# JSON events file the case left (carried out on the console by init.sh)
# matches docs/schemas (tests/tools/validate_events.py, run with Debian's
# /usr/bin/python3 and python3-jsonschema).  Otherwise the
# console (last 400 lines when longer) goes to stderr under a header naming
# the case, the kernel and the reason, and the exit status is 1.  A missing
# kernel, initrd or qemu is an error too (exit 1; 77/"skip" is never used).
# A guest kernel that crashes before /init ran is booted again, at most
# twice (CREDGATE_VM_BOOT_RETRIES), and the summary line says so.
set -euo pipefail

prog=${0##*/}
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }
usage() {
	sed -n '/^# Usage:/,/^#$/s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

kernel='' initrd='' case_name='' timeout=120 outer='' log='' verbose=${CREDGATE_VM_VERBOSE:-0}
lsm=lockdown,capability,landlock,yama,bpf smp=${CREDGATE_VM_SMP:-1} mem=${CREDGATE_VM_MEM:-1024}
extra=()
while [ $# -gt 0 ]; do
	opt=$1
	case $opt in
	--*=*) set -- "${opt%%=*}" "${opt#*=}" "${@:2}"; continue ;;
	--verbose) verbose=1; shift; continue ;;
	-h | --help) usage ;;
	--kernel | --initrd | --case | --timeout | --outer-timeout | --log | --append | --lsm | --smp | --mem)
		[ $# -ge 2 ] || die "$opt needs an argument" ;;
	*) die "unknown argument: $opt" ;;
	esac
	case $opt in
	--kernel) kernel=$2 ;;
	--initrd) initrd=$2 ;;
	--case) case_name=$2 ;;
	--timeout) timeout=$2 ;;
	--outer-timeout) outer=$2 ;;
	--log) log=$2 ;;
	--append) extra+=("$2") ;;
	--lsm) lsm=$2 ;;
	--smp) smp=$2 ;;
	--mem) mem=$2 ;;
	esac
	shift 2
done
if [ -z "$kernel" ] || [ -z "$initrd" ] || [ -z "$case_name" ]; then usage; fi
case $case_name in
*[!A-Za-z0-9_.-]* | .*) die "bad case name '$case_name'" ;;
esac
case $timeout in '' | *[!0-9]* | 0) die "--timeout wants a positive number of seconds" ;; esac
case $lsm in '' | *[!a-z,]*) die "--lsm wants a comma-separated list of LSM names, got '$lsm'" ;; esac
case $smp in '' | *[!0-9]* | 0) die "--smp wants a positive number of CPUs" ;; esac
case $mem in '' | *[!0-9]* | 0*) die "--mem wants a positive number of MiB" ;; esac
[ "$mem" -ge 128 ] && [ "$mem" -le 65536 ] || die "--mem wants 128 to 65536 MiB, got $mem"
outer=${outer:-$((timeout + 60))}
case $outer in '' | *[!0-9]* | 0) die "--outer-timeout wants a positive number of seconds" ;; esac

if [ ! -e "$kernel" ]; then
	case $kernel in
	*/*) ;;
	*) cached=${CREDGATE_VM_CACHE:-/var/cache/credgate-vm}/$kernel/vmlinuz
	   [ -f "$cached" ] && kernel=$cached ;;
	esac
fi
[ -f "$kernel" ] || die "kernel not found: $kernel (run tests/vm/fetch-kernel.sh first)"
[ -f "$initrd" ] || die "initrd not found: $initrd (run tests/vm/build-initramfs.sh first)"

qemu=${CREDGATE_VM_QEMU:-qemu-system-x86_64}
if ! command -v "$qemu" >/dev/null 2>&1; then
	if [ "$qemu" = qemu-system-x86_64 ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		printf '%s: %s missing, installing qemu-system-x86\n' "$prog" "$qemu" >&2
		export DEBIAN_FRONTEND=noninteractive
		{ apt-get install -y -q --no-install-recommends qemu-system-x86 ||
			{ apt-get update -q && apt-get install -y -q --no-install-recommends qemu-system-x86; }; } >&2 || true
	fi
	command -v "$qemu" >/dev/null 2>&1 || die "$qemu not found and could not be installed (apt-get install qemu-system-x86)"
fi

# The guest's events are validated here: Debian's python3 with its jsonschema
# (another python3 on PATH may lack it), checked before booting.
python=/usr/bin/python3
validator=$(cd "$(dirname "$0")/../tools" && pwd)/validate_events.py
[ -f "$validator" ] || die "no $validator"
if ! "$python" -c 'import jsonschema' >/dev/null 2>&1; then
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		printf '%s: python3-jsonschema missing, installing it\n' "$prog" >&2
		export DEBIAN_FRONTEND=noninteractive
		{ apt-get install -y -q --no-install-recommends python3-jsonschema ||
			{ apt-get update -q && apt-get install -y -q --no-install-recommends python3-jsonschema; }; } >&2 || true
	fi
	"$python" -c 'import jsonschema' >/dev/null 2>&1 ||
		die "$python cannot import jsonschema (apt-get install python3-jsonschema): it validates the guest's events"
fi

# Kernel release string: the "version" file fetch-kernel.sh writes next to
# vmlinuz, else the bzImage header (kernel_version pointer at 0x20e, +0x200).
kver=''
[ -r "$(dirname "$kernel")/version" ] && read -r kver <"$(dirname "$kernel")/version"
if [ -z "$kver" ]; then
	off=$(od -An -tu2 -j526 -N2 "$kernel" 2>/dev/null | tr -d ' ') || off=''
	[ -n "$off" ] && [ "$off" -gt 0 ] &&
		kver=$(dd if="$kernel" bs=1 skip=$((off + 512)) count=128 2>/dev/null | tr '\0' '\n' | head -n1 | cut -d' ' -f1)
fi
kdesc="$kernel${kver:+ ($kver)}"

tmplog=''
if [ -z "$log" ]; then
	tmplog=$(mktemp "${TMPDIR:-/tmp}/credgate-vm-$case_name.XXXXXX.log")
	log=$tmplog
fi
evdir=$(mktemp -d "${TMPDIR:-/tmp}/credgate-vm-$case_name.XXXXXX.events")
trap '[ -z "$tmplog" ] || rm -f "$tmplog"; rm -rf "$evdir"' EXIT
mkdir -p "$(dirname "$log")"

# loglevel=5, not quiet: warnings (level 4) reach the console, notices and
# boot chatter do not. A warning or an oops panics, and the panic ends qemu.
cmdline="console=ttyS0 loglevel=5 lsm=$lsm panic=-1 panic_on_warn=1 oops=panic"
cmdline+=" credgate.case=$case_name credgate.timeout=$timeout"
[ ${#extra[@]} -eq 0 ] || cmdline+=" ${extra[*]}"

qemu_cmd=(
	"$qemu" -accel "tcg,thread=multi" -cpu max -m "$mem" -smp "$smp"
	-nographic -no-reboot -nic none
	-kernel "$kernel" -initrd "$initrd" -append "$cmdline"
)
# Console text without CRs and terminal escape sequences (from SeaBIOS).
clean_log() { sed -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\x1b[()][A-Za-z0-9]//g' -e 's/\x1bc//g' "$log"; }

run_qemu() {
	set +e
	if [ "$verbose" = 1 ]; then
		timeout -k 10 "$outer" "${qemu_cmd[@]}" </dev/null 2>&1 | tee "$log" >&2
		qrc=${PIPESTATUS[0]}
	else
		timeout -k 10 "$outer" "${qemu_cmd[@]}" </dev/null >"$log" 2>&1
		qrc=$?
	fi
	set -e
}

# The guest kernel died before /init said its first line, so before anything
# of credgate or of the case ran: multi-threaded TCG now and then trips over
# the kernel patching its own code at boot (an int3 Oops in sched_clock_tick).
# Such a boot is tried again, at most twice, and said so; a crash once the
# case started is a failure like any other.
died_before_init() {
	! clean_log | grep -q 'credgate-vm: kernel ' &&
		clean_log | grep -qE 'Kernel panic - not syncing|Oops:'
}

start=$(date +%s%N)
boots=1
run_qemu
while died_before_init && [ "$boots" -le "${CREDGATE_VM_BOOT_RETRIES:-2}" ]; do
	printf '%s: case %s on %s: the guest kernel crashed while booting, before /init ran (%s); booting again\n' \
		"$prog" "$case_name" "$kdesc" "$(clean_log | grep -m1 -oE '(Oops|Kernel panic).*' | head -c 120)" >&2
	boots=$((boots + 1))
	run_qemu
done
end=$(date +%s%N)
secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
bootnote=''
[ "$boots" = 1 ] || bootnote=" ($boots boots: the kernel crashed while booting before)"

verdict=$(clean_log | sed -n 's/^CREDGATE-VM-RESULT: //p' | tail -n1)

# What the guest kernel said once /init ran (the first line /init prints):
# with panic_on_warn and oops=panic most of it ends the guest, but a
# "BUG: soft lockup" or an RCU stall's "Call Trace" does not, and a case
# must not pass over it.
trouble=$(clean_log | sed -n '/credgate-vm: kernel /,$p' | grep -m1 -E 'Oops:|BUG:|WARNING:|Call Trace' | head -c 200) || trouble=''

# The events files the guest carried out (init.sh's carry_events):
#   CREDGATE-VM-EVENTS-BEGIN N SHA256 BYTES /GUEST/PATH
#   CREDGATE-VM-EV BASE64-OF-GZIP...
#   CREDGATE-VM-EVENTS-END N
#   CREDGATE-VM-EVENTS-COMPACT N BYTES /GUEST/PATH   (compact text: no schema)
#   ...
#   CREDGATE-VM-EVENTS-FILES: COUNT
# decoded under $evdir/guest/GUEST/PATH and checked against their hash, so
# a line the kernel's console output cut into cannot go unnoticed, then all
# validated against docs/schemas.
# Sets events_problem (empty: all good) and events_note.
events_problem='' events_note='' events_report="$evdir/report"
check_events() {
	local count i kind sum bytes path file got json=() compact=0
	count=$(clean_log | sed -n 's/^CREDGATE-VM-EVENTS-FILES: \([0-9]\{1,4\}\)$/\1/p' | tail -n1)
	if [ -z "$count" ]; then
		events_problem="the guest did not list its events files (no CREDGATE-VM-EVENTS-FILES line)"
		return
	fi
	clean_log | awk -v dir="$evdir" '
		/^CREDGATE-VM-EVENTS-BEGIN [0-9]+ [0-9a-f]+ [0-9]+ \// {
			n = $2; out = dir "/" n ".b64"; printf "" > out
			meta = "json " $3 " " $4 " " substr($0, index($0, " /") + 1)
			print meta > (dir "/" n ".meta"); close(dir "/" n ".meta"); inblock = 1; next
		}
		/^CREDGATE-VM-EVENTS-COMPACT [0-9]+ [0-9]+ \// {
			print "compact - " $3 " " substr($0, index($0, " /") + 1) > (dir "/" $2 ".meta")
			close(dir "/" $2 ".meta"); next
		}
		/^CREDGATE-VM-EVENTS-END [0-9]+$/ { if (inblock) close(out); inblock = 0; next }
		inblock && /^CREDGATE-VM-EV [A-Za-z0-9+\/=]+$/ { print $2 > out }
	'
	for ((i = 1; i <= count; i++)); do
		if [ ! -f "$evdir/$i.meta" ]; then
			events_problem="events file $i of $count was not carried out (no CREDGATE-VM-EVENTS-BEGIN $i)"
			return
		fi
		read -r kind sum bytes path <"$evdir/$i.meta"
		case $path in
		/tmp/*) ;;
		*) events_problem="events file $i: unexpected guest path '$path'"; return ;;
		esac
		case $path in
		*[!A-Za-z0-9._/-]* | */../* | */./* | *//*) events_problem="events file $i: unexpected guest path '$path'"; return ;;
		esac
		if [ "$kind" = compact ]; then
			compact=$((compact + 1))
			continue
		fi
		file=$evdir/guest$path
		mkdir -p "$(dirname "$file")"
		if ! base64 -d <"$evdir/$i.b64" 2>/dev/null | gzip -dc >"$file" 2>/dev/null ||
			[ "$(sha256sum <"$file" | cut -d' ' -f1)" != "$sum" ]; then
			got=$(stat -c %s "$file" 2>/dev/null || echo 0)
			events_problem="events file $path ($bytes bytes) did not come out of the guest intact ($got bytes decoded, hash differs): console lines lost or cut?"
			return
		fi
		json+=("${path#/}")
	done
	events_note="$count events files"
	[ "$compact" = 0 ] || events_note+=" ($compact in the compact text format, not JSON)"
	[ ${#json[@]} -gt 0 ] || return 0
	if ! (cd "$evdir/guest" && "$python" "$validator" --allow-empty "${json[@]}") >"$events_report" 2>&1; then
		events_problem="the guest's events do not match docs/schemas: $(grep -m1 -v ' problems$' "$events_report" | head -c 300)"
		return
	fi
	events_note+=", $(sed -n 's/^.*: \([0-9]*\) events (.*), 0 problems$/\1/p' "$events_report" |
		awk '{ n += $1 } END { print n + 0 }') events valid against docs/schemas"
}
[ -z "$verdict" ] || [ "$verdict" = 'FAIL timeout' ] || check_events

if [ "$verdict" = PASS ] && [ -z "$trouble" ] && [ -z "$events_problem" ]; then
	note=''
	[ "$qrc" -eq 0 ] || note=" (warning: qemu exit status $qrc after the verdict)"
	printf '%s: case %s on %s: PASS in %s s%s%s; %s\n' "$prog" "$case_name" "$kdesc" "$secs" "$bootnote" "$note" "$events_note"
	exit 0
fi

case $verdict in
PASS) why="the case passed, but ${events_problem:-the guest kernel reported a problem}" ;;
'FAIL timeout') why="the case was still running after ${timeout} s (guest watchdog)" ;;
'FAIL rc='*) why="the case exited with status ${verdict#FAIL rc=}" ;;
?*) why="unexpected verdict '$verdict'" ;;
*)
	if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
		why="no result line: qemu killed by the host timeout after ${outer} s"
	elif panic=$(clean_log | grep -m1 -o 'Kernel panic - not syncing:.*'); then
		why="no result line: $panic"
	else
		why="no result line (/init crash or qemu error?); qemu exit status $qrc"
	fi
	;;
esac
# The kernel's own report explains a failure best: say it first.
[ -z "$trouble" ] || why="the guest kernel reported \"$trouble\" after /init started; $why"
[ -z "$events_problem" ] || [ "$verdict" = PASS ] || why="$why; also: $events_problem"

logdesc=$log
[ -z "$tmplog" ] || logdesc="temporary file, removed (use --log FILE to keep it)"
# The console as a person reads it: the events' base64 lines only counted.
show_log() {
	clean_log | awk '/^CREDGATE-VM-EV / { n++; next }
		n { printf "(%d lines of encoded events)\n", n; n = 0 } { print }'
}
{
	lines=$(show_log | wc -l)
	printf '\n==== credgate VM test FAILED: case %s on kernel %s\n' "$case_name" "$kdesc"
	printf '==== reason: %s\n' "$why"
	# The case's own words (common.sh's fail), which a long console tail may have pushed out.
	clean_log | grep -a -m3 '^\[test\] FAIL: ' | sed 's/^/==== case said: /' | cut -c1-400 || true
	printf '==== after %s s; initrd %s; console log: %s\n' "$secs" "$initrd" "$logdesc"
	if [ "$lines" -gt 400 ]; then
		printf '==== guest console (last 400 of %s lines):\n' "$lines"
		show_log | tail -n 400
	else
		printf '==== guest console:\n'
		show_log
	fi
	if [ -s "$events_report" ]; then
		printf '==== tests/tools/validate_events.py on the events carried out of the guest:\n'
		head -n 100 "$events_report"
	fi
	printf '==== end of console for case %s on %s (%s)\n' "$case_name" "$kdesc" "$why"
} >&2
printf '%s: case %s on %s: FAIL in %s s%s: %s\n' "$prog" "$case_name" "$kdesc" "$secs" "$bootnote" "$why"
exit 1
