/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ring buffer's budget per governing cgroup, so that one cgroup's flood
 * cannot push another cgroup's decision out of the one ring buffer all
 * events share.
 *
 * While the ring buffer is less than half full, every event is admitted:
 * the agent drains it long before that, and the fast path costs nothing
 * more than the fill query the wakeup logic already makes. From half full,
 * each governing cgroup pays for its events from a token bucket
 * (CG_BUDGET_BURST events, refilled at one per CG_BUDGET_INTERVAL_NS): a
 * flooding cgroup runs out and its events are dropped, counted against it.
 * The last quarter of the buffer is a reserve for decisions (denied,
 * audited, killed) of cgroups that are quiet (at least half their bucket
 * left): a flooder's own decisions cannot reach it (each one refused there
 * is charged, so a flooder never becomes quiet while it floods), and
 * observations never do.
 *
 * The budget is the governing cgroup's (struct cg_task_policy), not the
 * cgroup the task is in: below a container's or a delegated cgroup nothing
 * is stored and the sealed cgroup governs, so every cgroup a container or a
 * user creates pays from one bucket. Keyed by the task's own cgroup, a task
 * that moves through fresh cgroups would find each one quiet, with a full
 * bucket, and spend the reserve kept for everyone else's decisions.
 *
 * The bucket is GCRA (one "theoretical arrival time" per cgroup), updated
 * without atomics: two CPUs racing on one cgroup may both pass, which only
 * errs towards delivering. Every event not delivered, by budget or by a
 * full buffer, is counted in cg_cgroup_losses under its governing cgroup
 * (key 0 when that map is full); the agent shows them in status and
 * metrics, named by that cgroup's path.
 */
#ifndef CREDGATE_BUDGET_BPF_H
#define CREDGATE_BUDGET_BPF_H

#include "common.bpf.h"

#define CG_BUDGET_INTERVAL_NS (1000 * 1000ull) /* 1,000 events per second */
#define CG_BUDGET_BURST 256ull
/* How far refused knocks at the reserve push a flooder's backlog. */
#define CG_BUDGET_CAP_NS (2 * CG_BUDGET_BURST * CG_BUDGET_INTERVAL_NS)

/* governing cgroup id -> theoretical arrival time of its next event (GCRA). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, CG_MAX_LOSS_CGROUPS);
	__type(key, __u64);
	__type(value, __u64);
} cg_budgets SEC(".maps");

/* governing cgroup id -> events governed by it that were not delivered. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, CG_MAX_LOSS_CGROUPS);
	__type(key, __u64);
	__type(value, struct cg_cgroup_loss);
} cg_cgroup_losses SEC(".maps");

static __always_inline void cg_count_loss(__u64 budget_id, bool decision, bool full)
{
	struct cg_cgroup_loss *loss, zero = {};
	__u64 other = 0;

	loss = bpf_map_lookup_elem(&cg_cgroup_losses, &budget_id);
	if (!loss) {
		bpf_map_update_elem(&cg_cgroup_losses, &budget_id, &zero, BPF_NOEXIST);
		loss = bpf_map_lookup_elem(&cg_cgroup_losses, &budget_id);
	}
	if (!loss) {
		/* The map is full: counted, if not by cgroup. */
		bpf_map_update_elem(&cg_cgroup_losses, &other, &zero, BPF_NOEXIST);
		loss = bpf_map_lookup_elem(&cg_cgroup_losses, &other);
		if (!loss)
			return;
	}
	if (decision && full)
		__sync_fetch_and_add(&loss->decisions_full, 1);
	else if (decision)
		__sync_fetch_and_add(&loss->decisions_budget, 1);
	else if (full)
		__sync_fetch_and_add(&loss->observations_full, 1);
	else
		__sync_fetch_and_add(&loss->observations_budget, 1);
}

/*
 * The cgroup whose budget the current task's events pay from: its governing
 * cgroup, from the task's cache (one task-local lookup), else found and
 * cached as a decision would. @cgroup_id, the cgroup the event names (the
 * task's own), serves before any policy is published, when nothing governs.
 * Global, so the verifier checks it once, not at every event site; asked
 * only from half full on, never on the fast path.
 */
__noinline __u64 cg_budget_cgroup(__u64 cgroup_id)
{
	struct cg_config *config = cg_get_config();
	struct cg_task_policy gov;

	if (!config || !config->gen)
		return cgroup_id;
	cg_task_governance(config->gen, &gov, false);
	return gov.governing_id;
}

/*
 * Whether an event of the current task may be reserved now. From half full,
 * *@budget_id becomes the governing cgroup that paid (or could not).
 */
static __always_inline bool cg_budget_admit(__u64 cgroup_id, bool decision, __u64 *budget_id)
{
	__u64 avail = bpf_ringbuf_query(&cg_events, BPF_RB_AVAIL_DATA);
	__u64 ring = bpf_ringbuf_query(&cg_events, BPF_RB_RING_SIZE);
	__u64 now, *tat, next, backlog, key;
	bool reserve = avail >= ring / 2 + ring / 4;

	if (avail < ring / 2)
		return true;
	key = cg_budget_cgroup(cgroup_id);
	*budget_id = key;
	now = bpf_ktime_get_boot_ns();
	tat = bpf_map_lookup_elem(&cg_budgets, &key);
	if (!tat) {
		/* Unseen (or evicted) since the buffer filled: a quiet cgroup. */
		next = now + CG_BUDGET_INTERVAL_NS;
		bpf_map_update_elem(&cg_budgets, &key, &next, BPF_ANY);
		return !reserve || decision;
	}
	next = *tat > now ? *tat : now;
	backlog = next - now;
	if (reserve && decision && backlog > CG_BUDGET_BURST * CG_BUDGET_INTERVAL_NS / 2) {
		/*
		 * A refused decision at the reserve is charged too, up to a cap:
		 * otherwise a flooder's backlog would sink back under half its
		 * burst at the refill rate, and it would be let in at that rate
		 * until the reserve was full. Charged, it stays out for as long
		 * as it floods.
		 */
		if (backlog < CG_BUDGET_CAP_NS)
			*tat = next + CG_BUDGET_INTERVAL_NS;
		return false;
	}
	if (backlog >= CG_BUDGET_BURST * CG_BUDGET_INTERVAL_NS)
		return false;
	if (reserve && !decision)
		return false;
	*tat = next + CG_BUDGET_INTERVAL_NS;
	return true;
}

/*
 * Reserve @size bytes for an event of the current task, or count its loss
 * under the task's governing cgroup. @cgroup_id: the cgroup the event names
 * (the task's own). @decision: a denied, audited or killed decision (not an
 * observation).
 */
#define cg_reserve_event(size, cgroup_id, decision)                                                \
	({                                                                                         \
		void *__e = NULL;                                                                  \
		__u64 __budget = 0; /* no cgroup has id 0: not asked yet */                        \
		bool __admit = cg_budget_admit((cgroup_id), (decision), &__budget);                \
		if (__admit)                                                                       \
			__e = bpf_ringbuf_reserve(&cg_events, (size), 0);                          \
		if (!__e)                                                                          \
			cg_count_loss(__budget ? __budget : cg_budget_cgroup(cgroup_id), (decision), \
				      __admit);                                                    \
		__e;                                                                               \
	})

#endif /* CREDGATE_BUDGET_BPF_H */
