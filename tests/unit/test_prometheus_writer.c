// SPDX-License-Identifier: LGPL-2.1-or-later
/* Unit tests for agent/base/prometheus_writer.c: sample format, HELP/TYPE, label escaping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "prometheus_writer.h"

static void test_empty(void **state)
{
	struct prom_writer w;

	prom_writer_init(&w);
	assert_string_equal(prom_writer_text(&w), "");
	assert_int_equal(prom_writer_len(&w), 0);
	prom_writer_free(&w);
}

static void test_family(void **state)
{
	struct prom_writer w;

	prom_writer_init(&w);
	prom_sample(&w, "credgate_decisions_total", "Credential changes decided, by verdict.", "counter",
		    "verdict=\"allowed\"", 3);
	prom_sample(&w, "credgate_decisions_total", NULL, NULL, "verdict=\"denied\"", UINT64_MAX);
	prom_sample(&w, "credgate_policies", "Policies in force.", "gauge", NULL, 0);
	assert_string_equal(prom_writer_text(&w),
			    "# HELP credgate_decisions_total Credential changes decided, by verdict.\n"
			    "# TYPE credgate_decisions_total counter\n"
			    "credgate_decisions_total{verdict=\"allowed\"} 3\n"
			    "credgate_decisions_total{verdict=\"denied\"} 18446744073709551615\n"
			    "# HELP credgate_policies Policies in force.\n"
			    "# TYPE credgate_policies gauge\n"
			    "credgate_policies 0\n");
	assert_int_equal(prom_writer_len(&w), strlen(prom_writer_text(&w)));
	prom_writer_free(&w);
}

/* Long label sets (a cgroup path of PATH_MAX) are written whole, never cut at a line buffer. */
static void test_long_labels(void **state)
{
	static char labels[9000], expect[9100];
	struct prom_writer w;

	memset(labels, 'a', sizeof(labels) - 1);
	snprintf(expect, sizeof(expect), "m{%s} 7\n", labels);
	prom_writer_init(&w);
	for (int i = 0; i < 3; i++)
		prom_sample(&w, "m", NULL, NULL, labels, 7);
	assert_non_null(prom_writer_text(&w));
	assert_int_equal(prom_writer_len(&w), 3 * strlen(expect));
	assert_memory_equal(prom_writer_text(&w) + 2 * strlen(expect), expect, strlen(expect));
	prom_writer_free(&w);
}

static void test_label_escape(void **state)
{
	char buf[64];

	prom_label_escape("/sys/fs/cgroup/a\"b\\c\nd", buf, sizeof(buf));
	assert_string_equal(buf, "/sys/fs/cgroup/a\\\"b\\\\c\\nd");
	/* Other bytes pass unchanged: the format escapes only these three. */
	prom_label_escape("tab\there \x01", buf, sizeof(buf));
	assert_string_equal(buf, "tab\there \x01");
	prom_label_escape("", buf, sizeof(buf));
	assert_string_equal(buf, "");
}

/* Truncation keeps the NUL and never splits an escape. */
static void test_label_escape_bounds(void **state)
{
	char buf[8];

	memset(buf, 'X', sizeof(buf));
	prom_label_escape("abcdefghijkl", buf, sizeof(buf));
	assert_string_equal(buf, "abcde");
	prom_label_escape("abcd\"\"\"\"", buf, sizeof(buf));
	assert_string_equal(buf, "abcd\\\"");
	prom_label_escape("\"\"\"\"", buf, 4);
	assert_string_equal(buf, "\\\"");
	prom_label_escape("abc", buf, 1);
	assert_string_equal(buf, "");
	buf[0] = 'X';
	prom_label_escape("abc", buf, 0);
	assert_int_equal(buf[0], 'X');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_family),
		cmocka_unit_test(test_long_labels),
		cmocka_unit_test(test_label_escape),
		cmocka_unit_test(test_label_escape_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
