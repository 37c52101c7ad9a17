/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests of the agent's settings file (policy/config.c). */

#include "test_policy_common.c"

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/config.h"

static char *config_path(const char *name)
{
	const char *base = getenv("CREDGATE_TEST_DATA");
	char *path;

	if (!base)
		fail_msg("CREDGATE_TEST_DATA is not set (run the test through ctest)");
	assert_true(asprintf(&path, "%s/config/%s", base, name) > 0);
	return path;
}

static void assert_defaults(const struct credgate_config *cfg)
{
	assert_false(cfg->has_policy_dir);
	assert_string_equal(cfg->policy_dir, "/etc/credgate/policies.d");
	assert_false(cfg->has_output);
	assert_int_equal(cfg->output, CREDGATE_OUTPUT_JSON);
	assert_false(cfg->has_events);
	assert_string_equal(cfg->events, "-");
	assert_false(cfg->has_lsm_unavailable);
	assert_int_equal(cfg->lsm_unavailable, CREDGATE_LSM_UNAVAILABLE_FAIL);
	assert_false(cfg->has_node_name);
	assert_null(cfg->node_name);
	assert_false(cfg->has_ringbuf_size);
	assert_int_equal(cfg->ringbuf_size, 4194304);
	assert_false(cfg->has_cgroup_map_size);
	assert_int_equal(cfg->cgroup_map_size, 32768);
	assert_false(cfg->has_passwd_file);
	assert_string_equal(cfg->passwd_file, "/etc/passwd");
	assert_false(cfg->has_group_file);
	assert_string_equal(cfg->group_file, "/etc/group");
}

static void test_full(void **state)
{
	struct credgate_config cfg;
	struct policy_diags diags = {};
	char *path = config_path("full.yaml");

	assert_int_equal(credgate_config_load(path, &cfg, &diags), 0);
	assert_no_diags(&diags);
	assert_true(cfg.has_policy_dir);
	assert_string_equal(cfg.policy_dir, "/srv/credgate/policies");
	assert_true(cfg.has_output);
	assert_int_equal(cfg.output, CREDGATE_OUTPUT_COMPACT);
	assert_true(cfg.has_events);
	assert_string_equal(cfg.events, "/var/log/credgate/events.json");
	assert_true(cfg.has_lsm_unavailable);
	assert_int_equal(cfg.lsm_unavailable, CREDGATE_LSM_UNAVAILABLE_KILL);
	assert_true(cfg.has_node_name);
	assert_string_equal(cfg.node_name, "web-1");
	assert_true(cfg.has_ringbuf_size);
	assert_int_equal(cfg.ringbuf_size, 1048576);
	assert_true(cfg.has_passwd_file);
	assert_string_equal(cfg.passwd_file, "/srv/etc/passwd");
	assert_true(cfg.has_group_file);
	assert_string_equal(cfg.group_file, "/srv/etc/group");
	credgate_config_free(&cfg);
	free(path);

	assert_string_equal(credgate_output_name(CREDGATE_OUTPUT_COMPACT), "compact");
	assert_string_equal(credgate_lsm_unavailable_name(CREDGATE_LSM_UNAVAILABLE_OBSERVE), "observe");
	assert_null(credgate_output_name((enum credgate_output)7));
}

static void test_defaults(void **state)
{
	struct credgate_config cfg;
	struct policy_diags diags = {};
	char *path = config_path("minimal.yaml");

	assert_int_equal(credgate_config_defaults(&cfg), 0);
	assert_defaults(&cfg);
	credgate_config_free(&cfg);

	assert_int_equal(credgate_config_load(path, &cfg, &diags), 0);
	assert_no_diags(&diags);
	assert_defaults(&cfg);
	credgate_config_free(&cfg);
	free(path);

	/* Empty text, comments only: defaults. */
	assert_int_equal(credgate_config_parse("c.yaml", "# nothing\n", 10, &cfg, &diags), 0);
	assert_defaults(&cfg);
	credgate_config_free(&cfg);

	/* "nodeName:" empty or null: the host name, but set. */
	assert_int_equal(credgate_config_parse("c.yaml", "apiVersion: credgate.io/v1\nkind: AgentConfig\nnodeName: \"\"\n",
					       57, &cfg, &diags),
			 0);
	assert_no_diags(&diags);
	assert_true(cfg.has_node_name);
	assert_null(cfg.node_name);
	credgate_config_free(&cfg);
	/* Boundaries of ringbufSize. */
	assert_int_equal(credgate_config_parse("c.yaml",
					       "apiVersion: credgate.io/v1\nkind: AgentConfig\nringbufSize: 4096\n", 63,
					       &cfg, &diags),
			 0);
	assert_int_equal(cfg.ringbuf_size, 4096);
	credgate_config_free(&cfg);
	assert_int_equal(credgate_config_parse("c.yaml",
					       "apiVersion: credgate.io/v1\nkind: AgentConfig\nringbufSize: 1073741824\n",
					       69, &cfg, &diags),
			 0);
	assert_int_equal(cfg.ringbuf_size, 1073741824u);
	assert_no_diags(&diags);
	credgate_config_free(&cfg);
	/* Boundaries of cgroupMapSize: both inclusive, one past either refused. */
	static const struct {
		const char *value;
		int expected;
	} map_sizes[] = { { "256", 0 }, { "1048576", 0 }, { "255", -EINVAL }, { "1048577", -EINVAL },
			  { "many", -EINVAL } };
	for (size_t i = 0; i < sizeof(map_sizes) / sizeof(map_sizes[0]); i++) {
		char text[96];
		int n = snprintf(text, sizeof(text), "apiVersion: credgate.io/v1\nkind: AgentConfig\ncgroupMapSize: %s\n",
				 map_sizes[i].value);
		struct policy_diags d = {};

		assert_int_equal(credgate_config_parse("c.yaml", text, (size_t)n, &cfg, &d), map_sizes[i].expected);
		if (map_sizes[i].expected == 0) {
			assert_true(cfg.has_cgroup_map_size);
			assert_int_equal(cfg.cgroup_map_size, strtoul(map_sizes[i].value, NULL, 10));
		} else {
			assert_false(cfg.has_cgroup_map_size);
			assert_int_equal(cfg.cgroup_map_size, 32768);
		}
		policy_diags_clear(&d);
		credgate_config_free(&cfg);
	}
}

static void test_missing_file(void **state)
{
	struct credgate_config cfg;
	struct policy_diags diags = {};

	assert_int_equal(credgate_config_load("/nonexistent/credgate.yaml", &cfg, &diags), -ENOENT);
	assert_int_equal(diags.count, 0);
	assert_defaults(&cfg);
	credgate_config_free(&cfg);

	assert_int_equal(credgate_config_load(policy_data_dir(), &cfg, &diags), -EISDIR);
	assert_defaults(&cfg);
	credgate_config_free(&cfg);
	assert_int_equal(diags.count, 1);
	assert_int_equal(credgate_config_load(NULL, &cfg, &diags), -EINVAL);
	policy_diags_clear(&diags);
	credgate_config_free(NULL);
}

static void check_errors(const char *name, int expected_r, const char *expected)
{
	struct credgate_config cfg;
	struct policy_diags diags = {};
	char *path = config_path(name), *got, *want, *slash;
	char saved[PATH_MAX], dir[PATH_MAX];

	/* Relative names, so that messages do not depend on the tree's place.
	 * The directory is cut in a copy: gcc -O3 took the cut in place through
	 * config_path()'s inlined pointer for a dangling one. */
	assert_non_null(getcwd(saved, sizeof(saved)));
	assert_true((size_t)snprintf(dir, sizeof(dir), "%s", path) < sizeof(dir));
	slash = strrchr(dir, '/');
	assert_non_null(slash);
	*slash = '\0';
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(credgate_config_load(name, &cfg, &diags), expected_r);
	assert_int_equal(chdir(saved), 0);
	got = format_diags(&diags);
	want = strdup(expected);
	if (strcmp(got, want) != 0) {
		print_error("--- expected\n%s--- got\n%s", want, got);
		fail();
	}
	/* Nothing of a bad file is kept. */
	assert_defaults(&cfg);
	credgate_config_free(&cfg);
	policy_diags_clear(&diags);
	free(got);
	free(want);
	free(path);
}

static void test_errors(void **state)
{
	check_errors("bad.yaml", -EINVAL,
		     "bad.yaml:1:13: error: apiVersion: expected 'credgate.io/v1', got 'credgate.io/v2'\n"
		     "bad.yaml:3:12: error: policyDir: expected an absolute path starting with '/', got 'relative/dir'\n"
		     "bad.yaml:4:9: error: output: expected 'json' or 'compact', got 'yaml'\n"
		     "bad.yaml:5:9: error: events: expected an absolute path starting with '/', got 'stdout'\n"
		     "bad.yaml:6:17: error: lsmUnavailable: expected 'fail', 'observe' or 'kill', got 'ignore'\n"
		     "bad.yaml:7:11: error: nodeName: 'web 1' is not a valid node name (expected letters, digits, '-', "
		     "'.' and '_')\n"
		     "bad.yaml:8:14: error: ringbufSize: 5000 is not a power of two (the kernel's ring buffer must be)\n"
		     "bad.yaml:9:13: error: passwdFile: '.' and '..' components are not allowed, got '/etc/../passwd'\n"
		     "bad.yaml:10:1: error: unknown key 'policydir' at the top level (expected one of: apiVersion, kind, "
		     "policyDir, output, events, lsmUnavailable, nodeName, ringbufSize, cgroupMapSize, passwdFile, groupFile, pinDir, "
		     "unloadOnStop, socket, socketGroup, journal, eventsFile, eventsFileMaxSize, eventsFileKeep, "
		     "observeRate, observeBurst, denySummaryRate, denySummaryBurst, auditRecords, metricsFile, "
		     "containerCgroups)\n");
	check_errors("bad-values.yaml", -EINVAL,
		     "bad-values.yaml:2:7: error: kind: expected 'AgentConfig', got 'AgentSettings'\n"
		     "bad-values.yaml:3:14: error: ringbufSize: '2147483648' is out of range (expected 4096..1073741824)\n"
		     "bad-values.yaml:4:11: error: nodeName: expected a string, got a list\n");
}

/* The service's settings: pinning, socket, outputs, rate limits. */
static void test_service_keys(void **state)
{
	static const char text[] = "apiVersion: credgate.io/v1\nkind: AgentConfig\n"
				   "pinDir: /sys/fs/bpf/credgate\nunloadOnStop: true\n"
				   "socket: /run/cg/ctl.sock\nsocketGroup: credgate\njournal: true\n"
				   "eventsFile: /var/log/credgate/events.json\neventsFileMaxSize: 1048576\n"
				   "eventsFileKeep: 3\nobserveRate: 100\nobserveBurst: 200\n"
				   "denySummaryRate: 10\ndenySummaryBurst: 0\nauditRecords: avc\n"
				   "metricsFile: /var/log/credgate/credgate.prom\n";
	struct credgate_config cfg;
	struct policy_diags diags = {};

	assert_int_equal(credgate_config_parse("c.yaml", text, sizeof(text) - 1, &cfg, &diags), 0);
	assert_no_diags(&diags);
	assert_true(cfg.has_audit_records);
	assert_int_equal(cfg.audit_records, CREDGATE_AUDIT_RECORDS_AVC);
	assert_string_equal(credgate_audit_records_name(cfg.audit_records), "avc");
	assert_true(cfg.has_pin_dir);
	assert_string_equal(cfg.pin_dir, "/sys/fs/bpf/credgate");
	assert_true(cfg.has_unload_on_stop && cfg.unload_on_stop);
	assert_string_equal(cfg.socket, "/run/cg/ctl.sock");
	assert_string_equal(cfg.socket_group, "credgate");
	assert_true(cfg.has_journal && cfg.journal);
	assert_string_equal(cfg.events_file, "/var/log/credgate/events.json");
	assert_int_equal(cfg.events_file_max_size, 1048576);
	assert_int_equal(cfg.events_file_keep, 3);
	assert_int_equal(cfg.observe_rate, 100);
	assert_int_equal(cfg.observe_burst, 200);
	assert_true(cfg.has_deny_summary_rate && cfg.has_deny_summary_burst);
	assert_int_equal(cfg.deny_summary_rate, 10);
	assert_true(cfg.has_metrics_file);
	assert_string_equal(cfg.metrics_file, "/var/log/credgate/credgate.prom");
	credgate_config_free(&cfg);

	/* Bad values name the key. */
	assert_int_equal(credgate_config_parse("c.yaml",
					       "apiVersion: credgate.io/v1\nkind: AgentConfig\neventsFileKeep: 0\n"
					       "socketGroup: a/b\njournal: maybe\n",
					       95, &cfg, &diags),
			 -EINVAL);
	assert_int_equal(diags.errors, 3);
	policy_diags_clear(&diags);
	credgate_config_free(&cfg);
}

/* containerCgroups: anchored patterns, normalised; each refusal names its line and why. */
static void test_container_cgroups(void **state)
{
	static const char good[] = "apiVersion: credgate.io/v1\nkind: AgentConfig\n"
				   "containerCgroups:\n  - //custom.slice/docker-*.scope\n  - /ci/**/job-*\n";
	static const char bad[] = "apiVersion: credgate.io/v1\nkind: AgentConfig\n"
				  "containerCgroups:\n  - /**/docker-*.scope\n  - custom.slice\n  - /ok/*\n"
				  "  - /a/**\n  - [x]\n";
	struct credgate_config cfg;
	struct policy_diags diags = {};
	char *got;

	assert_int_equal(credgate_config_parse("c.yaml", good, sizeof(good) - 1, &cfg, &diags), 0);
	assert_no_diags(&diags);
	assert_true(cfg.has_container_cgroups);
	assert_int_equal(cfg.n_container_cgroups, 2);
	assert_string_equal(cfg.container_cgroups[0], "/custom.slice/docker-*.scope");
	assert_string_equal(cfg.container_cgroups[1], "/ci/**/job-*");
	credgate_config_free(&cfg);

	assert_int_equal(credgate_config_parse("c.yaml", bad, sizeof(bad) - 1, &cfg, &diags), -EINVAL);
	got = format_diags(&diags);
	assert_string_equal(got,
			    "c.yaml:4:5: error: containerCgroups[0]: '/**/docker-*.scope' is not a place for "
			    "containers: it starts with '**', so it would match at any depth, in subtrees whose names "
			    "users and containers choose: anchor it at the root (/parent.slice/...)\n"
			    "c.yaml:5:5: error: containerCgroups[1]: 'custom.slice' is not a place for containers: not "
			    "an absolute path (it must start with '/')\n"
			    "c.yaml:7:5: error: containerCgroups[3]: '/a/**' is not a place for containers: it ends "
			    "with '**': name the containers' own cgroups, not everything below a parent\n"
			    "c.yaml:8:5: error: containerCgroups[4]: expected a string, got a list\n");
	free(got);
	/* Nothing of a refused file is applied. */
	assert_false(cfg.has_container_cgroups);
	policy_diags_clear(&diags);
	credgate_config_free(&cfg);
}

static void test_parse_errors(void **state)
{
	static const struct {
		const char *text;
		const char *expected;
	} cases[] = {
		{ "kind: AgentConfig\n", "c.yaml:1:1: error: apiVersion is required\n" },
		{ "apiVersion: credgate.io/v1\nkind: AgentConfig\nauditRecords: syslog\n",
		  "c.yaml:3:15: error: auditRecords: expected 'off' or 'avc', got 'syslog'\n" },
		{ "apiVersion: credgate.io/v1\n", "c.yaml:1:1: error: kind is required\n" },
		{ "apiVersion: credgate.io/v1\nkind: AgentConfig\nmetricsFile: credgate.prom\n",
		  "c.yaml:3:14: error: metricsFile: expected an absolute path starting with '/', got 'credgate.prom'\n" },
		{ "- a\n", "c.yaml:1:1: error: expected a mapping at the top level of the document, got a list\n" },
		{ "apiVersion: credgate.io/v1\nkind: AgentConfig\n---\napiVersion: credgate.io/v1\nkind: AgentConfig\n",
		  "c.yaml:4:1: error: the agent settings file holds one document, not several\n" },
		{ "apiVersion: [\n", "c.yaml:2:1: error: syntax error: did not find expected node content\n" },
		{ "apiVersion: credgate.io/v1\nkind: AgentConfig\nnodeName: " 
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
		  "c.yaml:3:11: error: nodeName: name is 256 bytes long, more than 253\n" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct credgate_config cfg;
		struct policy_diags diags = {};
		char *got;

		assert_int_equal(credgate_config_parse("c.yaml", cases[i].text, strlen(cases[i].text), &cfg, &diags),
				 -EINVAL);
		got = format_diags(&diags);
		assert_string_equal(got, cases[i].expected);
		assert_defaults(&cfg);
		free(got);
		credgate_config_free(&cfg);
		policy_diags_clear(&diags);
	}
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path);
}

static void test_file_size_limit(void **state)
{
	const char *tmp = getenv("TMPDIR");
	char dir[PATH_MAX - 32], path[PATH_MAX];
	struct credgate_config cfg;
	struct policy_diags diags = {};
	size_t len = CREDGATE_CONFIG_MAX_FILE_SIZE + 1;
	char *text = malloc(len), *got, *expected;
	FILE *f;

	assert_non_null(text);
	for (size_t i = 0; i < len; i++)
		text[i] = i % 64 == 63 ? '\n' : '#';
	snprintf(dir, sizeof(dir), "%s/test_config.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/credgate.yaml", dir);
	f = fopen(path, "we");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);

	assert_int_equal(credgate_config_load(path, &cfg, &diags), -EFBIG);
	assert_defaults(&cfg);
	credgate_config_free(&cfg);
	assert_int_equal(credgate_config_parse("c.yaml", text, len, &cfg, &diags), -EFBIG);
	credgate_config_free(&cfg);
	got = format_diags(&diags);
	assert_true(asprintf(&expected,
			     "%s: error: file is too large: 65537 bytes, more than CREDGATE_CONFIG_MAX_FILE_SIZE (65536)\n"
			     "c.yaml: error: file is too large: 65537 bytes, more than CREDGATE_CONFIG_MAX_FILE_SIZE (65536)\n",
			     path) > 0);
	assert_string_equal(got, expected);
	policy_diags_clear(&diags);
	free(got);
	free(expected);

	/* At the limit: comments only, fine. */
	assert_int_equal(credgate_config_parse("c.yaml", text, len - 1, &cfg, &diags), 0);
	assert_no_diags(&diags);
	credgate_config_free(&cfg);

	nftw(dir, remove_entry, 4, FTW_DEPTH | FTW_PHYS);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_service_keys),
		cmocka_unit_test(test_container_cgroups),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_file_size_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
