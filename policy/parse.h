/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One YAML document's node tree to a policy model, checked key by key. */
#ifndef CREDGATE_POLICY_PARSE_H
#define CREDGATE_POLICY_PARSE_H

#include "diag.h"
#include "fields.h"
#include "ids.h"
#include "model.h"
#include "yaml_doc.h"

/*
 * Interpret the document rooted at @root (not NULL), dispatching on its
 * kind. Names are looked up through @names. Every problem is reported
 * through @reporter; *@ret is a new model when there was none, NULL
 * otherwise. Returns 0, or -ENOMEM.
 */
int policy_parse_document(struct diag_reporter *reporter, struct id_names *names, const struct ynode *root,
			  struct policy_model **ret);

/* For _cleanup_(policy_model_freep). */
void policy_model_freep(struct policy_model **model);

/* spec.selector (selector.c). */
int parse_selectors(struct parse_ctx *ctx, const struct field_arg *arg, void *target);
void model_selector_done(struct model_selector *selector);

/* metadata (parse.c), shared by every kind of policy. */
int parse_metadata(struct parse_ctx *ctx, const struct field_arg *arg, void *target);

/* A TracingPolicy document (tracing.c); the model's defaults are set. */
int parse_tracing_policy(struct parse_ctx *ctx, const struct ynode *root, struct policy_model *model);

#endif /* CREDGATE_POLICY_PARSE_H */
