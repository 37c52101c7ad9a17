#!/bin/sh
# Events people can act on: a su-like process (real ids 1000, effective 0,
# as a set-user-ID root program starts) calls setgid(0) then setuid(0) in a
# docker-style and in a containerd-style (Kubernetes pod) cgroup the test
# creates. Each run gives a process_exec event, then the two observations
# in order, all with the binary, its arguments, the parent, exec ids that
# match the exec event's, and the container (and pod) from the cgroup path.
# Every event validates against its JSON Schema.
. "$(dirname "$0")/preamble.inc"

VALIDATE="$(dirname "$0")/../tools/validate_events.py"
DOCKER_ID=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
CTRD_ID=fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210
POD_UID=7c3e9b4a-1d2f-4e5a-8b6c-0d1e2f3a4b5c
POD_UID_=$(echo "$POD_UID" | tr - _)
DOCKER_REL="system.slice/docker-$DOCKER_ID.scope"
CTRD_REL="kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod$POD_UID_.slice/cri-containerd-$CTRD_ID.scope"

cg_setup identity
D=$(cg_make "$DOCKER_REL")
K=$(cg_make "$CTRD_REL")
mkdir -p "$TEST_TMP/policies"
for name in docker containerd; do
	if [ $name = docker ]; then rel=$DOCKER_REL; else rel=$CTRD_REL; fi
	cat > "$TEST_TMP/policies/$name.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: su-$name
spec:
  mode: audit
  selector:
    cgroup: $(cg_rel "$rel")
  setuid:
    deny:
      - to: 0
POLICY
done

agent_start --policy "$TEST_TMP/policies" || fail "agent did not start"
ARGS="setresgid:1000,0,0=ok setresuid:1000,0,0=ok setgid:0=ok setuid:0=ok"
# sh joins the container's cgroup, then becomes the su-like program (same pid).
# shellcheck disable=SC2086
sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$D" "$CREDOP" $ARGS > "$TEST_TMP/docker.out" ||
	fail "credop in the docker cgroup: $(cat "$TEST_TMP/docker.out")"
# shellcheck disable=SC2086
sh -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' sh "$K" "$CREDOP" $ARGS > "$TEST_TMP/ctrd.out" ||
	fail "credop in the containerd cgroup: $(cat "$TEST_TMP/ctrd.out")"
dpid=$(sed -n 's/^credop: pid //p' "$TEST_TMP/docker.out")
kpid=$(sed -n 's/^credop: pid //p' "$TEST_TMP/ctrd.out")
agent_stop
expect_valid_json
python3 "$VALIDATE" "$EVENTS" || fail "events do not validate against docs/schemas"
log "ok: every event validates against its schema"

# check_run PID: the exec event, then setgid(0) and setuid(0) in order, one identity.
check_run() {
	pid=$1
	exec_line=$(jq -c "select(.process_exec.process.pid==$pid)" "$EVENTS")
	[ -n "$exec_line" ] || fail "no process_exec event for pid $pid"
	[ "$(echo "$exec_line" | wc -l)" = 1 ] || fail "more than one process_exec event for pid $pid"
	exec_id=$(echo "$exec_line" | jq -r .process_exec.process.exec_id)
	parent_exec_id=$(echo "$exec_line" | jq -r .process_exec.process.parent_exec_id)
	[ "$(echo "$exec_line" | jq -r .process_exec.process.binary)" = "$CREDOP" ] || fail "exec binary: $exec_line"
	[ "$(echo "$exec_line" | jq -r .process_exec.process.arguments)" = "$ARGS" ] || fail "exec arguments: $exec_line"
	echo "$exec_line" | jq -e ".process_exec.process.flags | test(\"execve\")" > /dev/null || fail "exec flags: $exec_line"
	[ "$(echo "$exec_line" | jq -r .process_exec.parent.exec_id)" = "$parent_exec_id" ] ||
		fail "the exec's parent block is not its parent_exec_id: $exec_line"
	echo "$exec_line" | jq -e '.process_exec.parent.binary | test("sh$")' > /dev/null ||
		fail "the parent is the shell: $exec_line"
	# The exec id is base64("NODE:EXEC_NS:PID").
	decoded=$(echo "$exec_id" | base64 -d)
	case "$decoded" in
	*":$pid") ;;
	*) fail "exec_id $exec_id decodes to $decoded, not NODE:NS:$pid" ;;
	esac
	calls=$(jq -r "select(.process_kprobe.process.pid==$pid) | .process_kprobe.function_name + \"(\" + (.process_kprobe.args[0].int_arg|tostring) + \")\"" "$EVENTS" | tail -n 2 | tr '\n' ' ')
	[ "$calls" = "__x64_sys_setgid(0) __x64_sys_setuid(0) " ] || fail "pid $pid: expected setgid(0) then setuid(0), got: $calls"
	# Every observation of this process carries the exec's identity.
	K=".process_kprobe"
	n=$(jq -c "select($K.process.pid==$pid)" "$EVENTS" | wc -l)
	[ "$n" = 4 ] || fail "pid $pid: expected 4 observations, got $n"
	same=$(jq -c "select($K.process.pid==$pid and $K.process.exec_id==\"$exec_id\" and $K.process.parent_exec_id==\"$parent_exec_id\" and $K.parent.exec_id==\"$parent_exec_id\" and $K.process.binary==\"$CREDOP\" and $K.process.arguments==\"$ARGS\")" "$EVENTS" | wc -l)
	[ "$same" = 4 ] || fail "pid $pid: $same of 4 observations carry the exec's identity"
	# The exec event comes first.
	first=$(jq -r "select(.process_exec.process.pid==$pid or .process_kprobe.process.pid==$pid) | keys_unsorted[0]" "$EVENTS" | head -n 1)
	[ "$first" = process_exec ] || fail "pid $pid: the first event is $first"
	log "ok: pid $pid: exec then setgid(0), setuid(0), exec_id $exec_id ($decoded)"
}

check_run "$dpid"
check_run "$kpid"

# Container identity from the docker-style path.
P=".process_kprobe.process"
expect_count 4 "$P.pid==$dpid and $P.docker==\"$(echo $DOCKER_ID | cut -c1-31)\" and $P.container.id==\"$DOCKER_ID\" and $P.container.runtime==\"docker\" and $P.pod==null" "docker: container id and short id"
# ... and from the containerd-style (Kubernetes) path.
expect_count 4 "$P.pid==$kpid and $P.docker==\"$(echo $CTRD_ID | cut -c1-31)\" and $P.pod.container.id==\"containerd://$CTRD_ID\" and $P.pod.uid==\"$POD_UID\" and $P.pod.qos_class==\"BestEffort\" and $P.container.runtime==\"containerd\"" "containerd: pod uid, QoS, container id"
# No runtime state on this host: names are absent, not invented.
expect_count 0 "$P.pid==$kpid and ($P.pod.name != null or $P.pod.namespace != null or $P.pod.container.name != null)" "pod names absent without the runtime's state"
# Decisions carry the same blocks.
expect_count 1 ".credgate_decision.process.pid==$kpid and .credgate_decision.call==\"setuid\" and .credgate_decision.process.pod.uid==\"$POD_UID\" and .credgate_decision.parent.exec_id != null" "decision with process, parent and pod"
cleanup
