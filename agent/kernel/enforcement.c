// SPDX-License-Identifier: LGPL-2.1-or-later
#include "enforcement.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "policy_maps.h"

bool enforcement_set_enforces(const struct policy_set *set, const struct policy **which)
{
	for (size_t i = 0; i < set->count; i++) {
		if (policy_enforces(&set->policies[i])) {
			if (which)
				*which = &set->policies[i];
			return true;
		}
	}
	return false;
}

/*
 * Without BPF LSM an enforce rule cannot refuse a change. Say so, and do
 * what --lsm-unavailable asks; never downgrade silently.
 */
int enforcement_choose(const struct kernel_features *f, enum cg_fallback wanted, bool refuse_enforcing,
		       const struct policy_set *set, enum cg_fallback *out)
{
	const struct policy *enforcing = NULL;

	if (f->lsm.available) {
		*out = CG_FALLBACK_NONE;
		return 0;
	}
	if (wanted != CG_FALLBACK_OBSERVE && wanted != CG_FALLBACK_KILL)
		return -EINVAL;
	if (refuse_enforcing && enforcement_set_enforces(set, &enforcing))
		return log_error_errno(
			-EOPNOTSUPP,
			"Refusing to start: policy '%s' (%s:%u) enforces, but this kernel cannot run BPF LSM programs (%s). "
			"Boot with 'bpf' in the lsm= kernel parameter (for example lsm=%s,bpf), or choose "
			"--lsm-unavailable=observe (report only) or --lsm-unavailable=kill (SIGKILL the caller).",
			enforcing->name, enforcing->file, enforcing->line, f->lsm.reason,
			f->active_lsms[0] ? f->active_lsms : "lockdown,capability,landlock,yama");
	if (wanted == CG_FALLBACK_OBSERVE && !refuse_enforcing && enforcement_set_enforces(set, &enforcing))
		log_warning("Policy '%s' (%s:%u) enforces, but BPF LSM is unavailable: violations are only REPORTED (--lsm-unavailable=observe), nothing is stopped.",
			    enforcing->name, enforcing->file, enforcing->line);
	*out = wanted;
	return 0;
}

static void describe_feature(char *buf, size_t size, const char *name,
			     const struct kernel_feature *feature)
{
	if (feature->available)
		snprintf(buf, size, "%s yes", name);
	else
		snprintf(buf, size, "%s no (%s)", name, feature->reason);
}

void enforcement_log_features(const struct kernel_features *f)
{
	char lsm[320], fentry[320], kprobes[320], tracepoints[320];

	describe_feature(lsm, sizeof(lsm), "bpf-lsm", &f->lsm);
	describe_feature(fentry, sizeof(fentry), "fentry", &f->fentry);
	describe_feature(kprobes, sizeof(kprobes), "kprobes", &f->kprobes);
	describe_feature(tracepoints, sizeof(tracepoints), "syscall tracepoints",
			 &f->tracepoints);
	log_info("kernel: %s; %s; %s; %s", lsm, fentry, kprobes, tracepoints);
}

void enforcement_ia32_coverage(const struct kernel_features *f, enum cg_fallback fallback,
				struct bpf_loader *loader, struct ia32_coverage *c)
{
	const char *method = bpf_loader__ia32_observation_method(loader);

	c->observation = !method ? "none" : bpf_loader__observing(loader) ? method : "off";
	if (!f->ia32.emulation)
		c->decisions = "none";
	else if (fallback == CG_FALLBACK_NONE)
		c->decisions = "bpf-lsm";
	else
		c->decisions = method ? "syscall-exit" : "none";
	c->covered = !f->ia32.emulation || strcmp(c->decisions, "none") != 0;
}

void enforcement_ia32_describe(const struct kernel_features *f, enum cg_fallback fallback,
				struct bpf_loader *loader, char *buf, size_t size)
{
	const struct kernel_ia32 *k = &f->ia32;
	const char *method = bpf_loader__ia32_observation_method(loader);
	struct ia32_coverage c;

	enforcement_ia32_coverage(f, fallback, loader, &c);
	if (!k->emulation)
		snprintf(buf, size, "none on this kernel (%.300s); nothing attached for them", k->trial);
	else if (method)
		snprintf(buf, size, "covered: observed by %s %s, decided by %s%s%.300s", method,
			 strcmp(method, "tracepoints") == 0 ? "(raw sys_enter/sys_exit in a TS_COMPAT call)"
							    : "on __ia32_sys_*",
			 c.decisions, k->verified ? "" : "; ", k->verified ? "" : k->trial);
	else
		snprintf(buf, size, "%s: not observed (fentry: %.200s; kprobes: %.200s; tracepoints: %.200s)%s",
			 c.covered ? "decided by bpf-lsm" : "NOT COVERED, neither observed nor decided",
			 k->fentry.available ? "ok" : k->fentry.reason, k->kprobes.available ? "ok" : k->kprobes.reason,
			 k->tracepoints.available ? "ok" : k->tracepoints.reason,
			 k->verified ? "" : "; IA-32 emulation assumed: the trial could not run");
}

void enforcement_log(const struct kernel_features *f, enum cg_fallback fallback, struct bpf_loader *loader)
{
	char ia32[IA32_DESCRIPTION_LEN];
	struct ia32_coverage c;

	switch (fallback) {
	case CG_FALLBACK_NONE:
		log_notice("enforcement: bpf-lsm (task_fix_setuid, task_fix_setgid, task_fix_setgroups, capset)");
		break;
	case CG_FALLBACK_OBSERVE:
		log_notice("enforcement: unavailable (lsm %s); decisions are made at syscall exit and reported, nothing is stopped",
			   f->lsm.reason);
		break;
	case CG_FALLBACK_KILL:
		log_notice("enforcement: sigkill (lsm %s); a caller whose change an enforce rule denies is killed at syscall exit, after the change",
			   f->lsm.reason);
		break;
	}
	log_notice("observation: %s", bpf_loader__observation_method(loader));
	enforcement_ia32_describe(f, fallback, loader, ia32, sizeof(ia32));
	enforcement_ia32_coverage(f, fallback, loader, &c);
	if (c.covered)
		log_notice("ia32 syscalls: %s", ia32);
	else
		log_warning("ia32 syscalls: %s", ia32);
}

static bool set_observes(const struct policy_set *set)
{
	for (size_t i = 0; i < set->count; i++)
		if (set->policies[i].flags & CG_POLICY_OBSERVE)
			return true;
	return false;
}

/*
 * Observation programs run while a policy asks for them, or always when,
 * without BPF LSM, they are what decides.
 */
int enforcement_update_observation(struct bpf_loader *loader, enum cg_fallback fallback,
				   const struct policy_set *set)
{
	bool want = fallback != CG_FALLBACK_NONE || set_observes(set);
	int r;

	if (want == bpf_loader__observing(loader))
		return 0;
	r = bpf_loader__observe(loader, want);
	if (r < 0)
		return log_error_errno(r, "Failed to %s the observation programs: %m",
				       want ? "attach" : "detach");
	if (want)
		log_notice("observation programs attached (%s)", bpf_loader__observation_method(loader));
	else
		log_notice("observation programs detached: no policy observes, and BPF LSM decides");
	return 0;
}

static void log_adoption(struct bpf_loader *loader)
{
	const char *dir = bpf_loader__pin_dir(loader), *replaced;
	int adopted;

	if (!dir)
		return;
	bpf_loader__adoption(loader, &adopted, &replaced);
	if (adopted)
		log_notice("adopted %d maps pinned in %s: the policy in force stays until this agent publishes its own",
			   adopted, dir);
	else
		log_info("pinning programs and maps in %s", dir);
	if (replaced[0])
		log_warning("pinned maps of another credgate build replaced (their layout differs): %s", replaced);
}

static bool observation_available(const struct kernel_features *f, enum observation_method m)
{
	switch (m) {
	case OBSERVE_FENTRY:
		return f->fentry.available;
	case OBSERVE_KPROBES:
		return f->kprobes.available;
	case OBSERVE_TRACEPOINTS:
		return f->tracepoints.available;
	}
	return false;
}

/*
 * The methods that saw the trial IA-32 call, @m (the 64-bit calls' method)
 * first, then best first; none without IA-32 emulation.
 */
static size_t ia32_methods(const struct kernel_features *f, enum observation_method m,
			   enum observation_method out[OBSERVE_TRACEPOINTS + 1])
{
	const struct kernel_feature *by[] = {
		[OBSERVE_FENTRY] = &f->ia32.fentry,
		[OBSERVE_KPROBES] = &f->ia32.kprobes,
		[OBSERVE_TRACEPOINTS] = &f->ia32.tracepoints,
	};
	size_t n = 0;

	if (!f->ia32.emulation)
		return 0;
	if (by[m]->available)
		out[n++] = m;
	for (enum observation_method k = OBSERVE_FENTRY; k <= OBSERVE_TRACEPOINTS; k++)
		if (k != m && by[k]->available)
			out[n++] = k;
	return n;
}

/*
 * Load with the best observation method the kernel offers; if attaching
 * it fails after all (a probe passed, a real program did not), say so and
 * fall back to the next.
 */
int enforcement_load_programs(struct bpf_loader **out, const struct kernel_features *f, enum cg_fallback fallback,
			      const struct enforcement_load_options *o)
{
	struct bpf_loader *loader = NULL;
	struct bpf_loader_options lo = {
		.lsm = f->lsm.available,
		.fallback = fallback,
		.ringbuf_bytes = o->ringbuf_bytes,
		.cgroup_map_size = o->cgroup_map_size,
		.pin_dir = o->pin_dir,
	};
	enum observation_method m = o->force_tracepoints ? OBSERVE_TRACEPOINTS : OBSERVE_FENTRY;
	int r = -EOPNOTSUPP;

	for (; m <= OBSERVE_TRACEPOINTS; m++) {
		enum observation_method ia32[OBSERVE_TRACEPOINTS + 1];
		size_t n32 = ia32_methods(f, m, ia32);

		if (!observation_available(f, m))
			continue;
		lo.observation = m;
		/* The IA-32 programs by each method that saw the trial call, then none. */
		for (size_t i = 0; i <= n32; i++) {
			lo.ia32 = i < n32;
			lo.ia32_observation = i < n32 ? ia32[i] : OBSERVE_FENTRY;
			r = bpf_loader__open(&loader, &lo);
			/* Attach once now, so a method that cannot attach is found at start. */
			if (r == 0) {
				r = bpf_loader__observe(loader, true);
				if (r == 0) {
					*out = loader;
					log_adoption(loader);
					return 0;
				}
				bpf_loader__free(loader);
				loader = NULL;
			}
			if (lo.ia32)
				log_warning_errno(r, "Failed to load and attach the %s observation programs with the %s ones for IA-32 calls: %m",
						  observation_method_name(m), observation_method_name(lo.ia32_observation));
			else
				log_warning_errno(r, "Failed to load and attach the %s observation programs: %m",
						  observation_method_name(m));
		}
	}
	if (r == -EOPNOTSUPP)
		return log_error_errno(r, "Neither fentry (%s), kprobes (%s) nor syscall tracepoints (%s) work on this kernel: nothing can observe credential changes",
				       f->fentry.reason, f->kprobes.reason, f->tracepoints.reason);
	return log_error_errno(r, "Failed to load and attach BPF programs: %m");
}

const char *enforcement_word(enum cg_fallback fallback)
{
	switch (fallback) {
	case CG_FALLBACK_NONE:
		return "bpf-lsm";
	case CG_FALLBACK_OBSERVE:
		return "unavailable";
	case CG_FALLBACK_KILL:
		return "sigkill";
	}
	return "?";
}
