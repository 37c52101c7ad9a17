# dpkg --purge leaves nothing behind but the policy files the administrator
# added: no package file, no unit or enablement link, no runtime, log or
# bpf pin directory, no agent, and nothing enforces any more.
. /var/lib/credgate-vmtest/payload/lib.sh
[ -s "$S/files.list" ] || fail "no file list saved at install"
dpkg --purge credgate 2>&1 || fail "dpkg --purge credgate failed"
dpkg-query -W -f='${Status}\n' credgate 2>/dev/null | grep -q 'ok installed' && fail "credgate still installed"
left=
while read -r f; do
	[ -d "$f" ] && continue
	[ -e "$f" ] && left="$left $f"
done <"$S/files.list"
[ -z "$left" ] || fail "files of the package left after purge:$left"
admin="$POLICY_DIR/50-vmtest.yaml $POLICY_DIR/51-vmtest-gid.yaml"
extra=$(find /etc/credgate -type f 2>/dev/null | sort | while read -r f; do
	case " $admin " in *" $f "*) ;; *) echo "$f" ;; esac
done)
[ -z "$extra" ] || fail "left in /etc/credgate besides the administrator's policies: $extra"
[ -f "$POLICY_DIR/50-vmtest.yaml" ] || fail "purge removed the administrator's own policy file"
for p in /run/credgate /var/log/credgate /sys/fs/bpf/credgate /lib/systemd/system/credgate.service \
	/etc/systemd/system/multi-user.target.wants/credgate.service \
	/var/lib/systemd/deb-systemd-helper-enabled/credgate.service.dsh-also \
	/var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/credgate.service \
	/var/lib/systemd/deb-systemd-helper-masked/credgate.service /etc/systemd/system/credgate.service; do
	[ -e "$p" ] || [ -L "$p" ] && fail "$p is left after purge"
done
for c in /proc/[0-9]*/comm; do
	[ "$(cat "$c" 2>/dev/null)" = credgated ] && fail "a credgated process still runs: ${c%/comm}"
done
in_slice "$SLICE" seteuid:1000=ok seteuid:0=ok || fail "seteuid(0) is still refused in $SLICE after purge: something still enforces"
log "left in /etc/credgate: $(find /etc/credgate 2>/dev/null | tr '\n' ' ')"
