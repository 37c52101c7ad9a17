#!/bin/sh
# docs/quickstart.md, run for real: a su-like process in a container cgroup
# (real ids 1000, effective 0, as a set-user-ID root program starts) calls
# setgid(0) then setuid(0). Audit mode reports both, in order, as
# observations and decisions; without BPF LSM, kill mode kills the caller.
. "$(dirname "$0")/preamble.inc"

cg_setup quickstart
C=$(cg_make demo-container)
cat > "$TEST_TMP/demo.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: demo-no-root
spec:
  mode: audit
  selector:
    cgroup: $(cg_rel demo-container)
  setuid:
    deny:
      - to: 0
  setgid:
    deny:
      - to: 0
POLICY

agent_start --policy "$TEST_TMP/demo.yaml" || fail "agent did not start"
out=$("$CREDOP" --cgroup "$C" setresgid:1000,0,0=ok setresuid:1000,0,0=ok setgid:0=ok setuid:0=ok) ||
	fail "credop: $out"
pid=$(echo "$out" | sed -n 's/^credop: pid //p')
agent_stop
expect_valid_json

# The reference page's two events, in order, with int_arg 0.
calls=$(jq -r "select(.process_kprobe.process.pid==$pid) | .process_kprobe.function_name + \"(\" + (.process_kprobe.args[0].int_arg|tostring) + \")\"" "$EVENTS" | tail -n 2 | tr '\n' ' ')
[ "$calls" = "__x64_sys_setgid(0) __x64_sys_setuid(0) " ] || fail "expected setgid(0) then setuid(0), got: $calls"
log "ok: observed $calls"
decisions=$(jq -r "select(.credgate_decision.process.pid==$pid) | .credgate_decision | .call + \":\" + .verdict + \":\" + .rule" "$EVENTS" | tr '\n' ' ')
[ "$decisions" = "setgid:audited-would-deny:setgid.deny[0]: from any to 0 setuid:audited-would-deny:setuid.deny[0]: from any to 0 " ] ||
	fail "unexpected decisions: $decisions"
expect_count 1 ".credgate_decision.call==\"setuid\" and .credgate_decision.old_credentials.uid==1000 and .credgate_decision.new_credentials.uid==0" "setuid: uid 1000 -> 0"

# Enforcing without BPF LSM: kill mode kills on setgid(0), before setuid(0).
sed -i 's/mode: audit/mode: enforce/' "$TEST_TMP/demo.yaml"
agent_start --policy "$TEST_TMP/demo.yaml" --lsm-unavailable=kill || fail "agent did not start in kill mode"
"$CREDOP" --cgroup "$C" setresgid:1000,0,0=ok setresuid:1000,0,0=ok setgid:0 setuid:0 > "$TEST_TMP/killed.out"
status=$?
agent_stop
[ "$status" = 137 ] || fail "expected SIGKILL (137), got $status"
# Unbuffered credop: the line before setgid(0) is there, setgid(0)'s is not.
grep -qx "setresuid(1000,0,0) = 0" "$TEST_TMP/killed.out" ||
	fail "no line for setresuid(1000,0,0): the check below would hold for any process: $(cat "$TEST_TMP/killed.out")"
grep -q "^setgid(0)" "$TEST_TMP/killed.out" && fail "the process returned to user space after setgid(0): $(cat "$TEST_TMP/killed.out")"
expect_count 1 '.credgate_decision.verdict=="killed" and .credgate_decision.call=="setgid"' "killed at setgid(0)"
expect_count 0 '.process_kprobe.function_name=="__x64_sys_setuid" and .process_kprobe.args[0].int_arg==0' "setuid(0) never ran"
cleanup
