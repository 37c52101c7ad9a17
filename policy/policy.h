/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Policy files: YAML text in, a policy model and compiled map values out.
 *
 * This module reads files and nothing else: no BPF, no cgroup lookups, no
 * printing. Problems are collected as diagnostics that carry file, line and
 * column; the caller decides how to report them.
 */
#ifndef CREDGATE_POLICY_H
#define CREDGATE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>

#include "credgate.h"

/* Explicit limits on user-controlled input. */
#define POLICY_MAX_FILE_SIZE (1024 * 1024)
#define POLICY_MAX_FILES 1024
#define POLICY_MAX_DOCUMENTS_PER_FILE CG_MAX_POLICIES
#define POLICY_MAX_NAME_LEN 253
#define POLICY_MAX_PATH_LEN 4096
#define POLICY_MAX_SELECTORS 64
#define POLICY_MAX_NESTING 16
#define POLICY_MAX_DIAGS 100

enum policy_diag_severity {
	POLICY_DIAG_ERROR = 0,
	POLICY_DIAG_WARNING = 1,
};

struct policy_diag {
	enum policy_diag_severity severity;
	char *file;  /* as given by the caller */
	unsigned line;	 /* 1-based; 0 when not tied to a place */
	unsigned column; /* 1-based; 0 when not tied to a place */
	char *message;	 /* one line, no trailing newline */
};

struct policy_diags {
	struct policy_diag *items;
	size_t count;
	size_t errors; /* items with POLICY_DIAG_ERROR */
	size_t dropped; /* not kept once POLICY_MAX_DIAGS were */
};

/* "FILE:LINE:COL: error: MESSAGE" (LINE/COL omitted when 0). */
int policy_diag_format(const struct policy_diag *diag, char *buf, size_t size);
void policy_diags_clear(struct policy_diags *diags);

/* Which cgroups a policy governs: the keys present are ANDed. */
struct policy_selector {
	char *cgroup; /* absolute path under the cgroup2 root, normalised */
	unsigned line, column;
};

/* A rule as written, for events and for `policy check --compiled`. */
struct policy_rule_info {
	enum cg_hook hook;
	enum cg_action action;
	enum cg_mode mode; /* resolved: the rule's own or the policy's */
	unsigned list_index; /* position in its deny:/allow: list */
	unsigned line, column;
	char *text; /* e.g. "setuid.deny[0]: from any to 0" */
};

struct policy {
	char *name;
	char *file;
	unsigned line, column; /* of the document's first key */
	unsigned name_line, name_column; /* of metadata.name's value */
	enum cg_mode mode;
	__u32 flags; /* CG_POLICY_* */
	struct policy_selector *selectors; /* ORed */
	size_t nselectors;
	struct policy_rule_info *rules; /* indexed by cg_*_rule.rule_index */
	size_t nrules;
	/* The compiled map value; policy_id is this policy's index in its set. */
	struct cg_policy compiled;
};

struct policy_set {
	struct policy *policies;
	size_t count;
};

struct policy_set *policy_set__new(void);
void policy_set__free(struct policy_set *set);

/*
 * Parse one YAML text (one or more documents) into @set. @filename is used
 * in diagnostics only. Returns 0, or a negative errno (-EINVAL when the text
 * has errors, which are in @diags). On error @set is left as it was.
 */
int policy_set__parse(struct policy_set *set, const char *filename, const char *text, size_t len,
		      struct policy_diags *diags);

/*
 * Load a file, or every *.yaml / *.yml file of a directory in name order.
 * Returns 0 or a negative errno; every problem is in @diags.
 */
int policy_set__load(struct policy_set *set, const char *path, struct policy_diags *diags);

/* Human-readable compiled form, for `credgatectl policy check --compiled`. */
void policy_set__dump(const struct policy_set *set, FILE *out);

/* Names for enum values, stable: they appear in events and docs. */
const char *policy_mode_name(enum cg_mode mode);	   /* "audit", "enforce" */
const char *policy_hook_name(enum cg_hook hook);	   /* "task_fix_setuid", ... */
const char *policy_capability_name(unsigned cap); /* "CAP_SETUID", NULL if unknown */
/* "CAP_SYS_ADMIN", "sys_admin", "Sys_Admin" -> 21; -1 when unknown. */
int policy_capability_parse(const char *name);

#endif /* CREDGATE_POLICY_H */
