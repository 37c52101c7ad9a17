/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fan-out: one formatted event to every output that is on. The primary
 * output (stdout or --events FILE) in the configured format, the rotated
 * JSON Lines file, the systemd journal, the getevents clients of the
 * control socket (in the format each asked for, made on demand), and, for
 * auditRecords: avc, the audit writer. Counts what each output failed to
 * take, for the sink's credgate_lost reports.
 */
#ifndef CREDGATE_EVENT_FANOUT_H
#define CREDGATE_EVENT_FANOUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>

#include "credgate.h"
#include "event_format.h"
#include "event_view.h"

struct event_fanout;
struct audit_writer;

struct event_fanout_options {
	enum output_format format;
	FILE *out;		 /* the primary output; NULL: none */
	const char *file_path;	 /* NULL: no file */
	uint64_t file_max_bytes; /* 0: EVENT_SINK_DEFAULT_FILE_MAX_BYTES */
	unsigned file_keep;	 /* 0: EVENT_SINK_DEFAULT_FILE_KEEP */
	bool journal;
	struct audit_writer *audit; /* NULL: no USER_AVC records */
};

int event_fanout__new(struct event_fanout **out, const struct event_fanout_options *opts);
void event_fanout__free(struct event_fanout *fo);

/*
 * Readers that take every event as it comes, each with its own filter and
 * format: the control socket's getevents clients. The fan-out says what it
 * needs of them here and the control plane fills it in
 * (control_server__event_clients()), so the event path calls the control
 * plane only through this, and knows nothing else of it.
 */
struct event_clients {
	/* How many there are now: none spares making the event's view. */
	size_t (*count)(void *ctx);
	/* Offer the event to those whose filter it matches; never blocks. */
	void (*offer)(void *ctx, const struct event_view *ev);
	/* Send what is queued, as far as each takes it now. */
	void (*flush)(void *ctx);
	/* Events they missed so far, being too slow (for credgate_lost). */
	uint64_t (*missed)(void *ctx);
	void *ctx;
};

/* Also offer every event to @clients (copied; NULL: none). */
void event_fanout__set_clients(struct event_fanout *fo, const struct event_clients *clients);

/* One event: a kernel record (@data), or a loss report (@lost). */
struct event_fanout_event {
	const void *data;
	const struct event_meta *meta;
	const struct event_lost *lost;
	enum event_kind kind;
	enum cg_verdict verdict; /* CG_VERDICT_NONE: the event has none (exec, lost, most observations) */
};

/* Format @ev and write it everywhere: -EBADMSG when it is malformed, -ENOMEM. */
int event_fanout__write(struct event_fanout *fo, const struct event_fanout_event *ev);

/*
 * auditRecords: avc. One record per decision line: a folded line is one
 * record whose credgate_repeated says how many decisions it stands for.
 */
void event_fanout__avc(struct event_fanout *fo, const struct cg_decision_event *e, const struct event_meta *meta);

/* Add what the outputs failed to take since the last call to @l. */
void event_fanout__take_losses(struct event_fanout *fo, struct event_lost *l);

/* Send what is queued for the getevents clients. */
void event_fanout__flush_clients(struct event_fanout *fo);
/* Flush the file and the primary output; negative errno when the primary output failed. */
int event_fanout__flush(struct event_fanout *fo);

struct event_fanout_stats {
	uint64_t written, write_errors; /* the primary output */
	uint64_t file_lines, file_lost, file_rotations;
	uint64_t journal_sent, journal_lost;
	uint64_t avc_records, avc_unformatted;
};
void event_fanout__stats(const struct event_fanout *fo, struct event_fanout_stats *stats);

#endif /* CREDGATE_EVENT_FANOUT_H */
