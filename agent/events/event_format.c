// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Over 600 lines on purpose: one pure job, a kernel record as a line in
 * the two output formats (JSON in Tetragon's shape, and compact text), for
 * four kinds of record. The kinds share private writers (credentials,
 * capabilities, the process block, untrusted text in compact lines); each
 * formatter reads best next to those writers, and test_event_format and
 * event_schemas test it as one module. A natural seam, if it grows: the
 * process block (event_format_process*) could become its own file with the
 * writers it uses in an internal header.
 */
#include "event_format.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "container_id.h"
#include "cri_metadata.h"
#include "cg_names.h"
#include "macro.h"
#include "policy.h"

const char *event_verdict_name(unsigned verdict)
{
	return cg_verdict_name(verdict);
}

const char *event_syscall_name(unsigned syscall)
{
	return cg_syscall_name(syscall);
}

int event_syscall_function(const struct cg_syscall_event *e, char *buf, size_t size)
{
	const char *name = event_syscall_name(e->syscall);

	if (!name)
		return -EBADMSG;
	switch (e->abi) {
	case CG_ABI_X64:
		snprintf(buf, size, "__x64_sys_%s", name);
		return 0;
	case CG_ABI_IA32:
		snprintf(buf, size, "__ia32_sys_%s", name);
		return 0;
	case CG_ABI_IA32_UID16:
		/* capset has no 16-bit form. */
		if (e->syscall == CG_SYS_CAPSET)
			return -EBADMSG;
		snprintf(buf, size, "__ia32_sys_%s16", name);
		return 0;
	}
	return -EBADMSG;
}

const char *event_setid_call_name(unsigned hook, unsigned setid_flags)
{
	bool uid = hook == CG_HOOK_SETUID;

	if (hook == CG_HOOK_SETGROUPS)
		return "setgroups";
	if (hook == CG_HOOK_CAPSET)
		return "capset";
	if (hook == CG_HOOK_EXEC)
		return "execve";
	if (hook == CG_HOOK_USERNS)
		return "userns_create";
	if (hook == CG_HOOK_CAPABLE)
		return "setns";
	if (hook == CG_HOOK_PRCTL)
		return "prctl";
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

/*
 * Both names end within their fields, the flags are ones this agent knows,
 * and a path the kernel could not resolve is left empty: anything else is
 * not what bpf/process.bpf.c writes.
 */
static int exec_validate(const struct cg_exec_event *x)
{
	size_t binary_len = strnlen(x->binary, sizeof(x->binary));

	if (strnlen(x->filename, sizeof(x->filename)) == sizeof(x->filename) || binary_len == sizeof(x->binary))
		return -EBADMSG;
	if (x->path_flags & ~CG_BINARY_KNOWN)
		return -EBADMSG;
	if ((x->path_flags & CG_BINARY_UNRESOLVED) ? binary_len != 0 : x->binary[0] != '/')
		return -EBADMSG;
	return 0;
}

int event_validate(const void *data, size_t size)
{
	const struct cg_event_header *hdr = data;

	if (size < sizeof(*hdr) || hdr->size > size)
		return -EBADMSG;
	switch (hdr->type) {
	case CG_EVENT_DECISION:
		return hdr->size == sizeof(struct cg_decision_event) ? 0 : -EBADMSG;
	case CG_EVENT_EXEC_DECISION:
		return hdr->size == sizeof(struct cg_exec_decision_event) ? 0 : -EBADMSG;
	case CG_EVENT_SYSCALL:
		return hdr->size == sizeof(struct cg_syscall_event) ? 0 : -EBADMSG;
	case CG_EVENT_EXEC:
		return hdr->size == sizeof(struct cg_exec_event) ? exec_validate(data) : -EBADMSG;
	case CG_EVENT_FORK:
		return hdr->size == sizeof(struct cg_fork_event) ? 0 : -EBADMSG;
	case CG_EVENT_EXIT:
		return hdr->size == sizeof(struct cg_exit_event) ? 0 : -EBADMSG;
	case CG_EVENT_CONTAINER:
		return hdr->size == sizeof(struct cg_container_event) && hdr->cgroup_id ? 0 : -EBADMSG;
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

/*
 * A member whose key is data (a pod label from the runtime): json_key()
 * takes only literals, so the key is written as an escaped string, its
 * closing quote turned into the key's.
 */
static void json_kv_dynamic(struct json_writer *w, const char *key, const char *value)
{
	json_string(w, key);
	if (!json_writer_text(w))
		return;
	w->len--; /* the closing quote, written again with the colon */
	json_raw(w, "\":", 2);
	w->after_key = true;
	json_string(w, value);
}

/* Labels from the runtime: their keys are data. */
static void write_labels(struct json_writer *w, const char *key, const struct cri_label *labels, size_t n)
{
	json_key(w, key);
	json_object_begin(w);
	for (size_t i = 0; i < n; i++)
		json_kv_dynamic(w, labels[i].key, labels[i].value);
	json_object_end(w);
}

/* The pod block: the reference tool's Pod, plus the pod's UID and QoS class. */
static void write_pod(struct json_writer *w, const struct event_process *p)
{
	const struct container_identity *c = p->container;
	const struct cri_metadata *m = p->cri;
	char id[CONTAINER_ID_MAX + 32];

	json_key(w, "pod");
	json_object_begin(w);
	if (m) {
		json_kv_string_opt(w, "namespace", m->pod_namespace);
		json_kv_string_opt(w, "name", m->pod_name);
	}
	if (c->id[0]) {
		json_key(w, "container");
		json_object_begin(w);
		snprintf(id, sizeof(id), "%s://%s",
			 container_runtime_name(m && m->runtime ? m->runtime : c->runtime), c->id);
		json_kv_string(w, "id", id);
		if (m) {
			json_kv_string_opt(w, "name", m->container_name);
			if (m->image_id || m->image_name) {
				json_key(w, "image");
				json_object_begin(w);
				json_kv_string_opt(w, "id", m->image_id);
				json_kv_string_opt(w, "name", m->image_name);
				json_object_end(w);
			}
			json_kv_string_opt(w, "start_time", m->start_time);
		}
		if (p->nspid)
			json_kv_uint(w, "pid", p->nspid);
		json_object_end(w);
	}
	if (m && m->npod_labels)
		write_labels(w, "pod_labels", m->pod_labels, m->npod_labels);
	json_kv_string(w, "uid", c->pod_uid);
	json_kv_string_opt(w, "qos_class", pod_qos_name(c->qos));
	json_object_end(w);
}

static void write_binary_properties(struct json_writer *w, const struct event_exec_properties *x)
{
	const char *names[3];
	size_t n;

	if (!(x->binary_flags & (CG_EXEC_SETUID | CG_EXEC_SETGID | CG_EXEC_FILE_CAPS)))
		return;
	json_key(w, "binary_properties");
	json_object_begin(w);
	if (x->binary_flags & CG_EXEC_SETUID)
		json_kv_uint(w, "setuid", x->ids->euid);
	if (x->binary_flags & CG_EXEC_SETGID)
		json_kv_uint(w, "setgid", x->ids->egid);
	n = event_exec_privileges(x->ids, x->binary_flags, names);
	if (n) {
		json_key(w, "privileges_changed");
		json_array_begin(w);
		for (size_t i = 0; i < n; i++)
			json_string(w, names[i]);
		json_array_end(w);
	}
	json_object_end(w);
}

static void write_credentials(struct json_writer *w, const char *key, const struct cg_ids *ids);

/*
 * The "process" block: the reference tool's field order (its refcnt is
 * left out), then credgate's own fields.
 */
void event_format_process(struct json_writer *w, const char *key, const struct event_process *p)
{
	const struct container_identity *c = p->container;

	json_key(w, key);
	json_object_begin(w);
	json_kv_string_opt(w, "exec_id", p->exec_id);
	json_kv_uint(w, "pid", p->pid);
	json_kv_uint(w, "uid", p->uid);
	json_kv_string_opt(w, "cwd", p->cwd);
	if (p->binary)
		json_kv_string(w, "binary", p->binary);
	else if (p->comm)
		json_kv_string(w, "binary", p->comm); /* gone before anything else was known */
	json_kv_string_opt(w, "arguments", p->arguments);
	json_kv_string_opt(w, "flags", p->flags);
	if (p->start_time_realtime_ns)
		json_kv_time(w, "start_time", p->start_time_realtime_ns);
	json_kv_uint(w, "auid", p->auid);
	if (c && c->pod_uid[0])
		write_pod(w, p);
	if (c && c->id[0])
		json_kv_string(w, "docker", c->short_id);
	json_kv_string_opt(w, "parent_exec_id", p->parent_exec_id);
	json_kv_uint(w, "tid", p->tid);
	if (p->exec) {
		write_credentials(w, "process_credentials", p->exec->ids);
		write_binary_properties(w, p->exec);
	}
	json_kv_string_opt(w, "comm", p->comm);
	json_kv_uint(w, "ppid", p->ppid);
	if (p->pidns_ino) {
		json_kv_uint(w, "pid_namespace", p->pidns_ino);
		json_kv_bool(w, "host_pid_namespace", p->host_pidns);
	}
	json_kv_string_opt(w, "selinux_context", p->selinux_context);
	if (p->cgroup_id) {
		json_key(w, "cgroup");
		json_object_begin(w);
		json_kv_uint(w, "id", p->cgroup_id);
		json_kv_string_opt(w, "path", p->cgroup_path);
		json_object_end(w);
	}
	if (c && c->id[0]) {
		json_key(w, "container");
		json_object_begin(w);
		json_kv_string(w, "runtime",
			       container_runtime_name(p->cri && p->cri->runtime ? p->cri->runtime : c->runtime));
		json_kv_string(w, "id", c->id);
		if (p->cri) {
			const struct cri_metadata *m = p->cri;

			json_kv_string_opt(w, "name", m->container_name);
			json_kv_string_opt(w, "image", m->image_name);
			json_kv_string_opt(w, "image_ref", m->image_ref);
			json_kv_string_opt(w, "image_id", m->image_id);
			json_kv_string_opt(w, "image_digest", m->image_digest);
			json_kv_string_opt(w, "containerd_namespace", m->containerd_namespace);
			if (m->nlabels)
				write_labels(w, "labels", m->labels, m->nlabels);
		}
		json_object_end(w);
	}
	json_object_end(w);
}

void event_format_process_members(struct json_writer *w, const struct event_process *p,
				  const struct event_process *parent)
{
	event_format_process(w, "process", p);
	if (parent)
		event_format_process(w, "parent", parent);
}

void event_format_location(const struct event_process *p, char *buf, size_t size)
{
	const struct container_identity *c = p ? p->container : NULL;
	const struct cri_metadata *m = p ? p->cri : NULL;

	if (m && m->pod_namespace && m->pod_name)
		snprintf(buf, size, "%s/%s", m->pod_namespace, m->pod_name);
	else if (c && c->pod_uid[0])
		snprintf(buf, size, "pod:%s", c->pod_uid);
	else if (c && c->id[0])
		snprintf(buf, size, "%s:%.12s", container_runtime_name(c->runtime), c->id);
	else
		snprintf(buf, size, "host");
}

size_t event_exec_privileges(const struct cg_ids *ids, __u32 binary_flags, const char *names[3])
{
	size_t n = 0;

	if (binary_flags & CG_EXEC_FILE_CAPS)
		names[n++] = "PRIVILEGES_RAISED_EXEC_FILE_CAP";
	if ((binary_flags & CG_EXEC_SETUID) && ids->euid == 0 && ids->uid != 0)
		names[n++] = "PRIVILEGES_RAISED_EXEC_FILE_SETUID";
	if ((binary_flags & CG_EXEC_SETGID) && ids->egid == 0 && ids->gid != 0)
		names[n++] = "PRIVILEGES_RAISED_EXEC_FILE_SETGID";
	return n;
}

/* Without a cached process: what the event's header says. */
static void process_from_header(const struct cg_event_header *hdr, __u32 uid, char *comm,
				struct event_process *p)
{
	memset(p, 0, sizeof(*p));
	memcpy(comm, hdr->comm, CG_COMM_LEN);
	comm[CG_COMM_LEN] = '\0';
	p->pid = hdr->pid;
	p->tid = hdr->tid;
	p->uid = uid;
	p->auid = 4294967295u;
	p->ppid = hdr->ppid;
	p->pidns_ino = hdr->pidns_ino;
	p->host_pidns = hdr->pidns_ino == CG_HOST_PIDNS_INO;
	p->comm = comm;
	p->cgroup_id = hdr->cgroup_id;
}

static void write_process(struct json_writer *w, const struct cg_event_header *hdr, __u32 uid,
			  const struct event_meta *meta)
{
	struct event_process p;
	char comm[CG_COMM_LEN + 1];

	if (meta->process_json) {
		json_raw_member(w, meta->process_json, meta->process_json_len);
		return;
	}
	if (meta->process) {
		event_format_process_members(w, meta->process, meta->parent);
		return;
	}
	process_from_header(hdr, uid, comm, &p);
	event_format_process_members(w, &p, meta->parent);
}

static char *put_u32(char *p, __u32 v)
{
	char tmp[10];
	int n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		*p++ = tmp[--n];
	return p;
}

static char *put_lit(char *p, const char *s, size_t len)
{
	memcpy(p, s, len);
	return p + len;
}

#define PUT_LIT(p, lit) put_lit(p, lit, sizeof(lit) - 1)

/*
 * Field names as the reference tool's process_credentials. Two of these
 * are in every event: written in one piece, not through sixteen keys.
 */
static void write_credentials(struct json_writer *w, const char *key, const struct cg_ids *ids)
{
	char buf[256], *p = buf;
	size_t klen = strlen(key);

	if (klen > 64)
		return;
	*p++ = '"';
	p = put_lit(p, key, klen);
	p = PUT_LIT(p, "\":{\"uid\":");
	p = put_u32(p, ids->uid);
	p = PUT_LIT(p, ",\"gid\":");
	p = put_u32(p, ids->gid);
	p = PUT_LIT(p, ",\"euid\":");
	p = put_u32(p, ids->euid);
	p = PUT_LIT(p, ",\"egid\":");
	p = put_u32(p, ids->egid);
	p = PUT_LIT(p, ",\"suid\":");
	p = put_u32(p, ids->suid);
	p = PUT_LIT(p, ",\"sgid\":");
	p = put_u32(p, ids->sgid);
	p = PUT_LIT(p, ",\"fsuid\":");
	p = put_u32(p, ids->fsuid);
	p = PUT_LIT(p, ",\"fsgid\":");
	p = put_u32(p, ids->fsgid);
	*p++ = '}';
	json_raw_member(w, buf, (size_t)(p - buf));
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
const char *event_enforcement_name(const struct cg_decision_event *e, char *buf, size_t size)
{
	const char *errname;

	switch (e->verdict) {
	case CG_VERDICT_DENIED:
		if (e->rule_flags & CG_RULE_KILL)
			return "sigkill";
		if (e->setid_flags == CG_SETID_FS)
			return "fsid-unchanged";
		errname = strerrorname_np(e->err ? e->err : EPERM);
		if (!errname)
			return "eperm";
		/* "EPERM" -> "eperm": the refusal as the caller saw it. */
		snprintf(buf, size, "%s", errname);
		for (char *p = buf; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		return buf;
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
	case CG_CAPSET_AMBIENT:
		return "ambient";
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
	/* A capability rule may decide a set*id call or an exec too. */
	if (e->rule_index != CG_NO_RULE && (e->rule_flags & CG_RULE_SUBJECT_CAP)) {
		const char *cap = policy_capability_name(e->subject_to);

		snprintf(buf, size, "%s +%s", cap_set_name(e->subject_from), cap ? cap : "?");
		return;
	}
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
	case CG_HOOK_CAPSET:
	case CG_HOOK_PRCTL: {
		const char *cap = policy_capability_name(e->subject_to);

		snprintf(buf, size, "%s +%s", cap_set_name(e->subject_from), cap ? cap : "?");
		break;
	}
	case CG_HOOK_EXEC:
		snprintf(buf, size, "euid %u→%u by exec", e->old_ids.euid, e->new_ids.euid);
		break;
	case CG_HOOK_USERNS:
		snprintf(buf, size, "new user namespace");
		break;
	case CG_HOOK_CAPABLE:
		snprintf(buf, size, "join a user namespace");
		break;
	}
}

/* Length of the valid UTF-8 sequence at @s (at most @len bytes) that is
 * neither a C1 control (U+0080-U+009F) nor a surrogate or overlong form;
 * 0 when there is none. */
static size_t utf8_printable_len(const unsigned char *s, size_t len)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2, lo = s[0] == 0xc2 ? 0xa0 : 0x80; /* C2 80..9F: C1 controls */
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3, lo = s[0] == 0xe0 ? 0xa0 : 0x80, hi = s[0] == 0xed ? 0x9f : 0xbf;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4, lo = s[0] == 0xf0 ? 0x90 : 0x80, hi = s[0] == 0xf4 ? 0x8f : 0xbf;
	else
		return 0;
	if (len < need || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < need; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return need;
}

/*
 * Text that the governed process chose (a file name, an argument, its comm)
 * on a compact line. Control characters, backslash, invalid UTF-8 and C1
 * controls are written as \n, \t, \r, \\ or \xNN, so that nothing a
 * process names can end the line, forge another one, or steer a terminal.
 */
static void compact_untrusted(struct json_writer *w, const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	char out[256];
	size_t n = 0;

	for (size_t i = 0; i < len;) {
		size_t seq = s[i] >= 0x80 ? utf8_printable_len(s + i, len - i) : 0;

		/* Room for the longest piece: "\xNN" or a 4-byte sequence. */
		if (n + 4 > sizeof(out)) {
			json_raw(w, out, n);
			n = 0;
		}
		if (seq > 0) {
			memcpy(out + n, s + i, seq);
			n += seq;
			i += seq;
			continue;
		}
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\') {
			out[n++] = (char)s[i];
		} else if (s[i] == '\\' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r') {
			out[n++] = '\\';
			out[n++] = s[i] == '\n' ? 'n' : s[i] == '\t' ? 't' : s[i] == '\r' ? 'r' : '\\';
		} else {
			n += (size_t)snprintf(out + n, sizeof(out) - n, "\\x%02x", s[i]);
		}
		i++;
	}
	json_raw(w, out, n);
}

static void write_compact_prefix(struct json_writer *w, const struct cg_event_header *hdr,
				 const struct event_meta *meta)
{
	const struct event_process *p = meta->process;
	char t[64], where[160], line[512];
	int n;

	if (event_format_time(meta->time_realtime_ns, t, sizeof(t)) < 0)
		snprintf(t, sizeof(t), "-");
	event_format_location(p, where, sizeof(where));
	n = snprintf(line, sizeof(line), "%s ", t);
	json_raw(w, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	compact_untrusted(w, where, strlen(where));
	json_raw(w, " ", 1);
	if (p && p->binary)
		compact_untrusted(w, p->binary, strlen(p->binary));
	else
		compact_untrusted(w, hdr->comm, strnlen(hdr->comm, CG_COMM_LEN));
	n = snprintf(line, sizeof(line), "[%u] ", hdr->pid);
	json_raw(w, line, (size_t)n);
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
	if (meta->repeat && meta->repeat->count > 1) {
		n = snprintf(line, sizeof(line), " ×%llu", (unsigned long long)meta->repeat->count);
		json_raw(w, line, (size_t)n);
	}
	return json_writer_text(w) ? 0 : -ENOMEM;
}

int event_format_decision(struct json_writer *w, enum output_format format,
			  const struct cg_decision_event *e, const struct event_meta *meta)
{
	const char *verdict = event_verdict_name(e->verdict);
	const char *hook = policy_hook_name(e->hook);
	const char *call = event_setid_call_name(e->hook, e->setid_flags);
	char enforcement[32];

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
	if (e->hook == CG_HOOK_CAPSET || e->hook == CG_HOOK_EXEC || (e->rule_flags & CG_RULE_SUBJECT_CAP)) {
		write_caps(w, "old_capabilities", &e->old_caps);
		write_caps(w, "new_capabilities", &e->new_caps);
	}
	if (e->hdr.type == CG_EVENT_EXEC_DECISION) {
		const struct cg_exec_decision_event *x = (const void *)e;

		json_key(w, "exec");
		json_object_begin(w);
		json_key(w, "filename");
		json_string_len(w, x->filename, strnlen(x->filename, sizeof(x->filename)));
		json_kv_bool(w, "setuid", x->exec_flags & CG_EXEC_SETUID);
		json_kv_bool(w, "setgid", x->exec_flags & CG_EXEC_SETGID);
		json_kv_bool(w, "file_capabilities", x->exec_flags & CG_EXEC_FILE_CAPS);
		json_object_end(w);
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
		if (e->hook == CG_HOOK_CAPSET || e->hook == CG_HOOK_PRCTL ||
		    (e->rule_flags & CG_RULE_SUBJECT_CAP)) {
			const char *cap = policy_capability_name(e->subject_to);

			json_kv_string(w, "set", cap_set_name(e->subject_from));
			json_kv_string(w, "capability", cap ? cap : "unknown");
		} else if (e->hook == CG_HOOK_SETGROUPS) {
			json_kv_uint(w, "gid", e->subject_to);
		} else if (e->hook == CG_HOOK_USERNS || e->hook == CG_HOOK_CAPABLE) {
			json_kv_string(w, "namespace", "user");
		} else {
			json_kv_uint(w, "from", e->subject_from);
			json_kv_uint(w, "to", e->subject_to);
		}
		json_object_end(w);
	}
	json_kv_string(w, "mode", policy_mode_name(e->mode));
	json_kv_string(w, "verdict", verdict);
	json_kv_string(w, "enforcement", event_enforcement_name(e, enforcement, sizeof(enforcement)));
	if (meta->repeat) {
		json_key(w, "repeated");
		json_object_begin(w);
		json_kv_uint(w, "count", meta->repeat->count);
		json_kv_time(w, "first_time", meta->repeat->first_realtime_ns);
		json_kv_time(w, "last_time", meta->repeat->last_realtime_ns);
		json_object_end(w);
	}
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
		for (unsigned i = 0; i < e->nargs && i < ELEMENTSOF(e->args); i++) {
			json_object_begin(w);
			json_kv_int(w, "int_arg", e->args[i]);
			json_object_end(w);
		}
	}
	json_array_end(w);
}

/* ": uid 1000→0, euid 1000→0": what a call changed, for people. */
static size_t describe_changes(const struct cg_ids *o, const struct cg_ids *n, char *buf, size_t size)
{
	static const char *const names[] = { "uid", "euid", "suid", "fsuid", "gid", "egid", "sgid", "fsgid" };
	const __u32 *a = &o->uid, *b = &n->uid;
	size_t off = 0;

	for (unsigned i = 0; i < ELEMENTSOF(names) && off < size; i++) {
		if (a[i] == b[i])
			continue;
		off += (size_t)snprintf(buf + off, size - off, "%s%s %u→%u", off ? ", " : ": ", names[i], a[i], b[i]);
	}
	return off < size ? off : size - 1;
}

static int format_syscall_compact(struct json_writer *w, const struct cg_syscall_event *e,
				  const struct event_meta *meta)
{
	char line[512];
	size_t off = 0;
	const char *name = event_syscall_name(e->syscall);

	write_compact_prefix(w, &e->hdr, meta);
	/* IA-32 calls as syscall_32.tbl names them: setuid32, and setuid for the 16-bit one. */
	off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%s%s(", e->abi == CG_ABI_X64 ? "" : "ia32 ", name,
				e->abi == CG_ABI_IA32 && e->syscall != CG_SYS_CAPSET ? "32" : "");
	for (unsigned i = 0; i < e->nargs && i < ELEMENTSOF(e->args) && off < sizeof(line); i++)
		off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%" PRId64, i ? ", " : "",
					(int64_t)e->args[i]);
	if (off < sizeof(line))
		off += (size_t)snprintf(line + off, sizeof(line) - off, ") = %" PRId64, (int64_t)e->ret);
	if (off < sizeof(line))
		off += describe_changes(&e->old_ids, &e->new_ids, line + off, sizeof(line) - off);
	if (off < sizeof(line) && e->verdict == CG_VERDICT_KILLED)
		off += (size_t)snprintf(line + off, sizeof(line) - off, " killed");
	json_raw(w, line, off < sizeof(line) ? off : sizeof(line) - 1);
	return json_writer_text(w) ? 0 : -ENOMEM;
}

int event_format_syscall(struct json_writer *w, enum output_format format,
			 const struct cg_syscall_event *e, const struct event_meta *meta)
{
	char function[64];

	if (event_syscall_function(e, function, sizeof(function)) < 0 || e->nargs > ELEMENTSOF(e->args))
		return -EBADMSG;
	if (format == OUTPUT_COMPACT)
		return format_syscall_compact(w, e, meta);

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

int event_format_exec(struct json_writer *w, enum output_format format, const struct cg_exec_event *e,
		      const struct event_meta *meta)
{
	if (format == OUTPUT_COMPACT) {
		const struct event_process *p = meta->process;
		const char *names[3];
		char line[256];
		size_t n;
		int len;

		write_compact_prefix(w, &e->hdr, meta);
		json_raw(w, "exec", 4);
		if (p && p->arguments && p->arguments[0]) {
			json_raw(w, " ", 1);
			compact_untrusted(w, p->arguments, strlen(p->arguments));
		}
		if (e->binary_flags & CG_EXEC_SETUID) {
			len = snprintf(line, sizeof(line), " (setuid %u)", e->ids.euid);
			json_raw(w, line, (size_t)len);
		}
		if (e->binary_flags & CG_EXEC_SETGID) {
			len = snprintf(line, sizeof(line), " (setgid %u)", e->ids.egid);
			json_raw(w, line, (size_t)len);
		}
		n = event_exec_privileges(&e->ids, e->binary_flags, names);
		for (size_t i = 0; i < n; i++) {
			json_raw(w, " ", 1);
			json_raw(w, names[i], strlen(names[i]));
		}
		return json_writer_text(w) ? 0 : -ENOMEM;
	}
	json_object_begin(w);
	json_key(w, "process_exec");
	json_object_begin(w);
	write_process(w, &e->hdr, e->ids.uid, meta);
	json_kv_string_opt(w, "policy_name", meta->policy_name);
	json_object_end(w);
	write_envelope_end(w, meta);
	return json_writer_text(w) ? 0 : -ENOMEM;
}

int event_format_lost(struct json_writer *w, enum output_format format, const struct event_lost *l,
		      const struct event_meta *meta)
{
	if (format == OUTPUT_COMPACT) {
		char t[64], line[512];
		int n;

		if (event_format_time(meta->time_realtime_ns, t, sizeof(t)) < 0)
			snprintf(t, sizeof(t), "-");
		n = snprintf(line, sizeof(line),
			     "%s lost events: %llu (kernel buffer full), %llu (in-flight table full), "
			     "%llu process records, %llu rate-limited, %llu output, %llu file, %llu journal, "
			     "%llu slow clients",
			     t, (unsigned long long)l->ringbuf_full, (unsigned long long)l->inflight_full,
			     (unsigned long long)l->process_records, (unsigned long long)l->rate_limited,
			     (unsigned long long)l->output_failed, (unsigned long long)l->file_failed,
			     (unsigned long long)l->journal_failed, (unsigned long long)l->client_missed);
		json_raw(w, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
		/* Only with auditRecords on: the line stays as it was for everyone else. */
		if (l->audit_failed) {
			n = snprintf(line, sizeof(line), ", %llu audit records", (unsigned long long)l->audit_failed);
			json_raw(w, line, (size_t)n);
		}
		return json_writer_text(w) ? 0 : -ENOMEM;
	}
	json_object_begin(w);
	json_key(w, "credgate_lost");
	json_object_begin(w);
	json_kv_uint(w, "ringbuf_full", l->ringbuf_full);
	json_kv_uint(w, "inflight_full", l->inflight_full);
	json_kv_uint(w, "process_records", l->process_records);
	json_kv_uint(w, "rate_limited", l->rate_limited);
	json_kv_uint(w, "output_failed", l->output_failed);
	json_kv_uint(w, "file_failed", l->file_failed);
	json_kv_uint(w, "journal_failed", l->journal_failed);
	json_kv_uint(w, "client_missed", l->client_missed);
	if (l->audit_failed)
		json_kv_uint(w, "audit_failed", l->audit_failed);
	if (l->ncgroups || l->other_cgroups_rate_limited) {
		json_key(w, "cgroups");
		json_array_begin(w);
		for (size_t i = 0; i < l->ncgroups; i++) {
			json_object_begin(w);
			json_kv_uint(w, "id", l->cgroups[i].id);
			json_kv_string_opt(w, "path", l->cgroups[i].path);
			json_kv_uint(w, "rate_limited", l->cgroups[i].rate_limited);
			json_object_end(w);
		}
		json_array_end(w);
		if (l->other_cgroups_rate_limited)
			json_kv_uint(w, "other_cgroups_rate_limited", l->other_cgroups_rate_limited);
	}
	json_object_end(w);
	write_envelope_end(w, meta);
	return json_writer_text(w) ? 0 : -ENOMEM;
}
