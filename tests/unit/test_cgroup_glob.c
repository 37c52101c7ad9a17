/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * policy/cgroup_glob.c: the one set of rules for a cgroup glob, and
 * containerCgroups' reading of it, refusal by refusal with its exact words.
 * (A selector's "cgroup:" wording is in the bad corpus: selector-globs,
 * selector-deep, cgroup-dotdot.)
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy/cgroup_glob.h"
#include "policy/policy.h"

/* "/c1/c2/.../cN", with "**" after component @any_after when it is not 0. */
static char *deep_path(unsigned n, unsigned any_after)
{
	char *path = malloc(n * 8 + 8);
	size_t len = 0;

	assert_non_null(path);
	for (unsigned i = 1; i <= n; i++) {
		len += (size_t)sprintf(path + len, "/c%u", i);
		if (i == any_after)
			len += (size_t)sprintf(path + len, "/**");
	}
	path[len] = '\0';
	return path;
}

static void expect_container(const char *pattern, const char *normal)
{
	const char *why = "unset";
	char *ret = NULL;

	assert_int_equal(policy_container_cgroup_pattern(pattern, &ret, &why), 0);
	assert_null(why);
	assert_string_equal(ret, normal);
	free(ret);
}

static void expect_container_refused(const char *pattern, const char *want)
{
	const char *why = NULL;
	char *ret = (char *)"unset";

	assert_int_equal(policy_container_cgroup_pattern(pattern, &ret, &why), -EINVAL);
	assert_null(ret);
	assert_non_null(why);
	assert_string_equal(why, want);
}

static void test_container_cgroups(void **state)
{
	char long_component[CG_PATTERN_LEN + 2], long_path[POLICY_MAX_PATH_LEN + 2];
	char *path;

	expect_container("//custom.slice//docker-*.scope/", "custom.slice/docker-*.scope");
	expect_container("/ci/**/**/job-?", "ci/**/job-?");
	expect_container_refused("custom.slice", "not an absolute path (it must start with '/')");
	expect_container_refused("/a\tb", "control characters are not allowed");
	expect_container_refused("/**/docker-*.scope",
				 "it starts with '**', so it would match at any depth, in subtrees whose names users "
				 "and containers choose: anchor it at the root (/parent.slice/...)");
	expect_container_refused("//**", "it starts with '**', so it would match at any depth, in subtrees whose "
					 "names users and containers choose: anchor it at the root (/parent.slice/...)");
	expect_container_refused("/a/../b", "'.' and '..' components are not allowed");
	expect_container_refused("/a/./b", "'.' and '..' components are not allowed");
	expect_container_refused("/a/d*ck*r",
				 "a component has more than one '*' (the kernel matcher allows one per component)");
	expect_container_refused("/", "it names the root cgroup, which holds the host");
	expect_container_refused("///", "it names the root cgroup, which holds the host");
	expect_container_refused("/custom.slice/**",
				 "it ends with '**': name the containers' own cgroups, not everything below a parent");
	expect_container_refused("/a/**/**", "it ends with '**': name the containers' own cgroups, not everything "
					     "below a parent");
	/* The first rule broken is the one named: '.' before the stars after it. */
	expect_container_refused("/a/../b*c*d", "'.' and '..' components are not allowed");

	long_component[0] = '/';
	memset(long_component + 1, 'x', CG_PATTERN_LEN - 1);
	long_component[CG_PATTERN_LEN] = '\0';
	expect_container(long_component, long_component + 1); /* CG_PATTERN_LEN - 1 bytes: fits */
	long_component[CG_PATTERN_LEN] = 'x';
	long_component[CG_PATTERN_LEN + 1] = '\0';
	expect_container_refused(long_component, "a component is longer than CG_PATTERN_LEN - 1 bytes");

	long_path[0] = '/';
	memset(long_path + 1, 'a', POLICY_MAX_PATH_LEN);
	long_path[POLICY_MAX_PATH_LEN + 1] = '\0';
	expect_container_refused(long_path, "longer than POLICY_MAX_PATH_LEN (4096)");

	/* Depth: containerCgroups counts a "**" as a component, as it always has. */
	path = deep_path(CG_MAX_CGROUP_DEPTH, 0);
	expect_container(path, path + 1);
	free(path);
	path = deep_path(CG_MAX_CGROUP_DEPTH + 1, 0);
	expect_container_refused(path, "more than CG_MAX_CGROUP_DEPTH (32) components");
	free(path);
	path = deep_path(CG_MAX_CGROUP_DEPTH - 1, 3);
	expect_container(path, path + 1);
	free(path);
	path = deep_path(CG_MAX_CGROUP_DEPTH, 3);
	expect_container_refused(path, "more than CG_MAX_CGROUP_DEPTH (32) components");
	free(path);
}

/* A selector's reading: "**" may come first and matches zero components, so it is not counted. */
static void test_selector_form(void **state)
{
	struct cgroup_glob g;
	char *path;

	assert_int_equal(cgroup_glob_parse("/**/**/web.scope", 0, &g), 0);
	assert_string_equal(g.pattern, "**/web.scope");
	assert_int_equal(g.components, 1);
	assert_false(g.ends_any);
	free(g.pattern);

	assert_int_equal(cgroup_glob_parse("/a/**", 0, &g), 0);
	assert_string_equal(g.pattern, "a/**");
	assert_true(g.ends_any);
	free(g.pattern);

	assert_int_equal(cgroup_glob_parse("/", 0, &g), 0);
	assert_string_equal(g.pattern, "");
	assert_int_equal(g.components, 0);
	free(g.pattern);

	path = deep_path(CG_MAX_CGROUP_DEPTH, 3);
	assert_int_equal(cgroup_glob_parse(path, 0, &g), 0);
	assert_int_equal(g.components, CG_MAX_CGROUP_DEPTH);
	free(g.pattern);
	assert_int_equal(cgroup_glob_parse(path, CGROUP_GLOB_ANCHORED, &g), -EINVAL);
	assert_int_equal(g.problem, CGROUP_GLOB_DEEP);
	assert_null(g.pattern);
	free(path);

	/* Where the problem is, for the selector's message. */
	assert_int_equal(cgroup_glob_parse("/ok/b**c/x*y*z", 0, &g), -EINVAL);
	assert_int_equal(g.problem, CGROUP_GLOB_STARS);
	assert_int_equal(g.at_len, 4);
	assert_memory_equal(g.at, "b**c", 4);
	assert_int_equal(g.stars, 2);
	assert_null(g.pattern);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_container_cgroups),
		cmocka_unit_test(test_selector_form),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
