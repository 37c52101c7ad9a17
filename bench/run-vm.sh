#!/bin/sh
# The benchmark on the BPF LSM path: bench/run.sh inside a Debian cloud
# kernel under qemu (TCG), for each of bookworm (6.1) and trixie (6.12).
# TCG emulates the CPU, so absolute times mean little; the ratios compare
# configurations on the same emulated machine, in the same run.
#
#   bench/run-vm.sh [BUILD_DIR]     (default: build)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
initrd=$build/tests/vm/initramfs.cpio.gz
[ -f "$initrd" ] || { echo "run-vm.sh: build first ($initrd missing)" >&2; exit 1; }
for release in bookworm trixie; do
	"$here/../tests/vm/fetch-kernel.sh" "$release" > /dev/null
	log=$(mktemp)
	"$here/../tests/vm/run-vm.sh" --kernel "$release" --initrd "$initrd" --case bench \
		--timeout 900 --log "$log" > /dev/null 2>&1 || { echo "bench failed in the $release VM:"; tail -40 "$log"; rm -f "$log"; exit 1; }
	sed -n '/^credgate benchmark:/,/  audited/p' "$log" | tr -d '\r'
	rm -f "$log"
done
