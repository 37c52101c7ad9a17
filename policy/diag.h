/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Collecting diagnostics while reading one file. Every layer (YAML reader,
 * parser, compiler, loader, and the agent binding a set to the host's
 * cgroups) reports through a diag_reporter that knows the file and counts
 * errors, so a caller can tell whether its own step failed
 * even when the list in policy_diags is full or was filled by earlier calls.
 */
#ifndef CREDGATE_POLICY_DIAG_H
#define CREDGATE_POLICY_DIAG_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

struct diag_reporter {
	struct policy_diags *diags; /* may be NULL: problems are only counted */
	const char *file;	    /* the name diagnostics carry; NULL: none */
	size_t errors;		    /* errors reported here, kept or dropped */
	bool out_of_memory;	    /* a diagnostic could not be stored */
};

void diag_report(struct diag_reporter *reporter, enum policy_diag_severity severity, unsigned line,
		 unsigned column, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define diag_error(reporter, line, column, ...) \
	diag_report((reporter), POLICY_DIAG_ERROR, (line), (column), __VA_ARGS__)

/*
 * User text quoted for a message: 'text', with control characters escaped so
 * that a diagnostic stays on one line, and cut after DIAG_QUOTE_MAX_INPUT
 * bytes ("..." marks the cut). The result lives in @buf.
 */
#define DIAG_QUOTE_MAX_INPUT 80
#define DIAG_QUOTE_SIZE (DIAG_QUOTE_MAX_INPUT * 6 + 8)
const char *diag_quote(char buf[static DIAG_QUOTE_SIZE], const char *text, size_t len);

/* strerror() without its shared buffer. */
const char *diag_errno_text(int errnum, char *buf, size_t size);

#endif /* CREDGATE_POLICY_DIAG_H */
