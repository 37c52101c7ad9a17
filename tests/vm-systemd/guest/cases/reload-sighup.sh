# SIGHUP (systemctl kill -s HUP) re-reads the policy directory. A broken
# file is refused with its file and line in the journal, and the policy in
# force stays. A good reload puts the next generation in force: a rule it
# adds (setgid to 4242 in the slice) is refused after it and not before,
# and once the rule is taken out again it stops applying.
. /var/lib/credgate-vmtest/payload/lib.sh
require_credgatectl

# The generation in force, from credgatectl status ("..., generation N, ...").
generation() { credgatectl status | sed -n 's/^policy: .*, generation \([0-9][0-9]*\),.*/\1/p'; }
# hup_to GENERATION: SIGHUP, then wait for the journal line of that very
# generation (any earlier "policy:" line would not do).
hup_to() {
	_c=$(cursor)
	systemctl kill -s HUP --kill-who=main "$UNIT" || fail "systemctl kill -s HUP failed"
	wait_until 30 journal_has "$_c" "policy: .*, generation $1\$" ||
		fail "no 'policy: ... generation $1' in the journal after SIGHUP: $(journal_since "$_c" | tail -n 5)"
	[ "$(generation)" = "$1" ] || fail "credgatectl status says generation $(generation), not $1"
}

pid=$(agent_pid)
gen=$(generation)
[ -n "$gen" ] || fail "no policy generation in credgatectl status: $(credgatectl status 2>&1)"
c=$(cursor)
write_broken_policy
systemctl kill -s HUP --kill-who=main "$UNIT" || fail "systemctl kill -s HUP failed"
wait_until 30 journal_has "$c" "stays in force" || fail "no 'previous policy stays in force' in the journal after SIGHUP"
journal_since "$c" | sed 's/^/  journal: /'
journal_has "$c" "52-broken.yaml:$BROKEN_LINE:" || fail "the journal does not name 52-broken.yaml:$BROKEN_LINE"
wait_running 30 || fail "not running after the failed reload: $(prop ActiveState)/$(prop SubState)"
[ "$(agent_pid)" = "$pid" ] || fail "the agent was restarted (pid $pid -> $(agent_pid)); a reload must not restart"
[ "$(generation)" = "$gen" ] || fail "the failed reload changed the generation ($gen -> $(generation))"
expect_uid_denied || fail "the previous policy is not in force after the failed reload"

# The good reload: the broken file gone, and vmtest-enforce given a second
# rule (a second policy on the same slice would need a priority, and would
# take the slice from vmtest-enforce).
rm -f "$BROKEN_FILE"
in_slice "$SLICE" setegid:4242=ok expect-egid:4242 || fail "setegid(4242) refused in $SLICE before the reload"
cp "$POLICY_DIR/50-vmtest.yaml" "$S/50-vmtest.yaml.orig" || fail "cannot save 50-vmtest.yaml"
write_policy "$POLICY_DIR/50-vmtest.yaml" vmtest-enforce enforce "/$SLICE" '  setuid:
    deny:
      - to: 0
  setgid:
    deny:
      - to: 4242'
hup_to $((gen + 1))
wait_running 30 || fail "not running after the reload"
[ "$(agent_pid)" = "$pid" ] || fail "the agent was restarted by the good reload (pid $pid -> $(agent_pid))"
in_slice "$SLICE" setegid:4242=EPERM expect-egid:0 || fail "the rule SIGHUP put in force does not deny setegid(4242) in $SLICE"
"$CREDOP" setegid:4242=ok expect-egid:4242 || fail "setegid(4242) outside $SLICE was refused"
expect_uid_denied || fail "vmtest-enforce's uid rule is not in force after the good reload"
log "ok: generation $((gen + 1)) denies setegid(4242) in $SLICE"

# The rule taken out again: the next generation no longer has it (and the
# later cases find 50-vmtest.yaml as the enforce case wrote it).
cp "$S/50-vmtest.yaml.orig" "$POLICY_DIR/50-vmtest.yaml" || fail "cannot restore 50-vmtest.yaml"
hup_to $((gen + 2))
in_slice "$SLICE" setegid:4242=ok expect-egid:4242 || fail "setegid(4242) still refused after its rule was removed"
expect_uid_denied || fail "vmtest-enforce is not in force after the last reload"
