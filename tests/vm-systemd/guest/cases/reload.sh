# systemctl reload (ExecReload=credgatectl reload) puts a new policy file
# in force without restarting the agent.
. /var/lib/credgate-vmtest/payload/lib.sh
require_credgatectl
pid=$(agent_pid)
write_policy "$POLICY_DIR/51-vmtest-gid.yaml" vmtest-gid enforce "/$SLICE/$SUBSLICE" '  setgid:
    deny:
      - to: 0'
in_slice "$SUBSLICE" setegid:1000=ok setegid:0=ok || fail "setegid(0) refused in $SUBSLICE before the reload"
c=$(cursor)
out=$(systemctl reload "$UNIT" 2>&1) || fail "systemctl reload failed: $out"
journal_since "$c" | sed 's/^/  journal: /'
[ "$(agent_pid)" = "$pid" ] || fail "reload restarted the agent (pid $pid -> $(agent_pid))"
is_running || fail "not running after reload"
in_slice "$SUBSLICE" setegid:1000=ok setegid:0=EPERM || fail "the reloaded policy vmtest-gid does not deny setegid(0) in $SUBSLICE"
expect_uid_denied || fail "vmtest-enforce is no longer in force after the reload"
log "STATUS=$(prop StatusText)"
