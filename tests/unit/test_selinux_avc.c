// SPDX-License-Identifier: LGPL-2.1-or-later
/* selinux-compat/avc.c: decisions as AVC records the audit tools split and decode. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "selinux-compat/avc.h"

#define CTX "system_u:system_r:container_t:s0:c12,c34"

static struct avc_decision setuid_decision(void)
{
	return (struct avc_decision){
		.hook = CG_HOOK_SETUID, .pid = 4242, .comm = "su", .comm_len = 16, .context = CTX,
		.capability = -1, .policy = "web-no-root", .rule = "setuid.deny[0]: from any to 0",
		.call = "setresuid", .verdict = "denied", .enforcement = "eperm", .gid = -1,
		.ids = { { "uid", 1000, 0 }, { "euid", 1000, 0 } }, .nids = 2,
	};
}

static void expect_record(const struct avc_decision *d, const char *want)
{
	char buf[AVC_RECORD_MAX];
	int n = avc_format(d, buf, sizeof(buf));

	if (n < 0)
		fail_msg("avc_format: %d", n);
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
}

static void test_setuid_denied(void **state)
{
	struct avc_decision d = setuid_decision();

	expect_record(&d, "avc:  denied  { setuid } for pid=4242 comm=\"su\" capability=7 scontext=" CTX
			  " tcontext=" CTX " tclass=capability permissive=0 credgate_policy=\"web-no-root\""
			  " credgate_rule=\"setuid.deny[0]\" credgate_hook=task_fix_setuid credgate_call=setresuid"
			  " credgate_verdict=denied credgate_enforcement=eperm old_uid=1000 new_uid=0 old_euid=1000"
			  " new_euid=0");
}

/* Audit mode: SELinux's permissive grammar, "denied ... permissive=1". */
static void test_audit_is_permissive(void **state)
{
	struct avc_decision d = setuid_decision();
	char buf[AVC_RECORD_MAX];

	d.permissive = true;
	d.verdict = "audited-would-deny";
	d.enforcement = "none";
	assert_true(avc_format(&d, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "avc:  denied  { setuid } "));
	assert_non_null(strstr(buf, " permissive=1 "));
	assert_non_null(strstr(buf, " credgate_verdict=audited-would-deny "));
}

/* Without SELinux (or an unknown context) both contexts are "?", as audit writes a missing value. */
static void test_no_context(void **state)
{
	struct avc_decision d = setuid_decision();
	char buf[AVC_RECORD_MAX];

	d.context = NULL;
	assert_true(avc_format(&d, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, " scontext=? tcontext=? tclass=capability "));
	d.context = "bad context";
	assert_true(avc_format(&d, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, " scontext=? tcontext=? "));
}

static void expect_comm(const char *comm, size_t len, const char *want)
{
	struct avc_decision d = setuid_decision();
	char buf[AVC_RECORD_MAX], field[128];

	d.comm = comm;
	d.comm_len = len;
	assert_true(avc_format(&d, buf, sizeof(buf)) > 0);
	snprintf(field, sizeof(field), " comm=%s capability=7 ", want);
	if (!strstr(buf, field))
		fail_msg("expected '%s' in '%s'", field, buf);
}

/* Untrusted comm: quoted when plain, uppercase hex otherwise (audit_log_untrustedstring). */
static void test_comm_escaping(void **state)
{
	static const char sixteen[16] = { 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h',
					  'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p' };

	expect_comm("su", 16, "\"su\"");
	expect_comm("my prog", 16, "6D792070726F67");	   /* a space */
	expect_comm("a\"b", 16, "612262");		   /* a double quote */
	expect_comm("it's", 16, "69742773");		   /* a single quote would end the kernel's msg='...' */
	expect_comm("caf\xc3\xa9", 16, "636166C3A9");	   /* non-ASCII */
	expect_comm("tab\there", 16, "7461620968657265"); /* a control */
	expect_comm("", 16, "\"\"");
	/* 15 characters and the NUL: all of it. */
	expect_comm("abcdefghijklmno", 16, "\"abcdefghijklmno\"");
	/* 16 bytes without a NUL: never read past them. */
	expect_comm(sixteen, 16, "\"abcdefghijklmnop\"");
	/* A comm's length bounds it even when the bytes go on. */
	expect_comm("abcdefghijklmnopqrstuvwxyz", 16, "\"abcdefghijklmnop\"");
}

static void test_single_quote_is_hex(void **state)
{
	char buf[64];

	assert_int_equal(avc_encode_untrusted("it's", 4, buf, sizeof(buf)), 8);
	assert_string_equal(buf, "69742773");
	assert_int_equal(avc_encode_untrusted("x", 1, buf, 3), -ENOBUFS); /* "x" and the NUL need 4 */
	assert_int_equal(avc_encode_untrusted("x", 1, buf, 4), 3);
}

static void test_capset_capability2(void **state)
{
	struct avc_decision d = setuid_decision();
	char buf[AVC_RECORD_MAX];

	d.hook = CG_HOOK_CAPSET;
	d.nids = 0;
	d.call = "capset";
	d.capability = 13;
	d.capability_name = "CAP_NET_RAW";
	d.cap_set = "effective";
	assert_true(avc_format(&d, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "avc:  denied  { net_raw } for "));
	assert_non_null(strstr(buf, " capability=13 "));
	assert_non_null(strstr(buf, " tclass=capability "));
	assert_non_null(strstr(buf, " credgate_cap_set=effective"));
	/* CAP_BPF (39) is in SELinux's capability2 class. */
	d.capability = 39;
	d.capability_name = "CAP_BPF";
	assert_true(avc_format(&d, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "{ bpf } "));
	assert_non_null(strstr(buf, " capability=39 "));
	assert_non_null(strstr(buf, " tclass=capability2 "));
	/* An unknown name never reaches the record as it is. */
	d.capability_name = "bad name";
	assert_true(avc_format(&d, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "{ cap_39 } "));
	d.capability = -1;
	assert_int_equal(avc_format(&d, buf, sizeof(buf)), -EINVAL);
}

static void test_setgroups_exec_userns(void **state)
{
	struct avc_decision d = setuid_decision();
	char buf[AVC_RECORD_MAX];

	d.hook = CG_HOOK_SETGROUPS;
	d.nids = 0;
	d.gid = 27;
	assert_true(avc_format(&d, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "{ setgid } for "));
	assert_non_null(strstr(buf, " capability=6 "));
	assert_non_null(strstr(buf, " credgate_gid=27"));

	d = setuid_decision();
	d.hook = CG_HOOK_EXEC;
	d.exec_setuid = true;
	d.exec_setgid = true;
	d.exec_filename = "/usr/bin/my passwd";
	assert_true(avc_format(&d, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "avc:  denied  { setuid setgid } for pid=4242 comm=\"su\" scontext="));
	assert_null(strstr(buf, "capability="));
	assert_non_null(strstr(buf, " credgate_exec=2F7573722F62696E2F6D7920706173737764"));
	/* File capabilities only: the capability gained. */
	d.exec_setuid = d.exec_setgid = false;
	d.capability = 12;
	d.capability_name = "CAP_NET_ADMIN";
	assert_true(avc_format(&d, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "{ net_admin } for "));

	d = setuid_decision();
	d.hook = CG_HOOK_USERNS;
	d.nids = 0;
	assert_true(avc_format(&d, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "avc:  denied  { create } for pid=4242 comm=\"su\" scontext="));
	assert_non_null(strstr(buf, " tclass=user_namespace permissive=0 "));
	/* setns() into a user namespace: CAP_SYS_ADMIN over a namespace not the initial one. */
	d.hook = CG_HOOK_CAPABLE;
	d.call = "setns";
	assert_true(avc_format(&d, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "avc:  denied  { sys_admin } for pid=4242 comm=\"su\" capability=21 scontext="));
	assert_non_null(strstr(buf, " tclass=cap_userns permissive=0 "));
	assert_non_null(strstr(buf, " credgate_hook=capable credgate_call=setns "));

	d.hook = CG_HOOK_MAX; /* a value no table names */
	assert_int_equal(avc_format(&d, buf, sizeof(buf)), -EINVAL);
	d.hook = CG_HOOK_NONE;
	assert_int_equal(avc_format(&d, buf, sizeof(buf)), -EINVAL);
}

/* Values from an event log are not trusted either: nothing may add a field or end the line. */
static void test_untrusted_event_fields(void **state)
{
	struct avc_decision d = setuid_decision();
	char buf[AVC_RECORD_MAX];

	d.call = "setuid permissive=1";
	d.verdict = "denied\n";
	d.policy = "a'b";
	d.repeated = 12;
	assert_true(avc_format(&d, buf, sizeof(buf)) > 0);
	assert_null(strchr(buf, '\n'));
	assert_null(strchr(buf, '\''));
	assert_non_null(strstr(buf, " credgate_call=736574756964207065726D6973736976653D31 "));
	assert_null(strstr(buf, "setuid permissive=1"));
	assert_non_null(strstr(buf, " credgate_verdict=64656E6965640A "));
	assert_non_null(strstr(buf, " credgate_policy=612762 "));
	assert_non_null(strstr(buf, " credgate_repeated=12"));
}

static void test_rule_label_and_bounds(void **state)
{
	struct avc_decision d = setuid_decision();
	char label[AVC_RULE_LABEL_MAX + 1], small[64], buf[AVC_RECORD_MAX];
	char long_rule[300];

	avc_rule_label("capset.rules[1].denyGain: [CAP_NET_RAW] in [effective]", label, sizeof(label));
	assert_string_equal(label, "capset.rules[1].denyGain");
	avc_rule_label("userns: deny", label, sizeof(label));
	assert_string_equal(label, "userns");
	memset(long_rule, 'r', sizeof(long_rule) - 1);
	long_rule[sizeof(long_rule) - 1] = '\0';
	assert_int_equal(avc_rule_label(long_rule, label, sizeof(label)), AVC_RULE_LABEL_MAX);
	assert_int_equal(avc_format(&d, small, sizeof(small)), -ENOBUFS);
	assert_int_equal(avc_format(&d, buf, 0), -ENOBUFS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setuid_denied),	     cmocka_unit_test(test_audit_is_permissive),
		cmocka_unit_test(test_no_context),	     cmocka_unit_test(test_comm_escaping),
		cmocka_unit_test(test_single_quote_is_hex), cmocka_unit_test(test_capset_capability2),
		cmocka_unit_test(test_setgroups_exec_userns), cmocka_unit_test(test_untrusted_event_fields),
		cmocka_unit_test(test_rule_label_and_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
