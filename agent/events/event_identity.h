/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Who an event is about: its process and parent (exec id, binary,
 * arguments, flags, namespaces), cgroup path, container and pod, taken
 * from the process cache and rendered once as the event's "process" and
 * "parent" members. Consecutive events of one thread reuse the rendering
 * (a small cache keyed by everything the rendering depends on, refreshed
 * each second since runtime metadata may appear). Cgroup paths and the
 * container identities read from them are cached by cgroup id.
 */
#ifndef CREDGATE_EVENT_IDENTITY_H
#define CREDGATE_EVENT_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "cgroup.h"
#include "credgate.h"
#include "event_format.h"
#include "process_cache.h"

struct event_identity;

struct event_identity_options {
	const char *node_name;		     /* in exec ids */
	uint64_t host_pidns_ino;	     /* tells host processes apart */
	const struct cgroup_fs *cgroup_fs;   /* NULL: no cgroup paths */
	struct process_cache *procs;	     /* borrowed */
	const char *cri_root;		     /* prefix of the runtimes' state paths (tests); NULL: the real paths */
};

int event_identity__new(struct event_identity **out, const struct event_identity_options *opts);
void event_identity__free(struct event_identity *id);

/* An event's process, parent (NULL: not known) and their rendered members (NULL: none). */
struct event_identity_view {
	const struct event_process *process, *parent;
	const char *json;
	size_t json_len;
};

/*
 * The identity of the event in @hdr, whose process the cache knows as
 * @info, with @uid as its uid. @now: the event's time (CLOCK_BOOTTIME);
 * @boot_to_realtime_ns turns boot times into wall-clock times. The view
 * stays valid until the next call.
 */
void event_identity__get(struct event_identity *id, const struct cg_event_header *hdr,
			 const struct process_info *info, uint32_t uid, uint64_t now, int64_t boot_to_realtime_ns,
			 struct event_identity_view *view);

/* The path of cgroup @cgroup_id below the cgroup2 mount; NULL: not known. */
const char *event_identity__cgroup_path(struct event_identity *id, uint64_t cgroup_id);

#endif /* CREDGATE_EVENT_IDENTITY_H */
