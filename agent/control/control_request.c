// SPDX-License-Identifier: LGPL-2.1-or-later
#include "control_request.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_names.h"
#include "control_proto.h"
#include "macro.h"

static const char *const command_names[_CONTROL_CMD_MAX] = {
	[CONTROL_CMD_GETEVENTS] = "getevents", [CONTROL_CMD_STATUS] = "status",
	[CONTROL_CMD_METRICS] = "metrics",     [CONTROL_CMD_RELOAD] = "reload",
	[CONTROL_CMD_UNLOAD] = "unload",	       [CONTROL_CMD_BIND_CONTAINER] = "bind-container",
};

const char *control_command_to_string(enum control_command cmd)
{
	return cmd >= 0 ? cg_table_name(command_names, _CONTROL_CMD_MAX, (unsigned)cmd) : NULL;
}

enum control_command control_command_from_string(const char *s)
{
	int i = cg_table_value(command_names, _CONTROL_CMD_MAX, s);

	return i < 0 ? _CONTROL_CMD_INVALID : (enum control_command)i;
}

bool control_command_mutates(enum control_command cmd)
{
	/* Anything not known to be read-only is treated as mutating. */
	return cmd != CONTROL_CMD_GETEVENTS && cmd != CONTROL_CMD_STATUS && cmd != CONTROL_CMD_METRICS;
}

/* ---- Process glob -------------------------------------------------------- */

int control_glob_compile(struct control_glob *g, const char *pattern, char *err, size_t err_size)
{
	unsigned int t = 0;

	memset(g, 0, sizeof(*g));
	for (const char *p = pattern; *p; p++) {
		if (*p == '*') {
			/* A run of stars is one element: the closure step below relies on it. */
			if (t && (g->star & (1ull << (t - 1))))
				continue;
		}
		if (t >= CONTROL_GLOB_MAX_TOKENS) {
			snprintf(err, err_size, "process pattern has more than %d elements", CONTROL_GLOB_MAX_TOKENS);
			return -EINVAL;
		}
		if (*p == '*') {
			g->star |= 1ull << t;
		} else if (*p == '?') {
			for (int c = 0; c < 256; c++)
				g->by_char[c] |= 1ull << t;
		} else {
			if (*p == '\\') {
				if (!p[1]) {
					snprintf(err, err_size, "process pattern ends with '\\'");
					return -EINVAL;
				}
				p++;
			}
			g->by_char[(unsigned char)*p] |= 1ull << t;
		}
		t++;
	}
	g->tokens = t;
	return 0;
}

/* Follow the empty transitions: past a star without consuming a character. */
static inline uint64_t glob_closure(const struct control_glob *g, uint64_t s)
{
	return s | ((s & g->star) << 1);
}

bool control_glob_match(const struct control_glob *g, const char *s, size_t len)
{
	uint64_t state = glob_closure(g, 1);

	for (size_t i = 0; i < len && state; i++) {
		uint64_t step = (state & g->by_char[(unsigned char)s[i]]) << 1;

		state = glob_closure(g, step | (state & g->star));
	}
	return state & (1ull << g->tokens);
}

/* ---- Requests ------------------------------------------------------------ */

/* Echo at most @max bytes of client text in an error, as printable ASCII. */
static void printable(char *dst, size_t size, const char *src, size_t max)
{
	size_t n = 0;

	for (; *src && n < max && n + 1 < size; src++)
		dst[n++] = (*src >= 0x20 && *src < 0x7f) ? *src : '?';
	dst[n] = '\0';
}

/* The protocol's words for output= and kind=, one table each, indexed by their enum. */
static const char *const output_words[CONTROL_OUTPUT_COUNT] = {
	[CONTROL_OUTPUT_JSON] = "json",
	[CONTROL_OUTPUT_COMPACT] = "compact",
	[CONTROL_OUTPUT_TEXT] = "text",
};

static const char *const kind_words[EVENT_KIND_COUNT] = {
	[EVENT_KIND_DECISION] = "decision",
	[EVENT_KIND_KPROBE] = "kprobe",
	[EVENT_KIND_EXEC] = "exec",
	[EVENT_KIND_LOST] = "lost",
};

/* Letters, digits, '_', '.', '-', not starting with a punctuation mark: no path, no option. */
static bool valid_container_id(const char *id)
{
	if (!((id[0] >= 'a' && id[0] <= 'z') || (id[0] >= 'A' && id[0] <= 'Z') || (id[0] >= '0' && id[0] <= '9')))
		return false;
	for (const char *c = id; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '_' ||
		      *c == '.' || *c == '-'))
			return false;
	return true;
}

/*
 * bind-container's words: a container id, the pid of its first process
 * (decimal, above 1: pid 1 is the agent's own init, never a container's
 * process in the agent's namespace), and an optional absolute bundle path.
 * Other commands take neither pid nor bundle.
 */
static int parse_bind(struct control_request *req, char *err, size_t err_size)
{
	char *end;
	long pid;

	if (req->cmd != CONTROL_CMD_BIND_CONTAINER) {
		if (req->pid_word[0] || req->bundle[0]) {
			snprintf(err, err_size, "'%s' is only for bind-container", req->pid_word[0] ? "pid" : "bundle");
			return -EINVAL;
		}
		return 0;
	}
	if (!req->container[0] || !valid_container_id(req->container)) {
		snprintf(err, err_size, "bind-container needs container=ID (letters, digits, '_', '.', '-'; at most %d)",
			 CONTROL_CONTAINER_ID_MAX);
		return -EINVAL;
	}
	errno = 0;
	pid = req->pid_word[0] >= '0' && req->pid_word[0] <= '9' ? strtol(req->pid_word, &end, 10) : 0;
	if (!pid || errno || *end || pid < 2 || pid > 4194304) {
		snprintf(err, err_size, "bind-container needs pid=PID (2 to 4194304)");
		return -EINVAL;
	}
	req->pid = (int)pid;
	if (req->bundle[0] && (req->bundle[0] != '/' || strstr(req->bundle, "/../") ||
			       (strlen(req->bundle) >= 3 && strcmp(req->bundle + strlen(req->bundle) - 3, "/..") == 0))) {
		snprintf(err, err_size, "bundle must be an absolute path without '..'");
		return -EINVAL;
	}
	for (const char *c = req->bundle; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			snprintf(err, err_size, "bundle holds a control character");
			return -EINVAL;
		}
	return 0;
}

int control_request_parse(const char *text, size_t len, struct control_request *req, char *err,
			  size_t err_size)
{
	char line[CONTROL_MAX_REQUEST], shown[72];
	unsigned int seen = 0;
	size_t pos = 0;
	int lines = 0, output;

	memset(req, 0, sizeof(*req));
	req->cmd = _CONTROL_CMD_INVALID;
	if (len > CONTROL_MAX_REQUEST) {
		snprintf(err, err_size, "request longer than %d bytes", CONTROL_MAX_REQUEST);
		return -EINVAL;
	}
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		struct {
			const char *key;
			char *dst;
			size_t size;
		} fields[] = {
			{ "command", req->command, sizeof(req->command) },
			{ "output", req->output_word, sizeof(req->output_word) },
			{ "kind", req->kind_word, sizeof(req->kind_word) },
			{ "verdict", req->verdict_word, sizeof(req->verdict_word) },
			{ "cgroup", req->cgroup, sizeof(req->cgroup) },
			{ "container", req->container, sizeof(req->container) },
			{ "pod", req->pod, sizeof(req->pod) },
			{ "process", req->process, sizeof(req->process) },
			{ "policy", req->policy, sizeof(req->policy) },
			{ "pid", req->pid_word, sizeof(req->pid_word) },
			{ "bundle", req->bundle, sizeof(req->bundle) },
		};
		char *eq, *value;
		size_t i;

		if (n == 0)
			break; /* the empty line ends the request */
		if (++lines > CONTROL_MAX_REQUEST_LINES) {
			snprintf(err, err_size, "more than %d request lines", CONTROL_MAX_REQUEST_LINES);
			return -EINVAL;
		}
		if (n >= sizeof(line)) {
			snprintf(err, err_size, "request line too long");
			return -EINVAL;
		}
		/* A NUL would silently cut a key or value short: refuse the request. */
		if (memchr(text + pos, '\0', n)) {
			snprintf(err, err_size, "request line %d holds a NUL byte", lines);
			return -EINVAL;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + (nl ? 1 : 0);
		eq = strchr(line, '=');
		if (!eq) {
			printable(shown, sizeof(shown), line, 64);
			snprintf(err, err_size, "expected key=value, got '%s'", shown);
			return -EINVAL;
		}
		*eq = '\0';
		value = eq + 1;
		for (i = 0; i < ELEMENTSOF(fields); i++)
			if (strcmp(line, fields[i].key) == 0)
				break;
		if (i == ELEMENTSOF(fields)) {
			printable(shown, sizeof(shown), line, 32);
			snprintf(err, err_size, "unknown request key '%s'", shown);
			return -EINVAL;
		}
		if (seen & (1u << i)) {
			snprintf(err, err_size, "'%s' given twice", fields[i].key);
			return -EINVAL;
		}
		seen |= 1u << i;
		if (strlen(value) >= fields[i].size) {
			snprintf(err, err_size, "value of '%s' longer than %zu bytes", fields[i].key,
				 fields[i].size - 1);
			return -EINVAL;
		}
		strcpy(fields[i].dst, value);
	}
	req->cmd = control_command_from_string(req->command);
	if (req->cmd == _CONTROL_CMD_INVALID) {
		printable(shown, sizeof(shown), req->command, 32);
		snprintf(err, err_size,
			 "unknown command '%s' (expected getevents, status, reload, metrics, unload or bind-container)",
			 shown);
		return -EINVAL;
	}
	if (parse_bind(req, err, err_size) < 0)
		return -EINVAL;
	output = req->output_word[0] ? cg_table_value(output_words, CONTROL_OUTPUT_COUNT, req->output_word)
				     : CONTROL_OUTPUT_DEFAULT;
	if (output < 0) {
		printable(shown, sizeof(shown), req->output_word, 32);
		snprintf(err, err_size, "unknown output '%s'", shown);
		return -EINVAL;
	}
	req->output = (enum control_output)output;
	req->kind = req->kind_word[0] ? cg_table_value(kind_words, EVENT_KIND_COUNT, req->kind_word) : -1;
	if (req->kind_word[0] && req->kind < 0) {
		printable(shown, sizeof(shown), req->kind_word, 32);
		snprintf(err, err_size, "unknown kind '%s' (expected decision, kprobe, exec or lost)", shown);
		return -EINVAL;
	}
	/* "none" is a slot of the table, not a verdict an event line carries. */
	req->verdict = req->verdict_word[0] ? cg_verdict_from_name(req->verdict_word) : -1;
	if (req->verdict_word[0] && (req->verdict < 0 || req->verdict == CG_VERDICT_NONE)) {
		printable(shown, sizeof(shown), req->verdict_word, 32);
		snprintf(err, err_size, "unknown verdict '%s' (expected allowed, audited-would-deny, denied or killed)",
			 shown);
		return -EINVAL;
	}
	if (req->process[0]) {
		char why[96];

		if (control_glob_compile(&req->process_glob, req->process, why, sizeof(why)) < 0) {
			snprintf(err, err_size, "bad process pattern: %s", why);
			return -EINVAL;
		}
		req->has_process = true;
	}
	return 0;
}

/* @path is @prefix, or below it. */
static bool path_within(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	while (n > 1 && prefix[n - 1] == '/')
		n--;
	if (strncmp(path, prefix, n) != 0)
		return false;
	return path[n] == '\0' || path[n] == '/' || (n == 1 && prefix[0] == '/');
}

static bool eq_opt(const char *filter, const char *value)
{
	return !filter[0] || (value && strcmp(filter, value) == 0);
}

bool control_request_matches(const struct control_request *req, const struct event_view *ev)
{
	if ((req->kind >= 0 && req->kind != (int)ev->kind) || (req->verdict >= 0 && req->verdict != (int)ev->verdict) ||
	    !eq_opt(req->pod, ev->pod_uid) || !eq_opt(req->policy, ev->policy_name))
		return false;
	if (req->cgroup[0] && (!ev->cgroup_path || !path_within(ev->cgroup_path, req->cgroup)))
		return false;
	if (req->container[0] &&
	    (!ev->container_id || strncmp(ev->container_id, req->container, strlen(req->container)) != 0))
		return false;
	if (req->has_process) {
		/* The whole executable path, or the whole command name. */
		bool hit = (ev->binary && control_glob_match(&req->process_glob, ev->binary, strlen(ev->binary))) ||
			   (ev->comm && control_glob_match(&req->process_glob, ev->comm, strlen(ev->comm)));

		if (!hit)
			return false;
	}
	return true;
}
