/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How the agent governs on this kernel: with BPF LSM, or without it the
 * fallback --lsm-unavailable chose (report only, or SIGKILL at syscall
 * exit); which observation method loads, and whether IA-32 calls are
 * covered. Decided once at start from the probed features; the daemon
 * keeps the result, status and metrics describe it.
 */
#ifndef CREDGATE_ENFORCEMENT_H
#define CREDGATE_ENFORCEMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf_loader.h"
#include "kernel_probe.h"
#include "policy.h"

/* Whether a policy of @set enforces; the first that does in @which (may be NULL). */
bool enforcement_set_enforces(const struct policy_set *set, const struct policy **which);

/*
 * The fallback in @out: CG_FALLBACK_NONE with BPF LSM, else @wanted
 * (CG_FALLBACK_OBSERVE or _KILL). With @refuse_enforcing, a policy that
 * enforces without BPF LSM is refused (-EOPNOTSUPP, said); with
 * CG_FALLBACK_OBSERVE it is said that nothing is stopped. Logs.
 */
int enforcement_choose(const struct kernel_features *f, enum cg_fallback wanted, bool refuse_enforcing,
		       const struct policy_set *set, enum cg_fallback *out);

/* "bpf-lsm", "unavailable" or "sigkill": the word status uses. */
const char *enforcement_word(enum cg_fallback fallback);

/* One log line of what the kernel offers. */
void enforcement_log_features(const struct kernel_features *f);

/* What governs, what observes, and the IA-32 calls' coverage: logged at start. */
void enforcement_log(const struct kernel_features *f, enum cg_fallback fallback, struct bpf_loader *loader);

/*
 * IA-32 calls (int $0x80 from any process): whether one can change
 * credentials unseen. "covered" holds when none can: the kernel has no
 * IA-32 emulation, or their changes are decided (BPF LSM, or the IA-32
 * syscall-exit programs).
 */
struct ia32_coverage {
	const char *observation; /* method, "off" (attached only on demand), or "none" */
	const char *decisions;	 /* "bpf-lsm", "syscall-exit" or "none" */
	bool covered;
};

void enforcement_ia32_coverage(const struct kernel_features *f, enum cg_fallback fallback,
			       struct bpf_loader *loader, struct ia32_coverage *c);

/* One line for the log and the text status: IA32_DESCRIPTION_LEN holds the longest. */
#define IA32_DESCRIPTION_LEN 1024
void enforcement_ia32_describe(const struct kernel_features *f, enum cg_fallback fallback,
			       struct bpf_loader *loader, char *buf, size_t size);

struct enforcement_load_options {
	size_t ringbuf_bytes;
	uint32_t cgroup_map_size;
	const char *pin_dir;
	bool force_tracepoints; /* skip fentry and kprobes */
};

/*
 * Open, load and attach with the best observation method that works; the
 * loader in @out. Logs every failure.
 */
int enforcement_load_programs(struct bpf_loader **out, const struct kernel_features *f, enum cg_fallback fallback,
			      const struct enforcement_load_options *o);

/*
 * Observation programs run while a policy of @set asks for them, or always
 * when, without BPF LSM, they are what decides. Logs.
 */
int enforcement_update_observation(struct bpf_loader *loader, enum cg_fallback fallback,
				   const struct policy_set *set);

#endif /* CREDGATE_ENFORCEMENT_H */
