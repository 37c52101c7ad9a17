# After the reboot, the enabled service was enforcing before a unit ordered
# After=credgate.service ran (credgatetest-bootcheck.service).
. /var/lib/credgate-vmtest/payload/lib.sh
b=credgatetest-bootcheck.service
[ -f "$S/bootcheck.rc" ] || fail "$b did not run at boot ($(prop ActiveState $b)); reboot-prep failed?"
sed 's/^/  bootcheck: /' "$S/bootcheck.out"
[ "$(cat "$S/bootcheck.rc")" = 0 ] || fail "at boot, seteuid(0) in $SLICE was not refused when $b (After=$UNIT) ran"
is_running || fail "$UNIT is not running after the reboot"
ready=$(prop ActiveEnterTimestampMonotonic)
ran=$(prop ExecMainStartTimestampMonotonic $b)
log "credgate ready at ${ready} us, $b started at ${ran} us (monotonic)"
[ "$ready" -gt 0 ] && [ "$ran" -gt "$ready" ] || fail "$b started (${ran} us) before $UNIT was ready (${ready} us)"
[ "$(prop NRestarts)" = 0 ] || fail "the agent restarted $(prop NRestarts) times during boot"
journalctl -b -u "$UNIT" --no-pager -o short-monotonic | sed 's/^/  journal: /' | head -n 30
