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

#include "credgate.h"
#include "json_writer.h"

enum output_format {
	OUTPUT_JSON = 0,
	OUTPUT_COMPACT = 1,
};

/* What user space adds to a kernel event. NULL strings are left out. */
struct event_meta {
	const char *node_name;
	uint64_t time_realtime_ns;	 /* the event's time on the wall clock */
	uint64_t start_time_realtime_ns; /* the process's start, 0 if unknown */
	const char *binary;		 /* /proc/PID/exe, or NULL */
	const char *arguments;		 /* argv[1..] joined by spaces, or NULL */
	const char *cwd;
	const char *cgroup_path; /* relative to the cgroup2 root, or NULL */
	const char *policy_name;
	const char *rule_text;
	bool host_pidns; /* the process is in the host's pid namespace */
	/*
	 * The "process" member already rendered by event_format_process() for
	 * this process, or NULL: events come in bursts from one process, and
	 * this block is half of every line.
	 */
	const char *process_json;
	size_t process_json_len;
};

/* Write the member "process":{...} for the task in @hdr, whose uid is @uid. */
void event_format_process(struct json_writer *w, const struct cg_event_header *hdr, __u32 uid,
			  const struct event_meta *meta);

/* Validate a raw ring-buffer record: size and type. 0 or -EBADMSG. */
int event_validate(const void *data, size_t size);

int event_format_decision(struct json_writer *w, enum output_format format,
			  const struct cg_decision_event *e, const struct event_meta *meta);
int event_format_syscall(struct json_writer *w, enum output_format format,
			 const struct cg_syscall_event *e, const struct event_meta *meta);

/* Names used in events; NULL for an out-of-range value. */
const char *event_verdict_name(unsigned verdict);
const char *event_syscall_name(unsigned syscall); /* "setuid" */
const char *event_setid_call_name(unsigned hook, unsigned setid_flags); /* "setresuid" */

/* RFC 3339 UTC with nanoseconds: 2026-11-29T12:20:39.123456789Z */
int event_format_time(uint64_t realtime_ns, char *buf, size_t size);

#endif /* CREDGATE_EVENT_FORMAT_H */
