// SPDX-License-Identifier: LGPL-2.1-or-later
/* selinux-compat/detect.c, on fixture files shaped as the kernel's (data/selinux/). */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "selinux-compat/detect.h"

static char *fixture(const char *relative)
{
	const char *base = getenv("CREDGATE_TEST_DATA");
	char *path;

	if (!base)
		fail_msg("CREDGATE_TEST_DATA is not set (run the test through ctest)");
	assert_true(asprintf(&path, "%s/selinux/%s", base, relative) > 0);
	return path;
}

/* Detect with the fixture directory @dir: its lsm, its selinuxfs, no mountinfo entry. */
static void detect(const char *dir, struct selinux_status *st)
{
	char *lsm, *fs, *none = fixture("no-such-mountinfo");
	char *d = fixture(dir);
	struct selinux_paths paths;

	assert_true(asprintf(&lsm, "%s/lsm", d) > 0);
	assert_true(asprintf(&fs, "%s/selinuxfs", d) > 0);
	paths = (struct selinux_paths){ .mountinfo = none, .lsm_list = lsm, .selinuxfs = fs };
	assert_int_equal(selinux_detect(&paths, st), 0);
	free(lsm);
	free(fs);
	free(none);
	free(d);
}

static void test_enforcing(void **state)
{
	struct selinux_status st;
	char line[512];

	detect("enforcing", &st);
	assert_true(st.enabled);
	assert_int_equal(st.mode, SELINUX_MODE_ENFORCING);
	assert_string_equal(st.lsms, "lockdown,capability,landlock,yama,selinux,bpf");
	assert_int_equal(st.selinux_position, 4);
	assert_int_equal(st.bpf_position, 5);
	assert_non_null(strstr(st.selinuxfs, "enforcing/selinuxfs"));
	selinux_describe(&st, line, sizeof(line));
	assert_non_null(strstr(line, "enabled, enforcing (selinuxfs "));
	assert_non_null(strstr(line, "SELinux decides first"));
}

static void test_permissive(void **state)
{
	struct selinux_status st;
	char line[512];

	detect("permissive", &st);
	assert_true(st.enabled);
	assert_int_equal(st.mode, SELINUX_MODE_PERMISSIVE);
	assert_string_equal(selinux_mode_name(st.mode), "permissive");
	/* bpf listed before selinux: credgate's hooks run first. */
	selinux_describe(&st, line, sizeof(line));
	assert_non_null(strstr(line, "credgate decides first"));
}

static void test_no_policy(void **state)
{
	struct selinux_status st;

	detect("no-policy", &st);
	assert_true(st.enabled);
	assert_int_equal(st.mode, SELINUX_MODE_NO_POLICY);
}

static void test_off(void **state)
{
	struct selinux_status st;
	char line[512];

	detect("off", &st);
	assert_false(st.enabled);
	assert_int_equal(st.mode, SELINUX_MODE_OFF);
	assert_int_equal(st.selinux_position, -1);
	assert_int_equal(st.bpf_position, 3);
	selinux_describe(&st, line, sizeof(line));
	assert_string_equal(line, "not enabled (LSM order lockdown,capability,landlock,bpf)");
}

static void test_unmounted(void **state)
{
	struct selinux_status st;
	char line[512];

	detect("unmounted", &st);
	assert_true(st.enabled);
	assert_int_equal(st.mode, SELINUX_MODE_UNKNOWN);
	assert_string_equal(st.selinuxfs, "");
	selinux_describe(&st, line, sizeof(line));
	assert_non_null(strstr(line, "selinuxfs not mounted"));
	assert_non_null(strstr(line, "bpf is not an active LSM"));
}

/* No securityfs: a mounted selinuxfs is the evidence. */
static void test_no_lsm_list(void **state)
{
	char *fs = fixture("permissive/selinuxfs"), *missing = fixture("permissive/no-lsm-file");
	struct selinux_paths paths = { .mountinfo = missing, .lsm_list = missing, .selinuxfs = fs };
	struct selinux_status st;

	assert_int_equal(selinux_detect(&paths, &st), 0);
	assert_true(st.enabled);
	assert_string_equal(st.lsms, "");
	assert_int_equal(st.mode, SELINUX_MODE_PERMISSIVE);
	free(fs);
	free(missing);
}

static void test_find_mount(void **state)
{
	char *mountinfo = fixture("mountinfo");
	char buf[256];

	/* The first selinuxfs, its \040 (space) and \134 (backslash) decoded. */
	assert_int_equal(selinux_find_mount(mountinfo, "selinuxfs", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/srv/odd mount\\dir");
	assert_int_equal(selinux_find_mount(mountinfo, "securityfs", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/sys/kernel/security");
	assert_int_equal(selinux_find_mount(mountinfo, "tracefs", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(selinux_find_mount("/nonexistent/mountinfo", "selinuxfs", buf, sizeof(buf)), -ENOENT);
	free(mountinfo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enforcing), cmocka_unit_test(test_permissive),  cmocka_unit_test(test_no_policy),
		cmocka_unit_test(test_off),	  cmocka_unit_test(test_unmounted),   cmocka_unit_test(test_no_lsm_list),
		cmocka_unit_test(test_find_mount),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
