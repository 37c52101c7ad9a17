// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for agent/control/control_request.c: what a control-socket client may
 * send (and what is refused, with a printable reason), which commands are
 * root's, and the process glob, against a plain dynamic-programming
 * reference on random patterns and subjects.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "control_proto.h"
#include "control_request.h"

static struct control_request req;
static char err[256];

static int parse(const char *text)
{
	err[0] = '\0';
	return control_request_parse(text, strlen(text), &req, err, sizeof(err));
}

static void test_parse_good(void **state)
{
	(void)state;
	assert_int_equal(parse("command=status\noutput=text\n\n"), 0);
	assert_int_equal(req.cmd, CONTROL_CMD_STATUS);
	assert_int_equal(req.output, CONTROL_OUTPUT_TEXT);
	assert_int_equal(parse("command=getevents\nkind=decision\nverdict=denied\ncgroup=/a\ncontainer=ab\n"
			       "pod=u\nprocess=*/su\npolicy=p\n\nignored after the empty line"),
			 0);
	assert_int_equal(req.cmd, CONTROL_CMD_GETEVENTS);
	assert_true(req.has_process);
	assert_string_equal(req.policy, "p");
	/* The peer closing its side ends the request too (no empty line). */
	assert_int_equal(parse("command=reload"), 0);
	assert_int_equal(req.cmd, CONTROL_CMD_RELOAD);
	assert_int_equal(parse("command=unload\n\n"), 0);
	assert_int_equal(req.cmd, CONTROL_CMD_UNLOAD);
	assert_int_equal(parse("command=metrics\n\n"), 0);
}

static void expect_refused(const char *text, size_t len, const char *reason)
{
	assert_int_equal(control_request_parse(text, len, &req, err, sizeof(err)), -EINVAL);
	if (!strstr(err, reason))
		fail_msg("reason '%s' lacks '%s'", err, reason);
	for (const char *p = err; *p; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
}

static void test_parse_bad(void **state)
{
	static const char nul[] = "command=status\0reload\n\n";
	char big[CONTROL_MAX_REQUEST + 64];
	char many[2048] = "";

	(void)state;
	expect_refused("", 0, "unknown command ''");
	expect_refused("\n", 1, "unknown command ''");
	expect_refused("command=shutdown\n\n", 18, "unknown command 'shutdown'");
	expect_refused("command=status\ncommand=reload\n\n", 31, "'command' given twice");
	expect_refused(nul, sizeof(nul) - 1, "NUL byte");
	expect_refused("junk\n\n", 6, "expected key=value, got 'junk'");
	expect_refused("\x1b[2J=1\n\n", 8, "unknown request key '?[2J'");
	expect_refused("command=status\noutput=yaml\n\n", 28, "unknown output 'yaml'");
	expect_refused("command=getevents\nkind=all\n\n", 28, "unknown kind 'all'");
	expect_refused("command=getevents\nverdict=deny\n\n", 31, "unknown verdict 'deny'");
	expect_refused("command=getevents\nverdict=none\n\n", 31, "unknown verdict 'none'");
	expect_refused("command=getevents\nprocess=abc\\\n\n", 32, "ends with '\\'");
	memset(big, 'a', sizeof(big));
	memcpy(big, "cgroup=", 7);
	expect_refused(big, sizeof(big), "longer than");
	expect_refused(big, 4200, "value of 'cgroup' longer than 4095 bytes");
	for (int i = 0; i < CONTROL_MAX_REQUEST_LINES + 1; i++)
		strcat(many, "pod=x\n");
	/* Each key once: a request has at most 11 lines, whatever it repeats. */
	expect_refused(many, strlen(many), "'pod' given twice");
}

static void test_bind_container(void **state)
{
	static const char id[] = "4f2a1b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8";
	char text[512], longid[CONTROL_CONTAINER_ID_MAX + 2];

	(void)state;
	snprintf(text, sizeof(text), "command=bind-container\ncontainer=%s\npid=4242\nbundle=/run/x/%s\n\n", id, id);
	assert_int_equal(parse(text), 0);
	assert_int_equal(req.cmd, CONTROL_CMD_BIND_CONTAINER);
	assert_string_equal(req.container, id);
	assert_int_equal(req.pid, 4242);
	assert_true(control_command_mutates(CONTROL_CMD_BIND_CONTAINER));
	/* containerd's clients let users choose ids */
	assert_int_equal(parse("command=bind-container\ncontainer=web_1.a-b\npid=2\n\n"), 0);
	assert_string_equal(req.bundle, "");

	expect_refused("command=bind-container\npid=42\n\n", 31, "needs container=ID");
	expect_refused("command=bind-container\ncontainer=-rf\npid=42\n\n", 45, "needs container=ID");
	expect_refused("command=bind-container\ncontainer=../x\npid=42\n\n", 46, "needs container=ID");
	expect_refused("command=bind-container\ncontainer=a b\npid=42\n\n", 45, "needs container=ID");
	memset(longid, 'a', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	snprintf(text, sizeof(text), "command=bind-container\ncontainer=%s\npid=42\n\n", longid);
	expect_refused(text, strlen(text), "value of 'container' longer than 128 bytes");
	expect_refused("command=bind-container\ncontainer=ab\n\n", 37, "needs pid=PID");
	expect_refused("command=bind-container\ncontainer=ab\npid=1\n\n", 43, "needs pid=PID");
	expect_refused("command=bind-container\ncontainer=ab\npid=-5\n\n", 44, "needs pid=PID");
	expect_refused("command=bind-container\ncontainer=ab\npid=12x\n\n", 45, "needs pid=PID");
	expect_refused("command=bind-container\ncontainer=ab\npid=99999999999\n\n", 53, "needs pid=PID");
	expect_refused("command=bind-container\ncontainer=ab\npid=5\nbundle=rel/dir\n\n", 58, "absolute");
	expect_refused("command=bind-container\ncontainer=ab\npid=5\nbundle=/a/../b\n\n", 58, "without '..'");
	expect_refused("command=bind-container\ncontainer=ab\npid=5\nbundle=/a/..\n\n", 56, "without '..'");
	expect_refused("command=bind-container\ncontainer=ab\npid=5\nbundle=/a\tb\n\n", 55, "control character");
	/* The words of bind-container are not getevents filters. */
	expect_refused("command=getevents\npid=5\n\n", 25, "'pid' is only for bind-container");
	expect_refused("command=status\nbundle=/x\n\n", 26, "'bundle' is only for bind-container");
}

static void test_mutating_commands(void **state)
{
	(void)state;
	assert_false(control_command_mutates(CONTROL_CMD_GETEVENTS));
	assert_false(control_command_mutates(CONTROL_CMD_STATUS));
	assert_false(control_command_mutates(CONTROL_CMD_METRICS));
	assert_true(control_command_mutates(CONTROL_CMD_RELOAD));
	assert_true(control_command_mutates(CONTROL_CMD_UNLOAD));
	assert_true(control_command_mutates(_CONTROL_CMD_INVALID));
	assert_true(control_command_mutates(_CONTROL_CMD_MAX));
}

static bool glob(const char *pattern, const char *s)
{
	struct control_glob g;

	assert_int_equal(control_glob_compile(&g, pattern, err, sizeof(err)), 0);
	return control_glob_match(&g, s, strlen(s));
}

static void test_glob(void **state)
{
	struct control_glob g;
	char pattern[300];

	(void)state;
	assert_true(glob("su", "su"));
	assert_false(glob("su", "sudo"));
	assert_false(glob("su", "/bin/su"));
	assert_true(glob("*/su", "/bin/su"));
	assert_true(glob("*sh*", "/usr/bin/bash"));
	assert_true(glob("/usr/bin/?ash", "/usr/bin/bash"));
	assert_false(glob("/usr/bin/?ash", "/usr/bin/ash"));
	assert_true(glob("*", ""));
	assert_true(glob("", ""));
	assert_false(glob("", "a"));
	assert_true(glob("a**b", "ab"));
	assert_true(glob("\\*x", "*x"));
	assert_false(glob("\\*x", "ax"));
	assert_true(glob("a\\?", "a?"));
	assert_false(glob("a\\?", "ab"));
	assert_true(glob("[ab]", "[ab]")); /* no classes: '[' is a character */
	/* What a backtracking matcher takes exponential time on. */
	assert_false(glob("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b",
			  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	/* The element limit: 63 fit, 64 do not; a run of stars is one. */
	memset(pattern, 'a', 63);
	pattern[63] = '\0';
	assert_int_equal(control_glob_compile(&g, pattern, err, sizeof(err)), 0);
	assert_true(control_glob_match(&g, pattern, 63));
	strcpy(pattern + 63, "*");
	assert_int_equal(control_glob_compile(&g, pattern, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "more than 63 elements"));
	memset(pattern, '*', 250);
	pattern[250] = '\0';
	assert_int_equal(control_glob_compile(&g, pattern, err, sizeof(err)), 0);
	assert_int_equal(g.tokens, 1);
}

/* Reference: does @pat (no escapes) match all of @s? Table of prefixes. */
static bool reference(const char *pat, const char *s)
{
	size_t n = strlen(pat), m = strlen(s);
	bool t[80][80] = {};

	t[0][0] = true;
	for (size_t j = 1; j <= n; j++)
		t[0][j] = t[0][j - 1] && pat[j - 1] == '*';
	for (size_t i = 1; i <= m; i++)
		for (size_t j = 1; j <= n; j++)
			t[i][j] = pat[j - 1] == '*' ? (t[i][j - 1] || t[i - 1][j])
						    : (t[i - 1][j - 1] && (pat[j - 1] == '?' || pat[j - 1] == s[i - 1]));
	return t[m][n];
}

static void test_glob_differential(void **state)
{
	static const char alphabet[] = "ab*?";
	unsigned int seed = 1;

	(void)state;
	for (int round = 0; round < 30000; round++) {
		char pat[24], s[40];
		size_t n = (size_t)rand_r(&seed) % 12, m = (size_t)rand_r(&seed) % 30;

		for (size_t j = 0; j < n; j++)
			pat[j] = alphabet[rand_r(&seed) % 4];
		pat[n] = '\0';
		for (size_t i = 0; i < m; i++)
			s[i] = alphabet[rand_r(&seed) % 2];
		s[m] = '\0';
		if (glob(pat, s) != reference(pat, s))
			fail_msg("'%s' against '%s': matcher %d, reference %d", pat, s, glob(pat, s), reference(pat, s));
	}
}

static const char *no_text(void *ctx, enum output_format format, size_t *len)
{
	(void)ctx;
	(void)format;
	*len = 0;
	return "";
}

static void test_matches(void **state)
{
	struct event_view ev = { .kind = EVENT_KIND_DECISION, .verdict = CG_VERDICT_DENIED, .cgroup_path = "/a/b",
				 .container_id = "abcdef", .binary = "/usr/bin/su", .comm = "su",
				 .policy_name = "p", .text = no_text };

	(void)state;
	assert_int_equal(parse("command=getevents\nprocess=su\n\n"), 0);
	assert_true(control_request_matches(&req, &ev)); /* by comm */
	assert_int_equal(parse("command=getevents\nprocess=*/bin/su\ncgroup=/a/\ncontainer=abc\n\n"), 0);
	assert_true(control_request_matches(&req, &ev)); /* by binary */
	assert_int_equal(parse("command=getevents\nprocess=sudo\n\n"), 0);
	assert_false(control_request_matches(&req, &ev));
	/* kind= and verdict= compare the event's enums with the words read back once. */
	assert_int_equal(parse("command=getevents\nkind=decision\nverdict=denied\n\n"), 0);
	assert_true(control_request_matches(&req, &ev));
	assert_int_equal(parse("command=getevents\nkind=kprobe\n\n"), 0);
	assert_false(control_request_matches(&req, &ev));
	assert_int_equal(parse("command=getevents\nverdict=audited-would-deny\n\n"), 0);
	assert_false(control_request_matches(&req, &ev));
	ev.verdict = CG_VERDICT_NONE; /* an event with no verdict matches no verdict filter */
	assert_int_equal(parse("command=getevents\nverdict=allowed\n\n"), 0);
	assert_false(control_request_matches(&req, &ev));
	ev.verdict = CG_VERDICT_DENIED;
	assert_int_equal(parse("command=getevents\ncgroup=/a/bc\n\n"), 0);
	assert_false(control_request_matches(&req, &ev));
	ev.binary = NULL;
	ev.comm = NULL;
	assert_int_equal(parse("command=getevents\nprocess=*\n\n"), 0);
	assert_false(control_request_matches(&req, &ev));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),	  cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_mutating_commands), cmocka_unit_test(test_glob),
		cmocka_unit_test(test_bind_container),
		cmocka_unit_test(test_glob_differential), cmocka_unit_test(test_matches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
