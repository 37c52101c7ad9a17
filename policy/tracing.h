/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What tracing.c (a TracingPolicy to a credgate policy) and
 * tracing_selectors.c (one kprobe selector read into what it asks) share:
 * the calls credgate honours, a kprobe as read, and a selector as read.
 */
#ifndef CREDGATE_POLICY_TRACING_H
#define CREDGATE_POLICY_TRACING_H

#include "parse.h"

/* argError: the errno Override returns, negated. */
#define ARG_ERROR_MIN (-133) /* EHWPOISON, the highest errno */
#define ARG_ERROR_MAX (-1)

struct tp_call {
	const char *name; /* without "sys_" */
	enum cg_syscall syscall;
	enum cg_hook hook;
	enum model_id_kind kind; /* set*id calls */
	__u8 setid_mask;	 /* CG_SETID_*; 0: not a set*id call */
	unsigned int_args;	 /* int arguments credgate reports: indexes 0..int_args-1 */
	bool arg0_matchable;	 /* matchArgs index 0 names the new id */
};

enum pidns_condition {
	PIDNS_ANY = 0,
	PIDNS_HOST,	/* Pid In [host_ns] */
	PIDNS_NOT_HOST, /* Pid NotIn [host_ns] */
};

struct tp_kprobe {
	unsigned index;
	const struct ynode *node;
	const struct tp_call *call; /* NULL: missing or refused */
	const struct ynode *call_node;
	const struct ynode *args;
	const struct ynode *selectors;
};

struct tp_selector {
	const struct tp_kprobe *kprobe;
	unsigned declared_args;
	/* matchNamespaces */
	enum pidns_condition condition;
	bool condition_conflict;
	/* matchArgs */
	const struct ynode *match_args;
	struct model_id_spec values;
	bool values_ok;
	/* matchActions */
	const struct ynode *enforcing_action; /* the first Sigkill or Override */
	bool sigkill, override;
	__u8 err;
	char actions_text[64];
};

/*
 * Read selector @item (matchNamespaces, matchArgs, matchActions) into @sel,
 * whose kprobe and declared_args the caller set. Problems are reported;
 * returns 0, or -ENOMEM.
 */
int tp_selector_parse(struct parse_ctx *ctx, const struct ynode *item, const char *path, struct tp_selector *sel);

#endif /* CREDGATE_POLICY_TRACING_H */
