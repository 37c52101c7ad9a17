// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for agent/events/proc_info.c, against a fake /proc tree: stat (with
 * an awkward comm), binary, arguments, cwd, status and loginuid.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
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
	write_file("77/status", "Name:\tsu\nUid:\t1000\t0\t0\t0\nNSpid:\t77\t5\n", 37);
	write_file("77/loginuid", "4294967295", 10);
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
	char buf[4096];
	struct proc_stat st;
	bool truncated;
	uint32_t uid = 0, nspid = 0, auid = 0;

	assert_int_equal(proc_read_stat(root, 77, &st), 0);
	assert_int_equal(st.start_ticks, 1234);
	assert_int_equal(start_ns_of_tick(st.start_ticks), start_ns_of_tick(1234));
	assert_int_equal(st.ppid, 1);
	assert_string_equal(st.comm, "my (odd) comm");
	assert_int_equal(proc_read_link(root, 77, "exe", buf, sizeof(buf)), 11);
	assert_string_equal(buf, "/usr/bin/su");
	assert_int_equal(proc_read_link(root, 77, "cwd", buf, sizeof(buf)), 7);
	assert_string_equal(buf, "/home/x");
	assert_int_equal(proc_read_arguments(root, 77, buf, sizeof(buf), &truncated), 10);
	assert_string_equal(buf, "root -c id");
	assert_false(truncated);
	assert_int_equal(proc_read_status(root, 77, &uid, &nspid), 0);
	assert_int_equal(uid, 1000);
	assert_int_equal(nspid, 5);
	assert_int_equal(proc_read_loginuid(root, 77, &auid), 0);
	assert_int_equal(auid, 4294967295u);
}

static void test_missing_process(void **state)
{
	char buf[64];
	struct proc_stat st;
	bool truncated;
	uint32_t uid, nspid;

	assert_int_equal(proc_read_stat(root, 78, &st), -ENOENT);
	assert_int_equal(proc_read_link(root, 78, "exe", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(proc_read_arguments(root, 78, buf, sizeof(buf), &truncated), -ENOENT);
	assert_int_equal(proc_read_status(root, 78, &uid, &nspid), -ENOENT);
}

static void test_no_arguments(void **state)
{
	char buf[64];
	bool truncated;

	write_file("77/cmdline", "/bin/sh\0", 8);
	assert_int_equal(proc_read_arguments(root, 77, buf, sizeof(buf), &truncated), 0);
	assert_string_equal(buf, "");
	write_file("77/cmdline", "", 0); /* a kernel thread */
	assert_int_equal(proc_read_arguments(root, 77, buf, sizeof(buf), &truncated), -ENOENT);
}

static void test_join_arguments(void **state)
{
	static const char argv[] = "su\0-c\0echo hi\0\0\0";
	char buf[8];
	bool truncated;

	assert_int_equal(proc_join_arguments(argv, sizeof(argv) - 1, buf, sizeof(buf), &truncated), 7);
	assert_string_equal(buf, "-c echo");
	assert_true(truncated);
	assert_int_equal(proc_join_arguments("su", 2, buf, sizeof(buf), &truncated), 0); /* cut argv[0] */
	assert_string_equal(buf, "");
	assert_int_equal(proc_join_arguments(argv, sizeof(argv) - 1, buf, 0, &truncated), 0);
}

static void test_bad_stat(void **state)
{
	struct proc_stat st;

	write_file("77/stat", "77 no parens S 1", 16);
	assert_int_equal(proc_read_stat(root, 77, &st), -EBADMSG);
	write_file("77/stat", "77 (x) S 1 2", 12);
	assert_int_equal(proc_read_stat(root, 77, &st), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reads_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_process, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_join_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_stat, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
