#!/bin/sh
# credgate-oci-hook and credgate-runc against the real credgated (its
# bind-container and containers.mode), on docker-shaped runtime state in a
# root the test owns (CREDGATE_TEST_RUNTIME_ROOT), every cgroup the test's:
# - the hook's request is what the agent takes: a container is bound by
#   the hook (exit 0, quiet; the agent logs the policy), and the agent's
#   refusal of a pid outside the named container reaches the user through
#   the hook (exit 1, the agent's reason, the container named);
# - the wrapper, in front of a fake runc whose create puts a process in the
#   container's cgroup and writes its pid file, binds it (no delete), and a
#   refused one is deleted;
# - with the agent stopped, the containers.mode it leaves decides: after an
#   enforcing identity policy (loaded with --lsm-unavailable=observe: this
#   host has no BPF LSM, nothing is enforced) the hook refuses; after an
#   auditing one it lets the container start.
. "$(dirname "$0")/preamble.inc"
. "$(dirname "$0")/oci_fake.inc"
HOOK=${CREDGATE_OCI_HOOK:?CREDGATE_OCI_HOOK: the credgate-oci-hook binary}
WRAP=${CREDGATE_RUNC_WRAPPER:?CREDGATE_RUNC_WRAPPER: the credgate-runc binary}

ID_NEW=5555555555555555555555555555555555555555555555555555555555555555
ID_DB=6666666666666666666666666666666666666666666666666666666666666666
ID_W=7777777777777777777777777777777777777777777777777777777777777777
RT="$TEST_TMP/runtime"
AGENT_MODE_FILE="$(dirname "$CONTROL_SOCKET")/containers.mode"
PIDS="$TEST_TMP/pids"
# Pinned, as the service runs: what it published keeps enforcing when it
# stops, and so does containers.mode (an unpinned agent removes it: see
# container_bind.sh). cleanup unloads them.
PINS=/sys/fs/bpf/credgate-test-oci-$$

state() { docker_state "$RT" "$@"; }
# sleeper CGROUP: a process in CGROUP; prints its pid (also kept in $PIDS for the end)
sleeper() {
	sh -c 'echo $$ > "$1/cgroup.procs" && exec sleep 120' sh "$1" > /dev/null &
	echo $! >> "$PIDS"
	echo $!
}
# The processes go before cleanup removes their cgroups.
trap 'kill $(cat "$PIDS" 2> /dev/null) 2> /dev/null; fake_stop; cleanup' EXIT INT TERM
# policy MODE: the one policy, selecting containers named web*, in MODE
policy() {
	rm -rf "$TEST_TMP/policies"
	mkdir -p "$TEST_TMP/policies"
	cat > "$TEST_TMP/policies/web.yaml" << POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: web-$1
spec:
  mode: $1
  selector:
    containerName: "web*"
  setuid:
    deny:
      - to: 0
POLICY
}
# hook ID PID: the hook with the agent's socket and containers.mode; sets ST
hook() {
	jq -cn --arg id "$1" --argjson pid "$2" '{ociVersion: "1.0.2", id: $id, status: "created", pid: $pid, bundle: "/run/b"}' |
		timeout 20 "$HOOK" --socket "$CONTROL_SOCKET" --containers-mode "$AGENT_MODE_FILE" --timeout 5 > "$OUT" 2> "$ERR"
	ST=$?
}

cg_setup ociagent
NEW=$(cg_make "system.slice/docker-$ID_NEW.scope")
W=$(cg_make "system.slice/docker-$ID_W.scope")
state "$ID_NEW" web-new
state "$ID_DB" db
state "$ID_W" web-w
cat > "$TEST_TMP/settings.yaml" << SETTINGS
apiVersion: credgate.io/v1
kind: AgentConfig
containerCgroups:
  - $(cg_rel "*/docker-*.scope")
SETTINGS
CREDGATE_TEST_RUNTIME_ROOT="$RT"
export CREDGATE_TEST_RUNTIME_ROOT

policy enforce
agent_start --policy "$TEST_TMP/policies" --config "$TEST_TMP/settings.yaml" --lsm-unavailable=observe --pin-dir "$PINS" ||
	fail "agent did not start"
grep -qx enforce "$AGENT_MODE_FILE" || fail "containers.mode should say enforce: $(cat "$AGENT_MODE_FILE" 2>&1)"

# --- the hook -------------------------------------------------------------------
pid=$(sleeper "$NEW")
sleep 0.2
hook "$ID_DB" "$pid"
expect_status 1 "$ST" "hook naming another container"
expect_err "container $ID_DB: refused by credgated: .*not that container's" "hook naming another container"
hook "$ID_NEW" "$pid"
expect_status 0 "$ST" "hook"
expect_err_empty "hook"
grep -q "container $ID_NEW name web-new (cgroup .*) started under policy 'web-enforce' (enforce)" "$AGENT_LOG" ||
	fail "the agent did not log the hook's bind"
log "OK: the hook's bind is taken, the agent's refusal reaches the user"

# --- the wrapper ------------------------------------------------------------------
FAKE_RUNC="$TEST_TMP/runc"
cat > "$FAKE_RUNC" << 'FAKE'
#!/bin/sh
# create: a process in $FAKE_CG, its pid in --pid-file; every call recorded
echo "runc $*" >> "$TRANSCRIPT"
if [ "$1" = create ]; then
	sh -c 'echo $$ > "$1/cgroup.procs" && exec sleep 120' sh "$FAKE_CG" > /dev/null 2>&1 &
	echo $! >> "$TEST_TMP/pids"
	sleep 0.2
	printf '%s' $! > "$3"
fi
FAKE
chmod +x "$FAKE_RUNC"
export TRANSCRIPT TEST_TMP
: > "$TRANSCRIPT"
CREDGATE_RUNC="$FAKE_RUNC" CREDGATE_SOCKET="$CONTROL_SOCKET" CREDGATE_CONTAINERS_MODE="$AGENT_MODE_FILE" FAKE_CG="$W" \
	timeout 20 "$WRAP" create --pid-file "$TEST_TMP/w.pid" "$ID_W" > "$OUT" 2> "$ERR"
expect_status 0 "$?" "wrapper create"
expect_err_empty "wrapper create"
[ "$(cat "$TRANSCRIPT")" = "runc create --pid-file $TEST_TMP/w.pid $ID_W" ] || fail "wrapper: runc calls: $(cat "$TRANSCRIPT")"
grep -q "container $ID_W name web-w (cgroup .*) started under policy 'web-enforce' (enforce)" "$AGENT_LOG" ||
	fail "the agent did not log the wrapper's bind"
# A create whose process is in another container's cgroup: refused, deleted.
: > "$TRANSCRIPT"
CREDGATE_RUNC="$FAKE_RUNC" CREDGATE_SOCKET="$CONTROL_SOCKET" CREDGATE_CONTAINERS_MODE="$AGENT_MODE_FILE" FAKE_CG="$NEW" \
	timeout 20 "$WRAP" create --pid-file "$TEST_TMP/w2.pid" "$ID_W" > "$OUT" 2> "$ERR"
expect_status 1 "$?" "wrapper create in another container's cgroup"
expect_err "container $ID_W: refused by credgated: .*not that container's" "wrapper create in another container's cgroup"
printf 'runc create --pid-file %s %s\nrunc delete --force %s\n' "$TEST_TMP/w2.pid" "$ID_W" "$ID_W" > "$TEST_TMP/want"
cmp -s "$TEST_TMP/want" "$TRANSCRIPT" || fail "wrapper: refused create: runc calls: $(cat "$TRANSCRIPT")"
log "OK: the wrapper binds through the agent, and deletes what it refuses"

# --- the agent down: the containers.mode it left decides -------------------------
agent_stop
hook "$ID_NEW" "$pid"
expect_status 1 "$ST" "agent stopped after an enforcing identity policy"
expect_err "container $ID_NEW: refused: no answer from credgated .*enforces" "agent stopped after enforce"
policy audit
agent_start --policy "$TEST_TMP/policies" --config "$TEST_TMP/settings.yaml" --pin-dir "$PINS" ||
	fail "agent did not start (audit)"
grep -qx audit "$AGENT_MODE_FILE" || fail "containers.mode should say audit: $(cat "$AGENT_MODE_FILE" 2>&1)"
agent_stop
hook "$ID_NEW" "$pid"
expect_status 0 "$ST" "agent stopped after an auditing identity policy"
expect_err "container $ID_NEW: starting ungoverned until credgated answers" "agent stopped after audit"
log "OK: with the agent down, its containers.mode decides"

log "PASS"
