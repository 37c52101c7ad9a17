// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for agent/events/output_file.c: lines, size-based rotation with kept
 * files, no line lost or split across rotations, and counted failures.
 */
#include <errno.h>
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

#include "output_file.h"

static char dir[PATH_MAX], path[PATH_MAX + 32];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/credgate-oftest.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/events.json", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

/* Lines of a file, each checked to be whole; -1 when missing. */
static long count_lines(const char *p, long *first)
{
	char line[256];
	FILE *f = fopen(p, "r");
	long n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		assert_non_null(strchr(line, '\n'));
		assert_int_equal(strncmp(line, "{\"n\":", 5), 0);
		if (n == 0 && first)
			*first = atol(line + 5);
		n++;
	}
	fclose(f);
	return n;
}

static void test_rotation_keeps_every_line(void **state)
{
	struct output_file_options o = { .path = path, .max_bytes = 1000, .keep = 3 };
	struct output_file_stats st;
	struct output_file *f;
	char line[64], p[PATH_MAX + 64];
	long total = 0, first = -1;

	assert_int_equal(output_file__open(&f, &o), 0);
	for (int i = 0; i < 200; i++) {
		int n = snprintf(line, sizeof(line), "{\"n\":%d,\"pad\":\"xxxxxxxxxxxxxxxxxxxx\"}", i);

		assert_int_equal(output_file__write(f, line, (size_t)n), 0);
	}
	output_file__free(f);
	/* The newest 4 files (events.json and .1 .. .3) hold the last lines, none split. */
	for (int i = 0; i <= 3; i++) {
		long n;
		struct stat sb;

		if (i)
			snprintf(p, sizeof(p), "%s.%d", path, i);
		else
			snprintf(p, sizeof(p), "%s", path);
		n = count_lines(p, i == 3 ? &first : NULL);
		assert_true(n > 0);
		total += n;
		assert_int_equal(stat(p, &sb), 0);
		assert_true(sb.st_size <= 1000);
	}
	snprintf(p, sizeof(p), "%s.4", path);
	assert_int_equal(access(p, F_OK), -1);
	/* Lines are consecutive from the oldest kept file to the current one. */
	assert_int_equal(first + total, 200);

	assert_int_equal(output_file__open(&f, &o), 0);
	output_file__stats(f, &st);
	assert_int_equal(st.lines_lost, 0);
	output_file__free(f);
}

static void test_appends_and_counts(void **state)
{
	struct output_file_options o = { .path = path };
	struct output_file_stats st;
	struct output_file *f;

	assert_int_equal(output_file__open(&f, &o), 0);
	assert_int_equal(output_file__write(f, "{\"n\":1}", 7), 0);
	assert_int_equal(output_file__flush(f), 0);
	output_file__free(f);
	assert_int_equal(output_file__open(&f, &o), 0); /* appends */
	assert_int_equal(output_file__write(f, "{\"n\":2}", 7), 0);
	assert_int_equal(output_file__flush(f), 0);
	output_file__stats(f, &st);
	assert_int_equal(st.lines, 1);
	assert_int_equal(st.bytes, 8);
	output_file__free(f);
	assert_int_equal(count_lines(path, NULL), 2);
}

/* A line longer than the buffer goes out whole. */
static void test_long_line(void **state)
{
	struct output_file_options o = { .path = path, .max_bytes = 100, .keep = 1 };
	struct output_file *f;
	char *big = malloc(200000);

	assert_non_null(big);
	memcpy(big, "{\"n\":0,\"x\":\"", 12);
	memset(big + 12, 'y', 200000 - 14);
	memcpy(big + 200000 - 2, "\"}", 2);
	assert_int_equal(output_file__open(&f, &o), 0);
	assert_int_equal(output_file__write(f, "{\"n\":1}", 7), 0);
	assert_int_equal(output_file__write(f, big, 200000), 0);
	output_file__free(f);
	free(big);
}

static void test_write_errors_are_counted(void **state)
{
	struct output_file_options o = { .path = "/dev/full" };
	struct output_file_stats st;
	struct output_file *f;

	assert_int_equal(output_file__open(&f, &o), 0);
	assert_int_equal(output_file__write(f, "{\"n\":1}", 7), 0);
	assert_int_equal(output_file__write(f, "{\"n\":2}", 7), 0);
	assert_int_equal(output_file__flush(f), -ENOSPC);
	output_file__stats(f, &st);
	assert_int_equal(st.lines_lost, 2);
	assert_int_equal(st.lines, 0);
	output_file__free(f);
}

static void test_bad_options(void **state)
{
	struct output_file_options o = { .path = "" };
	struct output_file *f;

	assert_int_equal(output_file__open(&f, &o), -EINVAL);
	o.path = path;
	o.keep = OUTPUT_FILE_MAX_KEEP + 1;
	assert_int_equal(output_file__open(&f, &o), -EINVAL);
	o.keep = 1;
	o.path = "/nonexistent-dir/x.json";
	assert_int_equal(output_file__open(&f, &o), -ENOENT);
	output_file__free(NULL);
}

/*
 * Someone who can write the events directory places a symbolic link, or a
 * hard link, named like the events file, to a file they want written into
 * (or, at rotation, renamed). Neither may be followed; the victim is
 * untouched.
 */
static void test_no_links_followed(void **state)
{
	struct output_file_options o = { .path = path, .keep = 1 };
	char victim[PATH_MAX + 32];
	struct output_file *f;
	struct stat st;
	FILE *v;

	snprintf(victim, sizeof(victim), "%s/victim", dir);
	v = fopen(victim, "w");
	assert_non_null(v);
	fputs("secret\n", v);
	fclose(v);

	assert_int_equal(symlink(victim, path), 0);
	assert_int_equal(open_append_nofollow(path, 0640), -ELOOP);
	assert_int_equal(output_file__open(&f, &o), -ELOOP);
	assert_int_equal(unlink(path), 0);

	assert_int_equal(link(victim, path), 0);
	assert_int_equal(open_append_nofollow(path, 0640), -EMLINK);
	assert_int_equal(output_file__open(&f, &o), -EMLINK);
	assert_int_equal(unlink(path), 0);

	assert_int_equal(stat(victim, &st), 0);
	assert_int_equal(st.st_size, 7);

	/* A file of its own is fine. */
	int fd = open_append_nofollow(path, 0640);

	assert_true(fd >= 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rotation_keeps_every_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_appends_and_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_errors_are_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_links_followed, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
