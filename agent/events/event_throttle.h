/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Rate limiting and folding of events, per cgroup (the event sink's
 * throttle). Observations over their cgroup's budget are dropped and
 * counted, to be reported as losses; deny-class decisions are never
 * dropped: over budget, identical ones are folded into one line with a
 * count. Pure bookkeeping on the kernel's clock: no I/O, no formatting.
 */
#ifndef CREDGATE_EVENT_THROTTLE_H
#define CREDGATE_EVENT_THROTTLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "credgate.h"

/* Folded decisions are written this long after the first of them. */
#define EVENT_THROTTLE_FOLD_WINDOW_NS (1000ull * 1000 * 1000)

struct event_throttle;

/* Rates in events per second per cgroup; 0 or UINT32_MAX: no limit. A burst of 0 is twice the rate. */
struct event_throttle_options {
	uint32_t observe_rate, observe_burst;
	uint32_t deny_rate, deny_burst;
};

int event_throttle__new(struct event_throttle **out, const struct event_throttle_options *opts);
void event_throttle__free(struct event_throttle *t);

/* An observation of @cgroup_id at @now may be written; else it is counted as dropped. */
bool event_throttle__observe(struct event_throttle *t, uint64_t cgroup_id, uint64_t now);
/* A deny-class decision of @cgroup_id at @now is within its budget (else: fold it). */
bool event_throttle__deny(struct event_throttle *t, uint64_t cgroup_id, uint64_t now);

/* Fold @e with its identical siblings; false when there is no room (then it is written on its own). */
bool event_throttle__fold(struct event_throttle *t, const struct cg_decision_event *e);

/* A folded decision, due to be written as one line: CLOCK_BOOTTIME times. */
typedef void (*event_throttle_emit_fn)(void *ctx, const struct cg_decision_event *e, uint64_t count,
				       uint64_t first_ns, uint64_t last_ns);
/* Hand every fold whose window ended at @now (@all: every fold) to @emit, and forget it. */
void event_throttle__emit_due(struct event_throttle *t, uint64_t now, bool all, event_throttle_emit_fn emit,
			      void *ctx);

struct event_throttle_drop {
	uint64_t cgroup_id;
	uint64_t dropped;
};
/*
 * Observations dropped since the last call: the first @max cgroups with
 * drops in @drops (*ndrops of them), the drops of the rest, and of cgroups
 * whose slot another took, in *others. Returns the total.
 */
uint64_t event_throttle__take_dropped(struct event_throttle *t, struct event_throttle_drop *drops, size_t max,
				      size_t *ndrops, uint64_t *others);

struct event_throttle_stats {
	uint64_t rate_limited; /* observations dropped over their cgroup's budget */
	uint64_t folded;       /* decisions folded (not lost) */
};
void event_throttle__stats(const struct event_throttle *t, struct event_throttle_stats *stats);

#endif /* CREDGATE_EVENT_THROTTLE_H */
