// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Identity selectors against a container's facts (see identity.h).
 *
 * The facts come from runtime state files that whoever starts containers
 * writes, at any length, so every step here is bounded by the size of its
 * input: a glob is matched segment by segment (the text between two '*'),
 * each segment at its leftmost place, which is where a match exists if
 * one does at all, so nothing is ever retried after a later failure; a
 * selector's labels are each looked for in one pass over the facts.
 */
#include <string.h>

#include "identity.h"
#include "identity_glob.h"

/* @len bytes of @pattern ('?': any byte) against as many of @text. */
static bool segment_at(const char *pattern, const char *text, size_t len, size_t *steps)
{
	for (size_t i = 0; i < len; i++) {
		++*steps;
		if (pattern[i] != '?' && pattern[i] != text[i])
			return false;
	}
	return true;
}

bool identity_glob_match(const char *pattern, const char *text, size_t *steps)
{
	size_t plen = strlen(pattern), tlen = strlen(text), ignored = 0, first, last;
	const char *star = memchr(pattern, '*', plen);
	size_t pos, end;

	if (!steps)
		steps = &ignored;
	if (!star)
		return plen == tlen && segment_at(pattern, text, plen, steps);
	/* The text before the first '*' is a prefix, after the last a suffix. */
	first = (size_t)(star - pattern);
	last = plen - 1 - (size_t)(strrchr(pattern, '*') - pattern);
	if (tlen < first + last || !segment_at(pattern, text, first, steps) ||
	    !segment_at(pattern + plen - last, text + tlen - last, last, steps))
		return false;
	/* Between them, each segment at its leftmost place after the one before. */
	pos = first;
	end = tlen - last;
	for (size_t p = first + 1; p < plen - last; p++) {
		size_t len = strcspn(pattern + p, "*");

		for (;; pos++) {
			if (pos + len > end)
				return false;
			if (segment_at(pattern + p, text + pos, len, steps))
				break;
		}
		pos += len;
		p += len; /* to the '*' that ends the segment */
	}
	return true;
}

static bool label_holds(const struct policy_identity_label *want, const struct container_facts *facts,
			size_t *steps)
{
	bool present = false;

	/*
	 * Every entry, not a binary search: the facts are sorted by contract,
	 * but a duplicate key (a state file written twice over) must not pick
	 * which value counts. Each value of the key has to match.
	 */
	for (size_t i = 0; i < facts->nlabels; i++) {
		const struct container_label *label = &facts->labels[i];

		if (!label->key || strcmp(label->key, want->key) != 0)
			continue;
		if (!label->value || !identity_glob_match(want->value, label->value, steps))
			return false;
		present = true;
	}
	return present;
}

static bool text_holds(const char *pattern, const char *text, size_t *steps)
{
	return !pattern || (text && identity_glob_match(pattern, text, steps));
}

static bool identity_holds(const struct policy_identity *identity, const struct container_facts *facts)
{
	const char *name = facts->name;
	size_t steps = 0;

	/* docker inspect says "/web" for `docker run --name web`. */
	if (name && name[0] == '/')
		name++;
	if (!text_holds(identity->container_name, name, &steps) || !text_holds(identity->image, facts->image, &steps) ||
	    !text_holds(identity->pod_namespace, facts->pod_namespace, &steps))
		return false;
	for (size_t i = 0; i < identity->nlabels; i++)
		if (!label_holds(&identity->labels[i], facts, &steps))
			return false;
	return true;
}

bool policy_set_match_identity(const struct policy_set *set, const struct container_facts *facts,
			       struct identity_match *out)
{
	struct identity_match best = {};
	bool found = false;

	if (!set || !facts)
		goto done;
	/* Policies in id order: an equal priority later is a tie the earlier wins. */
	for (size_t p = 0; p < set->count; p++) {
		const struct policy *policy = &set->policies[p];

		for (size_t s = 0; s < policy->nselectors; s++) {
			const struct policy_selector *selector = &policy->selectors[s];

			if (!policy_identity_present(&selector->identity) ||
			    !identity_holds(&selector->identity, facts))
				continue;
			if (!found || policy->priority > best.priority) {
				best = (struct identity_match){
					.policy_id = (uint32_t)p,
					.selector = (uint32_t)s,
					.priority = policy->priority,
				};
				found = true;
			} else if (policy->priority == best.priority && p != best.policy_id && !best.tie) {
				best.tie = true;
				best.tied_with = (uint32_t)p;
			}
			/* One selector of a policy is enough: the rest cannot change its standing. */
			break;
		}
	}
done:
	if (out)
		*out = found ? best : (struct identity_match){};
	return found;
}

bool policy_set_has_identity_selectors(const struct policy_set *set)
{
	for (size_t p = 0; set && p < set->count; p++)
		for (size_t s = 0; s < set->policies[p].nselectors; s++)
			if (policy_identity_present(&set->policies[p].selectors[s].identity))
				return true;
	return false;
}

static enum cg_mode stronger(enum cg_mode a, enum cg_mode b)
{
	return a == CG_MODE_ENFORCE || b == CG_MODE_ENFORCE ? CG_MODE_ENFORCE
	       : a == CG_MODE_AUDIT || b == CG_MODE_AUDIT   ? CG_MODE_AUDIT
							    : CG_MODE_NONE;
}

enum cg_mode policy_set_identity_mode(const struct policy_set *set)
{
	enum cg_mode mode = CG_MODE_NONE;

	for (size_t p = 0; set && p < set->count; p++) {
		const struct policy *policy = &set->policies[p];
		bool identity = false;

		for (size_t s = 0; s < policy->nselectors; s++)
			identity = identity || policy_identity_present(&policy->selectors[s].identity);
		if (!identity)
			continue;
		mode = stronger(mode, policy->mode);
		for (size_t r = 0; r < policy->nrules; r++)
			mode = stronger(mode, policy->rules[r].mode);
	}
	return mode;
}
