// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * common/cg_names.c: every named value of each credgate.h enum (and of the
 * two settings' enums it names) round-trips
 * (value -> name -> value), the names are the stable ones events print, and
 * out-of-range values and unknown names give NULL and -EINVAL.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "common/cg_names.h"

typedef const char *(*name_fn)(unsigned value);
typedef int (*value_fn)(const char *name);

/* Every value below @count that has a name maps back to itself; @named of them have one. */
static void check_round_trip(name_fn name, value_fn value, unsigned count, unsigned named)
{
	unsigned seen = 0;

	for (unsigned v = 0; v < count; v++) {
		const char *n = name(v);

		if (!n)
			continue;
		seen++;
		assert_true(n[0] != '\0');
		assert_int_equal(value(n), (int)v);
	}
	assert_int_equal(seen, named);
	/* Past the end, and far past it, is no index. */
	assert_null(name(count));
	assert_null(name(count + 1));
	assert_null(name(~0u));
	assert_int_equal(value(NULL), -EINVAL);
	assert_int_equal(value(""), -EINVAL);
	assert_int_equal(value("no-such-name"), -EINVAL);
}

static void test_hooks(void **state)
{
	check_round_trip(cg_hook_name, cg_hook_from_name, CG_HOOK_MAX, CG_HOOK_MAX - 1);
	assert_null(cg_hook_name(CG_HOOK_NONE));
	assert_string_equal(cg_hook_name(CG_HOOK_SETUID), "task_fix_setuid");
	assert_string_equal(cg_hook_name(CG_HOOK_EXEC), "bprm_creds_from_file");
	assert_string_equal(cg_hook_name(CG_HOOK_CAPABLE), "capable");
	/* Exact names only: no prefix, no other case. */
	assert_int_equal(cg_hook_from_name("task_fix_setui"), -EINVAL);
	assert_int_equal(cg_hook_from_name("CAPSET"), -EINVAL);
}

static void test_verdicts(void **state)
{
	check_round_trip(cg_verdict_name, cg_verdict_from_name, CG_VERDICT_COUNT, CG_VERDICT_COUNT);
	assert_string_equal(cg_verdict_name(CG_VERDICT_NONE), "none");
	assert_string_equal(cg_verdict_name(CG_VERDICT_AUDITED), "audited-would-deny");
	assert_string_equal(cg_verdict_name(CG_VERDICT_KILLED), "killed");
	/* The journal once matched "audited" as a prefix: that is not a verdict. */
	assert_int_equal(cg_verdict_from_name("audited"), -EINVAL);
	assert_int_equal(cg_verdict_from_name("denied "), -EINVAL);
}

static void test_syscalls(void **state)
{
	check_round_trip(cg_syscall_name, cg_syscall_from_name, CG_SYS_MAX, CG_SYS_MAX);
	assert_string_equal(cg_syscall_name(CG_SYS_SETUID), "setuid");
	assert_string_equal(cg_syscall_name(CG_SYS_SETFSGID), "setfsgid");
	assert_string_equal(cg_syscall_name(CG_SYS_CAPSET), "capset");
}

/* --lsm-unavailable and lsmUnavailable read the same three words. */
static void test_lsm_unavailable(void **state)
{
	check_round_trip(cg_lsm_unavailable_name, cg_lsm_unavailable_from_name, LSM_UNAVAILABLE_COUNT,
			 LSM_UNAVAILABLE_COUNT);
	assert_int_equal(LSM_UNAVAILABLE_COUNT, 3);
	assert_string_equal(cg_lsm_unavailable_name(LSM_UNAVAILABLE_FAIL), "fail");
	assert_string_equal(cg_lsm_unavailable_name(LSM_UNAVAILABLE_OBSERVE), "observe");
	assert_string_equal(cg_lsm_unavailable_name(LSM_UNAVAILABLE_KILL), "kill");
	assert_int_equal(cg_lsm_unavailable_from_name("kill"), LSM_UNAVAILABLE_KILL);
	assert_int_equal(cg_lsm_unavailable_from_name("Kill"), -EINVAL);
	assert_int_equal(cg_lsm_unavailable_from_name("failx"), -EINVAL);
	assert_int_equal(cg_lsm_unavailable_from_name("obs"), -EINVAL);
}

/* --output and output: "json" and "compact". */
static void test_output_format(void **state)
{
	check_round_trip(cg_output_format_name, cg_output_format_from_name, OUTPUT_FORMAT_COUNT, OUTPUT_FORMAT_COUNT);
	assert_int_equal(OUTPUT_FORMAT_COUNT, 2);
	assert_string_equal(cg_output_format_name(OUTPUT_JSON), "json");
	assert_string_equal(cg_output_format_name(OUTPUT_COMPACT), "compact");
	assert_int_equal(cg_output_format_from_name("compact"), OUTPUT_COMPACT);
	assert_int_equal(cg_output_format_from_name("JSON"), -EINVAL);
	assert_int_equal(cg_output_format_from_name("yaml"), -EINVAL);
}

/* --audit-records and auditRecords: "off" and "avc". */
static void test_audit_records(void **state)
{
	check_round_trip(cg_audit_records_name, cg_audit_records_from_name, AUDIT_RECORDS_COUNT, AUDIT_RECORDS_COUNT);
	assert_int_equal(AUDIT_RECORDS_COUNT, 2);
	assert_string_equal(cg_audit_records_name(AUDIT_RECORDS_OFF), "off");
	assert_string_equal(cg_audit_records_name(AUDIT_RECORDS_AVC), "avc");
	assert_int_equal(cg_audit_records_from_name("avc"), AUDIT_RECORDS_AVC);
	assert_int_equal(cg_audit_records_from_name("AVC"), -EINVAL);
	assert_int_equal(cg_audit_records_from_name("on"), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hooks),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_syscalls),
		cmocka_unit_test(test_lsm_unavailable),
		cmocka_unit_test(test_output_format),
		cmocka_unit_test(test_audit_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
