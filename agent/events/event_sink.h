/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where kernel records become output. Each ring-buffer record is validated;
 * exec, fork and exit records keep the process cache current; every event
 * gets its process's identity (exec id, binary, arguments, parent,
 * container, pod), its cgroup and policy names, passes its cgroup's rate
 * limit, and is written as one line to the primary output, and to the
 * rotated file, the journal and getevents clients when those are on.
 * Nothing is lost without a credgate_lost event saying how many.
 */
#ifndef CREDGATE_EVENT_SINK_H
#define CREDGATE_EVENT_SINK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cgroup.h"
#include "event_format.h"
#include "policy.h"

struct event_sink;
struct audit_writer;
/*
 * What the pipeline tells of each process start it sees, with the SELinux
 * context the process identity read for it. The pipeline writes no map: the
 * daemon points this at kernel/task_labels.c, which labels the process for
 * the kernel side's selinuxType selectors and decides what to write.
 */
struct event_process_starts {
	/* Whether a fork at @fork_time_ns needs its context (looking it up costs). */
	bool (*fork_wanted)(void *ctx, uint64_t fork_time_ns);
	void (*forked)(void *ctx, uint32_t pid, uint64_t fork_time_ns, const char *context, uint64_t exec_time);
	void (*executed)(void *ctx, uint32_t pid, const char *context, uint64_t exec_time);
	void *ctx;
};

/*
 * A container's own cgroup was made (CG_EVENT_CONTAINER): the daemon binds
 * its identity selectors (daemon/containers.c). The pipeline only tells.
 */
struct event_container_starts {
	void (*created)(void *ctx, uint64_t cgroup_id, uint64_t time_ns);
	void *ctx;
};

/* A rate (events per second per cgroup) meaning "no limit", as 0 does. */
#define EVENT_SINK_UNLIMITED UINT32_MAX

#define EVENT_SINK_DEFAULT_FILE_MAX_BYTES (100ull * 1024 * 1024)
#define EVENT_SINK_DEFAULT_FILE_KEEP 5

struct event_sink_options {
	enum output_format format;
	const char *node_name;
	FILE *out; /* the primary output: stdout or --events FILE */
	const struct cgroup_fs *cgroup_fs;
	uint64_t host_pidns_ino;

	/* Process identity. */
	int task_execs_fd;	    /* the cg_task_execs map, for seeding exec times; < 1: none */
	const char *proc_root;	    /* NULL: "/proc" */
	bool no_proc_scan;	    /* do not seed the process cache from /proc (tests, benchmarks) */
	unsigned process_cache_max; /* processes cached; 0: 65536 */
	unsigned exited_grace_ms;   /* how long an exited process stays known; 0: 30000 */
	const char *cri_root;	    /* prefix of the runtimes' state paths (tests); NULL: the real paths */

	/*
	 * Rate limits, per cgroup. Observations (process_kprobe, process_exec,
	 * allowed decisions) over budget are dropped and counted in
	 * credgate_lost. Decisions that deny, kill or audit are never dropped:
	 * over their budget, identical ones (same process, rule and change)
	 * are folded into one line with a count. 0 or EVENT_SINK_UNLIMITED:
	 * no limit (the default). A burst of 0 is twice the rate.
	 */
	uint32_t observe_rate, observe_burst;
	uint32_t deny_rate, deny_burst;

	/* A JSON Lines file with size-based rotation, besides the primary output. */
	const char *file_path;	 /* NULL: none */
	uint64_t file_max_bytes; /* 0: 100 MiB */
	unsigned file_keep;	 /* rotated files kept; 0: 5 */

	bool journal; /* also send every event to the systemd journal */

	/* SELinux is enabled: events carry each process's context (selinux_context). */
	bool selinux_contexts;
	/* auditRecords: avc: every audited or denied decision also as a USER_AVC record; NULL: off. */
	struct audit_writer *audit;
	/* Who is told of process starts (selinuxType selectors); members NULL: nobody. */
	struct event_process_starts starts;
	struct event_container_starts containers;
};

int event_sink__new(struct event_sink **out, const struct event_sink_options *opts);
/* Writes what is still pending (event_sink__drain), then frees. */
void event_sink__free(struct event_sink *sink);

/*
 * Policy names for events: the sink keeps the two newest generations, since
 * events decided just before a reload arrive just after it. The sink does not
 * own the sets.
 */
void event_sink__set_policies(struct event_sink *sink, uint32_t generation,
			      const struct policy_set *set);

struct event_clients;

/* Also offer every event to @clients (event_fanout.h; NULL: none). */
void event_sink__set_clients(struct event_sink *sink, const struct event_clients *clients);

/* ring_buffer_sample_fn: ctx is the sink. Never fails the ring buffer. */
int event_sink__handle(void *ctx, void *data, size_t size);

/* Losses the kernel counted since the previous report. */
struct event_sink_kernel_lost {
	uint64_t ringbuf_full;	  /* events (decisions, observations) */
	uint64_t inflight_full;
	uint64_t process_records; /* exec/fork/exit records */
};

/*
 * Report losses: one credgate_lost line with these counts and the sink's
 * own (rate limiting, output failures, slow clients) since the last one.
 */
void event_sink__report_kernel_lost(struct event_sink *sink, const struct event_sink_kernel_lost *lost);
/* The same, for the two counters the agent has always had. */
void event_sink__report_lost(struct event_sink *sink, uint64_t ringbuf_full, uint64_t inflight_full);

/*
 * Flush buffered output; negative errno when writing the primary output
 * failed. Called every loop pass: it also writes folded decisions whose
 * window ended, reports the sink's own losses (at most once a second) and
 * frees processes whose grace period ended.
 */
int event_sink__flush(struct event_sink *sink);

/* Write every folded decision and pending loss now, and flush (before stopping). */
int event_sink__drain(struct event_sink *sink);

struct event_sink_stats {
	uint64_t written;      /* lines written to the primary output */
	uint64_t malformed;    /* records that failed validation */
	uint64_t write_errors; /* lines the primary output did not take */
	uint64_t rate_limited; /* observations dropped over their cgroup's budget */
	uint64_t folded;       /* decisions folded into "repeated" lines (not lost) */
	uint64_t repeat_lines; /* "repeated" lines written */
	uint64_t lost_reports; /* credgate_lost lines */
	uint64_t exec_events;  /* process_exec lines */
	uint64_t file_lines, file_lost, file_rotations;
	uint64_t journal_sent, journal_lost;
	uint64_t processes;	   /* processes cached now */
	uint64_t process_misses;   /* events whose process the cache did not know */
	uint64_t process_evicted;  /* exited processes freed early: the cache was full */
	uint64_t avc_records;	   /* decisions handed to the audit writer */
	uint64_t avc_unformatted;  /* decisions no AVC record could be made of (counted as audit losses) */
	uint64_t fail_closed_decisions; /* decisions of the fail-closed policy (a cgroup without a state) */
};
void event_sink__stats(const struct event_sink *sink, struct event_sink_stats *stats);

/*
 * Decisions the kernel reported for policy @index of the set in force, by
 * verdict (allowed ones only where the policy reports them). Sets *name;
 * returns the number of policies (0: @index is past the end).
 */
size_t event_sink__policy_decisions(const struct event_sink *sink, size_t index, const char **name,
				    uint64_t counts[CG_VERDICT_COUNT]);

#endif /* CREDGATE_EVENT_SINK_H */
