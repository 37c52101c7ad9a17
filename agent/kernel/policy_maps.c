// SPDX-License-Identifier: LGPL-2.1-or-later
#include "policy_maps.h"

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

#include "diag.h"
#include "macro.h"
#include "selection.h"

struct policy_maps {
	struct bpf_loader_maps fds;
	uint32_t generation;
	/*
	 * Updating an element of a map-of-maps makes the kernel wait for an
	 * RCU grace period (maybe_wait_bpf_programs()): every BPF program that
	 * was running has finished when the update returns. That is how we
	 * know no decision still uses the old generation.
	 */
	int grace_outer_fd;
	int grace_inner_fd;
	bool no_selinux; /* CG_GENERATION_NO_SELINUX in every generation published */
	uint32_t cgroup_entries; /* the cgroup map's size: two generations' worth */
	size_t last_unstored;	 /* cgroups the last publish could not store */
};

int policy_maps__new(struct policy_maps **out, const struct bpf_loader *loader)
{
	_cleanup_free_ struct policy_maps *maps = calloc(1, sizeof(*maps));
	LIBBPF_OPTS(bpf_map_create_opts, outer_opts);
	struct bpf_map_info info = {};
	__u32 info_len = sizeof(info);
	struct cg_config config;
	__u32 zero = 0;

	if (!maps)
		return -ENOMEM;
	bpf_loader__maps(loader, &maps->fds);
	/* As created (the settings may have resized it), or as adopted from a pin. */
	if (bpf_obj_get_info_by_fd(maps->fds.cgroups, &info, &info_len))
		return negative_errno();
	maps->cgroup_entries = info.max_entries;
	maps->grace_outer_fd = -1;
	maps->grace_inner_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "cg_grace_in", 4, 4, 1, NULL);
	if (maps->grace_inner_fd < 0)
		return negative_errno();
	outer_opts.inner_map_fd = maps->grace_inner_fd;
	maps->grace_outer_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, "cg_grace", 4, 4, 1, &outer_opts);
	if (maps->grace_outer_fd < 0) {
		int err = negative_errno();

		close(maps->grace_inner_fd);
		return err;
	}
	if (bpf_map_lookup_elem(maps->fds.config, &zero, &config) == 0)
		maps->generation = config.gen;
	*out = TAKE_PTR(maps);
	return 0;
}

void policy_maps__free(struct policy_maps *maps)
{
	if (!maps)
		return;
	if (maps->grace_outer_fd >= 0)
		close(maps->grace_outer_fd);
	if (maps->grace_inner_fd >= 0)
		close(maps->grace_inner_fd);
	free(maps);
}

void policy_maps__set_selinux(struct policy_maps *maps, bool enabled)
{
	maps->no_selinux = !enabled;
}

uint32_t policy_maps__generation(const struct policy_maps *maps)
{
	return maps->generation;
}

uint32_t policy_maps__cgroup_capacity(const struct policy_maps *maps)
{
	return maps->cgroup_entries / 2;
}

size_t policy_maps__unstored(const struct policy_maps *maps)
{
	return maps->last_unstored;
}

static bool id_rules_enforce(const struct cg_id_rules *rules)
{
	for (__u32 i = 0; i < rules->count && i < CG_MAX_ID_RULES; i++)
		if (rules->rule[i].mode == CG_MODE_ENFORCE)
			return true;
	return false;
}

bool policy_enforces(const struct policy *policy)
{
	const struct cg_policy *c = &policy->compiled;

	if (id_rules_enforce(&c->setuid) || id_rules_enforce(&c->setgid) ||
	    id_rules_enforce(&c->setgroups))
		return true;
	for (__u32 i = 0; i < c->capset.count && i < CG_MAX_CAP_RULES; i++)
		if (c->capset.rule[i].mode == CG_MODE_ENFORCE)
			return true;
	return (c->exec.rule_index != CG_NO_RULE && c->exec.mode == CG_MODE_ENFORCE) ||
	       (c->userns.rule_index != CG_NO_RULE && c->userns.mode == CG_MODE_ENFORCE);
}

/* The largest key of any generation-keyed map (cg_exec_path_key). */
#define MAX_KEY_SIZE sizeof(struct cg_exec_path_key)

/* Delete every entry of generation @gen: keys are gathered first, then deleted. */
static int delete_generation(int map_fd, size_t key_size, uint32_t gen)
{
	_cleanup_free_ unsigned char *keys = NULL;
	unsigned char key[MAX_KEY_SIZE], next[MAX_KEY_SIZE];
	size_t n = 0, cap = 0;
	void *prev = NULL;
	int err = 0;

	while (bpf_map_get_next_key(map_fd, prev, next) == 0) {
		uint32_t key_gen;

		memcpy(&key_gen, next, sizeof(key_gen)); /* gen is every key's first field */
		if (key_gen == gen) {
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				unsigned char *nkeys = realloc(keys, ncap * key_size);

				if (!nkeys)
					return -ENOMEM;
				keys = nkeys;
				cap = ncap;
			}
			memcpy(keys + n * key_size, next, key_size);
			n++;
		}
		memcpy(key, next, key_size);
		prev = key;
	}
	for (size_t i = 0; i < n; i++)
		if (bpf_map_delete_elem(map_fd, keys + i * key_size) && errno != ENOENT)
			err = negative_errno();
	return err;
}

static void delete_all(struct policy_maps *maps, uint32_t gen)
{
	delete_generation(maps->fds.cgroups, sizeof(struct cg_cgroup_key), gen);
	delete_generation(maps->fds.policies, sizeof(struct cg_policy_key), gen);
	delete_generation(maps->fds.nfa, sizeof(struct cg_nfa_key), gen);
	delete_generation(maps->fds.selectors, sizeof(struct cg_selector_key), gen);
	delete_generation(maps->fds.generations, sizeof(__u32), gen);
	delete_generation(maps->fds.exec_paths, sizeof(struct cg_exec_path_key), gen);
}

static int wait_for_running_programs(struct policy_maps *maps)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(maps->grace_outer_fd, &zero, &maps->grace_inner_fd, BPF_ANY))
		return negative_errno();
	return 0;
}

static int update_config(struct policy_maps *maps, uint32_t gen, uint32_t next_gen)
{
	struct cg_config config;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(maps->fds.config, &zero, &config))
		return negative_errno();
	config.gen = gen;
	config.next_gen = next_gen;
	if (bpf_map_update_elem(maps->fds.config, &zero, &config, BPF_EXIST))
		return negative_errno();
	return 0;
}

/*
 * The fail-closed policy (CG_FAIL_CLOSED_POLICY): every credential change
 * refused. It governs a cgroup whose state could not be stored, so whose
 * policy the kernel cannot know, when the set enforces anything.
 */
static void fail_closed_policy(struct cg_policy *p)
{
	const struct cg_id_rule any = {
		.from_lo = 0,
		.from_hi = UINT32_MAX,
		.to_lo = 0,
		.to_hi = UINT32_MAX,
		.rule_index = 0,
		.action = CG_ACTION_DENY,
		.mode = CG_MODE_ENFORCE,
		.err = EPERM,
	};

	*p = (struct cg_policy){ .policy_id = CG_FAIL_CLOSED_POLICY, .mode = CG_MODE_ENFORCE };
	p->setuid.count = p->setgid.count = p->setgroups.count = 1;
	p->setuid.rule[0] = p->setgid.rule[0] = p->setgroups.rule[0] = any;
	p->capset.count = 1;
	p->capset.rule[0] = (struct cg_cap_rule){
		.caps = UINT64_MAX,
		.sets = CG_CAPSET_PERMITTED | CG_CAPSET_EFFECTIVE | CG_CAPSET_INHERITABLE | CG_CAPSET_AMBIENT,
		.action = CG_ACTION_DENY,
		.mode = CG_MODE_ENFORCE,
		.rule_index = 0,
		.err = EPERM,
	};
	/* No allowed target and no allowed path: every privilege-gaining exec refused. */
	p->exec = (struct cg_exec_rule){ .rule_index = 0, .mode = CG_MODE_ENFORCE };
	p->userns = (struct cg_userns_rule){ .rule_index = CG_NO_RULE };
}

/* The policies, selection tables and exec allow lists of generation @gen. */
static int write_tables(struct policy_maps *maps, const struct policy_set *set, uint32_t gen,
			struct publish_report *report)
{
	const struct policy_selection *sel = set->selection;
	struct cg_generation generation;

	for (size_t i = 0; i < set->count; i++) {
		const struct policy *policy = &set->policies[i];
		struct cg_policy_key key = { .gen = gen, .policy_id = (__u32)i };
		struct cg_policy value = policy->compiled;
		__u8 present = 1;

		value.policy_id = (__u32)i;
		if (bpf_map_update_elem(maps->fds.policies, &key, &value, BPF_NOEXIST))
			return negative_errno();
		for (size_t p = 0; p < policy->nexec_allow_paths; p++) {
			struct cg_exec_path_key pkey = { .gen = gen, .policy_id = (__u32)i };

			/* The kernel hashes all CG_PATH_LEN bytes: NUL padding matters. */
			strncpy(pkey.path, policy->exec_allow_paths[p], sizeof(pkey.path) - 1);
			if (bpf_map_update_elem(maps->fds.exec_paths, &pkey, &present, BPF_ANY))
				return negative_errno();
		}
		report->policies++;
		if (policy_enforces(policy))
			report->enforcing++;
	}
	for (__u32 s = 0; s < sel->generation.nstates; s++) {
		struct cg_nfa_key key = { .gen = gen, .state = s };

		if (bpf_map_update_elem(maps->fds.nfa, &key, &sel->states[s], BPF_NOEXIST))
			return negative_errno();
	}
	for (__u32 s = 0; s < sel->generation.nselectors; s++) {
		struct cg_selector_key key = { .gen = gen, .index = s };

		if (bpf_map_update_elem(maps->fds.selectors, &key, &sel->selectors[s], BPF_NOEXIST))
			return negative_errno();
	}
	if (report->enforcing) {
		struct cg_policy_key key = { .gen = gen, .policy_id = CG_FAIL_CLOSED_POLICY };
		struct cg_policy value;

		fail_closed_policy(&value);
		if (bpf_map_update_elem(maps->fds.policies, &key, &value, BPF_NOEXIST))
			return negative_errno();
	}
	generation = sel->generation;
	if (maps->no_selinux)
		generation.flags |= CG_GENERATION_NO_SELINUX;
	if (bpf_map_update_elem(maps->fds.generations, &gen, &generation, BPF_NOEXIST))
		return negative_errno();
	return 0;
}

/* A cgroup found by the walk, waiting for its children to be listed. */
struct walk_node {
	char *path; /* relative to the cgroup2 root: "" for the root */
	struct cg_cgroup_state state;
};

struct walk {
	struct policy_maps *maps;
	const struct policy_set *set;
	const struct cgroup_fs *fs;
	uint32_t gen;
	struct publish_report *report;
	/* Into report->diags; its file is set to the policy each problem is about. */
	struct diag_reporter problems;
	struct walk_node *queue;
	size_t head, tail, cap;
	bool *selector_used; /* [nselectors]: held somewhere on this host */
	size_t unstored;     /* cgroups whose state the map would not take */
	int unstored_error;  /* the first error that refused one */
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
	w->problems.file = b->file;
	diag_error(&w->problems, b->line, b->column,
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
	if (bpf_map_update_elem(w->maps->fds.cgroups, &key, state, BPF_ANY)) {
		if (errno != E2BIG && errno != ENOMEM)
			return negative_errno();
		if (!w->unstored_error)
			w->unstored_error = errno;
		w->unstored++;
		return 0;
	}
	if (fstatat(root, path[0] ? path : ".", &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT) {
		bpf_map_delete_elem(w->maps->fds.cgroups, &key);
		return 0;
	}
	w->report->cgroups++;
	if (state->policy_id != CG_NO_POLICY)
		w->report->governed++;
	note_selectors(w, state);
	return 1;
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
		r = w->unstored ? -w->unstored_error : -ENOENT; /* the root: always there, and needed */
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
		w->problems.file = policy->file;
		diag_report(&w->problems, POLICY_DIAG_WARNING, s->line, s->column,
			    "policy '%s': selector (%s) matches no cgroup now; it will govern matching cgroups from their creation",
			    policy->name, s->text);
	}
}

int policy_maps__publish(struct policy_maps *maps, const struct policy_set *set,
			 const struct cgroup_fs *fs, struct publish_report *report)
{
	uint32_t old_gen = maps->generation, gen = old_gen + 1;
	struct walk w = { .maps = maps, .set = set, .fs = fs, .report = report };
	int r;

	*report = (struct publish_report){ .diags.limit = PUBLISH_MAX_PROBLEMS };
	w.problems.diags = &report->diags;
	if (set->count > CG_MAX_POLICIES)
		return -E2BIG;
	if (gen == 0)
		gen = 1; /* 0 means "never published" */
	w.gen = gen;
	w.selector_used = calloc(set->selection->generation.nselectors + 1, sizeof(bool));
	if (!w.selector_used)
		return -ENOMEM;
	/* Leftovers of an earlier failed attempt at this generation. */
	delete_all(maps, gen);

	r = write_tables(maps, set, gen, report);
	if (r < 0)
		goto discard;
	/* From here on, cgroups created meanwhile get a state in @gen too. */
	r = update_config(maps, old_gen, gen);
	if (r < 0)
		goto discard;
	r = write_cgroup_states(&w);
	if (r == 0 && w.problems.errors) /* kept or dropped */
		r = -EINVAL;
	if (r < 0)
		goto discard;
	warn_unused_selectors(&w);
	w.problems.file = NULL; /* about the host, not a policy file */
	if (w.unstored)
		diag_report(&w.problems, POLICY_DIAG_WARNING, 0, 0,
			    "%zu cgroups have no state (%s: the cgroup map is full; it holds %u cgroups per policy generation, cgroupMapSize); %s",
			    w.unstored, strerror(w.unstored_error), policy_maps__cgroup_capacity(maps),
			    report->enforcing ? "their credential changes are refused (policy " POLICY_FAIL_CLOSED_NAME ")"
					      : "they are governed as their nearest ancestor with a state");
	else if (report->cgroups > policy_maps__cgroup_capacity(maps))
		/*
		 * Stored, but only because the previous generation left room: the
		 * map holds two, and a reload writes the new one beside the old.
		 */
		diag_report(&w.problems, POLICY_DIAG_WARNING, 0, 0,
			    "%zu cgroups have a state, more than the %u per policy generation the cgroup map is sized for (cgroupMapSize): a reload may leave some without one",
			    report->cgroups, policy_maps__cgroup_capacity(maps));
	report->unstored = w.unstored;

	r = update_config(maps, gen, 0);
	if (r < 0)
		goto discard;
	maps->generation = gen;
	maps->last_unstored = w.unstored;
	report->generation = gen;
	free(w.selector_used);
	free(w.queue);

	r = wait_for_running_programs(maps);
	if (r < 0)
		return r; /* the new generation is in force; the old one lingers */
	if (old_gen)
		delete_all(maps, old_gen);
	return 0;
discard:
	update_config(maps, old_gen, 0);
	/* A cgroup_mkdir program may still be writing into @gen: let it finish. */
	wait_for_running_programs(maps);
	free(w.selector_used);
	free(w.queue);
	delete_all(maps, gen);
	return r;
}

int policy_maps__count_governed(const struct policy_maps *maps, size_t *governed)
{
	struct cg_cgroup_key key, next;
	struct cg_cgroup_state state;
	const void *prev = NULL;
	size_t n = 0, seen = 0;

	for (;;) {
		if (bpf_map_get_next_key(maps->fds.cgroups, prev, &next) < 0) {
			if (errno != ENOENT)
				return negative_errno();
			break;
		}
		/* A hash map's keys can come round again under concurrent updates. */
		if (++seen > (size_t)maps->cgroup_entries)
			break;
		if (next.gen == maps->generation &&
		    bpf_map_lookup_elem(maps->fds.cgroups, &next, &state) == 0 && state.policy_id != CG_NO_POLICY)
			n++;
		key = next;
		prev = &key;
	}
	*governed = n;
	return 0;
}
