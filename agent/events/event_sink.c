// SPDX-License-Identifier: LGPL-2.1-or-later
#include "event_sink.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit_writer.h"
#include "avc.h"
#include "avc_event.h"
#include "container_id.h"
#include "control.h"
#include "cri_metadata.h"
#include "json_writer.h"
#include "macro.h"
#include "output_file.h"
#include "output_journal.h"
#include "policy_maps.h"
#include "process_cache.h"
#include "task_labels.h"

#define CGROUP_PATH_CACHE_SIZE 1024
#define RENDER_CACHE_SIZE 64
/* A rendered block is refreshed this often: runtime metadata may have appeared. */
#define RENDER_TTL_NS (1000ull * 1000 * 1000)
#define RATE_TABLE_SIZE 4096
#define FOLD_TABLE_SIZE 64
/* Folded decisions are written this long after the first of them. */
#define FOLD_WINDOW_NS (1000ull * 1000 * 1000)
/* The sink's own losses are reported at most this often. */
#define LOST_REPORT_INTERVAL_NS (1000ull * 1000 * 1000)
#define LOST_MAX_CGROUPS 16
#define EXEC_ID_MAX 192
#define NS_PER_SEC 1000000000ull

struct cgroup_path_entry {
	uint64_t id;
	bool valid;
	struct container_identity ident;
	char path[PATH_MAX];
};

/* Everything the rendered "process" and "parent" members depend on. */
struct render_key {
	uint32_t version, parent_version;
	uint32_t pid, tid, uid, pad;
	uint64_t cgroup_id;
	char comm[CG_COMM_LEN];
};

/* One process's rendered blocks, and what compact lines and the journal need of them. */
struct render_slot {
	struct render_key key;
	bool valid, has_parent;
	uint64_t rendered_at_ns;
	struct event_process proc, parent;
	struct container_identity proc_ident, parent_ident;
	char exec_id[EXEC_ID_MAX], parent_exec_id[EXEC_ID_MAX];
	char pexec_id[EXEC_ID_MAX], pparent_exec_id[EXEC_ID_MAX];
	char flags[PROCESS_FLAGS_MAX], pflags[PROCESS_FLAGS_MAX];
	char comm[CG_COMM_LEN + 1];
	struct json_writer text;
};

struct policy_generation {
	uint32_t generation;
	const struct policy_set *set;
	/* Decisions reported, [policy_id][verdict]; carried over by name on reload. */
	uint64_t (*decisions)[CG_VERDICT_COUNT];
};

/* Token buckets of one cgroup. */
struct rate_slot {
	uint64_t cgroup_id;
	bool used;
	double observe_tokens, deny_tokens;
	uint64_t observe_last_ns, deny_last_ns;
	uint64_t dropped; /* observations dropped, not yet reported */
};

/* Identical deny-class decisions over budget, waiting to be written as one line. */
struct fold_slot {
	bool used;
	uint64_t count, first_ns, last_ns; /* CLOCK_BOOTTIME */
	union {
		struct cg_decision_event d;
		struct cg_exec_decision_event x;
	} record;
};

/* The event being written, for formatting it again on demand. */
struct current_event {
	const void *data; /* a kernel record, or NULL for a loss report */
	const struct event_meta *meta;
	const struct event_lost *lost;
	const char *kind, *verdict;
	uint32_t uid;
};

struct event_sink {
	struct event_sink_options opts;
	struct json_writer writer; /* the event in opts.format */
	struct json_writer alt;	   /* in the other format, when a client or the journal asks */
	bool alt_valid;
	struct current_event current;
	struct control_server *control;
	struct process_cache *procs;
	struct cri_store *cri;
	struct output_file *file;
	struct output_journal *journal;
	struct cgroup_path_entry *cgroup_paths; /* direct-mapped by id */
	struct render_slot *render;		/* direct-mapped by tid */
	struct rate_slot *rates;		/* direct-mapped by cgroup id */
	struct fold_slot *folds;
	unsigned last_fold;
	double observe_rate, observe_burst, deny_rate, deny_burst; /* rate 0: unlimited */
	struct policy_generation policies[2]; /* [0] newest */
	int64_t boot_to_realtime_ns;	      /* realtime = boottime + this */
	uint64_t offset_taken_at_ns;
	/* Losses not yet reported. */
	struct event_lost pending;
	uint64_t evicted_rate_limited; /* from rate slots taken over by another cgroup */
	uint64_t reported_output_failed, reported_file_lost, reported_journal_lost, reported_client_missed;
	uint64_t reported_audit_lost;
	uint64_t last_lost_report_ns, last_gc_ns;
	struct event_sink_stats stats;
	char unknown_rule[96]; /* the rule text of the current event of an unknown policy */
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

/* Token bucket parameters; a rate of 0 means no limit. */
static void set_rate(uint32_t rate, uint32_t burst, double *r, double *b)
{
	if (rate == 0 || rate == EVENT_SINK_UNLIMITED) {
		*r = *b = 0;
		return;
	}
	*r = rate;
	*b = burst ? burst : 2.0 * rate;
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
	struct cri_store_options copts = { .root = opts->cri_root };
	struct event_sink *sink = calloc(1, sizeof(*sink));
	int r = -ENOMEM;

	if (!sink)
		return -ENOMEM;
	sink->opts = *opts;
	json_writer_init(&sink->writer);
	json_writer_init(&sink->alt);
	set_rate(opts->observe_rate, opts->observe_burst, &sink->observe_rate, &sink->observe_burst);
	set_rate(opts->deny_rate, opts->deny_burst, &sink->deny_rate, &sink->deny_burst);
	sink->cgroup_paths = calloc(CGROUP_PATH_CACHE_SIZE, sizeof(*sink->cgroup_paths));
	sink->render = calloc(RENDER_CACHE_SIZE, sizeof(*sink->render));
	sink->rates = calloc(RATE_TABLE_SIZE, sizeof(*sink->rates));
	sink->folds = calloc(FOLD_TABLE_SIZE, sizeof(*sink->folds));
	if (!sink->cgroup_paths || !sink->render || !sink->rates || !sink->folds)
		goto fail;
	for (size_t i = 0; i < RENDER_CACHE_SIZE; i++)
		json_writer_init(&sink->render[i].text);
	r = process_cache__new(&sink->procs, &popts);
	if (r < 0)
		goto fail;
	r = cri_store__new(&sink->cri, &copts);
	if (r < 0)
		goto fail;
	if (opts->file_path) {
		struct output_file_options fopts = {
			.path = opts->file_path,
			.max_bytes = opts->file_max_bytes ? opts->file_max_bytes : EVENT_SINK_DEFAULT_FILE_MAX_BYTES,
			.keep = opts->file_keep ? opts->file_keep : EVENT_SINK_DEFAULT_FILE_KEEP,
		};

		r = output_file__open(&sink->file, &fopts);
		if (r < 0)
			goto fail;
	}
	if (opts->journal) {
		r = output_journal__new(&sink->journal);
		if (r < 0)
			goto fail;
	}
	refresh_clock_offset(sink, clock_ns(CLOCK_BOOTTIME));
	if (!opts->no_proc_scan) {
		r = process_cache__scan_proc(sink->procs);
		if (r < 0)
			goto fail;
	}
	sink->last_lost_report_ns = sink->last_gc_ns = clock_ns(CLOCK_BOOTTIME);
	*out = sink;
	return 0;
fail:
	sink->folds = NULL; /* nothing pending to write */
	event_sink__free(sink);
	return r;
}

static void free_sink(struct event_sink *sink)
{
	json_writer_free(&sink->writer);
	json_writer_free(&sink->alt);
	for (size_t i = 0; sink->render && i < RENDER_CACHE_SIZE; i++)
		json_writer_free(&sink->render[i].text);
	process_cache__free(sink->procs);
	cri_store__free(sink->cri);
	output_file__free(sink->file);
	output_journal__free(sink->journal);
	free(sink->cgroup_paths);
	free(sink->render);
	free(sink->rates);
	free(sink->folds);
	for (size_t i = 0; i < ARRAY_SIZE(sink->policies); i++)
		free(sink->policies[i].decisions);
	free(sink);
}

void event_sink__free(struct event_sink *sink)
{
	if (!sink)
		return;
	if (sink->folds)
		event_sink__drain(sink);
	free_sink(sink);
}

void event_sink__set_policies(struct event_sink *sink, uint32_t generation,
			      const struct policy_set *set)
{
	const struct policy_generation *prev = &sink->policies[0];
	uint64_t(*decisions)[CG_VERDICT_COUNT] = NULL;

	/* Counts follow a policy's name across reloads (O(n*m), at reload only). */
	if (set && set->count) {
		decisions = calloc(set->count, sizeof(*decisions));
		for (size_t i = 0; decisions && prev->set && prev->decisions && i < set->count; i++)
			for (size_t j = 0; j < prev->set->count; j++)
				if (strcmp(set->policies[i].name, prev->set->policies[j].name) == 0) {
					memcpy(decisions[i], prev->decisions[j], sizeof(decisions[i]));
					break;
				}
	}
	/* Without memory the counts start again: only metrics lose. */
	free(sink->policies[1].decisions);
	sink->policies[1] = sink->policies[0];
	sink->policies[0] = (struct policy_generation){
		.generation = generation, .set = set, .decisions = decisions,
	};
}

size_t event_sink__policy_decisions(const struct event_sink *sink, size_t index, const char **name,
				    uint64_t counts[CG_VERDICT_COUNT])
{
	const struct policy_generation *g = &sink->policies[0];

	if (!g->set || !g->decisions || index >= g->set->count)
		return 0;
	*name = g->set->policies[index].name;
	memcpy(counts, g->decisions[index], sizeof(g->decisions[index]));
	return g->set->count;
}

static void count_policy_decision(struct event_sink *sink, const struct cg_decision_event *e)
{
	if (e->policy_id == CG_FAIL_CLOSED_POLICY) {
		sink->stats.fail_closed_decisions++;
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(sink->policies); i++) {
		struct policy_generation *g = &sink->policies[i];

		if (g->set && g->decisions && g->generation == e->policy_gen && e->policy_id < g->set->count &&
		    e->verdict < CG_VERDICT_COUNT) {
			g->decisions[e->policy_id][e->verdict]++;
			return;
		}
	}
}

void event_sink__set_control(struct event_sink *sink, struct control_server *control)
{
	sink->control = control;
}

static const struct policy *find_policy(const struct event_sink *sink, uint32_t generation,
					uint32_t policy_id)
{
	for (size_t i = 0; i < ARRAY_SIZE(sink->policies); i++) {
		const struct policy_generation *g = &sink->policies[i];

		if (g->set && g->generation == generation && policy_id < g->set->count)
			return &g->set->policies[policy_id];
	}
	return NULL;
}

static const struct cgroup_path_entry *cgroup_entry(struct event_sink *sink, uint64_t id)
{
	struct cgroup_path_entry *e = &sink->cgroup_paths[id % CGROUP_PATH_CACHE_SIZE];

	if (!id)
		return NULL;
	if (e->valid && e->id == id)
		return e;
	if (!sink->opts.cgroup_fs ||
	    cgroup_fs__path_of_id(sink->opts.cgroup_fs, id, e->path, sizeof(e->path)) < 0) {
		e->valid = false;
		return NULL;
	}
	e->id = id;
	e->valid = true;
	container_identity_from_cgroup(e->path, &e->ident);
	return e;
}

/* ---- process identity ------------------------------------------------------ */

/* The cgroup, container and runtime metadata of @p, looked up again (cheap, cached). */
static void attach_cgroup(struct event_sink *sink, struct event_process *p, struct container_identity *ident,
			  uint64_t now)
{
	const struct cgroup_path_entry *cg = cgroup_entry(sink, p->cgroup_id);

	p->cgroup_path = cg ? cg->path : NULL;
	p->container = NULL;
	p->cri = NULL;
	if (!cg || (!cg->ident.id[0] && !cg->ident.pod_uid[0]))
		return;
	*ident = cg->ident;
	p->container = ident;
	if (ident->id[0])
		p->cri = cri_store__get(sink->cri, ident->id, ident->runtime, now);
}

static void describe_process(struct event_sink *sink, const struct process_info *info, struct event_process *p,
			     char *exec_id, char *parent_exec_id, char *flags)
{
	memset(p, 0, sizeof(*p));
	if (process_exec_id(sink->opts.node_name, info->exec_boottime, info->pid, exec_id, EXEC_ID_MAX) >= 0)
		p->exec_id = exec_id;
	if (info->parent_exec_boottime && info->ppid &&
	    process_exec_id(sink->opts.node_name, info->parent_exec_boottime, info->ppid, parent_exec_id,
			    EXEC_ID_MAX) >= 0)
		p->parent_exec_id = parent_exec_id;
	process_flags_string(info->flags, flags, PROCESS_FLAGS_MAX);
	p->flags = flags[0] ? flags : NULL;
	p->pid = info->pid;
	p->tid = info->pid;
	p->uid = info->uid;
	p->auid = info->auid;
	p->ppid = info->ppid;
	p->pidns_ino = info->pidns_ino;
	p->host_pidns = info->pidns_ino && info->pidns_ino == sink->opts.host_pidns_ino;
	p->nspid = info->nspid;
	p->cwd = info->cwd;
	p->binary = info->binary;
	p->arguments = info->arguments;
	p->start_time_realtime_ns = to_realtime(sink, info->exec_boottime);
	p->comm = info->comm;
	p->cgroup_id = info->cgroup_id;
	p->selinux_context = info->selinux_context;
}

/*
 * The process and parent of the event in @hdr, rendered once per burst:
 * consecutive events of one thread reuse the slot.
 */
static struct render_slot *identify(struct event_sink *sink, const struct cg_event_header *hdr,
				    const struct process_info *info, uint32_t uid, uint64_t now)
{
	struct render_slot *slot = &sink->render[hdr->tid % RENDER_CACHE_SIZE];
	const struct process_info *parent;
	struct render_key key;

	process_cache__note_cgroup(sink->procs, info, hdr->cgroup_id);
	parent = process_cache__parent(sink->procs, info);
	memset(&key, 0, sizeof(key));
	key.version = info->version;
	key.parent_version = parent ? parent->version : 0;
	key.pid = hdr->pid;
	key.tid = hdr->tid;
	key.uid = uid;
	key.cgroup_id = hdr->cgroup_id;
	memcpy(key.comm, hdr->comm, CG_COMM_LEN);
	if (slot->valid && memcmp(&slot->key, &key, sizeof(key)) == 0 && now - slot->rendered_at_ns < RENDER_TTL_NS) {
		/* Pointers into caches that may have moved: looked up again. */
		slot->proc.binary = info->binary;
		slot->proc.arguments = info->arguments;
		slot->proc.cwd = info->cwd;
		slot->proc.selinux_context = info->selinux_context;
		attach_cgroup(sink, &slot->proc, &slot->proc_ident, now);
		return slot;
	}
	describe_process(sink, info, &slot->proc, slot->exec_id, slot->parent_exec_id, slot->flags);
	memcpy(slot->comm, hdr->comm, CG_COMM_LEN);
	slot->comm[CG_COMM_LEN] = '\0';
	slot->proc.comm = slot->comm;
	slot->proc.tid = hdr->tid;
	slot->proc.uid = uid;
	slot->proc.ppid = hdr->ppid;
	slot->proc.pidns_ino = hdr->pidns_ino;
	slot->proc.host_pidns = hdr->pidns_ino == sink->opts.host_pidns_ino;
	slot->proc.cgroup_id = hdr->cgroup_id;
	attach_cgroup(sink, &slot->proc, &slot->proc_ident, now);
	slot->has_parent = parent != NULL;
	if (parent) {
		describe_process(sink, parent, &slot->parent, slot->pexec_id, slot->pparent_exec_id, slot->pflags);
		attach_cgroup(sink, &slot->parent, &slot->parent_ident, now);
	}
	json_writer_reset(&slot->text);
	event_format_process_members(&slot->text, &slot->proc, parent ? &slot->parent : NULL);
	slot->valid = json_writer_text(&slot->text) != NULL;
	slot->key = key;
	slot->rendered_at_ns = now;
	return slot;
}

static void fill_meta(struct event_sink *sink, const struct cg_event_header *hdr, uint32_t policy_gen,
		      uint32_t policy_id, uint16_t rule_index, const struct render_slot *slot,
		      struct event_meta *meta)
{
	const struct policy *policy = find_policy(sink, policy_gen, policy_id);

	memset(meta, 0, sizeof(*meta));
	meta->node_name = sink->opts.node_name;
	meta->time_realtime_ns = to_realtime(sink, hdr->time_ns);
	if (policy) {
		meta->policy_name = policy->name;
		if (rule_index < policy->nrules)
			meta->rule_text = policy->rules[rule_index].text;
	} else if (policy_id == CG_FAIL_CLOSED_POLICY) {
		/* The kernel could not know the cgroup's policy: name what decided, and why. */
		meta->policy_name = POLICY_FAIL_CLOSED_NAME;
		meta->rule_text = POLICY_FAIL_CLOSED_RULE;
	} else if (policy_id != CG_NO_POLICY) {
		/*
		 * A generation this agent does not hold (older than the two it
		 * keeps, or an earlier agent's): never a blank name.
		 */
		meta->policy_name = POLICY_UNKNOWN_NAME;
		snprintf(sink->unknown_rule, sizeof(sink->unknown_rule),
			 "unknown: policy %u of generation %u, not known to this agent", policy_id, policy_gen);
		meta->rule_text = sink->unknown_rule;
	}
	if (slot) {
		meta->process = &slot->proc;
		meta->parent = slot->has_parent ? &slot->parent : NULL;
		if (slot->valid) {
			meta->process_json = slot->text.buf;
			meta->process_json_len = slot->text.len;
		}
	}
}

/* ---- output ---------------------------------------------------------------- */

/* Format the current event into @w; negative errno when it is malformed. */
static int format_current(struct event_sink *sink, struct json_writer *w, enum output_format format)
{
	const struct current_event *cur = &sink->current;
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
	struct event_sink *sink = ctx;
	struct json_writer *w = &sink->writer;

	if (format != sink->opts.format) {
		w = &sink->alt;
		if (!sink->alt_valid && format_current(sink, w, format) == 0)
			sink->alt_valid = true;
		if (!sink->alt_valid)
			return NULL;
	}
	*len = w->len;
	return json_writer_text(w);
}

static void publish_current(struct event_sink *sink)
{
	const struct current_event *cur = &sink->current;
	const struct event_process *p = cur->meta ? cur->meta->process : NULL;
	struct event_view view = {
		.kind = cur->kind,
		.verdict = cur->verdict,
		.text = current_text,
		.text_ctx = sink,
	};

	if (!control_server__streaming(sink->control))
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
	control_server__publish(sink->control, &view);
}

static void journal_current(struct event_sink *sink, const char *kind)
{
	const struct current_event *cur = &sink->current;
	const struct event_process *p = cur->meta ? cur->meta->process : NULL;
	const struct cg_event_header *hdr = cur->data;
	struct journal_event ev = { .kind = kind, .verdict = cur->verdict };
	size_t compact_len = 0, json_len = 0;

	ev.message = current_text(sink, OUTPUT_COMPACT, &compact_len);
	ev.json = current_text(sink, OUTPUT_JSON, &json_len);
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
		output_journal__send(sink->journal, &ev);
		return;
	}
	output_journal__send(sink->journal, &ev);
}

/* Format the current event and write it everywhere. */
static int write_current(struct event_sink *sink, const char *journal_kind)
{
	const char *text;
	size_t len;

	sink->alt_valid = false;
	if (format_current(sink, &sink->writer, sink->opts.format) < 0)
		return -EBADMSG;
	text = json_writer_text(&sink->writer);
	len = sink->writer.len;
	if (!text) {
		sink->stats.write_errors++;
		return -ENOMEM;
	}
	if (sink->opts.out) {
		if (fwrite(text, 1, len, sink->opts.out) != len || fputc('\n', sink->opts.out) == EOF)
			sink->stats.write_errors++;
		else
			sink->stats.written++;
	}
	if (sink->file) {
		size_t jlen = len;
		const char *json = sink->opts.format == OUTPUT_JSON ? text : current_text(sink, OUTPUT_JSON, &jlen);

		if (json)
			output_file__write(sink->file, json, jlen);
	}
	if (sink->journal)
		journal_current(sink, journal_kind);
	publish_current(sink);
	return 0;
}

/* ---- rate limiting --------------------------------------------------------- */

static struct rate_slot *rate_slot(struct event_sink *sink, uint64_t cgroup_id, uint64_t now)
{
	struct rate_slot *s = &sink->rates[(cgroup_id * 0x9E3779B97F4A7C15ull) >> 52 & (RATE_TABLE_SIZE - 1)];

	if (!s->used || s->cgroup_id != cgroup_id) {
		/* Another cgroup's slot: keep its unreported drops counted. */
		sink->evicted_rate_limited += s->used ? s->dropped : 0;
		s->used = true;
		s->cgroup_id = cgroup_id;
		s->observe_tokens = sink->observe_burst;
		s->deny_tokens = sink->deny_burst;
		s->observe_last_ns = s->deny_last_ns = now;
		s->dropped = 0;
	}
	return s;
}

static bool take_token(double rate, double burst, double *tokens, uint64_t *last, uint64_t now)
{
	if (rate <= 0)
		return true;
	if (now > *last) {
		*tokens += (double)(now - *last) * rate / (double)NS_PER_SEC;
		if (*tokens > burst)
			*tokens = burst;
		*last = now;
	}
	if (*tokens < 1)
		return false;
	*tokens -= 1;
	return true;
}

/* An observation of @cgroup_id at @now may be written; else it is counted. */
static bool observe_allowed(struct event_sink *sink, uint64_t cgroup_id, uint64_t now)
{
	struct rate_slot *s;

	if (sink->observe_rate <= 0)
		return true;
	s = rate_slot(sink, cgroup_id, now);
	if (take_token(sink->observe_rate, sink->observe_burst, &s->observe_tokens, &s->observe_last_ns, now))
		return true;
	s->dropped++;
	sink->stats.rate_limited++;
	return false;
}

static bool deny_allowed(struct event_sink *sink, uint64_t cgroup_id, uint64_t now)
{
	struct rate_slot *s;

	if (sink->deny_rate <= 0)
		return true;
	s = rate_slot(sink, cgroup_id, now);
	return take_token(sink->deny_rate, sink->deny_burst, &s->deny_tokens, &s->deny_last_ns, now);
}

/* ---- events ---------------------------------------------------------------- */

static size_t record_size(const struct cg_decision_event *e)
{
	return e->hdr.type == CG_EVENT_EXEC_DECISION ? sizeof(struct cg_exec_decision_event)
						      : sizeof(struct cg_decision_event);
}

/*
 * auditRecords: avc. One record per decision line: a folded line is one
 * record whose credgate_repeated says how many decisions it stands for.
 */
static void write_avc(struct event_sink *sink, const struct cg_decision_event *e, const struct event_meta *meta)
{
	char text[AVC_RECORD_MAX];
	int n;

	if (!sink->opts.audit || !avc_event_wanted(e))
		return;
	n = avc_event_format(e, meta, text, sizeof(text));
	if (n <= 0) {
		sink->stats.avc_unformatted++;
		return;
	}
	sink->stats.avc_records++;
	/* A full queue is counted by the writer, and reported with the other losses. */
	audit_writer__submit(sink->opts.audit, text, (size_t)n);
}

static void emit_decision(struct event_sink *sink, const struct cg_decision_event *e,
			  const struct event_repeat *repeat)
{
	uint64_t now = e->hdr.time_ns; /* the kernel's clock: no clock read per event */
	const struct process_info *info = process_cache__get(sink->procs, &e->hdr);
	struct render_slot *slot = info ? identify(sink, &e->hdr, info, e->old_ids.uid, now) : NULL;
	struct event_meta meta;

	fill_meta(sink, &e->hdr, e->policy_gen, e->policy_id, e->rule_index, slot, &meta);
	meta.repeat = repeat;
	sink->current = (struct current_event){
		.data = e, .meta = &meta, .kind = "decision", .verdict = event_verdict_name(e->verdict),
	};
	if (write_current(sink, "credgate_decision") == -EBADMSG)
		sink->stats.malformed++;
	write_avc(sink, e, &meta);
	sink->current = (struct current_event){};
}

static void emit_syscall(struct event_sink *sink, const struct cg_syscall_event *e)
{
	uint64_t now = e->hdr.time_ns;
	const struct process_info *info = process_cache__get(sink->procs, &e->hdr);
	struct render_slot *slot = NULL;
	struct event_meta meta;

	if (info) {
		slot = identify(sink, &e->hdr, info, e->old_ids.uid, now);
		if (e->ret == 0)
			process_cache__note_uid(sink->procs, info, e->new_ids.uid);
	}
	fill_meta(sink, &e->hdr, e->policy_gen, e->policy_id, CG_NO_RULE, slot, &meta);
	sink->current = (struct current_event){
		.data = e, .meta = &meta, .kind = "kprobe",
		.verdict = e->verdict ? event_verdict_name(e->verdict) : NULL,
	};
	if (write_current(sink, "process_kprobe") == -EBADMSG)
		sink->stats.malformed++;
	sink->current = (struct current_event){};
}

static void emit_exec(struct event_sink *sink, const struct cg_exec_event *e, const struct process_info *info)
{
	uint64_t now = e->hdr.time_ns;
	struct event_exec_properties props = { .ids = &e->ids, .binary_flags = e->binary_flags };
	struct render_slot *slot = identify(sink, &e->hdr, info, e->ids.uid, now);
	struct event_process proc = slot->proc;
	struct event_meta meta;

	fill_meta(sink, &e->hdr, e->policy_gen, e->policy_id, CG_NO_RULE, slot, &meta);
	/* The exec's own block carries binary_properties: not the cached one. */
	proc.exec = &props;
	meta.process = &proc;
	meta.process_json = NULL;
	sink->current = (struct current_event){ .data = e, .meta = &meta, .kind = "exec" };
	if (write_current(sink, "process_exec") == -EBADMSG)
		sink->stats.malformed++;
	else
		sink->stats.exec_events++;
	sink->current = (struct current_event){};
}

/* Deny-class decisions over budget: same process, rule, verdict and change, one line. */
static bool fold_same(const struct cg_decision_event *a, const struct cg_decision_event *b)
{
	return a->hdr.type == b->hdr.type && a->hdr.pid == b->hdr.pid && a->hdr.tid == b->hdr.tid &&
	       process_event_key(&a->hdr) == process_event_key(&b->hdr) && a->hook == b->hook &&
	       a->setid_flags == b->setid_flags && a->policy_id == b->policy_id &&
	       a->policy_gen == b->policy_gen && a->rule_index == b->rule_index && a->verdict == b->verdict &&
	       a->subject_from == b->subject_from && a->subject_to == b->subject_to &&
	       memcmp(&a->old_ids, &b->old_ids, sizeof(a->old_ids)) == 0 &&
	       memcmp(&a->new_ids, &b->new_ids, sizeof(a->new_ids)) == 0;
}

/* Fold @e; false when there is no room (then it is written on its own). */
static bool fold(struct event_sink *sink, const struct cg_decision_event *e)
{
	struct fold_slot *free_slot = NULL;

	for (unsigned n = 0; n < FOLD_TABLE_SIZE; n++) {
		unsigned i = (sink->last_fold + n) % FOLD_TABLE_SIZE;
		struct fold_slot *f = &sink->folds[i];

		if (!f->used) {
			if (!free_slot)
				free_slot = f;
			continue;
		}
		if (fold_same(&f->record.d, e)) {
			f->count++;
			f->last_ns = e->hdr.time_ns;
			sink->last_fold = i;
			sink->stats.folded++;
			return true;
		}
	}
	if (!free_slot)
		return false;
	memcpy(&free_slot->record, e, record_size(e));
	free_slot->used = true;
	free_slot->count = 1;
	free_slot->first_ns = free_slot->last_ns = e->hdr.time_ns;
	sink->last_fold = (unsigned)(free_slot - sink->folds);
	sink->stats.folded++;
	return true;
}

static void write_folds(struct event_sink *sink, uint64_t now, bool all)
{
	for (unsigned i = 0; i < FOLD_TABLE_SIZE; i++) {
		struct fold_slot *f = &sink->folds[i];
		struct event_repeat repeat;

		if (!f->used || (!all && now - f->first_ns < FOLD_WINDOW_NS))
			continue;
		repeat.count = f->count;
		repeat.first_realtime_ns = to_realtime(sink, f->first_ns);
		repeat.last_realtime_ns = to_realtime(sink, f->last_ns);
		f->used = false;
		emit_decision(sink, &f->record.d, &repeat);
		sink->stats.repeat_lines++;
	}
}

/*
 * A child forked before the last sweep ended may have copied its parent's
 * label of the previous generation: label it as its parent (a fork keeps
 * the context). Later forks got a current label from the kernel.
 */
static void label_fork(struct event_sink *sink, const struct cg_fork_event *f)
{
	const struct cg_event_header *hdr = &f->hdr;
	const struct process_info *child;

	if (!task_labels__active(sink->opts.labels) || hdr->time_ns > task_labels__swept_at(sink->opts.labels))
		return;
	/* process_cache__fork() gave the child its parent's strings, the context among them. */
	child = process_cache__get(sink->procs, hdr);
	task_labels__label(sink->opts.labels, hdr->pid, child ? child->selinux_context : NULL, hdr->exec_boottime);
}

static void handle_record(struct event_sink *sink, void *data, size_t size)
{
	const struct cg_event_header *hdr = data;

	if (event_validate(data, size) < 0) {
		sink->stats.malformed++;
		return;
	}
	switch (hdr->type) {
	case CG_EVENT_FORK:
		process_cache__fork(sink->procs, data);
		label_fork(sink, data);
		return;
	case CG_EVENT_EXIT:
		process_cache__exit(sink->procs, data);
		return;
	case CG_EVENT_EXEC: {
		const struct cg_exec_event *e = data;
		const struct process_info *info = process_cache__exec(sink->procs, e);

		/* The kernel cleared its label at the exec: the context just read says the new one. */
		if (task_labels__active(sink->opts.labels))
			task_labels__label(sink->opts.labels, hdr->pid, info ? info->selinux_context : NULL,
					   hdr->exec_boottime);

		if (e->observe && info && observe_allowed(sink, hdr->cgroup_id, hdr->time_ns)) {
			refresh_clock_offset(sink, hdr->time_ns);
			emit_exec(sink, e, info);
		}
		return;
	}
	case CG_EVENT_SYSCALL:
		if (!observe_allowed(sink, hdr->cgroup_id, hdr->time_ns))
			return;
		refresh_clock_offset(sink, hdr->time_ns);
		emit_syscall(sink, data);
		return;
	default: {
		const struct cg_decision_event *e = data;

		count_policy_decision(sink, e);
		refresh_clock_offset(sink, hdr->time_ns);
		if (e->verdict == CG_VERDICT_ALLOWED || e->verdict == CG_VERDICT_NONE) {
			if (observe_allowed(sink, hdr->cgroup_id, hdr->time_ns))
				emit_decision(sink, e, NULL);
			return;
		}
		/* Never dropped: over budget, folded with its identical siblings. */
		if (!deny_allowed(sink, hdr->cgroup_id, hdr->time_ns) && event_verdict_name(e->verdict) &&
		    fold(sink, e))
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
	struct event_lost *l = &sink->pending;

	l->ncgroups = 0;
	l->cgroups = cgroups;
	for (size_t i = 0; i < RATE_TABLE_SIZE; i++) {
		struct rate_slot *s = &sink->rates[i];
		const struct cgroup_path_entry *cg;

		if (!s->used || !s->dropped)
			continue;
		l->rate_limited += s->dropped;
		if (l->ncgroups < LOST_MAX_CGROUPS) {
			cg = cgroup_entry(sink, s->cgroup_id);
			cgroups[l->ncgroups++] = (struct event_lost_cgroup){
				.id = s->cgroup_id, .path = cg ? cg->path : NULL, .rate_limited = s->dropped,
			};
		} else {
			l->other_cgroups_rate_limited += s->dropped;
		}
		s->dropped = 0;
	}
	l->rate_limited += sink->evicted_rate_limited;
	l->other_cgroups_rate_limited += sink->evicted_rate_limited;
	sink->evicted_rate_limited = 0;

	l->output_failed += sink->stats.write_errors - sink->reported_output_failed;
	sink->reported_output_failed = sink->stats.write_errors;
	if (sink->file) {
		struct output_file_stats fs;

		output_file__stats(sink->file, &fs);
		l->file_failed += fs.lines_lost - sink->reported_file_lost;
		sink->reported_file_lost = fs.lines_lost;
	}
	if (sink->journal) {
		struct output_journal_stats js;

		output_journal__stats(sink->journal, &js);
		l->journal_failed += js.errors - sink->reported_journal_lost;
		sink->reported_journal_lost = js.errors;
	}
	if (sink->control) {
		struct control_stats cs;

		control_server__stats(sink->control, &cs);
		l->client_missed += cs.client_missed - sink->reported_client_missed;
		sink->reported_client_missed = cs.client_missed;
	}
	if (sink->opts.audit) {
		uint64_t audit_lost = audit_writer__lost(sink->opts.audit) + sink->stats.avc_unformatted;

		l->audit_failed += audit_lost - sink->reported_audit_lost;
		sink->reported_audit_lost = audit_lost;
	}
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
	sink->current = (struct current_event){ .lost = &sink->pending, .meta = &meta, .kind = "lost" };
	write_current(sink, "credgate_lost");
	sink->current = (struct current_event){};
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

static int flush_outputs(struct event_sink *sink)
{
	int r = 0;

	if (sink->file)
		output_file__flush(sink->file);
	if (sink->opts.out && fflush(sink->opts.out) == EOF) {
		sink->stats.write_errors++;
		r = negative_errno();
	}
	return r;
}

int event_sink__flush(struct event_sink *sink)
{
	uint64_t now = clock_ns(CLOCK_BOOTTIME);

	write_folds(sink, now, false);
	if (now - sink->last_lost_report_ns >= LOST_REPORT_INTERVAL_NS)
		report_pending(sink);
	if (now - sink->last_gc_ns >= NS_PER_SEC) {
		process_cache__gc(sink->procs, now);
		sink->last_gc_ns = now;
	}
	control_server__flush(sink->control);
	return flush_outputs(sink);
}

int event_sink__drain(struct event_sink *sink)
{
	write_folds(sink, clock_ns(CLOCK_BOOTTIME), true);
	report_pending(sink);
	return flush_outputs(sink);
}

void event_sink__stats(const struct event_sink *sink, struct event_sink_stats *stats)
{
	struct process_cache_stats ps;

	*stats = sink->stats;
	process_cache__stats(sink->procs, &ps);
	stats->processes = ps.entries;
	stats->process_misses = ps.misses;
	stats->process_evicted = ps.evicted;
	if (sink->file) {
		struct output_file_stats fs;

		output_file__stats(sink->file, &fs);
		stats->file_lines = fs.lines;
		stats->file_lost = fs.lines_lost;
		stats->file_rotations = fs.rotations;
	}
	if (sink->journal) {
		struct output_journal_stats js;

		output_journal__stats(sink->journal, &js);
		stats->journal_sent = js.sent;
		stats->journal_lost = js.errors;
	}
}
