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
