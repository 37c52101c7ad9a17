// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for agent/events/output_journal.c: the journal fields of an event
 * (built without talking to journald) and priorities by verdict.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <syslog.h>
#include <cmocka.h>

#include "output_journal.h"

static int find(const struct iovec *iov, int n, const char *field)
{
	for (int i = 0; i < n; i++)
		if (iov[i].iov_len == strlen(field) && memcmp(iov[i].iov_base, field, iov[i].iov_len) == 0)
			return i;
	return -1;
}

static void test_fields(void **state)
{
	static const char json[] = "{\"credgate_decision\":{}}";
	struct journal_event ev = {
		.message = "t host /bin/su[7] setuid: uid 1000→0 denied", .kind = EVENT_KIND_DECISION,
		.verdict = CG_VERDICT_DENIED, .policy = "web", .binary = "/bin/su", .cgroup = "/web",
		.container_id = "55936e548de63f77ceb595d64966dd8e267b391ff0ef63b26c17eb8c2f6510be",
		.exec_id = "bjoxOjE=", .hook = "task_fix_setuid", .rule = "setuid.deny[0]: from any to 0",
		.json = json, .json_len = sizeof(json) - 1, .pid = 7, .has_ids = true, .old_uid = 1000, .new_uid = 0,
	};
	struct iovec iov[JOURNAL_MAX_FIELDS];
	char buf[4096];
	int n = journal_fields_build(&ev, buf, sizeof(buf), iov, JOURNAL_MAX_FIELDS);

	assert_true(n > 0);
	assert_true(find(iov, n, "MESSAGE=t host /bin/su[7] setuid: uid 1000→0 denied") >= 0);
	assert_true(find(iov, n, "PRIORITY=4") >= 0);
	assert_true(find(iov, n, "CREDGATE_KIND=credgate_decision") >= 0);
	assert_true(find(iov, n, "CREDGATE_VERDICT=denied") >= 0);
	assert_true(find(iov, n, "CREDGATE_POLICY=web") >= 0);
	assert_true(find(iov, n, "CREDGATE_PID=7") >= 0);
	assert_true(find(iov, n, "CREDGATE_BINARY=/bin/su") >= 0);
	assert_true(find(iov, n, "CREDGATE_CGROUP=/web") >= 0);
	assert_true(find(iov, n, "CREDGATE_CONTAINER_ID=55936e548de63f77ceb595d64966dd8e267b391ff0ef63b26c17eb8c2f6510be") >= 0);
	assert_true(find(iov, n, "CREDGATE_EXEC_ID=bjoxOjE=") >= 0);
	assert_true(find(iov, n, "CREDGATE_HOOK=task_fix_setuid") >= 0);
	assert_true(find(iov, n, "CREDGATE_RULE=setuid.deny[0]: from any to 0") >= 0);
	assert_true(find(iov, n, "CREDGATE_OLD_UID=1000") >= 0);
	assert_true(find(iov, n, "CREDGATE_NEW_UID=0") >= 0);
	assert_true(find(iov, n, "CREDGATE_JSON={\"credgate_decision\":{}}") >= 0);
	assert_int_equal(find(iov, n, "CREDGATE_POD_UID="), -1); /* absent, not empty */
	assert_int_equal(journal_fields_build(&ev, buf, 64, iov, JOURNAL_MAX_FIELDS), -ENOBUFS);
	assert_int_equal(journal_fields_build(&ev, buf, sizeof(buf), iov, 3), -ENOBUFS);
}

static void test_priorities(void **state)
{
	assert_int_equal(journal_priority(EVENT_KIND_DECISION, CG_VERDICT_DENIED), LOG_WARNING);
	assert_int_equal(journal_priority(EVENT_KIND_DECISION, CG_VERDICT_KILLED), LOG_WARNING);
	assert_int_equal(journal_priority(EVENT_KIND_DECISION, CG_VERDICT_AUDITED), LOG_NOTICE);
	assert_int_equal(journal_priority(EVENT_KIND_DECISION, CG_VERDICT_ALLOWED), LOG_INFO);
	assert_int_equal(journal_priority(EVENT_KIND_KPROBE, CG_VERDICT_NONE), LOG_INFO);
	assert_int_equal(journal_priority(EVENT_KIND_LOST, CG_VERDICT_NONE), LOG_WARNING);
	assert_string_equal(journal_kind_name(EVENT_KIND_EXEC), "process_exec");
	assert_null(journal_kind_name(EVENT_KIND_COUNT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_priorities),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
