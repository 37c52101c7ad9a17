# SIGHUP (systemctl kill -s HUP) re-reads the policy directory. A broken
# file is refused with its file and line in the journal, and the policy in
# force stays.
. /var/lib/credgate-vmtest/payload/lib.sh
pid=$(agent_pid)
c=$(cursor)
write_broken_policy
systemctl kill -s HUP --kill-who=main "$UNIT" || fail "systemctl kill -s HUP failed"
wait_until 30 journal_has "$c" "stays in force" || fail "no 'previous policy stays in force' in the journal after SIGHUP"
journal_since "$c" | sed 's/^/  journal: /'
journal_has "$c" "52-broken.yaml:$BROKEN_LINE:" || fail "the journal does not name 52-broken.yaml:$BROKEN_LINE"
wait_running 30 || fail "not running after the failed reload: $(prop ActiveState)/$(prop SubState)"
[ "$(agent_pid)" = "$pid" ] || fail "the agent was restarted (pid $pid -> $(agent_pid)); a reload must not restart"
expect_uid_denied || fail "the previous policy is not in force after the failed reload"
rm -f "$BROKEN_FILE"
c=$(cursor)
systemctl kill -s HUP --kill-who=main "$UNIT"
wait_until 30 journal_has "$c" "policy:" || fail "no new policy generation after SIGHUP with the broken file removed"
wait_running 30 || fail "not running after the reload"
expect_uid_denied || fail "policy not in force after the good reload"
