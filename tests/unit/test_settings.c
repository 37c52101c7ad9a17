/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of the agent's settings file (agent/daemon/settings.c): what
 * it sets in struct agent_options, what it leaves, its diagnostics, and the
 * layering with the command line (a flag wins over the file, the file over
 * the defaults).
 */

#include "test_policy_common.c"

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control_proto.h"
#include "options.h"
#include "settings.h"

static char *config_path(const char *name)
{
	const char *base = getenv("CREDGATE_TEST_DATA");
	char *path;

	if (!base)
		fail_msg("CREDGATE_TEST_DATA is not set (run the test through ctest)");
	assert_true(asprintf(&path, "%s/config/%s", base, name) > 0);
	return path;
}

/* Every setting a settings file can name holds the agent's default: nothing of a file was applied. */
static void assert_defaults(const struct agent_options *o)
{
	assert_null(o->policy_path);
	assert_false(o->builtin_policy);
	assert_int_equal(o->output, OUTPUT_JSON);
	assert_string_equal(o->events_path, "-");
	assert_int_equal(o->lsm_unavailable, LSM_UNAVAILABLE_FAIL);
	assert_null(o->node_name);
	assert_int_equal(o->ringbuf_bytes, 4194304);
	assert_int_equal(o->cgroup_map_size, 32768);
	assert_null(o->passwd_file);
	assert_null(o->group_file);
	assert_null(o->pin_dir);
	assert_false(o->unload_on_stop);
	assert_string_equal(o->socket_path, CONTROL_SOCKET_PATH);
	assert_null(o->socket_group);
	assert_false(o->journal);
	assert_null(o->events_file);
	assert_int_equal(o->events_file_max_size, 0);
	assert_int_equal(o->events_file_keep, 0);
	assert_int_equal(o->observe_rate, 0);
	assert_int_equal(o->observe_burst, 0);
	assert_int_equal(o->deny_rate, 0);
	assert_int_equal(o->deny_burst, 0);
	assert_false(o->audit_avc);
	assert_null(o->metrics_file);
	assert_null(o->container_cgroups);
	assert_int_equal(o->n_container_cgroups, 0);
	assert_null(o->settings_allocs);
	assert_int_equal(o->n_settings_allocs, 0);
}

/* settings_parse() from the defaults. */
static int parse_text(const char *text, size_t len, struct agent_options *o, struct policy_diags *diags)
{
	options_defaults(o);
	return settings_parse("c.yaml", text, len, o, diags);
}

static void test_full(void **state)
{
	struct agent_options cfg;
	struct policy_diags diags = {};
	char *path = config_path("full.yaml");

	options_defaults(&cfg);
	assert_int_equal(settings_load(path, &cfg, &diags), 0);
	assert_no_diags(&diags);
	assert_string_equal(cfg.policy_path, "/srv/credgate/policies");
	assert_int_equal(cfg.output, OUTPUT_COMPACT);
	assert_string_equal(cfg.events_path, "/var/log/credgate/events.json");
	assert_int_equal(cfg.lsm_unavailable, LSM_UNAVAILABLE_KILL);
	assert_string_equal(cfg.node_name, "web-1");
	assert_int_equal(cfg.ringbuf_bytes, 1048576);
	assert_string_equal(cfg.passwd_file, "/srv/etc/passwd");
	assert_string_equal(cfg.group_file, "/srv/etc/group");
	/* What the file does not name keeps its default. */
	assert_int_equal(cfg.cgroup_map_size, 32768);
	assert_null(cfg.pin_dir);
	settings_free(&cfg);
	assert_null(cfg.settings_allocs);
	free(path);
}

static void test_defaults(void **state)
{
	struct agent_options cfg;
	struct policy_diags diags = {};
	char *path = config_path("minimal.yaml");

	options_defaults(&cfg);
	assert_defaults(&cfg);

	assert_int_equal(settings_load(path, &cfg, &diags), 0);
	assert_no_diags(&diags);
	assert_defaults(&cfg);
	settings_free(&cfg);
	free(path);

	/* Empty text, comments only: defaults. */
	assert_int_equal(parse_text("# nothing\n", 10, &cfg, &diags), 0);
	assert_defaults(&cfg);
	settings_free(&cfg);

	/* "nodeName:" empty: the host name, set over what was there. */
	options_defaults(&cfg);
	cfg.node_name = "before";
	assert_int_equal(settings_parse("c.yaml", "apiVersion: credgate.io/v1\nkind: AgentConfig\nnodeName: \"\"\n", 57,
					&cfg, &diags),
			 0);
	assert_no_diags(&diags);
	assert_null(cfg.node_name);
	settings_free(&cfg);
	/* "nodeName:" null: nothing said, nothing changed. */
	options_defaults(&cfg);
	cfg.node_name = "before";
	assert_int_equal(settings_parse("c.yaml", "apiVersion: credgate.io/v1\nkind: AgentConfig\nnodeName:\n", 55, &cfg,
					&diags),
			 0);
	assert_no_diags(&diags);
	assert_string_equal(cfg.node_name, "before");
	settings_free(&cfg);
	/* Boundaries of ringbufSize. */
	assert_int_equal(parse_text("apiVersion: credgate.io/v1\nkind: AgentConfig\nringbufSize: 4096\n", 63, &cfg, &diags),
			 0);
	assert_int_equal(cfg.ringbuf_bytes, 4096);
	settings_free(&cfg);
	assert_int_equal(
		parse_text("apiVersion: credgate.io/v1\nkind: AgentConfig\nringbufSize: 1073741824\n", 69, &cfg, &diags), 0);
	assert_int_equal(cfg.ringbuf_bytes, 1073741824u);
	assert_no_diags(&diags);
	settings_free(&cfg);
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

		assert_int_equal(parse_text(text, (size_t)n, &cfg, &d), map_sizes[i].expected);
		if (map_sizes[i].expected == 0)
			assert_int_equal(cfg.cgroup_map_size, strtoul(map_sizes[i].value, NULL, 10));
		else
			assert_defaults(&cfg);
		policy_diags_clear(&d);
		settings_free(&cfg);
	}
}

static void test_missing_file(void **state)
{
	struct agent_options cfg;
	struct policy_diags diags = {};

	options_defaults(&cfg);
	assert_int_equal(settings_load("/nonexistent/credgate.yaml", &cfg, &diags), -ENOENT);
	assert_int_equal(diags.count, 0);
	assert_defaults(&cfg);

	assert_int_equal(settings_load(policy_data_dir(), &cfg, &diags), -EISDIR);
	assert_defaults(&cfg);
	assert_int_equal(diags.count, 1);
	assert_int_equal(settings_load(NULL, &cfg, &diags), -EINVAL);
	assert_int_equal(settings_load("/nonexistent/credgate.yaml", NULL, &diags), -EINVAL);
	policy_diags_clear(&diags);
	settings_free(NULL);
}

static void check_errors(const char *name, int expected_r, const char *expected)
{
	struct agent_options cfg;
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
	options_defaults(&cfg);
	assert_int_equal(settings_load(name, &cfg, &diags), expected_r);
	assert_int_equal(chdir(saved), 0);
	got = format_diags(&diags);
	want = strdup(expected);
	if (strcmp(got, want) != 0) {
		print_error("--- expected\n%s--- got\n%s", want, got);
		fail();
	}
	/* Nothing of a bad file is kept. */
	assert_defaults(&cfg);
	settings_free(&cfg);
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
	struct agent_options cfg;
	struct policy_diags diags = {};

	assert_int_equal(parse_text(text, sizeof(text) - 1, &cfg, &diags), 0);
	assert_no_diags(&diags);
	assert_true(cfg.audit_avc);
	assert_string_equal(cfg.pin_dir, "/sys/fs/bpf/credgate");
	assert_true(cfg.unload_on_stop);
	assert_string_equal(cfg.socket_path, "/run/cg/ctl.sock");
	assert_string_equal(cfg.socket_group, "credgate");
	assert_true(cfg.journal);
	assert_string_equal(cfg.events_file, "/var/log/credgate/events.json");
	assert_int_equal(cfg.events_file_max_size, 1048576);
	assert_int_equal(cfg.events_file_keep, 3);
	assert_int_equal(cfg.observe_rate, 100);
	assert_int_equal(cfg.observe_burst, 200);
	assert_int_equal(cfg.deny_rate, 10);
	assert_string_equal(cfg.metrics_file, "/var/log/credgate/credgate.prom");
	settings_free(&cfg);

	/* denySummaryBurst: 0 and auditRecords: off are set, not just left at a default. */
	options_defaults(&cfg);
	cfg.deny_burst = 7;
	cfg.audit_avc = true;
	assert_int_equal(settings_parse("c.yaml",
					"apiVersion: credgate.io/v1\nkind: AgentConfig\ndenySummaryBurst: 0\n"
					"auditRecords: off\n",
					83, &cfg, &diags),
			 0);
	assert_no_diags(&diags);
	assert_int_equal(cfg.deny_burst, 0);
	assert_false(cfg.audit_avc);
	settings_free(&cfg);

	/* Bad values name the key. */
	assert_int_equal(parse_text("apiVersion: credgate.io/v1\nkind: AgentConfig\neventsFileKeep: 0\n"
				    "socketGroup: a/b\njournal: maybe\n",
				    95, &cfg, &diags),
			 -EINVAL);
	assert_int_equal(diags.errors, 3);
	assert_defaults(&cfg);
	policy_diags_clear(&diags);
	settings_free(&cfg);
}

/* containerCgroups: anchored patterns, normalised; each refusal names its line and why. */
static void test_container_cgroups(void **state)
{
	static const char good[] = "apiVersion: credgate.io/v1\nkind: AgentConfig\n"
				   "containerCgroups:\n  - //custom.slice/docker-*.scope\n  - /ci/**/job-*\n";
	static const char bad[] = "apiVersion: credgate.io/v1\nkind: AgentConfig\n"
				  "containerCgroups:\n  - /**/docker-*.scope\n  - custom.slice\n  - /ok/*\n"
				  "  - /a/**\n  - [x]\n";
	struct agent_options cfg;
	struct policy_diags diags = {};
	char *got;

	assert_int_equal(parse_text(good, sizeof(good) - 1, &cfg, &diags), 0);
	assert_no_diags(&diags);
	assert_non_null(cfg.container_cgroups);
	assert_int_equal(cfg.n_container_cgroups, 2);
	assert_string_equal(cfg.container_cgroups[0], "/custom.slice/docker-*.scope");
	assert_string_equal(cfg.container_cgroups[1], "/ci/**/job-*");
	settings_free(&cfg);

	assert_int_equal(parse_text(bad, sizeof(bad) - 1, &cfg, &diags), -EINVAL);
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
	assert_null(cfg.container_cgroups);
	assert_int_equal(cfg.n_container_cgroups, 0);
	assert_defaults(&cfg);
	policy_diags_clear(&diags);
	settings_free(&cfg);
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
		/* A good key before a bad one is not kept either. */
		{ "apiVersion: credgate.io/v1\nkind: AgentConfig\npinDir: /sys/fs/bpf/cg\noutput: yaml\n",
		  "c.yaml:4:9: error: output: expected 'json' or 'compact', got 'yaml'\n" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct agent_options cfg;
		struct policy_diags diags = {};
		char *got;

		assert_int_equal(parse_text(cases[i].text, strlen(cases[i].text), &cfg, &diags), -EINVAL);
		got = format_diags(&diags);
		assert_string_equal(got, cases[i].expected);
		assert_defaults(&cfg);
		free(got);
		settings_free(&cfg);
		policy_diags_clear(&diags);
	}
}

#define FLAGS(opts, ...)                                                                           \
	({                                                                                         \
		char *argv[] = { "credgated", __VA_ARGS__, NULL };                                 \
		options_apply_flags((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv, (opts));     \
	})

/* The layers: a flag wins over the file, the file over the default; a flag replaces only its settings. */
static void test_flags_over_file(void **state)
{
	static const char text[] = "apiVersion: credgate.io/v1\nkind: AgentConfig\n"
				   "policyDir: /srv/policies\noutput: compact\nlsmUnavailable: observe\n"
				   "nodeName: file-node\nobserveRate: 5\nobserveBurst: 7\ndenySummaryRate: 3\n"
				   "denySummaryBurst: 4\npinDir: /sys/fs/bpf/cg\n";
	struct agent_options o;
	struct policy_diags diags = {};

	/* No flag: the file's values. */
	assert_int_equal(parse_text(text, sizeof(text) - 1, &o, &diags), 0);
	assert_no_diags(&diags);
	assert_int_equal(FLAGS(&o, "-v"), 0);
	assert_string_equal(o.policy_path, "/srv/policies");
	assert_int_equal(o.output, OUTPUT_COMPACT);
	assert_int_equal(o.lsm_unavailable, LSM_UNAVAILABLE_OBSERVE);
	assert_string_equal(o.node_name, "file-node");
	assert_int_equal(o.observe_rate, 5);
	assert_int_equal(o.observe_burst, 7);
	assert_int_equal(o.verbosity, 1);
	settings_free(&o);

	/* Flags: theirs; --rate-limit replaces the file's rate and burst, --deny-summary is left alone. */
	assert_int_equal(parse_text(text, sizeof(text) - 1, &o, &diags), 0);
	assert_int_equal(FLAGS(&o, "--output=json", "--lsm-unavailable", "kill", "--node-name", "flag-node",
			       "--rate-limit=9", "-p", "builtin"),
			 0);
	assert_int_equal(o.output, OUTPUT_JSON);
	assert_int_equal(o.lsm_unavailable, LSM_UNAVAILABLE_KILL);
	assert_string_equal(o.node_name, "flag-node");
	assert_int_equal(o.observe_rate, 9);
	assert_int_equal(o.observe_burst, 0);
	assert_int_equal(o.deny_rate, 3);
	assert_int_equal(o.deny_burst, 4);
	assert_true(o.builtin_policy);
	assert_null(o.policy_path);
	assert_string_equal(o.pin_dir, "/sys/fs/bpf/cg");
	settings_free(&o);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path);
}

static void test_file_size_limit(void **state)
{
	const char *tmp = getenv("TMPDIR");
	char dir[PATH_MAX - 32], path[PATH_MAX];
	struct agent_options cfg;
	struct policy_diags diags = {};
	size_t len = CREDGATE_CONFIG_MAX_FILE_SIZE + 1;
	char *text = malloc(len), *got, *expected;
	FILE *f;

	assert_non_null(text);
	for (size_t i = 0; i < len; i++)
		text[i] = i % 64 == 63 ? '\n' : '#';
	snprintf(dir, sizeof(dir), "%s/test_settings.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/credgate.yaml", dir);
	f = fopen(path, "we");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);

	options_defaults(&cfg);
	assert_int_equal(settings_load(path, &cfg, &diags), -EFBIG);
	assert_defaults(&cfg);
	assert_int_equal(settings_parse("c.yaml", text, len, &cfg, &diags), -EFBIG);
	assert_defaults(&cfg);
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
	assert_int_equal(settings_parse("c.yaml", text, len - 1, &cfg, &diags), 0);
	assert_no_diags(&diags);
	assert_defaults(&cfg);
	settings_free(&cfg);

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
		cmocka_unit_test(test_flags_over_file),
		cmocka_unit_test(test_file_size_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
