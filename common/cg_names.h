/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The names user space gives credgate.h's enums, each spelled once, in both
 * directions: enum -> name (NULL when the value has no name or is out of
 * range) and name -> enum (-EINVAL for a name that is not in the table).
 * These are the words events, metrics, AVC records and status print, so
 * they are stable: renaming one is an interface change (docs/events.md).
 *
 * Two enums of the agent's settings live here too, because their words are
 * read in two places (the settings file and the command line) and the
 * modules that act on them take the enum, never the word.
 */
#ifndef CREDGATE_COMMON_CG_NAMES_H
#define CREDGATE_COMMON_CG_NAMES_H

#include <stddef.h>
#include <linux/types.h>

#include "credgate.h"

/* enum cg_hook: the LSM hook, "task_fix_setuid" ... CG_HOOK_NONE has no name. */
/*
 * The lookups every table here is read through, for other modules' word
 * tables too (indexed by their enum, NULL for an empty slot). Bounds-checked:
 * an out-of-range value (from a kernel event, say) is never an index.
 * cg_table_value() returns the index whose word is @name exactly (empty
 * slots never match), or -EINVAL.
 */
const char *cg_table_name(const char *const *table, size_t count, unsigned value);
int cg_table_value(const char *const *table, size_t count, const char *name);

const char *cg_hook_name(unsigned hook);
int cg_hook_from_name(const char *name);

/* enum cg_verdict: "none", "allowed", "audited-would-deny", "denied", "killed". */
const char *cg_verdict_name(unsigned verdict);
int cg_verdict_from_name(const char *name);

/* enum cg_syscall: the system call's name, "setuid" ... "capset". */
const char *cg_syscall_name(unsigned syscall);
int cg_syscall_from_name(const char *name);

/*
 * --lsm-unavailable and the settings file's lsmUnavailable: what to do with
 * enforce rules when the kernel cannot run BPF LSM programs. Words: "fail",
 * "observe", "kill".
 */
enum lsm_unavailable_action {
	LSM_UNAVAILABLE_FAIL = 0,    /* refuse to start */
	LSM_UNAVAILABLE_OBSERVE = 1, /* run, report violations, stop nothing */
	LSM_UNAVAILABLE_KILL = 2,    /* SIGKILL the caller from the syscall tracepoint */
};
/* Outside the enum, so that a switch over the choices need not name it. */
#define LSM_UNAVAILABLE_COUNT (LSM_UNAVAILABLE_KILL + 1)
const char *cg_lsm_unavailable_name(unsigned action);
int cg_lsm_unavailable_from_name(const char *name);

/* --output and the settings file's output: how events are written. Words: "json", "compact". */
enum output_format {
	OUTPUT_JSON = 0,
	OUTPUT_COMPACT = 1,
};
#define OUTPUT_FORMAT_COUNT (OUTPUT_COMPACT + 1)
const char *cg_output_format_name(unsigned format);
int cg_output_format_from_name(const char *name);

/*
 * --audit-records and the settings file's auditRecords: what the agent
 * writes to the kernel's audit subsystem besides its events. Words: "off",
 * "avc" (audited and denied decisions as USER_AVC records too).
 */
enum audit_records {
	AUDIT_RECORDS_OFF = 0,
	AUDIT_RECORDS_AVC = 1,
};
#define AUDIT_RECORDS_COUNT (AUDIT_RECORDS_AVC + 1)
const char *cg_audit_records_name(unsigned records);
int cg_audit_records_from_name(const char *name);

#endif /* CREDGATE_COMMON_CG_NAMES_H */
