// SPDX-License-Identifier: LGPL-2.1-or-later
#include "event_fanout.h"

#include <errno.h>
#include <stdlib.h>

#include "audit_writer.h"
#include "avc.h"
#include "avc_event.h"
#include "container_id.h"
#include "event_sink.h"
#include "json_writer.h"
#include "macro.h"
#include "output_file.h"
#include "output_journal.h"
#include "policy.h"

struct event_fanout {
	struct event_fanout_options opts;
	struct json_writer writer; /* the event in opts.format */
	struct json_writer alt;	   /* in the other format, when a client or the journal asks */
	bool alt_valid;
	const struct event_fanout_event *current; /* the event being written, for formatting it again */
	struct event_clients clients; /* all NULL: none */
	struct output_file *file;
	struct output_journal *journal;
	uint64_t written, write_errors, avc_records, avc_unformatted;
	/* What the outputs had lost at the last loss report. */
	uint64_t reported_output_failed, reported_file_lost, reported_journal_lost, reported_client_missed;
	uint64_t reported_audit_lost;
};

int event_fanout__new(struct event_fanout **out, const struct event_fanout_options *opts)
{
	struct event_fanout *fo = calloc(1, sizeof(*fo));
	int r;

	if (!fo)
		return -ENOMEM;
	fo->opts = *opts;
	json_writer_init(&fo->writer);
	json_writer_init(&fo->alt);
	if (opts->file_path) {
		struct output_file_options fopts = {
			.path = opts->file_path,
			.max_bytes = opts->file_max_bytes ? opts->file_max_bytes : EVENT_SINK_DEFAULT_FILE_MAX_BYTES,
			.keep = opts->file_keep ? opts->file_keep : EVENT_SINK_DEFAULT_FILE_KEEP,
		};

		r = output_file__open(&fo->file, &fopts);
		if (r < 0)
			goto fail;
	}
	if (opts->journal) {
		r = output_journal__new(&fo->journal);
		if (r < 0)
			goto fail;
	}
	*out = fo;
	return 0;
fail:
	event_fanout__free(fo);
	return r;
}

void event_fanout__free(struct event_fanout *fo)
{
	if (!fo)
		return;
	json_writer_free(&fo->writer);
	json_writer_free(&fo->alt);
	output_file__free(fo->file);
	output_journal__free(fo->journal);
	free(fo);
}

void event_fanout__set_clients(struct event_fanout *fo, const struct event_clients *clients)
{
	fo->clients = clients ? *clients : (struct event_clients){};
}

/* Format the current event into @w; negative errno when it is malformed. */
static int format_current(struct event_fanout *fo, struct json_writer *w, enum output_format format)
{
	const struct event_fanout_event *cur = fo->current;
	const struct cg_event_header *hdr = cur->data;

	json_writer_reset(w);
	if (cur->lost)
		return event_format_lost(w, format, cur->lost, cur->meta);
	switch (hdr->type) {
	case CG_EVENT_SYSCALL:
		return event_format_syscall(w, format, cur->data, cur->meta);
	case CG_EVENT_EXEC:
		return event_format_exec(w, format, cur->data, cur->meta);
	default:
		return event_format_decision(w, format, cur->data, cur->meta);
	}
}

/* The current event in @format: the primary text, or the other one made on demand. */
static const char *current_text(void *ctx, enum output_format format, size_t *len)
{
	struct event_fanout *fo = ctx;
	struct json_writer *w = &fo->writer;

	if (format != fo->opts.format) {
		w = &fo->alt;
		if (!fo->alt_valid && format_current(fo, w, format) == 0)
			fo->alt_valid = true;
		if (!fo->alt_valid)
			return NULL;
	}
	*len = w->len;
	return json_writer_text(w);
}

static void publish_current(struct event_fanout *fo)
{
	const struct event_fanout_event *cur = fo->current;
	const struct event_process *p = cur->meta ? cur->meta->process : NULL;
	struct event_view view = {
		.kind = cur->kind,
		.verdict = cur->verdict,
		.text = current_text,
		.text_ctx = fo,
	};

	if (!fo->clients.count || !fo->clients.count(fo->clients.ctx))
		return;
	if (p) {
		view.cgroup_path = p->cgroup_path;
		view.binary = p->binary ? p->binary : p->comm;
		view.comm = p->comm;
		if (p->container && p->container->id[0])
			view.container_id = p->container->id;
		if (p->container && p->container->pod_uid[0])
			view.pod_uid = p->container->pod_uid;
	}
	if (cur->meta)
		view.policy_name = cur->meta->policy_name;
	fo->clients.offer(fo->clients.ctx, &view);
}

static void journal_current(struct event_fanout *fo)
{
	const struct event_fanout_event *cur = fo->current;
	const struct event_process *p = cur->meta ? cur->meta->process : NULL;
	const struct cg_event_header *hdr = cur->data;
	struct journal_event ev = { .kind = cur->kind, .verdict = cur->verdict };
	size_t compact_len = 0, json_len = 0;

	ev.message = current_text(fo, OUTPUT_COMPACT, &compact_len);
	ev.json = current_text(fo, OUTPUT_JSON, &json_len);
	ev.json_len = json_len;
	if (cur->meta) {
		ev.policy = cur->meta->policy_name;
		ev.rule = cur->meta->rule_text;
	}
	if (p) {
		ev.pid = p->pid;
		ev.binary = p->binary ? p->binary : p->comm;
		ev.cgroup = p->cgroup_path;
		ev.exec_id = p->exec_id;
		if (p->container && p->container->id[0])
			ev.container_id = p->container->id;
		if (p->container && p->container->pod_uid[0])
			ev.pod_uid = p->container->pod_uid;
	}
	if (hdr && (hdr->type == CG_EVENT_DECISION || hdr->type == CG_EVENT_EXEC_DECISION)) {
		const struct cg_decision_event *d = cur->data;

		ev.hook = policy_hook_name(d->hook);
		ev.has_ids = true;
		ev.old_uid = d->old_ids.uid, ev.new_uid = d->new_ids.uid;
		ev.old_euid = d->old_ids.euid, ev.new_euid = d->new_ids.euid;
		ev.old_gid = d->old_ids.gid, ev.new_gid = d->new_ids.gid;
	} else if (hdr && hdr->type == CG_EVENT_SYSCALL) {
		const struct cg_syscall_event *s = cur->data;
		char function[64];

		if (event_syscall_function(s, function, sizeof(function)) < 0)
			snprintf(function, sizeof(function), "?");
		ev.function = function;
		ev.has_ids = true;
		ev.old_uid = s->old_ids.uid, ev.new_uid = s->new_ids.uid;
		ev.old_euid = s->old_ids.euid, ev.new_euid = s->new_ids.euid;
		ev.old_gid = s->old_ids.gid, ev.new_gid = s->new_ids.gid;
		output_journal__send(fo->journal, &ev);
		return;
	}
	output_journal__send(fo->journal, &ev);
}

static int write_current(struct event_fanout *fo)
{
	const char *text;
	size_t len;

	fo->alt_valid = false;
	if (format_current(fo, &fo->writer, fo->opts.format) < 0)
		return -EBADMSG;
	text = json_writer_text(&fo->writer);
	len = fo->writer.len;
	if (!text) {
		fo->write_errors++;
		return -ENOMEM;
	}
	if (fo->opts.out) {
		if (fwrite(text, 1, len, fo->opts.out) != len || fputc('\n', fo->opts.out) == EOF)
			fo->write_errors++;
		else
			fo->written++;
	}
	if (fo->file) {
		size_t jlen = len;
		const char *json = fo->opts.format == OUTPUT_JSON ? text : current_text(fo, OUTPUT_JSON, &jlen);

		if (json)
			output_file__write(fo->file, json, jlen);
	}
	if (fo->journal)
		journal_current(fo);
	publish_current(fo);
	return 0;
}

int event_fanout__write(struct event_fanout *fo, const struct event_fanout_event *ev)
{
	int r;

	fo->current = ev;
	r = write_current(fo);
	fo->current = NULL;
	return r;
}

void event_fanout__avc(struct event_fanout *fo, const struct cg_decision_event *e, const struct event_meta *meta)
{
	char text[AVC_RECORD_MAX];
	int n;

	if (!fo->opts.audit || !avc_event_wanted(e))
		return;
	n = avc_event_format(e, meta, text, sizeof(text));
	if (n <= 0) {
		fo->avc_unformatted++;
		return;
	}
	fo->avc_records++;
	/* A full queue is counted by the writer, and reported with the other losses. */
	audit_writer__submit(fo->opts.audit, text, (size_t)n);
}

void event_fanout__take_losses(struct event_fanout *fo, struct event_lost *l)
{
	l->output_failed += fo->write_errors - fo->reported_output_failed;
	fo->reported_output_failed = fo->write_errors;
	if (fo->file) {
		struct output_file_stats fs;

		output_file__stats(fo->file, &fs);
		l->file_failed += fs.lines_lost - fo->reported_file_lost;
		fo->reported_file_lost = fs.lines_lost;
	}
	if (fo->journal) {
		struct output_journal_stats js;

		output_journal__stats(fo->journal, &js);
		l->journal_failed += js.errors - fo->reported_journal_lost;
		fo->reported_journal_lost = js.errors;
	}
	if (fo->clients.missed) {
		uint64_t missed = fo->clients.missed(fo->clients.ctx);

		l->client_missed += missed - fo->reported_client_missed;
		fo->reported_client_missed = missed;
	}
	if (fo->opts.audit) {
		uint64_t audit_lost = audit_writer__lost(fo->opts.audit) + fo->avc_unformatted;

		l->audit_failed += audit_lost - fo->reported_audit_lost;
		fo->reported_audit_lost = audit_lost;
	}
}

void event_fanout__flush_clients(struct event_fanout *fo)
{
	if (fo->clients.flush)
		fo->clients.flush(fo->clients.ctx);
}

int event_fanout__flush(struct event_fanout *fo)
{
	int r = 0;

	if (fo->file)
		output_file__flush(fo->file);
	if (fo->opts.out && fflush(fo->opts.out) == EOF) {
		fo->write_errors++;
		r = negative_errno();
	}
	return r;
}

void event_fanout__stats(const struct event_fanout *fo, struct event_fanout_stats *stats)
{
	*stats = (struct event_fanout_stats){
		.written = fo->written,
		.write_errors = fo->write_errors,
		.avc_records = fo->avc_records,
		.avc_unformatted = fo->avc_unformatted,
	};
	if (fo->file) {
		struct output_file_stats fs;

		output_file__stats(fo->file, &fs);
		stats->file_lines = fs.lines;
		stats->file_lost = fs.lines_lost;
		stats->file_rotations = fs.rotations;
	}
	if (fo->journal) {
		struct output_journal_stats js;

		output_journal__stats(fo->journal, &js);
		stats->journal_sent = js.sent;
		stats->journal_lost = js.errors;
	}
}
