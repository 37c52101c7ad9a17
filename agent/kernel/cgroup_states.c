// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The walk half of a publish: every cgroup's selection state for a new
 * generation, computed and stored (cgroup_states.h). policy_maps.c writes
 * the rest of the generation and switches to it.
 */
#include "cgroup_states.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "macro.h"
#include "selection.h"

/* A cgroup found by the walk, waiting for its children to be listed. */
struct walk_node {
	char *path; /* relative to the cgroup2 root: "" for the root */
	struct cg_cgroup_state state;
};

struct walk {
	int cgroups_fd;
	const struct policy_set *set;
	const struct cgroup_fs *fs;
	uint32_t gen;
	struct cgroup_states *out;
	const struct container_resolver *resolver; /* NULL: no identity selector holds */
	/* Its file is set to the policy each problem is about. */
	struct diag_reporter *problems;
	struct walk_node *queue;
	size_t head, tail, cap;
	bool *selector_used; /* [nselectors]: held somewhere on this host */
};

static int walk_push(struct walk *w, char *path, const struct cg_cgroup_state *state)
{
	if (w->tail == w->cap) {
		size_t ncap = w->cap ? w->cap * 2 : 256;
		struct walk_node *q = realloc(w->queue, ncap * sizeof(*q));

		if (!q)
			return -ENOMEM;
		w->queue = q;
		w->cap = ncap;
	}
	w->queue[w->tail].path = path;
	w->queue[w->tail].state = *state;
	w->tail++;
	return 0;
}

static const struct policy *policy_of(const struct walk *w, __u32 policy_id)
{
	return policy_id < w->set->count ? &w->set->policies[policy_id] : NULL;
}

static void note_tie(struct walk *w, const char *path, const struct policy_tie *tie)
{
	const struct policy *a = policy_of(w, tie->winner_policy), *b = policy_of(w, tie->other_policy);

	if (!a || !b)
		return;
	w->problems->file = b->file;
	diag_error(w->problems, b->line, b->column,
		   "cgroup %s is selected by policy '%s' and by policy '%s' (%s:%u:%u) at the same depth and priority %d; give one of them a higher priority:",
		   path[0] ? path : "/", a->name, b->name, b->file, b->line, b->column, tie->priority);
}

static void note_selectors(struct walk *w, const struct cg_cgroup_state *state)
{
	const struct policy_selection *sel = w->set->selection;

	for (__u32 i = 0; i < sel->generation.nselectors; i++) {
		bool held = true;

		if (w->selector_used[i])
			continue;
		for (int k = 0; k < CG_MAX_PREDICATES / 64; k++)
			if (sel->selectors[i].require[k] & ~state->held[k])
				held = false;
		w->selector_used[i] = held;
	}
}

/*
 * A delegated cgroup: a non-root user may create cgroups in it (systemd's
 * Delegate= and user@.service chown the directory to the user), so names
 * below it confer nothing. The kernel's cgroup_mkdir program asks the same
 * of the parent of every new cgroup (cgroup.bpf.c, cg_delegated()).
 */
static bool delegated(const struct stat *st)
{
	return st->st_uid != 0 || (st->st_mode & 0022);
}

/*
 * Store one cgroup's state, sealed first when it is delegated; the cgroup
 * may have vanished meanwhile (then the rmdir program may already have run:
 * drop the entry again). Returns 1 when stored, 0 when gone, or a negative
 * errno; a map that is full (or no memory) does not fail the publish: the
 * cgroup is left without a state, which the hooks treat as unknown (the
 * fail-closed policy), and it is counted and reported.
 */
static int store_state(struct walk *w, const char *path, struct cg_cgroup_state *state)
{
	int root = cgroup_fs__root_fd(w->fs);
	struct cg_cgroup_key key = { .gen = w->gen };
	struct stat st;

	if (fstatat(root, path[0] ? path : ".", &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : negative_errno();
	if (path[0] && delegated(&st))
		policy_selection_seal(w->set->selection, state);
	key.cgroup_id = st.st_ino;
	if (bpf_map_update_elem(w->cgroups_fd, &key, state, BPF_ANY)) {
		if (errno != E2BIG && errno != ENOMEM)
			return negative_errno();
		if (!w->out->unstored_error)
			w->out->unstored_error = errno;
		w->out->unstored++;
		return 0;
	}
	if (fstatat(root, path[0] ? path : ".", &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT) {
		bpf_map_delete_elem(w->cgroups_fd, &key);
		return 0;
	}
	w->out->cgroups++;
	if (state->policy_id != CG_NO_POLICY)
		w->out->governed++;
	note_selectors(w, state);
	return 1;
}

bool cgroup_state_offer_identity(const struct policy_set *set, const struct container_facts *facts,
				 struct cg_cgroup_state *state, struct policy_tie *tie)
{
	struct identity_match match;
	struct policy_tie path_tie = {};
	const struct policy *policy;

	*tie = (struct policy_tie){};
	if (!policy_selection_is_container(set->selection, state) || !policy_set_match_identity(set, facts, &match))
		return false;
	policy = match.policy_id < set->count ? &set->policies[match.policy_id] : NULL;
	if (!policy || match.selector >= policy->nselectors)
		return false;
	policy_selection_offer(state,
			       (struct cg_winner){
				       .policy_id = match.policy_id,
				       .priority = match.priority,
				       .depth = state->depth,
				       .selector = (__u16)policy->selectors[match.selector].index,
			       },
			       &path_tie);
	if (path_tie.tied) {
		*tie = path_tie;
	} else if (match.tie && state->policy_id == match.policy_id) {
		const struct policy *other = match.tied_with < set->count ? &set->policies[match.tied_with] : NULL;

		state->flags |= CG_CGROUP_AMBIGUOUS;
		*tie = (struct policy_tie){
			.tied = true,
			.winner_policy = match.policy_id,
			.other_policy = match.tied_with,
			.winner_selector = (__u16)policy->selectors[match.selector].index,
			.other_selector = other && other->nselectors ? (__u16)other->selectors[0].index : 0,
			.depth = state->depth,
			.priority = match.priority,
		};
	}
	return true;
}

/* A container's own cgroup, found by the walk: what its runtime knows may select it. */
static void offer_identity(struct walk *w, const char *path, struct cg_cgroup_state *state)
{
	struct container_facts facts = {};
	struct policy_tie tie;

	if (!policy_selection_is_container(w->set->selection, state) || !w->resolver->resolve(w->resolver->ctx, path, &facts))
		return;
	if (!cgroup_state_offer_identity(w->set, &facts, state, &tie))
		return;
	if (tie.tied)
		note_tie(w, path, &tie);
	/* An identity selector holds here: no "matches no cgroup" warning for it. */
	if (state->plain.policy_id != CG_NO_POLICY && state->plain.selector < w->set->selection->generation.nselectors)
		w->selector_used[state->plain.selector] = true;
}

/*
 * The state of @path as the walk would compute it, or -EPERM when @path is
 * not a container's own cgroup: below a sealed cgroup (a container's, or a
 * delegated one, whose names were chosen by whoever it was given to), or not
 * where runtimes put containers.
 */
static int container_state_of(const struct policy_set *set, int root, const char *path, struct cg_cgroup_state *out)
{
	struct cg_cgroup_state state;
	char prefix[PATH_MAX];
	const char *p = path;
	size_t len = strlen(path);

	if (len + 2 > sizeof(prefix))
		return -EINVAL;
	policy_selection_root(set->selection, &state, NULL);
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		char name[CG_NAME_LEN];
		struct stat st;

		if (state.flags & CG_CGROUP_SEALED)
			return -EPERM;
		if (n == 0 || n >= sizeof(name) || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return -EINVAL;
		memcpy(name, p, n);
		name[n] = '\0';
		policy_selection_child(set->selection, &state, name, &state, NULL);
		memcpy(prefix, path, (size_t)(p - path) + n);
		prefix[(size_t)(p - path) + n] = '\0';
		if (fstatat(root, prefix, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return negative_errno();
		if (!slash)
			break;
		if (delegated(&st))
			return -EPERM; /* an ancestor a user or a container may write */
		p = slash + 1;
	}
	if (!policy_selection_is_container(set->selection, &state))
		return -EPERM;
	*out = state;
	return 0;
}

int cgroup_state_bind_container(int cgroups_fd, const struct policy_set *set, const struct cgroup_fs *fs,
				uint32_t gen, const char *path, const struct container_facts *facts,
				struct cg_cgroup_state *out, struct policy_tie *tie)
{
	struct cg_cgroup_key key = { .gen = gen };
	int root = cgroup_fs__root_fd(fs);
	struct stat st;
	int r;

	*tie = (struct policy_tie){};
	if (!path[0] || path[0] == '/')
		return -EINVAL;
	/* Always from the path: a state an earlier bind stored may hold another identity's winner. */
	r = container_state_of(set, root, path, out);
	if (r < 0)
		return r;
	cgroup_state_offer_identity(set, facts, out, tie);
	if (fstatat(root, path, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return negative_errno();
	key.cgroup_id = st.st_ino;
	if (bpf_map_update_elem(cgroups_fd, &key, out, BPF_ANY))
		return negative_errno();
	return 0;
}

/* Children of the queue's head: compute, store, enqueue. */
static int walk_children(struct walk *w, const struct walk_node *node)
{
	int root = cgroup_fs__root_fd(w->fs);
	_cleanup_close_ int fd = -1;
	DIR *dir;
	struct dirent *de;
	int r = 0;

	fd = openat(root, node->path[0] ? node->path : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : negative_errno();
	dir = fdopendir(fd);
	if (!dir)
		return negative_errno();
	TAKE_FD(fd);
	while ((de = readdir(dir))) {
		struct cg_cgroup_state child;
		struct policy_tie tie = {};
		char *path;

		/* A cgroup may be named ".x": skip only "." and "..". */
		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (strlen(de->d_name) >= CG_NAME_LEN)
			continue; /* kernfs names are shorter; never true */
		if (asprintf(&path, "%s%s%s", node->path, node->path[0] ? "/" : "", de->d_name) < 0) {
			r = -ENOMEM;
			break;
		}
		policy_selection_child(w->set->selection, &node->state, de->d_name, &child, &tie);
		if (tie.tied)
			note_tie(w, path, &tie);
		if (w->resolver && !(node->state.flags & CG_CGROUP_SEALED))
			offer_identity(w, path, &child);
		/*
		 * The state is stored before the children are listed (see
		 * cgroup.bpf.c). Below a sealed cgroup nothing is stored (its
		 * descendants resolve to it), and below one left without a state
		 * everything is unknown already: neither is walked.
		 */
		r = store_state(w, path, &child);
		if (r == 1 && !(child.flags & CG_CGROUP_SEALED))
			r = walk_push(w, path, &child);
		else
			free(path);
		if (r < 0)
			break;
		r = 0;
	}
	closedir(dir);
	return r;
}

static int write_cgroup_states(struct walk *w)
{
	struct cg_cgroup_state root;
	struct policy_tie tie = {};
	char *path = strdup("");
	int r;

	if (!path)
		return -ENOMEM;
	policy_selection_root(w->set->selection, &root, &tie);
	if (tie.tied)
		note_tie(w, "/", &tie);
	r = store_state(w, "", &root);
	if (r == 0)
		r = w->out->unstored ? -w->out->unstored_error : -ENOENT; /* the root: always there, and needed */
	if (r == 1)
		r = walk_push(w, path, &root);
	else
		free(path);
	while (r == 0 && w->head < w->tail) {
		struct walk_node node = w->queue[w->head++];

		r = walk_children(w, &node);
		free(node.path);
	}
	while (w->head < w->tail)
		free(w->queue[w->head++].path);
	return r;
}

static void warn_unused_selectors(struct walk *w)
{
	const struct policy_selection *sel = w->set->selection;

	for (__u32 i = 0; i < sel->generation.nselectors; i++) {
		const struct policy_selector_origin *o = &sel->origins[i];
		const struct policy *policy = policy_of(w, o->policy_id);
		const struct policy_selector *s;

		if (w->selector_used[i] || !policy || o->selector >= policy->nselectors)
			continue;
		s = &policy->selectors[o->selector];
		w->problems->file = policy->file;
		diag_report(w->problems, POLICY_DIAG_WARNING, s->line, s->column,
			    "policy '%s': selector (%s) matches no cgroup now; it will govern matching cgroups from their creation",
			    policy->name, s->text);
	}
}

int cgroup_states_write(int cgroups_fd, const struct policy_set *set, const struct cgroup_fs *fs, uint32_t gen,
			const struct container_resolver *resolver, struct diag_reporter *problems,
			struct cgroup_states *out)
{
	struct walk w = { .cgroups_fd = cgroups_fd, .set = set, .fs = fs, .gen = gen, .out = out,
			  .resolver = resolver && resolver->resolve && policy_set_has_identity_selectors(set) ? resolver : NULL,
			  .problems = problems };
	size_t errors = problems->errors;
	int r;

	*out = (struct cgroup_states){};
	w.selector_used = calloc(set->selection->generation.nselectors + 1, sizeof(bool));
	if (!w.selector_used)
		return -ENOMEM;
	r = write_cgroup_states(&w);
	/* Unless the set is refused (a tie), say which selectors hold nowhere. */
	if (r == 0 && problems->errors == errors)
		warn_unused_selectors(&w);
	free(w.selector_used);
	free(w.queue);
	return r;
}
