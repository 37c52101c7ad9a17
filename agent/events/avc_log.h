/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `credgatectl avc`: an event log (JSON Lines, as credgated writes it) in,
 * one AVC record per audited or denied decision out, the same text the
 * agent writes to the audit subsystem with auditRecords: avc. Other events
 * are skipped.
 */
#ifndef CREDGATE_AVC_LOG_H
#define CREDGATE_AVC_LOG_H

#include <stdio.h>

/* Lines longer than this are refused (an event is a few KiB). */
#define AVC_LOG_MAX_LINE (1024 * 1024)

struct avc_log_stats {
	unsigned long lines, records, skipped, bad;
};

/*
 * Convert every line of @in. A line that is not JSON, or a decision that
 * lacks what a record needs, is reported on @err as "NAME:LINE: ..." and
 * counted as bad; conversion goes on. Returns 0, or a negative errno when
 * reading or writing failed.
 */
int avc_log_convert(FILE *in, const char *name, FILE *out, FILE *err, struct avc_log_stats *stats);

#endif /* CREDGATE_AVC_LOG_H */
