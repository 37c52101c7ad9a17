# Upgrade (reinstalling the package): the administrator's change to a
# conffile is kept without a prompt, the agent is restarted on the new
# binary, and it enforces again.
. /var/lib/credgate-vmtest/payload/lib.sh
deb=$(ls "$P"/credgate_*.deb | head -n1)
conf=/etc/credgate/credgate.yaml
echo "# changed by the administrator (credgate VM test)" >>"$conf"
sum=$(sha256sum "$conf")
pid=$(agent_pid)
apt-get install -q -y --reinstall --no-install-recommends "$deb" 2>&1 || fail "apt-get install --reinstall failed"
[ "$(sha256sum "$conf")" = "$sum" ] || fail "the upgrade overwrote the administrator's $conf"
ls /etc/credgate/*.dpkg-* /etc/credgate/policies.d/*.dpkg-* 2>/dev/null && fail "dpkg left .dpkg-* files: it saw a conffile conflict"
wait_running 90 || fail "$UNIT is not running after the upgrade"
[ "$(agent_pid)" != "$pid" ] || fail "postinst did not restart the agent (still pid $pid)"
[ "$(systemctl is-enabled "$UNIT")" = enabled ] || fail "the upgrade changed is-enabled to $(systemctl is-enabled "$UNIT")"
expect_uid_denied || fail "not enforcing after the upgrade"
log "upgraded: pid $pid -> $(agent_pid); STATUS=$(prop StatusText)"
