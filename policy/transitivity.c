// SPDX-License-Identifier: LGPL-2.1-or-later
/* SafeSetID's transitivity rule, planned over a model's allow rules (transitivity.h). */
#include "transitivity.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

void constrain_plan_done(struct constrain_plan *plan)
{
	free(plan->pieces);
	*plan = (struct constrain_plan){};
}

static int compare_ranges(const void *a, const void *b)
{
	const struct model_id_range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static int compare_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

int plan_constraints(const struct model_id_rule_list *allow, enum cg_mode policy_mode, struct constrain_plan *plan)
{
	_cleanup_free_ struct model_id_range *sources = NULL;
	_cleanup_free_ struct constrain_piece *items = NULL;
	_cleanup_free_ __u64 *bounds = NULL;
	size_t nsources = 0, nitems = 0, nbounds = 0, max_items;

	*plan = (struct constrain_plan){};
	if (allow->count == 0)
		return 0;

	/* The sources, sorted and merged. */
	sources = calloc(allow->count * CG_MAX_ID_RULES, sizeof(*sources));
	if (!sources)
		return -ENOMEM;
	for (unsigned r = 0; r < allow->count; r++)
		for (unsigned f = 0; f < allow->rules[r].from.count; f++)
			sources[nsources++] = allow->rules[r].from.ranges[f];
	qsort(sources, nsources, sizeof(*sources), compare_ranges);
	{
		size_t merged = 0;

		for (size_t i = 0; i < nsources; i++) {
			if (merged > 0 && (__u64)sources[i].lo <= (__u64)sources[merged - 1].hi + 1) {
				if (sources[i].hi > sources[merged - 1].hi)
					sources[merged - 1].hi = sources[i].hi;
				continue;
			}
			sources[merged++] = sources[i];
		}
		nsources = merged;
	}

	/* Each target range minus the sources: pieces no allow rule constrains.
	 * Subtracting n disjoint ranges leaves at most n + 1 pieces. */
	max_items = 0;
	for (unsigned r = 0; r < allow->count; r++)
		max_items += allow->rules[r].to.count;
	max_items *= nsources + 1;
	items = calloc(max_items, sizeof(*items));
	if (!items)
		return -ENOMEM;
	for (unsigned r = 0; r < allow->count; r++) {
		const struct model_id_rule *rule = &allow->rules[r];

		for (unsigned t = 0; t < rule->to.count; t++) {
			__u64 lo = rule->to.ranges[t].lo, hi = rule->to.ranges[t].hi;

			for (size_t s = 0; s < nsources && lo <= hi; s++) {
				if (sources[s].hi < lo)
					continue;
				if (sources[s].lo > hi)
					break;
				if (sources[s].lo > lo)
					items[nitems++] = (struct constrain_piece){
						(__u32)lo, sources[s].lo - 1, resolve_mode(rule->mode, policy_mode), rule
					};
				lo = (__u64)sources[s].hi + 1;
			}
			if (lo <= hi)
				items[nitems++] = (struct constrain_piece){ (__u32)lo, (__u32)hi,
									    resolve_mode(rule->mode, policy_mode), rule };
		}
	}
	if (nitems == 0)
		return 0;

	/* Elementary segments between every piece's ends: each is covered
	 * whole or not at all by each piece. */
	bounds = calloc(nitems * 2, sizeof(*bounds));
	if (!bounds)
		return -ENOMEM;
	for (size_t i = 0; i < nitems; i++) {
		bounds[nbounds++] = items[i].lo;
		bounds[nbounds++] = (__u64)items[i].hi + 1;
	}
	qsort(bounds, nbounds, sizeof(*bounds), compare_u64);
	plan->pieces = calloc(nbounds, sizeof(*plan->pieces));
	if (!plan->pieces)
		return -ENOMEM;
	for (size_t b = 0; b + 1 < nbounds; b++) {
		struct constrain_piece segment = {};
		struct constrain_piece *last;

		if (bounds[b] == bounds[b + 1])
			continue;
		for (size_t i = 0; i < nitems; i++) {
			if (items[i].lo > bounds[b] || (__u64)items[i].hi < bounds[b])
				continue;
			if (!segment.origin) {
				segment = items[i];
			} else if (items[i].mode == CG_MODE_ENFORCE) {
				segment.mode = CG_MODE_ENFORCE;
			}
		}
		if (!segment.origin)
			continue;
		segment.lo = (__u32)bounds[b];
		segment.hi = (__u32)(bounds[b + 1] - 1);
		last = plan->count > 0 ? &plan->pieces[plan->count - 1] : NULL;
		if (last && (__u64)last->hi + 1 == segment.lo && last->origin == segment.origin &&
		    last->mode == segment.mode) {
			last->hi = segment.hi;
			continue;
		}
		plan->pieces[plan->count++] = segment;
	}
	return 0;
}
