#!/bin/sh
# Tetragon's reference TracingPolicy, unchanged: set*id calls from a process
# outside the host pid namespace are observed as process_kprobe events
# shaped like the reference page's; the same calls from the host pid
# namespace are not. And a TracingPolicy with a Sigkill action kills.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop

cg_setup tetragon
A=$(cg_make A)
agent_start --policy /tests/data/process.credentials.changes.at.syscalls.yaml || fail "agent did not start"
"$CREDOP" --cgroup "$A" setgid:0 setuid:0 > /dev/null || fail "host pid namespace"
unshare -p -f "$CREDOP" --cgroup "$A" setresgid:1000,0,0 setresuid:1000,0,0 setgid:0 setuid:0 > "$TEST_TMP/ns.out" ||
	fail "in a new pid namespace: $(cat "$TEST_TMP/ns.out")"
agent_stop
expect_valid_json
K='.process_kprobe'
expect_count 0 "$K.process.host_pid_namespace==true" "nothing from the host pid namespace"
expect_count 1 "$K.function_name==\"__x64_sys_setgid\" and $K.args==[{\"int_arg\":0}] and $K.action==\"KPROBE_ACTION_POST\" and $K.policy_name==\"process.credentials.changes.at.syscalls\"" "setgid(0) observed"
expect_count 1 "$K.function_name==\"__x64_sys_setuid\" and $K.args==[{\"int_arg\":0}]" "setuid(0) observed"
expect_count 1 "$K.function_name==\"__x64_sys_setresuid\" and $K.args==[{\"int_arg\":1000},{\"int_arg\":0},{\"int_arg\":0}]" "setresuid observed"
expect_count 0 ".credgate_decision" "an observation-only policy decides nothing"

cat > "$TEST_TMP/kill.yaml" <<POLICY
apiVersion: cilium.io/v1alpha1
kind: TracingPolicy
metadata:
  name: kill-setuid-root
spec:
  kprobes:
  - call: "sys_setuid"
    syscall: true
    args:
    - index: 0
      type: "int"
    selectors:
    - matchArgs:
      - index: 0
        operator: "Equal"
        values:
        - "0"
      matchActions:
      - action: Sigkill
POLICY
agent_start --policy "$TEST_TMP/kill.yaml" || fail "agent did not start with the Sigkill policy"
"$CREDOP" --cgroup "$A" setresuid:1000,0,0=ok setuid:1001=ok > /dev/null || fail "setuid(1001) is not matched"
"$CREDOP" --cgroup "$A" setresuid:1000,0,0=ok setuid:0 > "$TEST_TMP/k.out"
[ $? = 137 ] || fail "setuid(0) should be killed: $(cat "$TEST_TMP/k.out")"
agent_stop
expect_count 1 '.credgate_decision.policy_name=="kill-setuid-root" and .credgate_decision.enforcement=="sigkill"' "killed by the Sigkill action"
cleanup
