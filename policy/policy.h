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
/* exec.allowPaths entries in one policy. */
#define POLICY_MAX_EXEC_PATHS 64
/* kprobes of one TracingPolicy. */
#define POLICY_MAX_KPROBES 64
/* passwd and group files read for names. */
#define POLICY_MAX_NAMES_FILE_SIZE (16 * 1024 * 1024)
#define POLICY_DEFAULT_PASSWD_FILE "/etc/passwd"
#define POLICY_DEFAULT_GROUP_FILE "/etc/group"
/* spec.priority */
#define POLICY_MIN_PRIORITY (-1000)
#define POLICY_MAX_PRIORITY 1000

enum policy_diag_severity {
	POLICY_DIAG_ERROR = 0,
	POLICY_DIAG_WARNING = 1,
};

struct policy_diag {
	enum policy_diag_severity severity;
	char *file;  /* as given by the caller; NULL: not tied to a file */
	unsigned line;	 /* 1-based; 0 when not tied to a place */
	unsigned column; /* 1-based; 0 when not tied to a place */
	char *message;	 /* one line, no trailing newline */
};

struct policy_diags {
	struct policy_diag *items;
	size_t count;
	size_t errors; /* items with POLICY_DIAG_ERROR */
	size_t dropped; /* not kept once the limit was */
	size_t limit;	/* items kept at most; 0: POLICY_MAX_DIAGS */
};

/* "FILE:LINE:COL: error: MESSAGE" (LINE/COL omitted when 0, FILE: when NULL). */
int policy_diag_format(const struct policy_diag *diag, char *buf, size_t size);
void policy_diags_clear(struct policy_diags *diags);

/* What a document was written as. */
enum policy_kind {
	POLICY_KIND_CREDENTIAL = 0, /* credgate.io/v1 CredentialPolicy */
	POLICY_KIND_TRACING = 1,    /* cilium.io/v1alpha1 TracingPolicy (Tetragon) */
};

/*
 * One predicate of a selector: a set of cgroup path patterns, ORed.
 * @patterns is canonical, and equal strings are the same predicate: the
 * patterns are separated by '\n', their components by '/', and a "**"
 * component matches zero or more components.
 */
struct policy_selector_predicate {
	char *patterns;	   /* e.g. "kubepods.slice" for cgroup /kubepods.slice */
	char *description; /* e.g. "container 4f2a...", "cgroup /system.slice" */
};

/*
 * A selector's SELinux condition: the process's type (selinuxType) or its
 * whole context (selinuxContext), one of several. It does not take part in
 * choosing which policy governs a cgroup; it decides whether the policy
 * that governs it applies to a process there (see docs/selinux.md).
 */
enum policy_selinux_kind {
	POLICY_SELINUX_TYPE = 1,
	POLICY_SELINUX_CONTEXT = 2,
};

/* Labels one selector may name; a set never holds more than CG_MAX_SELINUX_TYPES. */
#define POLICY_MAX_SELINUX_LABELS 16
/* A context as the kernel prints it, NUL included (selinux-compat's SELINUX_CONTEXT_MAX + 1). */
#define POLICY_SELINUX_LABEL_SIZE 256

struct policy_selinux_label {
	enum policy_selinux_kind kind;
	char *value; /* a type name, or a context in the kernel's canonical form */
};

/* Every label the policies of a set name, in order of first use: bit i of cg_policy.selinux_types. */
struct policy_selinux_table {
	struct {
		enum policy_selinux_kind kind;
		char value[POLICY_SELINUX_LABEL_SIZE];
	} labels[CG_MAX_SELINUX_TYPES];
	size_t count;
};

/*
 * Identity selectors (containerName, image, labels, namespace): what a
 * container runtime says about a container, not a cgroup path. The kernel
 * cannot see those: the agent binds them at a container's own cgroup
 * (policy/identity.h). Values are globs with '*' (any characters, none
 * included) and '?' (one character), checked while parsing.
 */
#define POLICY_MAX_IDENTITY_LABELS 16
/* containerName, namespace and label values: a DNS subdomain's length. */
#define POLICY_MAX_IDENTITY_PATTERN_LEN 253
/* image: a repository (255) with a tag (128) or a digest (sha512: 135). */
#define POLICY_MAX_IMAGE_PATTERN_LEN 511
/* label keys: Kubernetes' longest, a DNS-subdomain prefix (253), '/' and a name (63). */
#define POLICY_MAX_LABEL_KEY_LEN 317

struct policy_identity_label {
	char *key;   /* matched exactly */
	char *value; /* a glob */
};

/* NULL or none: that key is not a condition. Every condition present is ANDed. */
struct policy_identity {
	char *container_name;
	char *image;
	char *pod_namespace;
	struct policy_identity_label *labels; /* sorted by key, keys distinct */
	size_t nlabels;
};

static inline bool policy_identity_present(const struct policy_identity *identity)
{
	return identity->container_name || identity->image || identity->pod_namespace || identity->nlabels > 0;
}

/* Which cgroups a policy governs: the keys present are ANDed. */
struct policy_selector {
	unsigned line, column; /* of the selector */
	char *cgroup;	       /* the cgroup key, normalised as written, or NULL */
	char *text;	       /* every key, e.g. "cgroup /kubepods.slice and host" */
	bool host;	       /* "host: true" */
	struct policy_selector_predicate *predicates; /* ANDed; none: always holds */
	size_t npredicates;
	__u32 index; /* its struct cg_selector in the set's selection */
	/* ORed; none: any process. Every selector of a policy has the same. */
	struct policy_selinux_label *selinux;
	size_t nselinux;
	/*
	 * Identity keys; present, they are the selector's only cgroup
	 * condition (no path key may join them), and it never holds by path:
	 * the agent applies it at a container's own cgroup.
	 */
	struct policy_identity identity;
};

/* A rule as written, for events and for `policy check --compiled`. */
struct policy_rule_info {
	enum cg_hook hook;
	enum cg_action action;
	enum cg_mode mode; /* resolved: the rule's own or the policy's */
	unsigned list_index; /* position in its list */
	unsigned line, column;
	char *text; /* e.g. "setuid.deny[0]: from any to 0" */
};

struct policy {
	char *name;
	char *file;
	enum policy_kind kind;
	unsigned line, column; /* of the document's first key */
	unsigned name_line, name_column; /* of metadata.name's value */
	enum cg_mode mode;
	__u32 flags; /* CG_POLICY_* */
	int priority; /* spec.priority: breaks ties between selectors at one depth */
	struct policy_selector *selectors; /* ORed */
	size_t nselectors;
	struct policy_rule_info *rules; /* indexed by cg_*_rule.rule_index */
	size_t nrules;
	/* exec.allowPaths, normalised: the keys of cg_exec_paths for this policy. */
	char **exec_allow_paths;
	size_t nexec_allow_paths;
	/* The compiled map value; policy_id is this policy's index in its set. */
	struct cg_policy compiled;
};

/*
 * ---- Cgroup selection ------------------------------------------------------
 *
 * The selectors of every policy of a set, compiled into the tables of
 * credgate.h: NFA states, selectors and the generation record. A set's
 * selection is rebuilt whenever policies join it, so it always describes
 * exactly set->policies (policy_id = index in the set).
 */

/* Selector index meaning "none" in struct cg_winner. */
#define POLICY_NO_SELECTOR 0xffffu

struct policy_predicate {
	char *description;
	__u16 first_state; /* its patterns are states [first_state, first_state + nstates) */
	__u16 nstates;
};

struct policy_selector_origin {
	__u32 policy_id; /* index in the set */
	__u32 selector;	 /* index in that policy's selectors[] */
};

struct policy_selection {
	struct cg_generation generation; /* nstates, nselectors, container_predicate, root_active */
	struct cg_nfa_state states[CG_MAX_NFA_STATES];
	struct cg_selector selectors[CG_MAX_SELECTORS];
	struct policy_selector_origin origins[CG_MAX_SELECTORS]; /* of selectors[i] */
	struct policy_predicate predicates[CG_MAX_PREDICATES];
	size_t npredicates;
};

/* Two policies selecting one cgroup at the same depth and priority. */
struct policy_tie {
	bool tied;
	__u32 winner_policy; /* the lower policy id: it governs */
	__u32 other_policy;
	__u16 winner_selector; /* indexes into policy_selection.selectors */
	__u16 other_selector;
	__u16 depth;
	__s32 priority;
};

/*
 * The state of the root cgroup, and of a child named @name (a directory name,
 * not a path) of a cgroup in state @parent. Both follow exactly the
 * algorithm the kernel's cgroup_mkdir program runs (see selection.c). When
 * @tie is not NULL it receives the first tie seen (tie->tied false if none).
 */
void policy_selection_root(const struct policy_selection *selection, struct cg_cgroup_state *out,
			   struct policy_tie *tie);
void policy_selection_child(const struct policy_selection *selection, const struct cg_cgroup_state *parent,
			    const char *name, struct cg_cgroup_state *out, struct policy_tie *tie);
/*
 * The state of the cgroup at @path ("/", "/system.slice/x.service"), from
 * the root down. @tie, if not NULL, receives the tie at the deepest level
 * that had one. Returns 0, or -EINVAL for a path that is not absolute or has
 * a component longer than CG_NAME_LEN - 1.
 */
int policy_selection_match_path(const struct policy_selection *selection, const char *path,
				struct cg_cgroup_state *out, struct policy_tie *tie);

/*
 * Offer @candidate to @state, the state of a container's own cgroup (sealed):
 * a selector that the kernel cannot evaluate on paths (a container's name,
 * image or labels, policy/identity.h) and that the agent found to hold there.
 * It competes as a path selector starting to hold at that cgroup would:
 * deeper wins, then higher priority, then the lower policy id (a tie, in
 * @tie). The state stays sealed; its flags keep what they said.
 */
void policy_selection_offer(struct cg_cgroup_state *state, struct cg_winner candidate, struct policy_tie *tie);

/*
 * Does @state say "a container's own cgroup, where runtimes put containers"
 * (the seal predicate: the runtimes' anchored patterns and containerCgroups)?
 * Also true below one, where states are copies of it: ask it of a cgroup
 * whose parent is not sealed.
 */
bool policy_selection_is_container(const struct policy_selection *selection, const struct cg_cgroup_state *state);

struct policy_set {
	struct policy *policies;
	size_t count;
	/* Never NULL: an empty set has an empty selection. */
	struct policy_selection *selection;
	/* The SELinux labels the policies name (cg_policy.selinux_types bits). */
	struct policy_selinux_table selinux;
	/* Where user and group names are looked up; NULL: the defaults. */
	char *passwd_file;
	char *group_file;
	/* policy_set__load() refuses files others could change: see below. */
	bool require_trusted_files;
	/* Places containers are put besides the runtimes' defaults: see below. */
	char *container_cgroups;
};

struct policy_set *policy_set__new(void);
void policy_set__free(struct policy_set *set);

/*
 * Files that user and group names in policies are looked up in, by reading
 * them (never NSS), at each parse or load. NULL: /etc/passwd, /etc/group.
 * Returns 0 or -ENOMEM (the set is unchanged then).
 */
int policy_set__set_name_files(struct policy_set *set, const char *passwd_file, const char *group_file);

/*
 * Where containers are put besides where the runtimes put them by default
 * (docker --cgroup-parent, a kubelet with another cgroup root): cgroup path
 * patterns such as "/custom.slice/docker-*.scope", each anchored at the root
 * (no leading "**": a pattern that matched at any depth would let a name
 * chosen in a user's or a container's own subtree claim to be a container).
 * A cgroup one of them names is a container's: "host: true" selectors stop
 * there, and it is sealed (names below it confer nothing). Call before
 * loading policies. Returns 0, -EINVAL with *@why (a static string) for a
 * pattern that is not one, or -ENOMEM; the set is unchanged on failure.
 */
int policy_set__set_container_cgroups(struct policy_set *set, const char *const *patterns, size_t count,
				      const char **why);

/*
 * One containerCgroups pattern, checked and normalised ("//a/b" -> "a/b"):
 * absolute, no control character, no '.' or '..' component, at most one
 * '*' per component or a whole "**" component, neither first nor last.
 * Returns 0 with *@ret (owned), -EINVAL with *@why, or -ENOMEM.
 */
int policy_container_cgroup_pattern(const char *pattern, char **ret, const char **why);

/*
 * Parse one YAML text (one or more documents) into @set. @filename is used
 * in diagnostics only. Returns 0, or a negative errno (-EINVAL when the text
 * has errors, which are in @diags). On error @set is left as it was. The
 * set's selection is rebuilt, over every policy, before this returns 0: a
 * selection limit exceeded is an error too. Warnings (diags severity
 * POLICY_DIAG_WARNING) do not fail a parse.
 */
int policy_set__parse(struct policy_set *set, const char *filename, const char *text, size_t len,
		      struct policy_diags *diags);

/*
 * Make policy_set__load() refuse a path, or a file in it, that a user other
 * than root (or the caller) owns or that its group or others may write, or
 * that lies below a directory they could write: whoever can change a policy
 * file decides what is enforced (sshd's StrictModes). The agent and
 * `credgatectl policy check` switch this on; it is off by default.
 */
static inline void policy_set__require_trusted_files(struct policy_set *set, bool on)
{
	set->require_trusted_files = on;
}

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
const char *policy_kind_name(enum policy_kind kind);	   /* "CredentialPolicy", "TracingPolicy" */
const char *policy_capability_name(unsigned cap); /* "CAP_SETUID", NULL if unknown */
/* "CAP_SYS_ADMIN", "sys_admin", "Sys_Admin" -> 21; -1 when unknown. */
int policy_capability_parse(const char *name);

#endif /* CREDGATE_POLICY_H */
