/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Where kernel events become output: each ring-buffer record is validated,
 * given the process, cgroup and policy names user space knows, formatted and
 * written as one line.
 */
#ifndef CREDGATE_EVENT_SINK_H
#define CREDGATE_EVENT_SINK_H

#include <stdint.h>
#include <stdio.h>

#include "cgroup.h"
#include "event_format.h"
#include "policy.h"

struct event_sink;

struct event_sink_options {
	enum output_format format;
	const char *node_name;
	FILE *out;
	const struct cgroup_fs *cgroup_fs;
	uint64_t host_pidns_ino;
};

int event_sink__new(struct event_sink **out, const struct event_sink_options *opts);
void event_sink__free(struct event_sink *sink);

/*
 * Policy names for events: the sink keeps the two newest generations, since
 * events decided just before a reload arrive just after it. The sink does not
 * own the sets.
 */
void event_sink__set_policies(struct event_sink *sink, uint32_t generation,
			      const struct policy_set *set);

/* ring_buffer_sample_fn: ctx is the sink. Never fails the ring buffer. */
int event_sink__handle(void *ctx, void *data, size_t size);

/* A line about lost events: {"credgate_lost": {...}}. */
void event_sink__report_lost(struct event_sink *sink, uint64_t ringbuf_full, uint64_t inflight_full);

/* Flush buffered output; negative errno when writing failed. */
int event_sink__flush(struct event_sink *sink);

struct event_sink_stats {
	uint64_t written;
	uint64_t malformed; /* records that failed validation */
	uint64_t write_errors;
};
void event_sink__stats(const struct event_sink *sink, struct event_sink_stats *stats);

#endif /* CREDGATE_EVENT_SINK_H */
