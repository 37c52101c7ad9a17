// SPDX-License-Identifier: LGPL-2.1-or-later
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <grp.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <systemd/sd-daemon.h>

#include "audit_writer.h"
#include "bpf_loader.h"
#include "bpf_pins.h"
#include "cgroup.h"
#include "control.h"
#include "default_policy.h"
#include "event_sink.h"
#include "kernel_mounts.h"
#include "kernel_probe.h"
#include "log.h"
#include "macro.h"
#include "output_file.h"
#include "policy.h"
#include "policy_maps.h"
#include "detect.h"
#include "task_labels.h"

/*
 * How often the loop reads the ring buffer without being woken: the BPF
 * side only wakes the agent when unread data piles up (see
 * cg_ringbuf_wakeup_flags()), so this bounds the latency of a quiet event.
 */
#define AGENT_POLL_MS 100
/* credgatectl status lists this many policies; -o json lists all. */
#define STATUS_TEXT_MAX_POLICIES 50
/* --metrics-file: node_exporter's default scrape interval is 15 s too. */
#define METRICS_FILE_INTERVAL_NS (15 * 1000000000ull)

struct agent {
	struct agent_options opts;
	char node_name[256];
	uint64_t host_pidns_ino;
	struct kernel_features features;
	enum cg_fallback fallback;
	struct cgroup_fs *cgroups;
	struct bpf_loader *loader;
	struct policy_maps *maps;
	struct policy_set *policies;	      /* in force */
	struct policy_set *previous_policies; /* names for late events */
	struct event_sink *sink;
	struct ring_buffer *ringbuf;
	struct control_server *control;
	FILE *events_out;
	int signal_fd;
	int epoll_fd;
	struct loop_source signal_source;
	struct loop_source ringbuf_source;
	bool stop;	      /* SIGINT/SIGTERM: leave the loop */
	bool unload;	      /* remove the pins on the way out */
	int loop_error;	      /* a fatal error in a handler: leave the loop with it */
	const char *policy_source; /* where the policy in force came from */
	uint64_t started_ns;  /* CLOCK_MONOTONIC */
	uint64_t reloads, reload_failures;
	int last_reload_error; /* 0: the last reload succeeded (or none yet) */
	uint64_t watchdog_usec; /* 0: no watchdog */
	uint64_t last_watchdog_ns;
	uint64_t lost_reported[3]; /* ringbuf full, in-flight full, process records */
	uint64_t state_failures_reported; /* CG_CNT_MKDIR_FAILED already logged */
	struct selinux_status selinux; /* at start */
	struct audit_writer *audit;    /* auditRecords: avc, else NULL */
	struct task_labels *labels;    /* SELinux enabled, else NULL */
	char systemd_status[256];      /* the last STATUS= sent */
	uint64_t last_status_ns, last_metrics_file_ns;
	int metrics_file_error; /* the last write's, to log each change once */
};

__attribute__((format(printf, 2, 0))) static int libbpf_log(enum libbpf_print_level level,
								const char *fmt, va_list ap)
{
	/* libbpf's verifier logs are long; show them only with -vv. */
	if (level == LIBBPF_DEBUG && log_get_max_level() < LOG_DEBUG)
		return 0;
	if (level == LIBBPF_INFO && log_get_max_level() < LOG_INFO)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* Log each problem; copy errors, one per line, into @problems too (may be NULL). */
static void log_policy_diags(const struct policy_diags *diags, struct json_writer *problems)
{
	char line[1024];

	for (size_t i = 0; i < diags->count; i++) {
		policy_diag_format(&diags->items[i], line, sizeof(line));
		if (diags->items[i].severity == POLICY_DIAG_ERROR) {
			log_error("%s", line);
			if (problems) {
				json_raw(problems, line, strlen(line));
				json_raw(problems, "\n", 1);
			}
		} else {
			log_warning("%s", line);
		}
	}
	if (diags->dropped)
		log_error("... and %zu more problems", diags->dropped);
}

/* Read the configured policies, or the built-in one. Logs every problem. */
static int load_policies(const struct agent_options *opts, struct policy_set **out,
			 const char **source, struct json_writer *problems)
{
	struct policy_diags diags = {};
	struct policy_set *set = policy_set__new();
	const char *path = opts->policy_path;
	struct stat st;
	int r;

	if (!set)
		return log_error_errno(-ENOMEM, "Out of memory");
	if ((opts->passwd_file || opts->group_file) &&
	    policy_set__set_name_files(set, opts->passwd_file, opts->group_file) < 0) {
		policy_set__free(set);
		return log_error_errno(-ENOMEM, "Out of memory");
	}
	if (opts->n_container_cgroups) {
		const char *why;

		r = policy_set__set_container_cgroups(set, opts->container_cgroups, opts->n_container_cgroups, &why);
		if (r < 0) {
			policy_set__free(set);
			/* The settings file was checked: only a caller's bug gets here. */
			return log_error_errno(r, "containerCgroups: %s", why ? why : "out of memory");
		}
		for (size_t i = 0; i < opts->n_container_cgroups; i++)
			log_notice("containers also at %s (containerCgroups): sealed, and inside a container",
				 opts->container_cgroups[i]);
	}
	if (!opts->builtin_policy && !path && stat(CREDGATE_DEFAULT_POLICY_DIR, &st) == 0)
		path = CREDGATE_DEFAULT_POLICY_DIR;
	if (opts->builtin_policy || !path) {
		*source = credgate_builtin_policy_name;
		r = policy_set__parse(set, credgate_builtin_policy_name, credgate_builtin_policy_yaml,
				      strlen(credgate_builtin_policy_yaml), &diags);
	} else {
		*source = path;
		policy_set__require_trusted_files(set, true);
		r = policy_set__load(set, path, &diags);
	}
	log_policy_diags(&diags, problems);
	policy_diags_clear(&diags);
	if (r < 0) {
		policy_set__free(set);
		return log_error_errno(r, "Failed to load policy %s", *source);
	}
	*out = set;
	return 0;
}

static bool set_enforces(const struct policy_set *set, const struct policy **which)
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
static int choose_fallback(struct agent *agent, const struct policy_set *set)
{
	const struct policy *enforcing = NULL;

	if (agent->features.lsm.available) {
		agent->fallback = CG_FALLBACK_NONE;
		return 0;
	}
	switch (agent->opts.lsm_unavailable) {
	case LSM_UNAVAILABLE_FAIL:
		if (set_enforces(set, &enforcing))
			return log_error_errno(
				-EOPNOTSUPP,
				"Refusing to start: policy '%s' (%s:%u) enforces, but this kernel cannot run BPF LSM programs (%s). "
				"Boot with 'bpf' in the lsm= kernel parameter (for example lsm=%s,bpf), or choose "
				"--lsm-unavailable=observe (report only) or --lsm-unavailable=kill (SIGKILL the caller).",
				enforcing->name, enforcing->file, enforcing->line,
				agent->features.lsm.reason,
				agent->features.active_lsms[0] ? agent->features.active_lsms
							       : "lockdown,capability,landlock,yama");
		agent->fallback = CG_FALLBACK_OBSERVE;
		return 0;
	case LSM_UNAVAILABLE_OBSERVE:
		agent->fallback = CG_FALLBACK_OBSERVE;
		if (set_enforces(set, &enforcing))
			log_warning("Policy '%s' (%s:%u) enforces, but BPF LSM is unavailable: violations are only REPORTED (--lsm-unavailable=observe), nothing is stopped.",
				    enforcing->name, enforcing->file, enforcing->line);
		return 0;
	case LSM_UNAVAILABLE_KILL:
		agent->fallback = CG_FALLBACK_KILL;
		return 0;
	}
	return -EINVAL;
}

static void describe_feature(char *buf, size_t size, const char *name,
			     const struct kernel_feature *feature)
{
	if (feature->available)
		snprintf(buf, size, "%s yes", name);
	else
		snprintf(buf, size, "%s no (%s)", name, feature->reason);
}

static void log_features(const struct agent *agent)
{
	char lsm[320], fentry[320], kprobes[320], tracepoints[320];

	describe_feature(lsm, sizeof(lsm), "bpf-lsm", &agent->features.lsm);
	describe_feature(fentry, sizeof(fentry), "fentry", &agent->features.fentry);
	describe_feature(kprobes, sizeof(kprobes), "kprobes", &agent->features.kprobes);
	describe_feature(tracepoints, sizeof(tracepoints), "syscall tracepoints",
			 &agent->features.tracepoints);
	log_info("kernel: %s; %s; %s; %s", lsm, fentry, kprobes, tracepoints);
}

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

static void ia32_coverage(const struct agent *agent, struct ia32_coverage *c)
{
	const char *method = bpf_loader__ia32_observation_method(agent->loader);

	c->observation = !method ? "none" : bpf_loader__observing(agent->loader) ? method : "off";
	if (!agent->features.ia32.emulation)
		c->decisions = "none";
	else if (agent->fallback == CG_FALLBACK_NONE)
		c->decisions = "bpf-lsm";
	else
		c->decisions = method ? "syscall-exit" : "none";
	c->covered = !agent->features.ia32.emulation || strcmp(c->decisions, "none") != 0;
}

/* One line for the log and the text status: IA32_DESCRIPTION_LEN holds the longest. */
#define IA32_DESCRIPTION_LEN 1024
static void ia32_describe(const struct agent *agent, char *buf, size_t size)
{
	const struct kernel_ia32 *k = &agent->features.ia32;
	const char *method = bpf_loader__ia32_observation_method(agent->loader);
	struct ia32_coverage c;

	ia32_coverage(agent, &c);
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

static void log_enforcement(const struct agent *agent)
{
	char ia32[IA32_DESCRIPTION_LEN];
	struct ia32_coverage c;

	const struct kernel_features *f = &agent->features;

	switch (agent->fallback) {
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
	log_notice("observation: %s", bpf_loader__observation_method(agent->loader));
	ia32_describe(agent, ia32, sizeof(ia32));
	ia32_coverage(agent, &c);
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
static int update_observation(struct agent *agent, const struct policy_set *set)
{
	bool want = agent->fallback != CG_FALLBACK_NONE || set_observes(set);
	int r;

	if (want == bpf_loader__observing(agent->loader))
		return 0;
	r = bpf_loader__observe(agent->loader, want);
	if (r < 0)
		return log_error_errno(r, "Failed to %s the observation programs: %m",
				       want ? "attach" : "detach");
	if (want)
		log_notice("observation programs attached (%s)", bpf_loader__observation_method(agent->loader));
	else
		log_notice("observation programs detached: no policy observes, and BPF LSM decides");
	return 0;
}

static void log_adoption(const struct agent *agent)
{
	const char *dir = bpf_loader__pin_dir(agent->loader), *replaced;
	int adopted;

	if (!dir)
		return;
	bpf_loader__adoption(agent->loader, &adopted, &replaced);
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
static int load_programs(struct agent *agent)
{
	const struct kernel_features *f = &agent->features;
	struct bpf_loader_options lo = {
		.lsm = f->lsm.available,
		.fallback = agent->fallback,
		.ringbuf_bytes = agent->opts.ringbuf_bytes,
		.cgroup_map_size = agent->opts.cgroup_map_size,
		.pin_dir = agent->opts.pin_dir,
	};
	enum observation_method m = agent->opts.force_tracepoints ? OBSERVE_TRACEPOINTS : OBSERVE_FENTRY;
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
			r = bpf_loader__open(&agent->loader, &lo);
			/* Attach once now, so a method that cannot attach is found at start. */
			if (r == 0) {
				r = bpf_loader__observe(agent->loader, true);
				if (r == 0) {
					log_adoption(agent);
					return 0;
				}
				bpf_loader__free(agent->loader);
				agent->loader = NULL;
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

static void log_publish_report(const struct publish_report *report, struct json_writer *problems)
{
	for (size_t i = 0; i < report->nproblems; i++) {
		const struct publish_problem *p = &report->problems[i];

		if (p->fatal) {
			log_error("%s", p->message);
			if (problems) {
				json_raw(problems, p->message, strlen(p->message));
				json_raw(problems, "\n", 1);
			}
		} else {
			log_warning("%s", p->message);
		}
	}
	if (report->problems_dropped)
		log_warning("... and %zu more problems", report->problems_dropped);
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * selinuxType / selinuxContext selectors: the kernel needs every process's
 * labels for the new generation. Without SELinux there is nothing to label:
 * such a policy governs nobody (CG_GENERATION_NO_SELINUX), and we say so.
 */
static void label_processes(struct agent *agent, const struct policy_set *set, uint32_t generation)
{
	uint64_t start = monotonic_ns();
	int n;

	if (!agent->labels) {
		for (size_t i = 0; i < set->count; i++)
			if (set->policies[i].compiled.selinux_types)
				log_warning("%s:%u:%u: warning: policy '%s' selects processes by SELinux type or context, but SELinux is not enabled on this host: it governs no process",
					    set->policies[i].file, set->policies[i].line, set->policies[i].column,
					    set->policies[i].name);
		return;
	}
	task_labels__set_generation(agent->labels, generation, &set->selinux);
	if (!task_labels__active(agent->labels))
		return;
	n = task_labels__sweep(agent->labels);
	if (n < 0)
		log_warning_errno(n, "Failed to label processes for SELinux selectors: %m (unlabelled processes are governed, fail closed)");
	else
		log_info("selinux: %d processes labelled for %zu SELinux labels in %llu ms", n, set->selinux.count,
			 (unsigned long long)((monotonic_ns() - start) / 1000000));
}

static int publish(struct agent *agent, struct policy_set *set, const char *source,
		   struct json_writer *problems)
{
	struct publish_report report;
	int r;

	r = policy_maps__publish(agent->maps, set, agent->cgroups, &report);
	log_publish_report(&report, problems);
	if (r < 0)
		return log_error_errno(r, "Failed to put policy %s in force: %m", source);
	/* After the new generation is in force: nothing it needs is missing. */
	update_observation(agent, set);
	label_processes(agent, set, report.generation);
	event_sink__set_policies(agent->sink, report.generation, set);
	policy_set__free(agent->previous_policies);
	agent->previous_policies = agent->policies;
	agent->policies = set;
	agent->policy_source = source;
	log_notice("policy: %zu policies (%zu enforcing) from %s, %zu of %zu cgroups governed, generation %u",
		   report.policies, report.enforcing, source, report.governed, report.cgroups,
		   report.generation);
	return 0;
}

static int open_events_output(struct agent *agent)
{
	int fd;

	if (strcmp(agent->opts.events_path, "-") == 0) {
		agent->events_out = stdout;
	} else {
		fd = open_append_nofollow(agent->opts.events_path, 0640);
		if (fd == -ELOOP || fd == -EMLINK)
			return log_error_errno(fd, "Refusing the events file %s: it is a %s, which could make the "
					       "agent write into another file",
					       agent->opts.events_path,
					       fd == -ELOOP ? "symbolic link" : "file with more than one name (hard link)");
		if (fd < 0)
			return log_error_errno(fd, "Failed to open %s: %m", agent->opts.events_path);
		agent->events_out = fdopen(fd, "a");
		if (!agent->events_out) {
			int r = negative_errno();

			close(fd);
			return log_error_errno(r, "Failed to open %s: %m", agent->opts.events_path);
		}
	}
	/* Full buffering: lines are flushed once per batch of events. */
	setvbuf(agent->events_out, NULL, _IOFBF, 1 << 16);
	return 0;
}

static int reload(struct agent *agent, struct json_writer *problems)
{
	struct policy_set *set = NULL;
	const char *source;
	enum cg_fallback previous = agent->fallback;
	int r;

	log_notice("reloading policy");
	agent->reloads++;
	r = load_policies(&agent->opts, &set, &source, problems);
	if (r < 0)
		goto keep;
	/* A reload may not add enforcement the kernel cannot give. */
	r = choose_fallback(agent, set);
	if (r < 0 || agent->fallback != previous) {
		static const char msg[] =
			"The new policy needs a different --lsm-unavailable handling: it enforces and this kernel has no BPF LSM; restart the agent to change it";

		agent->fallback = previous;
		r = r < 0 ? r : -EOPNOTSUPP;
		log_error("%s", msg);
		if (problems) {
			json_raw(problems, msg, sizeof(msg) - 1);
			json_raw(problems, "\n", 1);
		}
		goto keep;
	}
	r = publish(agent, set, source, problems);
	if (r < 0)
		goto keep;
	agent->last_reload_error = 0;
	return 0;
keep:
	policy_set__free(set);
	agent->reload_failures++;
	agent->last_reload_error = r;
	log_error("Reload failed: the previous policy stays in force");
	return r;
}

/* A per-CPU counter of the kernel side, summed (0 if it cannot be read). */
static uint64_t counter(const struct agent *agent, enum cg_counter c)
{
	__u64 value = 0;

	bpf_loader__read_counter(agent->loader, c, &value);
	return value;
}

/* Events that never reached the event output: kernel buffer, in-flight table, write errors. */
static uint64_t events_lost(const struct agent *agent)
{
	struct event_sink_stats sink;

	event_sink__stats(agent->sink, &sink);
	return counter(agent, CG_CNT_RINGBUF_FULL) + counter(agent, CG_CNT_INFLIGHT_FULL) + sink.write_errors;
}

/*
 * One line for systemd's STATUS= (systemctl status):
 * "enforcing 3 policies on 12 cgroups, bpf-lsm; 0 events lost". Without
 * BPF LSM and with --lsm-unavailable=observe nothing is stopped, so it says
 * "auditing" whatever the policies ask.
 */
static void status_line(struct agent *agent, char *buf, size_t size)
{
	static const char *const methods[] = {
		[CG_FALLBACK_NONE] = "bpf-lsm",
		[CG_FALLBACK_OBSERVE] = "no bpf-lsm: reporting only",
		[CG_FALLBACK_KILL] = "no bpf-lsm: sigkill at syscall exit",
	};
	size_t npolicies = agent->policies ? agent->policies->count : 0, governed = 0;
	bool enforcing = false;
	char cgroups[32];

	for (size_t i = 0; i < npolicies; i++)
		enforcing |= policy_enforces(&agent->policies->policies[i]);
	if (agent->fallback == CG_FALLBACK_OBSERVE)
		enforcing = false;
	if (policy_maps__count_governed(agent->maps, &governed) < 0)
		snprintf(cgroups, sizeof(cgroups), "? cgroups");
	else
		snprintf(cgroups, sizeof(cgroups), "%zu cgroup%s", governed, governed == 1 ? "" : "s");
	snprintf(buf, size, "%s %zu polic%s on %s, %s; %llu events lost", enforcing ? "enforcing" : "auditing",
		 npolicies, npolicies == 1 ? "y" : "ies", cgroups,
		 (unsigned)agent->fallback < ARRAY_SIZE(methods) ? methods[agent->fallback] : "?",
		 (unsigned long long)events_lost(agent));
}

/* Every 10 s, a STATUS= that changed: the counts move. */
static void refresh_systemd_status(struct agent *agent, uint64_t now)
{
	char line[sizeof(agent->systemd_status)];

	if (now - agent->last_status_ns < 10 * 1000000000ull)
		return;
	agent->last_status_ns = now;
	status_line(agent, line, sizeof(line));
	if (strcmp(line, agent->systemd_status) == 0)
		return;
	memcpy(agent->systemd_status, line, sizeof(line));
	sd_notifyf(0, "STATUS=%s", line);
}

/* A reload bracketed for systemd: RELOADING=1 (with the time) ... READY=1. */
static int reload_notified(struct agent *agent, struct json_writer *problems)
{
	int r;

	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading the policy",
		   (unsigned long long)(monotonic_ns() / 1000));
	r = reload(agent, problems);
	status_line(agent, agent->systemd_status, sizeof(agent->systemd_status));
	sd_notifyf(0, "READY=1\nSTATUS=%s%s", r < 0 ? "reload failed, the previous policy stays in force: " : "",
		   agent->systemd_status);
	return r;
}

/* What an earlier agent (sharing our pinned maps) already reported. */
static void load_reported_losses(struct agent *agent)
{
	struct bpf_loader_maps fds;
	struct cg_agent_state st;
	__u32 zero = 0;

	bpf_loader__maps(agent->loader, &fds);
	if (bpf_map_lookup_elem(fds.agent_state, &zero, &st) == 0) {
		agent->lost_reported[0] = st.reported_ringbuf_full;
		agent->lost_reported[1] = st.reported_inflight_full;
		agent->lost_reported[2] = st.reported_process_lost;
	}
}

static void save_reported_losses(struct agent *agent)
{
	struct cg_agent_state st = {
		.reported_ringbuf_full = agent->lost_reported[0],
		.reported_inflight_full = agent->lost_reported[1],
		.reported_process_lost = agent->lost_reported[2],
	};
	struct bpf_loader_maps fds;
	__u32 zero = 0;

	bpf_loader__maps(agent->loader, &fds);
	bpf_map_update_elem(fds.agent_state, &zero, &st, BPF_ANY);
}

static void report_losses(struct agent *agent)
{
	__u64 ringbuf_full = 0, inflight_full = 0, process = 0, state_failures = 0;
	struct event_sink_kernel_lost lost;

	/* A new cgroup the kernel could not give a state: governed fail-closed, and said. */
	bpf_loader__read_counter(agent->loader, CG_CNT_MKDIR_FAILED, &state_failures);
	if (state_failures != agent->state_failures_reported) {
		log_warning("cgroups: %llu new cgroups got no state: the cgroup map is full (%u per policy generation, cgroupMapSize), or no memory; %s",
			    (unsigned long long)(state_failures - agent->state_failures_reported),
			    policy_maps__cgroup_capacity(agent->maps),
			    agent->policies && set_enforces(agent->policies, NULL) ? "a policy enforces: their credential changes are refused (" POLICY_FAIL_CLOSED_NAME ")"
					     : "they are governed as their nearest ancestor with a state");
		agent->state_failures_reported = state_failures;
	}
	bpf_loader__read_counter(agent->loader, CG_CNT_RINGBUF_FULL, &ringbuf_full);
	bpf_loader__read_counter(agent->loader, CG_CNT_INFLIGHT_FULL, &inflight_full);
	bpf_loader__read_counter(agent->loader, CG_CNT_PROCESS_LOST, &process);
	if (ringbuf_full == agent->lost_reported[0] && inflight_full == agent->lost_reported[1] &&
	    process == agent->lost_reported[2])
		return;
	lost = (struct event_sink_kernel_lost){
		.ringbuf_full = ringbuf_full - agent->lost_reported[0],
		.inflight_full = inflight_full - agent->lost_reported[1],
		.process_records = process - agent->lost_reported[2],
	};
	event_sink__report_kernel_lost(agent->sink, &lost);
	/* Lost exec records leave their processes unlabelled (fail closed) until relabelled. */
	if (lost.process_records && task_labels__active(agent->labels)) {
		int n = task_labels__sweep(agent->labels);

		log_notice("selinux: exec records were lost: %d processes labelled again", n);
	}
	log_warning("lost events: %llu (kernel buffer full), %llu (in-flight table full), %llu process records",
		    (unsigned long long)lost.ringbuf_full, (unsigned long long)lost.inflight_full,
		    (unsigned long long)lost.process_records);
	agent->lost_reported[0] = ringbuf_full;
	agent->lost_reported[1] = inflight_full;
	agent->lost_reported[2] = process;
	save_reported_losses(agent);
}

static void on_signal(struct loop_source *source, uint32_t events)
{
	struct agent *agent = (struct agent *)((char *)source - offsetof(struct agent, signal_source));
	struct signalfd_siginfo si;

	while (read(agent->signal_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			reload_notified(agent, NULL);
			continue;
		}
		log_notice("received %s, detaching", strsignal((int)si.ssi_signo));
		agent->stop = true;
	}
}

static void on_ringbuf(struct loop_source *source, uint32_t events)
{
	/* Read in the loop itself, every pass: nothing to do here. */
}

/* ---- Control socket handlers -------------------------------------------- */

static const char *enforcement_word(const struct agent *agent)
{
	switch (agent->fallback) {
	case CG_FALLBACK_NONE:
		return "bpf-lsm";
	case CG_FALLBACK_OBSERVE:
		return "unavailable";
	case CG_FALLBACK_KILL:
		return "sigkill";
	}
	return "?";
}

static void status_feature(struct json_writer *w, const char *key, const struct kernel_feature *f)
{
	json_key(w, key);
	json_object_begin(w);
	json_kv_bool(w, "available", f->available);
	if (!f->available)
		json_kv_string(w, "reason", f->reason);
	json_object_end(w);
}

/* "selinux" and "audit_records": SELinux beside us, labels, and the USER_AVC writer. */
static void status_selinux_json(struct agent *agent, struct json_writer *w)
{
	const struct selinux_status *se = &agent->selinux;
	struct audit_writer_stats as;
	struct task_labels_stats ls;

	json_key(w, "selinux");
	json_object_begin(w);
	json_kv_bool(w, "enabled", se->enabled);
	json_kv_string(w, "mode", selinux_mode_name(se->mode));
	if (se->selinuxfs[0])
		json_kv_string(w, "selinuxfs", se->selinuxfs);
	json_kv_string(w, "lsm_order", se->lsms);
	if (se->selinux_position >= 0 && se->bpf_position >= 0)
		json_kv_string(w, "decides_first", se->selinux_position < se->bpf_position ? "selinux" : "credgate");
	json_kv_uint(w, "labels", agent->policies ? agent->policies->selinux.count : 0);
	json_kv_uint(w, "label_unknown", counter(agent, CG_CNT_LABEL_UNKNOWN));
	if (agent->labels) {
		task_labels__stats(agent->labels, &ls);
		json_kv_uint(w, "processes_labelled", ls.labelled);
		json_kv_uint(w, "label_failures", ls.failed);
		json_kv_uint(w, "sweeps", ls.sweeps);
		json_kv_uint(w, "last_sweep_ms", ls.last_sweep_ns / 1000000);
	}
	json_object_end(w);
	json_key(w, "audit_records");
	json_object_begin(w);
	json_kv_string(w, "mode", agent->audit ? "avc" : "off");
	if (agent->audit) {
		audit_writer__stats(agent->audit, &as);
		json_kv_uint(w, "submitted", as.submitted);
		json_kv_uint(w, "written", as.written);
		json_kv_uint(w, "lost_queue_full", as.queue_full);
		json_kv_uint(w, "lost_refused", as.send_failed);
		if (as.last_error)
			json_kv_string(w, "last_error", strerror(-as.last_error));
		if (as.kernel_status) {
			json_kv_bool(w, "kernel_enabled", as.kernel_enabled != 0);
			json_kv_uint(w, "kernel_lost", as.kernel_lost);
			json_kv_uint(w, "kernel_backlog", as.kernel_backlog);
			json_kv_uint(w, "kernel_backlog_limit", as.kernel_backlog_limit);
		}
	}
	json_object_end(w);
}

/*
 * Per governing cgroup, the events the kernel did not deliver
 * (bpf/budget.bpf.h): a flooding cgroup's losses are its own, and show
 * where they happened. The key is the cgroup whose state governs the
 * flooder (a container's or a delegated cgroup, whatever cgroups were made
 * below it), so the path named is that cgroup's. The map holds at most
 * CG_MAX_LOSS_CGROUPS cgroups; status lists the first
 * STATUS_MAX_LOSS_CGROUPS of them, metrics all.
 */
#define STATUS_MAX_LOSS_CGROUPS 256

struct loss_walk {
	struct agent *agent;
	struct json_writer *w;
	const char *help;
};

static uint64_t loss_total(const struct cg_cgroup_loss *l)
{
	return l->decisions_budget + l->decisions_full + l->observations_budget + l->observations_full;
}

/* The cgroup's path, or "" when it is gone (or id 0: cgroups without an entry). */
static void loss_cgroup_path(const struct agent *agent, __u64 id, char *buf, size_t size)
{
	if (!id || !agent->cgroups || cgroup_fs__path_of_id(agent->cgroups, id, buf, size) < 0)
		buf[0] = '\0';
}

static void status_loss_json(__u64 id, const struct cg_cgroup_loss *l, void *ctx)
{
	struct loss_walk *lw = ctx;
	char path[PATH_MAX];

	loss_cgroup_path(lw->agent, id, path, sizeof(path));
	json_object_begin(lw->w);
	json_kv_uint(lw->w, "cgroup_id", id);
	json_key(lw->w, "cgroup");
	if (path[0])
		json_string(lw->w, path);
	else
		json_null(lw->w);
	json_kv_uint(lw->w, "decisions", l->decisions_budget + l->decisions_full);
	json_kv_uint(lw->w, "observations", l->observations_budget + l->observations_full);
	json_kv_uint(lw->w, "over_budget", l->decisions_budget + l->observations_budget);
	json_kv_uint(lw->w, "buffer_full", l->decisions_full + l->observations_full);
	json_object_end(lw->w);
}

static void status_ia32_json(struct agent *agent, struct json_writer *w)
{
	struct ia32_coverage c;

	ia32_coverage(agent, &c);
	json_key(w, "ia32_syscalls");
	json_object_begin(w);
	json_kv_bool(w, "emulation", agent->features.ia32.emulation);
	json_kv_bool(w, "covered", c.covered);
	json_kv_string(w, "observation", c.observation);
	json_kv_string(w, "decisions", c.decisions);
	json_object_end(w);
}

static void status_json(struct agent *agent, struct json_writer *w)
{
	/* Without BPF LSM the syscall-exit programs decide these; the others are not checked. */
	static const char *const setid_hooks[] = { "task_fix_setuid", "task_fix_setgid",
						   "task_fix_setgroups", "capset" };
	static const char *const lsm_only_hooks[] = { "bprm_creds_from_file", "task_prctl",
						      "capable" /* setns() into a user namespace */ };
	bool lsm = agent->fallback == CG_FALLBACK_NONE;
	struct event_sink_stats sink;
	struct control_stats ctl = {};
	const char *observation = bpf_loader__observation_method(agent->loader);

	event_sink__stats(agent->sink, &sink);
	if (agent->control)
		control_server__stats(agent->control, &ctl);
	struct utsname uts;
	char libbpf_version[32];
	size_t governed = 0;

	if (uname(&uts) < 0)
		snprintf(uts.release, sizeof(uts.release), "?");
	snprintf(libbpf_version, sizeof(libbpf_version), "%u.%u", libbpf_major_version(), libbpf_minor_version());
	json_object_begin(w);
	json_kv_string(w, "version", CREDGATE_VERSION);
	json_key(w, "versions");
	json_object_begin(w);
	json_kv_string(w, "credgate", CREDGATE_VERSION);
	json_kv_string(w, "libbpf", libbpf_version);
	json_kv_string(w, "kernel", uts.release);
	json_object_end(w);
	json_kv_uint(w, "pid", (uint64_t)getpid());
	json_kv_uint(w, "uptime_seconds", (monotonic_ns() - agent->started_ns) / 1000000000ull);
	json_kv_string(w, "node_name", agent->node_name);
	json_key(w, "kernel");
	json_object_begin(w);
	status_feature(w, "bpf_lsm", &agent->features.lsm);
	status_feature(w, "fentry", &agent->features.fentry);
	status_feature(w, "kprobes", &agent->features.kprobes);
	status_feature(w, "tracepoints", &agent->features.tracepoints);
	json_kv_string(w, "active_lsms", agent->features.active_lsms);
	json_key(w, "ia32");
	json_object_begin(w);
	json_kv_bool(w, "emulation", agent->features.ia32.emulation);
	json_kv_bool(w, "verified", agent->features.ia32.verified);
	json_kv_string(w, "trial", agent->features.ia32.trial);
	status_feature(w, "fentry", &agent->features.ia32.fentry);
	status_feature(w, "kprobes", &agent->features.ia32.kprobes);
	status_feature(w, "tracepoints", &agent->features.ia32.tracepoints);
	json_object_end(w);
	json_object_end(w);
	status_ia32_json(agent, w);
	json_kv_string(w, "enforcement", enforcement_word(agent));
	json_key(w, "hooks");
	json_object_begin(w);
	for (size_t i = 0; i < ARRAY_SIZE(setid_hooks); i++)
		json_kv_string(w, setid_hooks[i], lsm ? "bpf-lsm" : "syscall-exit");
	for (size_t i = 0; i < ARRAY_SIZE(lsm_only_hooks); i++)
		json_kv_string(w, lsm_only_hooks[i], lsm ? "bpf-lsm" : "unavailable");
	json_kv_string(w, "userns_create",
		       bpf_loader__has_userns_hook(agent->loader) ? "bpf-lsm" : "unavailable");
	json_object_end(w);
	json_kv_string(w, "observation",
		       bpf_loader__observing(agent->loader) ? observation : "off");
	if (bpf_loader__pin_dir(agent->loader))
		json_kv_string(w, "pin_dir", bpf_loader__pin_dir(agent->loader));
	json_key(w, "policy");
	json_object_begin(w);
	json_kv_string(w, "source", agent->policy_source);
	json_kv_uint(w, "generation", policy_maps__generation(agent->maps));
	json_key(w, "policies");
	json_array_begin(w);
	for (size_t i = 0; agent->policies && i < agent->policies->count; i++) {
		const struct policy *p = &agent->policies->policies[i];

		json_object_begin(w);
		json_kv_string(w, "name", p->name);
		json_kv_string(w, "file", p->file);
		json_kv_string(w, "mode", policy_mode_name(p->mode));
		json_kv_bool(w, "enforces", policy_enforces(p));
		json_object_end(w);
	}
	json_array_end(w);
	json_kv_uint(w, "reloads", agent->reloads);
	json_kv_uint(w, "reload_failures", agent->reload_failures);
	json_kv_bool(w, "last_reload_ok", agent->last_reload_error == 0);
	json_object_end(w);
	json_key(w, "decisions");
	json_object_begin(w);
	json_kv_uint(w, "allowed", counter(agent, CG_CNT_ALLOWED));
	json_kv_uint(w, "audited", counter(agent, CG_CNT_AUDITED));
	json_kv_uint(w, "denied", counter(agent, CG_CNT_DENIED));
	json_kv_uint(w, "killed", counter(agent, CG_CNT_KILLED));
	json_object_end(w);
	json_key(w, "control");
	json_object_begin(w);
	json_kv_uint(w, "accepted", ctl.clients_accepted);
	json_kv_uint(w, "refused", ctl.refused);
	json_kv_uint(w, "timed_out", ctl.timed_out);
	json_kv_uint(w, "evicted", ctl.evicted);
	json_kv_uint(w, "rejected", ctl.rejected);
	json_object_end(w);
	json_key(w, "events");
	json_object_begin(w);
	json_kv_uint(w, "written", sink.written);
	json_kv_uint(w, "lost_kernel_buffer", counter(agent, CG_CNT_RINGBUF_FULL));
	json_kv_uint(w, "lost_inflight", counter(agent, CG_CNT_INFLIGHT_FULL));
	json_kv_uint(w, "malformed", sink.malformed);
	json_kv_uint(w, "write_errors", sink.write_errors);
	json_kv_uint(w, "client_missed", ctl.client_missed);
	if (agent->audit)
		json_kv_uint(w, "audit_records_lost", audit_writer__lost(agent->audit) + sink.avc_unformatted);
	json_kv_uint(w, "clients", control_server__streaming(agent->control));
	json_key(w, "lost_by_cgroup");
	json_array_begin(w);
	bpf_loader__cgroup_losses(agent->loader, STATUS_MAX_LOSS_CGROUPS, status_loss_json,
				  &(struct loss_walk){ .agent = agent, .w = w });
	json_array_end(w);
	json_object_end(w);
	status_selinux_json(agent, w);
	json_key(w, "cgroups");
	json_object_begin(w);
	if (policy_maps__count_governed(agent->maps, &governed) == 0)
		json_kv_uint(w, "governed", governed);
	json_kv_uint(w, "unknown", counter(agent, CG_CNT_CGROUP_UNKNOWN));
	json_kv_uint(w, "ambiguous", counter(agent, CG_CNT_CGROUP_AMBIGUOUS));
	json_kv_uint(w, "state_failures", counter(agent, CG_CNT_MKDIR_FAILED));
	/* A full map, said: its size, who it left out, and what that decided. */
	json_kv_uint(w, "map_size", policy_maps__cgroup_capacity(agent->maps));
	json_kv_uint(w, "without_state", policy_maps__unstored(agent->maps));
	json_kv_uint(w, "fail_closed_decisions", sink.fail_closed_decisions);
	json_object_end(w);
	json_object_end(w);
}

static void status_text(struct agent *agent, struct json_writer *w)
{
	struct event_sink_stats sink;
	char line[2048], enforcement[400], cgroups[48] = "", ia32[IA32_DESCRIPTION_LEN];
	size_t governed, npolicies = agent->policies ? agent->policies->count : 0;
	int n;

	event_sink__stats(agent->sink, &sink);
	ia32_describe(agent, ia32, sizeof(ia32));
	if (policy_maps__count_governed(agent->maps, &governed) == 0)
		snprintf(cgroups, sizeof(cgroups), " governing %zu cgroup%s", governed, governed == 1 ? "" : "s");
	if (agent->features.lsm.available)
		snprintf(enforcement, sizeof(enforcement), "%s", enforcement_word(agent));
	else
		snprintf(enforcement, sizeof(enforcement), "%s (lsm %s)", enforcement_word(agent),
			 agent->features.lsm.reason);
	n = snprintf(line, sizeof(line),
		     "credgated %s, pid %d, up %llus\n"
		     "enforcement: %s\n"
		     "observation: %s\n"
		     "ia32 syscalls: %s\n"
		     "policy: %zu policies%s from %s, generation %u, %llu reloads (%llu failed)\n"
		     "decisions: %llu allowed, %llu audited, %llu denied, %llu killed\n"
		     "events: %llu written, %llu lost\n",
		     CREDGATE_VERSION, getpid(),
		     (unsigned long long)((monotonic_ns() - agent->started_ns) / 1000000000ull),
		     enforcement,
		     bpf_loader__observing(agent->loader) ? bpf_loader__observation_method(agent->loader)
							   : "off",
		     ia32, npolicies, cgroups, agent->policy_source,
		     policy_maps__generation(agent->maps), (unsigned long long)agent->reloads,
		     (unsigned long long)agent->reload_failures,
		     (unsigned long long)counter(agent, CG_CNT_ALLOWED),
		     (unsigned long long)counter(agent, CG_CNT_AUDITED),
		     (unsigned long long)counter(agent, CG_CNT_DENIED),
		     (unsigned long long)counter(agent, CG_CNT_KILLED),
		     (unsigned long long)sink.written,
		     (unsigned long long)(counter(agent, CG_CNT_RINGBUF_FULL) +
					  counter(agent, CG_CNT_INFLIGHT_FULL)));
	json_raw(w, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	for (size_t i = 0; i < npolicies; i++) {
		const struct policy *p = &agent->policies->policies[i];

		if (i == STATUS_TEXT_MAX_POLICIES) {
			n = snprintf(line, sizeof(line), "  ... and %zu more (credgatectl status -o json lists all)\n",
				     npolicies - i);
			json_raw(w, line, (size_t)n);
			break;
		}
		n = snprintf(line, sizeof(line), "  %s: %s%s, %s:%u\n", p->name, policy_mode_name(p->mode),
			     policy_enforces(p) && p->mode != CG_MODE_ENFORCE ? " (some rules enforce)" : "",
			     p->file, p->line);
		json_raw(w, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	}
	n = snprintf(line, sizeof(line),
		     "cgroups: map for %u per generation; %zu left without a state at the last publish, %llu new ones since (map full); %llu changes in them, %llu refused by %s\n",
		     policy_maps__cgroup_capacity(agent->maps), policy_maps__unstored(agent->maps),
		     (unsigned long long)counter(agent, CG_CNT_MKDIR_FAILED),
		     (unsigned long long)counter(agent, CG_CNT_CGROUP_UNKNOWN),
		     (unsigned long long)sink.fail_closed_decisions, POLICY_FAIL_CLOSED_NAME);
	json_raw(w, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	selinux_describe(&agent->selinux, line, sizeof(line));
	json_raw(w, "selinux: ", 9);
	json_raw(w, line, strlen(line));
	if (agent->policies && agent->policies->selinux.count) {
		n = snprintf(line, sizeof(line), "; %zu SELinux labels, %llu decisions on unlabelled processes",
			     agent->policies->selinux.count, (unsigned long long)counter(agent, CG_CNT_LABEL_UNKNOWN));
		json_raw(w, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	}
	json_raw(w, "\n", 1);
	if (agent->audit) {
		struct audit_writer_stats as;

		audit_writer__stats(agent->audit, &as);
		n = snprintf(line, sizeof(line), "audit records: avc, %llu written, %llu lost%s%s%s\n",
			     (unsigned long long)as.written,
			     (unsigned long long)(as.queue_full + as.send_failed + sink.avc_unformatted),
			     as.last_error ? " (last refusal: " : "", as.last_error ? strerror(-as.last_error) : "",
			     as.last_error ? ")" : "");
	} else {
		n = snprintf(line, sizeof(line), "audit records: off\n");
	}
	json_raw(w, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static void handle_status(void *ctx, bool json, struct json_writer *out)
{
	struct agent *agent = ctx;

	if (json)
		status_json(agent, out);
	else
		status_text(agent, out);
}

static int handle_reload(void *ctx, struct json_writer *problems, uint32_t *generation)
{
	struct agent *agent = ctx;
	int r = reload_notified(agent, problems);

	*generation = policy_maps__generation(agent->maps);
	return r;
}

static void metric(struct json_writer *w, const char *name, const char *help, const char *type,
		   const char *labels, uint64_t value)
{
	char line[512];
	int n;

	if (help) {
		n = snprintf(line, sizeof(line), "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
		json_raw(w, line, (size_t)n);
	}
	n = snprintf(line, sizeof(line), "%s%s%s%s %llu\n", name, labels ? "{" : "", labels ? labels : "",
		     labels ? "}" : "", (unsigned long long)value);
	json_raw(w, line, (size_t)n);
}

/* A Prometheus label value: backslash, double quote and newline escaped. */
static void metric_label_escape(const char *s, char *buf, size_t size)
{
	size_t o = 0;

	for (; *s && o + 3 < size; s++) {
		if (*s == '\\' || *s == '"') {
			buf[o++] = '\\';
			buf[o++] = *s;
		} else if (*s == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else {
			buf[o++] = *s;
		}
	}
	buf[o] = '\0';
}

static void metrics_loss(__u64 id, const struct cg_cgroup_loss *l, void *ctx)
{
	static const char *const kinds[2] = { "decision", "observation" };
	static const char *const causes[2] = { "budget", "buffer_full" };
	struct loss_walk *lw = ctx;
	char path[PATH_MAX], escaped[2 * 1024], labels[2 * 1024 + 128];
	const __u64 values[2][2] = { { l->decisions_budget, l->decisions_full },
				     { l->observations_budget, l->observations_full } };

	if (!loss_total(l))
		return;
	loss_cgroup_path(lw->agent, id, path, sizeof(path));
	metric_label_escape(path, escaped, sizeof(escaped));
	for (int k = 0; k < 2; k++)
		for (int c = 0; c < 2; c++) {
			if (!values[k][c])
				continue;
			snprintf(labels, sizeof(labels), "cgroup_id=\"%llu\",cgroup=\"%s\",kind=\"%s\",cause=\"%s\"",
				 (unsigned long long)id, escaped, kinds[k], causes[c]);
			metric(lw->w, "credgate_cgroup_events_lost_total", lw->help, "counter", labels, values[k][c]);
			lw->help = NULL;
		}
}

static const char *const metric_verdicts[CG_VERDICT_COUNT] = {
	[CG_VERDICT_ALLOWED] = "allowed",
	[CG_VERDICT_AUDITED] = "audited-would-deny",
	[CG_VERDICT_DENIED] = "denied",
	[CG_VERDICT_KILLED] = "killed",
};

/* The kernel's count of every decision, by hook and verdict (allowed ones too). */
static void metrics_by_hook(struct agent *agent, struct json_writer *w)
{
	const char *help = "Credential changes decided, by LSM hook and verdict.";
	char labels[128];

	for (unsigned hook = 1; hook < CG_HOOK_MAX; hook++)
		for (unsigned v = 0; v < CG_VERDICT_COUNT; v++) {
			if (!metric_verdicts[v] || !policy_hook_name(hook))
				continue;
			snprintf(labels, sizeof(labels), "hook=\"%s\",verdict=\"%s\"", policy_hook_name(hook),
				 metric_verdicts[v]);
			metric(w, "credgate_hook_decisions_total", help, "counter", labels,
			       counter(agent, (enum cg_counter)(CG_CNT_BY_HOOK + hook * CG_VERDICT_COUNT + v)));
			help = NULL;
		}
}

/*
 * Per policy in force, the decisions reported as events (allowed ones only
 * where the policy sets reportAllowed). Policy names are DNS-label-like
 * (lowercase, digits, '-', '.'): nothing to escape in a label value.
 */
static void metrics_by_policy(struct agent *agent, struct json_writer *w)
{
	const char *help = "Decisions reported as events, by policy and verdict.";
	uint64_t counts[CG_VERDICT_COUNT];
	const char *name;
	char labels[384];

	for (size_t i = 0; i < event_sink__policy_decisions(agent->sink, i, &name, counts); i++)
		for (unsigned v = 0; v < CG_VERDICT_COUNT; v++) {
			if (!metric_verdicts[v])
				continue;
			snprintf(labels, sizeof(labels), "policy=\"%s\",verdict=\"%s\"", name, metric_verdicts[v]);
			metric(w, "credgate_policy_decisions_total", help, "counter", labels, counts[v]);
			help = NULL;
		}
}

/* Cgroups the kernel could not give a state (the cgroup map full), and what governed them. */
static void metrics_cgroups(struct agent *agent, struct json_writer *w, const struct event_sink_stats *sink)
{
	metric(w, "credgate_cgroup_map_size", "Cgroups the kernel keeps a state for, per policy generation.",
	       "gauge", NULL, policy_maps__cgroup_capacity(agent->maps));
	metric(w, "credgate_cgroups_without_state",
	       "Cgroups the last policy publish could not store a state for (the cgroup map full).", "gauge", NULL,
	       policy_maps__unstored(agent->maps));
	metric(w, "credgate_cgroup_state_failures_total",
	       "New cgroups the kernel could not store a state for (the cgroup map full, or no memory).",
	       "counter", NULL, counter(agent, CG_CNT_MKDIR_FAILED));
	metric(w, "credgate_cgroup_unknown_total",
	       "Policy lookups for a cgroup without a state of its own that is not below a sealed one: governed fail-closed while a policy enforces, else as the nearest ancestor with a state.",
	       "counter", NULL, counter(agent, CG_CNT_CGROUP_UNKNOWN));
	metric(w, "credgate_fail_closed_decisions_total",
	       "Decisions of the fail-closed policy (credgate:fail-closed) reported as events.", "counter", NULL,
	       sink->fail_closed_decisions);
}

/* What each attached program cost, where the kernel counts it (kernel.bpf_stats_enabled). */
static void metrics_programs(struct agent *agent, struct json_writer *w)
{
	struct bpf_program_stat stats[64];
	const char *help_runs = "Runs of each attached BPF program (counted while kernel.bpf_stats_enabled=1).";
	const char *help_time = "Time spent in each attached BPF program (counted while kernel.bpf_stats_enabled=1).";
	char labels[160];
	int n = bpf_loader__program_stats(agent->loader, stats, ARRAY_SIZE(stats));

	for (int i = 0; i < n; i++) {
		snprintf(labels, sizeof(labels), "program=\"%.95s\"", stats[i].name);
		metric(w, "credgate_bpf_program_runs_total", help_runs, "counter", labels, stats[i].run_cnt);
		help_runs = NULL;
	}
	for (int i = 0; i < n; i++) {
		snprintf(labels, sizeof(labels), "program=\"%.95s\"", stats[i].name);
		metric(w, "credgate_bpf_program_run_nanoseconds_total", help_time, "counter", labels,
		       stats[i].run_time_ns);
		help_time = NULL;
	}
}

static void handle_metrics(void *ctx, struct json_writer *w)
{
	struct agent *agent = ctx;
	struct event_sink_stats sink;
	struct control_stats ctl = {};
	__u64 ring_pending, ring_size;
	size_t governed;

	event_sink__stats(agent->sink, &sink);
	if (agent->control)
		control_server__stats(agent->control, &ctl);
	metric(w, "credgate_decisions_total", "Credential changes decided, by verdict.", "counter",
	       "verdict=\"allowed\"", counter(agent, CG_CNT_ALLOWED));
	metric(w, "credgate_decisions_total", NULL, NULL, "verdict=\"audited-would-deny\"",
	       counter(agent, CG_CNT_AUDITED));
	metric(w, "credgate_decisions_total", NULL, NULL, "verdict=\"denied\"", counter(agent, CG_CNT_DENIED));
	metric(w, "credgate_decisions_total", NULL, NULL, "verdict=\"killed\"", counter(agent, CG_CNT_KILLED));
	metrics_by_hook(agent, w);
	metrics_by_policy(agent, w);
	metric(w, "credgate_events_written_total", "Event lines written to the event output.", "counter", NULL,
	       sink.written);
	metric(w, "credgate_events_lost_total", "Events lost, by where.", "counter", "where=\"kernel_buffer\"",
	       counter(agent, CG_CNT_RINGBUF_FULL));
	metric(w, "credgate_events_lost_total", NULL, NULL, "where=\"inflight\"", counter(agent, CG_CNT_INFLIGHT_FULL));
	metric(w, "credgate_events_lost_total", NULL, NULL, "where=\"slow_client\"", ctl.client_missed);
	metric(w, "credgate_events_lost_total", NULL, NULL, "where=\"write_error\"", sink.write_errors);
	metric(w, "credgate_control_clients_total",
	       "Control socket clients, by outcome: accepted; refused a command they may not run; dropped "
	       "for silence or a reply not taken in time; evicted for a new client; rejected for want of a slot.",
	       "counter", "outcome=\"accepted\"", ctl.clients_accepted);
	metric(w, "credgate_control_clients_total", NULL, NULL, "outcome=\"refused\"", ctl.refused);
	metric(w, "credgate_control_clients_total", NULL, NULL, "outcome=\"timed_out\"", ctl.timed_out);
	metric(w, "credgate_control_clients_total", NULL, NULL, "outcome=\"evicted\"", ctl.evicted);
	metric(w, "credgate_control_clients_total", NULL, NULL, "outcome=\"rejected\"", ctl.rejected);
	bpf_loader__cgroup_losses(agent->loader, CG_MAX_LOSS_CGROUPS, metrics_loss,
				  &(struct loss_walk){ .agent = agent, .w = w,
						       .help = "Events of a cgroup the kernel did not deliver, by "
							       "kind and cause (over the cgroup's budget, buffer full)." });
	if (agent->audit) {
		struct audit_writer_stats as;

		audit_writer__stats(agent->audit, &as);
		metric(w, "credgate_events_lost_total", NULL, NULL, "where=\"audit\"",
		       as.queue_full + as.send_failed + sink.avc_unformatted);
		metric(w, "credgate_audit_records_total", "USER_AVC records written to the kernel's audit.", "counter",
		       NULL, as.written);
	}
	metrics_cgroups(agent, w, &sink);
	metric(w, "credgate_selinux_label_unknown_total",
	       "Decisions of SELinux-selecting policies on processes not labelled yet (the policy applied).",
	       "counter", NULL, counter(agent, CG_CNT_LABEL_UNKNOWN));
	metric(w, "credgate_policies", "Policies in force.", "gauge", NULL,
	       agent->policies ? agent->policies->count : 0);
	metric(w, "credgate_policy_generation", "Generation number of the policy in force.", "gauge", NULL,
	       policy_maps__generation(agent->maps));
	metric(w, "credgate_reloads_total", "Policy reloads, by result.", "counter", "result=\"ok\"",
	       agent->reloads - agent->reload_failures);
	metric(w, "credgate_reloads_total", NULL, NULL, "result=\"failed\"", agent->reload_failures);
	metric(w, "credgate_last_reload_ok", "1 if the last reload succeeded (or none happened).", "gauge", NULL,
	       agent->last_reload_error == 0);
	metric(w, "credgate_getevents_clients", "Connected getevents clients.", "gauge", NULL,
	       control_server__streaming(agent->control));
	metric(w, "credgate_uptime_seconds", "Seconds since the agent started.", "gauge", NULL,
	       (monotonic_ns() - agent->started_ns) / 1000000000ull);
	metric(w, "credgate_processes_cached", "Processes the identity cache holds.", "gauge", NULL, sink.processes);
	if (policy_maps__count_governed(agent->maps, &governed) == 0)
		metric(w, "credgate_governed_cgroups", "Cgroups a policy governs now.", "gauge", NULL, governed);
	if (bpf_loader__ring_usage(agent->loader, &ring_pending, &ring_size) == 0) {
		metric(w, "credgate_ringbuf_pending_bytes", "Bytes in the kernel event buffer not read yet.", "gauge",
		       NULL, ring_pending);
		metric(w, "credgate_ringbuf_size_bytes", "Size of the kernel event buffer.", "gauge", NULL, ring_size);
	}
	metrics_programs(agent, w);
}

/*
 * The metrics for node_exporter's textfile collector: written whole to a
 * temporary file and renamed, so the collector never reads half of it.
 */
static void write_metrics_file(struct agent *agent, uint64_t now, bool force)
{
	const char *path = agent->opts.metrics_file;
	char tmp[PATH_MAX];
	struct json_writer w;
	const char *text;
	int r = 0;

	if (!path || (!force && now - agent->last_metrics_file_ns < METRICS_FILE_INTERVAL_NS))
		return;
	agent->last_metrics_file_ns = now;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return;
	json_writer_init(&w);
	handle_metrics(agent, &w);
	text = json_writer_text(&w);
	if (!text) {
		r = -ENOMEM;
	} else {
		_cleanup_close_ int fd = -1;
		size_t len = strlen(text);

		/* A fresh file, never one that someone placed (a symbolic link
		 * to a file they want truncated) where the directory lets them. */
		if (unlink(tmp) < 0 && errno != ENOENT)
			r = negative_errno();
		else
			fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);

		if (r == 0 && (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) < 0 ||
			       rename(tmp, path) < 0))
			r = negative_errno();
		if (r < 0 && fd >= 0)
			unlink(tmp);
	}
	json_writer_free(&w);
	/* Said once per change of outcome, not every 15 s. */
	if (r < 0 && r != agent->metrics_file_error)
		log_warning_errno(r, "Failed to write the metrics to %s: %m", path);
	else if (r == 0 && agent->metrics_file_error)
		log_info("Metrics written to %s again", path);
	agent->metrics_file_error = r;
}

static int handle_unload(void *ctx, struct json_writer *message)
{
	struct agent *agent = ctx;
	const char *dir = bpf_loader__pin_dir(agent->loader);
	char text[PATH_MAX + 128];

	agent->unload = true;
	agent->stop = true;
	snprintf(text, sizeof(text), "OK\ndetaching every program%s%s%s and stopping", dir ? ", removing " : "",
		 dir ? dir : "", "");
	json_raw(message, text, strlen(text));
	return 0;
}

static int setup_control(struct agent *agent)
{
	const struct control_handlers handlers = {
		.status = handle_status,
		.reload = handle_reload,
		.metrics = handle_metrics,
		.unload = handle_unload,
		.ctx = agent,
	};
	char dir[PATH_MAX];
	gid_t gid = (gid_t)-1;
	char *slash;
	int r;

	if (agent->opts.socket_group) {
		struct group *g = getgrnam(agent->opts.socket_group);

		if (!g)
			return log_error_errno(-ENOENT, "Unknown group '%s' for the control socket",
					       agent->opts.socket_group);
		gid = g->gr_gid;
	}
	snprintf(dir, sizeof(dir), "%s", agent->opts.socket_path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		/* systemd's RuntimeDirectory= makes it; by hand, we do. */
		if (mkdir(dir, 0750) < 0 && errno != EEXIST)
			return log_error_errno(errno, "Failed to create %s: %m", dir);
	}
	r = control_server__new(&agent->control, agent->opts.socket_path, gid, agent->epoll_fd, &handlers);
	if (r == -EADDRINUSE)
		return log_error_errno(r, "Another credgated answers on %s", agent->opts.socket_path);
	if (r < 0)
		return log_error_errno(r, "Failed to listen on %s: %m", agent->opts.socket_path);
	event_sink__set_control(agent->sink, agent->control);
	return 0;
}

static int setup_loop(struct agent *agent)
{
	struct epoll_event ev = { .events = EPOLLIN };
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	agent->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (agent->signal_fd < 0)
		return log_error_errno(errno, "Failed to create signalfd: %m");
	agent->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (agent->epoll_fd < 0)
		return log_error_errno(errno, "Failed to create epoll: %m");
	agent->signal_source.dispatch = on_signal;
	ev.data.ptr = &agent->signal_source;
	if (epoll_ctl(agent->epoll_fd, EPOLL_CTL_ADD, agent->signal_fd, &ev) < 0)
		return log_error_errno(errno, "Failed to watch signals: %m");
	agent->ringbuf_source.dispatch = on_ringbuf;
	ev.data.ptr = &agent->ringbuf_source;
	if (epoll_ctl(agent->epoll_fd, EPOLL_CTL_ADD, ring_buffer__epoll_fd(agent->ringbuf), &ev) < 0)
		return log_error_errno(errno, "Failed to watch the ring buffer: %m");
	return setup_control(agent);
}

/*
 * The initial pid namespace has a fixed inode number (PROC_PID_INIT_INO in
 * include/linux/proc_ns.h): the "host" pid namespace the reference tool's
 * host_ns selector means, whatever namespace the agent itself runs in.
 */
#define HOST_PIDNS_INO 0xEFFFFFFCu

/* SELinux beside us: one line saying how, and the USER_AVC writer when asked for. */
static int setup_selinux(struct agent *agent)
{
	char line[512];
	int r;

	r = selinux_detect(NULL, &agent->selinux);
	if (r < 0)
		log_warning_errno(r, "Failed to read SELinux's state: %m");
	selinux_describe(&agent->selinux, line, sizeof(line));
	log_notice("selinux: %s", line);
	if (!agent->opts.audit_avc)
		return 0;
	r = audit_writer__new(&agent->audit, NULL);
	if (r < 0)
		return log_error_errno(r, "auditRecords: avc, but the kernel's audit subsystem cannot be reached (NETLINK_AUDIT): %m");
	log_notice("audit records: audited and denied decisions are also written as USER_AVC records");
	return 0;
}

int agent__start(struct agent **out, const struct agent_options *opts)
{
	struct agent *agent = calloc(1, sizeof(*agent));
	struct event_sink_options sink_opts;
	struct policy_set *set = NULL;
	struct bpf_loader_maps fds;
	const char *source;
	struct utsname uts;
	int r;

	if (!agent)
		return log_error_errno(-ENOMEM, "Out of memory");
	agent->opts = *opts;
	agent->signal_fd = agent->epoll_fd = -1;
	agent->started_ns = monotonic_ns();
	libbpf_set_print(libbpf_log);

	if (opts->node_name)
		snprintf(agent->node_name, sizeof(agent->node_name), "%s", opts->node_name);
	else if (uname(&uts) == 0)
		snprintf(agent->node_name, sizeof(agent->node_name), "%s", uts.nodename);
	agent->host_pidns_ino = HOST_PIDNS_INO;

	r = load_policies(opts, &set, &source, NULL);
	if (r < 0)
		goto fail;
	r = cgroup_fs__open(&agent->cgroups, NULL);
	if (r < 0) {
		log_error_errno(r, "Failed to find the cgroup2 hierarchy in /proc/self/mountinfo: %m");
		goto fail;
	}
	log_info("cgroup2 hierarchy at %s", cgroup_fs__mount_point(agent->cgroups));

	for (unsigned i = 0; i < kernel_mounts_needed_count; i++) {
		const struct kernel_mount *m = &kernel_mounts_needed[i];

		r = kernel_mount_ensure(m, NULL);
		if (r > 0)
			log_notice("mounted %s on %s (%s)", m->fstype, m->path, m->why);
		else if (r < 0)
			log_warning_errno(r, "Failed to mount %s on %s (%s): %m", m->fstype, m->path,
					  m->why);
	}
	kernel_probe_features(&agent->features);
	log_features(agent);
	r = setup_selinux(agent);
	if (r < 0)
		goto fail;
	r = choose_fallback(agent, set);
	if (r < 0)
		goto fail;
	r = load_programs(agent);
	if (r < 0)
		goto fail;
	log_enforcement(agent);

	r = open_events_output(agent);
	if (r < 0)
		goto fail;
	bpf_loader__maps(agent->loader, &fds);
	sink_opts = (struct event_sink_options){
		.format = opts->output,
		.node_name = agent->node_name,
		.out = agent->events_out,
		.cgroup_fs = agent->cgroups,
		.host_pidns_ino = agent->host_pidns_ino,
		.task_execs_fd = fds.task_execs,
		.observe_rate = opts->observe_rate,
		.observe_burst = opts->observe_burst,
		.deny_rate = opts->deny_rate,
		.deny_burst = opts->deny_burst,
		.file_path = opts->events_file,
		.file_max_bytes = opts->events_file_max_size,
		.file_keep = opts->events_file_keep,
		.journal = opts->journal,
		.selinux_contexts = agent->selinux.enabled,
		.audit = agent->audit,
	};
	if (agent->selinux.enabled) {
		const struct task_labels_options lopts = {
			.labels_fd = fds.task_labels,
			.task_execs_fd = fds.task_execs,
		};

		r = task_labels__new(&agent->labels, &lopts);
		if (r < 0) {
			log_error_errno(r, "Out of memory");
			goto fail;
		}
		sink_opts.labels = agent->labels;
	}
	r = event_sink__new(&agent->sink, &sink_opts);
	if (r < 0) {
		log_error_errno(r, "Failed to set up event output: %m");
		goto fail;
	}
	r = policy_maps__new(&agent->maps, agent->loader);
	if (r < 0) {
		log_error_errno(r, "Failed to prepare the policy maps: %m");
		goto fail;
	}
	policy_maps__set_selinux(agent->maps, agent->selinux.enabled);
	/* Test only: hold open the instant before the policy is in force (bpf_pins.h). */
	if (bpf_pins_test_pause())
		log_notice("test pause (" BPF_PINS_TEST_PAUSE_ENV ") over, publishing the policy");
	r = publish(agent, set, source, NULL);
	if (r < 0)
		goto fail;
	set = NULL;
	/* Only now, with the policy in force, may the links an earlier agent pinned go. */
	r = bpf_loader__pin_links(agent->loader);
	if (r < 0) {
		log_error_errno(r, "Failed to pin the programs' links in %s: %m", bpf_loader__pin_dir(agent->loader));
		goto fail;
	}
	r = bpf_loader__settle_pins(agent->loader);
	if (r < 0)
		log_warning_errno(r, "Failed to remove stale pinned links: %m");
	load_reported_losses(agent);

	agent->ringbuf = ring_buffer__new(fds.events, event_sink__handle, agent->sink, NULL);
	if (!agent->ringbuf) {
		r = log_error_errno(errno, "Failed to open the ring buffer: %m");
		goto fail;
	}
	r = setup_loop(agent);
	if (r < 0)
		goto fail;
	if (sd_watchdog_enabled(0, &agent->watchdog_usec) <= 0)
		agent->watchdog_usec = 0;

	status_line(agent, agent->systemd_status, sizeof(agent->systemd_status));
	agent->last_status_ns = monotonic_ns();
	sd_notifyf(0, "READY=1\nSTATUS=%s", agent->systemd_status);
	write_metrics_file(agent, agent->last_status_ns, true);
	log_notice("ready");
	*out = agent;
	return 0;
fail:
	policy_set__free(set);
	agent__free(agent);
	return r;
}

/*
 * The watchdog is fed from the loop, after the ring buffer was read and the
 * events written: a stuck event pipeline stops feeding it.
 */
static void feed_watchdog(struct agent *agent, uint64_t now)
{
	if (!agent->watchdog_usec || now - agent->last_watchdog_ns < agent->watchdog_usec * 1000 / 2)
		return;
	sd_notify(0, "WATCHDOG=1");
	agent->last_watchdog_ns = now;
}

int agent__run(struct agent *agent)
{
	struct epoll_event events[16];
	uint64_t last_second = 0;

	while (!agent->stop) {
		int n = epoll_wait(agent->epoll_fd, events, ARRAY_SIZE(events), AGENT_POLL_MS);
		uint64_t now;
		int r;

		if (n < 0 && errno != EINTR)
			return log_error_errno(errno, "epoll_wait failed: %m");
		for (int i = 0; i < n; i++) {
			struct loop_source *source = events[i].data.ptr;

			source->dispatch(source, events[i].events);
		}
		/* Every pass, woken or not: quiet events are never held back long. */
		r = ring_buffer__consume(agent->ringbuf);
		if (r < 0 && r != -EINTR)
			return log_error_errno(r, "Failed to read events: %m");
		now = monotonic_ns();
		if (now - last_second >= 1000000000ull) {
			report_losses(agent);
			refresh_systemd_status(agent, now);
			write_metrics_file(agent, now, false);
			last_second = now;
		}
		if (event_sink__flush(agent->sink) < 0)
			return log_error_errno(-EIO, "Failed to write events to %s", agent->opts.events_path);
		feed_watchdog(agent, now);
	}
	sd_notify(0, "STOPPING=1");
	ring_buffer__consume(agent->ringbuf);
	report_losses(agent);
	event_sink__drain(agent->sink);
	write_metrics_file(agent, monotonic_ns(), true);
	if (bpf_loader__pin_dir(agent->loader)) {
		if (agent->unload || agent->opts.unload_on_stop) {
			int r = bpf_loader__unload(agent->loader);

			if (r < 0)
				log_warning_errno(r, "Failed to remove every pin: %m");
			else
				log_notice("unloaded: pins removed, programs detach as the agent exits");
		} else {
			log_notice("programs stay attached, pinned in %s: enforcement continues without the agent (credgatectl unload removes them)",
				   bpf_loader__pin_dir(agent->loader));
		}
	}
	return 0;
}

static void log_final_counts(struct agent *agent)
{
	struct event_sink_stats stats;
	__u64 ringbuf_full = 0, inflight_full = 0;

	if (!agent->ringbuf)
		return; /* never started */
	event_sink__stats(agent->sink, &stats);
	bpf_loader__read_counter(agent->loader, CG_CNT_RINGBUF_FULL, &ringbuf_full);
	bpf_loader__read_counter(agent->loader, CG_CNT_INFLIGHT_FULL, &inflight_full);
	log_notice("stopped: %llu events written, %llu lost (kernel buffer full), %llu lost (in-flight table full), %llu malformed, %llu write errors",
		   (unsigned long long)stats.written, (unsigned long long)ringbuf_full,
		   (unsigned long long)inflight_full, (unsigned long long)stats.malformed,
		   (unsigned long long)stats.write_errors);
	if (agent->audit) {
		struct audit_writer_stats as;

		audit_writer__stats(agent->audit, &as);
		log_notice("audit records: %llu written, %llu not written (queue full), %llu refused by the kernel",
			   (unsigned long long)as.written, (unsigned long long)as.queue_full,
			   (unsigned long long)as.send_failed);
	}
}

void agent__free(struct agent *agent)
{
	if (!agent)
		return;
	/* Decisions were drained into it when the loop ended: let them reach the kernel first. */
	audit_writer__stop(agent->audit);
	log_final_counts(agent);
	ring_buffer__free(agent->ringbuf);
	policy_maps__free(agent->maps);
	bpf_loader__free(agent->loader);
	event_sink__free(agent->sink);
	/* After the sink: its last drain reads the server's counts and publishes to its clients. */
	control_server__free(agent->control);
	/* After the sink, which may still write folded decisions on its way out. */
	audit_writer__free(agent->audit);
	task_labels__free(agent->labels);
	if (agent->events_out && agent->events_out != stdout)
		fclose(agent->events_out);
	policy_set__free(agent->policies);
	policy_set__free(agent->previous_policies);
	cgroup_fs__free(agent->cgroups);
	if (agent->signal_fd >= 0)
		close(agent->signal_fd);
	if (agent->epoll_fd >= 0)
		close(agent->epoll_fd);
	free(agent);
}
