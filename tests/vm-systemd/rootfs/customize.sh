#!/bin/sh
# customize.sh ROOT FILES: mmdebstrap's customize hook (build-rootfs.sh).
# Makes ROOT boot quickly and quietly to multi-user.target under qemu and
# run the test driver that run.sh puts into the image.
set -eu
root=$1 files=$2

echo credgate-vm >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tcredgate-vm\n' >"$root/etc/hosts"
# A fixed machine id: every boot of every run is not a "first boot", so no
# preset-all and no machine-id commit.
echo 6372656467617465766d746573743031 >"$root/etc/machine-id"
# The root file system comes from the kernel command line (root=, rw).
echo '# the root file system is given on the kernel command line' >"$root/etc/fstab"
ln -sf /lib/systemd/system/multi-user.target "$root/etc/systemd/system/default.target"

# Nothing that waits for devices udev would announce (no udev here), logs
# in on the console, or runs apt behind the test's back.
for unit in serial-getty@ttyS0.service getty@tty1.service getty.target \
	apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer \
	e2scrub_all.timer e2scrub_reap.service fstrim.timer; do
	ln -sf /dev/null "$root/etc/systemd/system/$unit"
done

# The test driver: runs whatever run.sh wrote into the payload directory.
install -m 0644 "$files/credgate-vmtest.service" "$root/etc/systemd/system/credgate-vmtest.service"
mkdir -p "$root/etc/systemd/system/multi-user.target.wants" "$root/var/lib/credgate-vmtest/payload"
ln -sf /etc/systemd/system/credgate-vmtest.service \
	"$root/etc/systemd/system/multi-user.target.wants/credgate-vmtest.service"

# Smaller image: no package lists or downloaded packages.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb

# Container runtimes (the ct-* cases). The cloud kernel's overlay, bridge,
# veth and netfilter code are modules, and the image has none (it boots two
# kernels): docker uses vfs storage with no bridge and no iptables, podman
# vfs, ctr the native snapshotter (CONTAINERD_SNAPSHOTTER in the cases), and
# every container runs with no network. The daemons do not start at boot:
# the other cases do not pay for them, and the container cases start them.
mkdir -p "$root/etc/docker" "$root/etc/containers"
install -m 0644 "$files/docker-daemon.json" "$root/etc/docker/daemon.json"
install -m 0644 "$files/containers-storage.conf" "$root/etc/containers/storage.conf"
for unit in docker.service docker.socket containerd.service podman.socket podman.service \
	podman-restart.service podman-auto-update.timer podman-auto-update.service; do
	if [ -e "$root/lib/systemd/system/$unit" ]; then
		chroot "$root" systemctl disable --quiet "$unit"
	fi
done
