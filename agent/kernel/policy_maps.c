// SPDX-License-Identifier: LGPL-2.1-or-later
#include "policy_maps.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "cgroup_states.h"
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
	struct container_resolver resolver; /* .resolve NULL: none */
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
	/* Only an agent that binds them may ask to be told of new containers. */
	if (maps->resolver.resolve && policy_set_has_identity_selectors(set))
		generation.flags |= CG_GENERATION_IDENTITY;
	if (bpf_map_update_elem(maps->fds.generations, &gen, &generation, BPF_NOEXIST))
		return negative_errno();
	return 0;
}

void policy_maps__set_container_resolver(struct policy_maps *maps, const struct container_resolver *resolver)
{
	maps->resolver = *resolver;
}

int policy_maps__bind_container(struct policy_maps *maps, const struct policy_set *set, const struct cgroup_fs *fs,
				const char *path, const struct container_facts *facts, struct cg_cgroup_state *out,
				struct policy_tie *tie)
{
	if (!maps->generation)
		return -ENOENT; /* nothing published yet */
	return cgroup_state_bind_container(maps->fds.cgroups, set, fs, maps->generation, path, facts, out, tie);
}

int policy_maps__publish(struct policy_maps *maps, const struct policy_set *set,
			 const struct cgroup_fs *fs, struct publish_report *report)
{
	uint32_t old_gen = maps->generation, gen = old_gen + 1;
	struct diag_reporter problems = { .diags = &report->diags };
	struct cgroup_states states;
	int r;

	*report = (struct publish_report){ .diags.limit = PUBLISH_MAX_PROBLEMS };
	if (set->count > CG_MAX_POLICIES)
		return -E2BIG;
	if (gen == 0)
		gen = 1; /* 0 means "never published" */
	/* Leftovers of an earlier failed attempt at this generation. */
	delete_all(maps, gen);

	r = write_tables(maps, set, gen, report);
	if (r < 0)
		goto discard;
	/* From here on, cgroups created meanwhile get a state in @gen too. */
	r = update_config(maps, old_gen, gen);
	if (r < 0)
		goto discard;
	r = cgroup_states_write(maps->fds.cgroups, set, fs, gen, &maps->resolver, &problems, &states);
	report->cgroups = states.cgroups;
	report->governed = states.governed;
	if (r == 0 && problems.errors) /* kept or dropped */
		r = -EINVAL;
	if (r < 0)
		goto discard;
	problems.file = NULL; /* about the host, not a policy file */
	if (states.unstored)
		diag_report(&problems, POLICY_DIAG_WARNING, 0, 0,
			    "%zu cgroups have no state (%s: the cgroup map is full; it holds %u cgroups per policy generation, cgroupMapSize); %s",
			    states.unstored, strerror(states.unstored_error), policy_maps__cgroup_capacity(maps),
			    report->enforcing ? "their credential changes are refused (policy " POLICY_FAIL_CLOSED_NAME ")"
					      : "they are governed as their nearest ancestor with a state");
	else if (report->cgroups > policy_maps__cgroup_capacity(maps))
		/*
		 * Stored, but only because the previous generation left room: the
		 * map holds two, and a reload writes the new one beside the old.
		 */
		diag_report(&problems, POLICY_DIAG_WARNING, 0, 0,
			    "%zu cgroups have a state, more than the %u per policy generation the cgroup map is sized for (cgroupMapSize): a reload may leave some without one",
			    report->cgroups, policy_maps__cgroup_capacity(maps));
	report->unstored = states.unstored;

	r = update_config(maps, gen, 0);
	if (r < 0)
		goto discard;
	maps->generation = gen;
	maps->last_unstored = states.unstored;
	report->generation = gen;

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
