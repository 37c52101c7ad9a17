// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The Prometheus exposition: credgatectl metrics, and --metrics-file for
 * node_exporter's textfile collector. Written by the Prometheus text
 * writer (base/prometheus_writer.c).
 */
#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent_internal.h"
#include "log.h"
#include "macro.h"

/* --metrics-file: node_exporter's default scrape interval is 15 s too. */
#define METRICS_FILE_INTERVAL_NS (15 * 1000000000ull)

/* Per governing cgroup, the events the kernel did not deliver (status.c says more). */
struct loss_walk {
	struct agent *agent;
	struct prom_writer *w;
	const char *help;
};

static uint64_t loss_total(const struct cg_cgroup_loss *l)
{
	return l->decisions_budget + l->decisions_full + l->observations_budget + l->observations_full;
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
	agent_cgroup_path(lw->agent, id, path, sizeof(path));
	prom_label_escape(path, escaped, sizeof(escaped));
	for (int k = 0; k < 2; k++)
		for (int c = 0; c < 2; c++) {
			if (!values[k][c])
				continue;
			snprintf(labels, sizeof(labels), "cgroup_id=\"%llu\",cgroup=\"%s\",kind=\"%s\",cause=\"%s\"",
				 (unsigned long long)id, escaped, kinds[k], causes[c]);
			prom_sample(lw->w, "credgate_cgroup_events_lost_total", lw->help, "counter", labels, values[k][c]);
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
static void metrics_by_hook(struct agent *agent, struct prom_writer *w)
{
	const char *help = "Credential changes decided, by LSM hook and verdict.";
	char labels[128];

	for (unsigned hook = 1; hook < CG_HOOK_MAX; hook++)
		for (unsigned v = 0; v < CG_VERDICT_COUNT; v++) {
			if (!metric_verdicts[v] || !policy_hook_name(hook))
				continue;
			snprintf(labels, sizeof(labels), "hook=\"%s\",verdict=\"%s\"", policy_hook_name(hook),
				 metric_verdicts[v]);
			prom_sample(w, "credgate_hook_decisions_total", help, "counter", labels,
			       agent_counter(agent, (enum cg_counter)(CG_CNT_BY_HOOK + hook * CG_VERDICT_COUNT + v)));
			help = NULL;
		}
}

/*
 * Per policy in force, the decisions reported as events (allowed ones only
 * where the policy sets reportAllowed). Policy names are DNS-label-like
 * (lowercase, digits, '-', '.'): nothing to escape in a label value.
 */
static void metrics_by_policy(struct agent *agent, struct prom_writer *w)
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
			prom_sample(w, "credgate_policy_decisions_total", help, "counter", labels, counts[v]);
			help = NULL;
		}
}

/* Cgroups the kernel could not give a state (the cgroup map full), and what governed them. */
static void metrics_cgroups(struct agent *agent, struct prom_writer *w, const struct event_sink_stats *sink)
{
	prom_sample(w, "credgate_cgroup_map_size", "Cgroups the kernel keeps a state for, per policy generation.",
	       "gauge", NULL, policy_maps__cgroup_capacity(agent->maps));
	prom_sample(w, "credgate_cgroups_without_state",
	       "Cgroups the last policy publish could not store a state for (the cgroup map full).", "gauge", NULL,
	       policy_maps__unstored(agent->maps));
	prom_sample(w, "credgate_cgroup_state_failures_total",
	       "New cgroups the kernel could not store a state for (the cgroup map full, or no memory).",
	       "counter", NULL, agent_counter(agent, CG_CNT_MKDIR_FAILED));
	prom_sample(w, "credgate_cgroup_unknown_total",
	       "Policy lookups for a cgroup without a state of its own that is not below a sealed one: governed fail-closed while a policy enforces, else as the nearest ancestor with a state.",
	       "counter", NULL, agent_counter(agent, CG_CNT_CGROUP_UNKNOWN));
	prom_sample(w, "credgate_fail_closed_decisions_total",
	       "Decisions of the fail-closed policy (credgate:fail-closed) reported as events.", "counter", NULL,
	       sink->fail_closed_decisions);
}

/* What each attached program cost, where the kernel counts it (kernel.bpf_stats_enabled). */
static void metrics_programs(struct agent *agent, struct prom_writer *w)
{
	struct bpf_program_stat stats[64];
	const char *help_runs = "Runs of each attached BPF program (counted while kernel.bpf_stats_enabled=1).";
	const char *help_time = "Time spent in each attached BPF program (counted while kernel.bpf_stats_enabled=1).";
	char labels[160];
	int n = bpf_loader__program_stats(agent->loader, stats, ELEMENTSOF(stats));

	for (int i = 0; i < n; i++) {
		snprintf(labels, sizeof(labels), "program=\"%.95s\"", stats[i].name);
		prom_sample(w, "credgate_bpf_program_runs_total", help_runs, "counter", labels, stats[i].run_cnt);
		help_runs = NULL;
	}
	for (int i = 0; i < n; i++) {
		snprintf(labels, sizeof(labels), "program=\"%.95s\"", stats[i].name);
		prom_sample(w, "credgate_bpf_program_run_nanoseconds_total", help_time, "counter", labels,
		       stats[i].run_time_ns);
		help_time = NULL;
	}
}

void metrics_write(struct agent *agent, struct prom_writer *w)
{
	struct event_sink_stats sink;
	struct control_stats ctl = {};
	__u64 ring_pending, ring_size;
	size_t governed;

	event_sink__stats(agent->sink, &sink);
	if (agent->control)
		control_server__stats(agent->control, &ctl);
	prom_sample(w, "credgate_decisions_total", "Credential changes decided, by verdict.", "counter",
	       "verdict=\"allowed\"", agent_counter(agent, CG_CNT_ALLOWED));
	prom_sample(w, "credgate_decisions_total", NULL, NULL, "verdict=\"audited-would-deny\"",
	       agent_counter(agent, CG_CNT_AUDITED));
	prom_sample(w, "credgate_decisions_total", NULL, NULL, "verdict=\"denied\"", agent_counter(agent, CG_CNT_DENIED));
	prom_sample(w, "credgate_decisions_total", NULL, NULL, "verdict=\"killed\"", agent_counter(agent, CG_CNT_KILLED));
	metrics_by_hook(agent, w);
	metrics_by_policy(agent, w);
	prom_sample(w, "credgate_container_binds_total",
		    "bind-container requests (the OCI hook, the runc wrapper): containers bound at their start, and requests refused.",
		    "counter", "result=\"bound\"", agent_containers__bound(agent->containers));
	prom_sample(w, "credgate_container_binds_total", NULL, NULL, "result=\"refused\"",
		    agent_containers__refused(agent->containers));
	{
		uint64_t count, delay, max_delay;

		agent_containers__discovery(agent->containers, &count, &delay, &max_delay);
		prom_sample(w, "credgate_container_binds_total", NULL, NULL, "result=\"after_start\"", count);
		prom_sample(w, "credgate_container_bind_delay_microseconds_total",
			    "Time from a container's cgroup being made to the agent binding it, summed over the binds counted as after_start (runtimes without the hook or the wrapper).",
			    "counter", NULL, delay / 1000);
		prom_sample(w, "credgate_container_bind_delay_microseconds_max",
			    "The longest such time since the agent started.", "gauge", NULL, max_delay / 1000);
	}
	prom_sample(w, "credgate_events_written_total", "Event lines written to the event output.", "counter", NULL,
	       sink.written);
	prom_sample(w, "credgate_events_lost_total", "Events lost, by where.", "counter", "where=\"kernel_buffer\"",
	       agent_counter(agent, CG_CNT_RINGBUF_FULL));
	prom_sample(w, "credgate_events_lost_total", NULL, NULL, "where=\"inflight\"", agent_counter(agent, CG_CNT_INFLIGHT_FULL));
	prom_sample(w, "credgate_events_lost_total", NULL, NULL, "where=\"slow_client\"", ctl.client_missed);
	prom_sample(w, "credgate_events_lost_total", NULL, NULL, "where=\"write_error\"", sink.write_errors);
	prom_sample(w, "credgate_control_clients_total",
	       "Control socket clients, by outcome: accepted; refused a command they may not run; dropped "
	       "for silence or a reply not taken in time; evicted for a new client; rejected for want of a slot.",
	       "counter", "outcome=\"accepted\"", ctl.clients_accepted);
	prom_sample(w, "credgate_control_clients_total", NULL, NULL, "outcome=\"refused\"", ctl.refused);
	prom_sample(w, "credgate_control_clients_total", NULL, NULL, "outcome=\"timed_out\"", ctl.timed_out);
	prom_sample(w, "credgate_control_clients_total", NULL, NULL, "outcome=\"evicted\"", ctl.evicted);
	prom_sample(w, "credgate_control_clients_total", NULL, NULL, "outcome=\"rejected\"", ctl.rejected);
	bpf_loader__cgroup_losses(agent->loader, CG_MAX_LOSS_CGROUPS, metrics_loss,
				  &(struct loss_walk){ .agent = agent, .w = w,
						       .help = "Events of a cgroup the kernel did not deliver, by "
							       "kind and cause (over the cgroup's budget, buffer full)." });
	if (agent->audit) {
		struct audit_writer_stats as;

		audit_writer__stats(agent->audit, &as);
		prom_sample(w, "credgate_events_lost_total", NULL, NULL, "where=\"audit\"",
		       as.queue_full + as.send_failed + sink.avc_unformatted);
		prom_sample(w, "credgate_audit_records_total", "USER_AVC records written to the kernel's audit.", "counter",
		       NULL, as.written);
	}
	metrics_cgroups(agent, w, &sink);
	prom_sample(w, "credgate_selinux_label_unknown_total",
	       "Decisions of SELinux-selecting policies on processes not labelled yet (the policy applied).",
	       "counter", NULL, agent_counter(agent, CG_CNT_LABEL_UNKNOWN));
	prom_sample(w, "credgate_policies", "Policies in force.", "gauge", NULL,
	       agent->policies ? agent->policies->count : 0);
	prom_sample(w, "credgate_policy_generation", "Generation number of the policy in force.", "gauge", NULL,
	       policy_maps__generation(agent->maps));
	prom_sample(w, "credgate_reloads_total", "Policy reloads, by result.", "counter", "result=\"ok\"",
	       agent->reloads - agent->reload_failures);
	prom_sample(w, "credgate_reloads_total", NULL, NULL, "result=\"failed\"", agent->reload_failures);
	prom_sample(w, "credgate_last_reload_ok", "1 if the last reload succeeded (or none happened).", "gauge", NULL,
	       agent->last_reload_error == 0);
	prom_sample(w, "credgate_getevents_clients", "Connected getevents clients.", "gauge", NULL,
	       control_server__streaming(agent->control));
	prom_sample(w, "credgate_uptime_seconds", "Seconds since the agent started.", "gauge", NULL,
	       (agent_monotonic_ns() - agent->started_ns) / 1000000000ull);
	prom_sample(w, "credgate_processes_cached", "Processes the identity cache holds.", "gauge", NULL, sink.processes);
	if (policy_maps__count_governed(agent->maps, &governed) == 0)
		prom_sample(w, "credgate_governed_cgroups", "Cgroups a policy governs now.", "gauge", NULL, governed);
	if (bpf_loader__ring_usage(agent->loader, &ring_pending, &ring_size) == 0) {
		prom_sample(w, "credgate_ringbuf_pending_bytes", "Bytes in the kernel event buffer not read yet.", "gauge",
		       NULL, ring_pending);
		prom_sample(w, "credgate_ringbuf_size_bytes", "Size of the kernel event buffer.", "gauge", NULL, ring_size);
	}
	metrics_programs(agent, w);
}

/*
 * The metrics for node_exporter's textfile collector: written whole to a
 * temporary file and renamed, so the collector never reads half of it.
 */
void metrics_write_file(struct agent *agent, uint64_t now, bool force)
{
	const char *path = agent->opts.metrics_file;
	char tmp[PATH_MAX];
	struct prom_writer w;
	const char *text;
	int r = 0;

	if (!path || (!force && now - agent->last_metrics_file_ns < METRICS_FILE_INTERVAL_NS))
		return;
	agent->last_metrics_file_ns = now;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return;
	prom_writer_init(&w);
	metrics_write(agent, &w);
	text = prom_writer_text(&w);
	if (!text) {
		r = -ENOMEM;
	} else {
		_cleanup_close_ int fd = -1;
		size_t len = prom_writer_len(&w);

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
	prom_writer_free(&w);
	/* Said once per change of outcome, not every 15 s. */
	if (r < 0 && r != agent->metrics_file_error)
		log_warning_errno(r, "Failed to write the metrics to %s: %m", path);
	else if (r == 0 && agent->metrics_file_error)
		log_info("Metrics written to %s again", path);
	agent->metrics_file_error = r;
}
