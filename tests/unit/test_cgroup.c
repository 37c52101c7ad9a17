// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for agent/kernel/cgroup.c: finding the cgroup2 mount in mountinfo
 * (escapes, hybrid layouts, subtree mounts) and resolving paths to ids, on
 * a real directory tree standing in for the hierarchy.
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

#include "cgroup.h"

static void test_parse_lines(void **state)
{
	char mp[PATH_MAX];

	/* This machine's hybrid layout: cgroup2 at /sys/fs/cgroup/unified. */
	assert_int_equal(cgroup_parse_mountinfo_line(
				 "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n", mp,
				 sizeof(mp)),
			 1);
	assert_string_equal(mp, "/sys/fs/cgroup/unified");
	/* Optional fields before the separator. */
	assert_int_equal(cgroup_parse_mountinfo_line(
				 "30 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 master:1 - cgroup2 cgroup2 rw,nsdelegate",
				 mp, sizeof(mp)),
			 1);
	assert_string_equal(mp, "/sys/fs/cgroup");
	/* Octal escapes in the mount point. */
	assert_int_equal(cgroup_parse_mountinfo_line("1 2 0:1 / /mnt/my\\040cg\\134x rw - cgroup2 none rw", mp,
						     sizeof(mp)),
			 1);
	assert_string_equal(mp, "/mnt/my cg\\x");
	/* cgroup v1 and other file systems are not it. */
	assert_int_equal(cgroup_parse_mountinfo_line(
				 "35 31 0:30 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory", mp, sizeof(mp)),
			 0);
	assert_int_equal(cgroup_parse_mountinfo_line("22 1 8:1 / / rw - ext4 /dev/vda rw", mp, sizeof(mp)), 0);
	/* A mount of a subtree does not show the whole hierarchy. */
	assert_int_equal(cgroup_parse_mountinfo_line("50 40 0:38 /sub /x rw - cgroup2 cgroup2 rw", mp,
						     sizeof(mp)),
			 0);
	/* Garbage. */
	assert_int_equal(cgroup_parse_mountinfo_line("", mp, sizeof(mp)), 0);
	assert_int_equal(cgroup_parse_mountinfo_line("1 2 3", mp, sizeof(mp)), 0);
	assert_int_equal(cgroup_parse_mountinfo_line("1 2 0:1 / /x rw cgroup2", mp, sizeof(mp)), 0);
	/* Too long for the buffer. */
	assert_int_equal(cgroup_parse_mountinfo_line("1 2 0:1 / /abcdefgh rw - cgroup2 c rw", mp, 4), 0);
}

struct fixture {
	char dir[PATH_MAX];
	char mountinfo[PATH_MAX + 32];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	FILE *mi;
	char path[PATH_MAX + 64];

	snprintf(f->dir, sizeof(f->dir), "/tmp/credgate-cgtest.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(path, sizeof(path), "%s/a", f->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/a/b", f->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/file", f->dir);
	fclose(fopen(path, "w"));
	snprintf(f->mountinfo, sizeof(f->mountinfo), "%s/mountinfo", f->dir);
	mi = fopen(f->mountinfo, "w");
	fprintf(mi, "22 1 8:1 / / rw - ext4 /dev/vda rw\n");
	fprintf(mi, "35 31 0:30 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
	fprintf(mi, "41 31 0:38 / %s rw,relatime - cgroup2 cgroup2 rw\n", f->dir);
	fclose(mi);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void test_resolve(void **state)
{
	struct fixture *f = *state;
	struct cgroup_fs *fs = NULL;
	char path[PATH_MAX + 8];
	struct stat st;
	uint64_t id;
	unsigned depth;

	assert_int_equal(cgroup_fs__open(&fs, f->mountinfo), 0);
	assert_string_equal(cgroup_fs__mount_point(fs), f->dir);

	assert_int_equal(cgroup_fs__resolve_path(fs, "/", &id, &depth), 0);
	assert_int_equal(stat(f->dir, &st), 0);
	assert_int_equal(id, st.st_ino);
	assert_int_equal(depth, 0);

	assert_int_equal(cgroup_fs__resolve_path(fs, "/a/b", &id, &depth), 0);
	snprintf(path, sizeof(path), "%s/a/b", f->dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(id, st.st_ino);
	assert_int_equal(depth, 2);

	assert_int_equal(cgroup_fs__resolve_path(fs, "//a//b/", &id, &depth), 0);
	assert_int_equal(depth, 2);

	assert_int_equal(cgroup_fs__resolve_path(fs, "/missing", &id, &depth), -ENOENT);
	assert_int_equal(cgroup_fs__resolve_path(fs, "/file", &id, &depth), -ENOTDIR);
	assert_int_equal(cgroup_fs__resolve_path(fs, "relative", &id, &depth), -EINVAL);
	cgroup_fs__free(fs);
}

static void test_no_cgroup2(void **state)
{
	struct fixture *f = *state;
	struct cgroup_fs *fs = NULL;
	FILE *mi = fopen(f->mountinfo, "w");

	fprintf(mi, "22 1 8:1 / / rw - ext4 /dev/vda rw\n");
	fclose(mi);
	assert_int_equal(cgroup_fs__open(&fs, f->mountinfo), -ENOENT);
	assert_null(fs);
	assert_int_equal(cgroup_fs__open(&fs, "/nonexistent/mountinfo"), -ENOENT);
	cgroup_fs__free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_lines),
		cmocka_unit_test_setup_teardown(test_resolve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_cgroup2, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
