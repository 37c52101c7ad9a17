#!/bin/sh
# IA-32 system calls (int $0x80, from this 64-bit process) on this host's
# kernel: credop32 finds independently of the agent whether the kernel runs
# them, and the agent must say the same, in its log and in status (text and
# JSON). Without IA-32 emulation (this machine's kernel: int $0x80 faults)
# it attaches nothing for them, and says there is nothing to cover; with it,
# the calls are covered by the raw tracepoints (no fentry or kprobes here)
# and one is observed. The VM cases test the calls themselves.
. "$(dirname "$0")/preamble.inc"
CREDOP32=${CREDOP32:-$(dirname "$CREDOP")/credop32}
# A fault of int $0x80 must reach the kernel's default action (status 139),
# which tells that there is no IA-32 emulation: in the sanitizer build,
# ASan's own SIGSEGV handler would make it exit 1 instead.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0"
export ASAN_OPTIONS

cg_setup compat_host
A=$(cg_make A)
write_policy "$TEST_TMP/policy.yaml" compat-host audit "$(cg_rel A)"
# As root setuid32(0) changes nothing: it only shows whether the call runs.
"$CREDOP32" --cgroup "$A" setuid32:0=ok expect-uid:0 > "$TEST_TMP/credop32.out" 2>&1
credop32_status=$?
agent_start --policy "$TEST_TMP/policy.yaml" --lsm-unavailable=observe || fail "agent did not start"
ctl status -o json > "$TEST_TMP/status.json" || fail "credgatectl status -o json failed"
ctl status > "$TEST_TMP/status.txt" || fail "credgatectl status failed"
case $credop32_status in
139)
	log "int \$0x80 faults here (SIGSEGV): no IA-32 emulation"
	grep -q "ia32 syscalls: none on this kernel (a trial int \$0x80 faulted (SIGSEGV): this kernel has no IA-32 emulation); nothing attached for them" \
		"$AGENT_LOG" || fail "the log does not say there are no IA-32 calls: $(grep ia32 "$AGENT_LOG")"
	grep -q "^ia32 syscalls: none on this kernel" "$TEST_TMP/status.txt" ||
		fail "status does not say there are no IA-32 calls: $(cat "$TEST_TMP/status.txt")"
	jq -e '.ia32_syscalls == {emulation: false, covered: true, observation: "none", decisions: "none"}
		and .kernel.ia32.emulation == false and .kernel.ia32.verified
		and ([.kernel.ia32.fentry, .kernel.ia32.kprobes, .kernel.ia32.tracepoints] | all(.available == false))' \
		"$TEST_TMP/status.json" > /dev/null ||
		fail "status -o json: $(jq -c '.ia32_syscalls, .kernel.ia32' "$TEST_TMP/status.json")"
	# Nothing attached for them: no program of the IA-32 set runs.
	ctl metrics > "$TEST_TMP/metrics.txt" || fail "credgatectl metrics failed"
	grep -q "cg_tp_enter_setuid" "$TEST_TMP/metrics.txt" || fail "metrics list no observation program at all"
	! grep -q "cg_tp32" "$TEST_TMP/metrics.txt" || fail "IA-32 programs attached without IA-32 emulation"
	agent_stop
	;;
0)
	log "int \$0x80 runs here: IA-32 emulation"
	grep -q "ia32 syscalls: covered: observed by tracepoints" "$AGENT_LOG" ||
		fail "the log does not say IA-32 calls are covered: $(grep ia32 "$AGENT_LOG")"
	jq -e '.ia32_syscalls == {emulation: true, covered: true, observation: "tracepoints", decisions: "syscall-exit"}' \
		"$TEST_TMP/status.json" > /dev/null || fail "status -o json: $(jq -c '.ia32_syscalls' "$TEST_TMP/status.json")"
	"$CREDOP32" --cgroup "$A" setgid32:7=ok expect-gid:7 > "$TEST_TMP/credop32.out" 2>&1 ||
		fail "credop32: $(cat "$TEST_TMP/credop32.out")"
	agent_stop
	expect_valid_json
	expect_count 1 '.process_kprobe.function_name=="__ia32_sys_setgid" and .process_kprobe.args==[{int_arg: 7}]' \
		"setgid32(7) observed"
	;;
*)
	fail "credop32 setuid32(0) as root: status $credop32_status: $(cat "$TEST_TMP/credop32.out")"
	;;
esac
cleanup
