// SPDX-License-Identifier: LGPL-2.1-or-later
#include "event_identity.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "container_id.h"
#include "cri_metadata.h"
#include "json_writer.h"

#define CGROUP_PATH_CACHE_SIZE 1024
#define RENDER_CACHE_SIZE 64
/* A rendered block is refreshed this often: runtime metadata may have appeared. */
#define RENDER_TTL_NS (1000ull * 1000 * 1000)
#define EXEC_ID_MAX 192

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

struct event_identity {
	struct event_identity_options opts;
	struct cri_store *cri;
	struct cgroup_path_entry *cgroup_paths; /* direct-mapped by id */
	struct render_slot *render;		/* direct-mapped by tid */
};

int event_identity__new(struct event_identity **out, const struct event_identity_options *opts)
{
	struct cri_store_options copts = { .root = opts->cri_root };
	struct event_identity *id = calloc(1, sizeof(*id));
	int r = -ENOMEM;

	if (!id)
		return -ENOMEM;
	id->opts = *opts;
	id->cgroup_paths = calloc(CGROUP_PATH_CACHE_SIZE, sizeof(*id->cgroup_paths));
	id->render = calloc(RENDER_CACHE_SIZE, sizeof(*id->render));
	if (!id->cgroup_paths || !id->render)
		goto fail;
	for (size_t i = 0; i < RENDER_CACHE_SIZE; i++)
		json_writer_init(&id->render[i].text);
	r = cri_store__new(&id->cri, &copts);
	if (r < 0)
		goto fail;
	*out = id;
	return 0;
fail:
	event_identity__free(id);
	return r;
}

void event_identity__free(struct event_identity *id)
{
	if (!id)
		return;
	for (size_t i = 0; id->render && i < RENDER_CACHE_SIZE; i++)
		json_writer_free(&id->render[i].text);
	cri_store__free(id->cri);
	free(id->cgroup_paths);
	free(id->render);
	free(id);
}

static const struct cgroup_path_entry *cgroup_entry(struct event_identity *id, uint64_t cgroup_id)
{
	struct cgroup_path_entry *e = &id->cgroup_paths[cgroup_id % CGROUP_PATH_CACHE_SIZE];

	if (!cgroup_id)
		return NULL;
	if (e->valid && e->id == cgroup_id)
		return e;
	if (!id->opts.cgroup_fs ||
	    cgroup_fs__path_of_id(id->opts.cgroup_fs, cgroup_id, e->path, sizeof(e->path)) < 0) {
		e->valid = false;
		return NULL;
	}
	e->id = cgroup_id;
	e->valid = true;
	/* ctr's containers (/NAMESPACE/ID) are known by their bundle, not by a name pattern. */
	if (!container_identity_from_cgroup(e->path, &e->ident)) {
		char cid[CONTAINER_ID_MAX + 1];

		if (cri_store__containerd_cgroup(id->cri, e->path, cid, sizeof(cid)))
			container_identity_set(&e->ident, CONTAINER_RUNTIME_CONTAINERD, cid);
	}
	return e;
}

const char *event_identity__cgroup_path(struct event_identity *id, uint64_t cgroup_id)
{
	const struct cgroup_path_entry *cg = cgroup_entry(id, cgroup_id);

	return cg ? cg->path : NULL;
}

/* The cgroup, container and runtime metadata of @p, looked up again (cheap, cached). */
static void attach_cgroup(struct event_identity *id, struct event_process *p, struct container_identity *ident,
			  uint64_t now)
{
	const struct cgroup_path_entry *cg = cgroup_entry(id, p->cgroup_id);

	p->cgroup_path = cg ? cg->path : NULL;
	p->container = NULL;
	p->cri = NULL;
	if (!cg || (!cg->ident.id[0] && !cg->ident.pod_uid[0]))
		return;
	*ident = cg->ident;
	p->container = ident;
	if (ident->id[0])
		p->cri = cri_store__get(id->cri, ident->id, ident->runtime, now);
}

static void describe_process(const struct event_identity *id, const struct process_info *info,
			     int64_t boot_to_realtime_ns, struct event_process *p, char *exec_id,
			     char *parent_exec_id, char *flags)
{
	memset(p, 0, sizeof(*p));
	if (process_exec_id(id->opts.node_name, info->exec_boottime, info->pid, exec_id, EXEC_ID_MAX) >= 0)
		p->exec_id = exec_id;
	if (info->parent_exec_boottime && info->ppid &&
	    process_exec_id(id->opts.node_name, info->parent_exec_boottime, info->ppid, parent_exec_id,
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
	p->host_pidns = info->pidns_ino && info->pidns_ino == id->opts.host_pidns_ino;
	p->nspid = info->nspid;
	p->cwd = info->cwd;
	p->binary = info->binary;
	p->arguments = info->arguments;
	p->start_time_realtime_ns = (uint64_t)((int64_t)info->exec_boottime + boot_to_realtime_ns);
	p->comm = info->comm;
	p->cgroup_id = info->cgroup_id;
	p->selinux_context = info->selinux_context;
}

/* Rendered once per burst: consecutive events of one thread reuse the slot. */
static struct render_slot *identify(struct event_identity *id, const struct cg_event_header *hdr,
				    const struct process_info *info, uint32_t uid, uint64_t now,
				    int64_t boot_to_realtime_ns)
{
	struct render_slot *slot = &id->render[hdr->tid % RENDER_CACHE_SIZE];
	const struct process_info *parent;
	struct render_key key;

	process_cache__note_cgroup(id->opts.procs, info, hdr->cgroup_id);
	parent = process_cache__parent(id->opts.procs, info);
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
		attach_cgroup(id, &slot->proc, &slot->proc_ident, now);
		return slot;
	}
	describe_process(id, info, boot_to_realtime_ns, &slot->proc, slot->exec_id, slot->parent_exec_id,
			 slot->flags);
	memcpy(slot->comm, hdr->comm, CG_COMM_LEN);
	slot->comm[CG_COMM_LEN] = '\0';
	slot->proc.comm = slot->comm;
	slot->proc.tid = hdr->tid;
	slot->proc.uid = uid;
	slot->proc.ppid = hdr->ppid;
	slot->proc.pidns_ino = hdr->pidns_ino;
	slot->proc.host_pidns = hdr->pidns_ino == id->opts.host_pidns_ino;
	slot->proc.cgroup_id = hdr->cgroup_id;
	attach_cgroup(id, &slot->proc, &slot->proc_ident, now);
	slot->has_parent = parent != NULL;
	if (parent) {
		describe_process(id, parent, boot_to_realtime_ns, &slot->parent, slot->pexec_id,
				 slot->pparent_exec_id, slot->pflags);
		attach_cgroup(id, &slot->parent, &slot->parent_ident, now);
	}
	json_writer_reset(&slot->text);
	event_format_process_members(&slot->text, &slot->proc, parent ? &slot->parent : NULL);
	slot->valid = json_writer_text(&slot->text) != NULL;
	slot->key = key;
	slot->rendered_at_ns = now;
	return slot;
}

void event_identity__get(struct event_identity *id, const struct cg_event_header *hdr,
			 const struct process_info *info, uint32_t uid, uint64_t now, int64_t boot_to_realtime_ns,
			 struct event_identity_view *view)
{
	const struct render_slot *slot = identify(id, hdr, info, uid, now, boot_to_realtime_ns);

	view->process = &slot->proc;
	view->parent = slot->has_parent ? &slot->parent : NULL;
	view->json = slot->valid ? slot->text.buf : NULL;
	view->json_len = slot->valid ? slot->text.len : 0;
}
