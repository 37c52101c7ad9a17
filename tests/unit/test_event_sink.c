// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for agent/events/event_sink.c, fed synthetic ring-buffer records:
 * process identity across exec and later events, rate limiting of
 * observations with exact loss counts, folding of denies (never dropped),
 * loss reports, the rotated file output, and malformed records.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "event_sink.h"

static char dir[PATH_MAX];
static FILE *out;
static char *text;

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/credgate-sinktest.XXXXXX");
	assert_non_null(mkdtemp(dir));
	out = tmpfile();
	assert_non_null(out);
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	fclose(out);
	free(text);
	text = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static struct event_sink *new_sink(struct event_sink_options *o)
{
	struct event_sink *sink;

	o->node_name = "node1";
	o->out = out;
	o->proc_root = dir; /* an empty /proc: nothing there */
	o->no_proc_scan = true;
	o->host_pidns_ino = CG_HOST_PIDNS_INO;
	assert_int_equal(event_sink__new(&sink, o), 0);
	return sink;
}

/* Everything written so far. */
static const char *output(void)
{
	long n;

	fflush(out);
	n = ftell(out);
	free(text);
	text = calloc(1, (size_t)n + 1);
	rewind(out);
	assert_int_equal(fread(text, 1, (size_t)n, out), (size_t)n);
	return text;
}

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static uint64_t now_boot(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void header(struct cg_event_header *h, uint32_t type, uint32_t size, uint32_t pid, uint64_t cgroup,
		   uint64_t exec)
{
	memset(h, 0, sizeof(*h));
	h->type = type;
	h->size = size;
	h->pid = h->tid = pid;
	h->ppid = 1;
	h->cgroup_id = cgroup;
	h->pidns_ino = CG_HOST_PIDNS_INO;
	h->start_boottime = 1000;
	h->exec_boottime = exec;
	h->time_ns = now_boot();
	memcpy(h->comm, "credop", 7);
}

static void syscall_record(struct cg_syscall_event *e, uint32_t pid, uint64_t cgroup, uint64_t exec)
{
	memset(e, 0, sizeof(*e));
	header(&e->hdr, CG_EVENT_SYSCALL, sizeof(*e), pid, cgroup, exec);
	e->syscall = CG_SYS_SETUID;
	e->probe = CG_PROBE_TRACEPOINT;
	e->nargs = 1;
	e->old_ids.uid = 1000;
}

static void test_exec_then_observation(void **state)
{
	struct event_sink_options o = { .format = OUTPUT_JSON };
	struct event_sink *sink = new_sink(&o);
	static const char args[] = "/bin/su\0root\0";
	struct cg_exec_event x;
	struct cg_syscall_event s;
	struct cg_fork_event f;
	struct cg_exit_event e;
	const char *t;
	char exec_id[128];

	memset(&f, 0, sizeof(f));
	header(&f.hdr, CG_EVENT_FORK, sizeof(f), 4242, 7, 5000);
	f.parent_pid = 1;
	assert_int_equal(event_sink__handle(sink, &f, sizeof(f)), 0);
	memset(&x, 0, sizeof(x));
	header(&x.hdr, CG_EVENT_EXEC, sizeof(x), 4242, 7, 6000);
	snprintf(x.filename, sizeof(x.filename), "/bin/su");
	snprintf(x.binary, sizeof(x.binary), "/bin/su");
	memcpy(x.args, args, sizeof(args));
	x.args_len = sizeof(args);
	x.ids.uid = 1000;
	x.observe = 1;
	assert_int_equal(event_sink__handle(sink, &x, sizeof(x)), 0);
	syscall_record(&s, 4242, 7, 6000);
	assert_int_equal(event_sink__handle(sink, &s, sizeof(s)), 0);
	memset(&e, 0, sizeof(e));
	header(&e.hdr, CG_EVENT_EXIT, sizeof(e), 4242, 7, 6000);
	assert_int_equal(event_sink__handle(sink, &e, sizeof(e)), 0);
	/* After the exit, a late event still knows the process. */
	assert_int_equal(event_sink__handle(sink, &s, sizeof(s)), 0);
	event_sink__drain(sink);
	t = output();
	assert_int_equal(count(t, "\n"), 3); /* exec, two observations; fork and exit write nothing */
	assert_non_null(strstr(t, "{\"process_exec\":{\"process\":{\"exec_id\":\""));
	snprintf(exec_id, sizeof(exec_id), "\"exec_id\":\"%s\"", "bm9kZTE6NjAwMDo0MjQy"); /* node1:6000:4242 */
	assert_int_equal(count(t, exec_id), 3);
	assert_int_equal(count(t, "\"binary\":\"/bin/su\",\"arguments\":\"root\",\"flags\":\"execve clone\""), 3);
	assert_int_equal(count(t, "{\"process_kprobe\":{\"process\":"), 2);
	event_sink__free(sink);
}

static void test_rate_limit_counts_exactly(void **state)
{
	struct event_sink_options o = { .format = OUTPUT_JSON, .observe_rate = 10, .observe_burst = 10 };
	struct event_sink *sink = new_sink(&o);
	struct event_sink_stats st;
	struct cg_syscall_event s;
	const char *t;

	syscall_record(&s, 100, 7, 50);
	for (int i = 0; i < 100; i++)
		event_sink__handle(sink, &s, sizeof(s));
	syscall_record(&s, 101, 8, 50); /* another cgroup is not affected */
	for (int i = 0; i < 5; i++)
		event_sink__handle(sink, &s, sizeof(s));
	event_sink__drain(sink);
	t = output();
	assert_int_equal(count(t, "\"process_kprobe\""), 15);
	assert_non_null(strstr(t, "\"rate_limited\":90,"));
	assert_non_null(strstr(t, "\"cgroups\":[{\"id\":7,\"rate_limited\":90}]"));
	event_sink__stats(sink, &st);
	assert_int_equal(st.rate_limited, 90);
	assert_int_equal(st.lost_reports, 1);
	event_sink__free(sink);
}

static void test_denies_fold_never_drop(void **state)
{
	struct event_sink_options o = { .format = OUTPUT_JSON, .deny_rate = 5, .deny_burst = 5 };
	struct event_sink *sink = new_sink(&o);
	struct event_sink_stats st;
	struct cg_decision_event d;
	const char *t;

	memset(&d, 0, sizeof(d));
	header(&d.hdr, CG_EVENT_DECISION, sizeof(d), 200, 9, 50);
	d.hook = CG_HOOK_SETUID;
	d.setid_flags = CG_SETID_ID;
	d.verdict = CG_VERDICT_DENIED;
	d.mode = CG_MODE_ENFORCE;
	d.rule_index = CG_NO_RULE;
	for (int i = 0; i < 50; i++)
		event_sink__handle(sink, &d, sizeof(d));
	d.subject_to = 5; /* a different change: its own line */
	event_sink__handle(sink, &d, sizeof(d));
	event_sink__drain(sink);
	t = output();
	assert_int_equal(count(t, "\"credgate_decision\""), 7);
	assert_int_equal(count(t, "\"repeated\":{\"count\":45,"), 1);
	assert_int_equal(count(t, "\"repeated\":{\"count\":1,"), 1);
	assert_null(strstr(t, "credgate_lost"));
	event_sink__stats(sink, &st);
	assert_int_equal(st.folded, 46);
	assert_int_equal(st.repeat_lines, 2);
	event_sink__free(sink);
}

static void test_lost_report_and_file(void **state)
{
	char path[PATH_MAX + 32];
	struct event_sink_options o = { .format = OUTPUT_COMPACT, .file_path = path };
	struct event_sink *sink;
	struct cg_syscall_event s;
	char line[4096];
	FILE *f;
	int lines = 0;

	snprintf(path, sizeof(path), "%s/events.json", dir);
	sink = new_sink(&o);
	syscall_record(&s, 300, 7, 50);
	event_sink__handle(sink, &s, sizeof(s));
	event_sink__report_lost(sink, 12, 3);
	event_sink__free(sink);
	assert_non_null(strstr(output(), "lost events: 12 (kernel buffer full), 3 (in-flight table full)"));
	/* The file is JSON whatever the primary output's format. */
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		assert_int_equal(line[0], '{');
		lines++;
	}
	fclose(f);
	assert_int_equal(lines, 2);
}

static void test_malformed(void **state)
{
	struct event_sink_options o = { .format = OUTPUT_JSON };
	struct event_sink *sink = new_sink(&o);
	struct event_sink_stats st;
	struct cg_syscall_event s;

	syscall_record(&s, 300, 7, 50);
	s.hdr.size = 12;
	event_sink__handle(sink, &s, sizeof(s));
	syscall_record(&s, 300, 7, 50);
	s.syscall = 999;
	event_sink__handle(sink, &s, sizeof(s));
	event_sink__stats(sink, &st);
	assert_int_equal(st.malformed, 2);
	assert_int_equal(st.written, 0);
	event_sink__free(sink);
}

/*
 * A decision of no policy file is still named: the fail-closed policy (a
 * cgroup the kernel has no state for) with the reason as its rule, and an
 * id this agent does not know as such; and fail-closed decisions are counted.
 */
static void test_unnamed_policies(void **state)
{
	struct event_sink_options o = { .format = OUTPUT_JSON };
	struct event_sink *sink = new_sink(&o);
	struct event_sink_stats st;
	struct cg_decision_event d;
	const char *t;

	memset(&d, 0, sizeof(d));
	header(&d.hdr, CG_EVENT_DECISION, sizeof(d), 200, 9, 50);
	d.hook = CG_HOOK_SETUID;
	d.setid_flags = CG_SETID_RES;
	d.verdict = CG_VERDICT_DENIED;
	d.mode = CG_MODE_ENFORCE;
	d.policy_gen = 3;
	d.policy_id = CG_FAIL_CLOSED_POLICY;
	d.rule_index = 0;
	d.subject_to = 1000;
	event_sink__handle(sink, &d, sizeof(d));
	d.policy_id = 7;
	d.subject_to = 1001;
	event_sink__handle(sink, &d, sizeof(d));
	event_sink__drain(sink);
	t = output();
	assert_int_equal(count(t, "\"policy_name\":\"credgate:fail-closed\",\"rule_index\":0,"
				  "\"rule\":\"fail-closed: the cgroup has no state in the kernel"),
			 1);
	assert_int_equal(count(t, "\"policy_name\":\"credgate:unknown\",\"rule_index\":0,"
				  "\"rule\":\"unknown: policy 7 of generation 3, not known to this agent\""),
			 1);
	event_sink__stats(sink, &st);
	assert_int_equal(st.fail_closed_decisions, 1);
	event_sink__free(sink);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exec_then_observation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate_limit_counts_exactly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_denies_fold_never_drop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lost_report_and_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unnamed_policies, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
