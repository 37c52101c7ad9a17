/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Keyword tables shared by the parser (words in, values out) and by the
 * printers (values in, words out), so that each word is spelled once.
 * Adding an accepted spelling is adding a row.
 */
#ifndef CREDGATE_POLICY_NAMES_H
#define CREDGATE_POLICY_NAMES_H

#include <stddef.h>

#include "policy.h"

struct policy_keyword {
	const char *name;
	unsigned value;
};

struct policy_keyword_table {
	const struct policy_keyword *items;
	size_t count;
};

/* spec.mode and the rules' mode: enum cg_mode. */
extern const struct policy_keyword_table policy_mode_keywords;
/* capset.sets: enum cg_cap_set bits. */
extern const struct policy_keyword_table policy_capset_keywords;

/* The row spelling @name exactly, or NULL. */
const struct policy_keyword *policy_keyword_find(const struct policy_keyword_table *table, const char *name);
/* The first (canonical) name of @value, or NULL. */
const char *policy_keyword_name(const struct policy_keyword_table *table, unsigned value);

/* Capabilities this module knows by name: 0 .. POLICY_CAP_LAST_KNOWN. */
#define POLICY_CAP_LAST_KNOWN 40 /* CAP_CHECKPOINT_RESTORE */
#define POLICY_CAP_KNOWN_MASK ((((__u64)1) << (POLICY_CAP_LAST_KNOWN + 1)) - 1)

#endif /* CREDGATE_POLICY_NAMES_H */
