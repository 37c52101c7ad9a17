// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for agent/events/event_format.c: the exact JSON shape of each event
 * kind (the reference tool's process_kprobe shape, credgate_decision), the
 * compact form, validation of raw records, and time formatting.
 *
 * Over 600 lines on purpose: most of it is expected JSON written out in
 * full, one event kind at a time, so that a change of shape is seen here.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "container_id.h"
#include "cri_metadata.h"
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

static struct cri_label labels[] = {
	{ "app.kubernetes.io/name", "xwing" }, { "class", "xwing" }, { "org", "alliance" },
};

static struct cri_metadata cri = {
	.runtime = CONTAINER_RUNTIME_CONTAINERD,
	.container_name = "spaceship",
	.image_name = "docker.io/tgraf/netperf:latest",
	.image_id = "docker.io/tgraf/netperf@sha256:8e86f744bfea165fd4ce68caa05abc96500f40130b857773186401926af7e9e6",
	.start_time = "2023-07-05T18:45:16Z",
	.pod_name = "xwing",
	.pod_namespace = "default",
	.pod_labels = labels,
	.npod_labels = 3,
};

static struct container_identity ident = {
	.runtime = CONTAINER_RUNTIME_CONTAINERD,
	.qos = POD_QOS_BESTEFFORT,
	.id = "55936e548de63f77ceb595d64966dd8e267b391ff0ef63b26c17eb8c2f6510be",
	.short_id = "55936e548de63f77ceb595d64966dd8",
	.pod_uid = "0ff6b3a4-2f4a-4e4b-9bd0-5d9f3e0a1c11",
};

/* The reference page's su process, in the xwing pod. */
static const struct event_process proc = {
	.exec_id = "a2luZC1jb250cm9sLXBsYW5lOjQwNzk4ODc2MDI2NTk4OjEyNTc5OA==",
	.pid = 125798, .tid = 125798, .uid = 1000, .auid = 4294967295u, .ppid = 125792,
	.pidns_ino = 4026532000u, .nspid = 19,
	.cwd = "/", .binary = "/bin/su", .arguments = "root", .flags = "execve rootcwd clone",
	.start_time_realtime_ns = 1688584470918693157ull,
	.parent_exec_id = "a2luZC1jb250cm9sLXBsYW5lOjQwNzk1NjYyMDM3MzMyOjEyNTc5Mg==",
	.comm = "su", .cgroup_id = 4242, .cgroup_path = "/kubepods/pod1/c1",
	.container = &ident, .cri = &cri,
};

static const struct event_process parent = {
	.exec_id = "a2luZC1jb250cm9sLXBsYW5lOjQwNzk1NjYyMDM3MzMyOjEyNTc5Mg==",
	.pid = 125792, .tid = 125792, .uid = 0, .auid = 4294967295u, .ppid = 125783,
	.cwd = "/", .binary = "/bin/bash", .flags = "execve rootcwd clone",
	.start_time_realtime_ns = 1688584467704703805ull,
	.comm = "bash",
};

static const struct event_meta meta = {
	.node_name = "kind-control-plane",
	.time_realtime_ns = T_NS,
	.policy_name = "web-no-root",
	.rule_text = "setuid.deny[0]: from any to 0",
	.process = &proc,
	.parent = &parent,
};

#define POD_JSON                                                                                   \
	"\"pod\":{\"namespace\":\"default\",\"name\":\"xwing\",\"container\":{"                   \
	"\"id\":\"containerd://55936e548de63f77ceb595d64966dd8e267b391ff0ef63b26c17eb8c2f6510be\","  \
	"\"name\":\"spaceship\",\"image\":{\"id\":\"docker.io/tgraf/netperf@sha256:"               \
	"8e86f744bfea165fd4ce68caa05abc96500f40130b857773186401926af7e9e6\","                      \
	"\"name\":\"docker.io/tgraf/netperf:latest\"},\"start_time\":\"2023-07-05T18:45:16Z\","    \
	"\"pid\":19},\"pod_labels\":{\"app.kubernetes.io/name\":\"xwing\",\"class\":\"xwing\","   \
	"\"org\":\"alliance\"},\"uid\":\"0ff6b3a4-2f4a-4e4b-9bd0-5d9f3e0a1c11\","                  \
	"\"qos_class\":\"BestEffort\"}"

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
		"{\"process_kprobe\":{\"process\":{"
		"\"exec_id\":\"a2luZC1jb250cm9sLXBsYW5lOjQwNzk4ODc2MDI2NTk4OjEyNTc5OA==\","
		"\"pid\":125798,\"uid\":1000,\"cwd\":\"/\",\"binary\":\"/bin/su\",\"arguments\":\"root\","
		"\"flags\":\"execve rootcwd clone\",\"start_time\":\"2023-07-05T19:14:30.918693157Z\","
		"\"auid\":4294967295," POD_JSON ",\"docker\":\"55936e548de63f77ceb595d64966dd8\","
		"\"parent_exec_id\":\"a2luZC1jb250cm9sLXBsYW5lOjQwNzk1NjYyMDM3MzMyOjEyNTc5Mg==\","
		"\"tid\":125798,\"comm\":\"su\",\"ppid\":125792,"
		"\"pid_namespace\":4026532000,\"host_pid_namespace\":false,"
		"\"cgroup\":{\"id\":4242,\"path\":\"/kubepods/pod1/c1\"},"
		"\"container\":{\"runtime\":\"containerd\","
		"\"id\":\"55936e548de63f77ceb595d64966dd8e267b391ff0ef63b26c17eb8c2f6510be\","
		"\"name\":\"spaceship\",\"image\":\"docker.io/tgraf/netperf:latest\","
		"\"image_id\":\"docker.io/tgraf/netperf@sha256:8e86f744bfea165fd4ce68caa05abc96500f40130b857773186401926af7e9e6\"}},"
		"\"parent\":{\"exec_id\":\"a2luZC1jb250cm9sLXBsYW5lOjQwNzk1NjYyMDM3MzMyOjEyNTc5Mg==\","
		"\"pid\":125792,\"uid\":0,\"cwd\":\"/\",\"binary\":\"/bin/bash\",\"flags\":\"execve rootcwd clone\","
		"\"start_time\":\"2023-07-05T19:14:27.704703805Z\",\"auid\":4294967295,\"tid\":125792,"
		"\"comm\":\"bash\",\"ppid\":125783},"
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
	assert_non_null(strstr(text, "{\"credgate_decision\":{\"process\":{\"exec_id\":\"a2luZC1jb250cm9sLXBsYW5lOjQwNzk4ODc2MDI2NTk4OjEyNTc5OA==\",\"pid\":125798,"));
	assert_non_null(strstr(text, "},\"parent\":{\"exec_id\":\"a2luZC1jb250cm9sLXBsYW5lOjQwNzk1NjYyMDM3MzMyOjEyNTc5Mg==\",\"pid\":125792,"));
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
			    "2023-07-05T19:14:30.918977160Z default/xwing /bin/su[125798] "
			    "setresuid: euid 1000→0, fsuid 1000→0 denied "
			    "(policy web-no-root, setuid.deny[0]: from any to 0, enforce)");
	json_writer_free(&w);
}

/*
 * A process names its own file, arguments and comm: none of it may end a
 * compact line, forge another one, or reach a terminal as a control
 * sequence. Valid UTF-8 stays as it is; C1 controls and bad bytes do not.
 */
static void test_compact_escapes_what_the_process_chose(void **state)
{
	struct cg_decision_event e;
	struct event_process p = proc;
	struct event_meta m = meta;
	struct json_writer w;
	const char *text;

	make_decision(&e);
	p.binary = "/tmp/x\n2023-07-05T19:14:30.918977160Z host /usr/bin/true[1] setuid(0) = 0\x1b[2J\\\t\xc2\x9b\xff/été";
	m.process = &p;
	json_writer_init(&w);
	assert_int_equal(event_format_decision(&w, OUTPUT_COMPACT, &e, &m), 0);
	text = json_writer_text(&w);
	assert_null(strchr(text, '\n'));
	assert_null(strchr(text, '\x1b'));
	assert_non_null(strstr(text, "/tmp/x\\n2023-07-05T19:14:30.918977160Z host /usr/bin/true[1] setuid(0) = 0"
				     "\\x1b[2J\\\\\\t\\xc2\\x9b\\xff/été[125798] setresuid:"));
	json_writer_free(&w);

	/* The comm of a process the cache no longer has, too. */
	memcpy(e.hdr.comm, "a\rb\x7f", 5);
	m.process = NULL;
	m.parent = NULL;
	json_writer_init(&w);
	assert_int_equal(event_format_decision(&w, OUTPUT_COMPACT, &e, &m), 0);
	assert_non_null(strstr(json_writer_text(&w), " host a\\rb\\x7f[125798] "));
	json_writer_free(&w);

	/* And the arguments of an exec. */
	struct cg_exec_event x;

	memset(&x, 0, sizeof(x));
	fill_header(&x.hdr, CG_EVENT_EXEC, sizeof(x));
	p.binary = "/bin/su";
	p.arguments = "root\nforged line";
	m.process = &p;
	json_writer_init(&w);
	assert_int_equal(event_format_exec(&w, OUTPUT_COMPACT, &x, &m), 0);
	assert_null(strchr(json_writer_text(&w), '\n'));
	assert_non_null(strstr(json_writer_text(&w), "/bin/su[125798] exec root\\nforged line"));
	json_writer_free(&w);
}

static void test_gone_process_uses_comm(void **state)
{
	struct cg_decision_event e;
	struct event_meta m = meta;
	struct json_writer w;

	make_decision(&e);
	memcpy(e.hdr.comm, "0123456789abcdef", 16); /* 16 bytes, no NUL */
	m.process = NULL; /* nothing but the header */
	m.parent = NULL;
	json_writer_init(&w);
	assert_int_equal(event_format_decision(&w, OUTPUT_JSON, &e, &m), 0);
	assert_non_null(strstr(json_writer_text(&w),
			       "{\"pid\":125798,\"uid\":0,\"binary\":\"0123456789abcdef\",\"auid\":4294967295,"
			       "\"tid\":125798,\"comm\":\"0123456789abcdef\""));
	assert_null(strstr(json_writer_text(&w), "\"parent\""));
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
	event_format_process_members(&member, meta.process, meta.parent);
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
	d.hdr.type = 99;
	assert_int_equal(event_validate(&d, sizeof(d)), -EBADMSG);
	d.hdr.type = CG_EVENT_EXEC_DECISION; /* the size of a cg_exec_decision_event expected */
	assert_int_equal(event_validate(&d, sizeof(d)), -EBADMSG);
	memset(&s, 0, sizeof(s));
	fill_header(&s.hdr, CG_EVENT_SYSCALL, sizeof(s));
	assert_int_equal(event_validate(&s, sizeof(s)), 0);
}

/* An exec record's names end in their fields, and its path flags agree with its binary. */
static void test_validate_exec(void **state)
{
	static struct cg_exec_event x;

	memset(&x, 0, sizeof(x));
	fill_header(&x.hdr, CG_EVENT_EXEC, sizeof(x));
	snprintf(x.filename, sizeof(x.filename), "./su");
	snprintf(x.binary, sizeof(x.binary), "/usr/bin/su");
	assert_int_equal(event_validate(&x, sizeof(x)), 0);
	/* Each change alone: */
	memset(x.filename, 'a', sizeof(x.filename)); /* no NUL in filename */
	assert_int_equal(event_validate(&x, sizeof(x)), -EBADMSG);
	snprintf(x.filename, sizeof(x.filename), "./su");
	memset(x.binary, 'a', sizeof(x.binary)); /* no NUL in binary */
	x.binary[0] = '/';
	assert_int_equal(event_validate(&x, sizeof(x)), -EBADMSG);
	memset(x.binary, 0, sizeof(x.binary));
	snprintf(x.binary, sizeof(x.binary), "/usr/bin/su");
	x.path_flags = 1u << 31; /* a flag this agent does not know */
	assert_int_equal(event_validate(&x, sizeof(x)), -EBADMSG);
	x.path_flags = CG_BINARY_TOO_LONG; /* unresolved, yet a name */
	assert_int_equal(event_validate(&x, sizeof(x)), -EBADMSG);
	x.binary[0] = '\0'; /* unresolved and empty: valid */
	assert_int_equal(event_validate(&x, sizeof(x)), 0);
	x.path_flags = CG_BINARY_DELETED; /* resolved, yet empty */
	assert_int_equal(event_validate(&x, sizeof(x)), -EBADMSG);
	snprintf(x.binary, sizeof(x.binary), "usr/bin/su (deleted)"); /* resolved, not absolute */
	assert_int_equal(event_validate(&x, sizeof(x)), -EBADMSG);
	x.binary[0] = '/';
	assert_int_equal(event_validate(&x, sizeof(x)), 0);
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

/* Tetragon's example: sudo run by uid 1000 becomes euid 0. */
static void test_exec_binary_properties(void **state)
{
	struct cg_exec_event e;
	struct event_exec_properties props = { .ids = &e.ids };
	struct event_process p = proc;
	struct event_meta m = meta;
	struct json_writer w;
	const char *text;

	memset(&e, 0, sizeof(e));
	fill_header(&e.hdr, CG_EVENT_EXEC, sizeof(e));
	e.ids.uid = 1000, e.ids.euid = 0, e.ids.suid = 0, e.ids.fsuid = 0;
	e.ids.gid = e.ids.egid = e.ids.sgid = e.ids.fsgid = 1000;
	e.binary_flags = CG_EXEC_SETUID;
	props.binary_flags = e.binary_flags;
	p.exec = &props;
	m.process = &p;
	json_writer_init(&w);
	assert_int_equal(event_format_exec(&w, OUTPUT_JSON, &e, &m), 0);
	text = json_writer_text(&w);
	assert_non_null(strstr(text, "{\"process_exec\":{\"process\":{\"exec_id\":"));
	assert_non_null(strstr(text, "\"process_credentials\":{\"uid\":1000,\"gid\":1000,\"euid\":0,\"egid\":1000,"));
	assert_non_null(strstr(text, "\"binary_properties\":{\"setuid\":0,\"privileges_changed\":"
				     "[\"PRIVILEGES_RAISED_EXEC_FILE_SETUID\"]}"));
	assert_non_null(strstr(text, "\"parent\":{\"exec_id\":"));
	assert_non_null(strstr(text, "\"policy_name\":\"web-no-root\"},\"node_name\":\"kind-control-plane\""));

	/* wall: set-group-ID tty, no privilege raised */
	json_writer_reset(&w);
	e.ids.uid = e.ids.euid = 1000;
	e.ids.egid = 5;
	e.binary_flags = props.binary_flags = CG_EXEC_SETGID;
	assert_int_equal(event_format_exec(&w, OUTPUT_JSON, &e, &m), 0);
	assert_non_null(strstr(json_writer_text(&w), "\"binary_properties\":{\"setgid\":5}"));

	/* nothing gained: no binary_properties at all */
	json_writer_reset(&w);
	e.binary_flags = props.binary_flags = 0;
	assert_int_equal(event_format_exec(&w, OUTPUT_JSON, &e, &m), 0);
	assert_null(strstr(json_writer_text(&w), "binary_properties"));

	json_writer_reset(&w);
	e.ids.uid = 1000, e.ids.euid = 0;
	e.binary_flags = props.binary_flags = CG_EXEC_SETUID | CG_EXEC_FILE_CAPS;
	assert_int_equal(event_format_exec(&w, OUTPUT_COMPACT, &e, &m), 0);
	assert_string_equal(json_writer_text(&w),
			    "2023-07-05T19:14:30.918977160Z default/xwing /bin/su[125798] exec root (setuid 0) "
			    "PRIVILEGES_RAISED_EXEC_FILE_CAP PRIVILEGES_RAISED_EXEC_FILE_SETUID");
	json_writer_free(&w);
}

static void test_lost_event(void **state)
{
	struct event_lost_cgroup cgroups[] = { { .id = 77, .path = "/web", .rate_limited = 5 } };
	struct event_lost l = {
		.ringbuf_full = 1, .inflight_full = 2, .process_records = 3, .rate_limited = 5,
		.client_missed = 4, .cgroups = cgroups, .ncgroups = 1,
	};
	struct event_meta m = { .node_name = "n1", .time_realtime_ns = T_NS };
	struct json_writer w;

	json_writer_init(&w);
	assert_int_equal(event_format_lost(&w, OUTPUT_JSON, &l, &m), 0);
	assert_string_equal(json_writer_text(&w),
			    "{\"credgate_lost\":{\"ringbuf_full\":1,\"inflight_full\":2,\"process_records\":3,"
			    "\"rate_limited\":5,\"output_failed\":0,\"file_failed\":0,\"journal_failed\":0,"
			    "\"client_missed\":4,\"cgroups\":[{\"id\":77,\"path\":\"/web\",\"rate_limited\":5}]},"
			    "\"node_name\":\"n1\",\"time\":\"2023-07-05T19:14:30.918977160Z\"}");
	json_writer_reset(&w);
	assert_int_equal(event_format_lost(&w, OUTPUT_COMPACT, &l, &m), 0);
	assert_non_null(strstr(json_writer_text(&w), "lost events: 1 (kernel buffer full), 2 (in-flight table full), 3 process records, 5 rate-limited"));
	json_writer_free(&w);
}

/* selinux_context: the process's context when known, absent (never empty) otherwise. */
static void test_selinux_context(void **state)
{
	struct event_process p = proc;
	struct event_meta m = meta;
	struct cg_decision_event e;
	struct json_writer w;

	make_decision(&e);
	json_writer_init(&w);
	assert_int_equal(event_format_decision(&w, OUTPUT_JSON, &e, &m), 0);
	assert_null(strstr(json_writer_text(&w), "selinux_context"));
	p.selinux_context = "system_u:system_r:container_t:s0:c12,c34";
	m.process = &p;
	json_writer_reset(&w);
	assert_int_equal(event_format_decision(&w, OUTPUT_JSON, &e, &m), 0);
	assert_non_null(strstr(json_writer_text(&w),
			       "\"selinux_context\":\"system_u:system_r:container_t:s0:c12,c34\",\"cgroup\":{"));
	json_writer_free(&w);
}

/* USER_AVC records that could not be written: in credgate_lost only when there were some. */
static void test_lost_audit(void **state)
{
	struct event_lost l = { .audit_failed = 7 };
	struct event_meta m = { .node_name = "n1", .time_realtime_ns = T_NS };
	struct json_writer w;

	json_writer_init(&w);
	assert_int_equal(event_format_lost(&w, OUTPUT_JSON, &l, &m), 0);
	assert_non_null(strstr(json_writer_text(&w), "\"client_missed\":0,\"audit_failed\":7}"));
	json_writer_reset(&w);
	assert_int_equal(event_format_lost(&w, OUTPUT_COMPACT, &l, &m), 0);
	assert_non_null(strstr(json_writer_text(&w), "0 slow clients, 7 audit records"));
	json_writer_free(&w);
}

static void test_repeated_decision(void **state)
{
	struct event_repeat repeat = { .count = 42, .first_realtime_ns = T_NS - 1000000000ull, .last_realtime_ns = T_NS };
	struct cg_decision_event e;
	struct event_meta m = meta;
	struct json_writer w;

	make_decision(&e);
	m.repeat = &repeat;
	json_writer_init(&w);
	assert_int_equal(event_format_decision(&w, OUTPUT_JSON, &e, &m), 0);
	assert_non_null(strstr(json_writer_text(&w),
			       "\"enforcement\":\"eperm\",\"repeated\":{\"count\":42,"
			       "\"first_time\":\"2023-07-05T19:14:29.918977160Z\",\"last_time\":\"2023-07-05T19:14:30.918977160Z\"}}"));
	json_writer_reset(&w);
	assert_int_equal(event_format_decision(&w, OUTPUT_COMPACT, &e, &m), 0);
	assert_non_null(strstr(json_writer_text(&w), "enforce) ×42"));
	json_writer_free(&w);
}

static void test_syscall_compact_changes(void **state)
{
	struct cg_syscall_event e;
	struct event_process p = proc;
	struct event_meta m = meta;
	struct json_writer w;

	memset(&e, 0, sizeof(e));
	fill_header(&e.hdr, CG_EVENT_SYSCALL, sizeof(e));
	e.syscall = CG_SYS_SETUID;
	e.nargs = 1;
	e.old_ids.uid = e.old_ids.suid = 1000;
	p.container = NULL;
	p.cri = NULL;
	m.process = &p;
	json_writer_init(&w);
	assert_int_equal(event_format_syscall(&w, OUTPUT_COMPACT, &e, &m), 0);
	assert_string_equal(json_writer_text(&w), "2023-07-05T19:14:30.918977160Z host /bin/su[125798] "
						  "setuid(0) = 0: uid 1000→0, suid 1000→0");
	json_writer_free(&w);
}

static void test_location(void **state)
{
	struct container_identity c = ident;
	struct event_process p = proc;
	char buf[128];

	event_format_location(&p, buf, sizeof(buf));
	assert_string_equal(buf, "default/xwing");
	p.cri = NULL;
	event_format_location(&p, buf, sizeof(buf));
	assert_string_equal(buf, "pod:0ff6b3a4-2f4a-4e4b-9bd0-5d9f3e0a1c11");
	c.pod_uid[0] = '\0';
	c.runtime = CONTAINER_RUNTIME_DOCKER;
	p.container = &c;
	event_format_location(&p, buf, sizeof(buf));
	assert_string_equal(buf, "docker:55936e548de6");
	event_format_location(NULL, buf, sizeof(buf));
	assert_string_equal(buf, "host");
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
		cmocka_unit_test(test_compact_escapes_what_the_process_chose),
		cmocka_unit_test(test_gone_process_uses_comm),
		cmocka_unit_test(test_cached_process_member),
		cmocka_unit_test(test_rejects_out_of_range),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_validate_exec),
		cmocka_unit_test(test_time),
		cmocka_unit_test(test_exec_binary_properties),
		cmocka_unit_test(test_lost_event),
		cmocka_unit_test(test_repeated_decision),
		cmocka_unit_test(test_selinux_context),
		cmocka_unit_test(test_lost_audit),
		cmocka_unit_test(test_syscall_compact_changes),
		cmocka_unit_test(test_location),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
