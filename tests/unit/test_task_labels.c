// SPDX-License-Identifier: LGPL-2.1-or-later
/* agent/kernel/task_labels.c: which of a generation's labels a context has. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "task_labels.h"

static void add(struct policy_selinux_table *t, enum policy_selinux_kind kind, const char *value)
{
	t->labels[t->count].kind = kind;
	snprintf(t->labels[t->count].value, sizeof(t->labels[t->count].value), "%s", value);
	t->count++;
}

static void test_mask(void **state)
{
	struct policy_selinux_table t = {};

	add(&t, POLICY_SELINUX_TYPE, "container_t");
	add(&t, POLICY_SELINUX_TYPE, "spc_t");
	add(&t, POLICY_SELINUX_CONTEXT, "system_u:system_r:container_t:s0:c12,c34");
	add(&t, POLICY_SELINUX_TYPE, "container");
	assert_int_equal(task_labels_mask(&t, "system_u:system_r:container_t:s0:c12,c34"), 0x5);
	assert_int_equal(task_labels_mask(&t, "system_u:system_r:container_t:s0:c1,c2"), 0x1);
	assert_int_equal(task_labels_mask(&t, "system_u:system_r:spc_t:s0"), 0x2);
	/* A type is the whole third field, never a prefix. */
	assert_int_equal(task_labels_mask(&t, "u:r:container_tt:s0"), 0);
	assert_int_equal(task_labels_mask(&t, "u:r:container:s0"), 0x8);
	/* No context, or none yet ("kernel" before a policy is loaded): no label. */
	assert_int_equal(task_labels_mask(&t, NULL), 0);
	assert_int_equal(task_labels_mask(&t, "kernel"), 0);
	/* The type field only: "container_t" as a role is not the type. */
	assert_int_equal(task_labels_mask(&t, "u:container_t:x_t:s0"), 0);
}

static void test_full_table(void **state)
{
	struct policy_selinux_table t = {};
	char name[32];

	for (int i = 0; i < CG_MAX_SELINUX_TYPES; i++) {
		snprintf(name, sizeof(name), "t%d_t", i);
		add(&t, POLICY_SELINUX_TYPE, name);
	}
	assert_true(task_labels_mask(&t, "u:r:t63_t:s0") == 1ull << 63);
	assert_true(task_labels_mask(&t, "u:r:t0_t:s0") == 1ull);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_full_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
