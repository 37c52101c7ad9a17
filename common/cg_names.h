/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The names user space gives credgate.h's enums, each spelled once, in both
 * directions: enum -> name (NULL when the value has no name or is out of
 * range) and name -> enum (-EINVAL for a name that is not in the table).
 * These are the words events, metrics, AVC records and status print, so
 * they are stable: renaming one is an interface change (docs/events.md).
 */
#ifndef CREDGATE_COMMON_CG_NAMES_H
#define CREDGATE_COMMON_CG_NAMES_H

#include <linux/types.h>

#include "credgate.h"

/* enum cg_hook: the LSM hook, "task_fix_setuid" ... CG_HOOK_NONE has no name. */
const char *cg_hook_name(unsigned hook);
int cg_hook_from_name(const char *name);

/* enum cg_verdict: "none", "allowed", "audited-would-deny", "denied", "killed". */
const char *cg_verdict_name(unsigned verdict);
int cg_verdict_from_name(const char *name);

/* enum cg_syscall: the system call's name, "setuid" ... "capset". */
const char *cg_syscall_name(unsigned syscall);
int cg_syscall_from_name(const char *name);

#endif /* CREDGATE_COMMON_CG_NAMES_H */
