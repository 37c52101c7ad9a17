/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Cgroup selection: the selectors of every policy of a set, compiled into
 * the NFA, selector and generation tables of credgate.h, and the matcher
 * that computes a cgroup's state from its parent's.
 *
 * Over 600 lines on purpose: the tables' layout and the matching algorithm
 * below are one specification, the one the kernel's cgroup_mkdir program
 * follows too, and the builder and the matcher are its two readers in user
 * space: the builder writes the layout the matcher walks, and a change to
 * either is a change to both and to the kernel side. Keeping the
 * specification and both readers in one file keeps them from drifting;
 * test_cgroup_match tests them together. (What a cgroup glob may be is
 * apart, in cgroup_glob.c.)
 *
 * ---- Layout ----------------------------------------------------------------
 *
 * Every distinct predicate (a set of patterns; equal pattern strings are one
 * predicate, shared by every selector that uses it) gets an index, in the
 * order of first use: policies in set order, selectors in written order,
 * keys in written order. When some selector has "host: true", the "inside a
 * container" predicate is added just before that selector's own predicates
 * (it is cg_generation.container_predicate). Each pattern of a predicate is
 * laid out as consecutive states: one per component (LITERAL, GLOB with
 * `star` the position of its '*' or 0xff, ANY_SEQ for "**"), then an END
 * state naming the predicate. Selector i is cg_selector i: `require` has a
 * bit per predicate of its keys, policy_id is the policy's index in the
 * set, priority the policy's spec.priority, flags CG_SELECTOR_HOST for
 * "host: true". root_active holds the first state of every pattern, closed
 * under ANY_SEQ.
 *
 * An identity selector (containerName, image, labels, namespace) has no
 * path predicate of its own, and "no predicate" means "always holds": it
 * requires instead the identity predicate, one for the set, added at its
 * first use like the others but with no states, so no path ever makes it
 * held. Such a selector never starts to hold in this matcher (the kernel's
 * included); the agent, which knows a container's identity, writes its
 * policy at the container's own cgroup (policy/identity.h).
 *
 * ---- Matching: exactly what the kernel's cgroup_mkdir program does -------
 *
 * glob_match(state, name): no star: len(name) == len and every char equal
 *   or '?'. Star at k: prefix = pattern[0..k), suffix = pattern[k+1..len);
 *   len(name) >= len - 1, the prefix matches the start of name and the
 *   suffix its end (each char equal or '?').
 *
 * root (depth 0): active = root_active;
 *   accepted = { states[s].predicate : s in active, kind END }; held = accepted;
 *   plain = host = NONE;
 *   for each selector i ascending: if require is a subset of held:
 *     candidate(i, depth 0); a HOST selector is skipped when the container
 *     predicate is held.
 *
 * child (parent P, component name, depth = P.depth + 1):
 *   next = {}; for s ascending in P.active: END: skip; ANY_SEQ: next += {s};
 *     otherwise if glob_match(s, name): next += {s + 1}
 *   closure: for s ascending: if s in next and kind(s) == ANY_SEQ: next += {s + 1}
 *   accepted = { states[s].predicate : s in next, kind END };
 *   held = P.held | accepted; newly = accepted \ P.held
 *   plain = P.plain; host = P.host;
 *   inside = container_predicate != NONE and container_predicate in held
 *   for selector i ascending: skip unless require & newly; skip unless
 *     require is a subset of held; cand = {policy_id, priority, depth, i};
 *     HOST: if inside skip, else host = better(host, cand);
 *     otherwise plain = better(plain, cand)
 *   if inside: host = NONE
 *   policy_id = better(plain, host).policy_id;
 *   flags = AMBIGUOUS if any better() call of this step saw a tie, else 0;
 *   then sealed if the seal predicate is held (below).
 *
 * Sealing (names confer nothing below a container or a delegation):
 *   seal_predicate (laid out after every policy's predicates, when there is
 *   a selector) holds at a container's own cgroup. A state that holds it is
 *   sealed: active = {}, flags |= SEALED. The child of a sealed parent is the
 *   parent's state with depth + 1 and flags = SEALED (no tie is reported
 *   again). The child of a delegated parent (its directory owned by a
 *   non-root user, or writable by group or others) is computed the same way
 *   once the parent is sealed: user space seals a delegated cgroup's own
 *   state before storing it, the kernel when a child is first created. The
 *   kernel stores no state below a sealed cgroup: a task there resolves to
 *   its nearest ancestor with a state, which is sealed.
 *
 * better(a, b): a NONE: b; b NONE: a; the deeper wins; at equal depth the
 *   higher priority; at equal priority, the same policy: a; different
 *   policies: the lower policy_id wins, and it is a tie (AMBIGUOUS).
 *
 * NONE is struct cg_winner { CG_NO_POLICY, priority 0, depth 0,
 * POLICY_NO_SELECTOR }. A candidate's depth is where its selector started
 * to hold, so an inherited winner keeps the depth of the ancestor it came
 * from and "nearest wins" means "the most specific selector wins".
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "diag.h"
#include "selection.h"

/*
 * The "inside a container" predicate of "host: true": the container
 * runtimes' and Kubernetes' cgroups where the runtimes put them, anchored at
 * the root: docker's systemd scopes and cgroupfs tree, the kubelet's trees
 * (either driver), LXC's payload cgroups and systemd-machined's machines
 * (podman's too). Never "at any depth": a local user creates cgroups in the
 * subtree systemd delegates to it, a container in its own, and a name chosen
 * there must not take anyone out of a host policy. (Below a delegated or a
 * container's cgroup nothing matches anyway: see the seal below.)
 */
static const char container_patterns[] = "system.slice/docker-*.scope\n"
					 "docker\n"
					 "kubepods.slice\n"
					 "kubepods\n"
					 "lxc.payload.*\n"
					 "machine.slice";
static const char container_description[] = "inside a container";

/*
 * A container's own cgroup, where a runtime puts one: below it, the
 * container (its root may write its cgroupfs) names cgroups, so names there
 * confer nothing and its whole subtree is governed as it is. docker (the
 * systemd and cgroupfs drivers), the kubelet (systemd driver: a scope in a
 * pod slice, one or two slices below kubepods.slice; cgroupfs:
 * kubepods/[QOS/]podUID/ID), machined and podman, LXC. Twenty states, kept
 * out of what the policies' selectors may use (see builder_predicate()). A
 * runtime told to put containers elsewhere (docker --cgroup-parent) is not
 * known here: the operator names those places in the settings file
 * (containerCgroups), and they are added to both lists above.
 */
static const char seal_patterns[] = "system.slice/docker-*.scope\n"
				    "docker/*\n"
				    "kubepods.slice/**/*.scope\n"
				    "kubepods/**/pod*/*\n"
				    "machine.slice/*.scope\n"
				    "lxc.payload.*";
static const char seal_description[] = "a container's cgroup";

/* No pattern starts with a newline: this key never equals a path predicate's. */
static const char identity_key[] = "\n(identity)";
static const char identity_description[] = "a container's identity (bound by the agent, never by path)";

/* ---- Bit sets ------------------------------------------------------------ */

static bool bit_test(const __u64 *set, unsigned bit)
{
	return set[bit / 64] & ((__u64)1 << (bit % 64));
}

static void bit_set(__u64 *set, unsigned bit)
{
	set[bit / 64] |= (__u64)1 << (bit % 64);
}

/* ---- Building ------------------------------------------------------------ */

struct builder {
	struct policy_selection *selection;
	const char *keys[CG_MAX_PREDICATES]; /* the patterns of each predicate */
	/* The container and seal patterns, with the operator's places added. */
	char *container;
	char *seal;
};

static void builder_free(struct builder *b)
{
	if (!b)
		return;
	free(b->container);
	free(b->seal);
	free(b);
}

static void builder_freep(struct builder **b)
{
	builder_free(*b);
}

/* @builtin, and @extra (newline-separated patterns) after it when given. */
static char *patterns_join(const char *builtin, const char *extra)
{
	char *joined;

	if (!extra || !*extra)
		return strdup(builtin);
	if (asprintf(&joined, "%s\n%s", builtin, extra) < 0)
		return NULL;
	return joined;
}

/* States the patterns need: a component each, and an END per pattern. */
static size_t patterns_states(const char *patterns)
{
	size_t separators = 0, patterns_count = 1;

	for (const char *p = patterns; *p; p++) {
		separators += *p == '/';
		patterns_count += *p == '\n';
	}
	/* A pattern has one component more than it has '/', and an END. */
	return separators + 2 * patterns_count;
}

static void lay_out_component(struct cg_nfa_state *state, const char *component, size_t len)
{
	const char *star = memchr(component, '*', len);
	bool any_char = memchr(component, '?', len) != NULL;

	*state = (struct cg_nfa_state){ .star = 0xff, .len = (__u16)len };
	memcpy(state->pattern, component, len);
	if (len == 2 && component[0] == '*' && component[1] == '*') {
		state->kind = CG_MATCH_ANY_SEQ;
		return;
	}
	if (star)
		state->star = (__u8)(star - component);
	state->kind = star || any_char ? CG_MATCH_GLOB : CG_MATCH_LITERAL;
}

static void lay_out_predicate(struct policy_selection *selection, const char *patterns, __u16 predicate)
{
	struct cg_nfa_state *states = selection->states;
	__u32 s = selection->generation.nstates;

	for (const char *p = patterns;;) {
		size_t n = strcspn(p, "/\n");

		lay_out_component(&states[s++], p, n);
		p += n;
		if (*p == '/') {
			p++;
			continue;
		}
		states[s++] = (struct cg_nfa_state){ .kind = CG_MATCH_END, .star = 0xff, .predicate = predicate };
		if (*p == '\0')
			break;
		p++;
	}
	selection->generation.nstates = s;
}

/* The index of the predicate with @patterns, added if new; -1 after reporting. */
static int builder_predicate(struct builder *b, struct diag_reporter *reporter, const struct policy_selector *at,
			     const char *patterns, const char *description)
{
	struct policy_selection *selection = b->selection;
	struct policy_predicate *predicate;
	size_t needed, index, reserved;
	char quoted[DIAG_QUOTE_SIZE];

	for (size_t i = 0; i < selection->npredicates; i++)
		if (strcmp(b->keys[i], patterns) == 0)
			return (int)i;
	index = selection->npredicates;
	diag_quote(quoted, description, strlen(description));
	if (index + (patterns == b->seal ? 0 : 1) >= CG_MAX_PREDICATES) {
		diag_error(reporter, at->line, at->column,
			   "too many distinct selector predicates in the policy set: %s would be number %zu, more "
			   "than CG_MAX_PREDICATES (%d) leaves after containers' cgroups (1)",
			   quoted, index + 1, CG_MAX_PREDICATES - 1);
		return -1;
	}
	needed = patterns == identity_key ? 0 : patterns_states(patterns);
	/* The seal comes last; every other predicate leaves room for it. */
	reserved = patterns == b->seal ? 0 : patterns_states(b->seal);
	if (selection->generation.nstates + needed + reserved > CG_MAX_NFA_STATES) {
		diag_error(reporter, at->line, at->column,
			   "too many NFA states in the policy set: %s needs %zu, and %u of the %zu that "
			   "CG_MAX_NFA_STATES (%d) leaves after containers' cgroups (%zu) are used by the "
			   "selectors before it",
			   quoted, needed, selection->generation.nstates, CG_MAX_NFA_STATES - reserved,
			   CG_MAX_NFA_STATES, reserved);
		return -1;
	}
	predicate = &selection->predicates[index];
	predicate->description = strdup(description);
	if (!predicate->description)
		return -ENOMEM;
	predicate->first_state = (__u16)selection->generation.nstates;
	predicate->nstates = (__u16)needed;
	b->keys[index] = patterns;
	selection->npredicates++;
	if (needed > 0)
		lay_out_predicate(selection, patterns, (__u16)index);
	return (int)index;
}

static void compute_root_active(struct policy_selection *selection)
{
	struct cg_generation *gen = &selection->generation;
	bool pattern_start = true;

	for (__u32 s = 0; s < gen->nstates; s++) {
		if (pattern_start)
			bit_set(gen->root_active, s);
		pattern_start = selection->states[s].kind == CG_MATCH_END;
	}
	for (__u32 s = 0; s < gen->nstates; s++)
		if (bit_test(gen->root_active, s) && selection->states[s].kind == CG_MATCH_ANY_SEQ)
			bit_set(gen->root_active, s + 1);
}

void policy_selection_free(struct policy_selection *selection)
{
	if (!selection)
		return;
	for (size_t i = 0; i < selection->npredicates; i++)
		free(selection->predicates[i].description);
	free(selection);
}

struct policy_selection *policy_selection_new(void)
{
	struct policy_selection *selection = calloc(1, sizeof(*selection));

	if (selection) {
		selection->generation.container_predicate = CG_NO_PREDICATE;
		selection->generation.seal_predicate = CG_NO_PREDICATE;
	}
	return selection;
}

static void policy_selection_freep(struct policy_selection **selection)
{
	policy_selection_free(*selection);
}

int policy_selection_build(const struct policy *policies, size_t count, const char *container_cgroups,
			   struct policy_diags *diags, struct policy_selection **ret)
{
	_cleanup_(policy_selection_freep) struct policy_selection *selection = policy_selection_new();
	_cleanup_(builder_freep) struct builder *b = calloc(1, sizeof(*b));
	struct cg_generation *gen;

	*ret = NULL;
	if (!selection || !b)
		return -ENOMEM;
	b->selection = selection;
	b->container = patterns_join(container_patterns, container_cgroups);
	b->seal = patterns_join(seal_patterns, container_cgroups);
	if (!b->container || !b->seal)
		return -ENOMEM;
	gen = &selection->generation;

	for (size_t p = 0; p < count; p++) {
		const struct policy *policy = &policies[p];
		struct diag_reporter reporter = { .diags = diags, .file = policy->file };

		for (size_t s = 0; s < policy->nselectors; s++) {
			const struct policy_selector *selector = &policy->selectors[s];
			struct cg_selector *compiled;
			int index;

			if (gen->nselectors >= CG_MAX_SELECTORS) {
				diag_error(&reporter, selector->line, selector->column,
					   "too many selectors in the policy set: more than CG_MAX_SELECTORS (%d)",
					   CG_MAX_SELECTORS);
				return reporter.out_of_memory ? -ENOMEM : -EINVAL;
			}
			compiled = &selection->selectors[gen->nselectors];
			*compiled = (struct cg_selector){
				.policy_id = (__u32)p,
				.priority = policy->priority,
				.flags = selector->host ? CG_SELECTOR_HOST : 0,
			};
			if (selector->host && gen->container_predicate == CG_NO_PREDICATE) {
				index = builder_predicate(b, &reporter, selector, b->container,
							  container_description);
				if (index < 0)
					return index != -1 || reporter.out_of_memory ? -ENOMEM : -EINVAL;
				gen->container_predicate = (__u16)index;
			}
			if (policy_identity_present(&selector->identity)) {
				index = builder_predicate(b, &reporter, selector, identity_key, identity_description);
				if (index < 0)
					return index != -1 || reporter.out_of_memory ? -ENOMEM : -EINVAL;
				bit_set(compiled->require, (unsigned)index);
			}
			for (size_t k = 0; k < selector->npredicates; k++) {
				index = builder_predicate(b, &reporter, selector, selector->predicates[k].patterns,
							  selector->predicates[k].description);
				if (index < 0)
					return index != -1 || reporter.out_of_memory ? -ENOMEM : -EINVAL;
				bit_set(compiled->require, (unsigned)index);
			}
			selection->origins[gen->nselectors] = (struct policy_selector_origin){ (__u32)p, (__u32)s };
			gen->nselectors++;
		}
	}
	/*
	 * Last, so that it never shifts the indexes of the policies' own
	 * predicates: a container's cgroup seals its subtree. Needed only when
	 * some selector has a predicate: otherwise no name selects anything.
	 */
	if (selection->npredicates > 0) {
		struct diag_reporter reporter = { .diags = diags, .file = policies[count - 1].file };
		const struct policy *last = &policies[count - 1];
		struct policy_selector at = { .line = last->line, .column = last->column };
		int index = builder_predicate(b, &reporter, &at, b->seal, seal_description);

		if (index < 0)
			return index != -1 || reporter.out_of_memory ? -ENOMEM : -EINVAL;
		gen->seal_predicate = (__u16)index;
	}
	compute_root_active(selection);
	*ret = TAKE_PTR(selection);
	return 0;
}

/* ---- Matching ------------------------------------------------------------ */

static const struct cg_winner no_winner = {
	.policy_id = CG_NO_POLICY,
	.priority = 0,
	.depth = 0,
	.selector = POLICY_NO_SELECTOR,
};

static bool glob_chars_match(const char *pattern, const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (pattern[i] != '?' && pattern[i] != text[i])
			return false;
	return true;
}

static bool glob_match(const struct cg_nfa_state *state, const char *name, size_t name_len)
{
	size_t len = state->len, k = state->star;

	if (state->star == 0xff)
		return name_len == len && glob_chars_match(state->pattern, name, len);
	if (name_len < len - 1)
		return false;
	return glob_chars_match(state->pattern, name, k) &&
	       glob_chars_match(state->pattern + k + 1, name + name_len - (len - k - 1), len - k - 1);
}

struct match_step {
	bool tie_seen;
	struct policy_tie tie;
};

static struct cg_winner better(struct match_step *step, struct cg_winner a, struct cg_winner b)
{
	if (a.policy_id == CG_NO_POLICY)
		return b;
	if (b.policy_id == CG_NO_POLICY)
		return a;
	if (a.depth != b.depth)
		return a.depth > b.depth ? a : b;
	if (a.priority != b.priority)
		return a.priority > b.priority ? a : b;
	if (a.policy_id == b.policy_id)
		return a;
	if (!step->tie_seen) {
		const struct cg_winner *winner = a.policy_id < b.policy_id ? &a : &b;
		const struct cg_winner *other = winner == &a ? &b : &a;

		step->tie_seen = true;
		step->tie = (struct policy_tie){
			.tied = true,
			.winner_policy = winner->policy_id,
			.other_policy = other->policy_id,
			.winner_selector = winner->selector,
			.other_selector = other->selector,
			.depth = a.depth,
			.priority = a.priority,
		};
	}
	return a.policy_id < b.policy_id ? a : b;
}

static struct cg_winner candidate(const struct cg_selector *selector, __u32 index, __u16 depth)
{
	return (struct cg_winner){
		.policy_id = selector->policy_id,
		.priority = selector->priority,
		.depth = depth,
		.selector = (__u16)index,
	};
}

static bool require_subset(const struct cg_selector *selector, const __u64 *held)
{
	for (size_t w = 0; w < CG_MAX_PREDICATES / 64; w++)
		if (selector->require[w] & ~held[w])
			return false;
	return true;
}

static bool require_meets(const struct cg_selector *selector, const __u64 *newly)
{
	for (size_t w = 0; w < CG_MAX_PREDICATES / 64; w++)
		if (selector->require[w] & newly[w])
			return true;
	return false;
}

/* A sealed cgroup: nothing below it matches, and the kernel stores no state there. */
static void seal(const struct policy_selection *selection, struct cg_cgroup_state *state)
{
	(void)selection;
	memset(state->active, 0, sizeof(state->active));
	state->flags |= CG_CGROUP_SEALED;
}

static bool holds_seal(const struct policy_selection *selection, const struct cg_cgroup_state *state)
{
	__u16 p = selection->generation.seal_predicate;

	return p != CG_NO_PREDICATE && p < CG_MAX_PREDICATES && bit_test(state->held, p);
}

static void finish(struct cg_cgroup_state *out, struct match_step *step, struct policy_tie *tie)
{
	out->policy_id = better(step, out->plain, out->host).policy_id;
	out->flags = step->tie_seen ? CG_CGROUP_AMBIGUOUS : 0;
	if (tie)
		*tie = step->tie_seen ? step->tie : (struct policy_tie){};
}

void policy_selection_root(const struct policy_selection *selection, struct cg_cgroup_state *out,
			   struct policy_tie *tie)
{
	const struct cg_generation *gen = &selection->generation;
	struct match_step step = {};
	bool inside;

	*out = (struct cg_cgroup_state){ .plain = no_winner, .host = no_winner, .depth = 0 };
	memcpy(out->active, gen->root_active, sizeof(out->active));
	for (__u32 s = 0; s < gen->nstates && s < CG_MAX_NFA_STATES; s++)
		if (bit_test(out->active, s) && selection->states[s].kind == CG_MATCH_END)
			bit_set(out->held, selection->states[s].predicate);
	inside = gen->container_predicate != CG_NO_PREDICATE && bit_test(out->held, gen->container_predicate);

	for (__u32 i = 0; i < gen->nselectors && i < CG_MAX_SELECTORS; i++) {
		const struct cg_selector *selector = &selection->selectors[i];

		if (!require_subset(selector, out->held))
			continue;
		if (selector->flags & CG_SELECTOR_HOST) {
			if (!inside)
				out->host = better(&step, out->host, candidate(selector, i, 0));
		} else {
			out->plain = better(&step, out->plain, candidate(selector, i, 0));
		}
	}
	finish(out, &step, tie);
	if (holds_seal(selection, out))
		seal(selection, out);
}

void policy_selection_child(const struct policy_selection *selection, const struct cg_cgroup_state *parent,
			    const char *name, struct cg_cgroup_state *out, struct policy_tie *tie)
{
	const struct cg_generation *gen = &selection->generation;
	size_t name_len = strnlen(name, CG_NAME_LEN - 1);
	__u64 accepted[CG_MAX_PREDICATES / 64] = {}, newly[CG_MAX_PREDICATES / 64];
	struct cg_cgroup_state next = {
		.plain = parent->plain,
		.host = parent->host,
		.depth = (__u16)(parent->depth + 1),
	};
	struct match_step step = {};
	__u32 nstates = gen->nstates < CG_MAX_NFA_STATES ? gen->nstates : CG_MAX_NFA_STATES;
	bool inside;

	if (parent->flags & CG_CGROUP_SEALED) {
		/* Governed as the sealed ancestor, whatever the name. */
		next = *parent;
		next.depth = (__u16)(parent->depth + 1);
		next.flags = CG_CGROUP_SEALED;
		if (tie)
			*tie = (struct policy_tie){};
		*out = next;
		return;
	}
	for (__u32 s = 0; s < nstates; s++) {
		const struct cg_nfa_state *state = &selection->states[s];

		if (!bit_test(parent->active, s) || state->kind == CG_MATCH_END)
			continue;
		if (state->kind == CG_MATCH_ANY_SEQ)
			bit_set(next.active, s);
		else if (glob_match(state, name, name_len) && s + 1 < CG_MAX_NFA_STATES)
			bit_set(next.active, s + 1);
	}
	for (__u32 s = 0; s < nstates; s++)
		if (bit_test(next.active, s) && selection->states[s].kind == CG_MATCH_ANY_SEQ && s + 1 < CG_MAX_NFA_STATES)
			bit_set(next.active, s + 1);
	for (__u32 s = 0; s < nstates; s++)
		if (bit_test(next.active, s) && selection->states[s].kind == CG_MATCH_END)
			bit_set(accepted, selection->states[s].predicate);
	for (size_t w = 0; w < CG_MAX_PREDICATES / 64; w++) {
		next.held[w] = parent->held[w] | accepted[w];
		newly[w] = accepted[w] & ~parent->held[w];
	}
	inside = gen->container_predicate != CG_NO_PREDICATE && bit_test(next.held, gen->container_predicate);

	for (__u32 i = 0; i < gen->nselectors && i < CG_MAX_SELECTORS; i++) {
		const struct cg_selector *selector = &selection->selectors[i];

		if (!require_meets(selector, newly) || !require_subset(selector, next.held))
			continue;
		if (selector->flags & CG_SELECTOR_HOST) {
			if (!inside)
				next.host = better(&step, next.host, candidate(selector, i, next.depth));
		} else {
			next.plain = better(&step, next.plain, candidate(selector, i, next.depth));
		}
	}
	if (inside)
		next.host = no_winner;
	finish(&next, &step, tie);
	if (holds_seal(selection, &next))
		seal(selection, &next);
	*out = next;
}

void policy_selection_seal(const struct policy_selection *selection, struct cg_cgroup_state *state)
{
	seal(selection, state);
}

bool policy_selection_is_container(const struct policy_selection *selection, const struct cg_cgroup_state *state)
{
	return holds_seal(selection, state);
}

void policy_selection_offer(struct cg_cgroup_state *state, struct cg_winner candidate, struct policy_tie *tie)
{
	struct match_step step = {};

	state->plain = better(&step, state->plain, candidate);
	state->policy_id = better(&step, state->plain, state->host).policy_id;
	if (step.tie_seen)
		state->flags |= CG_CGROUP_AMBIGUOUS;
	if (tie)
		*tie = step.tie_seen ? step.tie : (struct policy_tie){};
}

int policy_selection_match_path(const struct policy_selection *selection, const char *path,
				struct cg_cgroup_state *out, struct policy_tie *tie)
{
	struct cg_cgroup_state state;
	struct policy_tie level_tie;
	char name[CG_NAME_LEN];

	if (!selection || !path || path[0] != '/')
		return -EINVAL;
	if (tie)
		*tie = (struct policy_tie){};
	policy_selection_root(selection, &state, &level_tie);
	if (tie && level_tie.tied)
		*tie = level_tie;
	for (const char *p = path; *p;) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0)
			break;
		if (n >= CG_NAME_LEN)
			return -EINVAL;
		memcpy(name, p, n);
		name[n] = '\0';
		policy_selection_child(selection, &state, name, &state, &level_tie);
		if (tie && level_tie.tied)
			*tie = level_tie;
		p += n;
	}
	*out = state;
	return 0;
}
