#!/bin/sh
# guest-main.sh: the test driver inside the systemd VM. Started by
# credgate-vmtest.service (baked into the image by build-rootfs.sh) on every
# boot, with its output on the serial console.
#
# Boot 1 installs the package and runs the cases that need one boot, then
# prepares a unit ordered after credgate.service and reboots. Boot 2 checks
# what happened at boot, then upgrade and purge. With an empty boot 2 list
# (the container session: install and the ct-* cases) boot 1 is the last. Each case prints
#   CREDGATE-VMS-BEGIN: NAME ... CREDGATE-VMS-END: NAME
#   CREDGATE-VMS-CASE: NAME PASS|FAIL (SECONDS s)[: REASON]
# and the last line of the last boot is CREDGATE-VM-RESULT: PASS|FAIL.
# "CREDGATE-VMS-REBOOT" asks run.sh to boot the same disk again (qemu runs
# with -no-reboot).
P=/var/lib/credgate-vmtest/payload
S=/var/lib/credgate-vmtest/state
export SYSTEMD_COLORS=0 SYSTEMD_PAGER=cat PAGER=cat SYSTEMD_LOG_COLOR=0 DEBIAN_FRONTEND=noninteractive
. "$P/config.sh"
mkdir -p "$S"
boot=$(($(cat "$S/boot" 2>/dev/null || echo 0) + 1))
echo "$boot" >"$S/boot"
sync

now() { cut -d' ' -f1 /proc/uptime; }
say() { echo "CREDGATE-VMS: $*"; }

say "boot $boot: driver started at $(now) s; kernel $(uname -r); $(systemctl --version | head -n1)"
state=$(systemctl is-system-running --wait 2>&1)
say "boot $boot: system $state at $(now) s; $(systemd-analyze time 2>&1 | head -n1)"
[ "$state" = running ] || systemctl --failed --no-legend --plain | sed 's/^/CREDGATE-VMS: failed unit: /'

if [ "$boot" = 1 ]; then
	install -m 0755 "$P/credop" /usr/local/bin/credop
	if [ -f "$P/dropin.conf" ]; then
		# run.sh --dropin: an experiment on the unit, never used by ctest.
		mkdir -p /etc/systemd/system/credgate.service.d
		cp "$P/dropin.conf" /etc/systemd/system/credgate.service.d/50-vmtest-dropin.conf
		say "drop-in for credgate.service:"
		sed 's/^/CREDGATE-VMS:   /' "$P/dropin.conf"
	fi
fi

case $boot in
1) plan=$BOOT1_CASES ;;
2) plan=$BOOT2_CASES ;;
*) plan= ; say "unexpected boot $boot" ;;
esac

for name in $plan; do
	[ -f "$P/cases/$name.sh" ] || { echo "CREDGATE-VMS-CASE: $name FAIL (0 s): no such case"; continue; }
	echo "CREDGATE-VMS-BEGIN: $name"
	t0=$(now)
	rm -f "$S/reason"
	timeout -k 5 "$CASE_TIMEOUT" sh "$P/cases/$name.sh" </dev/null 2>&1
	rc=$?
	t1=$(now)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	echo "CREDGATE-VMS-END: $name"
	if [ "$rc" = 0 ]; then
		echo "CREDGATE-VMS-CASE: $name PASS ($secs s)"
	else
		reason=$(cat "$S/reason" 2>/dev/null)
		[ "$rc" = 124 ] && reason="still running after $CASE_TIMEOUT s${reason:+; $reason}"
		echo "CREDGATE-VMS-CASE: $name FAIL ($secs s): ${reason:-exit status $rc}"
		echo "$name" >>"$S/failed"
	fi
done

# A session whose second list is empty (the container session) ends after
# boot 1: no reboot to pay for.
if [ "$boot" = 1 ] && [ -n "$BOOT2_CASES" ]; then
	say "boot 1 done at $(now) s; rebooting"
	echo "CREDGATE-VMS-REBOOT"
	sync
	systemctl reboot
	exit 0
fi

say "boot $boot done at $(now) s"
if [ -s "$S/failed" ]; then
	echo "CREDGATE-VM-RESULT: FAIL $(tr '\n' ' ' <"$S/failed")"
else
	echo "CREDGATE-VM-RESULT: PASS"
fi
sync
systemctl poweroff
