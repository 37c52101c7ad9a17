// SPDX-License-Identifier: LGPL-2.1-or-later
/* selinux-compat/context.c: contexts from outside, bounded and checked. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "selinux-compat/context.h"

static void test_parts(void **state)
{
	static const char ctx[] = "system_u:system_r:container_t:s0:c12,c34";
	struct selinux_context_parts p;

	assert_int_equal(selinux_context_parse(ctx, strlen(ctx), &p), 0);
	assert_int_equal(p.user_len, 8);
	assert_memory_equal(p.user, "system_u", 8);
	assert_memory_equal(p.role, "system_r", p.role_len);
	assert_int_equal(p.type_len, strlen("container_t"));
	assert_memory_equal(p.type, "container_t", p.type_len);
	assert_int_equal(p.level_len, strlen("s0:c12,c34"));
	assert_memory_equal(p.level, "s0:c12,c34", p.level_len);
	/* No MLS: three fields. */
	assert_int_equal(selinux_context_parse("u:r:t", 5, &p), 0);
	assert_null(p.level);
	assert_int_equal(p.type_len, 1);
}

static void test_type(void **state)
{
	char type[64];

	assert_int_equal(selinux_context_type("system_u:system_r:container_t:s0", 32, type, sizeof(type)), 11);
	assert_string_equal(type, "container_t");
	/* Only @len bytes count: no NUL needed, nothing read beyond. */
	assert_int_equal(selinux_context_type("unconfined_u:unconfined_r:unconfined_t:s0-s0:c0.c1023XXXX", 53, type,
					      sizeof(type)),
			 12);
	assert_string_equal(type, "unconfined_t");
	assert_int_equal(selinux_context_type("a:b:long_type_t", 15, type, 5), -ENOBUFS);
}

static void test_invalid(void **state)
{
	static const char *const bad[] = {
		"",			     /* empty */
		"kernel",		     /* an initial SID name, before a policy is loaded */
		"u:r",			     /* two fields */
		"u::t:s0",		     /* empty role */
		"u:r:t:",		     /* empty level */
		"u:r:t t:s0",		     /* space */
		"u:r:t\t:s0",		     /* control */
		"u:r:\xc3\xa9t:s0",	     /* non-ASCII */
		"u:r:t\":s0",		     /* quote */
		"u:r:9t:s0",		     /* a type starts with a letter */
		"unconfined (enforce)",	     /* AppArmor's answer in attr/current */
		"u:r:t:s0;rm",		     /* ';' is no level character */
	};
	struct selinux_context_parts p;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (selinux_context_parse(bad[i], strlen(bad[i]), &p) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
	}
	assert_int_equal(selinux_context_parse(NULL, 0, &p), -EINVAL);
}

static void test_length_limit(void **state)
{
	char ctx[SELINUX_CONTEXT_MAX + 2];
	struct selinux_context_parts p;

	/* "u:r:" + type + ":s0" of exactly the limit passes, one byte more fails. */
	memset(ctx, 'a', sizeof(ctx));
	memcpy(ctx, "u:r:", 4);
	memcpy(ctx + SELINUX_CONTEXT_MAX - 3, ":s0", 3);
	ctx[SELINUX_CONTEXT_MAX] = '\0';
	/* The type is too long for a name (more than SELINUX_NAME_MAX). */
	assert_int_equal(selinux_context_parse(ctx, SELINUX_CONTEXT_MAX, &p), -EINVAL);
	/* A long level instead: 255 bytes accepted. */
	memset(ctx, 'c', sizeof(ctx));
	memcpy(ctx, "u:r:t:s0:", 9);
	for (size_t i = 9; i < SELINUX_CONTEXT_MAX; i++)
		ctx[i] = i % 2 ? 'c' : ',';
	assert_int_equal(selinux_context_parse(ctx, SELINUX_CONTEXT_MAX, &p), 0);
	assert_int_equal(selinux_context_parse(ctx, SELINUX_CONTEXT_MAX + 1, &p), -E2BIG);
}

static void test_names(void **state)
{
	char long_name[SELINUX_NAME_MAX + 2];

	assert_true(selinux_name_valid("container_t", 11));
	assert_true(selinux_name_valid("svirt_lxc_net_t", 15));
	assert_true(selinux_name_valid("a-b.c", 5));
	assert_false(selinux_name_valid("", 0));
	assert_false(selinux_name_valid("_t", 2));
	assert_false(selinux_name_valid("a:b", 3));
	memset(long_name, 'a', sizeof(long_name));
	assert_true(selinux_name_valid(long_name, SELINUX_NAME_MAX));
	assert_false(selinux_name_valid(long_name, SELINUX_NAME_MAX + 1));
}

static void check_canonical(const char *in, const char *want)
{
	char out[SELINUX_CONTEXT_MAX + 1];
	int n = selinux_context_canonical(in, strlen(in), out, sizeof(out));

	if (n < 0)
		fail_msg("'%s': %d", in, n);
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

/* As the kernel's mls_sid_to_context() prints levels. */
static void test_canonical(void **state)
{
	char out[16];

	check_canonical("system_u:system_r:container_t:s0:c12,c34", "system_u:system_r:container_t:s0:c12,c34");
	check_canonical("system_u:system_r:container_t:s0:c34,c12", "system_u:system_r:container_t:s0:c12,c34");
	check_canonical("u:r:t:s0:c0,c1,c2,c3", "u:r:t:s0:c0.c3");
	check_canonical("u:r:t:s0:c0,c1", "u:r:t:s0:c0,c1");
	check_canonical("u:r:t:s0:c5,c1.c3,c2", "u:r:t:s0:c1.c3,c5");
	check_canonical("u:r:t:s0:c1023", "u:r:t:s0:c1023");
	check_canonical("u:r:t:s0-s0", "u:r:t:s0");
	check_canonical("u:r:t:s0-s0:c0.c1023", "u:r:t:s0-s0:c0.c1023");
	check_canonical("u:r:t:s0:c1-s0:c1", "u:r:t:s0:c1");
	check_canonical("u:r:t", "u:r:t");
	/* Category aliases cannot be ordered: as written. */
	check_canonical("u:r:t:s0:Finance,c2", "u:r:t:s0:Finance,c2");
	assert_int_equal(selinux_context_canonical("u:r:t:s0:c1024", 14, out, sizeof(out)), 14);
	assert_int_equal(selinux_context_canonical("u:r:t:s0:c3.c1", 14, out, sizeof(out)), -EINVAL);
	assert_int_equal(selinux_context_canonical("u:r:t:s0:c1,,c2", 15, out, sizeof(out)), -EINVAL);
	assert_int_equal(selinux_context_canonical("u:r:t:s0:c0.c1023", 17, out, 8), -ENOBUFS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parts),	     cmocka_unit_test(test_type),
		cmocka_unit_test(test_invalid),	     cmocka_unit_test(test_length_limit),
		cmocka_unit_test(test_names),	     cmocka_unit_test(test_canonical),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
