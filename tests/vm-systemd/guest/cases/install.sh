# apt-get install ./credgate_*.deb on a Debian 12 system without network:
# every dependency is already installed (build-rootfs.sh adds the .deb's
# Depends), so a missing or wrong Depends fails here or at run time. The
# maintainer scripts enable and start the service (Debian convention).
. /var/lib/credgate-vmtest/payload/lib.sh
deb=$(ls "$P"/credgate_*.deb 2>/dev/null | head -n1)
[ -n "$deb" ] || fail "no credgate_*.deb in the payload"
log "apt-get install $(basename "$deb")"
apt-get install -q -y --no-install-recommends "$deb" 2>&1 || fail "apt-get install $(basename "$deb") failed"
dpkg-query -W -f='${Status}\n' credgate | grep -q 'install ok installed' || fail "credgate is not installed after apt-get install"
dpkg-query -W -f='${Depends}\n' credgate | sed 's/^/  Depends: /'

conffiles=$(dpkg-query -W -f='${Conffiles}\n' credgate)
for f in /etc/credgate/credgate.yaml /etc/credgate/policies.d/00-audit-containers.yaml; do
	[ -f "$f" ] || fail "$f not installed"
	echo "$conffiles" | grep -q " $f " || fail "$f is not a conffile of the package (dpkg-query -W -f='\${Conffiles}' credgate)"
done
for f in /usr/sbin/credgated /lib/systemd/system/credgate.service /usr/share/man/man8/credgated.8.gz \
	/usr/share/doc/credgate/operations.md /usr/share/doc/credgate/copyright; do
	[ -e "$f" ] || fail "$f not installed"
done
dpkg -L credgate >"$S/files.list"

# Debian convention: installed means enabled and started.
[ "$(systemctl is-enabled "$UNIT")" = enabled ] || fail "postinst did not enable $UNIT ($(systemctl is-enabled "$UNIT"))"
wait_running 90 || fail "postinst did not start $UNIT (ActiveState=$(prop ActiveState) SubState=$(prop SubState))"
log "installed, enabled and running: STATUS=$(prop StatusText)"
