// SPDX-License-Identifier: LGPL-2.1-or-later
/* The one string table of each credgate.h enum that user space names, and of two settings' enums. */
#include "cg_names.h"

#include <errno.h>
#include <string.h>

#include "cleanup.h"

static const char *const hook_names[CG_HOOK_MAX] = {
	[CG_HOOK_SETUID] = "task_fix_setuid",
	[CG_HOOK_SETGID] = "task_fix_setgid",
	[CG_HOOK_SETGROUPS] = "task_fix_setgroups",
	[CG_HOOK_CAPSET] = "capset",
	[CG_HOOK_EXEC] = "bprm_creds_from_file",
	[CG_HOOK_USERNS] = "userns_create",
	[CG_HOOK_PRCTL] = "task_prctl",
	[CG_HOOK_CAPABLE] = "capable",
};

static const char *const verdict_names[CG_VERDICT_COUNT] = {
	[CG_VERDICT_NONE] = "none",
	[CG_VERDICT_ALLOWED] = "allowed",
	[CG_VERDICT_AUDITED] = "audited-would-deny",
	[CG_VERDICT_DENIED] = "denied",
	[CG_VERDICT_KILLED] = "killed",
};

static const char *const syscall_names[CG_SYS_MAX] = {
	[CG_SYS_SETUID] = "setuid",	  [CG_SYS_SETGID] = "setgid",
	[CG_SYS_SETREUID] = "setreuid",	  [CG_SYS_SETREGID] = "setregid",
	[CG_SYS_SETRESUID] = "setresuid", [CG_SYS_SETRESGID] = "setresgid",
	[CG_SYS_SETFSUID] = "setfsuid",	  [CG_SYS_SETFSGID] = "setfsgid",
	[CG_SYS_SETGROUPS] = "setgroups", [CG_SYS_CAPSET] = "capset",
};

static const char *const lsm_unavailable_names[LSM_UNAVAILABLE_COUNT] = {
	[LSM_UNAVAILABLE_FAIL] = "fail",
	[LSM_UNAVAILABLE_OBSERVE] = "observe",
	[LSM_UNAVAILABLE_KILL] = "kill",
};

static const char *const audit_records_names[AUDIT_RECORDS_COUNT] = {
	[AUDIT_RECORDS_OFF] = "off",
	[AUDIT_RECORDS_AVC] = "avc",
};

static const char *const output_format_names[OUTPUT_FORMAT_COUNT] = {
	[OUTPUT_JSON] = "json",
	[OUTPUT_COMPACT] = "compact",
};

const char *cg_table_name(const char *const *table, size_t count, unsigned value)
{
	return value < count ? table[value] : NULL;
}

int cg_table_value(const char *const *table, size_t count, const char *name)
{
	if (!name)
		return -EINVAL;
	for (size_t i = 0; i < count; i++)
		if (table[i] && strcmp(table[i], name) == 0)
			return (int)i;
	return -EINVAL;
}

#define DEFINE_NAMES(prefix, table)                                        \
	const char *prefix##_name(unsigned value)                          \
	{                                                                  \
		return cg_table_name(table, ELEMENTSOF(table), value);     \
	}                                                                  \
	int prefix##_from_name(const char *name)                           \
	{                                                                  \
		return cg_table_value(table, ELEMENTSOF(table), name);     \
	}

DEFINE_NAMES(cg_hook, hook_names)
DEFINE_NAMES(cg_verdict, verdict_names)
DEFINE_NAMES(cg_syscall, syscall_names)
DEFINE_NAMES(cg_lsm_unavailable, lsm_unavailable_names)
DEFINE_NAMES(cg_output_format, output_format_names)
DEFINE_NAMES(cg_audit_records, audit_records_names)
