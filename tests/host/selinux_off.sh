#!/bin/sh
# This host has no SELinux: a selinuxType policy governs no process (no
# process has a type), the agent says so when it loads the policy, status
# says SELinux is off, and events carry no selinux_context. A policy without
# an SELinux selector in the same run still governs its cgroup.
. "$(dirname "$0")/preamble.inc"
grep -qw selinux /sys/kernel/security/lsm 2>/dev/null && fail "this test expects a host without SELinux"

cg_setup selinuxoff
T=$(cg_make typed)
P=$(cg_make plain)
cat > "$TEST_TMP/policy.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata: {name: typed}
spec:
  mode: enforcing
  selector: {cgroup: $(cg_rel typed), selinuxType: container_t}
  setuid: {deny: [{to: 0}]}
---
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata: {name: plain}
spec:
  mode: enforcing
  selector: {cgroup: $(cg_rel plain)}
  setuid: {deny: [{to: 0}]}
POLICY
agent_start --policy "$TEST_TMP/policy.yaml" --lsm-unavailable=kill || fail "agent did not start"
grep -q "selinux: not enabled" "$AGENT_LOG" || fail "no 'selinux: not enabled' line"
grep -q "policy 'typed' selects processes by SELinux type or context, but SELinux is not enabled on this host: it governs no process" "$AGENT_LOG" ||
	fail "no warning about the selinuxType policy"
ctl status -o json > "$TEST_TMP/status.json" || fail "status"
jq -e '.selinux.enabled == false and .selinux.labels == 1 and .selinux.label_unknown == 0' "$TEST_TMP/status.json" > /dev/null ||
	fail "status: $(jq -c .selinux "$TEST_TMP/status.json")"
# Kill mode would kill a governed caller: this one lives.
out=$("$CREDOP" --cgroup "$T" seteuid:1000=ok seteuid:0=ok expect-euid:0) || fail "the selinuxType policy governed a process: $out"
typed_pid=$(echo "$out" | sed -n 's/^credop: pid //p')
"$CREDOP" --cgroup "$P" seteuid:1000=ok seteuid:0 > /dev/null
[ $? = 137 ] || fail "the plain policy did not govern its cgroup"
ctl status -o json > "$TEST_TMP/status.json" || fail "status"
jq -e '.selinux.label_unknown == 0' "$TEST_TMP/status.json" > /dev/null || fail "unlabelled processes counted: the kernel looked for labels"
agent_stop
expect_valid_json
expect_count 0 ".process_kprobe.process.pid==$typed_pid or .credgate_decision.process.pid==$typed_pid" "no event for the process the selinuxType policy does not govern"
expect_count 0 '(.process_kprobe // .credgate_decision // .process_exec).process | has("selinux_context")' "no selinux_context without SELinux"
expect_count 1 '.credgate_decision.policy_name=="plain" and .credgate_decision.verdict=="killed"' "the plain policy decided"
cleanup
