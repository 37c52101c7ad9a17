#!/bin/sh
# credgate-vm: --lsm=lockdown,capability,landlock,yama --timeout=400
# Attack: without BPF LSM (bpf left out of lsm=), change credentials through
# the IA-32 system call table (int $0x80 from a 64-bit process: setuid32,
# setresuid32, and the legacy 16-bit setuid, setresuid), which programs on
# the x86-64 syscalls never see. A non-root user (euid 1000, saved uid 0)
# in an enforced cgroup takes euid 0 back:
#   - --lsm-unavailable=kill: each such call is killed (status 137) before
#     it returns, and its observation names the IA-32 function and the
#     arguments as the kernel read them (16-bit -1 is 0xffff);
#   - the same by raw tracepoints (--force-tracepoints), the rung of kernels
#     without trampolines or kprobes;
#   - audit (--lsm-unavailable=observe): the calls pass, and each one's
#     decision and observation (setgroups16's gid list, capset) is delivered.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP32=/bin/credop32 CREDGATECTL=/bin/credgatectl

cg_setup compat
K=$(cg_make K)
A=$(cg_make A)
write_policy "$TEST_TMP/kill.yaml" compat-kill enforce "$(cg_rel K)"
write_policy "$TEST_TMP/audit.yaml" compat-audit audit "$(cg_rel A)"

# killed_call NAME OP [EXPECT_LINE]: credop32 in K drops its euid to 1000
# (saved uid stays 0), then OP takes euid 0 back and must die of SIGKILL
# before it returns to user space.
killed_call() {
	# Standard error apart: the shell may report the kill there.
	"$CREDOP32" --cgroup "$K" seteuid64:1000=ok "$2" expect-euid:0 > "$TEST_TMP/$1.out" 2> "$TEST_TMP/$1.err"
	status=$?
	[ "$status" = 137 ] || fail "$1: expected death by SIGKILL (137), got $status: $(cat "$TEST_TMP/$1.out" "$TEST_TMP/$1.err")"
	# The line before the kill is there (unbuffered output reaches the file),
	# and the call's own line is not: the process never returned.
	grep -qx "seteuid64(1000) = 0" "$TEST_TMP/$1.out" ||
		fail "$1: no line for seteuid64(1000): $(cat "$TEST_TMP/$1.out")"
	! grep -qvx "seteuid64(1000) = 0" "$TEST_TMP/$1.out" || fail "$1: the killed call returned: $(cat "$TEST_TMP/$1.out")"
}

# run_kill METHOD ARGS...: the four killed calls under the enforce policy.
run_kill() {
	method=$1
	shift
	agent_start --policy "$TEST_TMP/kill.yaml" --lsm-unavailable=kill "$@" || fail "agent did not start"
	grep -q "enforcement: sigkill" "$AGENT_LOG" || fail "expected enforcement: sigkill"
	grep -q "ia32 syscalls: covered: observed by $method .*, decided by syscall-exit" "$AGENT_LOG" ||
		fail "the agent does not say IA-32 calls are covered by $method: $(grep ia32 "$AGENT_LOG")"
	ctl status -o json > "$TEST_TMP/status.json" || fail "credgatectl status failed"
	jq -e ".ia32_syscalls == {emulation: true, covered: true, observation: \"$method\", decisions: \"syscall-exit\"}
		and .kernel.ia32.emulation and .kernel.ia32.verified" "$TEST_TMP/status.json" > /dev/null ||
		fail "status -o json: $(jq -c '.ia32_syscalls, .kernel.ia32' "$TEST_TMP/status.json")"
	ctl status > "$TEST_TMP/status.txt" || fail "credgatectl status failed"
	grep -q "^ia32 syscalls: covered: observed by $method" "$TEST_TMP/status.txt" ||
		fail "status: $(cat "$TEST_TMP/status.txt")"

	killed_call setuid32 setuid32:0
	killed_call setresuid32 setresuid32:-1,0,-1
	killed_call setuid16 setuid16:0
	killed_call setresuid16 setresuid16:-1,0,-1
	# Outside K nothing is killed: the same call in A (audit) passes.
	"$CREDOP32" --cgroup "$A" seteuid64:1000=ok setuid32:0=ok expect-euid:0 > "$TEST_TMP/free.out" 2>&1 ||
		fail "the call outside the enforced cgroup was disturbed: $(cat "$TEST_TMP/free.out")"
	agent_stop
	expect_valid_json
	P='.process_kprobe'
	expect_count 4 ".credgate_decision.verdict==\"killed\" and .credgate_decision.policy_name==\"compat-kill\"
		and .credgate_decision.hook==\"task_fix_setuid\" and .credgate_decision.old_credentials.euid==1000
		and .credgate_decision.new_credentials.euid==0" "$method: four killed decisions, euid 1000->0"
	expect_count 1 "$P.function_name==\"__ia32_sys_setuid\" and $P.args==[{int_arg: 0}]
		and $P.action==\"KPROBE_ACTION_SIGKILL\" and $P.attach==\"${method%s}\"" "$method: setuid32(0) killed"
	expect_count 1 "$P.function_name==\"__ia32_sys_setresuid\" and $P.args==[{int_arg: -1}, {int_arg: 0}, {int_arg: -1}]
		and $P.action==\"KPROBE_ACTION_SIGKILL\"" "$method: setresuid32(-1, 0, -1) killed"
	expect_count 1 "$P.function_name==\"__ia32_sys_setuid16\" and $P.args==[{int_arg: 0}]
		and $P.action==\"KPROBE_ACTION_SIGKILL\"" "$method: setuid16(0) killed"
	expect_count 1 "$P.function_name==\"__ia32_sys_setresuid16\" and $P.args==[{int_arg: -1}, {int_arg: 0}, {int_arg: -1}]
		and $P.action==\"KPROBE_ACTION_SIGKILL\"" "$method: setresuid16(0xffff, 0, 0xffff) killed, -1 read as -1"
	# The seteuid64 calls in K are seen by the x86-64 programs, as before (A is not governed here).
	expect_count 4 "$P.function_name==\"__x64_sys_setresuid\" and $P.args==[{int_arg: -1}, {int_arg: 1000}, {int_arg: -1}]" \
		"$method: the four 64-bit seteuid(1000) in K"
}

run_kill fentry
run_kill tracepoints --force-tracepoints

# Audit: nothing is stopped; every IA-32 call's decision and observation arrive.
agent_start --policy "$TEST_TMP/audit.yaml" --lsm-unavailable=observe || fail "agent did not start"
"$CREDOP32" --cgroup "$A" seteuid64:1000=ok setuid32:0=ok expect-euid:0 \
	seteuid64:1000=ok setresuid16:-1,0,-1=ok expect-euid:0 \
	setgroups16:5,6=ok expect-groups:5,6 setgroups32:7=ok expect-groups:7 \
	setgid32:44=ok expect-gid:44 setfsuid32:33 expect-fsuid:33 capdrop32:13=ok > "$TEST_TMP/audit.out" 2>&1 ||
	fail "audit: $(cat "$TEST_TMP/audit.out")"
agent_stop
expect_valid_json
D='.credgate_decision'
P='.process_kprobe'
expect_count 2 "$D.verdict==\"audited-would-deny\" and $D.policy_name==\"compat-audit\" and $D.old_credentials.euid==1000
	and $D.new_credentials.euid==0" "audit: two audited-would-deny decisions (setuid32, setresuid16)"
expect_count 1 "$P.function_name==\"__ia32_sys_setuid\" and $P.args==[{int_arg: 0}] and $P.return.int_arg==0
	and $P.action==\"KPROBE_ACTION_POST\"" "audit: setuid32(0) observed"
expect_count 1 "$P.function_name==\"__ia32_sys_setresuid16\" and $P.args==[{int_arg: -1}, {int_arg: 0}, {int_arg: -1}]" \
	"audit: setresuid16 observed"
expect_count 1 "$P.function_name==\"__ia32_sys_setgroups16\" and $P.args==[{int_arg: 2}, {gid_list_arg: [5, 6]}]" \
	"audit: setgroups16([5, 6]) observed with its 16-bit list"
expect_count 1 "$P.function_name==\"__ia32_sys_setgroups\" and $P.args==[{int_arg: 1}, {gid_list_arg: [7]}]" \
	"audit: setgroups32([7]) observed"
expect_count 1 "$P.function_name==\"__ia32_sys_setgid\" and $P.args==[{int_arg: 44}] and $P.new_credentials.gid==44" \
	"audit: setgid32(44) observed"
expect_count 1 "$P.function_name==\"__ia32_sys_setfsuid\" and $P.args==[{int_arg: 33}] and $P.new_credentials.fsuid==33" \
	"audit: setfsuid32(33) observed"
expect_count 1 "$P.function_name==\"__ia32_sys_capset\" and $P.return.int_arg==0
	and ($P.args[0].cap_effective_arg | index(\"CAP_NET_RAW\") == null)
	and ($P.args[0].cap_effective_arg | index(\"CAP_SYS_ADMIN\") != null)" "audit: capset dropping CAP_NET_RAW observed"
cleanup
