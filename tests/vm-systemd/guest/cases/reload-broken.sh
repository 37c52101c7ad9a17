# systemctl reload with a broken file fails (non-zero), the journal says
# why with file and line, and the old policy stays in force.
. /var/lib/credgate-vmtest/payload/lib.sh
require_credgatectl
pid=$(agent_pid)
c=$(cursor)
write_broken_policy
if out=$(systemctl reload "$UNIT" 2>&1); then
	rm -f "$BROKEN_FILE"
	fail "systemctl reload succeeded with a broken policy file"
fi
log "systemctl reload failed, as it must: $out"
journal_since "$c" | sed 's/^/  journal: /'
journal_has "$c" "52-broken.yaml:$BROKEN_LINE:" || fail "the journal does not name 52-broken.yaml:$BROKEN_LINE"
wait_running 30 || fail "not running after the failed reload: $(prop ActiveState)/$(prop SubState)"
[ "$(agent_pid)" = "$pid" ] || fail "the agent was restarted (pid $pid -> $(agent_pid))"
expect_uid_denied || fail "the old policy (vmtest-enforce) is not in force after the failed reload"
if [ -f "$POLICY_DIR/51-vmtest-gid.yaml" ]; then
	in_slice "$SUBSLICE" setegid:1000=ok setegid:0=EPERM || fail "the old policy (vmtest-gid) is not in force after the failed reload"
fi
rm -f "$BROKEN_FILE"
out=$(systemctl reload "$UNIT" 2>&1) || fail "systemctl reload failed after the broken file was removed: $out"
