/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The glob of identity selectors (identity.c), apart from policy/identity.h's API: the tests bound its cost. */
#ifndef CREDGATE_POLICY_IDENTITY_GLOB_H
#define CREDGATE_POLICY_IDENTITY_GLOB_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The glob of identity selectors: '*' any bytes (none included, '/' and ':'
 * included), '?' exactly one byte, everything else itself. Adds the
 * characters compared to *@steps when @steps is not NULL (for the tests
 * that bound it).
 */
bool identity_glob_match(const char *pattern, const char *text, size_t *steps);

#endif /* CREDGATE_POLICY_IDENTITY_GLOB_H */
