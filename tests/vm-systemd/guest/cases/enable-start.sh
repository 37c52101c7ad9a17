# systemctl enable --now credgate starts the agent, and returns only once
# it reported READY=1: programs attached and every policy in the maps.
. /var/lib/credgate-vmtest/payload/lib.sh
systemctl disable --now "$UNIT" || fail "systemctl disable --now failed"
[ "$(systemctl is-enabled "$UNIT")" = disabled ] || fail "still enabled after disable"
[ "$(prop ActiveState)" = inactive ] || fail "still $(prop ActiveState) after disable --now"
[ "$(prop Type)" = notify ] || fail "Type=$(prop Type), expected notify"

c=$(cursor)
t0=$(now)
systemctl enable --now "$UNIT" || fail "systemctl enable --now $UNIT failed"
t1=$(now)
[ "$(systemctl is-enabled "$UNIT")" = enabled ] || fail "not enabled after enable --now"
# Type=notify: enable --now returns after READY=1, so it is running now.
is_running || fail "enable --now returned but the unit is $(prop ActiveState)/$(prop SubState)"
status=$(prop StatusText)
[ -n "$status" ] || fail "no STATUS= line from the agent"
log "started in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s; STATUS=$status"
journal_since "$c" | sed 's/^/  journal: /'
# READY=1 came after the programs were attached: systemd's "Started" line
# follows the agent's "enforcement:" line.
journal_since "$c" | awk '/enforcement:/ { e = NR } /Started .*credgate/ { s = NR } END { exit !(e && s && e < s) }' ||
	fail "the journal does not show 'enforcement: ...' before systemd's 'Started credgate'"
journal_has "$c" "enforcement: bpf-lsm" || fail "the agent did not choose bpf-lsm (lsm= has bpf in this VM)"
