#!/bin/sh
# Install everything credgate needs to build, run and test on Debian 12, from
# Debian's archive only. Idempotent; run as root.
set -eu

PACKAGES="
cmake make gcc clang llvm pkg-config
libbpf-dev libelf-dev zlib1g-dev libyaml-dev libsystemd-dev libcmocka-dev bpftool
jq valgrind python3 python3-jsonschema libjson-c-dev
qemu-system-x86 busybox-static cpio
systemd
dpkg-dev lintian man-db mmdebstrap e2fsprogs debian-archive-keyring
auditd selinux-policy-default
"

# auditd: ausearch, to read the USER_AVC records of tests/host/selinux_audit_records.sh
# (the test registers its own reader; no audit daemon needs to run).
# selinux-policy-default: its postinst builds the binary reference policy
# (/etc/selinux/default/policy/policy.*) that the SELinux VM cases load into a
# guest kernel booted with selinux=1. Installing it changes nothing on a host
# that does not boot with SELinux.

. "$(dirname "$0")/lib/as-root.sh"
as_root "$0" "$@"
missing=
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "install-deps.sh: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing > /dev/null
fi
echo "install-deps.sh: all build, run and test dependencies are installed"
