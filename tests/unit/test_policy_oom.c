/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * policy/ when memory runs out: every allocation the parser and loader make,
 * directly or through libc and libyaml, is failed in turn, one per run. Each
 * run must return -ENOMEM, leave the set as it was and free what it took
 * (valgrind runs this test too), unless the failure was absorbed on the way
 * (glibc's vasprintf falls back to another buffer, for one), in which case
 * the outcome must be exactly the one of a run without failures.
 *
 * The allocator is replaced by ELF interposition, as glibc allows: these
 * definitions forward to glibc's own allocator unless a failure is due.
 * AddressSanitizer replaces the allocator itself, so this test is not built
 * with CREDGATE_SANITIZE.
 */

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "options.h"
#include "policy/policy.h"
#include "settings.h"

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t nmemb, size_t size);
extern void *__libc_realloc(void *ptr, size_t size);

/* Allocations left before the one that fails; 0: inject nothing. */
static unsigned long allocations_until_failure;
static bool failure_injected;

static bool allocation_fails(void)
{
	if (allocations_until_failure == 0)
		return false;
	if (--allocations_until_failure > 0)
		return false;
	failure_injected = true;
	return true;
}

void *malloc(size_t size)
{
	if (allocation_fails()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_malloc(size);
}

void *calloc(size_t nmemb, size_t size)
{
	if (allocation_fails()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_calloc(nmemb, size);
}

void *realloc(void *ptr, size_t size)
{
	/* A shrink is not a failure point: glibc itself shrinks buffers and
	 * rightly keeps the bigger one when that fails (vasprintf does). Nor
	 * is a one-byte growth: when glibc 2.36's vasprintf fills its buffer
	 * exactly, it grows it by one byte for the terminator and, if that
	 * fails, writes the terminator past the old block anyway (harmless in
	 * glibc's rounded chunks, an invalid write under valgrind). */
	if (ptr && size <= malloc_usable_size(ptr) + 1)
		return __libc_realloc(ptr, size);
	if (allocation_fails()) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_realloc(ptr, size);
}

void *reallocarray(void *ptr, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(ptr, nmemb * size);
}

static char *read_data_file(const char *relative, size_t *ret_len)
{
	const char *base = getenv("CREDGATE_TEST_DATA");
	char path[PATH_MAX];
	char *text;
	long len;
	FILE *f;

	if (!base)
		fail_msg("CREDGATE_TEST_DATA is not set (run the test through ctest)");
	snprintf(path, sizeof(path), "%s/policy/%s", base, relative);
	f = fopen(path, "re");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len > 0);
	rewind(f);
	text = __libc_malloc((size_t)len);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*ret_len = (size_t)len;
	return text;
}

enum oom_action {
	OOM_PARSE, /* policy_set__parse() of a data file's text */
	OOM_LOAD,  /* policy_set__load() of a data path */
};

/* What a caller sees: the result, the policies and the diagnostics, as text.
 * Built with the real allocator, outside any injection. */
static char *outcome(int r, const struct policy_set *set, const struct policy_diags *diags)
{
	char *text = NULL, line[1024];
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	assert_non_null(out);
	fprintf(out, "r=%d count=%zu errors=%zu dropped=%zu\n", r, set->count, diags->errors, diags->dropped);
	policy_set__dump(set, out);
	for (size_t i = 0; i < diags->count; i++) {
		policy_diag_format(&diags->items[i], line, sizeof(line));
		fprintf(out, "%s\n", line);
	}
	assert_int_equal(fclose(out), 0);
	return text;
}

static int run_action(enum oom_action action, struct policy_set *set, const char *name, const char *path,
		      const char *text, size_t len, struct policy_diags *diags)
{
	if (action == OOM_PARSE)
		return policy_set__parse(set, name, text, len, diags);
	return policy_set__load(set, path, diags);
}

/*
 * Run @action on @data into a set already holding one policy: once without
 * failures for the expected outcome, then failing the 1st, 2nd, ...
 * allocation until a run needs no more than were allowed.
 */
static void exhaust_allocations(enum oom_action action, const char *data)
{
	static const char preloaded[] = "apiVersion: credgate.io/v1\nkind: CredentialPolicy\n"
					"metadata: {name: preloaded}\nspec: {selector: {cgroup: /}}\n";
	const char *base = getenv("CREDGATE_TEST_DATA");
	char *expected = NULL, *got;
	size_t len = 0;
	char path[PATH_MAX], passwd[PATH_MAX], group[PATH_MAX];
	char *text = NULL;
	unsigned long runs;

	if (!base)
		fail_msg("CREDGATE_TEST_DATA is not set (run the test through ctest)");
	snprintf(path, sizeof(path), "%s/policy/%s", base, data);
	/* Names resolve through the test files: their reads fail in turn too. */
	snprintf(passwd, sizeof(passwd), "%s/policy/etc/passwd", base);
	snprintf(group, sizeof(group), "%s/policy/etc/group", base);
	if (action == OOM_PARSE)
		text = read_data_file(data, &len);

	for (runs = 0;; runs++) {
		struct policy_set *set = policy_set__new();
		struct policy_diags diags = {};
		int r;

		assert_non_null(set);
		assert_int_equal(policy_set__set_name_files(set, passwd, group), 0);
		assert_int_equal(policy_set__parse(set, "preloaded.yaml", preloaded, strlen(preloaded), NULL), 0);

		failure_injected = false;
		allocations_until_failure = runs;
		r = run_action(action, set, data, path, text, len, &diags);
		allocations_until_failure = 0;

		got = outcome(r, set, &diags);
		if (runs == 0) {
			expected = got;
			got = NULL;
		} else if (failure_injected && r == -ENOMEM) {
			assert_int_equal(set->count, 1);
			assert_string_equal(set->policies[0].name, "preloaded");
		} else if (strcmp(got, expected) != 0) {
			fail_msg("%s: allocation %lu failed; expected:\n%s\ngot:\n%s", data, runs, expected, got);
		}
		free(got);
		policy_diags_clear(&diags);
		policy_set__free(set);
		if (runs > 0 && !failure_injected)
			break;
	}
	/* The walk reached the allocations that matter. */
	assert_true(runs > 10);
	free(expected);
	free(text);
}

static void test_oom_parse_good(void **state)
{
	exhaust_allocations(OOM_PARSE, "good/web-no-root.yaml");
}

static void test_oom_parse_bad(void **state)
{
	exhaust_allocations(OOM_PARSE, "bad/many-errors.yaml");
}

static void test_oom_parse_syntax_error(void **state)
{
	exhaust_allocations(OOM_PARSE, "bad/errors-before-syntax-error.yaml");
}

static void test_oom_load_file(void **state)
{
	exhaust_allocations(OOM_LOAD, "good/multi-document.yaml");
}

static void test_oom_load_directory(void **state)
{
	exhaust_allocations(OOM_LOAD, "good");
	exhaust_allocations(OOM_LOAD, "bad/duplicate-name-across-files.d");
}

/* Names, every rule and selector kind, the selection, transitivity warnings. */
static void test_oom_rules_and_selection(void **state)
{
	exhaust_allocations(OOM_PARSE, "good/every-rule.yaml");
	exhaust_allocations(OOM_PARSE, "bad/names-unknown.yaml");
	exhaust_allocations(OOM_PARSE, "bad/selection-too-many-states.yaml");
	exhaust_allocations(OOM_PARSE, "bad/transitivity-overflow.yaml");
	exhaust_allocations(OOM_LOAD, "bad/selector-globs.yaml");
	/* Identity selectors: their copies, labels, hints, and the identity predicate. */
	exhaust_allocations(OOM_PARSE, "good/identity.yaml");
	exhaust_allocations(OOM_PARSE, "bad/identity.yaml");
}

static void test_oom_tracing(void **state)
{
	exhaust_allocations(OOM_PARSE, "good/process.credentials.changes.at.syscalls.yaml");
	exhaust_allocations(OOM_PARSE, "good/tracing-actions.yaml");
	exhaust_allocations(OOM_PARSE, "bad/tracing-match-args.yaml");
}

/* The agent's settings file: the same walk, over settings_load(). */
static char *config_outcome(int r, const struct agent_options *cfg, const struct policy_diags *diags)
{
	char *text = NULL, line[1024];
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	assert_non_null(out);
	fprintf(out, "r=%d dir=%s events=%s node=%s passwd=%s group=%s output=%d lsm=%d ringbuf=%zu\n", r,
		cfg->policy_path ?: "-", cfg->events_path ?: "-", cfg->node_name ?: "-", cfg->passwd_file ?: "-",
		cfg->group_file ?: "-", cfg->output, cfg->lsm_unavailable, cfg->ringbuf_bytes);
	for (size_t i = 0; i < diags->count; i++) {
		policy_diag_format(&diags->items[i], line, sizeof(line));
		fprintf(out, "%s\n", line);
	}
	assert_int_equal(fclose(out), 0);
	return text;
}

static void exhaust_config(const char *data)
{
	const char *base = getenv("CREDGATE_TEST_DATA");
	char path[PATH_MAX], *expected = NULL, *got;
	unsigned long runs;

	if (!base)
		fail_msg("CREDGATE_TEST_DATA is not set (run the test through ctest)");
	snprintf(path, sizeof(path), "%s/config/%s", base, data);
	for (runs = 0;; runs++) {
		struct agent_options cfg;
		struct policy_diags diags = {};
		int r;

		options_defaults(&cfg);
		failure_injected = false;
		allocations_until_failure = runs;
		r = settings_load(path, &cfg, &diags);
		allocations_until_failure = 0;

		got = config_outcome(r, &cfg, &diags);
		if (runs == 0) {
			expected = got;
			got = NULL;
		} else if (!(failure_injected && r == -ENOMEM) && strcmp(got, expected) != 0) {
			fail_msg("%s: allocation %lu failed; expected:\n%s\ngot:\n%s", data, runs, expected, got);
		}
		free(got);
		settings_free(&cfg);
		policy_diags_clear(&diags);
		if (runs > 0 && !failure_injected)
			break;
	}
	assert_true(runs > 5);
	free(expected);
}

static void test_oom_config(void **state)
{
	exhaust_config("full.yaml");
	exhaust_config("bad.yaml");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oom_parse_good),
		cmocka_unit_test(test_oom_parse_bad),
		cmocka_unit_test(test_oom_parse_syntax_error),
		cmocka_unit_test(test_oom_load_file),
		cmocka_unit_test(test_oom_load_directory),
		cmocka_unit_test(test_oom_rules_and_selection),
		cmocka_unit_test(test_oom_tracing),
		cmocka_unit_test(test_oom_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
