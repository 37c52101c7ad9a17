// SPDX-License-Identifier: LGPL-2.1-or-later
#include "event_throttle.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "process_cache.h"

#define RATE_TABLE_SIZE 4096
#define FOLD_TABLE_SIZE 64
#define NS_PER_SEC 1000000000ull

/* Token buckets of one cgroup. */
struct rate_slot {
	uint64_t cgroup_id;
	bool used;
	double observe_tokens, deny_tokens;
	uint64_t observe_last_ns, deny_last_ns;
	uint64_t dropped; /* observations dropped, not yet reported */
};

/* Identical deny-class decisions over budget, waiting to be written as one line. */
struct fold_slot {
	bool used;
	uint64_t count, first_ns, last_ns; /* CLOCK_BOOTTIME */
	union {
		struct cg_decision_event d;
		struct cg_exec_decision_event x;
	} record;
};

struct event_throttle {
	double observe_rate, observe_burst, deny_rate, deny_burst; /* rate 0: unlimited */
	struct rate_slot *rates; /* direct-mapped by cgroup id */
	struct fold_slot *folds;
	unsigned last_fold;
	uint64_t evicted_dropped; /* from rate slots taken over by another cgroup */
	struct event_throttle_stats stats;
};

/* Token bucket parameters; a rate of 0 means no limit. */
static void set_rate(uint32_t rate, uint32_t burst, double *r, double *b)
{
	if (rate == 0 || rate == UINT32_MAX) {
		*r = *b = 0;
		return;
	}
	*r = rate;
	*b = burst ? burst : 2.0 * rate;
}

int event_throttle__new(struct event_throttle **out, const struct event_throttle_options *opts)
{
	struct event_throttle *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	set_rate(opts->observe_rate, opts->observe_burst, &t->observe_rate, &t->observe_burst);
	set_rate(opts->deny_rate, opts->deny_burst, &t->deny_rate, &t->deny_burst);
	t->rates = calloc(RATE_TABLE_SIZE, sizeof(*t->rates));
	t->folds = calloc(FOLD_TABLE_SIZE, sizeof(*t->folds));
	if (!t->rates || !t->folds) {
		event_throttle__free(t);
		return -ENOMEM;
	}
	*out = t;
	return 0;
}

void event_throttle__free(struct event_throttle *t)
{
	if (!t)
		return;
	free(t->rates);
	free(t->folds);
	free(t);
}

static struct rate_slot *rate_slot(struct event_throttle *t, uint64_t cgroup_id, uint64_t now)
{
	struct rate_slot *s = &t->rates[(cgroup_id * 0x9E3779B97F4A7C15ull) >> 52 & (RATE_TABLE_SIZE - 1)];

	if (!s->used || s->cgroup_id != cgroup_id) {
		/* Another cgroup's slot: keep its unreported drops counted. */
		t->evicted_dropped += s->used ? s->dropped : 0;
		s->used = true;
		s->cgroup_id = cgroup_id;
		s->observe_tokens = t->observe_burst;
		s->deny_tokens = t->deny_burst;
		s->observe_last_ns = s->deny_last_ns = now;
		s->dropped = 0;
	}
	return s;
}

static bool take_token(double rate, double burst, double *tokens, uint64_t *last, uint64_t now)
{
	if (rate <= 0)
		return true;
	if (now > *last) {
		*tokens += (double)(now - *last) * rate / (double)NS_PER_SEC;
		if (*tokens > burst)
			*tokens = burst;
		*last = now;
	}
	if (*tokens < 1)
		return false;
	*tokens -= 1;
	return true;
}

bool event_throttle__observe(struct event_throttle *t, uint64_t cgroup_id, uint64_t now)
{
	struct rate_slot *s;

	if (t->observe_rate <= 0)
		return true;
	s = rate_slot(t, cgroup_id, now);
	if (take_token(t->observe_rate, t->observe_burst, &s->observe_tokens, &s->observe_last_ns, now))
		return true;
	s->dropped++;
	t->stats.rate_limited++;
	return false;
}

bool event_throttle__deny(struct event_throttle *t, uint64_t cgroup_id, uint64_t now)
{
	struct rate_slot *s;

	if (t->deny_rate <= 0)
		return true;
	s = rate_slot(t, cgroup_id, now);
	return take_token(t->deny_rate, t->deny_burst, &s->deny_tokens, &s->deny_last_ns, now);
}

static size_t record_size(const struct cg_decision_event *e)
{
	return e->hdr.type == CG_EVENT_EXEC_DECISION ? sizeof(struct cg_exec_decision_event)
						      : sizeof(struct cg_decision_event);
}

/* Deny-class decisions over budget: same process, rule, verdict and change, one line. */
static bool fold_same(const struct cg_decision_event *a, const struct cg_decision_event *b)
{
	return a->hdr.type == b->hdr.type && a->hdr.pid == b->hdr.pid && a->hdr.tid == b->hdr.tid &&
	       process_event_key(&a->hdr) == process_event_key(&b->hdr) && a->hook == b->hook &&
	       a->setid_flags == b->setid_flags && a->policy_id == b->policy_id &&
	       a->policy_gen == b->policy_gen && a->rule_index == b->rule_index && a->verdict == b->verdict &&
	       a->subject_from == b->subject_from && a->subject_to == b->subject_to &&
	       memcmp(&a->old_ids, &b->old_ids, sizeof(a->old_ids)) == 0 &&
	       memcmp(&a->new_ids, &b->new_ids, sizeof(a->new_ids)) == 0;
}

bool event_throttle__fold(struct event_throttle *t, const struct cg_decision_event *e)
{
	struct fold_slot *free_slot = NULL;

	for (unsigned n = 0; n < FOLD_TABLE_SIZE; n++) {
		unsigned i = (t->last_fold + n) % FOLD_TABLE_SIZE;
		struct fold_slot *f = &t->folds[i];

		if (!f->used) {
			if (!free_slot)
				free_slot = f;
			continue;
		}
		if (fold_same(&f->record.d, e)) {
			f->count++;
			f->last_ns = e->hdr.time_ns;
			t->last_fold = i;
			t->stats.folded++;
			return true;
		}
	}
	if (!free_slot)
		return false;
	memcpy(&free_slot->record, e, record_size(e));
	free_slot->used = true;
	free_slot->count = 1;
	free_slot->first_ns = free_slot->last_ns = e->hdr.time_ns;
	t->last_fold = (unsigned)(free_slot - t->folds);
	t->stats.folded++;
	return true;
}

void event_throttle__emit_due(struct event_throttle *t, uint64_t now, bool all, event_throttle_emit_fn emit,
			      void *ctx)
{
	for (unsigned i = 0; i < FOLD_TABLE_SIZE; i++) {
		struct fold_slot *f = &t->folds[i];

		if (!f->used || (!all && now - f->first_ns < EVENT_THROTTLE_FOLD_WINDOW_NS))
			continue;
		/* Freed first: what @emit does cannot fold into the slot it is reading (it never folds). */
		f->used = false;
		emit(ctx, &f->record.d, f->count, f->first_ns, f->last_ns);
	}
}

uint64_t event_throttle__take_dropped(struct event_throttle *t, struct event_throttle_drop *drops, size_t max,
				      size_t *ndrops, uint64_t *others)
{
	uint64_t total = 0;

	*ndrops = 0;
	*others = 0;
	for (size_t i = 0; i < RATE_TABLE_SIZE; i++) {
		struct rate_slot *s = &t->rates[i];

		if (!s->used || !s->dropped)
			continue;
		total += s->dropped;
		if (*ndrops < max)
			drops[(*ndrops)++] = (struct event_throttle_drop){ .cgroup_id = s->cgroup_id, .dropped = s->dropped };
		else
			*others += s->dropped;
		s->dropped = 0;
	}
	total += t->evicted_dropped;
	*others += t->evicted_dropped;
	t->evicted_dropped = 0;
	return total;
}

void event_throttle__stats(const struct event_throttle *t, struct event_throttle_stats *stats)
{
	*stats = t->stats;
}
