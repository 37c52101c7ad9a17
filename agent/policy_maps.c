// SPDX-License-Identifier: LGPL-2.1-or-later
#include "policy_maps.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "macro.h"

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
};

int policy_maps__new(struct policy_maps **out, const struct bpf_loader *loader)
{
	_cleanup_free_ struct policy_maps *maps = calloc(1, sizeof(*maps));
	LIBBPF_OPTS(bpf_map_create_opts, outer_opts);
	struct cg_config config;
	__u32 zero = 0;

	if (!maps)
		return -ENOMEM;
	bpf_loader__maps(loader, &maps->fds);
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

uint32_t policy_maps__generation(const struct policy_maps *maps)
{
	return maps->generation;
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
	return false;
}

static void add_problem(struct publish_report *report, const struct policy *policy,
			const struct policy_selector *selector, int error, bool fatal, const char *fmt,
			...) __attribute__((format(printf, 6, 7)));

static void add_problem(struct publish_report *report, const struct policy *policy,
			const struct policy_selector *selector, int error, bool fatal, const char *fmt, ...)
{
	struct binding_problem *p;
	va_list ap;

	if (report->nproblems >= ARRAY_SIZE(report->problems)) {
		report->problems_dropped++;
		return;
	}
	p = &report->problems[report->nproblems++];
	p->policy = policy;
	p->selector = selector;
	p->error = error;
	p->fatal = fatal;
	va_start(ap, fmt);
	vsnprintf(p->message, sizeof(p->message), fmt, ap);
	va_end(ap);
}

static bool report_has_fatal(const struct publish_report *report)
{
	for (size_t i = 0; i < report->nproblems; i++)
		if (report->problems[i].fatal)
			return true;
	return false;
}

/* Delete every entry of generation @gen; keys are gathered first, then deleted. */
static int delete_generation(int map_fd, size_t key_size, uint32_t gen)
{
	_cleanup_free_ unsigned char *keys = NULL;
	unsigned char key[64], next[64];
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

static int wait_for_running_programs(struct policy_maps *maps)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(maps->grace_outer_fd, &zero, &maps->grace_inner_fd, BPF_ANY))
		return negative_errno();
	return 0;
}

static int write_policies(struct policy_maps *maps, const struct policy_set *set, uint32_t gen,
			  const struct cgroup_fs *fs, struct publish_report *report)
{
	for (size_t i = 0; i < set->count; i++) {
		const struct policy *policy = &set->policies[i];
		struct cg_policy_key key = { .gen = gen, .policy_id = (__u32)i };
		struct cg_policy value = policy->compiled;

		value.policy_id = (__u32)i;
		if (bpf_map_update_elem(maps->fds.policies, &key, &value, BPF_NOEXIST))
			return negative_errno();
		report->policies++;
		if (policy_enforces(policy))
			report->enforcing++;

		for (size_t s = 0; s < policy->nselectors; s++) {
			const struct policy_selector *sel = &policy->selectors[s];
			struct cg_binding_key bkey = { .gen = gen };
			struct cg_binding binding = { .policy_id = (__u32)i };
			struct cg_binding existing;
			uint64_t cgroup_id;
			unsigned depth;
			int r;

			r = cgroup_fs__resolve_path(fs, sel->cgroup, &cgroup_id, &depth);
			bkey.cgroup_id = cgroup_id;
			if (r == -ENOENT) {
				add_problem(report, policy, sel, r, false,
					    "cgroup %s does not exist (yet); it is not governed until it exists and the policy is reloaded",
					    sel->cgroup);
				continue;
			}
			if (r < 0) {
				add_problem(report, policy, sel, r, true, "cannot resolve cgroup %s: %s",
					    sel->cgroup, strerror(-r));
				continue;
			}
			if (depth >= CG_MAX_CGROUP_DEPTH) {
				add_problem(report, policy, sel, -E2BIG, true,
					    "cgroup %s is %u levels deep; the limit is %d", sel->cgroup,
					    depth, CG_MAX_CGROUP_DEPTH - 1);
				continue;
			}
			if (bpf_map_lookup_elem(maps->fds.bindings, &bkey, &existing) == 0) {
				if (existing.policy_id == binding.policy_id)
					continue;
				add_problem(report, policy, sel, -EEXIST, true,
					    "cgroup %s is also selected by policy '%s' (%s:%u)", sel->cgroup,
					    set->policies[existing.policy_id].name,
					    set->policies[existing.policy_id].file,
					    set->policies[existing.policy_id].line);
				continue;
			}
			if (bpf_map_update_elem(maps->fds.bindings, &bkey, &binding, BPF_NOEXIST))
				return negative_errno();
			report->bindings++;
		}
	}
	return 0;
}

int policy_maps__publish(struct policy_maps *maps, const struct policy_set *set,
			 const struct cgroup_fs *fs, struct publish_report *report)
{
	uint32_t old_gen = maps->generation, gen = old_gen + 1;
	struct cg_config config;
	__u32 zero = 0;
	int r;

	memset(report, 0, sizeof(*report));
	if (set->count > CG_MAX_POLICIES)
		return -E2BIG;
	if (gen == 0)
		gen = 1; /* 0 means "never published" */
	/* Leftovers of an earlier failed attempt at this generation. */
	delete_generation(maps->fds.policies, sizeof(struct cg_policy_key), gen);
	delete_generation(maps->fds.bindings, sizeof(struct cg_binding_key), gen);

	r = write_policies(maps, set, gen, fs, report);
	if (r == 0 && report_has_fatal(report))
		r = -EINVAL;
	if (r < 0)
		goto discard;

	if (bpf_map_lookup_elem(maps->fds.config, &zero, &config)) {
		r = negative_errno();
		goto discard;
	}
	config.gen = gen;
	if (bpf_map_update_elem(maps->fds.config, &zero, &config, BPF_EXIST)) {
		r = negative_errno();
		goto discard;
	}
	maps->generation = gen;
	report->generation = gen;

	r = wait_for_running_programs(maps);
	if (r < 0)
		return r; /* the new generation is in force; the old one lingers */
	if (old_gen) {
		delete_generation(maps->fds.policies, sizeof(struct cg_policy_key), old_gen);
		delete_generation(maps->fds.bindings, sizeof(struct cg_binding_key), old_gen);
	}
	return 0;
discard:
	delete_generation(maps->fds.policies, sizeof(struct cg_policy_key), gen);
	delete_generation(maps->fds.bindings, sizeof(struct cg_binding_key), gen);
	return r;
}
