/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One YAML document's node tree to a policy model, checked key by key. */
#ifndef CREDGATE_POLICY_PARSE_H
#define CREDGATE_POLICY_PARSE_H

#include "diag.h"
#include "model.h"
#include "yaml_doc.h"

/*
 * Interpret the document rooted at @root (not NULL). Every problem is
 * reported through @reporter; *@ret is a new model when there was none, NULL
 * otherwise. Returns 0, or -ENOMEM.
 */
int policy_parse_document(struct diag_reporter *reporter, const struct ynode *root, struct policy_model **ret);

/* For _cleanup_(policy_model_freep). */
void policy_model_freep(struct policy_model **model);

#endif /* CREDGATE_POLICY_PARSE_H */
