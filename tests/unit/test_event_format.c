// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for agent/event_format.c: the exact JSON shape of each event
 * kind (the reference tool's process_kprobe shape, credgate_decision), the
 * compact form, validation of raw records, and time formatting.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "event_format.h"

/* 2023-07-05T19:14:30.918977160Z, the reference page's time. */
#define T_NS 1688584470918977160ull

static void fill_header(struct cg_event_header *h, __u32 type, __u32 size)
{
	memset(h, 0, sizeof(*h));
	h->type = type;
	h->size = size;
	h->pid = 125798;
	h->tid = 125798;
	h->ppid = 125792;
	h->cgroup_id = 4242;
	h->pidns_ino = 4026532000u;
	memcpy(h->comm, "su", 3);
}

static const struct event_meta meta = {
	.node_name = "kind-control-plane",
	.time_realtime_ns = T_NS,
	.start_time_realtime_ns = 1688584470918693157ull,
	.binary = "/bin/su",
	.arguments = "root",
	.cwd = "/",
	.cgroup_path = "/kubepods/pod1/c1",
	.policy_name = "web-no-root",
	.rule_text = "setuid.deny[0]: from any to 0",
	.host_pidns = false,
};

static void test_syscall_event_reference_shape(void **state)
{
	struct cg_syscall_event e;
	struct json_writer w;

	memset(&e, 0, sizeof(e));
	fill_header(&e.hdr, CG_EVENT_SYSCALL, sizeof(e));
	e.syscall = CG_SYS_SETUID;
	e.probe = CG_PROBE_KPROBE;
	e.nargs = 1;
	e.args[0] = 0;
	e.ret = 0;
	e.new_ids.uid = e.new_ids.euid = 0;
	e.old_ids.uid = 1000;
	json_writer_init(&w);
	assert_int_equal(event_format_syscall(&w, OUTPUT_JSON, &e, &meta), 0);
	assert_string_equal(
		json_writer_text(&w),
		"{\"process_kprobe\":{\"process\":{\"pid\":125798,\"tid\":125798,\"uid\":1000,\"cwd\":\"/\","
		"\"binary\":\"/bin/su\",\"arguments\":\"root\",\"comm\":\"su\","
		"\"start_time\":\"2023-07-05T19:14:30.918693157Z\",\"ppid\":125792,"
		"\"pid_namespace\":4026532000,\"host_pid_namespace\":false,"
		"\"cgroup\":{\"id\":4242,\"path\":\"/kubepods/pod1/c1\"}},"
		"\"function_name\":\"__x64_sys_setuid\",\"args\":[{\"int_arg\":0}],"
		"\"return\":{\"int_arg\":0},\"action\":\"KPROBE_ACTION_POST\","
		"\"policy_name\":\"web-no-root\",\"attach\":\"kprobe\","
		"\"old_credentials\":{\"uid\":1000,\"gid\":0,\"euid\":0,\"egid\":0,\"suid\":0,\"sgid\":0,\"fsuid\":0,\"fsgid\":0},"
		"\"new_credentials\":{\"uid\":0,\"gid\":0,\"euid\":0,\"egid\":0,\"suid\":0,\"sgid\":0,\"fsuid\":0,\"fsgid\":0}},"
		"\"node_name\":\"kind-control-plane\",\"time\":\"2023-07-05T19:14:30.918977160Z\"}");
	json_writer_free(&w);
}

static void test_syscall_args_signed_and_killed(void **state)
{
	struct cg_syscall_event e;
	struct json_writer w;

	memset(&e, 0, sizeof(e));
	fill_header(&e.hdr, CG_EVENT_SYSCALL, sizeof(e));
	e.syscall = CG_SYS_SETRESUID;
	e.probe = CG_PROBE_TRACEPOINT;
	e.nargs = 3;
	e.args[0] = -1;
	e.args[1] = 0;
	e.args[2] = -1;
	e.ret = -1;
	e.verdict = CG_VERDICT_KILLED;
	json_writer_init(&w);
	assert_int_equal(event_format_syscall(&w, OUTPUT_JSON, &e, &meta), 0);
	assert_non_null(strstr(json_writer_text(&w),
			       "\"args\":[{\"int_arg\":-1},{\"int_arg\":0},{\"int_arg\":-1}],\"return\":{\"int_arg\":-1},"
			       "\"action\":\"KPROBE_ACTION_SIGKILL\""));
	assert_non_null(strstr(json_writer_text(&w), "\"attach\":\"tracepoint\""));
	json_writer_free(&w);
}

static void test_setgroups_and_capset_args(void **state)
{
	struct cg_syscall_event e;
	struct json_writer w;

	memset(&e, 0, sizeof(e));
	fill_header(&e.hdr, CG_EVENT_SYSCALL, sizeof(e));
	e.syscall = CG_SYS_SETGROUPS;
	e.nargs = 2;
	e.args[0] = 3;
	e.ngroups = 3;
	e.groups[0] = 10, e.groups[1] = 20, e.groups[2] = 30;
	json_writer_init(&w);
	assert_int_equal(event_format_syscall(&w, OUTPUT_JSON, &e, &meta), 0);
	assert_non_null(strstr(json_writer_text(&w),
			       "\"args\":[{\"int_arg\":3},{\"gid_list_arg\":[10,20,30]}]"));

	json_writer_reset(&w);
	e.syscall = CG_SYS_CAPSET;
	e.new_caps.effective = (1ull << 13) | (1ull << 21);
	e.new_caps.permitted = 1ull << 13;
	assert_int_equal(event_format_syscall(&w, OUTPUT_JSON, &e, &meta), 0);
	assert_non_null(strstr(json_writer_text(&w),
			       "\"args\":[{\"cap_effective_arg\":[\"CAP_NET_RAW\",\"CAP_SYS_ADMIN\"]},"
			       "{\"cap_permitted_arg\":[\"CAP_NET_RAW\"]},{\"cap_inheritable_arg\":[]}]"));
	json_writer_free(&w);
}

static void make_decision(struct cg_decision_event *e)
{
	memset(e, 0, sizeof(*e));
	fill_header(&e->hdr, CG_EVENT_DECISION, sizeof(*e));
	e->hook = CG_HOOK_SETUID;
	e->setid_flags = CG_SETID_RES;
	e->rule_index = 0;
	e->mode = CG_MODE_ENFORCE;
	e->verdict = CG_VERDICT_DENIED;
	e->subject_from = 1000;
	e->subject_to = 0;
	e->old_ids.euid = 1000;
	e->old_ids.fsuid = 1000;
}

static void test_decision_event(void **state)
{
	struct cg_decision_event e;
	struct json_writer w;
	const char *text;

	make_decision(&e);
	json_writer_init(&w);
	assert_int_equal(event_format_decision(&w, OUTPUT_JSON, &e, &meta), 0);
	text = json_writer_text(&w);
	assert_non_null(strstr(text, "{\"credgate_decision\":{\"process\":{\"pid\":125798,"));
	assert_non_null(strstr(text, "\"hook\":\"task_fix_setuid\",\"call\":\"setresuid\","));
	assert_non_null(strstr(text, "\"old_credentials\":{\"uid\":0,\"gid\":0,\"euid\":1000,"));
	assert_non_null(strstr(text, "\"policy_name\":\"web-no-root\",\"rule_index\":0,"
				     "\"rule\":\"setuid.deny[0]: from any to 0\","
				     "\"subject\":{\"from\":1000,\"to\":0},"
				     "\"mode\":\"enforce\",\"verdict\":\"denied\",\"enforcement\":\"eperm\"}"));
	assert_non_null(strstr(text, "\"node_name\":\"kind-control-plane\",\"time\":\"2023-07-05T19:14:30.918977160Z\"}"));
	json_writer_free(&w);
}

static void test_enforcement_names(void **state)
{
	struct cg_decision_event e;
	struct json_writer w;

	json_writer_init(&w);
	make_decision(&e);
	e.setid_flags = CG_SETID_FS;
	assert_int_equal(event_format_decision(&w, OUTPUT_JSON, &e, &meta), 0);
	assert_non_null(strstr(json_writer_text(&w), "\"call\":\"setfsuid\""));
	assert_non_null(strstr(json_writer_text(&w), "\"enforcement\":\"fsid-unchanged\""));

	json_writer_reset(&w);
	make_decision(&e);
	e.verdict = CG_VERDICT_KILLED;
	assert_int_equal(event_format_decision(&w, OUTPUT_JSON, &e, &meta), 0);
	assert_non_null(strstr(json_writer_text(&w), "\"verdict\":\"killed\",\"enforcement\":\"sigkill\""));

	json_writer_reset(&w);
	make_decision(&e);
	e.verdict = CG_VERDICT_AUDITED; /* enforce rule, no LSM to enforce it */
	assert_int_equal(event_format_decision(&w, OUTPUT_JSON, &e, &meta), 0);
	assert_non_null(strstr(json_writer_text(&w),
			       "\"verdict\":\"audited-would-deny\",\"enforcement\":\"unavailable\""));

	json_writer_reset(&w);
	e.mode = CG_MODE_AUDIT;
	assert_int_equal(event_format_decision(&w, OUTPUT_JSON, &e, &meta), 0);
	assert_non_null(strstr(json_writer_text(&w), "\"mode\":\"audit\",\"verdict\":\"audited-would-deny\",\"enforcement\":\"none\""));
	json_writer_free(&w);
}

static void test_capset_decision(void **state)
{
	struct cg_decision_event e;
	struct json_writer w;

	make_decision(&e);
	e.hook = CG_HOOK_CAPSET;
	e.setid_flags = 0;
	e.subject_from = CG_CAPSET_EFFECTIVE;
	e.subject_to = 13;
	e.new_caps.effective = 1ull << 13;
	json_writer_init(&w);
	assert_int_equal(event_format_decision(&w, OUTPUT_JSON, &e, &meta), 0);
	assert_non_null(strstr(json_writer_text(&w), "\"hook\":\"capset\",\"call\":\"capset\""));
	assert_non_null(strstr(json_writer_text(&w),
			       "\"new_capabilities\":{\"permitted\":[],\"effective\":[\"CAP_NET_RAW\"],\"inheritable\":[]}"));
	assert_non_null(strstr(json_writer_text(&w),
			       "\"subject\":{\"set\":\"effective\",\"capability\":\"CAP_NET_RAW\"}"));
	json_writer_free(&w);
}

static void test_compact(void **state)
{
	struct cg_decision_event e;
	struct json_writer w;

	make_decision(&e);
	json_writer_init(&w);
	assert_int_equal(event_format_decision(&w, OUTPUT_COMPACT, &e, &meta), 0);
	assert_string_equal(json_writer_text(&w),
			    "2023-07-05T19:14:30.918977160Z /kubepods/pod1/c1 su[125798] /bin/su "
			    "setresuid: euid 1000→0, fsuid 1000→0 denied "
			    "(policy web-no-root, setuid.deny[0]: from any to 0, enforce)");
	json_writer_free(&w);
}

static void test_gone_process_uses_comm(void **state)
{
	struct cg_decision_event e;
	struct event_meta m = meta;
	struct json_writer w;

	make_decision(&e);
	memcpy(e.hdr.comm, "0123456789abcdef", 16); /* 16 bytes, no NUL */
	m.binary = NULL;
	m.arguments = NULL;
	m.cwd = NULL;
	json_writer_init(&w);
	assert_int_equal(event_format_decision(&w, OUTPUT_JSON, &e, &m), 0);
	assert_non_null(strstr(json_writer_text(&w), "\"binary\":\"0123456789abcdef\",\"comm\":\"0123456789abcdef\""));
	json_writer_free(&w);
}

/* A pre-rendered process member gives byte-for-byte the same line. */
static void test_cached_process_member(void **state)
{
	struct cg_decision_event e;
	struct json_writer fresh, member, cached;
	struct event_meta m = meta;

	make_decision(&e);
	json_writer_init(&fresh);
	json_writer_init(&member);
	json_writer_init(&cached);
	assert_int_equal(event_format_decision(&fresh, OUTPUT_JSON, &e, &meta), 0);
	event_format_process(&member, &e.hdr, e.old_ids.uid, &meta);
	assert_non_null(json_writer_text(&member));
	m.process_json = member.buf;
	m.process_json_len = member.len;
	assert_int_equal(event_format_decision(&cached, OUTPUT_JSON, &e, &m), 0);
	assert_string_equal(json_writer_text(&cached), json_writer_text(&fresh));
	json_writer_free(&fresh);
	json_writer_free(&member);
	json_writer_free(&cached);
}

static void test_rejects_out_of_range(void **state)
{
	struct cg_decision_event d;
	struct cg_syscall_event s;
	struct json_writer w;

	json_writer_init(&w);
	make_decision(&d);
	d.hook = 99;
	assert_int_equal(event_format_decision(&w, OUTPUT_JSON, &d, &meta), -EBADMSG);
	make_decision(&d);
	d.verdict = 77;
	assert_int_equal(event_format_decision(&w, OUTPUT_JSON, &d, &meta), -EBADMSG);
	memset(&s, 0, sizeof(s));
	fill_header(&s.hdr, CG_EVENT_SYSCALL, sizeof(s));
	s.syscall = CG_SYS_MAX;
	assert_int_equal(event_format_syscall(&w, OUTPUT_JSON, &s, &meta), -EBADMSG);
	s.syscall = CG_SYS_SETUID;
	s.nargs = 9;
	assert_int_equal(event_format_syscall(&w, OUTPUT_JSON, &s, &meta), -EBADMSG);
	json_writer_free(&w);
}

static void test_validate(void **state)
{
	struct cg_decision_event d;
	struct cg_syscall_event s;

	memset(&d, 0, sizeof(d));
	fill_header(&d.hdr, CG_EVENT_DECISION, sizeof(d));
	assert_int_equal(event_validate(&d, sizeof(d)), 0);
	assert_int_equal(event_validate(&d, sizeof(d.hdr) - 1), -EBADMSG);
	assert_int_equal(event_validate(&d, sizeof(d) - 8), -EBADMSG); /* truncated */
	d.hdr.size = sizeof(d) - 8;
	assert_int_equal(event_validate(&d, sizeof(d)), -EBADMSG); /* wrong size for type */
	d.hdr.size = sizeof(d);
	d.hdr.type = 3;
	assert_int_equal(event_validate(&d, sizeof(d)), -EBADMSG);
	memset(&s, 0, sizeof(s));
	fill_header(&s.hdr, CG_EVENT_SYSCALL, sizeof(s));
	assert_int_equal(event_validate(&s, sizeof(s)), 0);
}

static void test_time(void **state)
{
	char buf[64];

	assert_int_equal(event_format_time(0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1970-01-01T00:00:00.000000000Z");
	assert_int_equal(event_format_time(T_NS, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2023-07-05T19:14:30.918977160Z");
	assert_int_equal(event_format_time(T_NS, buf, 10), -ENOBUFS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syscall_event_reference_shape),
		cmocka_unit_test(test_syscall_args_signed_and_killed),
		cmocka_unit_test(test_setgroups_and_capset_args),
		cmocka_unit_test(test_decision_event),
		cmocka_unit_test(test_enforcement_names),
		cmocka_unit_test(test_capset_decision),
		cmocka_unit_test(test_compact),
		cmocka_unit_test(test_gone_process_uses_comm),
		cmocka_unit_test(test_cached_process_member),
		cmocka_unit_test(test_rejects_out_of_range),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
