# kill -9 of the agent leaves the denial in force: the programs, links and
# maps are pinned in /sys/fs/bpf/credgate, so they outlive the process.
# The check must run while no agent runs, in the second (RestartSec=1s)
# before systemd restarts it; under qemu TCG, starting a new process in a
# scope takes longer than that. So a probe waits in credgatetest.slice
# beforehand, and runs credop the moment a FIFO releases it; the check is
# conclusive when credop finished before the new agent was started.
. /var/lib/credgate-vmtest/payload/lib.sh
is_running || fail "$UNIT is not running"
log "pins: $(ls /sys/fs/bpf/credgate 2>&1 | tr '\n' ' ')"
fifo=$S/probe.fifo
rm -f "$fifo" "$S"/probe.*
mkfifo "$fifo"
systemd-run --quiet --collect --unit=credgatetest-probe --slice="$SLICE" sh -c \
	"read go <$fifo; $CREDOP seteuid:1000=ok seteuid:0=EPERM expect-euid:1000 >$S/probe.out 2>&1; echo \$? >$S/probe.rc; cut -d' ' -f1 /proc/uptime >$S/probe.done" ||
	fail "cannot start the probe in $SLICE"
probe_waits() { [ "$(prop ActiveState credgatetest-probe.service)" = active ]; }
wait_until 30 probe_waits || fail "the probe did not start"
pid=$(agent_pid)
kill -9 "$pid" || fail "kill -9 $pid failed"
wait_until 10 test ! -e "/proc/$pid" || fail "pid $pid did not die"
state=$(prop SubState)
echo go >"$fifo"
wait_until 20 test -s "$S/probe.done" || fail "the probe did not finish"
sed 's/^/  probe: /' "$S/probe.out"
wait_running 90 || fail "systemd did not restart the agent after kill -9"
done_us=$(awk '{ printf "%d", $1 * 1000000 }' "$S/probe.done")
new_us=$(prop ExecMainStartTimestampMonotonic)
log "agent killed; SubState $state when the probe ran; probe done at $done_us us, new agent pid $(agent_pid) started at $new_us us"
[ "$done_us" -lt "$new_us" ] ||
	fail "inconclusive: the new agent started (${new_us} us) before the check finished (${done_us} us)"
[ "$(cat "$S/probe.rc")" = 0 ] ||
	fail "after kill -9 of credgated, seteuid(0) in $SLICE was allowed while no agent ran: the enforcement is not pinned (/sys/fs/bpf/credgate: $(ls /sys/fs/bpf/credgate 2>&1 | tr '\n' ' '))"
