#!/bin/sh
# Containers selected by what their runtime knows (containerName, labels),
# bound by the agent: at start (the walk), and when a container starts
# (bind-container, as the OCI hook and the runc wrapper send it). The
# runtime is docker-shaped: cgroups where the settings file's
# containerCgroups says containers are, and config.v2.json state files in
# a runtime root the test owns (CREDGATE_TEST_RUNTIME_ROOT). The policies
# audit, so nothing is enforced on this host.
#
# The attacks: a non-root client's bind; a bind naming another container
# than the one the pid is in; a pid in a delegated cgroup named like a
# container (a local user's); a pid in a cgroup the container made below
# its own and named like another container's. Each must be refused and
# change nothing.
. "$(dirname "$0")/preamble.inc"

PY=/usr/bin/python3
[ -x "$PY" ] || fail "python3 is required (the bind client is written in it)"
ID_WEB=1111111111111111111111111111111111111111111111111111111111111111
ID_DB=2222222222222222222222222222222222222222222222222222222222222222
ID_NEW=3333333333333333333333333333333333333333333333333333333333333333
ID_LATE=5555555555555555555555555555555555555555555555555555555555555555
ID_TIE=6666666666666666666666666666666666666666666666666666666666666666
RT="$TEST_TMP/runtime"

state() { docker_state "$RT" "$@"; }

cg_setup bind
WEB=$(cg_make "system.slice/docker-$ID_WEB.scope")
DB=$(cg_make "system.slice/docker-$ID_DB.scope")
# a local user's delegated subtree, with a cgroup named like a container
USERS=$(cg_make "user.slice")
chown nobody "$USERS"
FAKE=$(cg_make "user.slice/docker-$ID_WEB.scope")
chown nobody "$FAKE"
state "$ID_WEB" web web
state "$ID_DB" db db
# ID_NEW's state is written after its cgroup is made (a runtime slower
# than the kernel): the kernel's word finds nothing to bind, the hook's
# bind-container does. ID_LATE's is there first: the kernel's word binds it.
state "$ID_LATE" web-late web

mkdir -p "$TEST_TMP/policies"
cat > "$TEST_TMP/policies/web.yaml" << POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: web-audit
spec:
  mode: audit
  selector:
    containerName: "web*"
    labels: {app: web}
  setuid:
    deny:
      - to: 0
POLICY
# A path policy on the cgroup ID_TIE will have, and a name policy for it:
# both start to hold at the container's own cgroup, with one priority.
cat > "$TEST_TMP/policies/tie.yaml" << POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: tie-by-path
spec:
  mode: audit
  selector:
    cgroup: $(cg_rel "system.slice/docker-$ID_TIE.scope")
  setuid:
    deny:
      - to: 0
---
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: tie-by-name
spec:
  mode: audit
  selector:
    containerName: tied
  setuid:
    deny:
      - to: 0
POLICY
cat > "$TEST_TMP/settings.yaml" << SETTINGS
apiVersion: credgate.io/v1
kind: AgentConfig
containerCgroups:
  - $(cg_rel "*/docker-*.scope")
SETTINGS

# su_like CGROUP TAG: a process that starts in CGROUP as a set-user-ID
# root program would (real 1000, effective and saved 0) and takes root.
su_like() {
	sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$1" "$CREDOP" \
		setresuid:1000,0,0=ok setuid:0=ok > "$TEST_TMP/$2.out" || fail "credop in $2: $(cat "$TEST_TMP/$2.out")"
	sed -n 's/^credop: pid //p' "$TEST_TMP/$2.out"
}

# audited PID: decision events for PID with policy web-audit
audited() {
	jq -c "select(.credgate_decision.process.pid==$1 and .credgate_decision.policy_name==\"web-audit\")" "$EVENTS" | wc -l
}

cat > "$TEST_TMP/bind.py" << 'PY'
import os, socket, sys
path, container, pid = sys.argv[1:4]
if len(sys.argv) > 4 and sys.argv[4] == "nobody":
    os.setgroups([]); os.setresgid(65534, 65534, 65534); os.setresuid(65534, 65534, 65534)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(10)
s.connect(path)
s.sendall(("command=bind-container\ncontainer=%s\npid=%s\n\n" % (container, pid)).encode())
out = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    out += b
sys.stdout.write(out.decode())
PY
# bind ID PID [nobody]: the agent's answer
bind() { timeout 20 "$PY" "$TEST_TMP/bind.py" "$CONTROL_SOCKET" "$@" 2>&1; }

# A process in web's cgroup before the agent starts: the walk binds it.
sh -c 'echo $$ > "$1/cgroup.procs" && exec sleep 60' sh "$WEB" &
SLEEPER=$!
CREDGATE_TEST_RUNTIME_ROOT="$RT"
export CREDGATE_TEST_RUNTIME_ROOT
# nogroup may use the socket's read-only commands: bind-container is not one.
chmod 0711 "$TEST_TMP"
agent_start --policy "$TEST_TMP/policies" --config "$TEST_TMP/settings.yaml" --socket-group nogroup ||
	fail "agent did not start"
grep -qx audit "$(dirname "$CONTROL_SOCKET")/containers.mode" ||
	fail "containers.mode should say audit: $(cat "$(dirname "$CONTROL_SOCKET")/containers.mode" 2>&1)"

web_pid=$(su_like "$WEB" web)
db_pid=$(su_like "$DB" db)
fake_pid=$(su_like "$FAKE" fake)

# A container that starts now, its runtime's state not yet written: its
# cgroup gets the path's state from the kernel, and the name selector holds
# only once bound.
NEW=$(cg_make "system.slice/docker-$ID_NEW.scope")
wait_log "container cgroup .*docker-$ID_NEW.scope: its runtime keeps no state" ||
	fail "the kernel did not tell of the new container's cgroup"
state "$ID_NEW" web-new web
before_pid=$(su_like "$NEW" before)
sh -c 'echo $$ > "$1/cgroup.procs" && exec sleep 60' sh "$NEW" &
NEW_SLEEPER=$!
sleep 0.2

# Attacks first: each is refused and binds nothing.
out=$(bind "$ID_NEW" "$NEW_SLEEPER" nobody)
case $out in ERROR*"root only"*) ;; *) fail "a non-root bind was not refused: $out" ;; esac
out=$(bind "$ID_DB" "$NEW_SLEEPER")
case $out in ERROR*"not that container's"*) ;; *) fail "a bind naming another container was not refused: $out" ;; esac
sh -c 'echo $$ > "$1/cgroup.procs" && exec sleep 60' sh "$FAKE" &
FAKE_SLEEPER=$!
sleep 0.2
out=$(bind "$ID_WEB" "$FAKE_SLEEPER")
case $out in ERROR*"not a container's own cgroup"*) ;; *) fail "a delegated cgroup named like a container was bound: $out" ;; esac
# Inside the new container, a cgroup named like container db's.
SUB=$(cg_make "system.slice/docker-$ID_NEW.scope/docker-$ID_DB.scope")
sh -c 'echo $$ > "$1/cgroup.procs" && exec sleep 60' sh "$SUB" &
SUB_SLEEPER=$!
sleep 0.2
out=$(bind "$ID_DB" "$SUB_SLEEPER")
case $out in ERROR*"not a container's own cgroup"*) ;; *) fail "a cgroup inside a container named like another was bound: $out" ;; esac
mid_pid=$(su_like "$NEW" mid)

# The runtime's process may sit below the container's own cgroup (crun puts
# podman's in libpod-ID.scope/container): the container's own is bound.
INIT=$(cg_make "system.slice/docker-$ID_NEW.scope/container")
sh -c 'echo $$ > "$1/cgroup.procs" && exec sleep 60' sh "$INIT" &
INIT_SLEEPER=$!
sleep 0.2
out=$(bind "$ID_NEW" "$INIT_SLEEPER")
[ "$out" = "OK governed web-audit audit" ] || fail "bind-container answered: $out"
after_pid=$(su_like "$NEW" after)
metrics=$(timeout 20 "$CREDGATECTL" --socket "$CONTROL_SOCKET" metrics)
echo "$metrics" | grep -qx 'credgate_container_binds_total{result="bound"} 1' ||
	fail "metrics do not count one bind: $(echo "$metrics" | grep container_binds)"
# the non-root bind is refused by the control socket, before the agent's bind
echo "$metrics" | grep -qx 'credgate_container_binds_total{result="refused"} 3' ||
	fail "metrics do not count three refused binds: $(echo "$metrics" | grep container_binds)"

# Two policies tie on a starting container: the start is refused, loudly,
# rather than run under whichever was loaded first.
state "$ID_TIE" tied web
TIE=$(cg_make "system.slice/docker-$ID_TIE.scope")
wait_log "container $ID_TIE name tied (cgroup .*) is selected by policy 'tie-by-path' and by policy 'tie-by-name'" ||
	fail "the kernel's word did not report the tie"
sh -c 'echo $$ > "$1/cgroup.procs" && exec sleep 60' sh "$TIE" &
TIE_SLEEPER=$!
sleep 0.2
out=$(bind "$ID_TIE" "$TIE_SLEEPER")
case $out in
ERROR*"is selected by policy 'tie-by-path'"*"and by policy 'tie-by-name'"*"give one of them a higher priority"*) ;;
*) fail "a tie at a container's start was not refused: $out" ;;
esac
kill "$TIE_SLEEPER" 2> /dev/null

# Without a hook: the kernel tells of the cgroup, the agent binds it.
LATE=$(cg_make "system.slice/docker-$ID_LATE.scope")
wait_log "container $ID_LATE name web-late (cgroup .*) governed by policy 'web-audit', [0-9]* us after its cgroup was made" ||
	fail "a container started without a hook was not bound"
late_pid=$(su_like "$LATE" late)
metrics=$(timeout 20 "$CREDGATECTL" --socket "$CONTROL_SOCKET" metrics)
echo "$metrics" | grep -qx 'credgate_container_binds_total{result="after_start"} 2' ||
	fail "metrics do not count two binds after start (tied, late): $(echo "$metrics" | grep container_bind)"
kill "$SLEEPER" "$NEW_SLEEPER" "$FAKE_SLEEPER" "$SUB_SLEEPER" "$INIT_SLEEPER" 2> /dev/null
agent_stop
expect_valid_json
# Nothing enforces once an agent without pins has stopped: the hook must not
# refuse containers on its word.
[ ! -e "$(dirname "$CONTROL_SOCKET")/containers.mode" ] ||
	fail "containers.mode outlived an agent that left nothing enforcing"

[ "$(audited "$web_pid")" -ge 1 ] || fail "web (bound at start by the walk) was not audited"
[ "$(audited "$db_pid")" = 0 ] || fail "db (label app=db) was audited by web-audit"
[ "$(audited "$fake_pid")" = 0 ] || fail "a delegated cgroup named like web's got web's policy"
[ "$(audited "$before_pid")" = 0 ] || fail "a container was governed by name before it was bound"
[ "$(audited "$mid_pid")" = 0 ] || fail "a refused bind changed the container's policy"
[ "$(audited "$after_pid")" -ge 1 ] || fail "the container bound at start was not audited"
[ "$(audited "$late_pid")" -ge 1 ] || fail "the container bound on the kernel's word was not audited"
grep -q "container $ID_NEW name web-new (cgroup .*) started under policy 'web-audit' (audit)" "$AGENT_LOG" ||
	fail "the agent did not log the bind"
log "ok: the walk, bind-container and the kernel's word bind containerName/labels; four forged binds refused"
