/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Events to the systemd journal, with structured fields: MESSAGE is the
 * compact line, PRIORITY follows the verdict (denied or killed: warning,
 * audited: notice, others: info; lost events: warning), each event's key
 * facts are CREDGATE_* fields, and the whole JSON event is CREDGATE_JSON.
 */
#ifndef CREDGATE_OUTPUT_JOURNAL_H
#define CREDGATE_OUTPUT_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "event_view.h"

#define JOURNAL_MAX_FIELDS 40
#define JOURNAL_MAX_BYTES (256 * 1024) /* of all fields of one event */

/* NULL strings are left out. */
struct journal_event {
	const char *message; /* the compact line */
	enum event_kind kind; /* CREDGATE_KIND: process_kprobe, credgate_decision, ... */
	enum cg_verdict verdict; /* CREDGATE_VERDICT; CG_VERDICT_NONE: left out */
	const char *policy;
	const char *binary;
	const char *cgroup;
	const char *container_id;
	const char *pod_uid;
	const char *exec_id;
	const char *hook;
	const char *rule;
	const char *function; /* process_kprobe's function_name */
	const char *json;     /* the event as JSON */
	size_t json_len;
	uint32_t pid;	  /* 0: none */
	bool has_ids;	  /* the old and new ids below are set */
	uint32_t old_uid, new_uid, old_euid, new_euid, old_gid, new_gid;
};

/* syslog(3) priority of an event of @kind with @verdict (CG_VERDICT_NONE: info). */
int journal_priority(enum event_kind kind, enum cg_verdict verdict);

/* The journal's CREDGATE_KIND word for @kind: the event's top-level key; NULL out of range. */
const char *journal_kind_name(enum event_kind kind);

/*
 * The fields of @ev as "KEY=value" iovecs pointing into @buf. Returns how
 * many, or -ENOBUFS when @buf or @iov is too small. Pure: for tests.
 */
int journal_fields_build(const struct journal_event *ev, char *buf, size_t size, struct iovec *iov,
			 size_t niov);

struct output_journal;

int output_journal__new(struct output_journal **out);
void output_journal__free(struct output_journal *j);

/* Send one event. 0 or a negative errno (counted). */
int output_journal__send(struct output_journal *j, const struct journal_event *ev);

struct output_journal_stats {
	uint64_t sent;
	uint64_t errors; /* events the journal did not take */
};
void output_journal__stats(const struct output_journal *j, struct output_journal_stats *stats);

#endif /* CREDGATE_OUTPUT_JOURNAL_H */
