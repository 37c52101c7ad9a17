// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests for agent/daemon/options.c: credgated's command line. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "options.h"
#include "settings.h"

#define PARSE(opts, ...)                                                                           \
	({                                                                                         \
		char *argv[] = { "credgated", __VA_ARGS__, NULL };                                 \
		options_parse((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv, (opts));           \
	})

static void test_defaults(void **state)
{
	struct agent_options o;
	char *argv[] = { "credgated", NULL };

	assert_int_equal(options_parse(1, argv, &o), 0);
	assert_null(o.policy_path);
	assert_false(o.builtin_policy);
	assert_int_equal(o.output, OUTPUT_JSON);
	assert_string_equal(o.events_path, "-");
	assert_int_equal(o.lsm_unavailable, LSM_UNAVAILABLE_FAIL);
	assert_int_equal(o.ringbuf_bytes, 4u << 20);
	assert_int_equal(o.cgroup_map_size, CG_MAX_CGROUPS);
}

static void test_all_options(void **state)
{
	struct agent_options o;

	assert_int_equal(PARSE(&o, "--policy", "/etc/x", "-o", "compact", "--events", "/tmp/e",
			       "--lsm-unavailable=kill", "--node-name", "n1", "--ringbuf-size", "65536",
			       "--force-tracepoints", "-vv"),
			 0);
	assert_string_equal(o.policy_path, "/etc/x");
	assert_int_equal(o.output, OUTPUT_COMPACT);
	assert_string_equal(o.events_path, "/tmp/e");
	assert_int_equal(o.lsm_unavailable, LSM_UNAVAILABLE_KILL);
	assert_string_equal(o.node_name, "n1");
	assert_int_equal(o.ringbuf_bytes, 65536);
	assert_true(o.force_tracepoints);
	assert_int_equal(o.verbosity, 2);
	assert_int_equal(PARSE(&o, "--policy=builtin"), 0);
	assert_true(o.builtin_policy);
	assert_int_equal(PARSE(&o, "--lsm-unavailable", "observe"), 0);
	assert_int_equal(o.lsm_unavailable, LSM_UNAVAILABLE_OBSERVE);
}

static void test_rejects(void **state)
{
	struct agent_options o;

	assert_int_equal(PARSE(&o, "--output", "xml"), -EINVAL);
	assert_int_equal(PARSE(&o, "--lsm-unavailable=maybe"), -EINVAL);
	assert_int_equal(PARSE(&o, "--ringbuf-size", "1000"), -EINVAL);   /* not a power of two */
	assert_int_equal(PARSE(&o, "--ringbuf-size", "2048"), -EINVAL);   /* below a page */
	assert_int_equal(PARSE(&o, "--ringbuf-size", "12abc"), -EINVAL);
	assert_int_equal(PARSE(&o, "--node-name", ""), -EINVAL);
	assert_int_equal(PARSE(&o, "--cgroup-map-size", "255"), -EINVAL);
	assert_int_equal(PARSE(&o, "--cgroup-map-size", "1048577"), -EINVAL);
	assert_int_equal(PARSE(&o, "--cgroup-map-size", "-1"), -EINVAL);
	assert_int_equal(PARSE(&o, "--cgroup-map-size", "512k"), -EINVAL);
	assert_int_equal(PARSE(&o, "stray"), -EINVAL);
	assert_int_equal(PARSE(&o, "--no-such-option"), -EINVAL);
}

#define FLAGS(opts, ...)                                                                           \
	({                                                                                         \
		char *argv[] = { "credgated", __VA_ARGS__, NULL };                                 \
		options_apply_flags((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv, (opts));     \
	})

/* The defaults with the settings file @key: @value over them. */
static void settings_file(struct agent_options *o, const char *key, const char *value)
{
	struct policy_diags diags = {};
	char text[256];
	int n = snprintf(text, sizeof(text), "apiVersion: credgate.io/v1\nkind: AgentConfig\n%s: %s\n", key, value);

	assert_true(n > 0 && (size_t)n < sizeof(text));
	options_defaults(o);
	assert_int_equal(settings_parse("c.yaml", text, (size_t)n, o, &diags), 0);
	assert_int_equal(diags.count, 0);
}

/* cgroupMapSize: the flag wins over the settings file, the file over the default; bounds inclusive. */
static void test_cgroup_map_size(void **state)
{
	struct agent_options o;

	settings_file(&o, "cgroupMapSize", "100000");
	assert_int_equal(FLAGS(&o, "-v"), 0);
	assert_int_equal(o.cgroup_map_size, 100000);
	settings_free(&o);
	settings_file(&o, "cgroupMapSize", "100000");
	assert_int_equal(FLAGS(&o, "--cgroup-map-size", "256"), 0);
	assert_int_equal(o.cgroup_map_size, 256);
	settings_free(&o);
	assert_int_equal(PARSE(&o, "--cgroup-map-size=1048576"), 0);
	assert_int_equal(o.cgroup_map_size, 1048576);
}

/* auditRecords: off by default; the flag wins over the settings file, the file over the default. */
static void test_audit_records(void **state)
{
	struct agent_options o;

	assert_int_equal(PARSE(&o, "-v"), 0);
	assert_false(o.audit_avc);
	settings_file(&o, "auditRecords", "avc");
	assert_int_equal(FLAGS(&o, "-v"), 0);
	assert_true(o.audit_avc);
	assert_int_equal(FLAGS(&o, "--audit-records=off"), 0);
	assert_false(o.audit_avc);
	settings_free(&o);
	assert_int_equal(PARSE(&o, "--audit-records", "avc"), 0);
	assert_true(o.audit_avc);
	assert_int_equal(PARSE(&o, "--audit-records=syslog"), -EINVAL);
}

/* metricsFile: none by default; an absolute path; the flag wins over the settings file. */
static void test_metrics_file(void **state)
{
	struct agent_options o;

	assert_int_equal(PARSE(&o, "-v"), 0);
	assert_null(o.metrics_file);
	settings_file(&o, "metricsFile", "/run/a.prom");
	assert_int_equal(FLAGS(&o, "-v"), 0);
	assert_string_equal(o.metrics_file, "/run/a.prom");
	assert_int_equal(FLAGS(&o, "--metrics-file=/run/b.prom"), 0);
	assert_string_equal(o.metrics_file, "/run/b.prom");
	settings_free(&o);
	assert_int_equal(PARSE(&o, "--metrics-file", "b.prom"), -EINVAL);
}

static void test_help(void **state)
{
	struct agent_options o;

	assert_int_equal(PARSE(&o, "--help"), 1);
	assert_int_equal(PARSE(&o, "--version"), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_options),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_audit_records),
		cmocka_unit_test(test_cgroup_map_size),
		cmocka_unit_test(test_metrics_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
