/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The policy model: one document's meaning, checked key by key but not yet
 * laid out as map values. parse.c (CredentialPolicy) and tracing.c
 * (TracingPolicy) fill it from the YAML node tree; compile.c turns it into
 * struct policy and struct cg_policy.
 *
 * Every list is bounded by the limit of what it compiles into, so the model
 * uses fixed arrays and a document that would exceed one is rejected while
 * parsing, pointing at the list.
 */
#ifndef CREDGATE_POLICY_MODEL_H
#define CREDGATE_POLICY_MODEL_H

#include <stdbool.h>

#include "policy.h"

/* Where a node starts, for diagnostics and for struct policy_rule_info. */
struct model_mark {
	unsigned line, column;
};

/* An inclusive id range; "any" is [0, 0xffffffff] as in struct cg_id_rule. */
struct model_id_range {
	__u32 lo, hi;
};

#define MODEL_ID_ANY_LO 0u
#define MODEL_ID_ANY_HI 0xffffffffu
/* The highest id a policy may name: 0xffffffff is -1, "leave unchanged". */
#define MODEL_ID_MAX 0xfffffffeu

/* An id spec: one id, a range, "any", a name, or a list of those. */
struct model_id_spec {
	struct model_id_range ranges[CG_MAX_ID_RULES];
	unsigned count;
};

/* One written rule of setuid/setgid (from -> to) or setgroups (to = gid). */
struct model_id_rule {
	struct model_mark mark;
	struct model_mark to_mark; /* of the "to" value, for transitivity warnings */
	unsigned index;		   /* position in its deny:/allow: list */
	struct model_id_spec from;
	struct model_id_spec to;
	enum cg_mode mode; /* CG_MODE_NONE: the policy's */
	__u8 flags;	   /* CG_RULE_* */
	__u8 err;	   /* errno when enforced; 0: EPERM */
	__u8 setid_mask;   /* CG_SETID_*; 0: every call */
	char *text;	   /* for rules from a TracingPolicy; NULL: described from the lists */
};

struct model_id_rule_list {
	struct model_id_rule rules[CG_MAX_ID_RULES];
	unsigned count;
};

/* The kinds of id rules, in the order their keys are listed and compiled. */
enum model_id_kind {
	MODEL_SETUID,
	MODEL_SETGID,
	MODEL_SETGROUPS,
	MODEL_ID_KINDS,
};

struct model_id_section {
	bool present;
	struct model_mark mark; /* of the key, e.g. "setuid:" */
	struct model_id_rule_list deny;
	struct model_id_rule_list allow;
};

struct model_cap_list {
	bool present;
	struct model_mark mark;
	__u64 caps; /* bit n: capability n */
};

/* One capset rule entry: the short form's keys, or one item of capset.rules. */
struct model_cap_entry {
	struct model_mark mark;
	bool in_rules_list; /* written as capset.rules[index] */
	unsigned index;
	struct model_cap_list deny_gain;
	struct model_cap_list allow_gain;
	__u8 sets; /* enum cg_cap_set bits */
	enum cg_mode mode;
};

struct model_capset {
	bool present;
	struct model_mark mark; /* of the "capset:" key */
	struct model_cap_entry entries[CG_MAX_CAP_RULES];
	unsigned count;
};

struct model_exec {
	bool present;
	struct model_mark mark;
	enum cg_mode mode;
	char *paths[POLICY_MAX_EXEC_PATHS]; /* normalised, without duplicates */
	unsigned npaths;
	struct model_id_range uids[CG_MAX_EXEC_UIDS];
	unsigned nuids;
};

struct model_userns {
	bool present;
	struct model_mark mark;
	enum cg_mode mode;
};

/* The keys one selector may have (cgroup, systemdUnit, container, pod, qos). */
#define MODEL_MAX_SELECTOR_PREDICATES 5

struct model_selector {
	struct model_mark mark;
	char *cgroup; /* the cgroup key, normalised, or NULL */
	char *text;   /* every key: "cgroup /a and host" */
	bool host;
	/* ANDed; a key that always holds ("cgroup: /") has none. */
	struct policy_selector_predicate predicates[MODEL_MAX_SELECTOR_PREDICATES];
	unsigned npredicates;
	/* selinuxType / selinuxContext: ORed, sorted, without duplicates. */
	struct policy_selinux_label selinux[POLICY_MAX_SELINUX_LABELS];
	unsigned nselinux;
	struct model_mark selinux_mark; /* of the key's value */
	/* containerName, image, labels, namespace (selector_identity.c). */
	char *container_name, *image, *pod_namespace;
	struct policy_identity_label labels[POLICY_MAX_IDENTITY_LABELS]; /* sorted by key */
	unsigned nlabels;
};

struct policy_model {
	enum policy_kind kind;
	struct model_mark mark; /* of the document's first key */
	char *name;
	struct model_mark name_mark;
	enum cg_mode mode;
	bool observe;
	__u32 observe_syscalls; /* 0: every call, when observe is true */
	bool report_allowed;
	bool regain_allowed;
	__u32 pidns_flags; /* CG_POLICY_PIDNS_* */
	int priority;
	struct model_selector selectors[POLICY_MAX_SELECTORS];
	unsigned nselectors;
	struct model_id_section id_rules[MODEL_ID_KINDS];
	struct model_capset capset;
	struct model_exec exec;
	struct model_userns userns;
};

void policy_model_free(struct policy_model *model);

#endif /* CREDGATE_POLICY_MODEL_H */
