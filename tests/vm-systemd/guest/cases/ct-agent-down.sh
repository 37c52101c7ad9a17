# A container started while the agent is stopped is governed once the agent
# reports ready (systemctl start returns at READY=1): in each runtime, one
# container is created, an enforcing policy written for its id, and it is
# started while credgate.service is stopped (the hook and the wrapper find
# no agent; the identity mode last published is none, so they let it
# start); setuid(0) works in it then (nothing governs it), and fails with
# EPERM after the agent's start, with a denied event.
. /var/lib/credgate-vmtest/payload/ctlib.sh
ct_setup_agent
for r in $CT_RUNTIMES; do ct_image "$r"; done
systemctl stop "$UNIT" || fail "systemctl stop $UNIT failed"
w=$CT/down
rm -rf "$w"
trap 'rm -f "$POLICY_DIR"/61-ct-*-down.yaml; systemctl reload "$UNIT"' EXIT
mkdir -p "$w"
for r in $CT_RUNTIMES; do
	(
		id=$(ct_create "$r" "vmt-$r-down") && [ -n "$id" ] || exit 1
		echo "$id" >"$w/$r.id"
		ct_policy "$POLICY_DIR/61-ct-$r-down.yaml" "vmtest-ct-$r-down" enforce "container: $id"
		ct_start "$r" "$id" || exit 2
		ct_exec "$r" "$id" seteuid:1000=ok setuid:0=ok expect-euid:0 || exit 3
	) >"$w/$r.log" 2>&1 &
	echo $! >"$w/$r.pid"
done
for r in $CT_RUNTIMES; do
	wait "$(cat "$w/$r.pid")"
	rc=$?
	sed "s/^/  $r: /" "$w/$r.log"
	case $rc in
	0) ;;
	1) fail "$r: cannot create a container while the agent is stopped" ;;
	2) fail "$r: cannot start a container while the agent is stopped" ;;
	*) fail "$r: setuid(0) refused in a container while the agent is stopped and no loaded policy selects it" ;;
	esac
done
c=$(cursor)
systemctl start "$UNIT" || fail "systemctl start $UNIT failed"
is_running || fail "$UNIT is not running after start"
log "agent ready: STATUS=$(prop StatusText)"
for r in $CT_RUNTIMES; do
	id=$(cat "$w/$r.id")
	ct_exec "$r" "$id" seteuid:1000=ok setuid:0=EPERM expect-euid:1000 >"$w/$r.after" 2>&1 &
	echo $! >"$w/$r.pid"
done
for r in $CT_RUNTIMES; do
	wait "$(cat "$w/$r.pid")"
	rc=$?
	sed "s/^/  $r: /" "$w/$r.after"
	[ "$rc" = 0 ] || fail "$r: setuid(0) in container $(cat "$w/$r.id"), started while the agent was down, was not refused once it was ready"
done
for r in $CT_RUNTIMES; do
	id=$(cat "$w/$r.id")
	wait_until 15 ct_has_decision "$c" "$id" denied || fail "$r: no denied event for container $id"
	ct_check_fields "$r" "$id" "$(ct_decisions "$c" "$id" denied | head -n1)" "vmtest-ct-$r-down"
done
