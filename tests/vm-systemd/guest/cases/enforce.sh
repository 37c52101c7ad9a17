# A policy in /etc/credgate/policies.d denies in its cgroup: seteuid(0) from
# euid 1000 fails with EPERM in credgatetest.slice, and nowhere else.
. /var/lib/credgate-vmtest/payload/lib.sh
setup_anchors
write_policy "$POLICY_DIR/50-vmtest.yaml" vmtest-enforce enforce "/$SLICE" '  setuid:
    deny:
      - to: 0'
in_slice "$SLICE" seteuid:1000=ok seteuid:0=ok || fail "seteuid(0) was refused in $SLICE before any policy governs it"
c=$(cursor)
systemctl restart "$UNIT" || fail "systemctl restart $UNIT failed"
is_running || fail "not running after restart"
log "STATUS=$(prop StatusText)"
expect_uid_denied || fail "seteuid(0) in $SLICE was not refused with EPERM"
"$CREDOP" seteuid:1000=ok seteuid:0=ok || fail "seteuid(0) outside $SLICE was refused"
# The denial is reported, on standard output, so in the journal.
wait_until 10 journal_has "$c" '"verdict":"denied"' || fail "no denied event in the journal"
journal_since "$c" | grep '"verdict":"denied"' | grep -q '"policy_name":"vmtest-enforce"' ||
	fail "the denied event does not name policy vmtest-enforce"
log "denied event: $(journal_since "$c" | grep -m1 '"verdict":"denied"' | cut -c1-300)"
