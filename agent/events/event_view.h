/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * One event as a reader of the event stream filters it: its kind, verdict,
 * process, cgroup, container and policy, and its text in a format on
 * demand. The fan-out makes one per event (event_fanout.c); the getevents
 * filters read it (control_request.c). Its own header, so that neither
 * side includes the other's.
 */
#ifndef CREDGATE_EVENT_VIEW_H
#define CREDGATE_EVENT_VIEW_H

#include <stddef.h>

#include "event_format.h"

/* What getevents' kind filter names: decision, kprobe, exec, lost. */
enum event_kind {
	EVENT_KIND_DECISION,
	EVENT_KIND_KPROBE,
	EVENT_KIND_EXEC,
	EVENT_KIND_LOST,
	EVENT_KIND_COUNT,
};

struct event_view {
	enum event_kind kind;
	enum cg_verdict verdict; /* CG_VERDICT_NONE: the event has none (exec, lost, most observations) */
	const char *cgroup_path;
	const char *container_id;
	const char *pod_uid;
	const char *binary;
	const char *comm;
	const char *policy_name;
	/* The event formatted as @format (without the newline); NULL on failure. */
	const char *(*text)(void *text_ctx, enum output_format format, size_t *len);
	void *text_ctx;
};

#endif /* CREDGATE_EVENT_VIEW_H */
