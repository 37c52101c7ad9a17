/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A credgate decision written in SELinux's AVC grammar, for the audit
 * subsystem (USER_AVC records) and `credgatectl avc`:
 *
 *   avc:  denied  { setuid } for pid=4242 comm="su" capability=7
 *   scontext=system_u:system_r:container_t:s0:c12,c34
 *   tcontext=system_u:system_r:container_t:s0:c12,c34 tclass=capability
 *   permissive=0 credgate_policy="web-no-root" credgate_rule="setuid.deny[0]"
 *   credgate_hook=task_fix_setuid credgate_call=setresuid ...
 *
 * (one line). Permissions follow SELinux's capability class where one
 * exists; docs/selinux.md lists every mapping. Values that came from
 * outside (comm, policy and rule names, paths) are written the way the
 * kernel's audit_log_untrustedstring() writes them: in double quotes when
 * they hold only printable ASCII other than space and '"', otherwise as
 * uppercase hex without quotes, which ausearch -i decodes. So a record is
 * always one line of space-separated key=value pairs that auparse splits.
 */
#ifndef CREDGATE_SELINUX_AVC_H
#define CREDGATE_SELINUX_AVC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "credgate.h"

/* Longest record text: well under the kernel's AUDIT_MESSAGE_TEXT_MAX (8560). */
#define AVC_RECORD_MAX 2048
/* Bytes of a rule label ("setuid.deny[0]") kept. */
#define AVC_RULE_LABEL_MAX 64
/* Bytes of an untrusted value (comm, path) written before it is cut. */
#define AVC_VALUE_MAX 256
#define AVC_MAX_IDS 8

/* One credential slot before and after: "old_uid=1000 new_uid=0". */
struct avc_id_change {
	const char *name; /* "uid", "euid", ... */
	uint32_t old_value, new_value;
};

/* What a decision event says, in the terms the record needs. */
struct avc_decision {
	enum cg_hook hook;    /* the event's hook; its name (cg_names.h) is written only as credgate_hook */
	bool permissive;      /* the change was not stopped (audit mode, or no BPF LSM to stop it) */
	uint32_t pid;
	const char *comm;     /* untrusted bytes */
	size_t comm_len;      /* at most this many (a kernel comm is 16 bytes, maybe without NUL) */
	const char *context;  /* the process's SELinux context; NULL: unknown or SELinux off ("?") */
	/* capset, task_prctl, and an exec that gained file capabilities: the capability. */
	int capability;	      /* its number, -1 when none */
	const char *capability_name; /* "CAP_NET_RAW" or "net_raw"; NULL: "cap_N" */
	bool exec_setuid, exec_setgid; /* bprm_creds_from_file: what the exec changed */
	/* credgate's own fields; NULL strings are left out. */
	const char *policy;
	const char *rule;     /* the rule's text: only its label ("setuid.deny[0]") is written */
	const char *call;     /* setresuid, ... */
	const char *verdict;  /* denied, audited-would-deny, killed */
	const char *enforcement; /* eperm, sigkill, none, ... */
	struct avc_id_change ids[AVC_MAX_IDS];
	size_t nids;
	int64_t gid;	      /* setgroups: the gid a rule refused; -1 when none */
	const char *cap_set;  /* capset: permitted, effective, ... */
	const char *exec_filename; /* untrusted */
	uint64_t repeated;    /* > 1: the record stands for that many identical decisions */
};

/*
 * Format @d into @buf (NUL-terminated, one line). Returns the length,
 * -EINVAL for a hook with no mapping, or -ENOBUFS when @size is too small
 * (AVC_RECORD_MAX always suffices).
 */
int avc_format(const struct avc_decision *d, char *buf, size_t size);

/*
 * An untrusted value as audit writes one: "value" or HEX. At most
 * @len bytes, stopping at a NUL, and at most AVC_VALUE_MAX. Returns the
 * length written, or -ENOBUFS.
 */
int avc_encode_untrusted(const char *value, size_t len, char *buf, size_t size);

/* "setuid.deny[0]: from any to 0" -> "setuid.deny[0]": the text before the first ':', bounded. */
size_t avc_rule_label(const char *rule_text, char *buf, size_t size);

/* The SELinux permission of capability @cap: "net_raw" from CAP_NET_RAW or net_raw. */
void avc_capability_permission(const char *capability_name, int cap, char *buf, size_t size);

#endif /* CREDGATE_SELINUX_AVC_H */
