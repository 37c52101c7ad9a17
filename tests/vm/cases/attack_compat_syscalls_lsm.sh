#!/bin/sh
# Attack: with BPF LSM, take euid 0 back through the IA-32 system call table
# (int $0x80 from a 64-bit process: setuid32, setresuid32, the legacy 16-bit
# setuid) as a non-root user (euid 1000, saved uid 0) in an enforced
# cgroup. The LSM hooks refuse each with EPERM whatever the table; the IA-32
# programs observe the calls and decide nothing, so each refusal is one
# decision, not two.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP32=/bin/credop32 CREDGATECTL=/bin/credgatectl

cg_setup compat_lsm
K=$(cg_make K)
write_policy "$TEST_TMP/policy.yaml" compat-enforce enforce "$(cg_rel K)"
agent_start --policy "$TEST_TMP/policy.yaml" || fail "agent did not start"
grep -q "enforcement: bpf-lsm" "$AGENT_LOG" || fail "agent did not choose bpf-lsm"
grep -q "ia32 syscalls: covered: observed by fentry on __ia32_sys_\*, decided by bpf-lsm" "$AGENT_LOG" ||
	fail "the agent does not say how IA-32 calls are covered: $(grep ia32 "$AGENT_LOG")"
ctl status -o json > "$TEST_TMP/status.json" || fail "credgatectl status failed"
jq -e '.ia32_syscalls == {emulation: true, covered: true, observation: "fentry", decisions: "bpf-lsm"}' \
	"$TEST_TMP/status.json" > /dev/null || fail "status -o json: $(jq -c '.ia32_syscalls' "$TEST_TMP/status.json")"

"$CREDOP32" --cgroup "$K" seteuid64:1000=ok setuid32:0=EPERM expect-euid:1000 \
	setresuid32:-1,0,-1=EPERM expect-euid:1000 setuid16:0=EPERM expect-euid:1000 expect-uid:0 \
	> "$TEST_TMP/credop32.out" 2>&1 || fail "credop32: $(cat "$TEST_TMP/credop32.out")"
grep -qx "setuid32(0) = -1 EPERM" "$TEST_TMP/credop32.out" || fail "no refused setuid32(0): $(cat "$TEST_TMP/credop32.out")"
agent_stop
expect_valid_json
D='.credgate_decision'
P='.process_kprobe'
expect_count 3 "$D.verdict==\"denied\" and $D.enforcement==\"eperm\" and $D.policy_name==\"compat-enforce\"
	and $D.hook==\"task_fix_setuid\" and $D.old_credentials.euid==1000 and $D.new_credentials.euid==0" \
	"three denied decisions, euid 1000->0"
expect_count 3 "$D" "one decision per refused call: the IA-32 programs decide nothing beside the LSM"
expect_count 1 "$P.function_name==\"__ia32_sys_setuid\" and $P.args==[{int_arg: 0}] and $P.return.int_arg==-1" \
	"setuid32(0) = -EPERM observed"
expect_count 1 "$P.function_name==\"__ia32_sys_setresuid\" and $P.args==[{int_arg: -1}, {int_arg: 0}, {int_arg: -1}]
	and $P.return.int_arg==-1" "setresuid32(-1, 0, -1) = -EPERM observed"
expect_count 1 "$P.function_name==\"__ia32_sys_setuid16\" and $P.args==[{int_arg: 0}] and $P.return.int_arg==-1" \
	"setuid16(0) = -EPERM observed"
cleanup
