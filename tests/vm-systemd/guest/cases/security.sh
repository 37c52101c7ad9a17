# systemd-analyze security on the running system: the exposure that
# docs/operations.md reports and explains.
. /var/lib/credgate-vmtest/payload/lib.sh
out=$(systemd-analyze security --no-pager "$UNIT" 2>&1) || true
printf '%s\n' "$out" | grep -v '^ *✓'
score=$(printf '%s\n' "$out" | sed -n "s/.*Overall exposure level for $UNIT: \([0-9.]*\).*/\1/p")
[ -n "$score" ] || fail "systemd-analyze security printed no exposure level"
log "exposure level $score (limit $EXPOSURE_MAX)"
awk -v s="$score" -v m="$EXPOSURE_MAX" 'BEGIN { exit !(s <= m) }' ||
	fail "exposure $score is above $EXPOSURE_MAX"

# The control socket: root's alone by default (0600); its directory lets a
# socket group through (0755, only the socket in it), so the socket's own
# mode is what decides.
dir_mode=$(stat -c %a /run/credgate)
[ "$dir_mode" = 755 ] || fail "/run/credgate is mode $dir_mode, not 755"
sock=$(stat -c '%a %U %G' /run/credgate/credgated.sock) || fail "no control socket"
[ "$sock" = "600 root root" ] || fail "the control socket is '$sock', not '600 root root'"
log "control socket 600 root root in a 755 directory"
