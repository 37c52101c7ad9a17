/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* credgated's command line. */
#ifndef CREDGATE_OPTIONS_H
#define CREDGATE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "event_format.h"

#define CREDGATE_DEFAULT_POLICY_DIR "/etc/credgate/policies.d"

/* What to do with enforce rules when the kernel cannot run BPF LSM programs. */
enum lsm_unavailable_action {
	LSM_UNAVAILABLE_FAIL = 0,    /* refuse to start */
	LSM_UNAVAILABLE_OBSERVE = 1, /* run, report violations, stop nothing */
	LSM_UNAVAILABLE_KILL = 2,    /* SIGKILL the caller from the syscall tracepoint */
};

struct agent_options {
	const char *policy_path; /* NULL: the default directory, else the built-in policy */
	bool builtin_policy;	 /* --policy builtin */
	enum output_format output;
	const char *events_path; /* "-" for stdout */
	enum lsm_unavailable_action lsm_unavailable;
	const char *node_name; /* NULL: the host name */
	size_t ringbuf_bytes;
	bool force_tracepoints; /* observe with tracepoints even where kprobes work */
	int verbosity;
};

/*
 * Parse argv. Returns 0 to run, 1 when --help/--version printed and the
 * program should exit 0, or a negative errno after printing the problem.
 */
int options_parse(int argc, char **argv, struct agent_options *opts);

const char *lsm_unavailable_action_name(enum lsm_unavailable_action action);

#endif /* CREDGATE_OPTIONS_H */
