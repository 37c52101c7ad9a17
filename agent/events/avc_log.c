// SPDX-License-Identifier: LGPL-2.1-or-later
#include "avc_log.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "avc.h"
#include "cg_names.h"
#include "macro.h"
#include "policy.h"

/* A string member, or NULL when absent or not a string. */
static const char *member_string(json_object *obj, const char *key)
{
	json_object *v;

	if (!obj || !json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* An integer member in [0, max]; false when absent or out of range. */
static bool member_uint(json_object *obj, const char *key, int64_t max, int64_t *out)
{
	json_object *v;
	int64_t n;

	if (!obj || !json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_int))
		return false;
	errno = 0;
	n = json_object_get_int64(v);
	if (errno || n < 0 || n > max)
		return false;
	*out = n;
	return true;
}

static json_object *member(json_object *obj, const char *key)
{
	json_object *v;

	return obj && json_object_object_get_ex(obj, key, &v) ? v : NULL;
}

static bool member_bool(json_object *obj, const char *key)
{
	json_object *v = member(obj, key);

	return v && json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

/* The id slot @name before and after, from old_credentials/new_credentials. */
static void add_id(struct avc_decision *d, json_object *decision, const char *name)
{
	int64_t old_value, new_value;

	if (d->nids < AVC_MAX_IDS && member_uint(member(decision, "old_credentials"), name, UINT32_MAX, &old_value) &&
	    member_uint(member(decision, "new_credentials"), name, UINT32_MAX, &new_value))
		d->ids[d->nids++] = (struct avc_id_change){ name, (uint32_t)old_value, (uint32_t)new_value };
}

static bool list_has(json_object *list, const char *name)
{
	size_t n = list && json_object_is_type(list, json_type_array) ? json_object_array_length(list) : 0;

	for (size_t i = 0; i < n; i++) {
		json_object *item = json_object_array_get_idx(list, i);

		if (json_object_is_type(item, json_type_string) && strcmp(json_object_get_string(item), name) == 0)
			return true;
	}
	return false;
}

/* An exec's file capabilities: the lowest capability in new permitted that old permitted lacked. */
static int exec_gained_capability(json_object *decision)
{
	json_object *old_caps = member(member(decision, "old_capabilities"), "permitted");
	json_object *new_caps = member(member(decision, "new_capabilities"), "permitted");
	size_t n = new_caps && json_object_is_type(new_caps, json_type_array) ? json_object_array_length(new_caps) : 0;
	int lowest = -1;

	for (size_t i = 0; i < n; i++) {
		json_object *item = json_object_array_get_idx(new_caps, i);
		int cap;

		if (!json_object_is_type(item, json_type_string) || list_has(old_caps, json_object_get_string(item)))
			continue;
		cap = policy_capability_parse(json_object_get_string(item));
		if (cap >= 0 && (lowest < 0 || cap < lowest))
			lowest = cap;
	}
	return lowest;
}

/* One credgate_decision object to a record; a reason in @why when it cannot be made. */
static int convert_decision(json_object *decision, char *buf, size_t size, const char **why)
{
	json_object *process = member(decision, "process"), *subject = member(decision, "subject");
	json_object *exec = member(decision, "exec");
	const char *hook = member_string(decision, "hook");
	const char *verdict = member_string(decision, "verdict");
	const char *capability;
	int64_t pid, gid, count;
	struct avc_decision d = { .capability = -1, .gid = -1 };
	int hook_value, verdict_value, n;

	if (!hook || !verdict) {
		*why = "a credgate_decision without hook or verdict";
		return -EINVAL;
	}
	/* The verdict's name read back once; an unknown one is still carried, encoded, in the record. */
	verdict_value = cg_verdict_from_name(verdict);
	if (verdict_value == CG_VERDICT_ALLOWED || verdict_value == CG_VERDICT_NONE)
		return 0;
	if (!member_uint(process, "pid", UINT32_MAX, &pid)) {
		*why = "a credgate_decision without process.pid";
		return -EINVAL;
	}
	/* The hook's name is read back once; a name no table has is CG_HOOK_NONE, which has no AVC form. */
	hook_value = cg_hook_from_name(hook);
	d.hook = hook_value < 0 ? CG_HOOK_NONE : (enum cg_hook)hook_value;
	d.verdict = verdict;
	d.permissive = verdict_value == CG_VERDICT_AUDITED;
	d.pid = (uint32_t)pid;
	d.comm = member_string(process, "comm");
	d.comm_len = d.comm ? strlen(d.comm) : 0;
	d.context = member_string(process, "selinux_context");
	d.policy = member_string(decision, "policy_name");
	d.rule = member_string(decision, "rule");
	d.call = member_string(decision, "call");
	d.enforcement = member_string(decision, "enforcement");
	if (member_uint(member(decision, "repeated"), "count", INT64_MAX, &count))
		d.repeated = (uint64_t)count;
	switch (d.hook) {
	case CG_HOOK_SETUID:
		add_id(&d, decision, "uid");
		add_id(&d, decision, "euid");
		add_id(&d, decision, "suid");
		add_id(&d, decision, "fsuid");
		break;
	case CG_HOOK_SETGID:
		add_id(&d, decision, "gid");
		add_id(&d, decision, "egid");
		add_id(&d, decision, "sgid");
		add_id(&d, decision, "fsgid");
		break;
	case CG_HOOK_SETGROUPS:
		if (member_uint(subject, "gid", UINT32_MAX, &gid))
			d.gid = gid;
		break;
	case CG_HOOK_CAPSET:
	case CG_HOOK_PRCTL:
		capability = member_string(subject, "capability");
		d.capability = capability ? policy_capability_parse(capability) : -1;
		d.capability_name = d.capability >= 0 ? policy_capability_name((unsigned)d.capability) : NULL;
		d.cap_set = member_string(subject, "set");
		if (d.capability < 0) {
			*why = "a capset decision without a known subject.capability";
			return -EINVAL;
		}
		break;
	case CG_HOOK_EXEC:
		add_id(&d, decision, "euid");
		add_id(&d, decision, "egid");
		d.exec_setuid = member_bool(exec, "setuid");
		d.exec_setgid = member_bool(exec, "setgid");
		d.exec_filename = member_string(exec, "filename");
		d.capability = exec_gained_capability(decision);
		d.capability_name = d.capability >= 0 ? policy_capability_name((unsigned)d.capability) : NULL;
		break;
	default: /* userns_create, capable: nothing more; no hook: avc_format() refuses it */
		break;
	}
	n = avc_format(&d, buf, size);
	if (n == -EINVAL)
		*why = "a decision of a hook with no AVC form (or an exec that gained nothing known)";
	else if (n < 0)
		*why = "the record would be longer than AVC_RECORD_MAX";
	return n;
}

/* Read one line into *line (growing it), refusing lines past AVC_LOG_MAX_LINE. Length, 0 at EOF, -E2BIG. */
static ssize_t read_line(FILE *in, char **line, size_t *cap)
{
	size_t len = 0;
	int c;

	while ((c = getc(in)) != EOF) {
		if (len + 2 > *cap) {
			size_t ncap = *cap ? *cap * 2 : 4096;
			char *n = realloc(*line, ncap);

			if (!n)
				return -ENOMEM;
			*line = n;
			*cap = ncap;
		}
		if (c == '\n')
			break;
		if (len >= AVC_LOG_MAX_LINE) {
			while ((c = getc(in)) != EOF && c != '\n')
				;
			return -E2BIG;
		}
		(*line)[len++] = (char)c;
	}
	if (c == EOF && len == 0)
		return ferror(in) ? -EIO : 0;
	(*line)[len] = '\0';
	return (ssize_t)len + 1; /* the newline (or EOF) counted: an empty line is not the end */
}

int avc_log_convert(FILE *in, const char *name, FILE *out, FILE *err, struct avc_log_stats *stats)
{
	_cleanup_free_ char *line = NULL;
	json_tokener *tok = json_tokener_new();
	char record[AVC_RECORD_MAX];
	size_t cap = 0;
	ssize_t n;

	*stats = (struct avc_log_stats){};
	if (!tok)
		return -ENOMEM;
	while ((n = read_line(in, &line, &cap)) != 0) {
		json_object *root, *decision;
		const char *why = NULL;
		int r;

		stats->lines++;
		if (n == -ENOMEM || n == -EIO) {
			json_tokener_free(tok);
			return (int)n;
		}
		if (n == -E2BIG) {
			fprintf(err, "%s:%lu: line longer than %d bytes\n", name, stats->lines, AVC_LOG_MAX_LINE);
			stats->bad++;
			continue;
		}
		if (line[strspn(line, " \t\r")] == '\0') {
			stats->skipped++;
			continue;
		}
		json_tokener_reset(tok);
		root = json_tokener_parse_ex(tok, line, (int)strlen(line));
		if (!root || json_tokener_get_error(tok) != json_tokener_success ||
		    !json_object_is_type(root, json_type_object)) {
			fprintf(err, "%s:%lu: not a JSON object: %s\n", name, stats->lines,
				root ? "a JSON value of another type" : json_tokener_error_desc(json_tokener_get_error(tok)));
			json_object_put(root);
			stats->bad++;
			continue;
		}
		decision = member(root, "credgate_decision");
		if (!decision) {
			stats->skipped++;
			json_object_put(root);
			continue;
		}
		r = convert_decision(decision, record, sizeof(record), &why);
		json_object_put(root);
		if (r < 0) {
			fprintf(err, "%s:%lu: %s\n", name, stats->lines, why ? why : "cannot be written as a record");
			stats->bad++;
		} else if (r == 0) {
			stats->skipped++;
		} else {
			fprintf(out, "%s\n", record);
			stats->records++;
		}
	}
	json_tokener_free(tok);
	return ferror(out) ? -EIO : 0;
}
