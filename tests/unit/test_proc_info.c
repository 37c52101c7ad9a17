// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for agent/proc_info.c, against a fake /proc tree: binary,
 * arguments, cwd, and refusing a pid that now belongs to another process.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "proc_info.h"

static char root[PATH_MAX];

/* The start time, in ns since boot, that /proc shows as @tick clock ticks. */
static uint64_t start_ns_of_tick(uint64_t tick)
{
	return tick * (1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK));
}

static void write_file(const char *rel, const char *data, size_t len)
{
	char path[PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* A process 77 that started 1234 clock ticks after boot. */
static int setup(void **state)
{
	static const char cmdline[] = "/bin/su\0root\0-c\0id\0";
	static const char stat_line[] =
		"77 (my (odd) comm) S 1 77 77 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 1234 1000 100\n";
	char path[PATH_MAX + 64];

	snprintf(root, sizeof(root), "/tmp/credgate-proctest.XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/77", root);
	assert_int_equal(mkdir(path, 0755), 0);
	write_file("77/stat", stat_line, sizeof(stat_line) - 1);
	write_file("77/cmdline", cmdline, sizeof(cmdline) - 1);
	snprintf(path, sizeof(path), "%s/77/exe", root);
	assert_int_equal(symlink("/usr/bin/su", path), 0);
	snprintf(path, sizeof(path), "%s/77/cwd", root);
	assert_int_equal(symlink("/home/x", path), 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static void test_reads_identity(void **state)
{
	struct proc_cache *cache = NULL;
	const struct proc_info *info;
	uint64_t start = start_ns_of_tick(1234) + 1; /* within tick 1234 */

	assert_int_equal(proc_cache__new(&cache, root, 16), 0);
	info = proc_cache__get(cache, 77, start, 1);
	assert_non_null(info);
	assert_true(info->has_binary);
	assert_string_equal(info->binary, "/usr/bin/su");
	assert_string_equal(info->arguments, "root -c id");
	assert_string_equal(info->cwd, "/home/x");
	/* Cached: served without reading again, even once the files are gone. */
	write_file("77/cmdline", "x\0", 2);
	info = proc_cache__get(cache, 77, start, 2);
	assert_string_equal(info->arguments, "root -c id");
	proc_cache__free(cache);
}

static void test_rejects_reused_pid(void **state)
{
	struct proc_cache *cache = NULL;

	assert_int_equal(proc_cache__new(&cache, root, 16), 0);
	/* Another start time: pid 77 is not the process the event is about. */
	assert_null(proc_cache__get(cache, 77, 99990000000ull, 1));
	assert_null(proc_cache__get(cache, 78, start_ns_of_tick(1234), 1));
	proc_cache__free(cache);
}

static void test_no_arguments(void **state)
{
	struct proc_cache *cache = NULL;
	const struct proc_info *info;

	write_file("77/cmdline", "/bin/sh\0", 8);
	assert_int_equal(proc_cache__new(&cache, root, 16), 0);
	info = proc_cache__get(cache, 77, start_ns_of_tick(1234), 1);
	assert_non_null(info);
	assert_string_equal(info->arguments, "");
	proc_cache__free(cache);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reads_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rejects_reused_pid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_arguments, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
