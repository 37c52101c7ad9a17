// SPDX-License-Identifier: LGPL-2.1-or-later
#include "agent.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <systemd/sd-daemon.h>

#include "bpf_loader.h"
#include "cgroup.h"
#include "default_policy.h"
#include "event_sink.h"
#include "kernel_mounts.h"
#include "kernel_probe.h"
#include "log.h"
#include "macro.h"
#include "policy.h"
#include "policy_maps.h"

/*
 * How often the loop reads the ring buffer without being woken: the BPF
 * side only wakes the agent when unread data piles up (see
 * cg_ringbuf_wakeup_flags()), so this bounds the latency of a quiet event.
 */
#define AGENT_POLL_MS 100

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
	FILE *events_out;
	int signal_fd;
	int epoll_fd;
	uint64_t lost_reported[2]; /* ringbuf full, in-flight full */
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

static void log_policy_diags(const struct policy_diags *diags)
{
	char line[1024];

	for (size_t i = 0; i < diags->count; i++) {
		policy_diag_format(&diags->items[i], line, sizeof(line));
		if (diags->items[i].severity == POLICY_DIAG_ERROR)
			log_error("%s", line);
		else
			log_warning("%s", line);
	}
	if (diags->dropped)
		log_error("... and %zu more problems", diags->dropped);
}

/* Read the configured policies, or the built-in one. Logs every problem. */
static int load_policies(const struct agent_options *opts, struct policy_set **out,
			 const char **source)
{
	struct policy_diags diags = {};
	struct policy_set *set = policy_set__new();
	const char *path = opts->policy_path;
	struct stat st;
	int r;

	if (!set)
		return log_error_errno(-ENOMEM, "Out of memory");
	if (!opts->builtin_policy && !path && stat(CREDGATE_DEFAULT_POLICY_DIR, &st) == 0)
		path = CREDGATE_DEFAULT_POLICY_DIR;
	if (opts->builtin_policy || !path) {
		*source = credgate_builtin_policy_name;
		r = policy_set__parse(set, credgate_builtin_policy_name, credgate_builtin_policy_yaml,
				      strlen(credgate_builtin_policy_yaml), &diags);
	} else {
		*source = path;
		r = policy_set__load(set, path, &diags);
	}
	log_policy_diags(&diags);
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

static void log_enforcement(const struct agent *agent)
{
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
	};
	enum observation_method m = agent->opts.force_tracepoints ? OBSERVE_TRACEPOINTS : OBSERVE_FENTRY;
	int r = -EOPNOTSUPP;

	for (; m <= OBSERVE_TRACEPOINTS; m++) {
		if (!observation_available(f, m))
			continue;
		lo.observation = m;
		r = bpf_loader__open(&agent->loader, &lo);
		/* Attach once now, so a method that cannot attach is found at start. */
		if (r == 0) {
			r = bpf_loader__observe(agent->loader, true);
			if (r == 0)
				return 0;
			bpf_loader__free(agent->loader);
			agent->loader = NULL;
		}
		log_warning_errno(r, "Failed to load and attach the %s observation programs: %m",
				  observation_method_name(m));
	}
	if (r == -EOPNOTSUPP)
		return log_error_errno(r, "Neither fentry (%s), kprobes (%s) nor syscall tracepoints (%s) work on this kernel: nothing can observe credential changes",
				       f->fentry.reason, f->kprobes.reason, f->tracepoints.reason);
	return log_error_errno(r, "Failed to load and attach BPF programs: %m");
}

static void log_publish_report(const struct publish_report *report)
{
	for (size_t i = 0; i < report->nproblems; i++) {
		const struct binding_problem *p = &report->problems[i];

		if (p->fatal)
			log_error("%s:%u:%u: error: policy '%s': %s", p->policy->file, p->selector->line,
				  p->selector->column, p->policy->name, p->message);
		else
			log_warning("%s:%u:%u: warning: policy '%s': %s", p->policy->file,
				    p->selector->line, p->selector->column, p->policy->name, p->message);
	}
	if (report->problems_dropped)
		log_warning("... and %zu more binding problems", report->problems_dropped);
}

static int publish(struct agent *agent, struct policy_set *set, const char *source)
{
	struct publish_report report;
	int r;

	r = policy_maps__publish(agent->maps, set, agent->cgroups, &report);
	log_publish_report(&report);
	if (r < 0)
		return log_error_errno(r, "Failed to put policy %s in force: %m", source);
	/* After the new generation is in force: nothing it needs is missing. */
	update_observation(agent, set);
	event_sink__set_policies(agent->sink, report.generation, set);
	policy_set__free(agent->previous_policies);
	agent->previous_policies = agent->policies;
	agent->policies = set;
	log_notice("policy: %zu policies (%zu enforcing) from %s, %zu cgroups bound, generation %u",
		   report.policies, report.enforcing, source, report.bindings, report.generation);
	return 0;
}

static int open_events_output(struct agent *agent)
{
	int fd;

	if (strcmp(agent->opts.events_path, "-") == 0) {
		agent->events_out = stdout;
	} else {
		fd = open(agent->opts.events_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
		if (fd < 0)
			return log_error_errno(errno, "Failed to open %s: %m", agent->opts.events_path);
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
	ev.data.fd = agent->signal_fd;
	if (epoll_ctl(agent->epoll_fd, EPOLL_CTL_ADD, agent->signal_fd, &ev) < 0)
		return log_error_errno(errno, "Failed to watch signals: %m");
	ev.data.fd = ring_buffer__epoll_fd(agent->ringbuf);
	if (epoll_ctl(agent->epoll_fd, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0)
		return log_error_errno(errno, "Failed to watch the ring buffer: %m");
	return 0;
}

/*
 * The initial pid namespace has a fixed inode number (PROC_PID_INIT_INO in
 * include/linux/proc_ns.h): the "host" pid namespace the reference tool's
 * host_ns selector means, whatever namespace the agent itself runs in.
 */
#define HOST_PIDNS_INO 0xEFFFFFFCu

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
	libbpf_set_print(libbpf_log);

	if (opts->node_name)
		snprintf(agent->node_name, sizeof(agent->node_name), "%s", opts->node_name);
	else if (uname(&uts) == 0)
		snprintf(agent->node_name, sizeof(agent->node_name), "%s", uts.nodename);
	agent->host_pidns_ino = HOST_PIDNS_INO;

	r = load_policies(opts, &set, &source);
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
	sink_opts = (struct event_sink_options){
		.format = opts->output,
		.node_name = agent->node_name,
		.out = agent->events_out,
		.cgroup_fs = agent->cgroups,
		.host_pidns_ino = agent->host_pidns_ino,
	};
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
	r = publish(agent, set, source);
	if (r < 0)
		goto fail;
	set = NULL;

	bpf_loader__maps(agent->loader, &fds);
	agent->ringbuf = ring_buffer__new(fds.events, event_sink__handle, agent->sink, NULL);
	if (!agent->ringbuf) {
		r = log_error_errno(errno, "Failed to open the ring buffer: %m");
		goto fail;
	}
	r = setup_loop(agent);
	if (r < 0)
		goto fail;

	sd_notifyf(0, "READY=1\nSTATUS=%s %zu policies, %s",
		   agent->fallback == CG_FALLBACK_NONE ? "enforcing" : "observing",
		   agent->policies->count,
		   agent->fallback == CG_FALLBACK_NONE ? "bpf-lsm" : "no bpf-lsm");
	log_notice("ready");
	*out = agent;
	return 0;
fail:
	policy_set__free(set);
	agent__free(agent);
	return r;
}

static int reload(struct agent *agent)
{
	struct policy_set *set = NULL;
	const char *source;
	enum cg_fallback previous = agent->fallback;
	int r;

	log_notice("reloading policy");
	r = load_policies(&agent->opts, &set, &source);
	if (r < 0)
		goto keep;
	/* A reload may not add enforcement the kernel cannot give. */
	r = choose_fallback(agent, set);
	if (r < 0 || agent->fallback != previous) {
		agent->fallback = previous;
		if (r == 0) {
			r = -EOPNOTSUPP;
			log_error("The new policy needs a different --lsm-unavailable handling; restart the agent to change it");
		}
		goto keep;
	}
	r = publish(agent, set, source);
	if (r < 0)
		goto keep;
	return 0;
keep:
	policy_set__free(set);
	log_error("Reload failed: the previous policy stays in force");
	return r;
}

static void report_losses(struct agent *agent)
{
	__u64 ringbuf_full = 0, inflight_full = 0;

	bpf_loader__read_counter(agent->loader, CG_CNT_RINGBUF_FULL, &ringbuf_full);
	bpf_loader__read_counter(agent->loader, CG_CNT_INFLIGHT_FULL, &inflight_full);
	if (ringbuf_full == agent->lost_reported[0] && inflight_full == agent->lost_reported[1])
		return;
	event_sink__report_lost(agent->sink, ringbuf_full - agent->lost_reported[0],
				inflight_full - agent->lost_reported[1]);
	log_warning("lost events: %llu (kernel buffer full), %llu (in-flight table full)",
		    (unsigned long long)(ringbuf_full - agent->lost_reported[0]),
		    (unsigned long long)(inflight_full - agent->lost_reported[1]));
	agent->lost_reported[0] = ringbuf_full;
	agent->lost_reported[1] = inflight_full;
}

int agent__run(struct agent *agent)
{
	struct epoll_event events[4];
	struct timespec last_tick = {}, now;

	for (;;) {
		int n = epoll_wait(agent->epoll_fd, events, ARRAY_SIZE(events), AGENT_POLL_MS);

		if (n < 0 && errno != EINTR)
			return log_error_errno(errno, "epoll_wait failed: %m");
		for (int i = 0; i < n; i++) {
			if (events[i].data.fd == agent->signal_fd) {
				struct signalfd_siginfo si;

				while (read(agent->signal_fd, &si, sizeof(si)) == sizeof(si)) {
					if (si.ssi_signo == SIGHUP) {
						sd_notifyf(0, "RELOADING=1");
						reload(agent);
						sd_notify(0, "READY=1");
						continue;
					}
					log_notice("received %s, detaching", strsignal((int)si.ssi_signo));
					ring_buffer__consume(agent->ringbuf);
					event_sink__flush(agent->sink);
					return 0;
				}
			}
		}
		/* Every pass, woken or not: quiet events are never held back long. */
		{
			int r = ring_buffer__consume(agent->ringbuf);

			if (r < 0 && r != -EINTR)
				return log_error_errno(r, "Failed to read events: %m");
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec != last_tick.tv_sec) {
			report_losses(agent);
			last_tick = now;
		}
		if (event_sink__flush(agent->sink) < 0)
			return log_error_errno(-EIO, "Failed to write events to %s", agent->opts.events_path);
	}
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
}

void agent__free(struct agent *agent)
{
	if (!agent)
		return;
	log_final_counts(agent);
	ring_buffer__free(agent->ringbuf);
	policy_maps__free(agent->maps);
	bpf_loader__free(agent->loader);
	event_sink__free(agent->sink);
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
