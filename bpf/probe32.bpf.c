// SPDX-License-Identifier: GPL-2.0-only
/*
 * IA-32 feature probes: whether this kernel runs IA-32 system calls
 * (int $0x80 from a 64-bit process) and which attachment sees them. The
 * agent loads one program of this object at a time, then forks a child that
 * makes the IA-32 getpgid (number 132) with int $0x80; each program counts
 * the child's calls. A kernel without IA-32 emulation kills the child with
 * SIGSEGV instead.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define CG_IA32_NR_GETPGID 132
#define CG_TS_COMPAT 0x0002

/* The trial child's pid: known only after load, so not rodata. */
__u32 target_tgid = 0;

__u64 fentry_hits = 0;
__u64 kprobe_hits = 0;
__u64 tracepoint_hits = 0;

static __always_inline bool from_target(void)
{
	return target_tgid && (bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

SEC("fentry/__ia32_sys_getpgid")
int BPF_PROG(cg_probe32_fentry, const struct pt_regs *regs)
{
	if (from_target())
		__sync_fetch_and_add(&fentry_hits, 1);
	return 0;
}

SEC("kprobe/__ia32_sys_getpgid")
int BPF_KPROBE(cg_probe32_kprobe, const struct pt_regs *regs)
{
	if (from_target())
		__sync_fetch_and_add(&kprobe_hits, 1);
	return 0;
}

/* The same test observe.bpf.c's raw tracepoint programs make. */
SEC("tp_btf/sys_enter")
int BPF_PROG(cg_probe32_tracepoint, struct pt_regs *regs, long id)
{
	if (!(bpf_get_current_task_btf()->thread_info.status & CG_TS_COMPAT))
		return 0;
	if (id == CG_IA32_NR_GETPGID && from_target())
		__sync_fetch_and_add(&tracepoint_hits, 1);
	return 0;
}
