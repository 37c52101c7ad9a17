/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The agent's state, for the modules that report it: the control plane's
 * status (control/status.c) and metrics (control/metrics.c) read it, only
 * daemon/ changes it. Not for anything else: the rest of the agent gets
 * what it needs through its own module's interface.
 */
#ifndef CREDGATE_AGENT_INTERNAL_H
#define CREDGATE_AGENT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "audit_writer.h"
#include "containers.h"
#include "bpf_loader.h"
#include "cgroup.h"
#include "control.h"
#include "detect.h"
#include "event_sink.h"
#include "kernel_probe.h"
#include "loop.h"
#include "options.h"
#include "policy.h"
#include "policy_maps.h"
#include "task_labels.h"

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
	struct agent_containers *containers; /* identity selectors' bindings (containers.h) */
	char systemd_status[256];      /* the last STATUS= sent */
	uint64_t last_status_ns, last_metrics_file_ns;
	int metrics_file_error; /* the last write's, to log each change once */
};

/* daemon/agent_state.c */

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t agent_monotonic_ns(void);

/* A per-CPU counter of the kernel side, summed (0 if it cannot be read). */
uint64_t agent_counter(const struct agent *agent, enum cg_counter c);

/* The cgroup's path, or "" when it is gone (or id 0: cgroups without an entry). */
void agent_cgroup_path(const struct agent *agent, __u64 id, char *buf, size_t size);

/* daemon/policy_load.c */

/* Read the configured policies, or the built-in one. Logs every problem; errors go to @problems too (may be NULL). */
int agent_load_policies(const struct agent_options *opts, struct policy_set **out, const char **source,
			struct json_writer *problems);

/* The fallback --lsm-unavailable asks for with @set, in @out (kernel/enforcement.c). Logs. */
int agent_choose_fallback(const struct agent *agent, const struct policy_set *set, enum cg_fallback *out);

/* Put @set in force: maps, observation, labels, the sink's names. Takes @set on success. */
int agent_publish(struct agent *agent, struct policy_set *set, const char *source, struct json_writer *problems);

/* Load, check and publish again; the previous policy stays on failure. */
int agent_reload(struct agent *agent, struct json_writer *problems);

/* daemon/agent.c */

/* agent_reload() bracketed for systemd: RELOADING=1 ... READY=1 with a status line. */
int agent_reload_notified(struct agent *agent, struct json_writer *problems);

/* daemon/control_plane.c */

/* Listen on the control socket; its handlers act on @agent. */
int agent_setup_control(struct agent *agent);

/* daemon/losses.c */

/* What an earlier agent (sharing our pinned maps) already reported. */
void agent_load_reported_losses(struct agent *agent);

/* New losses since the last report: logged, told to the sink, saved. */
void agent_report_losses(struct agent *agent);

#endif /* CREDGATE_AGENT_INTERNAL_H */
