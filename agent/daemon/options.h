/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* credgated's command line, over the one settings struct it shares with the settings file. */
#ifndef CREDGATE_OPTIONS_H
#define CREDGATE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cg_names.h" /* enum lsm_unavailable_action, enum output_format */
#include "settings.h"

/*
 * The agent's settings, in layers: the defaults (options_defaults()), the
 * settings file's values over them (settings.h), and the command line's
 * flags over both (options_apply_flags()). Each layer replaces only what it
 * names, so no field needs to say where its value came from.
 */
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
	/* What the settings file allocated, strings the fields above may point to: settings_free(). */
	void **settings_allocs;
	size_t n_settings_allocs;
};

/* The defaults: what runs with neither a settings file nor flags. */
void options_defaults(struct agent_options *opts);

/*
 * The defaults, then argv over them. Returns 0 to run, 1 when
 * --help/--version printed and the program should exit 0, or a negative
 * errno after printing the problem.
 */
int options_parse(int argc, char **argv, struct agent_options *opts);

/*
 * Lay argv over @opts, which holds the defaults and the settings file's
 * values: every flag given replaces its setting (--rate-limit both the rate
 * and the burst), the rest stays. Meant for an argv that options_parse()
 * accepted, so it prints nothing and returns 0; for any other it returns
 * what options_parse() would.
 */
int options_apply_flags(int argc, char **argv, struct agent_options *opts);

#endif /* CREDGATE_OPTIONS_H */
