/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Helpers shared by the policy/ unit tests (test_policy*.c,
 * test_cgroup_match.c, test_settings.c), #included by each: one test
 * executable per module, each with its own copy. Data live in
 * $CREDGATE_TEST_DATA/policy; names resolve through its etc/passwd and
 * etc/group, never the host's.
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

#include <cmocka.h>

#include "policy/policy.h"

#define TEST_HELPER __attribute__((unused)) static

TEST_HELPER const char *policy_data_dir(void)
{
	static char dir[PATH_MAX];
	const char *base = getenv("CREDGATE_TEST_DATA");

	if (!base)
		fail_msg("CREDGATE_TEST_DATA is not set (run the test through ctest)");
	snprintf(dir, sizeof(dir), "%s/policy", base);
	return dir;
}

TEST_HELPER char *data_path(const char *relative)
{
	char *path;

	assert_true(asprintf(&path, "%s/%s", policy_data_dir(), relative) > 0);
	return path;
}

/* A new set whose names come from the test passwd and group files. */
TEST_HELPER struct policy_set *test_set(void)
{
	struct policy_set *set = policy_set__new();
	char *passwd = data_path("etc/passwd"), *group = data_path("etc/group");

	assert_non_null(set);
	assert_int_equal(policy_set__set_name_files(set, passwd, group), 0);
	free(passwd);
	free(group);
	return set;
}

/* All diagnostics, formatted, one per line (each ends in '\n'). */
TEST_HELPER char *format_diags(const struct policy_diags *diags)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	char line[2048];

	assert_non_null(out);
	for (size_t i = 0; i < diags->count; i++) {
		assert_true(policy_diag_format(&diags->items[i], line, sizeof(line)) >= 0);
		fprintf(out, "%s\n", line);
	}
	assert_int_equal(fclose(out), 0);
	return text;
}

TEST_HELPER void assert_no_diags(const struct policy_diags *diags)
{
	if (diags->count > 0) {
		char *text = format_diags(diags);

		print_error("unexpected diagnostics:\n%s", text);
		free(text);
		fail();
	}
}

/* Parse @text as @file into @set, expecting success with exactly the
 * diagnostics (warnings) @expected ("" for none). */
TEST_HELPER void parse_ok_with(struct policy_set *set, const char *file, const char *text, const char *expected)
{
	struct policy_diags diags = {};
	int r = policy_set__parse(set, file, text, strlen(text), &diags);
	char *got = format_diags(&diags);

	if (strcmp(got, expected) != 0 || r != 0) {
		print_error("r=%d\n--- expected\n%s--- got\n%s", r, expected, got);
		fail();
	}
	free(got);
	policy_diags_clear(&diags);
}

TEST_HELPER void parse_ok(struct policy_set *set, const char *file, const char *text)
{
	parse_ok_with(set, file, text, "");
}

/*
 * A set parsed from CredentialPolicy documents given as pairs: a name, then
 * the indented lines of its spec (selector and any other keys).
 */
TEST_HELPER struct policy_set *load_documents(const char *file, const char *const *documents, size_t count)
{
	struct policy_set *set = test_set();
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	assert_non_null(out);
	for (size_t i = 0; i + 1 < count; i += 2)
		fprintf(out, "---\napiVersion: credgate.io/v1\nkind: CredentialPolicy\nmetadata: {name: %s}\nspec:\n%s",
			documents[i], documents[i + 1]);
	assert_int_equal(fclose(out), 0);
	parse_ok(set, file, text);
	free(text);
	return set;
}

/* Parse @text, expecting failure with exactly @expected (lines, '\n' each). */
TEST_HELPER void parse_fails(const char *file, const char *text, const char *expected)
{
	struct policy_set *set = test_set();
	struct policy_diags diags = {};
	char *got;
	int r;

	r = policy_set__parse(set, file, text, strlen(text), &diags);
	got = format_diags(&diags);
	if (strcmp(got, expected) != 0) {
		print_error("--- expected\n%s--- got\n%s", expected, got);
		fail();
	}
	assert_int_equal(r, -EINVAL);
	assert_int_equal(set->count, 0);
	free(got);
	policy_diags_clear(&diags);
	policy_set__free(set);
}

/* "apiVersion ... spec:\n" of a CredentialPolicy named @name, then @spec. */
TEST_HELPER char *credential_policy(const char *name, const char *spec)
{
	char *text;

	assert_true(asprintf(&text, "apiVersion: credgate.io/v1\nkind: CredentialPolicy\nmetadata: {name: %s}\nspec:\n%s",
			     name, spec) > 0);
	return text;
}
