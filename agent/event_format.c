// SPDX-License-Identifier: LGPL-2.1-or-later
#include "event_format.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "macro.h"
#include "policy.h"

static const char *const verdict_names[] = {
	[CG_VERDICT_NONE] = "none",
	[CG_VERDICT_ALLOWED] = "allowed",
	[CG_VERDICT_AUDITED] = "audited-would-deny",
	[CG_VERDICT_DENIED] = "denied",
	[CG_VERDICT_KILLED] = "killed",
};

static const char *const syscall_names[CG_SYS_MAX] = {
	[CG_SYS_SETUID] = "setuid",	  [CG_SYS_SETGID] = "setgid",
	[CG_SYS_SETREUID] = "setreuid",	  [CG_SYS_SETREGID] = "setregid",
	[CG_SYS_SETRESUID] = "setresuid", [CG_SYS_SETRESGID] = "setresgid",
	[CG_SYS_SETFSUID] = "setfsuid",	  [CG_SYS_SETFSGID] = "setfsgid",
	[CG_SYS_SETGROUPS] = "setgroups", [CG_SYS_CAPSET] = "capset",
};

const char *event_verdict_name(unsigned verdict)
{
	return verdict < ARRAY_SIZE(verdict_names) ? verdict_names[verdict] : NULL;
}

const char *event_syscall_name(unsigned syscall)
{
	return syscall < ARRAY_SIZE(syscall_names) ? syscall_names[syscall] : NULL;
}

const char *event_setid_call_name(unsigned hook, unsigned setid_flags)
{
	bool uid = hook == CG_HOOK_SETUID;

	if (hook == CG_HOOK_SETGROUPS)
		return "setgroups";
	if (hook == CG_HOOK_CAPSET)
		return "capset";
	if (hook != CG_HOOK_SETUID && hook != CG_HOOK_SETGID)
		return NULL;
	switch (setid_flags) {
	case CG_SETID_ID:
		return uid ? "setuid" : "setgid";
	case CG_SETID_RE:
		return uid ? "setreuid" : "setregid";
	case CG_SETID_RES:
		return uid ? "setresuid" : "setresgid";
	case CG_SETID_FS:
		return uid ? "setfsuid" : "setfsgid";
	}
	return NULL;
}

int event_validate(const void *data, size_t size)
{
	const struct cg_event_header *hdr = data;

	if (size < sizeof(*hdr) || hdr->size > size)
		return -EBADMSG;
	switch (hdr->type) {
	case CG_EVENT_DECISION:
		return hdr->size == sizeof(struct cg_decision_event) ? 0 : -EBADMSG;
	case CG_EVENT_SYSCALL:
		return hdr->size == sizeof(struct cg_syscall_event) ? 0 : -EBADMSG;
	}
	return -EBADMSG;
}

int event_format_time(uint64_t realtime_ns, char *buf, size_t size)
{
	/* Events come in bursts within one second: format its date once. */
	static __thread time_t cached_sec = -1;
	static __thread char cached_prefix[80];
	time_t sec = (time_t)(realtime_ns / 1000000000ull);
	uint32_t ns = (uint32_t)(realtime_ns % 1000000000ull);
	char frac[10];
	struct tm tm;

	if (size < 31)
		return -ENOBUFS;
	if (sec != cached_sec) {
		if (!gmtime_r(&sec, &tm))
			return -EINVAL;
		snprintf(cached_prefix, sizeof(cached_prefix), "%04d-%02d-%02dT%02d:%02d:%02d.",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
		if (strlen(cached_prefix) != 20)
			return -ERANGE; /* years past 9999 */
		cached_sec = sec;
	}
	for (int i = 8; i >= 0; i--, ns /= 10)
		frac[i] = (char)('0' + ns % 10);
	memcpy(buf, cached_prefix, 20);
	memcpy(buf + 20, frac, 9);
	buf[29] = 'Z';
	buf[30] = '\0';
	return 0;
}

static void json_kv_time(struct json_writer *w, const char *key, uint64_t realtime_ns)
{
	char t[64];

	if (event_format_time(realtime_ns, t, sizeof(t)) == 0)
		json_kv_string(w, key, t);
}

static void json_kv_string_opt(struct json_writer *w, const char *key, const char *value)
{
	if (value)
		json_kv_string(w, key, value);
}

/* comm is a fixed 16-byte field that may lack a NUL. */
static void json_kv_comm(struct json_writer *w, const char *key, const char comm[CG_COMM_LEN])
{
	json_key(w, key);
	json_string_len(w, comm, strnlen(comm, CG_COMM_LEN));
}

/*
 * The "process" block: as the reference tool's, with the fields credgate
 * can know without a process cache, plus the cgroup.
 */
void event_format_process(struct json_writer *w, const struct cg_event_header *hdr, __u32 uid,
			  const struct event_meta *meta)
{
	json_key(w, "process");
	json_object_begin(w);
	json_kv_uint(w, "pid", hdr->pid);
	json_kv_uint(w, "tid", hdr->tid);
	json_kv_uint(w, "uid", uid);
	json_kv_string_opt(w, "cwd", meta->cwd);
	if (meta->binary) {
		json_kv_string(w, "binary", meta->binary);
	} else {
		/* The process is gone: its command name is all that is left. */
		json_kv_comm(w, "binary", hdr->comm);
	}
	json_kv_string_opt(w, "arguments", meta->arguments);
	json_kv_comm(w, "comm", hdr->comm);
	if (meta->start_time_realtime_ns)
		json_kv_time(w, "start_time", meta->start_time_realtime_ns);
	json_kv_uint(w, "ppid", hdr->ppid);
	json_kv_uint(w, "pid_namespace", hdr->pidns_ino);
	json_kv_bool(w, "host_pid_namespace", meta->host_pidns);
	json_key(w, "cgroup");
	json_object_begin(w);
	json_kv_uint(w, "id", hdr->cgroup_id);
	json_kv_string_opt(w, "path", meta->cgroup_path);
	json_object_end(w);
	json_object_end(w);
}

static void write_process(struct json_writer *w, const struct cg_event_header *hdr, __u32 uid,
			  const struct event_meta *meta)
{
	if (meta->process_json)
		json_raw_member(w, meta->process_json, meta->process_json_len);
	else
		event_format_process(w, hdr, uid, meta);
}

/* Field names as the reference tool's process_credentials. */
static void write_credentials(struct json_writer *w, const char *key, const struct cg_ids *ids)
{
	json_key(w, key);
	json_object_begin(w);
	json_kv_uint(w, "uid", ids->uid);
	json_kv_uint(w, "gid", ids->gid);
	json_kv_uint(w, "euid", ids->euid);
	json_kv_uint(w, "egid", ids->egid);
	json_kv_uint(w, "suid", ids->suid);
	json_kv_uint(w, "sgid", ids->sgid);
	json_kv_uint(w, "fsuid", ids->fsuid);
	json_kv_uint(w, "fsgid", ids->fsgid);
	json_object_end(w);
}

static void write_cap_list(struct json_writer *w, const char *key, __u64 caps)
{
	char unknown[16];

	json_key(w, key);
	json_array_begin(w);
	for (unsigned cap = 0; cap <= CG_CAP_LAST; cap++) {
		const char *name;

		if (!(caps & (1ull << cap)))
			continue;
		name = policy_capability_name(cap);
		if (!name) {
			snprintf(unknown, sizeof(unknown), "CAP_%u", cap);
			name = unknown;
		}
		json_string(w, name);
	}
	json_array_end(w);
}

static void write_caps(struct json_writer *w, const char *key, const struct cg_caps *caps)
{
	json_key(w, key);
	json_object_begin(w);
	write_cap_list(w, "permitted", caps->permitted);
	write_cap_list(w, "effective", caps->effective);
	write_cap_list(w, "inheritable", caps->inheritable);
	json_object_end(w);
}

static void write_envelope_end(struct json_writer *w, const struct event_meta *meta)
{
	json_kv_string_opt(w, "node_name", meta->node_name);
	json_kv_time(w, "time", meta->time_realtime_ns);
	json_object_end(w);
}

/*
 * How the verdict took effect. A denied setfsuid/setfsgid does not fail:
 * the kernel keeps the old fs id and returns it, so "eperm" would lie.
 */
static const char *enforcement_name(const struct cg_decision_event *e)
{
	switch (e->verdict) {
	case CG_VERDICT_DENIED:
		return e->setid_flags == CG_SETID_FS ? "fsid-unchanged" : "eperm";
	case CG_VERDICT_KILLED:
		return "sigkill";
	case CG_VERDICT_AUDITED:
		/* An enforce rule that could not be enforced (no BPF LSM). */
		return e->mode == CG_MODE_ENFORCE ? "unavailable" : "none";
	}
	return "none";
}

static const char *cap_set_name(__u32 set_bit)
{
	switch (set_bit) {
	case CG_CAPSET_PERMITTED:
		return "permitted";
	case CG_CAPSET_EFFECTIVE:
		return "effective";
	case CG_CAPSET_INHERITABLE:
		return "inheritable";
	}
	return "unknown";
}

/* The one id slot (or gid, or capability) the rule was about, for people. */
static void describe_subject(const struct cg_decision_event *e, char *buf, size_t size)
{
	static const char *const uid_slots[] = { "uid", "euid", "suid", "fsuid" };
	static const char *const gid_slots[] = { "gid", "egid", "sgid", "fsgid" };
	const __u32 *old_ids, *new_ids;
	const char *const *slots;
	size_t off = 0;

	buf[0] = '\0';
	switch (e->hook) {
	case CG_HOOK_SETUID:
	case CG_HOOK_SETGID:
		slots = e->hook == CG_HOOK_SETUID ? uid_slots : gid_slots;
		old_ids = e->hook == CG_HOOK_SETUID ? &e->old_ids.uid : &e->old_ids.gid;
		new_ids = e->hook == CG_HOOK_SETUID ? &e->new_ids.uid : &e->new_ids.gid;
		for (int i = 0; i < 4 && off < size; i++) {
			if (old_ids[i] == new_ids[i])
				continue;
			off += (size_t)snprintf(buf + off, size - off, "%s%s %u→%u", off ? ", " : "",
						slots[i], old_ids[i], new_ids[i]);
		}
		break;
	case CG_HOOK_SETGROUPS:
		snprintf(buf, size, "groups %u→%u entries", e->ngroups_old, e->ngroups_new);
		break;
	case CG_HOOK_CAPSET: {
		const char *cap = policy_capability_name(e->subject_to);

		snprintf(buf, size, "%s +%s", cap_set_name(e->subject_from), cap ? cap : "?");
		break;
	}
	}
}

static void write_compact_prefix(struct json_writer *w, const struct cg_event_header *hdr,
				 const struct event_meta *meta)
{
	char t[64], line[512];
	int n;

	if (event_format_time(meta->time_realtime_ns, t, sizeof(t)) < 0)
		snprintf(t, sizeof(t), "-");
	n = snprintf(line, sizeof(line), "%s %s %.*s[%u] ", t,
		     meta->cgroup_path ? meta->cgroup_path : "-",
		     (int)strnlen(hdr->comm, CG_COMM_LEN), hdr->comm, hdr->pid);
	json_raw(w, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	if (meta->binary) {
		json_raw(w, meta->binary, strlen(meta->binary));
		json_raw(w, " ", 1);
	}
}

static int format_decision_compact(struct json_writer *w, const struct cg_decision_event *e,
				   const struct event_meta *meta)
{
	char subject[160], line[512];
	const char *call = event_setid_call_name(e->hook, e->setid_flags);
	int n;

	describe_subject(e, subject, sizeof(subject));
	write_compact_prefix(w, &e->hdr, meta);
	n = snprintf(line, sizeof(line), "%s: %s %s (policy %s, %s, %s)", call ? call : "?", subject,
		     event_verdict_name(e->verdict) ?: "?", meta->policy_name ? meta->policy_name : "?",
		     meta->rule_text ? meta->rule_text : "no rule", policy_mode_name(e->mode));
	json_raw(w, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	return json_writer_text(w) ? 0 : -ENOMEM;
}

int event_format_decision(struct json_writer *w, enum output_format format,
			  const struct cg_decision_event *e, const struct event_meta *meta)
{
	const char *verdict = event_verdict_name(e->verdict);
	const char *hook = policy_hook_name(e->hook);
	const char *call = event_setid_call_name(e->hook, e->setid_flags);

	if (!verdict || !hook)
		return -EBADMSG;
	if (format == OUTPUT_COMPACT)
		return format_decision_compact(w, e, meta);

	json_object_begin(w);
	json_key(w, "credgate_decision");
	json_object_begin(w);
	write_process(w, &e->hdr, e->old_ids.uid, meta);
	json_kv_string(w, "hook", hook);
	json_kv_string_opt(w, "call", call);
	write_credentials(w, "old_credentials", &e->old_ids);
	write_credentials(w, "new_credentials", &e->new_ids);
	if (e->hook == CG_HOOK_CAPSET) {
		write_caps(w, "old_capabilities", &e->old_caps);
		write_caps(w, "new_capabilities", &e->new_caps);
	}
	if (e->hook == CG_HOOK_SETGROUPS) {
		__u32 shown = e->ngroups_new < CG_EVENT_MAX_GROUPS ? e->ngroups_new : CG_EVENT_MAX_GROUPS;

		json_kv_uint(w, "old_groups_count", e->ngroups_old);
		json_kv_uint(w, "new_groups_count", e->ngroups_new);
		json_key(w, "new_groups");
		json_array_begin(w);
		for (__u32 i = 0; i < shown; i++)
			json_uint(w, e->groups_new[i]);
		json_array_end(w);
		json_kv_bool(w, "new_groups_truncated", e->ngroups_new > shown);
	}
	json_kv_string_opt(w, "policy_name", meta->policy_name);
	if (e->rule_index != CG_NO_RULE) {
		json_kv_uint(w, "rule_index", e->rule_index);
		json_kv_string_opt(w, "rule", meta->rule_text);
		json_key(w, "subject");
		json_object_begin(w);
		if (e->hook == CG_HOOK_CAPSET) {
			const char *cap = policy_capability_name(e->subject_to);

			json_kv_string(w, "set", cap_set_name(e->subject_from));
			json_kv_string(w, "capability", cap ? cap : "unknown");
		} else if (e->hook == CG_HOOK_SETGROUPS) {
			json_kv_uint(w, "gid", e->subject_to);
		} else {
			json_kv_uint(w, "from", e->subject_from);
			json_kv_uint(w, "to", e->subject_to);
		}
		json_object_end(w);
	}
	json_kv_string(w, "mode", policy_mode_name(e->mode));
	json_kv_string(w, "verdict", verdict);
	json_kv_string(w, "enforcement", enforcement_name(e));
	json_object_end(w);
	write_envelope_end(w, meta);
	return json_writer_text(w) ? 0 : -ENOMEM;
}

static const char *probe_name(unsigned probe)
{
	switch (probe) {
	case CG_PROBE_FENTRY:
		return "fentry";
	case CG_PROBE_KPROBE:
		return "kprobe";
	case CG_PROBE_TRACEPOINT:
		return "tracepoint";
	}
	return "unknown";
}

/* Arguments in the reference tool's shape: one object per argument. */
static void write_syscall_args(struct json_writer *w, const struct cg_syscall_event *e)
{
	json_key(w, "args");
	json_array_begin(w);
	switch (e->syscall) {
	case CG_SYS_SETGROUPS: {
		__u32 n = e->ngroups < CG_EVENT_MAX_GROUPS ? e->ngroups : CG_EVENT_MAX_GROUPS;

		json_object_begin(w);
		json_kv_int(w, "int_arg", (__s32)e->args[0]);
		json_object_end(w);
		json_object_begin(w);
		json_key(w, "gid_list_arg");
		json_array_begin(w);
		for (__u32 i = 0; i < n && (__s32)e->ngroups > 0; i++)
			json_uint(w, e->groups[i]);
		json_array_end(w);
		json_object_end(w);
		break;
	}
	case CG_SYS_CAPSET:
		json_object_begin(w);
		write_cap_list(w, "cap_effective_arg", e->new_caps.effective);
		json_object_end(w);
		json_object_begin(w);
		write_cap_list(w, "cap_permitted_arg", e->new_caps.permitted);
		json_object_end(w);
		json_object_begin(w);
		write_cap_list(w, "cap_inheritable_arg", e->new_caps.inheritable);
		json_object_end(w);
		break;
	default:
		for (unsigned i = 0; i < e->nargs && i < ARRAY_SIZE(e->args); i++) {
			json_object_begin(w);
			json_kv_int(w, "int_arg", e->args[i]);
			json_object_end(w);
		}
	}
	json_array_end(w);
}

static int format_syscall_compact(struct json_writer *w, const struct cg_syscall_event *e,
				  const struct event_meta *meta)
{
	char line[512];
	size_t off = 0;
	const char *name = event_syscall_name(e->syscall);

	write_compact_prefix(w, &e->hdr, meta);
	off += (size_t)snprintf(line + off, sizeof(line) - off, "%s(", name);
	for (unsigned i = 0; i < e->nargs && i < ARRAY_SIZE(e->args) && off < sizeof(line); i++)
		off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%" PRId64, i ? ", " : "",
					(int64_t)e->args[i]);
	if (off < sizeof(line))
		off += (size_t)snprintf(line + off, sizeof(line) - off, ") = %" PRId64, (int64_t)e->ret);
	if (off < sizeof(line) && e->verdict == CG_VERDICT_KILLED)
		off += (size_t)snprintf(line + off, sizeof(line) - off, " killed");
	json_raw(w, line, off < sizeof(line) ? off : sizeof(line) - 1);
	return json_writer_text(w) ? 0 : -ENOMEM;
}

int event_format_syscall(struct json_writer *w, enum output_format format,
			 const struct cg_syscall_event *e, const struct event_meta *meta)
{
	const char *name = event_syscall_name(e->syscall);
	char function[64];

	if (!name || e->nargs > ARRAY_SIZE(e->args))
		return -EBADMSG;
	if (format == OUTPUT_COMPACT)
		return format_syscall_compact(w, e, meta);

	snprintf(function, sizeof(function), "__x64_sys_%s", name);
	json_object_begin(w);
	json_key(w, "process_kprobe");
	json_object_begin(w);
	write_process(w, &e->hdr, e->old_ids.uid, meta);
	json_kv_string(w, "function_name", function);
	write_syscall_args(w, e);
	json_key(w, "return");
	json_object_begin(w);
	json_kv_int(w, "int_arg", e->ret);
	json_object_end(w);
	json_kv_string(w, "action",
		       e->verdict == CG_VERDICT_KILLED ? "KPROBE_ACTION_SIGKILL" : "KPROBE_ACTION_POST");
	json_kv_string_opt(w, "policy_name", meta->policy_name);
	json_kv_string(w, "attach", probe_name(e->probe));
	write_credentials(w, "old_credentials", &e->old_ids);
	write_credentials(w, "new_credentials", &e->new_ids);
	json_object_end(w);
	write_envelope_end(w, meta);
	return json_writer_text(w) ? 0 : -ENOMEM;
}
