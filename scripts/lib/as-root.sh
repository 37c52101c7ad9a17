# shellcheck shell=sh
# as_root SCRIPT [ARGS...]: make sure the calling script runs as root.
#
# The README's commands are written without "sudo" so that they work as
# given both on a minimal Debian (root, no sudo installed) and for a user
# with sudo. Not root: run SCRIPT again through sudo when sudo is there;
# otherwise say how to become root and exit 1. Root: return and go on.
# Sourced by scripts/run.sh, scripts/test.sh and scripts/install-deps.sh
# before they change directory, so SCRIPT may be relative.
as_root() {
	[ "$(id -u)" = 0 ] && return 0
	script=$1
	shift
	if command -v sudo > /dev/null 2>&1; then
		echo "${script##*/}: not root; running it again through sudo" >&2
		exec sudo -- "$script" "$@"
	fi
	cat >&2 <<MSG
${script##*/}: credgate loads BPF programs and installs packages: run this as root.
sudo is not installed here; become root first, for example with
    su -c '$script${*:+ $*}'
MSG
	exit 1
}
