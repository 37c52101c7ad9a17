/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What this kernel offers, found by trial: each probe loads a tiny program,
 * attaches it and triggers it, so "loads but never runs" (bpf missing from
 * the active LSM list) is told apart from "works". No kernel version or
 * config file is trusted.
 */
#ifndef CREDGATE_KERNEL_PROBE_H
#define CREDGATE_KERNEL_PROBE_H

#include <stdbool.h>

#define KERNEL_PROBE_REASON_LEN 256

struct kernel_feature {
	bool available;
	char reason[KERNEL_PROBE_REASON_LEN]; /* why not, when !available */
};

/*
 * IA-32 system calls: a 64-bit process may make them with int $0x80, and
 * the kernel runs them through __ia32_sys_*, which the x86-64 attachments
 * never see. Found by a trial IA-32 getpgid in a forked child.
 */
struct kernel_ia32 {
	bool emulation; /* the kernel runs IA-32 calls (or is assumed to: !verified) */
	/*
	 * The trial told: it ran, or died of SIGSEGV (no emulation). False
	 * when it was stopped some other way (a seccomp filter on the agent):
	 * then emulation is assumed, and the attachments count as working
	 * when they load and attach.
	 */
	bool verified;
	char trial[KERNEL_PROBE_REASON_LEN]; /* how the trial ended, for logs and status */
	struct kernel_feature fentry;	     /* fentry/fexit on __ia32_sys_* saw the call */
	struct kernel_feature kprobes;	     /* kprobes on __ia32_sys_* saw it */
	struct kernel_feature tracepoints;   /* raw sys_enter, in a TS_COMPAT call, saw it */
};

struct kernel_features {
	struct kernel_feature lsm;	  /* BPF LSM programs load, attach and run */
	struct kernel_feature fentry;	  /* fentry/fexit (BPF trampolines) on syscalls */
	struct kernel_feature kprobes;	  /* kprobes on syscall functions */
	struct kernel_feature tracepoints; /* syscall tracepoints */
	char active_lsms[256];		  /* /sys/kernel/security/lsm, or "" */
	struct kernel_ia32 ia32;
};

/* Never fails: every outcome is recorded in @features. */
void kernel_probe_features(struct kernel_features *features);

#endif /* CREDGATE_KERNEL_PROBE_H */
