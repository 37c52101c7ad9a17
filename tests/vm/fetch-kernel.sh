#!/usr/bin/env bash
# fetch-kernel.sh - download a Debian cloud kernel for the credgate VM tests.
#
# Usage: fetch-kernel.sh [--offline] RELEASE [CACHE_DIR]
#   RELEASE    bookworm (Debian 12, 6.1) or trixie (Debian 13, 6.12)
#   CACHE_DIR  default: ${CREDGATE_VM_CACHE:-/var/cache/credgate-vm}
#   --offline  never touch the network; use the cached kernel or fail
#              (also: CREDGATE_VM_OFFLINE=1)
#
# Why: the build machine's own kernel cannot load BPF LSM programs, so the
# agent is tested inside qemu on the kernels Debian users actually run.  The
# cloud flavour has BPF LSM, BTF, serial console and initramfs support built
# in, so a bare vmlinuz plus a busybox initramfs is enough.
#
# How: both releases go the same way, through a *private* apt configuration
# kept in CACHE_DIR/RELEASE/.apt (own sources.list, lists, cache and an empty
# dpkg status), so the machine's apt configuration and state are never
# modified.  The sources list names RELEASE, RELEASE-updates and
# RELEASE-security of the same archive URIs the machine already uses.  The
# package that linux-image-cloud-amd64 depends on is fetched with
# `apt-get download` and unpacked with `dpkg-deb -x`.  Result:
#   CACHE_DIR/RELEASE/vmlinuz   the kernel image
#   CACHE_DIR/RELEASE/version   kernel release string (uname -r)
#   CACHE_DIR/RELEASE/config    kernel config, if the package ships one
#   CACHE_DIR/RELEASE/package   "PACKAGE VERSION" of the unpacked package
# Each run does one cheap index refresh (conditional HTTP requests thanks to
# the persistent private lists); nothing is downloaded again when the cached
# package version is still current.  When the archive cannot be reached and a
# kernel is cached, the cached one is used with a warning.
# Prints exactly one line on stdout saying which kernel is in the cache.
set -euo pipefail

prog=${0##*/}
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }
warn() { printf '%s: warning: %s\n' "$prog" "$*" >&2; }
usage() {
	sed -n '/^# Usage:/,/^#$/s/^# \{0,1\}//p' "$0" >&2
	exit 2
}

offline=${CREDGATE_VM_OFFLINE:-0}
args=()
while [ $# -gt 0 ]; do
	case $1 in
	--offline) offline=1 ;;
	-h | --help) usage ;;
	--) shift; args+=("$@"); break ;;
	-*) die "unknown option: $1" ;;
	*) args+=("$1") ;;
	esac
	shift
done
if [ ${#args[@]} -lt 1 ] || [ ${#args[@]} -gt 2 ]; then usage; fi
release=${args[0]}
cache_root=${args[1]:-${CREDGATE_VM_CACHE:-/var/cache/credgate-vm}}

case $release in
bookworm | trixie) ;;
*) die "unsupported release '$release' (supported: bookworm, trixie)" ;;
esac

need_tools() {
	# Everything used here is Essential/Priority:required on Debian; install
	# what is missing anyway when we can.
	local missing=() t pkg
	for t in apt-get apt-cache dpkg-deb flock; do
		command -v "$t" >/dev/null 2>&1 && continue
		case $t in
		apt-get | apt-cache) pkg=apt ;;
		dpkg-deb) pkg=dpkg ;;
		flock) pkg=util-linux ;;
		esac
		missing+=("$pkg")
	done
	[ -e /usr/share/keyrings/debian-archive-keyring.gpg ] ||
		missing+=(debian-archive-keyring)
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
		die "missing packages: ${missing[*]} (install them, or run as root)"
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 ||
		{ DEBIAN_FRONTEND=noninteractive apt-get update -q >&2 &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; } ||
		die "could not install: ${missing[*]}"
}

dir=$cache_root/$release
mkdir -p "$dir" || die "cannot create cache directory $dir"

# Serialise concurrent runs for the same release (parallel CI jobs).
exec 9>"$dir/.lock"
flock 9

report() { # $1 = how we got it
	printf '%s: %s kernel %s (%s %s) at %s [%s]\n' "$prog" "$release" \
		"$(cat "$dir/version")" "$pkg_cached" "$ver_cached" "$dir/vmlinuz" "$1"
}

have_cache=0
pkg_cached='' ver_cached=''
if [ -s "$dir/vmlinuz" ] && [ -s "$dir/version" ] && [ -s "$dir/package" ]; then
	read -r pkg_cached ver_cached <"$dir/package" || true
	[ -n "$pkg_cached" ] && [ -n "$ver_cached" ] && have_cache=1
fi

if [ "$offline" = 1 ]; then
	[ "$have_cache" = 1 ] || die "--offline given but no cached $release kernel in $dir"
	report "cached, offline"
	exit 0
fi

need_tools

# --- private apt configuration ----------------------------------------------

# Print "URI SUITE KEYRING" for every enabled deb entry of the machine's
# sources (one-line and deb822 formats).
host_sources() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -r "$f" ] || continue
		awk '
		/^[ \t]*deb[ \t]/ {
			sub(/#.*/, ""); key = "-"; i = 2
			if ($2 ~ /^\[/) {
				for (; i <= NF; i++) {
					if ($i ~ /^\[?signed-by=/) { k = $i; sub(/^\[?signed-by=/, "", k); sub(/\]$/, "", k); key = k }
					if ($i ~ /\]$/) { i++; break }
				}
			}
			if (i + 1 <= NF) print $i, $(i + 1), key
		}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk '
		function flush(   n, m, u, s, a, b) {
			if (types ~ /(^| )deb( |$)/ && enabled !~ /^(no|false)$/) {
				n = split(uris, a, " "); m = split(suites, b, " ")
				for (u = 1; u <= n; u++) for (s = 1; s <= m; s++) print a[u], b[s], (key == "" ? "-" : key)
			}
			types = uris = suites = key = enabled = ""; last = ""
		}
		/^[ \t]*#/ { next }
		/^[ \t]*$/ { flush(); next }
		/^[ \t]/ { if (last == "uris") uris = uris " " $0; else if (last == "suites") suites = suites " " $0; next }
		{
			field = tolower($0); sub(/:.*/, "", field); val = $0; sub(/^[^:]*:[ \t]*/, "", val)
			last = field
			if (field == "types") types = val
			else if (field == "uris") uris = val
			else if (field == "suites") suites = val
			else if (field == "signed-by") key = (val ~ /^\// ? val : "")
			else if (field == "enabled") enabled = tolower(val)
		}
		END { flush() }' "$f"
	done
}

host_codename=$(sed -n 's/^VERSION_CODENAME=["'"'"']\{0,1\}\([a-z]*\).*/\1/p' /etc/os-release 2>/dev/null || true)
main_uri='' main_key='-' sec_uri='' sec_key='-'
while read -r uri suite key; do
	uri=${uri%/}
	case $suite in
	"$host_codename") [ -z "$main_uri" ] && main_uri=$uri main_key=$key ;;
	"$host_codename"-security | "$host_codename"/updates) [ -z "$sec_uri" ] && sec_uri=$uri sec_key=$key ;;
	esac
done < <([ -n "$host_codename" ] && host_sources)
main_uri=${CREDGATE_VM_MIRROR:-${main_uri:-http://deb.debian.org/debian}}
sec_uri=${CREDGATE_VM_SECURITY_MIRROR:-${sec_uri:-http://deb.debian.org/debian-security}}
default_key=/usr/share/keyrings/debian-archive-keyring.gpg
[ "$main_key" != - ] && [ -r "$main_key" ] || main_key=$default_key
[ "$sec_key" != - ] && [ -r "$sec_key" ] || sec_key=$default_key

apt_dir=$dir/.apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/state"
: >"$apt_dir/state/status"
cat >"$apt_dir/sources.list.new" <<SRC
deb [signed-by=$main_key] $main_uri $release main
deb [signed-by=$main_key] $main_uri $release-updates main
deb [signed-by=$sec_key] $sec_uri $release-security main
SRC
if ! cmp -s "$apt_dir/sources.list.new" "$apt_dir/sources.list" 2>/dev/null; then
	mv "$apt_dir/sources.list.new" "$apt_dir/sources.list"
else
	rm -f "$apt_dir/sources.list.new"
fi

apt_opts=(
	-o "Dir::Etc::SourceList=$apt_dir/sources.list"
	-o Dir::Etc::SourceParts=/dev/null
	-o "Dir::State=$apt_dir/state"
	-o "Dir::State::Lists=$apt_dir/lists"
	-o "Dir::State::status=$apt_dir/state/status"
	-o "Dir::Cache=$apt_dir/cache"
	-o Dir::Cache::pkgcache=pkgcache.bin
	-o Dir::Cache::srcpkgcache=
	-o Dir::Etc::Preferences=/dev/null
	-o Dir::Etc::PreferencesParts=/dev/null
	-o APT::Default-Release=
	-o APT::Architecture=amd64
	-o APT::Architectures::=amd64
	-o Acquire::Languages=none
	-o APT::Sandbox::User=root
)
export LC_ALL=C DEBIAN_FRONTEND=noninteractive

work=$(mktemp -d "$dir/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT

if ! apt-get -q "${apt_opts[@]}" update >"$work/update.log" 2>&1 ||
	grep -q '^[WE]: .*\(Failed to fetch\|failed to download\)' "$work/update.log"; then
	if [ "$have_cache" = 1 ]; then
		warn "could not refresh the $release package index (offline?); using the cached kernel"
		sed 's/^/  apt: /' "$work/update.log" | tail -n 5 >&2
		report "cached, not re-checked"
		exit 0
	fi
	sed 's/^/  apt: /' "$work/update.log" >&2
	die "apt-get update for $release from $main_uri failed and no kernel is cached in $dir"
fi

field() { # $1 = package, $2 = field: candidate's field value
	apt-cache "${apt_opts[@]}" --no-all-versions show "$1" 2>/dev/null |
		awk -v f="$2" 'index($0, f ": ") == 1 { print substr($0, length(f) + 3); exit }'
}

meta=linux-image-cloud-amd64
deps=$(field "$meta" Depends)
[ -n "$deps" ] || die "no $meta found in $release ($main_uri); index problem?"
pkg=$(printf '%s\n' "$deps" | tr ',|' '\n' | sed 's/^ *//; s/ .*//' | grep -m1 '^linux-image-.*-cloud-amd64' || true)
[ -n "$pkg" ] || die "cannot find the kernel image package in '$meta' Depends: $deps"
ver=$(field "$pkg" Version)
[ -n "$ver" ] || die "package $pkg (dependency of $meta) has no candidate in $release"

if [ "$have_cache" = 1 ] && [ "$pkg_cached" = "$pkg" ] && [ "$ver_cached" = "$ver" ]; then
	report "cached, up to date"
	exit 0
fi

(cd "$work" && apt-get -q "${apt_opts[@]}" download "$pkg=$ver") >"$work/download.log" 2>&1 || {
	sed 's/^/  apt: /' "$work/download.log" >&2
	die "apt-get download $pkg=$ver failed"
}
deb=$(find "$work" -maxdepth 1 -name '*.deb' -print -quit)
[ -n "$deb" ] || die "apt-get download $pkg=$ver produced no .deb"
mkdir "$work/x"
dpkg-deb -x "$deb" "$work/x" || die "cannot unpack $deb"
vmlinuz=$(find "$work/x/boot" -maxdepth 1 -name 'vmlinuz-*' -print -quit 2>/dev/null || true)
[ -n "$vmlinuz" ] || die "$pkg $ver contains no /boot/vmlinuz-* (a signed-template package?)"
kver=${vmlinuz##*/vmlinuz-}

# Replace the cache contents; the package file goes last so that an
# interrupted update is never mistaken for a complete one.
rm -f "$dir/package"
cp "$vmlinuz" "$dir/vmlinuz.new" && mv -f "$dir/vmlinuz.new" "$dir/vmlinuz"
printf '%s\n' "$kver" >"$dir/version"
if [ -e "$work/x/boot/config-$kver" ]; then
	cp "$work/x/boot/config-$kver" "$dir/config.new" && mv -f "$dir/config.new" "$dir/config"
else
	rm -f "$dir/config"
fi
printf '%s %s\n' "$pkg" "$ver" >"$dir/package"
pkg_cached=$pkg ver_cached=$ver
report "downloaded"
