/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The policy model: one document's meaning, checked key by key but not yet
 * laid out as map values. parse.c fills it from the YAML node tree;
 * compile.c turns it into struct policy and struct cg_policy.
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

/* An id spec: one id, a range, "any", or a list of those. */
struct model_id_spec {
	struct model_id_range ranges[CG_MAX_ID_RULES];
	unsigned count;
};

/* One written rule of setuid/setgid (from -> to) or setgroups (to = gid). */
struct model_id_rule {
	struct model_mark mark;
	unsigned index; /* position in its deny:/allow: list */
	struct model_id_spec from;
	struct model_id_spec to;
	enum cg_mode mode; /* CG_MODE_NONE: the policy's */
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

struct model_capset {
	bool present;
	struct model_mark mark; /* of the "capset:" key */
	struct model_cap_list deny_gain;
	struct model_cap_list allow_gain;
	__u8 sets; /* enum cg_cap_set bits; 0 until parsed, then defaulted */
	enum cg_mode mode;
};

struct model_selector {
	struct model_mark mark;
	char *cgroup; /* normalised absolute path, or NULL when not given */
};

struct policy_model {
	struct model_mark mark; /* of the document's first key */
	char *name;
	struct model_mark name_mark;
	enum cg_mode mode;
	bool observe;
	bool report_allowed;
	struct model_selector selectors[POLICY_MAX_SELECTORS];
	unsigned nselectors;
	struct model_id_section id_rules[MODEL_ID_KINDS];
	struct model_capset capset;
};

void policy_model_free(struct policy_model *model);

#endif /* CREDGATE_POLICY_MODEL_H */
