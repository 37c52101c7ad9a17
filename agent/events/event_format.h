/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Turning validated kernel events, plus what user space knows about the
 * process, cgroup and policy, into one output line: JSON (the reference
 * tool's event shape) or a compact line for people. Pure formatting: no
 * I/O, so every field can be unit-tested.
 */
#ifndef CREDGATE_EVENT_FORMAT_H
#define CREDGATE_EVENT_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "cg_names.h" /* enum output_format, and its words */
#include "credgate.h"
#include "json_writer.h"

struct container_identity;
struct cri_metadata;

/* Privilege an exec gave, for process_exec's binary_properties. */
struct event_exec_properties {
	const struct cg_ids *ids; /* after the exec: process_credentials */
	__u32 binary_flags;	  /* CG_EXEC_* */
};

/*
 * One process, as the "process" and "parent" blocks show it (the
 * reference tool's Process, plus credgate's comm, ppid, pid namespace,
 * cgroup and container). NULL strings and pointers are left out.
 */
struct event_process {
	const char *exec_id;
	__u32 pid, tid, uid, auid, ppid, pidns_ino;
	__u32 nspid; /* pid in its namespace, 0 when unknown (pod.container.pid) */
	const char *cwd;
	const char *binary; /* NULL: the command name stands in */
	const char *arguments;
	const char *flags;
	__u64 start_time_realtime_ns; /* 0: unknown */
	const char *parent_exec_id;
	const char *comm;
	bool host_pidns;
	__u64 cgroup_id; /* 0: unknown, and the cgroup is left out */
	const char *cgroup_path;
	const struct container_identity *container; /* NULL: not in a container or pod */
	const struct cri_metadata *cri;		    /* NULL: the runtime's state says nothing */
	const struct event_exec_properties *exec;   /* process_exec only */
	const char *selinux_context; /* NULL (left out, never empty) when SELinux is off or unknown */
};

/* Identical decisions folded into one line (see docs/events.md, rate limiting). */
struct event_repeat {
	__u64 count; /* decisions this line stands for, itself included */
	__u64 first_realtime_ns, last_realtime_ns;
};

/* What user space adds to a kernel event. NULL strings are left out. */
struct event_meta {
	const char *node_name;
	uint64_t time_realtime_ns; /* the event's time on the wall clock */
	const char *policy_name;
	const char *rule_text;
	const struct event_process *process; /* NULL: only what the header says */
	const struct event_process *parent;  /* NULL: unknown, left out */
	const struct event_repeat *repeat;   /* decisions standing for more than one */
	/*
	 * "process":{...},"parent":{...} already rendered by
	 * event_format_process_members() for these, or NULL: events come in
	 * bursts from one process, and these blocks are most of every line.
	 */
	const char *process_json;
	size_t process_json_len;
};

/* Counts of events lost since the previous report, by where. */
struct event_lost_cgroup {
	uint64_t id;
	const char *path; /* NULL when unknown */
	uint64_t rate_limited;
};

struct event_lost {
	uint64_t ringbuf_full;	   /* the kernel's buffer was full */
	uint64_t inflight_full;	   /* no room for an observation's in-flight record */
	uint64_t process_records;  /* exec/fork/exit records the kernel could not queue */
	uint64_t rate_limited;	   /* observations over their cgroup's budget */
	uint64_t output_failed;	   /* lines the primary output did not take */
	uint64_t file_failed;	   /* lines the rotated file did not take */
	uint64_t journal_failed;   /* events the journal did not take */
	uint64_t client_missed;	   /* events slow getevents clients missed */
	uint64_t audit_failed;	   /* USER_AVC records not written to the kernel's audit */
	const struct event_lost_cgroup *cgroups; /* the cgroups rate_limited came from */
	size_t ncgroups;
	uint64_t other_cgroups_rate_limited; /* from cgroups beyond the list */
};

/* Write the member "@key":{...} for @p. */
void event_format_process(struct json_writer *w, const char *key, const struct event_process *p);

/* "process":{...} and, when @parent is not NULL, "parent":{...}. */
void event_format_process_members(struct json_writer *w, const struct event_process *p,
				  const struct event_process *parent);

/* Where a process runs, for people: "NAMESPACE/POD", "pod:UID", "RUNTIME:ID12" or "host". */
void event_format_location(const struct event_process *p, char *buf, size_t size);

/* Validate a raw ring-buffer record: size and type. 0 or -EBADMSG. */
int event_validate(const void *data, size_t size);

int event_format_decision(struct json_writer *w, enum output_format format,
			  const struct cg_decision_event *e, const struct event_meta *meta);
int event_format_syscall(struct json_writer *w, enum output_format format,
			 const struct cg_syscall_event *e, const struct event_meta *meta);
/* process_exec: meta->process should carry .exec for binary_properties. */
int event_format_exec(struct json_writer *w, enum output_format format, const struct cg_exec_event *e,
		      const struct event_meta *meta);
/* credgate_lost: meta->node_name and time only. */
int event_format_lost(struct json_writer *w, enum output_format format, const struct event_lost *lost,
		      const struct event_meta *meta);

/* The exec's "privileges_changed" names (Tetragon's), in order; returns how many (at most 3). */
size_t event_exec_privileges(const struct cg_ids *ids, __u32 binary_flags, const char *names[3]);

/* How a decision's verdict took effect ("eperm", "sigkill", "none", ...), as events say it. */
const char *event_enforcement_name(const struct cg_decision_event *e, char *buf, size_t size);

/* Names used in events; NULL for an out-of-range value. */
const char *event_verdict_name(unsigned verdict);
const char *event_syscall_name(unsigned syscall); /* "setuid" */
/*
 * The kernel function an observed call ran, by its ABI: "__x64_sys_setuid",
 * "__ia32_sys_setuid" (IA-32 setuid32), "__ia32_sys_setuid16" (the legacy
 * IA-32 setuid). -EBADMSG for a syscall or ABI the kernel cannot send.
 */
int event_syscall_function(const struct cg_syscall_event *e, char *buf, size_t size);
const char *event_setid_call_name(unsigned hook, unsigned setid_flags); /* "setresuid" */

/* RFC 3339 UTC with nanoseconds: 2026-11-29T12:20:39.123456789Z */
int event_format_time(uint64_t realtime_ns, char *buf, size_t size);

#endif /* CREDGATE_EVENT_FORMAT_H */
