// SPDX-License-Identifier: LGPL-2.1-or-later
#include "event_sink.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json_writer.h"
#include "macro.h"
#include "proc_info.h"

#define CGROUP_PATH_CACHE_SIZE 1024
#define PROC_CACHE_SIZE 256
#define PROCESS_JSON_CACHE_SIZE 64
/* As long as the /proc data it was rendered from (proc_info.c). */
#define PROCESS_JSON_TTL_NS (1000ull * 1000 * 1000)

struct cgroup_path_entry {
	uint64_t id;
	char path[PATH_MAX];
	bool valid;
};

/* Everything the rendered "process" member depends on. */
struct process_json_key {
	uint64_t start_boottime;
	uint64_t cgroup_id;
	uint32_t pid, tid, ppid, pidns_ino, uid;
	char comm[CG_COMM_LEN];
};

struct process_json_entry {
	struct process_json_key key;
	uint64_t rendered_at_ns;
	struct json_writer text;
	bool valid;
};

struct policy_generation {
	uint32_t generation;
	const struct policy_set *set;
};

struct event_sink {
	struct event_sink_options opts;
	struct json_writer writer;
	struct proc_cache *procs;
	struct cgroup_path_entry *cgroup_paths; /* direct-mapped by id */
	struct process_json_entry process_json[PROCESS_JSON_CACHE_SIZE]; /* by tid */
	struct policy_generation policies[2];	/* [0] newest */
	int64_t boot_to_realtime_ns;		/* realtime = boottime + this */
	uint64_t offset_taken_at_ns;
	struct event_sink_stats stats;
};

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Re-measured every few seconds so that wall-clock adjustments are followed. */
static void refresh_clock_offset(struct event_sink *sink, uint64_t boot_now)
{
	if (sink->offset_taken_at_ns && boot_now - sink->offset_taken_at_ns < 5000000000ull)
		return;
	sink->boot_to_realtime_ns = (int64_t)clock_ns(CLOCK_REALTIME) - (int64_t)clock_ns(CLOCK_BOOTTIME);
	sink->offset_taken_at_ns = boot_now;
}

int event_sink__new(struct event_sink **out, const struct event_sink_options *opts)
{
	_cleanup_free_ struct event_sink *sink = calloc(1, sizeof(*sink));
	int r;

	if (!sink)
		return -ENOMEM;
	sink->opts = *opts;
	json_writer_init(&sink->writer);
	for (size_t i = 0; i < ARRAY_SIZE(sink->process_json); i++)
		json_writer_init(&sink->process_json[i].text);
	sink->cgroup_paths = calloc(CGROUP_PATH_CACHE_SIZE, sizeof(*sink->cgroup_paths));
	if (!sink->cgroup_paths)
		return -ENOMEM;
	r = proc_cache__new(&sink->procs, "/proc", PROC_CACHE_SIZE);
	if (r < 0) {
		free(sink->cgroup_paths);
		return r;
	}
	refresh_clock_offset(sink, clock_ns(CLOCK_BOOTTIME));
	*out = TAKE_PTR(sink);
	return 0;
}

void event_sink__free(struct event_sink *sink)
{
	if (!sink)
		return;
	json_writer_free(&sink->writer);
	for (size_t i = 0; i < ARRAY_SIZE(sink->process_json); i++)
		json_writer_free(&sink->process_json[i].text);
	proc_cache__free(sink->procs);
	free(sink->cgroup_paths);
	free(sink);
}

void event_sink__set_policies(struct event_sink *sink, uint32_t generation,
			      const struct policy_set *set)
{
	sink->policies[1] = sink->policies[0];
	sink->policies[0] = (struct policy_generation){ .generation = generation, .set = set };
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

static const char *cgroup_path(struct event_sink *sink, uint64_t id)
{
	struct cgroup_path_entry *e = &sink->cgroup_paths[id % CGROUP_PATH_CACHE_SIZE];

	if (e->valid && e->id == id)
		return e->path;
	if (!sink->opts.cgroup_fs ||
	    cgroup_fs__path_of_id(sink->opts.cgroup_fs, id, e->path, sizeof(e->path)) < 0)
		return NULL;
	e->id = id;
	e->valid = true;
	return e->path;
}

/* The rendered "process" member for this event's task, from the cache or fresh. */
static void attach_process_json(struct event_sink *sink, const struct cg_event_header *hdr,
				uint32_t uid, uint64_t boot_now, struct event_meta *meta)
{
	struct process_json_entry *e = &sink->process_json[hdr->tid % PROCESS_JSON_CACHE_SIZE];
	struct process_json_key key;

	memset(&key, 0, sizeof(key));
	key.start_boottime = hdr->start_boottime;
	key.cgroup_id = hdr->cgroup_id;
	key.pid = hdr->pid;
	key.tid = hdr->tid;
	key.ppid = hdr->ppid;
	key.pidns_ino = hdr->pidns_ino;
	key.uid = uid;
	memcpy(key.comm, hdr->comm, sizeof(key.comm));
	if (!e->valid || memcmp(&e->key, &key, sizeof(key)) != 0 ||
	    boot_now - e->rendered_at_ns >= PROCESS_JSON_TTL_NS) {
		json_writer_reset(&e->text);
		event_format_process(&e->text, hdr, uid, meta);
		e->valid = json_writer_text(&e->text) != NULL;
		e->key = key;
		e->rendered_at_ns = boot_now;
	}
	if (e->valid) {
		meta->process_json = e->text.buf;
		meta->process_json_len = e->text.len;
	}
}

static void fill_meta(struct event_sink *sink, const struct cg_event_header *hdr,
		      uint32_t policy_gen, uint32_t policy_id, uint16_t rule_index, uint32_t uid,
		      struct event_meta *meta)
{
	uint64_t boot_now = clock_ns(CLOCK_BOOTTIME);
	const struct proc_info *proc;
	const struct policy *policy;

	refresh_clock_offset(sink, boot_now);
	memset(meta, 0, sizeof(*meta));
	meta->node_name = sink->opts.node_name;
	meta->time_realtime_ns = (uint64_t)((int64_t)hdr->time_ns + sink->boot_to_realtime_ns);
	meta->start_time_realtime_ns =
		(uint64_t)((int64_t)hdr->start_boottime + sink->boot_to_realtime_ns);
	meta->host_pidns = sink->opts.host_pidns_ino && hdr->pidns_ino == sink->opts.host_pidns_ino;
	meta->cgroup_path = cgroup_path(sink, hdr->cgroup_id);
	proc = proc_cache__get(sink->procs, hdr->pid, hdr->start_boottime, boot_now);
	if (proc) {
		meta->binary = proc->has_binary ? proc->binary : NULL;
		meta->arguments = proc->has_arguments ? proc->arguments : NULL;
		meta->cwd = proc->has_cwd ? proc->cwd : NULL;
	}
	policy = find_policy(sink, policy_gen, policy_id);
	if (policy) {
		meta->policy_name = policy->name;
		if (rule_index < policy->nrules)
			meta->rule_text = policy->rules[rule_index].text;
	}
	if (sink->opts.format == OUTPUT_JSON)
		attach_process_json(sink, hdr, uid, boot_now, meta);
}

static void write_line(struct event_sink *sink)
{
	const char *text = json_writer_text(&sink->writer);

	if (!text) {
		sink->stats.write_errors++;
		return;
	}
	if (fwrite(text, 1, sink->writer.len, sink->opts.out) != sink->writer.len ||
	    fputc('\n', sink->opts.out) == EOF) {
		sink->stats.write_errors++;
		return;
	}
	sink->stats.written++;
}

int event_sink__handle(void *ctx, void *data, size_t size)
{
	struct event_sink *sink = ctx;
	const struct cg_event_header *hdr = data;
	struct event_meta meta;
	int r;

	if (event_validate(data, size) < 0) {
		sink->stats.malformed++;
		return 0;
	}
	json_writer_reset(&sink->writer);
	if (hdr->type == CG_EVENT_DECISION) {
		const struct cg_decision_event *e = data;

		fill_meta(sink, hdr, e->policy_gen, e->policy_id, e->rule_index, e->old_ids.uid, &meta);
		r = event_format_decision(&sink->writer, sink->opts.format, e, &meta);
	} else {
		const struct cg_syscall_event *e = data;

		fill_meta(sink, hdr, e->policy_gen, e->policy_id, CG_NO_RULE, e->old_ids.uid, &meta);
		r = event_format_syscall(&sink->writer, sink->opts.format, e, &meta);
	}
	if (r < 0) {
		sink->stats.malformed++;
		return 0;
	}
	write_line(sink);
	return 0;
}

void event_sink__report_lost(struct event_sink *sink, uint64_t ringbuf_full, uint64_t inflight_full)
{
	uint64_t boot_now = clock_ns(CLOCK_BOOTTIME);
	char t[64];

	refresh_clock_offset(sink, boot_now);
	json_writer_reset(&sink->writer);
	if (sink->opts.format == OUTPUT_COMPACT) {
		char line[256];
		int n;

		event_format_time((uint64_t)((int64_t)boot_now + sink->boot_to_realtime_ns), t, sizeof(t));
		n = snprintf(line, sizeof(line),
			     "%s lost events: %llu (kernel buffer full), %llu (in-flight table full)", t,
			     (unsigned long long)ringbuf_full, (unsigned long long)inflight_full);
		json_raw(&sink->writer, line, (size_t)n);
	} else {
		struct json_writer *w = &sink->writer;

		json_object_begin(w);
		json_key(w, "credgate_lost");
		json_object_begin(w);
		json_kv_uint(w, "ringbuf_full", ringbuf_full);
		json_kv_uint(w, "inflight_full", inflight_full);
		json_object_end(w);
		json_kv_string(w, "node_name", sink->opts.node_name);
		if (event_format_time((uint64_t)((int64_t)boot_now + sink->boot_to_realtime_ns), t,
				      sizeof(t)) == 0)
			json_kv_string(w, "time", t);
		json_object_end(w);
	}
	write_line(sink);
}

int event_sink__flush(struct event_sink *sink)
{
	if (fflush(sink->opts.out) == EOF) {
		sink->stats.write_errors++;
		return negative_errno();
	}
	return 0;
}

void event_sink__stats(const struct event_sink *sink, struct event_sink_stats *stats)
{
	*stats = sink->stats;
}
