// SPDX-License-Identifier: LGPL-2.1-or-later
#include "output_journal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <systemd/sd-journal.h>

#include "cg_names.h"

struct output_journal {
	char *buf;
	struct output_journal_stats stats;
};

static const char *const journal_kind_names[EVENT_KIND_COUNT] = {
	[EVENT_KIND_DECISION] = "credgate_decision",
	[EVENT_KIND_KPROBE] = "process_kprobe",
	[EVENT_KIND_EXEC] = "process_exec",
	[EVENT_KIND_LOST] = "credgate_lost",
};

const char *journal_kind_name(enum event_kind kind)
{
	return (unsigned)kind < EVENT_KIND_COUNT ? journal_kind_names[kind] : NULL;
}

int journal_priority(enum event_kind kind, enum cg_verdict verdict)
{
	if (kind == EVENT_KIND_LOST)
		return LOG_WARNING;
	switch (verdict) {
	case CG_VERDICT_DENIED:
	case CG_VERDICT_KILLED:
		return LOG_WARNING;
	case CG_VERDICT_AUDITED:
		return LOG_NOTICE;
	default:
		return LOG_INFO;
	}
}

struct field_builder {
	char *buf;
	size_t size, off;
	struct iovec *iov;
	size_t niov, n;
	bool overflow;
};

static void add_field(struct field_builder *b, const char *key, const char *value, size_t len)
{
	size_t klen = strlen(key), need = klen + 1 + len;

	if (!value)
		return;
	if (b->n == b->niov || b->off + need > b->size) {
		b->overflow = true;
		return;
	}
	memcpy(b->buf + b->off, key, klen);
	b->buf[b->off + klen] = '=';
	memcpy(b->buf + b->off + klen + 1, value, len);
	b->iov[b->n].iov_base = b->buf + b->off;
	b->iov[b->n].iov_len = need;
	b->off += need;
	b->n++;
}

static void add_string(struct field_builder *b, const char *key, const char *value)
{
	if (value)
		add_field(b, key, value, strlen(value));
}

static void add_uint(struct field_builder *b, const char *key, uint64_t value)
{
	char num[24];
	int n = snprintf(num, sizeof(num), "%llu", (unsigned long long)value);

	add_field(b, key, num, (size_t)n);
}

int journal_fields_build(const struct journal_event *ev, char *buf, size_t size, struct iovec *iov,
			 size_t niov)
{
	struct field_builder b = { .buf = buf, .size = size, .iov = iov, .niov = niov };

	const char *kind = journal_kind_name(ev->kind);

	add_string(&b, "MESSAGE", ev->message ? ev->message : kind);
	add_uint(&b, "PRIORITY", (uint64_t)journal_priority(ev->kind, ev->verdict));
	add_string(&b, "SYSLOG_IDENTIFIER", "credgated");
	add_string(&b, "CREDGATE_KIND", kind);
	if (ev->verdict != CG_VERDICT_NONE)
		add_string(&b, "CREDGATE_VERDICT", cg_verdict_name(ev->verdict));
	add_string(&b, "CREDGATE_POLICY", ev->policy);
	if (ev->pid)
		add_uint(&b, "CREDGATE_PID", ev->pid);
	add_string(&b, "CREDGATE_BINARY", ev->binary);
	add_string(&b, "CREDGATE_CGROUP", ev->cgroup);
	add_string(&b, "CREDGATE_CONTAINER_ID", ev->container_id);
	add_string(&b, "CREDGATE_POD_UID", ev->pod_uid);
	add_string(&b, "CREDGATE_EXEC_ID", ev->exec_id);
	add_string(&b, "CREDGATE_HOOK", ev->hook);
	add_string(&b, "CREDGATE_RULE", ev->rule);
	add_string(&b, "CREDGATE_FUNCTION", ev->function);
	if (ev->has_ids) {
		add_uint(&b, "CREDGATE_OLD_UID", ev->old_uid);
		add_uint(&b, "CREDGATE_NEW_UID", ev->new_uid);
		add_uint(&b, "CREDGATE_OLD_EUID", ev->old_euid);
		add_uint(&b, "CREDGATE_NEW_EUID", ev->new_euid);
		add_uint(&b, "CREDGATE_OLD_GID", ev->old_gid);
		add_uint(&b, "CREDGATE_NEW_GID", ev->new_gid);
	}
	if (ev->json)
		add_field(&b, "CREDGATE_JSON", ev->json, ev->json_len);
	return b.overflow ? -ENOBUFS : (int)b.n;
}

int output_journal__new(struct output_journal **out)
{
	struct output_journal *j = calloc(1, sizeof(*j));

	if (!j)
		return -ENOMEM;
	j->buf = malloc(JOURNAL_MAX_BYTES);
	if (!j->buf) {
		free(j);
		return -ENOMEM;
	}
	*out = j;
	return 0;
}

void output_journal__free(struct output_journal *j)
{
	if (!j)
		return;
	free(j->buf);
	free(j);
}

int output_journal__send(struct output_journal *j, const struct journal_event *ev)
{
	struct iovec iov[JOURNAL_MAX_FIELDS];
	int n = journal_fields_build(ev, j->buf, JOURNAL_MAX_BYTES, iov, JOURNAL_MAX_FIELDS);
	int r;

	if (n < 0) {
		j->stats.errors++;
		return n;
	}
	r = sd_journal_sendv(iov, n);
	if (r < 0) {
		j->stats.errors++;
		return r;
	}
	j->stats.sent++;
	return 0;
}

void output_journal__stats(const struct output_journal *j, struct output_journal_stats *stats)
{
	*stats = j->stats;
}
