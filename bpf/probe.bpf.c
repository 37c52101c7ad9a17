// SPDX-License-Identifier: GPL-2.0-only
/*
 * Feature probes: the agent loads one program of this object at a time and
 * triggers it with getpgid(getpid()) from its own process. A program that
 * loads and attaches but never runs (bpf missing from the active LSM list)
 * is caught by its hit counter staying at zero.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 target_tgid = 0;

__u64 lsm_hits = 0;
__u64 kprobe_hits = 0;
__u64 tracepoint_hits = 0;
__u64 fentry_hits = 0;

static __always_inline bool from_target(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

SEC("lsm/task_getpgid")
int BPF_PROG(cg_probe_lsm, struct task_struct *p, int ret)
{
	if (from_target())
		__sync_fetch_and_add(&lsm_hits, 1);
	return ret;
}

SEC("ksyscall/getpgid")
int BPF_KSYSCALL(cg_probe_kprobe, int pid)
{
	if (from_target())
		__sync_fetch_and_add(&kprobe_hits, 1);
	return 0;
}

SEC("tp/syscalls/sys_enter_getpgid")
int cg_probe_tracepoint(void *ctx)
{
	if (from_target())
		__sync_fetch_and_add(&tracepoint_hits, 1);
	return 0;
}

SEC("fentry/__x64_sys_getpgid")
int BPF_PROG(cg_probe_fentry, const struct pt_regs *regs)
{
	if (from_target())
		__sync_fetch_and_add(&fentry_hits, 1);
	return 0;
}
