#!/usr/bin/env bash
# build-initramfs.sh - build the initramfs that the credgate test VM boots.
#
# Usage: build-initramfs.sh OUT.cpio.gz [--bin FILE...] [--file SRC:DEST...]
#                           [--tests DIR] [--init FILE]
#   --bin FILE      copy FILE to /bin/<basename> with every shared library it
#                   needs (ldd) and the dynamic loader, at their own paths
#   --file SRC:DEST copy SRC (file or directory) to DEST; DEST ending in /
#                   means DEST/<basename of SRC>
#   --tests DIR     test case scripts, copied to /tests (default: the cases/
#                   directory next to this script)
#   --init FILE     the /init to use (default: init.sh next to this script)
#   Each option takes one or more arguments and may be repeated.
#
# Why: the VM has no disk, only this gzip'd newc cpio archive: busybox-static
# (with applet symlinks at their usual paths), the binaries under test and
# their libraries, the test cases and an /init that runs one case and powers
# off (see init.sh).  The layout is merged-/usr like Debian (/bin, /sbin,
# /lib, /lib64 are symlinks into /usr), so /lib64/ld-linux-x86-64.so.2 and
# /lib/x86_64-linux-gnu/... resolve as on the host.  Later sources win:
# busybox applets < libraries < --bin < --file < /init.
# The archive is reproducible: sorted entries, owner 0:0, fixed mtimes
# (SOURCE_DATE_EPOCH, default 0) and `gzip -n`; /dev/console is written as a
# hand-made cpio entry, so no root privileges or mknod are needed.
set -euo pipefail

prog=${0##*/}
here=$(cd "$(dirname "$0")" && pwd)
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }
usage() {
	sed -n '/^# Usage:/,/^#$/s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

out=''
bins=() files=()
tests_dir=$here/cases
init=$here/init.sh
mode=''
while [ $# -gt 0 ]; do
	case $1 in
	--bin | --file) mode=${1#--} ;;
	--bin=*) bins+=("${1#--bin=}"); mode=bin ;;
	--file=*) files+=("${1#--file=}"); mode='file' ;;
	--tests) [ $# -ge 2 ] || usage; tests_dir=$2; shift; mode='' ;;
	--tests=*) tests_dir=${1#--tests=}; mode='' ;;
	--init) [ $# -ge 2 ] || usage; init=$2; shift; mode='' ;;
	--init=*) init=${1#--init=}; mode='' ;;
	-h | --help) usage ;;
	-*) die "unknown option: $1" ;;
	*)
		case $mode in
		bin) bins+=("$1") ;;
		file) files+=("$1") ;;
		*) [ -z "$out" ] || die "unexpected argument: $1"; out=$1 ;;
		esac
		;;
	esac
	shift
done
[ -n "$out" ] || usage
[ -d "$tests_dir" ] || die "tests directory not found: $tests_dir"
[ -f "$init" ] || die "init script not found: $init"

# --- tools ------------------------------------------------------------------
busybox=${CREDGATE_VM_BUSYBOX:-/bin/busybox}
is_static() { ! ldd "$1" 2>/dev/null | grep -q '=>\|ld-linux'; }
missing=()
{ [ -x "$busybox" ] && is_static "$busybox"; } || missing+=(busybox-static)
command -v cpio >/dev/null 2>&1 || missing+=(cpio)
command -v gzip >/dev/null 2>&1 || missing+=(gzip)
command -v ldd >/dev/null 2>&1 || missing+=(libc-bin)
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" -eq 0 ] || die "missing packages: ${missing[*]} (install them, or run as root)"
	export DEBIAN_FRONTEND=noninteractive
	{ apt-get install -y -q --no-install-recommends "${missing[@]}" ||
		{ apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; }; } >&2 ||
		die "could not install: ${missing[*]}"
	busybox=/bin/busybox
	{ [ -x "$busybox" ] && is_static "$busybox"; } || die "$busybox is not a static busybox"
fi

stage=$(mktemp -d "${TMPDIR:-/tmp}/credgate-initramfs.XXXXXX")
trap 'rm -rf "$stage"' EXIT
root=$stage/root
mkdir -p "$root"

# --- skeleton (merged /usr) -------------------------------------------------
mkdir -p "$root"/usr/bin "$root"/usr/sbin "$root"/usr/lib/x86_64-linux-gnu "$root"/usr/lib64
ln -s usr/bin "$root/bin"
ln -s usr/sbin "$root/sbin"
ln -s usr/lib "$root/lib"
ln -s usr/lib64 "$root/lib64"
for d in dev proc sys tmp run root mnt etc/credgate-vm tests var; do
	mkdir -p "$root/$d"
done
ln -s ../run "$root/var/run"
ln -s ../tmp "$root/var/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
: >"$root/etc/fstab"
ln -s ../proc/self/mounts "$root/etc/mtab"

# put SRC DEST: copy a file (dereferenced) to DEST inside the image,
# replacing whatever is there (never writing through an applet symlink).
put() {
	mkdir -p "$root$(dirname "$2")"
	rm -rf "${root:?}$2"
	cp -L "$1" "$root$2"
}

# --- busybox and applets ----------------------------------------------------
put "$busybox" /usr/bin/busybox
chmod 0755 "$root/usr/bin/busybox"
while read -r applet; do
	case $applet in '' | */busybox | linuxrc | */init) continue ;; esac
	a=usr/${applet#usr/}                # bin/x -> usr/bin/x (merged /usr)
	[ -e "$root/$a" ] || [ -L "$root/$a" ] && continue
	mkdir -p "$root/$(dirname "$a")"
	ln -s /usr/bin/busybox "$root/$a"
done < <("$busybox" --list-full | LC_ALL=C sort)

# --- binaries and their libraries -------------------------------------------
std_libdirs=' /lib /usr/lib /lib64 /usr/lib64 /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu '
extra_libdirs=()
for b in ${bins[@]+"${bins[@]}"}; do
	[ -f "$b" ] || die "--bin: no such file: $b"
	if ldd_out=$(LC_ALL=C ldd "$b" 2>&1); then :; else
		case $ldd_out in
		*'not a dynamic executable'*) ldd_out='' ;;
		*) die "ldd $b failed: $ldd_out" ;;
		esac
	fi
	if grep -q 'not found' <<<"$ldd_out"; then
		die "--bin $b: unresolved libraries: $(grep 'not found' <<<"$ldd_out" | tr -s ' \t' ' ')"
	fi
	# "libx.so.1 => /path/libx.so.1 (0x..)" and "/lib64/ld-linux-x86-64.so.2 (0x..)"
	while read -r lib; do
		[ -n "$lib" ] || continue
		[ -e "$lib" ] || die "--bin $b: library $lib does not exist"
		put "$lib" "$lib"
		chmod 0755 "$root$lib"
		libdir=$(dirname "$lib")
		case $std_libdirs in
		*" $libdir "*) ;;
		*) extra_libdirs+=("$libdir") ;;
		esac
	done < <(sed -n 's/^.*=> \(\/[^ ]*\) (0x.*$/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (0x.*$/\1/p' <<<"$ldd_out")
	put "$b" "/usr/bin/$(basename "$b")"
	chmod 0755 "$root/usr/bin/$(basename "$b")"
done
if [ ${#extra_libdirs[@]} -gt 0 ]; then
	printf '%s\n' "${extra_libdirs[@]}" | LC_ALL=C sort -u | paste -sd: >"$root/etc/credgate-vm/ld-library-path"
fi

# --- extra files --------------------------------------------------------------
for spec in ${files[@]+"${files[@]}"}; do
	case $spec in *:/*) ;; *) die "--file wants SRC:/ABSOLUTE/DEST, got '$spec'" ;; esac
	src=${spec%:*} dest=${spec##*:}
	[ -e "$src" ] || die "--file: no such file: $src"
	case $dest in */) dest=$dest$(basename "$src") ;; esac
	if [ -d "$src" ]; then
		mkdir -p "$root$(dirname "$dest")"
		rm -rf "${root:?}$dest"
		cp -RL "$src" "$root$dest"
	else
		put "$src" "$dest"
	fi
done

# --- tests and init -----------------------------------------------------------
cp -RL "$tests_dir/." "$root/tests/"
put "$init" /init
chmod 0755 "$root/init"

# --- normalise and archive ----------------------------------------------------
epoch=${SOURCE_DATE_EPOCH:-0}
find "$root" -type d -exec chmod 0755 {} +
chmod 1777 "$root/tmp"
find "$root" -type f ! -perm /111 -exec chmod 0644 {} +
find "$root" -type f -perm /111 -exec chmod 0755 {} +
find "$root" -exec touch -h -d "@$epoch" {} +

# newc entry for /dev/console (char 5:1), which the kernel opens for init's
# stdin/stdout/stderr before /init runs; written by hand so that building
# needs no mknod.  The kernel unpacks concatenated archives.
newc() { # name mode rdevmajor rdevminor ino
	local name=$1 namesize=$((${#1} + 1)) hdr
	hdr=$(printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		"$5" "$2" 0 0 1 "$epoch" 0 0 0 "$3" "$4" "$namesize" 0)
	printf '%s%s\0' "$hdr" "$name"
	# header (110) + name + NUL, padded to a multiple of 4
	head -c $(((4 - (110 + namesize) % 4) % 4)) /dev/zero
}
{
	newc dev $((0040755)) 0 0 1
	newc dev/console $((0020600)) 5 1 2
	newc TRAILER!!! 0 0 0 0
	(cd "$root" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0 --reproducible)
} >"$stage/initramfs.cpio"
mkdir -p "$(dirname "$out")"
gzip -n -6 <"$stage/initramfs.cpio" >"$out.tmp.$$"
mv -f "$out.tmp.$$" "$out"
printf '%s: %s (%s bytes, %s bins, %s files, %s cases)\n' "$prog" "$out" "$(stat -c %s "$out")" \
	"${#bins[@]}" "${#files[@]}" "$(find "$root/tests" -maxdepth 1 -name '*.sh' | wc -l)"
