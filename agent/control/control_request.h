/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A control-socket request (protocol in control_proto.h), parsed, and the
 * getevents filter it carries. Pure: no I/O, no allocation, so that it can be
 * fuzzed and unit-tested alone, and so that a client's request costs the agent
 * a bounded amount of memory and time.
 *
 * The process filter is a glob (CONTROL_GLOB_MAX_TOKENS pattern elements at
 * most), matched in one pass over the subject with a 64-bit state set: its
 * cost is linear in the subject's length whatever the pattern, because a
 * filter runs on the agent's event thread for every event and every client,
 * and a backtracking matcher (POSIX regex, as it was) lets a client stall the
 * agent with one pattern.
 */
#ifndef CREDGATE_CONTROL_REQUEST_H
#define CREDGATE_CONTROL_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event_format.h"
#include "event_view.h" /* what a getevents filter looks at */

/*
 * A container id as runtimes write them: docker, podman and CRI-O use 64 hex
 * digits; containerd's clients (ctr, nerdctl) let the user choose one.
 */
#define CONTROL_CONTAINER_ID_MAX 128

/* Characters and '?' in a process glob, each '*' (a run of them) counting one. */
#define CONTROL_GLOB_MAX_TOKENS 63

enum control_command {
	CONTROL_CMD_GETEVENTS,
	CONTROL_CMD_STATUS,
	CONTROL_CMD_METRICS,
	CONTROL_CMD_RELOAD,
	CONTROL_CMD_UNLOAD,
	CONTROL_CMD_BIND_CONTAINER,
	_CONTROL_CMD_MAX,
	_CONTROL_CMD_INVALID = -1,
};

const char *control_command_to_string(enum control_command cmd);
enum control_command control_command_from_string(const char *s);
/* Commands that change what the agent enforces: root only. */
bool control_command_mutates(enum control_command cmd);

/*
 * A compiled glob: bit j of the state set means "the first j pattern
 * elements matched". by_char[c] has bit j when element j is the literal c
 * or '?'; star has bit j when element j is '*'.
 */
struct control_glob {
	uint64_t by_char[256];
	uint64_t star;
	unsigned int tokens;
};

/* Compile @pattern; -EINVAL with a reason in @err when it has too many elements or a dangling '\'. */
int control_glob_compile(struct control_glob *g, const char *pattern, char *err, size_t err_size);
/* Does the whole of @s (@len bytes) match? O(@len), no allocation. */
bool control_glob_match(const struct control_glob *g, const char *s, size_t len);

/* What a reply is written as: output=json|compact|text, or nothing said. */
enum control_output {
	CONTROL_OUTPUT_DEFAULT, /* no output= line: JSON */
	CONTROL_OUTPUT_JSON,
	CONTROL_OUTPUT_COMPACT, /* getevents */
	CONTROL_OUTPUT_TEXT,	/* status */
	CONTROL_OUTPUT_COUNT,
};

struct control_request {
	enum control_command cmd;
	char command[16];
	char output_word[16];
	char kind_word[16];
	char verdict_word[32];
	/* The three words above, read back once: */
	enum control_output output;
	int kind;    /* enum event_kind, or -1: any */
	int verdict; /* enum cg_verdict (never CG_VERDICT_NONE), or -1: any */
	char cgroup[4096];
	char container[CONTROL_CONTAINER_ID_MAX + 1]; /* getevents: an id prefix; bind-container: the id */
	char pid_word[16];
	char bundle[4096];
	/* bind-container: the container's init process, read from pid_word; 0 otherwise */
	int pid;
	char pod[40];
	char process[256];
	char policy[256];
	struct control_glob process_glob;
	bool has_process;
};

/*
 * Parse a request (see control_proto.h): @len bytes of @text, which need not
 * be NUL-terminated and may hold anything. Returns 0, or -EINVAL with a
 * one-line reason in @err (printable, at most @err_size - 1 bytes).
 */
int control_request_parse(const char *text, size_t len, struct control_request *req, char *err,
			  size_t err_size);

bool control_request_matches(const struct control_request *req, const struct event_view *ev);

#endif /* CREDGATE_CONTROL_REQUEST_H */
