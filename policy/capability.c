/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Capability names. The table is ours rather than libcap's or the build
 * host's <linux/capability.h>: policy files must mean the same thing
 * wherever the agent was built. Unit tests check it against the header.
 */

#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "names.h"

static const char *const capability_names[POLICY_CAP_LAST_KNOWN + 1] = {
	"CAP_CHOWN",		  /* 0 */
	"CAP_DAC_OVERRIDE",	  /* 1 */
	"CAP_DAC_READ_SEARCH",	  /* 2 */
	"CAP_FOWNER",		  /* 3 */
	"CAP_FSETID",		  /* 4 */
	"CAP_KILL",		  /* 5 */
	"CAP_SETGID",		  /* 6 */
	"CAP_SETUID",		  /* 7 */
	"CAP_SETPCAP",		  /* 8 */
	"CAP_LINUX_IMMUTABLE",	  /* 9 */
	"CAP_NET_BIND_SERVICE",	  /* 10 */
	"CAP_NET_BROADCAST",	  /* 11 */
	"CAP_NET_ADMIN",	  /* 12 */
	"CAP_NET_RAW",		  /* 13 */
	"CAP_IPC_LOCK",		  /* 14 */
	"CAP_IPC_OWNER",	  /* 15 */
	"CAP_SYS_MODULE",	  /* 16 */
	"CAP_SYS_RAWIO",	  /* 17 */
	"CAP_SYS_CHROOT",	  /* 18 */
	"CAP_SYS_PTRACE",	  /* 19 */
	"CAP_SYS_PACCT",	  /* 20 */
	"CAP_SYS_ADMIN",	  /* 21 */
	"CAP_SYS_BOOT",		  /* 22 */
	"CAP_SYS_NICE",		  /* 23 */
	"CAP_SYS_RESOURCE",	  /* 24 */
	"CAP_SYS_TIME",		  /* 25 */
	"CAP_SYS_TTY_CONFIG",	  /* 26 */
	"CAP_MKNOD",		  /* 27 */
	"CAP_LEASE",		  /* 28 */
	"CAP_AUDIT_WRITE",	  /* 29 */
	"CAP_AUDIT_CONTROL",	  /* 30 */
	"CAP_SETFCAP",		  /* 31 */
	"CAP_MAC_OVERRIDE",	  /* 32 */
	"CAP_MAC_ADMIN",	  /* 33 */
	"CAP_SYSLOG",		  /* 34 */
	"CAP_WAKE_ALARM",	  /* 35 */
	"CAP_BLOCK_SUSPEND",	  /* 36 */
	"CAP_AUDIT_READ",	  /* 37 */
	"CAP_PERFMON",		  /* 38 */
	"CAP_BPF",		  /* 39 */
	"CAP_CHECKPOINT_RESTORE", /* 40 */
};

_Static_assert(POLICY_CAP_LAST_KNOWN <= CG_CAP_LAST, "cg_cap_rule.caps must hold every known capability");

const char *policy_capability_name(unsigned cap)
{
	if (cap >= ELEMENTSOF(capability_names))
		return NULL;
	return capability_names[cap];
}

int policy_capability_parse(const char *name)
{
	static const char prefix[] = "CAP_";
	const size_t prefix_len = sizeof(prefix) - 1;

	if (!name)
		return -1;
	if (strncasecmp(name, prefix, prefix_len) == 0)
		name += prefix_len;
	for (size_t cap = 0; cap < ELEMENTSOF(capability_names); cap++)
		if (strcasecmp(name, capability_names[cap] + prefix_len) == 0)
			return (int)cap;
	return -1;
}
