# WatchdogSec=30s: the agent sends WATCHDOG=1 from its main loop, so
# systemd sees it alive (WatchdogTimestamp moves) and never kills it.
. /var/lib/credgate-vmtest/payload/lib.sh
wait_running 30 || fail "$UNIT is not running"
[ "$(prop WatchdogUSec)" = 30s ] || fail "WatchdogUSec=$(prop WatchdogUSec), expected 30s"
w0=$(prop WatchdogTimestampMonotonic)
moved() { [ "$(prop WatchdogTimestampMonotonic)" != "$w0" ]; }
wait_until 20 moved || fail "no WATCHDOG=1 from credgated within 20 s (WatchdogTimestamp stays at $w0): with WatchdogSec=30s systemd kills it after 30 s; the main loop must send WATCHDOG=1 at least every 15 s"
log "watchdog: WatchdogTimestampMonotonic $w0 -> $(prop WatchdogTimestampMonotonic)"
if journalctl -b -u "$UNIT" --no-pager -o cat | grep -q 'Watchdog timeout'; then
	fail "systemd killed the agent for a watchdog timeout during this boot"
fi
