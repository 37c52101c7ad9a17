# systemd restarts a killed agent (Restart=always, RestartSec=1s), and the
# new one enforces.
. /var/lib/credgate-vmtest/payload/lib.sh
wait_running 30 || fail "$UNIT is not running"
pid=$(agent_pid)
n0=$(prop NRestarts)
t0=$(now)
kill -9 "$pid" || fail "kill -9 $pid failed"
wait_until 90 sh -c "[ \"\$(systemctl show -p MainPID --value $UNIT)\" != $pid ] && [ \"\$(systemctl show -p SubState --value $UNIT)\" = running ]" ||
	fail "systemd did not restart the agent within 90 s after kill -9 (state $(prop ActiveState)/$(prop SubState))"
t1=$(now)
n1=$(prop NRestarts)
[ "$n1" = $((n0 + 1)) ] || fail "NRestarts went from $n0 to $n1, expected $((n0 + 1))"
log "restarted as pid $(agent_pid) in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s; NRestarts=$n1; STATUS=$(prop StatusText)"
expect_uid_denied || fail "the restarted agent does not enforce vmtest-enforce"
