/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Loading and attaching credgate's BPF objects as the kernel allows: the
 * LSM hooks where BPF LSM works, the observation programs on kprobes or
 * syscall tracepoints. The objects share one set of maps.
 */
#ifndef CREDGATE_BPF_LOADER_H
#define CREDGATE_BPF_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "credgate.h"
#include "kernel_probe.h"

struct bpf_loader;

/* How the syscall observation programs attach, best first. */
enum observation_method {
	OBSERVE_FENTRY = 0, /* fentry/fexit: BPF trampolines */
	OBSERVE_KPROBES,    /* kprobes/kretprobes */
	OBSERVE_TRACEPOINTS, /* syscall tracepoints */
};

const char *observation_method_name(enum observation_method method);

struct bpf_loader_options {
	bool lsm; /* load and attach the LSM hooks */
	enum observation_method observation;
	/*
	 * IA-32 calls (int $0x80) go through __ia32_sys_*, which the
	 * observation programs above never see: attach their own programs, by
	 * ia32_observation, when the kernel has IA-32 emulation.
	 */
	bool ia32;
	enum observation_method ia32_observation;
	enum cg_fallback fallback;
	size_t ringbuf_bytes; /* power of two, multiple of the page size */
	uint32_t cgroup_map_size; /* cgroups with a state per generation; 0: CG_MAX_CGROUPS */
	const char *pin_dir;  /* pin maps and links there (bpffs); NULL: pin nothing */
};

/*
 * Load everything and attach the LSM hooks. The observation programs are
 * loaded (so their maps exist) but attached only by bpf_loader__observe().
 */
int bpf_loader__open(struct bpf_loader **out, const struct bpf_loader_options *opts);

/*
 * Attach (@on) or detach the syscall observation programs. They cost every
 * credential change on the host a few lookups, so they run only while a
 * policy asks for observation or, without BPF LSM, decides through them.
 */
int bpf_loader__observe(struct bpf_loader *loader, bool on);
bool bpf_loader__observing(const struct bpf_loader *loader);

/*
 * Once this agent's policy is in the maps: pin its links in place of those
 * of the same name an earlier agent left, which detach now. Until then both
 * run, so a change is checked by the old programs or the new ones at every
 * instant, even when a new build could not adopt the old maps (the old
 * programs keep theirs). Links attached later are pinned at once.
 */
int bpf_loader__pin_links(struct bpf_loader *loader);

/*
 * After bpf_loader__pin_links(): unpin links an earlier agent left that this
 * one does not replace (programs an older build had), so they detach now
 * and not before.
 */
int bpf_loader__settle_pins(struct bpf_loader *loader);

/* Maps adopted from pins, and the names of pinned maps replaced (incompatible). */
void bpf_loader__adoption(const struct bpf_loader *loader, int *adopted, const char **replaced);

/* The pin directory, or NULL. */
const char *bpf_loader__pin_dir(const struct bpf_loader *loader);

/* Remove every pin: the programs detach once the loader is freed. */
int bpf_loader__unload(struct bpf_loader *loader);
void bpf_loader__free(struct bpf_loader *loader);

/* Map fds, owned by the loader. */
struct bpf_loader_maps {
	int config;
	int cgroups;
	int nfa;
	int selectors;
	int generations;
	int exec_paths;
	int policies;
	int task_execs; /* task storage: each task's exec time (key: a pidfd) */
	int task_labels; /* task storage: each task's SELinux types (key: a pidfd) */
	int agent_state; /* struct cg_agent_state at index 0 */
	int events;
	int counters;
};
void bpf_loader__maps(const struct bpf_loader *loader, struct bpf_loader_maps *maps);

/* Sum of a per-CPU counter over all CPUs. */
int bpf_loader__read_counter(const struct bpf_loader *loader, enum cg_counter counter, __u64 *value);

/* "bpf-lsm (task_fix_setuid, ...)", "kprobes", "tracepoints": for logs. */
const char *bpf_loader__enforcement_method(const struct bpf_loader *loader);
const char *bpf_loader__observation_method(const struct bpf_loader *loader);
/* How IA-32 calls are observed: "fentry", "kprobes", "tracepoints", or NULL (not at all). */
const char *bpf_loader__ia32_observation_method(const struct bpf_loader *loader);

/* The userns_create hook is attached (BPF LSM, and a kernel that has it). */
bool bpf_loader__has_userns_hook(const struct bpf_loader *loader);

/* An attached program's cost so far, as the kernel counts it. */
struct bpf_program_stat {
	char name[96]; /* "<object>-<program>", as pinned */
	__u64 run_time_ns; /* 0 unless kernel.bpf_stats_enabled is (or was) on */
	__u64 run_cnt;
};

/*
 * Fill @stats with up to @max attached programs; returns how many, or a
 * negative errno.
 */
int bpf_loader__program_stats(const struct bpf_loader *loader, struct bpf_program_stat *stats, size_t max);

/* Bytes written to the event ring buffer and not yet read, and its size. */
int bpf_loader__ring_usage(const struct bpf_loader *loader, __u64 *pending, __u64 *size);

/*
 * Call @fn for each cgroup whose events the kernel did not deliver
 * (struct cg_cgroup_loss; cgroup id 0: cgroups the map had no room for),
 * at most @max of them. Returns how many, or a negative errno.
 */
int bpf_loader__cgroup_losses(const struct bpf_loader *loader, size_t max,
			      void (*fn)(__u64 cgroup_id, const struct cg_cgroup_loss *loss, void *ctx), void *ctx);

#endif /* CREDGATE_BPF_LOADER_H */
