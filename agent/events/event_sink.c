// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The event sink: validation and dispatch of ring-buffer records. Each
 * concern it wires together is a module of its own:
 *   process_cache.c   process identity, kept current by exec/fork/exit records
 *   event_identity.c  an event's process, parent, cgroup and container, rendered
 *   event_policies.c  policy and rule names, decisions counted per policy
 *   event_throttle.c  rate limits per cgroup, folding of repeated decisions
 *   event_fanout.c    the formatted line to every output
 * Process starts are told to whoever the options name (the daemon: the kernel
 * side's SELinux labels, task_labels.c); the pipeline itself writes no map.
 * What stays here: the order of those steps per record, the clock that turns
 * the kernel's boot times into wall-clock times, and loss reports.
 */
#include "event_sink.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event_fanout.h"
#include "event_identity.h"
#include "event_policies.h"
#include "event_throttle.h"
#include "macro.h"
#include "process_cache.h"

/* The sink's own losses are reported at most this often. */
#define LOST_REPORT_INTERVAL_NS (1000ull * 1000 * 1000)
#define LOST_MAX_CGROUPS 16
#define NS_PER_SEC 1000000000ull

struct event_sink {
	struct event_sink_options opts;
	struct process_cache *procs;
	struct event_identity *identity;
	struct event_policies policies;
	struct event_throttle *throttle;
	struct event_fanout *fanout;
	int64_t boot_to_realtime_ns; /* realtime = boottime + this */
	uint64_t offset_taken_at_ns;
	/* Losses not yet reported. */
	struct event_lost pending;
	uint64_t last_lost_report_ns, last_gc_ns;
	bool ready; /* fully made: pending folds and losses are written at free */
	struct event_sink_stats stats;
};

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Re-measured every few seconds so that wall-clock adjustments are followed. */
static void refresh_clock_offset(struct event_sink *sink, uint64_t boot_now)
{
	if (sink->offset_taken_at_ns && boot_now - sink->offset_taken_at_ns < 5 * NS_PER_SEC)
		return;
	sink->boot_to_realtime_ns = (int64_t)clock_ns(CLOCK_REALTIME) - (int64_t)clock_ns(CLOCK_BOOTTIME);
	sink->offset_taken_at_ns = boot_now;
}

static uint64_t to_realtime(const struct event_sink *sink, uint64_t boottime)
{
	return (uint64_t)((int64_t)boottime + sink->boot_to_realtime_ns);
}

int event_sink__new(struct event_sink **out, const struct event_sink_options *opts)
{
	struct process_cache_options popts = {
		.proc_root = opts->proc_root,
		.cgroup_root = opts->cgroup_fs ? cgroup_fs__mount_point(opts->cgroup_fs) : NULL,
		.task_execs_fd = opts->task_execs_fd,
		.max_entries = opts->process_cache_max,
		.grace_ns = (uint64_t)opts->exited_grace_ms * 1000000ull,
		.selinux_contexts = opts->selinux_contexts,
	};
	struct event_throttle_options topts = {
		.observe_rate = opts->observe_rate, .observe_burst = opts->observe_burst,
		.deny_rate = opts->deny_rate, .deny_burst = opts->deny_burst,
	};
	struct event_fanout_options fopts = {
		.format = opts->format,
		.out = opts->out,
		.file_path = opts->file_path,
		.file_max_bytes = opts->file_max_bytes,
		.file_keep = opts->file_keep,
		.journal = opts->journal,
		.audit = opts->audit,
	};
	struct event_sink *sink = calloc(1, sizeof(*sink));
	int r;

	if (!sink)
		return -ENOMEM;
	sink->opts = *opts;
	r = event_throttle__new(&sink->throttle, &topts);
	if (r < 0)
		goto fail;
	r = process_cache__new(&sink->procs, &popts);
	if (r < 0)
		goto fail;
	{
		struct event_identity_options iopts = {
			.node_name = opts->node_name,
			.host_pidns_ino = opts->host_pidns_ino,
			.cgroup_fs = opts->cgroup_fs,
			.procs = sink->procs,
			.cri_root = opts->cri_root,
		};

		r = event_identity__new(&sink->identity, &iopts);
		if (r < 0)
			goto fail;
	}
	r = event_fanout__new(&sink->fanout, &fopts);
	if (r < 0)
		goto fail;
	refresh_clock_offset(sink, clock_ns(CLOCK_BOOTTIME));
	if (!opts->no_proc_scan) {
		r = process_cache__scan_proc(sink->procs);
		if (r < 0)
			goto fail;
	}
	sink->last_lost_report_ns = sink->last_gc_ns = clock_ns(CLOCK_BOOTTIME);
	sink->ready = true;
	*out = sink;
	return 0;
fail:
	event_sink__free(sink); /* not ready: nothing pending to write */
	return r;
}

void event_sink__free(struct event_sink *sink)
{
	if (!sink)
		return;
	if (sink->ready)
		event_sink__drain(sink);
	event_fanout__free(sink->fanout);
	event_identity__free(sink->identity);
	process_cache__free(sink->procs);
	event_throttle__free(sink->throttle);
	event_policies_free(&sink->policies);
	free(sink);
}

void event_sink__set_policies(struct event_sink *sink, uint32_t generation,
			      const struct policy_set *set)
{
	event_policies_set(&sink->policies, generation, set);
}

size_t event_sink__policy_decisions(const struct event_sink *sink, size_t index, const char **name,
				    uint64_t counts[CG_VERDICT_COUNT])
{
	return event_policies_decisions(&sink->policies, index, name, counts);
}

static void count_policy_decision(struct event_sink *sink, const struct cg_decision_event *e)
{
	if (e->policy_id == CG_FAIL_CLOSED_POLICY) {
		sink->stats.fail_closed_decisions++;
		return;
	}
	event_policies_count(&sink->policies, e);
}

void event_sink__set_clients(struct event_sink *sink, const struct event_clients *clients)
{
	event_fanout__set_clients(sink->fanout, clients);
}

/* ---- events ---------------------------------------------------------------- */

/* The identity of an event whose process the cache knows; view->process NULL when it does not. */
static void identify(struct event_sink *sink, const struct cg_event_header *hdr, const struct process_info *info,
		     uint32_t uid, struct event_identity_view *view)
{
	memset(view, 0, sizeof(*view));
	/* The kernel's clock: no clock read per event. */
	if (info)
		event_identity__get(sink->identity, hdr, info, uid, hdr->time_ns, sink->boot_to_realtime_ns, view);
}

static void fill_meta(struct event_sink *sink, const struct cg_event_header *hdr, uint32_t policy_gen,
		      uint32_t policy_id, uint16_t rule_index, const struct event_identity_view *view,
		      struct event_meta *meta)
{
	memset(meta, 0, sizeof(*meta));
	meta->node_name = sink->opts.node_name;
	meta->time_realtime_ns = to_realtime(sink, hdr->time_ns);
	event_policies_names(&sink->policies, policy_gen, policy_id, rule_index, &meta->policy_name,
			     &meta->rule_text);
	meta->process = view->process;
	meta->parent = view->parent;
	meta->process_json = view->json;
	meta->process_json_len = view->json_len;
}

static void write_event(struct event_sink *sink, const struct event_fanout_event *ev, bool exec)
{
	if (event_fanout__write(sink->fanout, ev) == -EBADMSG)
		sink->stats.malformed++;
	else if (exec)
		sink->stats.exec_events++;
}

static void emit_decision(struct event_sink *sink, const struct cg_decision_event *e,
			  const struct event_repeat *repeat)
{
	const struct process_info *info = process_cache__get(sink->procs, &e->hdr);
	struct event_identity_view view;
	struct event_meta meta;

	identify(sink, &e->hdr, info, e->old_ids.uid, &view);
	fill_meta(sink, &e->hdr, e->policy_gen, e->policy_id, e->rule_index, &view, &meta);
	meta.repeat = repeat;
	write_event(sink,
		    &(struct event_fanout_event){
			    .data = e, .meta = &meta, .kind = EVENT_KIND_DECISION, .verdict = e->verdict,
		    },
		    false);
	event_fanout__avc(sink->fanout, e, &meta);
}

static void emit_syscall(struct event_sink *sink, const struct cg_syscall_event *e)
{
	const struct process_info *info = process_cache__get(sink->procs, &e->hdr);
	struct event_identity_view view;
	struct event_meta meta;

	identify(sink, &e->hdr, info, e->old_ids.uid, &view);
	if (info && e->ret == 0)
		process_cache__note_uid(sink->procs, info, e->new_ids.uid);
	fill_meta(sink, &e->hdr, e->policy_gen, e->policy_id, CG_NO_RULE, &view, &meta);
	write_event(sink,
		    &(struct event_fanout_event){
			    .data = e, .meta = &meta, .kind = EVENT_KIND_KPROBE,
			    .verdict = e->verdict,
		    },
		    false);
}

static void emit_exec(struct event_sink *sink, const struct cg_exec_event *e, const struct process_info *info)
{
	struct event_exec_properties props = { .ids = &e->ids, .binary_flags = e->binary_flags };
	struct event_identity_view view;
	struct event_process proc;
	struct event_meta meta;

	identify(sink, &e->hdr, info, e->ids.uid, &view);
	proc = *view.process;
	fill_meta(sink, &e->hdr, e->policy_gen, e->policy_id, CG_NO_RULE, &view, &meta);
	/* The exec's own block carries binary_properties: not the cached one. */
	proc.exec = &props;
	meta.process = &proc;
	meta.process_json = NULL;
	write_event(sink,
		    &(struct event_fanout_event){
			    .data = e, .meta = &meta, .kind = EVENT_KIND_EXEC,
		    },
		    true);
}

/* A folded decision whose window ended: one line with its count. */
static void emit_fold(void *ctx, const struct cg_decision_event *e, uint64_t count, uint64_t first_ns,
		      uint64_t last_ns)
{
	struct event_sink *sink = ctx;
	struct event_repeat repeat = {
		.count = count,
		.first_realtime_ns = to_realtime(sink, first_ns),
		.last_realtime_ns = to_realtime(sink, last_ns),
	};

	emit_decision(sink, e, &repeat);
	sink->stats.repeat_lines++;
}

static void handle_record(struct event_sink *sink, void *data, size_t size)
{
	const struct cg_event_header *hdr = data;
	const struct event_process_starts *starts = &sink->opts.starts;

	if (event_validate(data, size) < 0) {
		sink->stats.malformed++;
		return;
	}
	switch (hdr->type) {
	case CG_EVENT_FORK:
		process_cache__fork(sink->procs, data);
		if (starts->forked && starts->fork_wanted && starts->fork_wanted(starts->ctx, hdr->time_ns)) {
			/* process_cache__fork() gave the child its parent's strings, the context among them. */
			const struct process_info *child = process_cache__get(sink->procs, hdr);

			starts->forked(starts->ctx, hdr->pid, hdr->time_ns, child ? child->selinux_context : NULL,
				       hdr->exec_boottime);
		}
		return;
	case CG_EVENT_EXIT:
		process_cache__exit(sink->procs, data);
		return;
	case CG_EVENT_CONTAINER:
		if (sink->opts.containers.created)
			sink->opts.containers.created(sink->opts.containers.ctx, hdr->cgroup_id, hdr->time_ns);
		return;
	case CG_EVENT_EXEC: {
		const struct cg_exec_event *e = data;
		const struct process_info *info = process_cache__exec(sink->procs, e);

		/* The context just read is the one the exec gave: the kernel side labels by it. */
		if (starts->executed)
			starts->executed(starts->ctx, hdr->pid, info ? info->selinux_context : NULL,
					 hdr->exec_boottime);
		if (e->observe && info && event_throttle__observe(sink->throttle, hdr->cgroup_id, hdr->time_ns)) {
			refresh_clock_offset(sink, hdr->time_ns);
			emit_exec(sink, e, info);
		}
		return;
	}
	case CG_EVENT_SYSCALL:
		if (!event_throttle__observe(sink->throttle, hdr->cgroup_id, hdr->time_ns))
			return;
		refresh_clock_offset(sink, hdr->time_ns);
		emit_syscall(sink, data);
		return;
	default: {
		const struct cg_decision_event *e = data;

		count_policy_decision(sink, e);
		refresh_clock_offset(sink, hdr->time_ns);
		if (e->verdict == CG_VERDICT_ALLOWED || e->verdict == CG_VERDICT_NONE) {
			if (event_throttle__observe(sink->throttle, hdr->cgroup_id, hdr->time_ns))
				emit_decision(sink, e, NULL);
			return;
		}
		/* Never dropped: over budget, folded with its identical siblings. */
		if (!event_throttle__deny(sink->throttle, hdr->cgroup_id, hdr->time_ns) &&
		    event_verdict_name(e->verdict) && event_throttle__fold(sink->throttle, e))
			return;
		emit_decision(sink, e, NULL);
		return;
	}
	}
}

int event_sink__handle(void *ctx, void *data, size_t size)
{
	handle_record(ctx, data, size);
	return 0;
}

/* ---- losses ---------------------------------------------------------------- */

static bool lost_pending(const struct event_lost *l)
{
	return l->ringbuf_full || l->inflight_full || l->process_records || l->rate_limited ||
	       l->output_failed || l->file_failed || l->journal_failed || l->client_missed || l->audit_failed;
}

/* Gather the sink's own losses since the last report into sink->pending. */
static void collect_own_losses(struct event_sink *sink, struct event_lost_cgroup *cgroups)
{
	struct event_throttle_drop drops[LOST_MAX_CGROUPS];
	struct event_lost *l = &sink->pending;
	size_t ndrops;
	uint64_t others;

	l->rate_limited += event_throttle__take_dropped(sink->throttle, drops, ELEMENTSOF(drops), &ndrops, &others);
	l->other_cgroups_rate_limited += others;
	l->cgroups = cgroups;
	l->ncgroups = 0;
	for (size_t i = 0; i < ndrops; i++)
		cgroups[l->ncgroups++] = (struct event_lost_cgroup){
			.id = drops[i].cgroup_id,
			.path = event_identity__cgroup_path(sink->identity, drops[i].cgroup_id),
			.rate_limited = drops[i].dropped,
		};
	event_fanout__take_losses(sink->fanout, l);
}

/* One credgate_lost line with everything pending, when anything is. */
static void report_pending(struct event_sink *sink)
{
	struct event_lost_cgroup cgroups[LOST_MAX_CGROUPS];
	uint64_t now = clock_ns(CLOCK_BOOTTIME);
	struct event_meta meta = {};

	collect_own_losses(sink, cgroups);
	sink->last_lost_report_ns = now;
	if (!lost_pending(&sink->pending))
		return;
	refresh_clock_offset(sink, now);
	meta.node_name = sink->opts.node_name;
	meta.time_realtime_ns = to_realtime(sink, now);
	event_fanout__write(sink->fanout,
			    &(struct event_fanout_event){
				    .lost = &sink->pending, .meta = &meta, .kind = EVENT_KIND_LOST,
			    });
	sink->stats.lost_reports++;
	memset(&sink->pending, 0, sizeof(sink->pending));
}

void event_sink__report_kernel_lost(struct event_sink *sink, const struct event_sink_kernel_lost *lost)
{
	sink->pending.ringbuf_full += lost->ringbuf_full;
	sink->pending.inflight_full += lost->inflight_full;
	sink->pending.process_records += lost->process_records;
	report_pending(sink);
}

void event_sink__report_lost(struct event_sink *sink, uint64_t ringbuf_full, uint64_t inflight_full)
{
	const struct event_sink_kernel_lost lost = { .ringbuf_full = ringbuf_full, .inflight_full = inflight_full };

	event_sink__report_kernel_lost(sink, &lost);
}

int event_sink__flush(struct event_sink *sink)
{
	uint64_t now = clock_ns(CLOCK_BOOTTIME);

	event_throttle__emit_due(sink->throttle, now, false, emit_fold, sink);
	if (now - sink->last_lost_report_ns >= LOST_REPORT_INTERVAL_NS)
		report_pending(sink);
	if (now - sink->last_gc_ns >= NS_PER_SEC) {
		process_cache__gc(sink->procs, now);
		sink->last_gc_ns = now;
	}
	event_fanout__flush_clients(sink->fanout);
	return event_fanout__flush(sink->fanout);
}

int event_sink__drain(struct event_sink *sink)
{
	event_throttle__emit_due(sink->throttle, clock_ns(CLOCK_BOOTTIME), true, emit_fold, sink);
	report_pending(sink);
	return event_fanout__flush(sink->fanout);
}

void event_sink__stats(const struct event_sink *sink, struct event_sink_stats *stats)
{
	struct process_cache_stats ps;
	struct event_throttle_stats ts;
	struct event_fanout_stats fs;

	*stats = sink->stats;
	process_cache__stats(sink->procs, &ps);
	stats->processes = ps.entries;
	stats->process_misses = ps.misses;
	stats->process_evicted = ps.evicted;
	event_throttle__stats(sink->throttle, &ts);
	stats->rate_limited = ts.rate_limited;
	stats->folded = ts.folded;
	event_fanout__stats(sink->fanout, &fs);
	stats->written = fs.written;
	stats->write_errors = fs.write_errors;
	stats->avc_records = fs.avc_records;
	stats->avc_unformatted = fs.avc_unformatted;
	stats->file_lines = fs.file_lines;
	stats->file_lost = fs.file_lost;
	stats->file_rotations = fs.file_rotations;
	stats->journal_sent = fs.journal_sent;
	stats->journal_lost = fs.journal_lost;
}
