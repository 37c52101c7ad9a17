/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of identity selectors (policy/identity.c, selector_identity.c):
 * containerName, image, labels and namespace parsed into a set, matched
 * against a container's facts as the agent resolves them, with priority
 * and ties; a glob checked against a reference matcher on every small
 * case, and bounded on hostile ones; and an identity-only set that
 * selects no cgroup by path.
 */

#include "test_policy_common.c"
#include "policy/identity.h"
#include "policy/identity_glob.h"

#define ELEMENTSOF(array) (sizeof(array) / sizeof((array)[0]))

static struct policy_set *load(const char *const *documents, size_t count)
{
	return load_documents("id.yaml", documents, count);
}

static const struct container_label web_labels[] = {
	{ "app", "web" },
	{ "io.kubernetes.pod.namespace", "prod" },
	{ "tier", "frontend" },
};

static const struct container_facts web = {
	.runtime = "docker",
	.id = "4f2a1b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8",
	.name = "/web",
	.image = "docker.io/library/nginx:1.25",
	.pod_namespace = "prod",
	.labels = web_labels,
	.nlabels = ELEMENTSOF(web_labels),
};

/* The name of the policy @facts choose, or "-"; *@tie and *@with set. */
static const char *chosen(const struct policy_set *set, const struct container_facts *facts, bool *tie,
			  const char **with)
{
	struct identity_match m;

	if (!policy_set_match_identity(set, facts, &m)) {
		assert_int_equal(m.policy_id, 0);
		assert_false(m.tie);
		return "-";
	}
	assert_true(m.policy_id < set->count);
	assert_true(m.selector < set->policies[m.policy_id].nselectors);
	assert_true(policy_identity_present(&set->policies[m.policy_id].selectors[m.selector].identity));
	assert_int_equal(m.priority, set->policies[m.policy_id].priority);
	if (tie)
		*tie = m.tie;
	if (with)
		*with = m.tie ? set->policies[m.tied_with].name : "-";
	return set->policies[m.policy_id].name;
}

/* ---- Parsing ---------------------------------------------------------------- */

static void test_parse(void **state)
{
	static const char *const documents[] = {
		"a", "  selector:\n"
		     "    - containerName: 'web-?*'\n"
		     "      image: 'registry.example/web:*'\n"
		     "      labels: {tier: 'fr*', app: web, empty: ''}\n"
		     "      namespace: 'prod-*'\n"
		     "      selinuxType: container_t\n",
	};
	struct policy_set *set = load(documents, ELEMENTSOF(documents));
	const struct policy_selector *s = &set->policies[0].selectors[0];

	assert_string_equal(s->identity.container_name, "web-?*");
	assert_string_equal(s->identity.image, "registry.example/web:*");
	assert_string_equal(s->identity.pod_namespace, "prod-*");
	/* Sorted by key. */
	assert_int_equal(s->identity.nlabels, 3);
	assert_string_equal(s->identity.labels[0].key, "app");
	assert_string_equal(s->identity.labels[1].key, "empty");
	assert_string_equal(s->identity.labels[1].value, "");
	assert_string_equal(s->identity.labels[2].key, "tier");
	assert_string_equal(s->identity.labels[2].value, "fr*");
	assert_int_equal(s->npredicates, 0);
	assert_int_equal(s->nselinux, 1);
	assert_string_equal(s->text, "containerName web-?* and image registry.example/web:* and labels "
				     "app=web,empty=,tier=fr* and namespace prod-* and selinuxType container_t");
	assert_true(policy_set_has_identity_selectors(set));
	policy_set__free(set);
}

/* Refused with their place and a hint: the bad/identity.yaml corpus has one per rule; these are the limits. */
static void test_parse_limits(void **state)
{
	char name[POLICY_MAX_IDENTITY_PATTERN_LEN + 1], image[POLICY_MAX_IMAGE_PATTERN_LEN + 1];
	char *spec, *text;

	/* At the limits: accepted. */
	memset(name, 'w', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	memset(image, 'x', sizeof(image) - 1);
	memcpy(image, "r.example/", 10);
	memcpy(image + sizeof(image) - 3, ":*", 3);
	assert_true(asprintf(&spec, "  selector: {containerName: %s, image: '%s'}\n", name, image) > 0);
	text = credential_policy("a", spec);
	{
		struct policy_set *set = test_set();

		parse_ok(set, "l.yaml", text);
		assert_int_equal(strlen(set->policies[0].selectors[0].identity.image), POLICY_MAX_IMAGE_PATTERN_LEN);
		policy_set__free(set);
	}
	free(spec);
	free(text);

	/* One byte over. */
	assert_true(asprintf(&spec, "  selector: {image: '%s*'}\n", image) > 0);
	text = credential_policy("a", spec);
	parse_fails("l.yaml", text,
		    "l.yaml:5:21: error: spec.selector.image: image reference 'r.example/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' is 512 bytes long, more than 511\n");
	free(spec);
	free(text);

	/* A label key at 317 bytes is fine, at 318 not. */
	{
		char key[POLICY_MAX_LABEL_KEY_LEN + 2];

		memset(key, 'k', sizeof(key) - 1);
		key[sizeof(key) - 1] = '\0';
		assert_true(asprintf(&spec, "  selector: {labels: {%s: v}}\n", key) > 0);
		text = credential_policy("a", spec);
		parse_fails("l.yaml", text,
			    "l.yaml:5:23: error: spec.selector.labels: label key 'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
			    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...' is 318 bytes long, more than 317\n");
		free(spec);
		free(text);
		key[sizeof(key) - 2] = '\0';
		assert_true(asprintf(&spec, "  selector: {labels: {%s: v}}\n", key) > 0);
		text = credential_policy("a", spec);
		{
			struct policy_set *set = test_set();

			parse_ok(set, "l.yaml", text);
			policy_set__free(set);
		}
		free(spec);
		free(text);
	}
}

/* Written in full as docker normalises them: a first component is a host with '.', ':', capitals or "localhost". */
static void test_image_forms(void **state)
{
	static const char *const accepted[] = {
		"localhost/web:1", "Registry/web:1", "registry:5000/web:*", "r.example/a/b/c@sha256:*",
		"*/web:*", "*", "docker.io/library/*", "?ocker.io/x:y",
	};
	static const char *const refused[] = {
		"web:1", "acme/web:1", "localhostx/web:1", "r.example/web", "r.example/web:1/x",
	};

	for (size_t i = 0; i < ELEMENTSOF(accepted) + ELEMENTSOF(refused); i++) {
		bool good = i < ELEMENTSOF(accepted);
		const char *image = good ? accepted[i] : refused[i - ELEMENTSOF(accepted)];
		struct policy_set *set = test_set();
		struct policy_diags diags = {};
		char *spec, *text;

		assert_true(asprintf(&spec, "  selector: {image: '%s'}\n", image) > 0);
		text = credential_policy("i", spec);
		if ((policy_set__parse(set, "i.yaml", text, strlen(text), &diags) == 0) != good)
			fail_msg("image '%s': expected %s", image, good ? "accepted" : "refused");
		policy_diags_clear(&diags);
		policy_set__free(set);
		free(text);
		free(spec);
	}
}

/* ---- Matching ---------------------------------------------------------------- */

static void test_each_key(void **state)
{
	static const char *const documents[] = {
		"by-name", "  selector: {containerName: web}\n",
		"by-image", "  selector: {image: 'docker.io/library/nginx:1.*'}\n",
		"by-label", "  selector: {labels: {tier: 'front*'}}\n",
		"by-namespace", "  selector: {namespace: 'pro?'}\n",
	};
	struct policy_set *set = load(documents, ELEMENTSOF(documents));
	struct container_facts f = {};
	const struct container_label other_tier[] = { { "tier", "backend" } };

	/* Each alone: only the policy naming it. */
	f = (struct container_facts){ .name = "/web" };
	assert_string_equal(chosen(set, &f, NULL, NULL), "by-name");
	f = (struct container_facts){ .name = "web" };
	assert_string_equal(chosen(set, &f, NULL, NULL), "by-name");
	f = (struct container_facts){ .name = "web2" };
	assert_string_equal(chosen(set, &f, NULL, NULL), "-");
	f = (struct container_facts){ .image = "docker.io/library/nginx:1.25" };
	assert_string_equal(chosen(set, &f, NULL, NULL), "by-image");
	f = (struct container_facts){ .image = "docker.io/library/nginx:latest" };
	assert_string_equal(chosen(set, &f, NULL, NULL), "-");
	f = (struct container_facts){ .labels = web_labels, .nlabels = ELEMENTSOF(web_labels) };
	assert_string_equal(chosen(set, &f, NULL, NULL), "by-label");
	f = (struct container_facts){ .labels = other_tier, .nlabels = 1 };
	assert_string_equal(chosen(set, &f, NULL, NULL), "-");
	f = (struct container_facts){ .pod_namespace = "prod" };
	assert_string_equal(chosen(set, &f, NULL, NULL), "by-namespace");
	f = (struct container_facts){ .pod_namespace = "production" };
	assert_string_equal(chosen(set, &f, NULL, NULL), "-");
	/* Nothing known: nothing holds. */
	f = (struct container_facts){ .runtime = "docker", .id = web.id };
	assert_string_equal(chosen(set, &f, NULL, NULL), "-");
	assert_false(policy_set_match_identity(set, NULL, NULL));
	policy_set__free(set);
}

static void test_and_or(void **state)
{
	static const char *const documents[] = {
		/* ANDed within a selector. */
		"and", ("  priority: 2\n"
			"  selector: {containerName: web, image: 'docker.io/library/nginx:*', labels: {app: web, tier: "
			"'fr*'}}\n"),
		/* ORed across selectors. */
		"or", ("  priority: 1\n"
		       "  selector:\n    - containerName: db\n    - labels: {app: cache}\n"),
	};
	struct policy_set *set = load(documents, ELEMENTSOF(documents));
	struct container_facts f = web;
	const struct container_label cache[] = { { "app", "cache" } };
	const struct container_label no_tier[] = { { "app", "web" } };

	assert_string_equal(chosen(set, &f, NULL, NULL), "and");
	f.image = "docker.io/library/httpd:2";
	assert_string_equal(chosen(set, &f, NULL, NULL), "-");
	f = web;
	f.labels = no_tier; /* a key the selector names is missing */
	f.nlabels = 1;
	assert_string_equal(chosen(set, &f, NULL, NULL), "-");
	f = web;
	f.name = "db";
	assert_string_equal(chosen(set, &f, NULL, NULL), "or");
	f = (struct container_facts){ .labels = cache, .nlabels = 1 };
	assert_string_equal(chosen(set, &f, NULL, NULL), "or");
	policy_set__free(set);
}

static void test_priority_and_ties(void **state)
{
	static const char *const documents[] = {
		"low", "  selector: {image: 'docker.io/library/*'}\n",
		"high", "  priority: 5\n  selector: {namespace: prod}\n",
		"tied", "  priority: 5\n  selector: {containerName: 'w*'}\n",
		"third", "  priority: 5\n  selector: {labels: {app: '*'}}\n",
	};
	struct policy_set *set = load(documents, ELEMENTSOF(documents));
	struct container_facts f = web;
	const char *with;
	bool tie;

	/* "high", "tied" and "third" all hold at priority 5: the lowest id, flagged, naming the first other. */
	assert_string_equal(chosen(set, &f, &tie, &with), "high");
	assert_true(tie);
	assert_string_equal(with, "tied");
	/* Only "tied" at 5: no tie, and priority beats a lower id. */
	f.pod_namespace = NULL;
	f.labels = NULL;
	f.nlabels = 0;
	assert_string_equal(chosen(set, &f, &tie, &with), "tied");
	assert_false(tie);
	/* Only "low". */
	f.name = "db";
	assert_string_equal(chosen(set, &f, &tie, NULL), "low");
	assert_false(tie);
	policy_set__free(set);
}

/* A lower-priority tie does not stick to a higher-priority winner found later. */
static void test_tie_then_higher(void **state)
{
	static const char *const documents[] = {
		"a", "  selector: {containerName: web}\n",
		"b", "  selector: {image: 'docker.io/*'}\n",
		"c", "  priority: 1\n  selector: {namespace: prod}\n",
	};
	struct policy_set *set = load(documents, ELEMENTSOF(documents));
	bool tie = true;

	assert_string_equal(chosen(set, &web, &tie, NULL), "c");
	assert_false(tie);
	policy_set__free(set);
}

static void test_mode(void **state)
{
	static const char *const path_only[] = {
		"p", "  mode: enforce\n  selector: {cgroup: /system.slice}\n",
	};
	static const char *const audit[] = {
		"p", "  mode: enforce\n  selector: {cgroup: /system.slice}\n",
		"i", "  selector: {containerName: web}\n",
	};
	static const char *const rule_enforces[] = {
		"i", "  selector: {containerName: web}\n  setuid:\n    deny:\n      - {to: 0, mode: enforce}\n",
	};
	struct policy_set *set = load(path_only, ELEMENTSOF(path_only));

	assert_false(policy_set_has_identity_selectors(set));
	assert_int_equal(policy_set_identity_mode(set), CG_MODE_NONE);
	assert_false(policy_set_match_identity(set, &web, NULL));
	policy_set__free(set);
	/* The enforcing path policy does not count: it never binds by identity. */
	set = load(audit, ELEMENTSOF(audit));
	assert_int_equal(policy_set_identity_mode(set), CG_MODE_AUDIT);
	policy_set__free(set);
	/* An audit policy whose rule enforces could refuse a container's setuid. */
	set = load(rule_enforces, ELEMENTSOF(rule_enforces));
	assert_int_equal(set->policies[0].mode, CG_MODE_AUDIT);
	assert_int_equal(policy_set_identity_mode(set), CG_MODE_ENFORCE);
	policy_set__free(set);
	assert_int_equal(policy_set_identity_mode(NULL), CG_MODE_NONE);
	assert_false(policy_set_has_identity_selectors(NULL));
}

/* ---- The glob ------------------------------------------------------------------ */

/* The reference: a dynamic program over every (pattern, text) prefix pair. */
static bool reference_match(const char *p, const char *t)
{
	size_t pl = strlen(p), tl = strlen(t);
	bool m[8][8] = {};

	assert_true(pl < 8 && tl < 8);
	m[0][0] = true;
	for (size_t i = 1; i <= pl; i++)
		m[i][0] = m[i - 1][0] && p[i - 1] == '*';
	for (size_t i = 1; i <= pl; i++)
		for (size_t j = 1; j <= tl; j++)
			m[i][j] = p[i - 1] == '*' ? m[i - 1][j] || m[i][j - 1]
						 : m[i - 1][j - 1] && (p[i - 1] == '?' || p[i - 1] == t[j - 1]);
	return m[pl][tl];
}

/* Every string of length 0..@max over @alphabet, in turn, into @buf. */
static bool next_string(char *buf, size_t max, const char *alphabet)
{
	size_t len = strlen(buf), n = strlen(alphabet);

	for (size_t i = len; i-- > 0;) {
		size_t k = (size_t)(strchr(alphabet, buf[i]) - alphabet);

		if (k + 1 < n) {
			buf[i] = alphabet[k + 1];
			return true;
		}
		buf[i] = alphabet[0];
	}
	if (len == max)
		return false;
	buf[len] = alphabet[0];
	buf[len + 1] = '\0';
	return true;
}

static void test_glob_exhaustive(void **state)
{
	char pattern[8] = "", text[8];
	unsigned cases = 0, failed = 0;

	do {
		text[0] = '\0';
		do {
			size_t steps = 0;
			bool got = identity_glob_match(pattern, text, &steps), want = reference_match(pattern, text);

			if (got != want) {
				print_error("'%s' vs '%s': got %d, want %d\n", pattern, text, got, want);
				failed++;
			}
			if (steps > (strlen(pattern) + 1) * (strlen(text) + 1)) {
				print_error("'%s' vs '%s': %zu steps\n", pattern, text, steps);
				failed++;
			}
			cases++;
		} while (next_string(text, 6, "ab"));
	} while (next_string(pattern, 5, "ab*?"));
	assert_int_equal(failed, 0);
	assert_true(cases > 100000);
}

/*
 * Patterns that send a backtracking matcher into exponential (or n^k)
 * time: many '*' before a byte the text lacks, and a long segment that
 * almost matches everywhere. The cost is counted, not timed.
 */
static void test_glob_hostile(void **state)
{
	size_t n = 1u << 16, steps;
	char *text = malloc(n + 1), pattern[POLICY_MAX_IDENTITY_PATTERN_LEN + 1];

	assert_non_null(text);
	memset(text, 'a', n);
	text[n] = '\0';
	/* "*a*a*a...*a*b": 126 stars; the suffix check fails at once, and any order of tries stays linear. */
	for (size_t i = 0; i + 2 < sizeof(pattern); i += 2)
		memcpy(pattern + i, "*a", 2);
	memcpy(pattern + sizeof(pattern) - 3, "*b", 3);
	steps = 0;
	assert_false(identity_glob_match(pattern, text, &steps));
	assert_true(steps <= 2 * sizeof(pattern));
	/* The same without the 'b': every segment found at once. */
	pattern[sizeof(pattern) - 2] = '\0';
	steps = 0;
	assert_true(identity_glob_match(pattern, text, &steps));
	assert_true(steps <= 2 * sizeof(pattern));
	/* "*aaaa...ab*": a segment of 251 bytes tried at each of n places, never twice. */
	pattern[0] = '*';
	memset(pattern + 1, 'a', sizeof(pattern) - 4);
	memcpy(pattern + sizeof(pattern) - 3, "b*", 3);
	steps = 0;
	assert_false(identity_glob_match(pattern, text, &steps));
	assert_true(steps <= (strlen(pattern) + 1) * (n + 1));
	/* "?" per byte against a text one byte longer: a length check, no comparison. */
	memset(pattern, '?', sizeof(pattern) - 1);
	pattern[sizeof(pattern) - 1] = '\0';
	text[sizeof(pattern)] = '\0';
	steps = 0;
	assert_false(identity_glob_match(pattern, text, &steps));
	assert_int_equal(steps, 0);
	free(text);
}

/* Facts as big as a runtime could write them: long names, many labels. */
static void test_hostile_facts(void **state)
{
	static const char *const documents[] = {
		"long", "  selector: {containerName: 'w*z', labels: {zz: 'v*v', a: '*'}}\n",
	};
	struct policy_set *set = load(documents, ELEMENTSOF(documents));
	size_t n = 1u << 20, nlabels = 100000;
	char *name = malloc(n + 1), *value = malloc(n + 1), (*keys)[12] = calloc(nlabels, sizeof(*keys));
	struct container_label *labels = calloc(nlabels, sizeof(*labels));
	struct container_facts f = {};

	assert_non_null(name);
	assert_non_null(value);
	assert_non_null(keys);
	assert_non_null(labels);
	memset(name, 'w', n);
	name[n - 1] = 'z';
	name[n] = '\0';
	memset(value, 'v', n);
	value[n] = '\0';
	for (size_t i = 0; i < nlabels; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%09zu", i);
		labels[i] = (struct container_label){ keys[i], "x" };
	}
	/* Sorted: "a" first, "zz" last, after 99998 others. */
	snprintf(keys[0], sizeof(keys[0]), "a");
	snprintf(keys[nlabels - 1], sizeof(keys[0]), "zz");
	labels[nlabels - 1].value = value;
	f = (struct container_facts){ .name = name, .labels = labels, .nlabels = nlabels };
	assert_string_equal(chosen(set, &f, NULL, NULL), "long");
	/* The key given twice: each value must match, so the order cannot pick one. */
	labels[1] = (struct container_label){ "zz", "nope" };
	assert_string_equal(chosen(set, &f, NULL, NULL), "-");
	labels[1] = (struct container_label){ keys[1], "x" };
	/* A NULL key or value never matches a key the selector names. */
	labels[nlabels - 1].value = NULL;
	assert_string_equal(chosen(set, &f, NULL, NULL), "-");
	labels[nlabels - 1].value = value;
	labels[0].key = NULL;
	assert_string_equal(chosen(set, &f, NULL, NULL), "-");
	free(labels);
	free(keys);
	free(value);
	free(name);
	policy_set__free(set);
}

/* `credgatectl policy check --compiled` shows each condition, and the predicate without states. */
static void test_dump(void **state)
{
	static const char *const documents[] = {
		"web", "  selector: {containerName: 'web*', image: 'docker.io/library/nginx:*', labels: {tier: 'fr*', app: "
		       "web}, namespace: prod}\n",
	};
	struct policy_set *set = load(documents, ELEMENTSOF(documents));
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	assert_non_null(out);
	policy_set__dump(set, out);
	assert_int_equal(fclose(out), 0);
	assert_non_null(strstr(text, "  selector 0: containerName web* and image docker.io/library/nginx:* and labels "
				     "app=web,tier=fr* and namespace prod (line 6)\n"
				     "    identity (bound at a container's own cgroup, never by path):\n"
				     "      containerName glob 'web*'\n"
				     "      image glob 'docker.io/library/nginx:*'\n"
				     "      namespace glob 'prod'\n"
				     "      label 'app' glob 'web'\n"
				     "      label 'tier' glob 'fr*'\n"));
	assert_non_null(strstr(text, "selection: 2 predicates, 20 states, 1 selectors\n"
				     "  predicate 0: a container's identity (bound by the agent, never by path) (no states)\n"
				     "  predicate 1: a container's cgroup (states 0-19)\n"));
	assert_non_null(strstr(text, "  selector 0: policy 0 (web) selector 0, priority 0, require {0}\n"));
	free(text);
	policy_set__free(set);
}

/* ---- No cgroup by path ------------------------------------------------------------- */

static void test_identity_selects_no_cgroup(void **state)
{
	static const char *const documents[] = {
		"by-name", "  mode: enforce\n  selector:\n    - containerName: web\n    - labels: {app: '*'}\n",
		"by-namespace", "  priority: 9\n  selector: {namespace: '*', image: '*', selinuxType: container_t}\n",
	};
	static const char *const paths[] = {
		"/",
		"/system.slice",
		"/system.slice/docker-4f2a1b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8.scope",
		"/machine.slice/libpod-4f2a1b3c4d5e.scope/container",
		"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podx.slice/cri-containerd-4f2a.scope",
		"/user.slice/user-1000.slice/user@1000.service/app.slice/web",
		"/web",
	};
	struct policy_set *set = load(documents, ELEMENTSOF(documents));

	for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
		struct cg_cgroup_state s;

		assert_int_equal(policy_selection_match_path(set->selection, paths[i], &s, NULL), 0);
		if (s.policy_id != CG_NO_POLICY)
			fail_msg("%s is governed by policy %u: an identity selector held by path", paths[i], s.policy_id);
	}
	policy_set__free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_image_forms),
		cmocka_unit_test(test_each_key),
		cmocka_unit_test(test_and_or),
		cmocka_unit_test(test_priority_and_ties),
		cmocka_unit_test(test_tie_then_higher),
		cmocka_unit_test(test_mode),
		cmocka_unit_test(test_glob_exhaustive),
		cmocka_unit_test(test_glob_hostile),
		cmocka_unit_test(test_hostile_facts),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_identity_selects_no_cgroup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
