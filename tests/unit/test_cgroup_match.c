/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of cgroup selection in policy/: selectors compiled into the
 * NFA tables of credgate.h, and the user-space matcher (the kernel's
 * cgroup_mkdir program runs the same algorithm) over realistic cgroup
 * trees: docker (systemd and cgroupfs drivers), containerd (CRI), CRI-O,
 * podman, and kubelet with both drivers and every QoS class.
 *
 * Over 600 lines on purpose: most of it is the cgroup trees themselves,
 * written out path by path as each runtime makes them.
 */

#include "test_policy_common.c"
#include "policy/selection.h"

#define ID64 "4f2a1b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8"
#define POD_UID "0f3c1d52-7f6e-4a8b-9c3d-2e1f0a9b8c7d"
#define POD_UID_ "0f3c1d52_7f6e_4a8b_9c3d_2e1f0a9b8c7d"

static struct policy_set *load_policies(const char *const *documents, size_t count)
{
	return load_documents("sel.yaml", documents, count);
}

/* The name of the policy governing @path, or "-"; *@flags gets the state's flags. */
static const char *governing(const struct policy_set *set, const char *path, unsigned *flags)
{
	struct cg_cgroup_state state;

	assert_int_equal(policy_selection_match_path(set->selection, path, &state, NULL), 0);
	if (flags)
		*flags = state.flags;
	if (state.policy_id == CG_NO_POLICY)
		return "-";
	assert_true(state.policy_id < set->count);
	return set->policies[state.policy_id].name;
}

struct expectation {
	const char *path;
	const char *policy;
};

static void check_paths(const struct policy_set *set, const struct expectation *cases, size_t count)
{
	unsigned failed = 0;

	for (size_t i = 0; i < count; i++) {
		unsigned flags;
		const char *got = governing(set, cases[i].path, &flags);

		/* Sealed is expected at and below containers; a tie never. */
		if (strcmp(got, cases[i].policy) != 0 || (flags & CG_CGROUP_AMBIGUOUS)) {
			print_error("%s: expected %s, got %s (flags %u)\n", cases[i].path, cases[i].policy, got, flags);
			failed++;
		}
	}
	assert_int_equal(failed, 0);
}

/* ---- Layout --------------------------------------------------------------- */

static void test_layout(void **state)
{
	static const char *const documents[] = {
		"a", "  selector:\n    - cgroup: /system.slice/d?cker-*.scope\n    - {cgroup: /**, host: true}\n",
		"b", "  priority: -3\n  selector: {systemdUnit: nginx, cgroup: /system.slice/**/**}\n",
	};
	struct policy_set *set = load_policies(documents, 4);
	const struct policy_selection *sel = set->selection;
	const struct cg_generation *gen = &sel->generation;

	/* Predicates in order of first use; the container predicate just
	 * before the first host selector's own (it has none here). */
	assert_int_equal(sel->npredicates, 5);
	assert_string_equal(sel->predicates[0].description, "cgroup /system.slice/d?cker-*.scope");
	assert_string_equal(sel->predicates[1].description, "inside a container");
	assert_string_equal(sel->predicates[2].description, "systemdUnit nginx.service");
	assert_string_equal(sel->predicates[3].description, "cgroup /system.slice/**/**");
	assert_int_equal(gen->container_predicate, 1);
	assert_int_equal(sel->predicates[0].first_state, 0);
	assert_int_equal(sel->predicates[0].nstates, 3);
	assert_int_equal(sel->predicates[1].first_state, 3);
	assert_int_equal(sel->predicates[1].nstates, 13);
	/* Last, after every policy's own: a container's cgroup, the seal. */
	assert_string_equal(sel->predicates[4].description, "a container's cgroup");
	assert_int_equal(gen->seal_predicate, 4);
	assert_int_equal(sel->predicates[4].first_state, 3 + 13 + 3 + 2);
	assert_int_equal(sel->predicates[4].nstates, 20);
	assert_int_equal(gen->nstates, 3 + 13 + 3 + 2 + 20);

	/* Pattern 0: literal, glob with its star, end. */
	assert_int_equal(sel->states[0].kind, CG_MATCH_LITERAL);
	assert_int_equal(sel->states[0].star, 0xff);
	assert_int_equal(sel->states[0].len, 12);
	assert_string_equal(sel->states[0].pattern, "system.slice");
	assert_int_equal(sel->states[1].kind, CG_MATCH_GLOB);
	assert_int_equal(sel->states[1].star, 7);
	assert_string_equal(sel->states[1].pattern, "d?cker-*.scope");
	assert_int_equal(sel->states[2].kind, CG_MATCH_END);
	assert_int_equal(sel->states[2].predicate, 0);
	/* "?" alone makes a glob, without a star. */
	/* The unit: "**", literal, end. */
	assert_int_equal(sel->states[16].kind, CG_MATCH_ANY_SEQ);
	assert_int_equal(sel->states[17].kind, CG_MATCH_LITERAL);
	assert_string_equal(sel->states[17].pattern, "nginx.service");
	assert_int_equal(sel->states[18].predicate, 2);
	/* Trailing "**" dropped: /system.slice is one literal. */
	assert_int_equal(sel->states[19].kind, CG_MATCH_LITERAL);
	assert_int_equal(sel->states[20].kind, CG_MATCH_END);
	assert_int_equal(sel->states[20].predicate, 3);
	/* The container predicate is anchored at the root: no "**" (issue 11). */
	assert_string_equal(sel->states[3].pattern, "system.slice");
	assert_int_equal(sel->states[4].kind, CG_MATCH_GLOB);
	assert_string_equal(sel->states[4].pattern, "docker-*.scope");

	/* root_active: every pattern's first state, and past a leading "**". */
	assert_true(gen->root_active[0] & (1ull << 0));
	assert_false(gen->root_active[0] & (1ull << 1));
	assert_true(gen->root_active[0] & (1ull << 3));
	assert_false(gen->root_active[0] & (1ull << 4));
	assert_true(gen->root_active[0] & (1ull << 16));
	assert_true(gen->root_active[0] & (1ull << 17));
	assert_true(gen->root_active[0] & (1ull << 19));
	assert_false(gen->root_active[0] & (1ull << 20));

	/* Selectors: one per written selector, with the policy's priority. */
	assert_int_equal(gen->nselectors, 3);
	assert_int_equal(sel->selectors[0].require[0], 1ull << 0);
	assert_int_equal(sel->selectors[0].flags, 0);
	assert_int_equal(sel->selectors[1].require[0], 0); /* the root and below: always holds */
	assert_int_equal(sel->selectors[1].flags, CG_SELECTOR_HOST);
	assert_int_equal(sel->selectors[2].require[0], (1ull << 2) | (1ull << 3));
	assert_int_equal(sel->selectors[2].policy_id, 1);
	assert_int_equal(sel->selectors[2].priority, -3);
	assert_int_equal(sel->origins[2].policy_id, 1);
	assert_int_equal(sel->origins[2].selector, 0);
	assert_int_equal(set->policies[0].selectors[1].index, 1);
	assert_int_equal(set->policies[1].selectors[0].index, 2);
	policy_set__free(set);
}

/* Equal predicates are one, whoever writes them and however. */
static void test_shared_predicates(void **state)
{
	static const char *const documents[] = {
		"a", "  selector: [{cgroup: /kubepods.slice/**}, {systemdUnit: nginx.service}, {container: " ID64 "}]\n",
		"b", "  selector: [{cgroup: //kubepods.slice/}, {cgroup: /**/nginx.service}, {container: " ID64 "}]\n",
	};
	struct policy_set *set = load_policies(documents, 4);

	assert_int_equal(set->selection->npredicates, 3 + 1); /* and the seal */
	assert_string_equal(set->selection->predicates[0].description, "cgroup /kubepods.slice/**");
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(set->selection->selectors[i].require[0], set->selection->selectors[3 + i].require[0]);
	policy_set__free(set);
}

/* ---- Container runtimes ------------------------------------------------------- */

static void test_container_runtimes(void **state)
{
	static const char *const documents[] = {
		"prefix", "  selector: {container: 4f2a1b3c4d5e}\n",
		"full", "  selector: {container: " ID64 "}\n  priority: 1\n",
	};
	static const struct expectation cases[] = {
		/* docker, systemd driver and cgroupfs driver */
		{ "/system.slice/docker-" ID64 ".scope", "full" },
		{ "/docker/" ID64, "full" },
		/* containerd's CRI plugin, systemd driver */
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_UID_
		  ".slice/cri-containerd-" ID64 ".scope",
		  "full" },
		/* containerd, cgroupfs driver: the bare id */
		{ "/kubepods/besteffort/pod" POD_UID "/" ID64, "full" },
		/* CRI-O, systemd driver and cgroupfs driver */
		{ "/kubepods.slice/kubepods-pod" POD_UID_ ".slice/crio-" ID64 ".scope", "full" },
		{ "/kubepods/pod" POD_UID "/crio-" ID64, "full" },
		/* podman, systemd (with its cgroupns child) and cgroupfs */
		{ "/machine.slice/libpod-" ID64 ".scope", "full" },
		{ "/machine.slice/libpod-" ID64 ".scope/container", "full" },
		{ "/libpod_parent/libpod-" ID64, "full" },
		/* The prefix matches a different container with that prefix. */
		{ "/system.slice/docker-4f2a1b3c4d5e0000000000000000000000000000000000000000000000000000.scope", "prefix" },
		/* Not containers, or other ones. */
		{ "/system.slice/docker-4f2a1b3c4d5f" "0000000000000000000000000000000000000000000000000000.scope", "-" },
		{ "/kubepods.slice/kubepods-pod" POD_UID_ ".slice/crio-conmon-" ID64 ".scope", "-" },
		{ "/machine.slice/libpod-conmon-" ID64 ".scope", "-" },
		{ "/system.slice/docker-" ID64 ".service", "-" },
		{ "/system.slice/docker.service", "-" },
		{ "/", "-" },
	};
	struct policy_set *set = load_policies(documents, 4);

	check_paths(set, cases, sizeof(cases) / sizeof(cases[0]));
	policy_set__free(set);
}

/* ---- Kubernetes: pods and QoS classes, both cgroup drivers ---------------------- */

static void test_kubernetes(void **state)
{
	static const char *const documents[] = {
		"guaranteed", "  selector: {qos: guaranteed}\n",
		"burstable", "  selector: {qos: burstable}\n",
		"besteffort", "  selector: {qos: besteffort}\n",
		/* A guaranteed pod's cgroup is where qos: guaranteed starts to
		 * hold too: the same depth, so a priority decides. */
		"the-pod", "  selector: {pod: " POD_UID "}\n  priority: 1\n",
	};
	static const struct expectation cases[] = {
		/* systemd driver */
		{ "/kubepods.slice", "-" },
		{ "/kubepods.slice/kubepods-pod1111.slice", "guaranteed" },
		{ "/kubepods.slice/kubepods-pod1111.slice/cri-containerd-" ID64 ".scope", "guaranteed" },
		{ "/kubepods.slice/kubepods-burstable.slice", "burstable" },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod2222.slice", "burstable" },
		{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod3333.slice/x", "besteffort" },
		{ "/kubepods.slice/kubepods-pod" POD_UID_ ".slice", "the-pod" },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" POD_UID_ ".slice", "the-pod" },
		{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" POD_UID_ ".slice/crio-" ID64 ".scope",
		  "the-pod" },
		/* cgroupfs driver */
		{ "/kubepods", "-" },
		{ "/kubepods/pod1111", "guaranteed" },
		{ "/kubepods/pod1111/" ID64, "guaranteed" },
		{ "/kubepods/burstable", "burstable" },
		{ "/kubepods/burstable/pod2222/" ID64, "burstable" },
		{ "/kubepods/besteffort/pod3333", "besteffort" },
		{ "/kubepods/burstable/pod" POD_UID, "the-pod" },
		{ "/kubepods/pod" POD_UID "/" ID64, "the-pod" },
		/*
		 * kind and other nested setups: kubepods inside a container. The
		 * container's root named those cgroups, so they confer nothing:
		 * governed as the container (no policy here). This used to select
		 * "burstable": a container naming its children chose its policy
		 * (issue 11).
		 */
		{ "/system.slice/docker-" ID64 ".scope/kubelet.slice/kubepods.slice/kubepods-burstable.slice", "-" },
		/* near misses */
		{ "/kubepods.slice/kubepods-burstablex.slice", "-" },
		{ "/kubepods/guaranteed", "-" },
		{ "/system.slice/pod1111", "-" },
	};
	struct policy_set *set = load_policies(documents, 8);

	check_paths(set, cases, sizeof(cases) / sizeof(cases[0]));
	policy_set__free(set);
}

/* ---- AND, OR, nearest, priority ------------------------------------------------- */

static void test_and_or_nearest(void **state)
{
	static const char *const documents[] = {
		"everything", "  selector: {cgroup: /}\n",
		"system", "  selector: [{cgroup: /system.slice}, {systemdUnit: cron}]\n",
		"burst-containerd",
		"  selector: {cgroup: /kubepods.slice/**/cri-containerd-*.scope, qos: burstable}\n",
		"web", "  selector: {cgroup: /system.slice/web.service/**}\n",
		"glob", "  selector: {cgroup: /a/**/c?/d*}\n",
	};
	static const struct expectation cases[] = {
		{ "/", "everything" },
		{ "/user.slice/user-1000.slice", "everything" },
		/* OR: either selector of "system" */
		{ "/system.slice", "system" },
		{ "/user.slice/cron.service", "system" },
		/* nearest: deeper selectors win, inherited below */
		{ "/system.slice/web.service", "web" },
		{ "/system.slice/web.service/worker/1", "web" },
		{ "/system.slice/other.service", "system" },
		/* AND: both keys must hold; it starts to hold where the last one does */
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podx.slice/cri-containerd-" ID64 ".scope",
		  "burst-containerd" },
		{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podx.slice/cri-containerd-" ID64 ".scope",
		  "everything" },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podx.slice/crio-" ID64 ".scope",
		  "everything" },
		/* "**" in the middle: zero or more components */
		{ "/a/c1/d", "glob" },
		{ "/a/b/c2/dx", "glob" },
		{ "/a/b/b2/c3/d/e", "glob" },
		{ "/a/c12/d", "everything" },
		{ "/x/a/c1/d", "everything" },
	};
	struct policy_set *set = load_policies(documents, 10);
	struct cg_cgroup_state cg;

	check_paths(set, cases, sizeof(cases) / sizeof(cases[0]));
	/* The winner is the selector that started to hold nearest. */
	assert_int_equal(policy_selection_match_path(set->selection, "/system.slice/web.service/worker", &cg, NULL), 0);
	assert_int_equal(cg.depth, 3);
	assert_int_equal(cg.plain.depth, 2);
	assert_int_equal(cg.plain.selector, set->policies[3].selectors[0].index);
	policy_set__free(set);
}

static void test_priority_and_ties(void **state)
{
	static const char *const documents[] = {
		"low", "  selector: {cgroup: /system.slice}\n",
		"high", "  selector: {cgroup: /system.slice}\n  priority: 5\n",
		"tie-a", "  selector: {cgroup: /srv}\n",
		"tie-b", "  selector: [{cgroup: /srv}, {cgroup: /opt}]\n",
		"deeper", "  selector: {cgroup: /srv/app}\n  priority: -1000\n",
	};
	struct policy_set *set = load_policies(documents, 10);
	struct cg_cgroup_state cg;
	struct policy_tie tie;
	unsigned flags;

	/* Higher priority at the same depth wins, without a tie. */
	assert_string_equal(governing(set, "/system.slice/x", &flags), "high");
	assert_int_equal(flags, 0);

	/* Same depth, same priority, different policies: the lower id governs,
	 * the cgroup is flagged, and the tie names both. */
	assert_int_equal(policy_selection_match_path(set->selection, "/srv", &cg, &tie), 0);
	assert_int_equal(cg.policy_id, 2);
	assert_int_equal(cg.flags, CG_CGROUP_AMBIGUOUS);
	assert_true(tie.tied);
	assert_int_equal(tie.winner_policy, 2);
	assert_int_equal(tie.other_policy, 3);
	assert_int_equal(tie.winner_selector, set->policies[2].selectors[0].index);
	assert_int_equal(tie.other_selector, set->policies[3].selectors[0].index);
	assert_int_equal(tie.depth, 1);
	assert_int_equal(tie.priority, 0);
	/* A child inherits the winner; the flag marks where the tie arises. */
	policy_selection_child(set->selection, &cg, "www", &cg, &tie);
	assert_int_equal(cg.policy_id, 2);
	assert_int_equal(cg.flags, 0);
	assert_false(tie.tied);
	/* A deeper selector wins whatever its priority. */
	assert_string_equal(governing(set, "/srv/app/x", &flags), "deeper");
	assert_int_equal(flags, 0);
	/* One policy's own selectors never tie. */
	assert_string_equal(governing(set, "/opt", &flags), "tie-b");
	assert_int_equal(flags, 0);
	policy_set__free(set);
}

/* ---- host: true -------------------------------------------------------------------- */

static void test_host(void **state)
{
	static const char *const documents[] = {
		"host", "  selector: {host: true}\n",
		"host-system", "  selector: {host: true, cgroup: /system.slice}\n",
		"kube", "  selector: {cgroup: /kubepods.slice}\n  priority: 1\n",
	};
	static const struct expectation cases[] = {
		{ "/", "host" },
		{ "/user.slice/user-1000.slice/session-2.scope", "host" },
		{ "/init.scope", "host" },
		{ "/system.slice", "host-system" },
		{ "/system.slice/nginx.service", "host-system" },
		/* inside a container: the host selectors stop applying */
		{ "/system.slice/docker-" ID64 ".scope", "-" },
		/* Anchored where runtimes put containers (issue 11): elsewhere a name is no container. */
		{ "/system.slice/containerd.service/cri-containerd-" ID64 ".scope", "host-system" },
		{ "/machine.slice/libpod-" ID64 ".scope/container", "-" },
		{ "/machine.slice", "-" },
		{ "/docker/" ID64, "-" },
		{ "/docker", "-" },
		{ "/lxc.payload.web/init.scope", "-" },
		{ "/kubepods/burstable", "-" },
		/* A user names this in its delegated subtree: it used to leave "host" (issue 11). */
		{ "/user.slice/user-1000.slice/user@1000.service/app.slice/crio-x.scope", "host" },
		{ "/user.slice/user-1000.slice/user@1000.service/app.slice/docker-x.scope", "host" },
		/* a plain selector still governs inside */
		{ "/kubepods.slice", "kube" },
		{ "/kubepods.slice/kubepods-pod1.slice/crio-" ID64 ".scope", "kube" },
		/* not inside: lookalikes */
		{ "/system.slice/docker.service", "host-system" },
		{ "/lxc.payload", "host" },
		{ "/a/docker", "host" },
	};
	struct policy_set *set = load_policies(documents, 6);

	assert_int_equal(set->selection->generation.container_predicate, 0);
	check_paths(set, cases, sizeof(cases) / sizeof(cases[0]));
	policy_set__free(set);
}

/* host: true and cgroup: / at the root: the same depth and priority. */
static void test_host_tie(void **state)
{
	static const char *const documents[] = {
		"root", "  selector: {cgroup: /}\n",
		"host", "  selector: {host: true}\n",
	};
	struct policy_set *set = load_policies(documents, 4);
	struct cg_cgroup_state cg;
	struct policy_tie tie;

	policy_selection_root(set->selection, &cg, &tie);
	assert_int_equal(cg.policy_id, 0);
	assert_int_equal(cg.flags, CG_CGROUP_AMBIGUOUS);
	assert_true(tie.tied);
	assert_int_equal(tie.other_policy, 1);
	assert_int_equal(cg.plain.policy_id, 0);
	assert_int_equal(cg.host.policy_id, 1);
	/* Inside a container the host winner is gone: no tie there. */
	policy_selection_child(set->selection, &cg, "docker", &cg, &tie);
	assert_int_equal(cg.policy_id, 0);
	assert_int_equal(cg.host.policy_id, CG_NO_POLICY);
	assert_int_equal(cg.host.selector, POLICY_NO_SELECTOR);
	assert_int_equal(cg.flags, 0);
	assert_false(tie.tied);
	policy_set__free(set);
}

/* ---- Globs --------------------------------------------------------------------------- */

static void test_glob_semantics(void **state)
{
	static const char *const documents[] = {
		"q", "  selector: {cgroup: /x?z}\n",
		"star", "  selector: {cgroup: /a*}\n",
		"suffix", "  selector: {cgroup: /*.slice}\n",
		"both", "  selector: {cgroup: /p?-*-?s}\n",
	};
	static const struct expectation cases[] = {
		{ "/xyz", "q" },	  { "/x?z", "q" },	 { "/xz", "-" },	  { "/xyyz", "-" },
		{ "/a", "star" },	  { "/abc", "star" },	 { "/ba", "-" },	  { "/.slice", "suffix" },
		{ "/user.slice", "suffix" }, { "/user.slices", "-" }, { "/p1--2s", "both" }, { "/p1-long-2s", "both" },
		{ "/p1-2s", "-" },	  { "/p-x-2s", "-" },
	};
	struct policy_set *set = load_policies(documents, 8);

	check_paths(set, cases, sizeof(cases) / sizeof(cases[0]));
	policy_set__free(set);
}

/* What the agent does: a walk with root and child gives the state the path does. */
static void test_walk_equals_path(void **state)
{
	static const char *const documents[] = {
		"k", "  selector: [{qos: burstable}, {container: 4f2a1b3c4d5e}, {host: true}]\n",
	};
	static const char *const names[] = { "kubepods.slice", "kubepods-burstable.slice", "kubepods-burstable-podx.slice",
					     "cri-containerd-" ID64 ".scope" };
	struct policy_set *set = load_policies(documents, 2);
	struct cg_cgroup_state walked, by_path;
	char path[1024] = "";

	policy_selection_root(set->selection, &walked, NULL);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct cg_cgroup_state child;

		policy_selection_child(set->selection, &walked, names[i], &child, NULL);
		walked = child;
		strcat(path, "/");
		strcat(path, names[i]);
		assert_int_equal(policy_selection_match_path(set->selection, path, &by_path, NULL), 0);
		assert_memory_equal(&walked, &by_path, sizeof(walked));
		assert_int_equal(walked.depth, i + 1);
	}
	assert_int_equal(walked.policy_id, 0);
	assert_int_equal(walked.plain.depth, 4); /* the container selector, nearest */
	assert_int_equal(walked.host.policy_id, CG_NO_POLICY);

	assert_int_equal(policy_selection_match_path(set->selection, "relative", &by_path, NULL), -EINVAL);
	memset(path, 'x', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(policy_selection_match_path(set->selection, path, &by_path, NULL), -EINVAL);
	policy_set__free(set);
}

/* ---- Names chosen by the governed (issue 11) ---------------------------------- */

#define ID_A "aaaaaaaaaaaa1111"
#define ID_B "bbbbbbbbbbbb2222"

/*
 * Below a delegated cgroup (sealed by the caller, as the agent does for a
 * directory a non-root user owns) and below a container's cgroup, no name
 * selects anything: every descendant is governed as the sealed cgroup, at
 * any depth, and is sealed itself.
 */
static void test_names_confer_nothing(void **state)
{
	static const char *const documents[] = {
		"host-strict", "  selector: {host: true}\n",
		"backup", "  selector: {systemdUnit: backup}\n",
		"container-a", "  selector: {container: " ID_A "}\n",
		"container-b", "  selector: {container: " ID_B "}\n",
	};
	static const struct expectation cases[] = {
		/* Root's own names still select. */
		{ "/system.slice/backup.service", "backup" },
		{ "/system.slice/docker-" ID_A ".scope", "container-a" },
		{ "/system.slice/docker-" ID_B ".scope", "container-b" },
		/* A container naming a child like another container, or like a unit. */
		{ "/system.slice/docker-" ID_A ".scope/docker-" ID_B ".scope", "container-a" },
		{ "/system.slice/docker-" ID_A ".scope/x/docker-" ID_B ".scope", "container-a" },
		{ "/system.slice/docker-" ID_A ".scope/backup.service", "container-a" },
		{ "/kubepods.slice/kubepods-pod1.slice/cri-containerd-" ID_A ".scope/crio-" ID_B ".scope", "container-a" },
		{ "/docker/" ID_A "/docker/" ID_B, "container-a" },
		/* No policy for the container: its children stay without one. */
		{ "/machine.slice/libpod-cccccccccccc.scope/docker-" ID_B ".scope", "-" },
	};
	struct policy_set *set = load_policies(documents, 8);
	const char *names[] = { "docker-x.scope", "backup.service", "docker-" ID_B ".scope", ".hidden", "kubepods.slice" };
	struct cg_cgroup_state user, child, deep;
	struct policy_tie tie;

	check_paths(set, cases, sizeof(cases) / sizeof(cases[0]));

	/* user@1000.service, delegated: sealed as the agent and the kernel do. */
	assert_int_equal(policy_selection_match_path(set->selection,
						     "/user.slice/user-1000.slice/user@1000.service", &user, NULL), 0);
	assert_int_equal(user.policy_id, 0);
	assert_false(user.flags & CG_CGROUP_SEALED);
	policy_selection_seal(set->selection, &user);
	assert_true(user.flags & CG_CGROUP_SEALED);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		policy_selection_child(set->selection, &user, names[i], &child, &tie);
		assert_int_equal(child.policy_id, 0); /* host-strict, whatever the name */
		assert_int_equal(child.flags, CG_CGROUP_SEALED);
		assert_false(tie.tied);
		assert_int_equal(child.depth, user.depth + 1);
	}
	/* A chain 200 deep below it, each level named to select something. */
	deep = user;
	for (int i = 0; i < 200; i++)
		policy_selection_child(set->selection, &deep, names[i % 3], &deep, NULL);
	assert_int_equal(deep.policy_id, 0);
	assert_int_equal(deep.depth, user.depth + 200);
	assert_memory_equal(deep.held, user.held, sizeof(deep.held));
	for (size_t w = 0; w < CG_MAX_NFA_STATES / 64; w++)
		assert_int_equal(deep.active[w], 0);

	/*
	 * Not sealed (as before the fix): the same names in the same place
	 * choose the policy. This is what the seal takes away.
	 */
	assert_int_equal(policy_selection_match_path(set->selection,
						     "/user.slice/user-1000.slice/user@1000.service", &user, NULL), 0);
	policy_selection_child(set->selection, &user, "backup.service", &child, NULL);
	assert_string_equal(set->policies[child.policy_id].name, "backup");
	policy_set__free(set);
}

/*
 * Containers put elsewhere (docker --cgroup-parent=custom.slice): unknown,
 * a container A there can name a child like container B and take B's
 * policy, and it is not "inside a container" for host policies. Named in
 * containerCgroups, A's cgroup is a container's: sealed, and inside.
 */
static void test_container_cgroups(void **state)
{
	static const char *const documents[] = {
		"host-strict", "  selector: {host: true}\n",
		"container-a", "  selector: {container: " ID_A "}\n",
		"container-b", "  selector: {container: " ID_B "}\n",
	};
	static const char *const places[] = { "//custom.slice/docker-*.scope", "/other/**/pods/*" };
	static const struct expectation unknown[] = {
		{ "/custom.slice/docker-" ID_A ".scope", "container-a" },
		{ "/custom.slice/docker-" ID_A ".scope/docker-" ID_B ".scope", "container-b" },
		{ "/custom.slice/docker-cccccccccccc.scope", "host-strict" },
	};
	static const struct expectation named[] = {
		{ "/custom.slice/docker-" ID_A ".scope", "container-a" },
		{ "/custom.slice/docker-" ID_A ".scope/docker-" ID_B ".scope", "container-a" },
		{ "/custom.slice/docker-" ID_A ".scope/x/docker-" ID_B ".scope", "container-a" },
		{ "/custom.slice/docker-cccccccccccc.scope", "-" },
		{ "/other/a/b/pods/x/docker-" ID_B ".scope", "-" },
		{ "/custom.slice", "host-strict" },
		/* Anchored: the same name elsewhere is no container. */
		{ "/user.slice/custom.slice/docker-cccccccccccc.scope", "host-strict" },
	};
	static const char *const bad[] = {
		"custom.slice/docker-*.scope", "/**/docker-*.scope", "/custom.slice/**", "/", "/a/../b",
		"/a/d*ck*r", "/a\nb",
	};
	struct policy_set *set = load_policies(documents, 6);
	struct cg_cgroup_state cg;
	const char *why;
	char *text;

	check_paths(set, unknown, sizeof(unknown) / sizeof(unknown[0]));
	policy_set__free(set);

	set = test_set();
	assert_int_equal(policy_set__set_container_cgroups(set, places, 2, &why), 0);
	assert_string_equal(set->container_cgroups, "custom.slice/docker-*.scope\nother/**/pods/*");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(policy_set__set_container_cgroups(set, &bad[i], 1, &why), -EINVAL);
		assert_non_null(why);
	}
	/* Refused patterns leave the places as they were. */
	assert_string_equal(set->container_cgroups, "custom.slice/docker-*.scope\nother/**/pods/*");
	for (size_t i = 0; i < sizeof(documents) / sizeof(documents[0]); i += 2) {
		text = credential_policy(documents[i], documents[i + 1]);
		parse_ok(set, "sel.yaml", text);
		free(text);
	}
	check_paths(set, named, sizeof(named) / sizeof(named[0]));
	assert_int_equal(policy_selection_match_path(set->selection, "/custom.slice/docker-" ID_A ".scope", &cg, NULL),
			 0);
	assert_true(cg.flags & CG_CGROUP_SEALED);
	policy_set__free(set);
}

/* An empty set selects nothing; a failed parse leaves the selection as it was. */
static void test_set_selection_all_or_nothing(void **state)
{
	struct policy_set *set = test_set();
	struct policy_diags diags = {};
	struct cg_cgroup_state cg;
	char *text = NULL, *got;
	size_t size = 0;
	FILE *out;

	assert_int_equal(set->selection->generation.container_predicate, CG_NO_PREDICATE);
	policy_selection_root(set->selection, &cg, NULL);
	assert_int_equal(cg.policy_id, CG_NO_POLICY);

	/* 15 containers and 5 cgroups: 235 states, and 20 for the seal. */
	out = open_memstream(&text, &size);
	assert_non_null(out);
	fputs("apiVersion: credgate.io/v1\nkind: CredentialPolicy\nmetadata: {name: many}\nspec:\n  selector:\n", out);
	for (int i = 10; i < 25; i++)
		fprintf(out, "    - container: 0000000000%d\n", i);
	for (int i = 0; i < 5; i++)
		fprintf(out, "    - cgroup: /c%d\n", i);
	assert_int_equal(fclose(out), 0);
	parse_ok(set, "many.yaml", text);
	free(text);
	assert_int_equal(set->selection->generation.nstates, 255);

	/* One more predicate, from another text: refused, set unchanged. */
	text = credential_policy("more", "  selector: {cgroup: /x}\n");
	assert_int_equal(policy_set__parse(set, "more.yaml", text, strlen(text), &diags), -EINVAL);
	got = format_diags(&diags);
	assert_string_equal(got, "more.yaml:5:13: error: too many NFA states in the policy set: 'cgroup /x' needs 2, "
				 "and 235 of the 236 that CG_MAX_NFA_STATES (256) leaves after containers' cgroups (20) "
				 "are used by the selectors before it\n");
	assert_int_equal(set->count, 1);
	assert_int_equal(set->selection->generation.nstates, 255);
	assert_int_equal(set->selection->generation.nselectors, 20);
	free(got);
	free(text);
	policy_diags_clear(&diags);

	/* A selector that always holds needs no state: it fits. */
	text = credential_policy("more", "  selector: {cgroup: /}\n");
	parse_ok(set, "more.yaml", text);
	assert_int_equal(set->count, 2);
	assert_int_equal(set->selection->generation.nselectors, 21);
	free(text);
	policy_set__free(set);
}

/*
 * Identity selectors have no path predicate, and a selector with none
 * holds everywhere ("cgroup: /"): they require the identity predicate
 * instead, which takes no state and no path makes held. Beside path
 * policies they change nothing, they cost no NFA state, and the container
 * cgroups the agent binds them at are still sealed.
 */
static void test_identity_never_by_path(void **state)
{
	static const char *const documents[] = {
		"web", "  priority: 9\n  selector:\n    - containerName: web\n    - {image: '*', namespace: '*'}\n",
		"root", "  selector: {cgroup: /}\n",
		"sys", "  selector: {cgroup: /system.slice}\n",
	};
	static const struct expectation cases[] = {
		{ "/", "root" },
		{ "/user.slice/web", "root" },
		{ "/system.slice", "sys" },
		{ "/system.slice/docker-" ID64 ".scope", "sys" },
		{ "/system.slice/docker-" ID64 ".scope/web", "sys" },
		{ "/machine.slice/libpod-" ID64 ".scope", "root" },
	};
	struct policy_set *set = load_policies(documents, sizeof(documents) / sizeof(documents[0]));
	const struct policy_selection *selection = set->selection;
	struct cg_cgroup_state cg;

	check_paths(set, cases, sizeof(cases) / sizeof(cases[0]));
	/* The identity predicate: first used, no states; then "cgroup /system.slice" and the seal. */
	assert_int_equal(selection->npredicates, 3);
	assert_int_equal(selection->predicates[0].nstates, 0);
	assert_int_equal(selection->generation.nstates, 2 + 20);
	assert_int_equal(selection->generation.nselectors, 4);
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(selection->selectors[i].policy_id, 0);
		assert_int_equal(selection->selectors[i].require[0], 1);
		assert_int_equal(set->policies[0].selectors[i].index, i);
	}
	/* A container's cgroup is sealed: where the agent writes an identity winner. */
	assert_int_equal(policy_selection_match_path(selection, "/system.slice/docker-" ID64 ".scope", &cg, NULL), 0);
	assert_true(cg.flags & CG_CGROUP_SEALED);
	policy_set__free(set);

	/* Alone, they govern nothing anywhere, and the seal is still laid out. */
	set = load_policies(documents, 2);
	check_paths(set, (const struct expectation[]){ { "/", "-" }, { "/system.slice/docker-" ID64 ".scope", "-" } },
		    2);
	assert_int_not_equal(set->selection->generation.seal_predicate, CG_NO_PREDICATE);
	policy_set__free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_container_cgroups),
		cmocka_unit_test(test_shared_predicates),
		cmocka_unit_test(test_container_runtimes),
		cmocka_unit_test(test_kubernetes),
		cmocka_unit_test(test_and_or_nearest),
		cmocka_unit_test(test_priority_and_ties),
		cmocka_unit_test(test_host),
		cmocka_unit_test(test_host_tie),
		cmocka_unit_test(test_glob_semantics),
		cmocka_unit_test(test_walk_equals_path),
		cmocka_unit_test(test_set_selection_all_or_nothing),
		cmocka_unit_test(test_names_confer_nothing),
		cmocka_unit_test(test_identity_never_by_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
