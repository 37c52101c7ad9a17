/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* credgated's command line. */
#ifndef CREDGATE_OPTIONS_H
#define CREDGATE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "event_format.h"


/* What to do with enforce rules when the kernel cannot run BPF LSM programs. */
enum lsm_unavailable_action {
	LSM_UNAVAILABLE_FAIL = 0,    /* refuse to start */
	LSM_UNAVAILABLE_OBSERVE = 1, /* run, report violations, stop nothing */
	LSM_UNAVAILABLE_KILL = 2,    /* SIGKILL the caller from the syscall tracepoint */
};

/* Which settings the command line gave: they win over the settings file. */
struct agent_options_given {
	bool policy, output, events, lsm_unavailable, node_name, ringbuf, pin_dir, unload_on_stop;
	bool socket, socket_group, journal, events_file, events_file_max_size, events_file_keep;
	bool observe_rate, deny_rate, audit_records, metrics_file, cgroup_map_size;
};

struct agent_options {
	const char *policy_path; /* NULL: the default directory, else the built-in policy */
	bool builtin_policy;	 /* --policy builtin */
	enum output_format output;
	const char *events_path; /* "-" for stdout */
	enum lsm_unavailable_action lsm_unavailable;
	const char *node_name; /* NULL: the host name */
	size_t ringbuf_bytes;
	uint32_t cgroup_map_size; /* cgroups with a state per policy generation */
	bool force_tracepoints; /* observe with tracepoints even where kprobes work */
	const char *pin_dir;	  /* pin programs and maps there; NULL: pin nothing */
	bool unload_on_stop;	  /* with pin_dir: remove the pins when stopping */
	const char *socket_path; /* control socket */
	const char *socket_group; /* NULL: root only */
	const char *config_path;  /* settings file; NULL: the default, if it exists */
	const char *events_file;  /* also a rotated JSON Lines file; NULL: none */
	uint64_t events_file_max_size; /* 0: default */
	unsigned events_file_keep;     /* 0: default */
	bool journal;
	uint32_t observe_rate, observe_burst; /* per cgroup; 0: unlimited */
	uint32_t deny_rate, deny_burst;	      /* per cgroup, before folding; 0: never */
	const char *passwd_file, *group_file; /* for names in policies; NULL: /etc/... */
	/* containerCgroups of the settings file (no flag): checked, absolute. */
	const char *const *container_cgroups;
	size_t n_container_cgroups;
	bool audit_avc; /* auditRecords: avc: audited and denied decisions as USER_AVC records too */
	const char *metrics_file; /* Prometheus text, rewritten periodically; NULL: none */
	int verbosity;
	struct agent_options_given given;
};

struct credgate_config;

/* Take every setting of @cfg the command line did not give. */
void options_apply_config(struct agent_options *opts, const struct credgate_config *cfg);

/*
 * Parse argv. Returns 0 to run, 1 when --help/--version printed and the
 * program should exit 0, or a negative errno after printing the problem.
 */
int options_parse(int argc, char **argv, struct agent_options *opts);

const char *lsm_unavailable_action_name(enum lsm_unavailable_action action);

#endif /* CREDGATE_OPTIONS_H */
