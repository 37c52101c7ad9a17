// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * agent/events/avc_event.c and agent/events/avc_log.c: the record the agent writes for a
 * kernel decision, and the record `credgatectl avc` makes of the same
 * decision's JSON line, must be the same text; bad lines are reported
 * with their number.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "avc.h"
#include "avc_event.h"
#include "avc_log.h"
#include "event_format.h"

#define CTX "system_u:system_r:container_t:s0:c12,c34"
#define T_NS 1688584470918977160ull

static struct event_process proc = {
	.pid = 4242, .tid = 4242, .uid = 1000, .auid = 1000, .ppid = 1, .binary = "/bin/su", .comm = "su",
	.selinux_context = CTX,
};

static void header(struct cg_event_header *h, __u32 type, __u32 size)
{
	memset(h, 0, sizeof(*h));
	h->type = type;
	h->size = size;
	h->pid = h->tid = 4242;
	memcpy(h->comm, "su", 3);
}

/* Run avc_log_convert() on @input; output and errors into the buffers. */
static int convert(const char *input, char *out, size_t out_size, char *err, size_t err_size,
		   struct avc_log_stats *stats)
{
	FILE *in = fmemopen((void *)input, strlen(input), "r");
	FILE *o = fmemopen(out, out_size, "w"), *e = fmemopen(err, err_size, "w");
	int r;

	assert_non_null(in);
	assert_non_null(o);
	assert_non_null(e);
	r = avc_log_convert(in, "events.json", o, e, stats);
	fclose(in);
	fclose(o);
	fclose(e);
	return r;
}

/* The agent's record of @e, and credgatectl's of its JSON line: equal. */
static void check_same(const struct cg_decision_event *e, const struct event_meta *meta, const char *must_contain)
{
	char direct[AVC_RECORD_MAX], out[4 * AVC_RECORD_MAX] = "", err[1024] = "", input[16384];
	struct avc_log_stats stats;
	struct json_writer w;
	int n;

	n = avc_event_format(e, meta, direct, sizeof(direct));
	if (n <= 0)
		fail_msg("avc_event_format: %d", n);
	json_writer_init(&w);
	assert_int_equal(event_format_decision(&w, OUTPUT_JSON, e, meta), 0);
	snprintf(input, sizeof(input), "%s\n", json_writer_text(&w));
	json_writer_free(&w);
	assert_int_equal(convert(input, out, sizeof(out), err, sizeof(err), &stats), 0);
	assert_string_equal(err, "");
	assert_int_equal(stats.records, 1);
	assert_int_equal(strlen(out), (size_t)n + 1);
	out[n] = '\0';
	assert_string_equal(out, direct);
	if (!strstr(direct, must_contain))
		fail_msg("'%s' not in '%s'", must_contain, direct);
}

static void test_same_record_both_ways(void **state)
{
	struct event_meta meta = { .node_name = "n", .time_realtime_ns = T_NS, .policy_name = "web-no-root",
				   .rule_text = "setuid.deny[0]: from any to 0", .process = &proc };
	struct event_repeat repeat = { .count = 5, .first_realtime_ns = T_NS, .last_realtime_ns = T_NS };
	struct cg_exec_decision_event x;
	struct cg_decision_event e;

	header(&e.hdr, CG_EVENT_DECISION, sizeof(e));
	memset((char *)&e + sizeof(e.hdr), 0, sizeof(e) - sizeof(e.hdr));
	e.hook = CG_HOOK_SETUID, e.setid_flags = CG_SETID_RES, e.mode = CG_MODE_ENFORCE;
	e.verdict = CG_VERDICT_DENIED, e.subject_from = 1000, e.old_ids.euid = 1000, e.old_ids.uid = 1000;
	check_same(&e, &meta,
		   "avc:  denied  { setuid } for pid=4242 comm=\"su\" capability=7 scontext=" CTX " tcontext=" CTX
		   " tclass=capability permissive=0 credgate_policy=\"web-no-root\" credgate_rule=\"setuid.deny[0]\""
		   " credgate_hook=task_fix_setuid credgate_call=setresuid credgate_verdict=denied"
		   " credgate_enforcement=eperm old_uid=1000 new_uid=0 old_euid=1000 new_euid=0 old_suid=0 new_suid=0"
		   " old_fsuid=0 new_fsuid=0");

	/* Audit mode, folded: permissive=1 and the count. */
	e.mode = CG_MODE_AUDIT, e.verdict = CG_VERDICT_AUDITED;
	meta.repeat = &repeat;
	check_same(&e, &meta, " permissive=1 credgate_policy=");
	check_same(&e, &meta, " credgate_repeated=5");
	meta.repeat = NULL;

	/* capset gaining CAP_NET_RAW in the effective set. */
	e.hook = CG_HOOK_CAPSET, e.setid_flags = 0, e.subject_from = CG_CAPSET_EFFECTIVE, e.subject_to = 13;
	e.new_caps.effective = 1ull << 13;
	meta.rule_text = "capset.denyGain: [CAP_NET_RAW] in [permitted, effective]";
	check_same(&e, &meta, "{ net_raw } for pid=4242 comm=\"su\" capability=13 ");

	/* setgroups adding gid 27. */
	e.hook = CG_HOOK_SETGROUPS, e.subject_from = 0, e.subject_to = 27, e.ngroups_new = 1, e.groups_new[0] = 27;
	meta.rule_text = "setgroups.deny[0]: gid 27";
	check_same(&e, &meta, "{ setgid } for pid=4242 comm=\"su\" capability=6 ");
	check_same(&e, &meta, " credgate_gid=27");

	/* userns, killed without BPF LSM, no SELinux context known. */
	e.hook = CG_HOOK_USERNS, e.verdict = CG_VERDICT_KILLED, e.mode = CG_MODE_ENFORCE;
	proc.selinux_context = NULL;
	meta.rule_text = "userns: deny";
	check_same(&e, &meta, "{ create } for pid=4242 comm=\"su\" scontext=? tcontext=? tclass=user_namespace"
			      " permissive=0 credgate_policy=\"web-no-root\" credgate_rule=\"userns\"");
	proc.selinux_context = CTX;

	/* A set-user-ID exec with an odd file name and an odd comm. */
	header(&x.d.hdr, CG_EVENT_EXEC_DECISION, sizeof(x));
	memset((char *)&x + sizeof(x.d.hdr), 0, sizeof(x) - sizeof(x.d.hdr));
	memcpy(x.d.hdr.comm, "my su\"x", 8);
	proc.comm = "my su\"x";
	x.d.hook = CG_HOOK_EXEC, x.d.mode = CG_MODE_ENFORCE, x.d.verdict = CG_VERDICT_DENIED;
	x.d.old_ids.uid = x.d.old_ids.euid = 1000, x.d.new_ids.uid = 1000;
	x.exec_flags = CG_EXEC_SETUID;
	snprintf(x.filename, sizeof(x.filename), "/opt/my tool");
	meta.rule_text = "exec: allowPaths [/usr/bin/passwd]";
	check_same(&x.d, &meta, "{ setuid } for pid=4242 comm=6D792073752278 scontext=");
	proc.comm = "su";
}

static void test_bad_lines(void **state)
{
	static const char input[] =
		"{\"process_exec\":{\"process\":{\"pid\":1}}}\n"				     /* 1: skipped */
		"not json\n"									     /* 2: bad */
		"\n"										     /* 3: empty */
		"{\"credgate_decision\":{\"hook\":\"task_fix_setuid\",\"verdict\":\"allowed\"}}\n"   /* 4: allowed */
		"{\"credgate_decision\":{\"hook\":\"task_fix_setuid\",\"verdict\":\"denied\"}}\n"    /* 5: no pid */
		"[1,2]\n"									     /* 6: bad */
		"{\"credgate_decision\":{\"hook\":\"capset\",\"verdict\":\"denied\",\"process\":{\"pid\":9},"
		"\"subject\":{\"capability\":\"CAP_NOPE\"}}}\n"					     /* 7: bad */
		"{\"credgate_decision\":{\"hook\":\"task_fix_setuid\",\"verdict\":\"denied\",\"process\":{\"pid\":9,"
		"\"comm\":\"x\"}}}";								     /* 8: ok, no newline */
	char out[4096] = "", err[4096] = "";
	struct avc_log_stats stats;

	assert_int_equal(convert(input, out, sizeof(out), err, sizeof(err), &stats), 0);
	assert_int_equal(stats.lines, 8);
	assert_int_equal(stats.records, 1);
	assert_int_equal(stats.bad, 4);
	assert_int_equal(stats.skipped, 3);
	assert_non_null(strstr(err, "events.json:2: not a JSON object: "));
	assert_non_null(strstr(err, "events.json:5: a credgate_decision without process.pid\n"));
	assert_non_null(strstr(err, "events.json:6: not a JSON object: a JSON value of another type\n"));
	assert_non_null(strstr(err, "events.json:7: a capset decision without a known subject.capability\n"));
	assert_string_equal(out, "avc:  denied  { setuid } for pid=9 comm=\"x\" capability=7 scontext=? tcontext=?"
				 " tclass=capability permissive=0 credgate_hook=task_fix_setuid"
				 " credgate_verdict=denied\n");
}

static void test_line_limit(void **state)
{
	size_t len = AVC_LOG_MAX_LINE + 10;
	char *input = malloc(len + 64), out[256] = "", err[256] = "";
	struct avc_log_stats stats;

	assert_non_null(input);
	memset(input, ' ', len);
	snprintf(input + len, 64, "\n{}\n");
	assert_int_equal(convert(input, out, sizeof(out), err, sizeof(err), &stats), 0);
	assert_int_equal(stats.lines, 2);
	assert_int_equal(stats.bad, 1);
	assert_non_null(strstr(err, "events.json:1: line longer than 1048576 bytes\n"));
	free(input);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_record_both_ways),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_line_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
