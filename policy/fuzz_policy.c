/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer entry: any bytes through the policy parser (CredentialPolicy,
 * TracingPolicy, by kind), into a set that already holds one policy (so
 * duplicate names, the set-wide selection and all-or-nothing are
 * exercised); the resulting selection through the matcher; identity
 * selectors against fixed facts and against the input itself as a
 * container's name, image and label; and the same bytes through the
 * agent's settings-file parser.
 *
 * Names resolve through $CREDGATE_FUZZ_PASSWD / $CREDGATE_FUZZ_GROUP when
 * set (the ctest entry points them at the unit tests' files), otherwise
 * through /etc/passwd and /etc/group.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "settings.h"
#include "identity.h"
#include "policy.h"

static const char seed_policy[] = "apiVersion: credgate.io/v1\n"
				  "kind: CredentialPolicy\n"
				  "metadata: {name: seed}\n"
				  "spec: {selector: [{cgroup: /}, {host: true}]}\n";

/* Paths that exercise every kind of pattern the selectors compile to. */
static const char *const probe_paths[] = {
	"/",
	"/system.slice/nginx.service",
	"/system.slice/docker-4f2a1b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8.scope",
	("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f3c1d52_7f6e_4a8b_9c3d_2e1f0a9b8c7d.slice/"
	 "cri-containerd-4f2a1b3c4d5e.scope"),
	"/kubepods/besteffort/pod0f3c1d52-7f6e-4a8b-9c3d-2e1f0a9b8c7d/4f2a1b3c4d5e",
	"/machine.slice/libpod-4f2a1b3c4d5e.scope/container",
	"/a/b/c/d/e/f/g",
};

static const struct container_label probe_labels[] = { { "app", "web" }, { "tier", "frontend" } };

static const struct container_facts probe_facts = {
	.runtime = "docker",
	.name = "/web",
	.image = "docker.io/library/nginx:1.25",
	.pod_namespace = "prod",
	.labels = probe_labels,
	.nlabels = 2,
};

/* The invariants of policy_set_match_identity() for @facts. */
static void check_identity(const struct policy_set *set, const struct container_facts *facts)
{
	struct identity_match m;

	if (!policy_set_match_identity(set, facts, &m))
		return;
	if (m.policy_id >= set->count || m.selector >= set->policies[m.policy_id].nselectors ||
	    !policy_identity_present(&set->policies[m.policy_id].selectors[m.selector].identity) ||
	    m.priority != set->policies[m.policy_id].priority || !policy_set_has_identity_selectors(set) ||
	    policy_set_identity_mode(set) == CG_MODE_NONE || (m.tie && m.tied_with <= m.policy_id))
		__builtin_trap();
}

/* The input's first bytes as a container's name, image and label value. */
static void check_identity_input(const struct policy_set *set, const uint8_t *data, size_t size)
{
	char text[512];
	struct container_label label[2] = { { "app", text }, { "tier", text } };
	struct container_facts facts = { .name = text, .image = text, .pod_namespace = text, .labels = label, .nlabels = 2 };
	size_t n = size < sizeof(text) - 1 ? size : sizeof(text) - 1;

	memcpy(text, data, n);
	text[n] = '\0';
	check_identity(set, &facts);
}

/* A cgroup's winner by path is never an identity selector: those hold only where the agent binds them. */
static void check_not_identity(const struct policy_set *set, const struct cg_winner *winner)
{
	const struct policy_selection *selection = set->selection;
	const struct policy_selector_origin *origin;

	if (winner->policy_id == CG_NO_POLICY)
		return;
	if (winner->selector >= selection->generation.nselectors)
		__builtin_trap();
	origin = &selection->origins[winner->selector];
	if (origin->policy_id >= set->count || origin->selector >= set->policies[origin->policy_id].nselectors ||
	    policy_identity_present(&set->policies[origin->policy_id].selectors[origin->selector].identity))
		__builtin_trap();
}

static void check_diags(const struct policy_diags *diags)
{
	char line[512];

	for (size_t i = 0; i < diags->count; i++) {
		policy_diag_format(&diags->items[i], line, sizeof(line));
		if (strchr(line, '\n'))
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_diags diags = {};
	struct policy_set *set = policy_set__new();
	struct agent_options opts = {};

	if (!set)
		return 0;
	if (policy_set__set_name_files(set, getenv("CREDGATE_FUZZ_PASSWD"), getenv("CREDGATE_FUZZ_GROUP")) != 0)
		__builtin_trap();
	if (policy_set__parse(set, "seed.yaml", seed_policy, strlen(seed_policy), &diags) != 0)
		__builtin_trap();
	if (policy_set__parse(set, "fuzz.yaml", (const char *)data, size, &diags) != 0 && set->count != 1)
		__builtin_trap(); /* a failed parse must leave the set as it was */
	if (set->selection->generation.nselectors < set->count || set->selection->generation.nstates > CG_MAX_NFA_STATES)
		__builtin_trap();
	for (size_t i = 0; i < sizeof(probe_paths) / sizeof(probe_paths[0]); i++) {
		struct cg_cgroup_state state;
		struct policy_tie tie;

		if (policy_selection_match_path(set->selection, probe_paths[i], &state, &tie) != 0)
			__builtin_trap();
		if (state.policy_id != CG_NO_POLICY && state.policy_id >= set->count)
			__builtin_trap();
		if (tie.tied != !!(state.flags & CG_CGROUP_AMBIGUOUS) && i == 0)
			__builtin_trap();
		check_not_identity(set, &state.plain);
		check_not_identity(set, &state.host);
	}
	check_identity(set, &probe_facts);
	check_identity_input(set, data, size);
	if (policy_set_has_identity_selectors(set) != (policy_set_identity_mode(set) != CG_MODE_NONE))
		__builtin_trap();
	check_diags(&diags);
	policy_diags_clear(&diags);
	policy_set__free(set);

	/* The agent's settings file: whatever happens, what it frees is all it took. */
	settings_parse("fuzz.yaml", (const char *)data, size, &opts, &diags);
	check_diags(&diags);
	settings_free(&opts);
	policy_diags_clear(&diags);
	return 0;
}
