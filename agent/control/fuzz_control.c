/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libFuzzer entry: any bytes as a control-socket request (what any client of
 * the socket may send), then, when it parses, its filter against a few
 * events; and the same bytes split at the first NUL as a process glob and a
 * subject, matched by the agent's one-pass matcher and by a plain dynamic
 * programming reference: they must agree.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The reference: does @pat match the whole of @s? O(|pat| * |s|) table. */
static bool reference_glob(const char *pat, const char *s, size_t len)
{
	/* Tokens: 0 literal, 1 '?', 2 '*'. */
	unsigned char tok[256], lit[256];
	size_t n = 0;
	bool prev[257], cur[257];

	for (const char *p = pat; *p && n < sizeof(tok); p++) {
		if (*p == '*') {
			tok[n++] = 2;
		} else if (*p == '?') {
			tok[n++] = 1;
		} else {
			if (*p == '\\' && p[1])
				p++;
			tok[n] = 0;
			lit[n++] = (unsigned char)*p;
		}
	}
	/* prev[j]: the first j tokens match the subject read so far. */
	prev[0] = true;
	for (size_t j = 1; j <= n; j++)
		prev[j] = prev[j - 1] && tok[j - 1] == 2;
	for (size_t i = 0; i < len; i++) {
		cur[0] = false;
		for (size_t j = 1; j <= n; j++) {
			unsigned char c = (unsigned char)s[i];

			if (tok[j - 1] == 2)
				cur[j] = cur[j - 1] || prev[j];
			else
				cur[j] = prev[j - 1] && (tok[j - 1] == 1 || lit[j - 1] == c);
		}
		memcpy(prev, cur, sizeof(bool) * (n + 1));
	}
	return prev[n];
}

static const char *event_text(void *ctx, enum output_format format, size_t *len)
{
	(void)ctx;
	(void)format;
	*len = 2;
	return "{}";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct control_request req;
	static struct control_glob glob;
	const struct event_view events[] = {
		{ .kind = EVENT_KIND_DECISION, .verdict = CG_VERDICT_DENIED, .cgroup_path = "/system.slice/docker-abc.scope",
		  .container_id = "abc123", .binary = "/usr/bin/su", .comm = "su", .policy_name = "p",
		  .text = event_text },
		{ .kind = EVENT_KIND_LOST, .text = event_text },
		{ .kind = EVENT_KIND_EXEC, .cgroup_path = "/", .binary = "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
		  .comm = "aaaaaaaaaaaaaaa", .text = event_text },
	};
	char err[256], pattern[256];
	const uint8_t *nul;
	size_t plen;

	memset(err, 'x', sizeof(err));
	if (control_request_parse((const char *)data, size, &req, err, sizeof(err)) == 0) {
		if (req.cmd < 0 || req.cmd >= _CONTROL_CMD_MAX)
			__builtin_trap();
		/* The words read back are in range: filters compare them with events' enums. */
		if ((unsigned)req.output >= CONTROL_OUTPUT_COUNT || req.kind < -1 || req.kind >= EVENT_KIND_COUNT ||
		    req.verdict < -1 || req.verdict == CG_VERDICT_NONE || req.verdict >= CG_VERDICT_COUNT)
			__builtin_trap();
		for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
			(void)control_request_matches(&req, &events[i]);
	} else {
		/* The reason goes back to the client as one printable line. */
		size_t n = strnlen(err, sizeof(err));

		if (n == sizeof(err) || n == 0)
			__builtin_trap();
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)err[i] < 0x20 || (unsigned char)err[i] >= 0x7f)
				__builtin_trap();
	}

	nul = memchr(data, '\0', size);
	if (!nul)
		return 0;
	plen = (size_t)(nul - data);
	if (plen >= sizeof(pattern))
		return 0;
	memcpy(pattern, data, plen);
	pattern[plen] = '\0';
	if (control_glob_compile(&glob, pattern, err, sizeof(err)) < 0)
		return 0;
	if (control_glob_match(&glob, (const char *)nul + 1, size - plen - 1) !=
	    reference_glob(pattern, (const char *)nul + 1, size - plen - 1))
		__builtin_trap();
	return 0;
}
