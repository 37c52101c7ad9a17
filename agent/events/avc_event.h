/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A kernel decision event, with what user space knows of it, as an AVC
 * record (selinux-compat/avc.h): what the agent writes to the audit
 * subsystem with auditRecords: avc. Pure: no I/O.
 */
#ifndef CREDGATE_AVC_EVENT_H
#define CREDGATE_AVC_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "credgate.h"
#include "event_format.h"

/* Whether a decision is one an AVC record is written for: audited, denied or killed. */
bool avc_event_wanted(const struct cg_decision_event *e);

/*
 * Format @e (a CG_EVENT_DECISION or CG_EVENT_EXEC_DECISION record) into
 * @buf. The process context comes from meta->process (NULL: "?"), the policy
 * and rule from @meta, a folded line's count from meta->repeat. Returns the
 * length or a negative errno.
 */
int avc_event_format(const struct cg_decision_event *e, const struct event_meta *meta, char *buf, size_t size);

#endif /* CREDGATE_AVC_EVENT_H */
