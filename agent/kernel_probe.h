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

struct kernel_features {
	struct kernel_feature lsm;	  /* BPF LSM programs load, attach and run */
	struct kernel_feature fentry;	  /* fentry/fexit (BPF trampolines) on syscalls */
	struct kernel_feature kprobes;	  /* kprobes on syscall functions */
	struct kernel_feature tracepoints; /* syscall tracepoints */
	char active_lsms[256];		  /* /sys/kernel/security/lsm, or "" */
};

/* Never fails: every outcome is recorded in @features. */
void kernel_probe_features(struct kernel_features *features);

#endif /* CREDGATE_KERNEL_PROBE_H */
