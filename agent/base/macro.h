/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The agent's language helpers: the shared cleanup helpers
 * (common/cleanup.h), and what only the agent uses.
 */
#ifndef CREDGATE_MACRO_H
#define CREDGATE_MACRO_H

#include <errno.h>

#include "cleanup.h"

/* The negative errno of the last failed libc call, never 0. */
static inline int negative_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

#endif /* CREDGATE_MACRO_H */
