#!/usr/bin/env bash
# build-rootfs.sh - a minimal Debian 12 root file system image with systemd
# as init, for the credgate systemd VM tests; cached by package versions.
#
# Usage: build-rootfs.sh [--deb CREDGATE_DEB] [--link PATH] [--cache DIR] [--offline]
#   --deb      add the packages the .deb Depends on (names only), so that the
#              guest can `apt-get install ./credgate_*.deb` without a network,
#              and so that a missing Depends shows up as a missing library
#   --link     make PATH a symbolic link to the cached image
#   --cache    default: ${CREDGATE_VM_CACHE:-/var/cache/credgate-vm}
#   --offline  do not refresh the package index; use the newest cached image
#              (also: CREDGATE_VM_OFFLINE=1)
#
# What: mmdebstrap (variant apt: Essential packages and apt) of bookworm,
# bookworm-updates and bookworm-security plus systemd, systemd-sysv, dbus,
# the container runtimes (docker.io, containerd, podman, crun, runc; not
# started at boot), busybox-static, jq and the .deb's dependencies, made into an ext4 image (mkfs.ext4 -d) with:
# multi-user.target as default, a fixed machine-id (no first-boot
# presets), no getty on the serial console and no apt timers, and
# credgate-vmtest.service, which runs the test driver that run.sh writes
# into /var/lib/credgate-vmtest/payload. No kernel and no initramfs: the
# guest boots tests/vm's cloud kernel directly, whose NVMe and ext4 drivers
# are built in.
#
# Cache: CACHE/rootfs-HASH/rootfs.img. HASH covers every package and version
# that would be installed (apt-get --simulate against an empty dpkg status,
# with a private apt configuration: the machine's apt setup is untouched),
# this script and the files it installs. A second run with the same archive
# state reuses the image: one index refresh (conditional requests) and one
# simulation, a few seconds. The two newest images are kept.
# Prints one line on stdout: the image path and whether it was cached.
set -euo pipefail

prog=${0##*/}
here=$(cd "$(dirname "$0")" && pwd)
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "$prog" "$*" >&2; }
usage() { sed -n '/^# Usage:/,/^#$/s/^# \{0,1\}//p' "$0" >&2; exit 2; }

deb='' link='' cache=${CREDGATE_VM_CACHE:-/var/cache/credgate-vm} offline=${CREDGATE_VM_OFFLINE:-0}
while [ $# -gt 0 ]; do
	case $1 in
	--deb) deb=$2; shift ;;
	--link) link=$2; shift ;;
	--cache) cache=$2; shift ;;
	--offline) offline=1 ;;
	-h | --help) usage ;;
	*) die "unknown argument: $1" ;;
	esac
	shift
done

release=bookworm
mirror=${CREDGATE_VM_MIRROR:-http://deb.debian.org/debian}
security=${CREDGATE_VM_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
image_size=${CREDGATE_VM_ROOTFS_SIZE:-3G}

# Packages beyond Essential+apt. dbus: systemctl/systemd-run as on a real
# host, and logind. No udev: nothing here needs device units, and coldplug
# costs seconds under TCG.
# The container cases (guest/cases/ct-*.sh): Debian 12's docker.io (dockerd
# and containerd, which brings ctr and runc), podman with crun and runc,
# busybox-static for the image they build offline, jq to read events and
# `inspect` output. rootfs/customize.sh keeps the daemons from starting at
# boot and configures them for a kernel without modules.
packages=(systemd systemd-sysv dbus docker.io containerd podman crun runc busybox-static jq)

[ "$(id -u)" -eq 0 ] || die "run as root (mmdebstrap --mode=root, mkfs.ext4 -d with ownership)"
need=()
command -v mmdebstrap >/dev/null || need+=(mmdebstrap)
command -v mkfs.ext4 >/dev/null || need+=(e2fsprogs)
[ -r "$keyring" ] || need+=(debian-archive-keyring)
if [ ${#need[@]} -gt 0 ]; then
	note "installing ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >&2 ||
		{ apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >&2; } ||
		die "could not install ${need[*]}"
fi

if [ -n "$deb" ]; then
	# A glob that matched one file (ctest passes credgate_*.deb unexpanded).
	for f in $deb; do deb=$f; done
	[ -f "$deb" ] || die "no such package: $deb"
	# "libbpf1 (>= 1:0.6.0), libc6 (>= 2.34) | foo" -> libbpf1 libc6
	while read -r p; do
		[ -n "$p" ] && packages+=("$p")
	done < <(dpkg-deb -f "$deb" Depends Pre-Depends | tr ',' '\n' | sed -e 's/^[A-Za-z-]*: //' -e 's/|.*//' -e 's/(.*)//' -e 's/:any//' -e 's/ //g')
fi
mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)

mkdir -p "$cache"
exec 9>"$cache/.rootfs.lock"
flock 9

link_and_report() { # $1 image, $2 how
	if [ -n "$link" ]; then
		mkdir -p "$(dirname "$link")"
		ln -sfn "$1" "$link"
	fi
	printf '%s: %s [%s]\n' "$prog" "$1" "$2"
}

if [ "$offline" = 1 ]; then
	newest=$(ls -1td "$cache"/rootfs-*/rootfs.img 2>/dev/null | head -n1 || true)
	[ -n "$newest" ] || die "--offline and no cached root file system in $cache"
	link_and_report "$newest" "cached, offline, not re-checked"
	exit 0
fi

# --- What would be installed: a private apt configuration --------------------
apt_dir=$cache/.rootfs-apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/state"
: >"$apt_dir/state/status"
sources="deb [signed-by=$keyring] $mirror $release main
deb [signed-by=$keyring] $mirror $release-updates main
deb [signed-by=$keyring] $security $release-security main"
printf '%s\n' "$sources" >"$apt_dir/sources.list"
apt_opts=(
	-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o "Dir::State=$apt_dir/state" -o "Dir::State::Lists=$apt_dir/lists"
	-o "Dir::State::status=$apt_dir/state/status" -o "Dir::Cache=$apt_dir/cache"
	-o Dir::Cache::pkgcache=pkgcache.bin -o Dir::Cache::srcpkgcache=
	-o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null
	-o APT::Architecture=amd64 -o APT::Architectures::=amd64 -o Acquire::Languages=none
	-o APT::Install-Recommends=false -o APT::Sandbox::User=root
)
export LC_ALL=C DEBIAN_FRONTEND=noninteractive
if ! apt-get -q "${apt_opts[@]}" update >"$apt_dir/update.log" 2>&1 ||
	grep -q '^[WE]: ' "$apt_dir/update.log"; then
	sed 's/^/  apt: /' "$apt_dir/update.log" | tail -n 8 >&2
	newest=$(ls -1td "$cache"/rootfs-*/rootfs.img 2>/dev/null | head -n1 || true)
	[ -n "$newest" ] || die "cannot refresh the $release package index from $mirror and nothing is cached"
	note "warning: cannot refresh the package index; using the newest cached image"
	link_and_report "$newest" "cached, not re-checked"
	exit 0
fi
# Essential packages, as mmdebstrap --variant=apt installs them.
mapfile -t essential < <(apt-cache "${apt_opts[@]}" dumpavail |
	awk '/^Package: /{p=$2} /^Essential: yes/{print p}' | sort -u)
[ ${#essential[@]} -gt 10 ] || die "found no Essential packages in the $release index"
manifest=$(apt-get -s "${apt_opts[@]}" install apt "${essential[@]}" "${packages[@]}" 2>&1 |
	awk '/^Inst /{ v=$3; gsub(/[()]/, "", v); print $2, v }' | sort -u) ||
	die "cannot resolve the package list"
[ -n "$manifest" ] || die "apt-get --simulate installed nothing; index problem?"
key=$(
	{
		printf '%s\n' "$manifest"
		printf 'packages: %s\nsize: %s\n' "${packages[*]}" "$image_size"
		sha256sum "$0" "$here"/rootfs/* | cut -d' ' -f1
	} | sha256sum | cut -c1-16
)
dir=$cache/rootfs-$key
img=$dir/rootfs.img
if [ -s "$img" ] && [ -s "$dir/manifest" ]; then
	touch "$dir"
	link_and_report "$img" "cached, up to date"
	exit 0
fi

# --- Build ---------------------------------------------------------------------
note "building $img: $(printf '%s\n' "$manifest" | wc -l) packages (${packages[*]} and Essential)"
start=$(date +%s)
work=$(mktemp -d "$cache/.rootfs-build.XXXXXX")
trap 'rm -rf "$work"' EXIT
include=$(IFS=,; echo "${packages[*]}")
mmdebstrap --mode=root --variant=apt --format=directory --quiet \
	--include="$include" \
	--aptopt='Acquire::Languages "none"' \
	--customize-hook="$here/rootfs/customize.sh \"\$1\" \"$here/rootfs\"" \
	"$release" "$work/root" \
	"deb [signed-by=$keyring] $mirror $release main" \
	"deb [signed-by=$keyring] $mirror $release-updates main" \
	"deb [signed-by=$keyring] $security $release-security main" >&2 ||
	die "mmdebstrap failed"
chroot "$work/root" dpkg-query -W -f '${Package} ${Version}\n' | sort >"$work/manifest.installed"
mkfs.ext4 -q -F -L credgate-root -m 0 -d "$work/root" "$work/rootfs.img" "$image_size" >&2 ||
	die "mkfs.ext4 -d failed"
mkdir -p "$dir"
mv "$work/manifest.installed" "$dir/packages"
mv "$work/rootfs.img" "$img"
printf '%s\n' "$manifest" >"$dir/manifest"
note "built in $(($(date +%s) - start)) s ($(du -h --apparent-size "$img" | cut -f1) image, $(du -h "$img" | cut -f1) used)"

# Keep the two newest images.
ls -1td "$cache"/rootfs-*/ 2>/dev/null | tail -n +3 | xargs -r rm -rf
link_and_report "$img" "built"
