// SPDX-License-Identifier: GPL-2.0-only
/*
 * Cgroup selection state, for new cgroups: when a cgroup is created, compute
 * its state (see "Cgroup selection" in credgate.h) from its parent's and its
 * name, exactly as user space does for existing cgroups
 * (policy/selection.c), and store it before anyone can use the cgroup.
 *
 * The cgroup_mkdir tracepoint fires inside cgroup_mkdir() with the cgroup
 * mutex held; moving a task into a cgroup (cgroup.procs, clone3 with
 * CLONE_INTO_CGROUP) takes that mutex too. So the state exists before the
 * cgroup's first task does, and its first credential change is decided by
 * its policy, however soon it comes.
 *
 * While user space prepares a new generation (cg_config.next_gen), states
 * are computed for it as well, from the parent's state in that generation
 * if user space already wrote it; user space writes a cgroup's state before
 * listing its children, so every cgroup is covered by one or the other.
 */
#include "common.bpf.h"

/* One load, never merged or repeated by the compiler. */
#define CG_READ_ONCE(x) (*(volatile __typeof__(x) *)&(x))

char LICENSE[] SEC("license") = "GPL";

#define CG_WORDS (CG_MAX_NFA_STATES / 64)
_Static_assert(CG_MAX_PREDICATES / 64 == CG_WORDS, "one bitset size for states and predicates");

struct cg_bits {
	__u64 w[CG_WORDS];
};

struct cg_name {
	char s[CG_NAME_LEN];
	__u32 len; /* without the NUL */
	__u32 pad;
};

/*
 * Per-CPU scratch: the states are too big for the stack. The loops below run
 * under bpf_loop(), whose callback the verifier checks once, not once per
 * iteration and path; each callback finds the scratch again with a lookup
 * (an inlined array access) rather than through a pointer in its context.
 */
struct cg_mkdir_scratch {
	struct cg_cgroup_state parent;
	struct cg_cgroup_state child;
	struct cg_name name;
	struct cg_bits accepted;
	struct cg_bits newly;
	__u32 inside; /* the child is in a container (host selectors do not apply) */
	__u32 own_container; /* the child is a container's own cgroup (the seal predicate holds) */
	char pattern[CG_PATTERN_LEN]; /* the state being matched, copied out of its map */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cg_mkdir_scratch);
} cg_mkdir_scratch_map SEC(".maps");

static __always_inline struct cg_mkdir_scratch *cg_scratch(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&cg_mkdir_scratch_map, &zero);
}

/*
 * The empty asm hides what clang knows about @i from earlier compares, so the
 * mask below is really emitted: clang otherwise drops it, and the verifier,
 * which bounds registers and not values, sees an unbounded index.
 */
static __always_inline __u32 cg_word(__u32 i)
{
	asm volatile("" : "+r"(i));
	return (i >> 6) & (CG_WORDS - 1);
}

static __always_inline bool cg_bit(const __u64 *w, __u32 i)
{
	return w[cg_word(i)] & (1ull << (i & 63));
}

static __always_inline void cg_bit_set(__u64 *w, __u32 i)
{
	w[cg_word(i)] |= 1ull << (i & 63);
}

static __always_inline struct cg_nfa_state *cg_nfa_lookup(__u32 gen, __u32 state)
{
	struct cg_nfa_key key = { .gen = gen, .state = state };

	return bpf_map_lookup_elem(&cg_nfa, &key);
}

struct cg_glob_ctx {
	__u32 pattern_at; /* where this run of characters starts in the pattern */
	__u32 name_at;	  /* ... and in the name */
	__u32 literal;	  /* '?' is an ordinary character */
	__u32 mismatch;
};

/* One character of the pattern against one of the name. */
static long cg_glob_char_cb(__u32 i, void *ctx)
{
	struct cg_glob_ctx *g = ctx;
	struct cg_mkdir_scratch *sc = cg_scratch();
	char p, c;

	if (!sc) {
		g->mismatch = 1;
		return 1;
	}
	p = sc->pattern[(g->pattern_at + i) & (CG_PATTERN_LEN - 1)];
	c = sc->name.s[(g->name_at + i) & (CG_NAME_LEN - 1)];
	if (p != c && (g->literal || p != '?')) {
		g->mismatch = 1;
		return 1;
	}
	return 0;
}

/*
 * A literal, or a glob with '?' and at most one '*', against the name in
 * the scratch. With a star at k: the k characters before it must match the
 * name's start, the ones after it the name's end, and the name must be long
 * enough for both. The pattern is copied into the scratch first, so the
 * per-character callback finds both strings in one place.
 */
static __always_inline bool cg_glob_match(struct cg_mkdir_scratch *sc, const struct cg_nfa_state *st)
{
	struct cg_glob_ctx g = { .literal = st->kind == CG_MATCH_LITERAL };
	__u32 len = st->len, nlen = sc->name.len;
	__u32 star = g.literal ? 0xff : st->star, tail;

	if (len >= CG_PATTERN_LEN || nlen >= CG_NAME_LEN)
		return false;
	if (star == 0xff) {
		if (nlen != len)
			return false;
		star = len; /* all of it is the part before the star */
		tail = 0;
	} else {
		if (star >= len || nlen + 1 < len)
			return false;
		tail = len - star - 1;
	}
	__builtin_memcpy(sc->pattern, st->pattern, sizeof(sc->pattern));
	bpf_loop(star, cg_glob_char_cb, &g, 0);
	if (g.mismatch || !tail)
		return !g.mismatch;
	g.pattern_at = star + 1;
	g.name_at = nlen - tail;
	bpf_loop(tail, cg_glob_char_cb, &g, 0);
	return !g.mismatch;
}

struct cg_loop_ctx {
	__u32 gen;
};

/* Consume the name: from each active state of the parent, to the next. */
static long cg_step_cb(__u32 s, void *ctx)
{
	struct cg_loop_ctx *lc = ctx;
	struct cg_mkdir_scratch *sc = cg_scratch();
	struct cg_nfa_state *st;

	if (!sc || s >= CG_MAX_NFA_STATES)
		return 1;
	if (!cg_bit(sc->parent.active, s))
		return 0;
	st = cg_nfa_lookup(lc->gen, s);
	if (!st)
		return 0;
	if (st->kind == CG_MATCH_ANY_SEQ)
		cg_bit_set(sc->child.active, s);
	else if ((st->kind == CG_MATCH_LITERAL || st->kind == CG_MATCH_GLOB) &&
		 cg_glob_match(sc, st) && s + 1 < CG_MAX_NFA_STATES)
		cg_bit_set(sc->child.active, s + 1);
	return 0;
}

/* "**" may match nothing: an active "**" makes the next state active too. */
static long cg_close_cb(__u32 s, void *ctx)
{
	struct cg_loop_ctx *lc = ctx;
	struct cg_mkdir_scratch *sc = cg_scratch();
	struct cg_nfa_state *st;

	if (!sc || s >= CG_MAX_NFA_STATES)
		return 1;
	if (!cg_bit(sc->child.active, s))
		return 0;
	st = cg_nfa_lookup(lc->gen, s);
	if (st && st->kind == CG_MATCH_ANY_SEQ && s + 1 < CG_MAX_NFA_STATES)
		cg_bit_set(sc->child.active, s + 1);
	return 0;
}

/* Active END states: their predicates hold here. */
static long cg_accept_cb(__u32 s, void *ctx)
{
	struct cg_loop_ctx *lc = ctx;
	struct cg_mkdir_scratch *sc = cg_scratch();
	struct cg_nfa_state *st;

	if (!sc || s >= CG_MAX_NFA_STATES)
		return 1;
	if (!cg_bit(sc->child.active, s))
		return 0;
	st = cg_nfa_lookup(lc->gen, s);
	if (st && st->kind == CG_MATCH_END && st->predicate < CG_MAX_PREDICATES)
		cg_bit_set(sc->accepted.w, st->predicate);
	return 0;
}

/*
 * Deeper wins, then higher priority; the same depth and priority for two
 * different policies is a tie: the lower policy id wins and it is flagged.
 */
static __always_inline void cg_winner_better(struct cg_winner *best, const struct cg_winner *cand,
					     __u16 *flags)
{
	if (cand->policy_id == CG_NO_POLICY)
		return;
	if (best->policy_id == CG_NO_POLICY || cand->depth > best->depth ||
	    (cand->depth == best->depth && cand->priority > best->priority)) {
		*best = *cand;
		return;
	}
	if (cand->depth < best->depth || cand->priority < best->priority ||
	    cand->policy_id == best->policy_id)
		return;
	*flags |= CG_CGROUP_AMBIGUOUS;
	if (cand->policy_id < best->policy_id)
		*best = *cand;
}

/* A selector that starts to hold here competes with the inherited winners. */
static long cg_select_cb(__u32 i, void *ctx)
{
	struct cg_loop_ctx *lc = ctx;
	struct cg_selector_key key = { .gen = lc->gen, .index = i };
	struct cg_mkdir_scratch *sc = cg_scratch();
	struct cg_selector *sel;
	struct cg_winner cand;
	__u64 touched = 0, missing = 0;

	if (!sc)
		return 1;
	sel = bpf_map_lookup_elem(&cg_selectors, &key);
	if (!sel)
		return 0;
	for (int w = 0; w < CG_WORDS; w++) {
		touched |= sel->require[w] & sc->newly.w[w];
		missing |= sel->require[w] & ~sc->child.held[w];
	}
	if (!touched || missing)
		return 0;
	cand.policy_id = sel->policy_id;
	cand.priority = sel->priority;
	cand.depth = sc->child.depth;
	cand.selector = (__u16)i;
	if (sel->flags & CG_SELECTOR_HOST) {
		if (!sc->inside)
			cg_winner_better(&sc->child.host, &cand, &sc->child.flags);
	} else {
		cg_winner_better(&sc->child.plain, &cand, &sc->child.flags);
	}
	return 0;
}

/*
 * A delegated cgroup: a non-root user may create cgroups in it, as systemd's
 * Delegate= and user@.service make them (chown of the directory), or as a
 * directory writable by group or others allows. Read at each mkdir, because
 * the delegation (a chown) comes after the cgroup's own creation.
 */
static __always_inline bool cg_delegated(struct cgroup *cgrp)
{
	struct kernfs_node *kn = cgrp->kn;
	struct kernfs_iattrs *attrs = BPF_CORE_READ(kn, iattr);
	umode_t mode = BPF_CORE_READ(kn, mode);

	if (mode & 0022)
		return true;
	return attrs && BPF_CORE_READ(attrs, ia_uid.val) != 0;
}

/*
 * Compute and store the state of @child_id in @gen from its parent's; true
 * when it is a container's own cgroup whose identity user space must bind
 * (CG_GENERATION_IDENTITY). Below
 * a sealed cgroup (a container's, or a delegated one) nothing is stored: a
 * task there resolves to the sealed ancestor (cg_ancestor_policy()), so a
 * container or a user cannot fill the map with cgroups of its own.
 */
static __always_inline bool cg_compute_child(__u32 gen, __u64 parent_id, __u64 child_id, bool delegated)
{
	struct cg_cgroup_key key = { .gen = gen, .cgroup_id = parent_id };
	struct cg_loop_ctx lc = { .gen = gen };
	struct cg_cgroup_state *parent;
	struct cg_mkdir_scratch *sc;
	struct cg_generation *g;
	struct cg_winner overall;
	__u32 container, nstates, nselectors;

	sc = cg_scratch();
	parent = bpf_map_lookup_elem(&cg_cgroups, &key);
	g = bpf_map_lookup_elem(&cg_generations, &gen);
	if (!sc || !parent || !g)
		return false; /* below a sealed cgroup, or user space has not reached the parent yet */
	if (parent->flags & CG_CGROUP_SEALED)
		return false;
	if (delegated) {
		/* An in-place change of an existing value: it cannot fail for a full map. */
		parent->flags |= CG_CGROUP_SEALED;
		return false;
	}
	nstates = g->nstates < CG_MAX_NFA_STATES ? g->nstates : CG_MAX_NFA_STATES;
	nselectors = g->nselectors < CG_MAX_SELECTORS ? g->nselectors : CG_MAX_SELECTORS;
	container = g->container_predicate;

	sc->parent = *parent;
	__builtin_memset(&sc->child, 0, sizeof(sc->child));
	__builtin_memset(&sc->accepted, 0, sizeof(sc->accepted));
	sc->child.depth = sc->parent.depth + 1;
	bpf_loop(nstates, cg_step_cb, &lc, 0);
	bpf_loop(nstates, cg_close_cb, &lc, 0);
	bpf_loop(nstates, cg_accept_cb, &lc, 0);
	for (int w = 0; w < CG_WORDS; w++) {
		sc->child.held[w] = sc->parent.held[w] | sc->accepted.w[w];
		sc->newly.w[w] = sc->accepted.w[w] & ~sc->parent.held[w];
	}
	sc->child.plain = sc->parent.plain;
	sc->child.host = sc->parent.host;
	sc->inside = container < CG_MAX_PREDICATES && cg_bit(sc->child.held, container);
	bpf_loop(nselectors, cg_select_cb, &lc, 0);
	if (sc->inside) {
		sc->child.host.policy_id = CG_NO_POLICY;
		sc->child.host.priority = 0;
		sc->child.host.depth = 0;
		sc->child.host.selector = 0;
	}
	overall = sc->child.plain;
	cg_winner_better(&overall, &sc->child.host, &sc->child.flags);
	sc->child.policy_id = overall.policy_id;
	container = g->seal_predicate;
	sc->own_container = container < CG_MAX_PREDICATES && cg_bit(sc->child.held, container);
	if (sc->own_container) {
		/* A container's cgroup: names below it confer nothing. */
		__builtin_memset(sc->child.active, 0, sizeof(sc->child.active));
		sc->child.flags |= CG_CGROUP_SEALED;
	}
	if (sc->child.flags & CG_CGROUP_AMBIGUOUS)
		cg_count(CG_CNT_CGROUP_AMBIGUOUS);

	key.cgroup_id = child_id;
	if (bpf_map_update_elem(&cg_cgroups, &key, &sc->child, BPF_ANY)) {
		cg_count(CG_CNT_MKDIR_FAILED);
		return false;
	}
	return sc->own_container && (g->flags & CG_GENERATION_IDENTITY);
}

/*
 * Tell user space of a new container's own cgroup, at once (its first
 * instruction may be near): the window until the agent has bound it is
 * what runtimes without a hook leave (docs/containers.md).
 */
static __always_inline void cg_tell_container(__u64 child_id)
{
	struct cg_container_event *e = bpf_ringbuf_reserve(&cg_events, sizeof(*e), 0);

	if (!e) {
		cg_count(CG_CNT_RINGBUF_FULL); /* reported as lost events; the next publish binds it */
		return;
	}
	cg_fill_header(&e->hdr, CG_EVENT_CONTAINER, sizeof(*e), child_id);
	bpf_ringbuf_submit(e, BPF_RB_FORCE_WAKEUP);
}

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(cg_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	struct cg_mkdir_scratch *scratch;
	struct cg_config *config;
	struct cgroup *parent;
	__u32 gen, next_gen, gen2, next_gen2;
	__u64 child_id, parent_id;
	bool delegated, tell = false;
	long len;

	if (cgrp->root->hierarchy_id != CG_DFL_HIERARCHY_ID)
		return 0;
	config = cg_get_config();
	scratch = cg_scratch();
	if (!config || !scratch)
		return 0;
	parent = cgrp->self.parent ? cgrp->self.parent->cgroup : NULL;
	if (!parent)
		return 0;
	child_id = cgrp->kn->id;
	parent_id = parent->kn->id;
	len = bpf_probe_read_kernel_str(scratch->name.s, sizeof(scratch->name.s), cgrp->kn->name);
	if (len <= 0) {
		cg_count(CG_CNT_MKDIR_FAILED);
		return 0;
	}
	scratch->name.len = (__u32)len - 1;
	delegated = cg_delegated(parent);

	/*
	 * User space rewrites the configuration while this runs (an array
	 * element is copied, not swapped), so two fields read one after the
	 * other may come from two writes: (old gen, 0) while a publish goes from
	 * (old, new) to (new, 0), and the new generation would miss this cgroup.
	 * So read them, compute, read them again and compute whatever
	 * generation appeared meanwhile.
	 */
	gen = CG_READ_ONCE(config->gen);
	next_gen = CG_READ_ONCE(config->next_gen);
	if (gen)
		tell |= cg_compute_child(gen, parent_id, child_id, delegated);
	if (next_gen && next_gen != gen)
		tell |= cg_compute_child(next_gen, parent_id, child_id, delegated);
	gen2 = CG_READ_ONCE(config->gen);
	next_gen2 = CG_READ_ONCE(config->next_gen);
	if (gen2 && gen2 != gen && gen2 != next_gen)
		tell |= cg_compute_child(gen2, parent_id, child_id, delegated);
	if (next_gen2 && next_gen2 != gen && next_gen2 != next_gen && next_gen2 != gen2)
		tell |= cg_compute_child(next_gen2, parent_id, child_id, delegated);
	/* Once, whichever generations it was computed in: the agent binds it in the one in force. */
	if (tell)
		cg_tell_container(child_id);
	return 0;
}

/* A removed cgroup's states go with it, in every generation. */
SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(cg_cgroup_rmdir, struct cgroup *cgrp, const char *path)
{
	struct cg_cgroup_key key = {};
	struct cg_config *config;

	if (cgrp->root->hierarchy_id != CG_DFL_HIERARCHY_ID)
		return 0;
	config = cg_get_config();
	if (!config)
		return 0;
	key.cgroup_id = cgrp->kn->id;
	key.gen = config->gen;
	bpf_map_delete_elem(&cg_cgroups, &key);
	if (config->next_gen) {
		key.gen = config->next_gen;
		bpf_map_delete_elem(&cg_cgroups, &key);
	}
	return 0;
}
