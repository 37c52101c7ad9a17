// SPDX-License-Identifier: LGPL-2.1-or-later
#include "avc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cg_names.h"

/* Capabilities from 32 on are permissions of SELinux's capability2 class. */
#define CAPABILITY2_FIRST 32
#define CAP_SETGID_NUMBER 6
#define CAP_SETUID_NUMBER 7
#define CAP_SYS_ADMIN_NUMBER 21
#define PERMISSION_MAX 32

struct record {
	char *buf;
	size_t size, len;
	bool overflow;
};

static void put(struct record *r, const char *s, size_t len)
{
	if (r->overflow || r->len + len >= r->size) {
		r->overflow = true;
		return;
	}
	memcpy(r->buf + r->len, s, len);
	r->len += len;
	r->buf[r->len] = '\0';
}

static void putf(struct record *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(struct record *r, const char *fmt, ...)
{
	char piece[AVC_RECORD_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(piece, sizeof(piece), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(piece)) {
		r->overflow = true;
		return;
	}
	put(r, piece, (size_t)n);
}

int avc_encode_untrusted(const char *value, size_t len, char *buf, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	bool plain = true;
	size_t n = 0, out;

	while (n < len && n < AVC_VALUE_MAX && value[n])
		n++;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)value[i];

		/*
		 * audit_string_contains_control(): '"', space, controls, DEL and
		 * non-ASCII; and '\'', since the kernel wraps a user record's
		 * text in msg='...', which a quote would end.
		 */
		if (c == '"' || c == '\'' || c < 0x21 || c > 0x7e)
			plain = false;
	}
	out = plain ? n + 2 : n * 2;
	if (out >= size)
		return -ENOBUFS;
	if (plain) {
		buf[0] = '"';
		memcpy(buf + 1, value, n);
		buf[n + 1] = '"';
	} else {
		for (size_t i = 0; i < n; i++) {
			buf[2 * i] = hex[(unsigned char)value[i] >> 4];
			buf[2 * i + 1] = hex[(unsigned char)value[i] & 15];
		}
	}
	buf[out] = '\0';
	return (int)out;
}

static void put_untrusted(struct record *r, const char *key, const char *value, size_t len)
{
	char encoded[AVC_VALUE_MAX * 2 + 3];

	if (avc_encode_untrusted(value, len, encoded, sizeof(encoded)) < 0) {
		r->overflow = true;
		return;
	}
	putf(r, " %s=%s", key, encoded);
}

size_t avc_rule_label(const char *rule_text, char *buf, size_t size)
{
	size_t n = strcspn(rule_text, ":");

	if (size == 0)
		return 0;
	if (n > AVC_RULE_LABEL_MAX)
		n = AVC_RULE_LABEL_MAX;
	if (n >= size)
		n = size - 1;
	memcpy(buf, rule_text, n);
	buf[n] = '\0';
	return n;
}

void avc_capability_permission(const char *capability_name, int cap, char *buf, size_t size)
{
	size_t n = 0;

	if (size == 0)
		return;
	if (!capability_name) {
		snprintf(buf, size, "cap_%d", cap);
		return;
	}
	if (strncasecmp(capability_name, "cap_", 4) == 0)
		capability_name += 4;
	/* SELinux names the permission after the capability, in lower case. */
	for (; capability_name[n] && n + 1 < size; n++) {
		char c = capability_name[n];

		c = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
			snprintf(buf, size, "cap_%d", cap); /* not a name: never let it into the record */
			return;
		}
		buf[n] = c;
	}
	buf[n] = '\0';
	if (n == 0)
		snprintf(buf, size, "cap_%d", cap);
}

/* What SELinux would call the change: permission(s), class, and the capability number it logs. */
struct avc_target {
	char permissions[2][PERMISSION_MAX];
	size_t npermissions;
	const char *tclass;
	int capability; /* for "capability=N"; -1: none */
};

static void target_capability(struct avc_target *t, const struct avc_decision *d)
{
	avc_capability_permission(d->capability_name, d->capability, t->permissions[t->npermissions++],
				  PERMISSION_MAX);
	t->tclass = d->capability >= CAPABILITY2_FIRST ? "capability2" : "capability";
	t->capability = d->capability;
}

static int map_hook(const struct avc_decision *d, struct avc_target *t)
{
	*t = (struct avc_target){ .tclass = "capability", .capability = -1 };
	switch (d->hook) {
	case CG_HOOK_SETUID:
		snprintf(t->permissions[t->npermissions++], PERMISSION_MAX, "setuid");
		t->capability = CAP_SETUID_NUMBER;
		break;
	case CG_HOOK_SETGID:
	case CG_HOOK_SETGROUPS:
		/* SELinux checks setgroups() as capability setgid too. */
		snprintf(t->permissions[t->npermissions++], PERMISSION_MAX, "setgid");
		t->capability = CAP_SETGID_NUMBER;
		break;
	case CG_HOOK_CAPSET:
	case CG_HOOK_PRCTL:
		if (d->capability < 0)
			return -EINVAL;
		target_capability(t, d);
		break;
	case CG_HOOK_EXEC:
		/* What the exec gained: ids as setuid/setgid, else the file capability. */
		if (d->exec_setuid)
			snprintf(t->permissions[t->npermissions++], PERMISSION_MAX, "setuid");
		if (d->exec_setgid)
			snprintf(t->permissions[t->npermissions++], PERMISSION_MAX, "setgid");
		if (t->npermissions == 0) {
			if (d->capability < 0)
				return -EINVAL;
			target_capability(t, d);
		}
		break;
	case CG_HOOK_USERNS:
		/* SELinux's own check of the same hook (Linux 6.1). */
		snprintf(t->permissions[t->npermissions++], PERMISSION_MAX, "create");
		t->tclass = "user_namespace";
		break;
	case CG_HOOK_CAPABLE:
		/*
		 * setns() into a user namespace: SELinux checks the same hook,
		 * CAP_SYS_ADMIN over the target, which is never the initial
		 * user namespace (so class cap_userns, not capability).
		 */
		snprintf(t->permissions[t->npermissions++], PERMISSION_MAX, "sys_admin");
		t->tclass = "cap_userns";
		t->capability = CAP_SYS_ADMIN_NUMBER;
		break;
	default: /* CG_HOOK_NONE, or a value from no table: never a record */
		return -EINVAL;
	}
	/* Every hook mapped above has a name; a record without one is not written. */
	return cg_hook_name(d->hook) ? 0 : -EINVAL;
}

/* Our own vocabulary (hook, call, verdict) bare; anything else, from an event log, encoded. */
static void put_token(struct record *r, const char *key, const char *value)
{
	size_t n = strlen(value);
	bool plain = n > 0 && n < PERMISSION_MAX;

	for (size_t i = 0; plain && i < n; i++)
		plain = (value[i] >= 'a' && value[i] <= 'z') || (value[i] >= '0' && value[i] <= '9') ||
			value[i] == '_' || value[i] == '-';
	if (plain)
		putf(r, " %s=%s", key, value);
	else
		put_untrusted(r, key, value, n);
}

/* A context is written bare, as SELinux writes it; anything else (or nothing) as "?". */
static void put_context(struct record *r, const char *key, const char *context)
{
	bool plain = context && context[0];

	for (const char *p = context; plain && *p; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e || *p == '"' || *p == '\'')
			plain = false;
	if (plain && strlen(context) > AVC_VALUE_MAX)
		plain = false;
	putf(r, " %s=%s", key, plain ? context : "?");
}

int avc_format(const struct avc_decision *d, char *buf, size_t size)
{
	struct record r = { .buf = buf, .size = size };
	struct avc_target t;
	char label[AVC_RULE_LABEL_MAX + 1];
	int err;

	if (size == 0)
		return -ENOBUFS;
	buf[0] = '\0';
	err = map_hook(d, &t);
	if (err < 0)
		return err;
	/* The kernel's spacing: "avc:  denied  { perm } for ...". */
	put(&r, "avc:  denied  {", 15);
	for (size_t i = 0; i < t.npermissions; i++)
		putf(&r, " %s", t.permissions[i]);
	putf(&r, " } for pid=%u", d->pid);
	put_untrusted(&r, "comm", d->comm ? d->comm : "", d->comm ? d->comm_len : 0);
	if (t.capability >= 0)
		putf(&r, " capability=%d", t.capability);
	/* A capability check is the process on itself: SELinux logs its context twice. */
	put_context(&r, "scontext", d->context);
	put_context(&r, "tcontext", d->context);
	putf(&r, " tclass=%s permissive=%d", t.tclass, d->permissive ? 1 : 0);

	if (d->policy)
		put_untrusted(&r, "credgate_policy", d->policy, strlen(d->policy));
	if (d->rule) {
		avc_rule_label(d->rule, label, sizeof(label));
		put_untrusted(&r, "credgate_rule", label, strlen(label));
	}
	put_token(&r, "credgate_hook", cg_hook_name(d->hook));
	if (d->call)
		put_token(&r, "credgate_call", d->call);
	if (d->verdict)
		put_token(&r, "credgate_verdict", d->verdict);
	if (d->enforcement)
		put_token(&r, "credgate_enforcement", d->enforcement);
	for (size_t i = 0; i < d->nids && i < AVC_MAX_IDS; i++)
		putf(&r, " old_%s=%u new_%s=%u", d->ids[i].name, d->ids[i].old_value, d->ids[i].name,
		     d->ids[i].new_value);
	if (d->gid >= 0)
		putf(&r, " credgate_gid=%lld", (long long)d->gid);
	if (d->cap_set)
		put_token(&r, "credgate_cap_set", d->cap_set);
	if (d->exec_filename)
		put_untrusted(&r, "credgate_exec", d->exec_filename, strlen(d->exec_filename));
	if (d->repeated > 1)
		putf(&r, " credgate_repeated=%llu", (unsigned long long)d->repeated);
	if (r.overflow)
		return -ENOBUFS;
	return (int)r.len;
}
