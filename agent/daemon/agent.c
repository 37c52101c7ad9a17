// SPDX-License-Identifier: LGPL-2.1-or-later
#include "agent.h"
#include "agent_internal.h"

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
#include "enforcement.h"
#include "event_sink.h"
#include "kernel_mounts.h"
#include "kernel_probe.h"
#include "log.h"
#include "macro.h"
#include "metrics.h"
#include "output_file.h"
#include "policy.h"
#include "policy_maps.h"
#include "prometheus_writer.h"
#include "detect.h"
#include "status.h"
#include "task_labels.h"

/*
 * How often the loop reads the ring buffer without being woken: the BPF
 * side only wakes the agent when unread data piles up (see
 * cg_ringbuf_wakeup_flags()), so this bounds the latency of a quiet event.
 */
#define AGENT_POLL_MS 100

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

/* Events that never reached the event output: kernel buffer, in-flight table, write errors. */
static uint64_t events_lost(const struct agent *agent)
{
	struct event_sink_stats sink;

	event_sink__stats(agent->sink, &sink);
	return agent_counter(agent, CG_CNT_RINGBUF_FULL) + agent_counter(agent, CG_CNT_INFLIGHT_FULL) + sink.write_errors;
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
		 (unsigned)agent->fallback < ELEMENTSOF(methods) ? methods[agent->fallback] : "?",
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
int agent_reload_notified(struct agent *agent, struct json_writer *problems)
{
	int r;

	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading the policy",
		   (unsigned long long)(agent_monotonic_ns() / 1000));
	r = agent_reload(agent, problems);
	status_line(agent, agent->systemd_status, sizeof(agent->systemd_status));
	sd_notifyf(0, "READY=1\nSTATUS=%s%s", r < 0 ? "reload failed, the previous policy stays in force: " : "",
		   agent->systemd_status);
	return r;
}

static void on_signal(struct loop_source *source, uint32_t events)
{
	struct agent *agent = (struct agent *)((char *)source - offsetof(struct agent, signal_source));
	struct signalfd_siginfo si;

	while (read(agent->signal_fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			agent_reload_notified(agent, NULL);
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

static void container_created(void *ctx, uint64_t cgroup_id, uint64_t time_ns)
{
	agent_containers__created(ctx, cgroup_id, time_ns);
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
	return agent_setup_control(agent);
}

/* The event pipeline's process starts, to the kernel side's SELinux labels. */
static bool labels_fork_wanted(void *ctx, uint64_t fork_time_ns)
{
	return task_labels__fork_needs_label(ctx, fork_time_ns);
}

static void labels_forked(void *ctx, uint32_t pid, uint64_t fork_time_ns, const char *context, uint64_t exec_time)
{
	task_labels__note_fork(ctx, pid, fork_time_ns, context, exec_time);
}

static void labels_executed(void *ctx, uint32_t pid, const char *context, uint64_t exec_time)
{
	task_labels__note_exec(ctx, pid, context, exec_time);
}

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
	agent->started_ns = agent_monotonic_ns();
	libbpf_set_print(libbpf_log);

	if (opts->node_name)
		snprintf(agent->node_name, sizeof(agent->node_name), "%s", opts->node_name);
	else if (uname(&uts) == 0)
		snprintf(agent->node_name, sizeof(agent->node_name), "%s", uts.nodename);
	agent->host_pidns_ino = CG_HOST_PIDNS_INO;

	r = agent_load_policies(opts, &set, &source, NULL);
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
	enforcement_log_features(&agent->features);
	r = setup_selinux(agent);
	if (r < 0)
		goto fail;
	r = agent_choose_fallback(agent, set, &agent->fallback);
	if (r < 0)
		goto fail;
	r = enforcement_load_programs(&agent->loader, &agent->features, agent->fallback,
				      &(struct enforcement_load_options){
					      .ringbuf_bytes = opts->ringbuf_bytes,
					      .cgroup_map_size = opts->cgroup_map_size,
					      .pin_dir = opts->pin_dir,
					      .force_tracepoints = opts->force_tracepoints,
				      });
	if (r < 0)
		goto fail;
	enforcement_log(&agent->features, agent->fallback, agent->loader);

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
		sink_opts.starts = (struct event_process_starts){
			.fork_wanted = labels_fork_wanted,
			.forked = labels_forked,
			.executed = labels_executed,
			.ctx = agent->labels,
		};
	}
	sink_opts.containers = (struct event_container_starts){ .created = container_created, .ctx = agent };
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
	r = agent_containers__new(&agent->containers);
	if (r < 0) {
		log_error_errno(r, "Failed to set up container identity: %m");
		goto fail;
	}
	{
		struct container_resolver resolver = agent_containers__resolver(agent->containers);

		policy_maps__set_container_resolver(agent->maps, &resolver);
	}
	/* Test only: hold open the instant before the policy is in force (bpf_pins.h). */
	if (bpf_pins_test_pause())
		log_notice("test pause (" BPF_PINS_TEST_PAUSE_ENV ") over, publishing the policy");
	r = agent_publish(agent, set, source, NULL);
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
	agent_load_reported_losses(agent);

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
	agent->last_status_ns = agent_monotonic_ns();
	sd_notifyf(0, "READY=1\nSTATUS=%s", agent->systemd_status);
	metrics_write_file(agent, agent->last_status_ns, true);
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
		int n = epoll_wait(agent->epoll_fd, events, ELEMENTSOF(events), AGENT_POLL_MS);
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
		now = agent_monotonic_ns();
		if (now - last_second >= 1000000000ull) {
			agent_report_losses(agent);
			refresh_systemd_status(agent, now);
			metrics_write_file(agent, now, false);
			last_second = now;
		}
		if (event_sink__flush(agent->sink) < 0)
			return log_error_errno(-EIO, "Failed to write events to %s", agent->opts.events_path);
		feed_watchdog(agent, now);
	}
	sd_notify(0, "STOPPING=1");
	ring_buffer__consume(agent->ringbuf);
	agent_report_losses(agent);
	event_sink__drain(agent->sink);
	metrics_write_file(agent, agent_monotonic_ns(), true);
	/*
	 * containers.mode tells the OCI hook to refuse enforced containers while
	 * the agent is away. It stays while the pins keep enforcing (a restart,
	 * an upgrade); with nothing left enforcing, refusing containers would
	 * protect nothing.
	 */
	if (!bpf_loader__pin_dir(agent->loader) || agent->unload || agent->opts.unload_on_stop)
		agent_containers__stopped(agent);
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
	agent_containers__free(agent->containers);
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
