// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A representative event of every kind and shape, formatted by
 * agent/events/event_format.c, one per line on standard output: ctest runs
 * tests/tools/validate_events.py on them against docs/schemas.
 *
 * The schemas must also reject what they claim to. "--broken CASE" prints
 * one event that is a valid sample above except for exactly one change, and
 * "--base CASE" the same sample unchanged: tests/unit/event_schemas.sh
 * checks that the base validates and the broken one fails with the expected
 * error at the changed field, one validator run each. An event that failed
 * for another reason (a missing field, an unknown kind) would prove nothing
 * about the field under test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container_id.h"
#include "cri_metadata.h"
#include "event_format.h"

#define T_NS 1688584470918977160ull

static struct cri_label labels[] = { { "app", "xwing" }, { "org", "alliance" } };
static struct cri_metadata cri = {
	.runtime = CONTAINER_RUNTIME_CONTAINERD, .container_name = "spaceship",
	.image_name = "docker.io/tgraf/netperf:latest", .image_id = "docker.io/tgraf/netperf@sha256:8e86",
	.start_time = "2023-07-05T18:45:16Z", .pod_name = "xwing", .pod_namespace = "default",
	.pod_labels = labels, .npod_labels = 2,
};
static struct container_identity pod_ident = {
	.runtime = CONTAINER_RUNTIME_CONTAINERD, .qos = POD_QOS_BURSTABLE,
	.id = "55936e548de63f77ceb595d64966dd8e267b391ff0ef63b26c17eb8c2f6510be",
	.short_id = "55936e548de63f77ceb595d64966dd8", .pod_uid = "0ff6b3a4-2f4a-4e4b-9bd0-5d9f3e0a1c11",
};
/* docker: the image as given and normalised, its digest, and the container's own labels */
static struct cri_label docker_labels[] = { { "app", "web" }, { "com.example/\"quoted\"", "" } };
static struct cri_metadata docker_cri = {
	.runtime = CONTAINER_RUNTIME_DOCKER, .container_name = "web", .image_name = "debian:12",
	.image_ref = "docker.io/library/debian:12",
	.image_id = "sha256:3f57d9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741",
	.image_digest = "sha256:b37bc259c67238d814516548c17ad912f26c3eed48dd9bb54893eafec8739c89",
	.start_time = "2026-01-02T03:04:05.123456789Z", .labels = docker_labels, .nlabels = 2,
};
/* ctr run: a container named by its id, in a containerd namespace */
static struct cri_metadata ctr_cri = {
	.runtime = CONTAINER_RUNTIME_CONTAINERD, .container_name = "web", .containerd_namespace = "default",
	.cgroups_path = "/default/web",
};
static struct container_identity ctr_ident = { .runtime = CONTAINER_RUNTIME_CONTAINERD, .id = "web", .short_id = "web" };
static struct container_identity docker_ident = {
	.runtime = CONTAINER_RUNTIME_DOCKER,
	.id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	.short_id = "0123456789abcdef0123456789abcde",
};

static struct event_process proc = {
	.exec_id = "a2luZC1jb250cm9sLXBsYW5lOjQwNzk4ODc2MDI2NTk4OjEyNTc5OA==",
	.pid = 125798, .tid = 125799, .uid = 1000, .auid = 4294967295u, .ppid = 125792, .pidns_ino = 4026532000u,
	.nspid = 19, .cwd = "/", .binary = "/bin/su", .arguments = "root", .flags = "execve rootcwd clone",
	.start_time_realtime_ns = 1688584470918693157ull,
	.parent_exec_id = "a2luZC1jb250cm9sLXBsYW5lOjQwNzk1NjYyMDM3MzMyOjEyNTc5Mg==", .comm = "su",
	.cgroup_id = 4242, .cgroup_path = "/kubepods/x", .container = &pod_ident, .cri = &cri,
};
static struct event_process parent = {
	.exec_id = "a2luZC1jb250cm9sLXBsYW5lOjQwNzk1NjYyMDM3MzMyOjEyNTc5Mg==",
	.pid = 125792, .tid = 125792, .uid = 0, .auid = 1000, .ppid = 1, .binary = "/bin/bash",
	.flags = "procFS", .start_time_realtime_ns = 1688584467704703805ull, .comm = "bash",
	.pidns_ino = 4026531836u, .host_pidns = true, .cgroup_id = 1, .cgroup_path = "/",
};

static void header(struct cg_event_header *h, __u32 type, __u32 size)
{
	memset(h, 0, sizeof(*h));
	h->type = type;
	h->size = size;
	h->pid = 125798;
	h->tid = 125799;
	h->ppid = 125792;
	h->cgroup_id = 4242;
	memcpy(h->comm, "su", 3);
}

/* The samples, in order; each case below changes one of them. */
enum sample {
	S_KPROBE_POD, S_KPROBE_KILLED, S_KPROBE_SETGROUPS, S_KPROBE_CAPSET, S_KPROBE_CTR,
	S_DECISION_DENIED, S_DECISION_REPEAT, S_DECISION_CAPSET, S_DECISION_SETGROUPS, S_DECISION_EXEC,
	S_EXEC_SUDO, S_EXEC_PLAIN, S_LOST, S_LOST_AUDIT,
	S_COUNT
};
static char *samples[S_COUNT];
static int nsamples;

static const struct broken_case {
	const char *name;
	enum sample sample;
	const char *from, *to; /* must occur exactly once in the sample */
} broken_cases[] = {
	/* A uid that is not a number. */
	{ "uid-type", S_KPROBE_POD, "\"pid\":125798,\"uid\":1000,", "\"pid\":125798,\"uid\":\"1000\"," },
	/* A verdict outside the enum. */
	{ "verdict-enum", S_DECISION_DENIED, "\"verdict\":\"denied\"", "\"verdict\":\"maybe\"" },
	/* An exec id that is not base64 (the text it should have encoded). */
	{ "exec-id-pattern", S_EXEC_SUDO,
	  "\"exec_id\":\"a2luZC1jb250cm9sLXBsYW5lOjQwNzk4ODc2MDI2NTk4OjEyNTc5OA==\"",
	  "\"exec_id\":\"kind-control-plane:40798876026598:125798\"" },
	/* An empty SELinux context: absent is how "unknown" is said. */
	{ "empty-selinux-context", S_DECISION_DENIED, "\"selinux_context\":\"system_u:system_r:container_t:s0:c12,c34\"",
	  "\"selinux_context\":\"\"" },
	/* A policy name no policy file can have, and not one credgate reserves. */
	{ "policy-name-pattern", S_DECISION_DENIED, "\"policy_name\":\"su-audit\"", "\"policy_name\":\"credgate:none\"" },
	/* A kind the validator does not know. */
	{ "unknown-kind", S_LOST, "{\"credgate_lost\":", "{\"credgate_gone\":" },
};

static void emit(struct json_writer *w)
{
	if (nsamples >= S_COUNT) {
		fprintf(stderr, "test_event_schema: more samples than enum sample names\n");
		exit(2);
	}
	samples[nsamples] = strdup(json_writer_text(w));
	if (!samples[nsamples]) {
		perror("strdup");
		exit(2);
	}
	nsamples++;
	json_writer_reset(w);
}

/* Print sample c->sample, with c->from replaced by c->to when broken. */
static int print_case(const struct broken_case *c, bool broken)
{
	const char *text = samples[c->sample];
	const char *at = strstr(text, c->from);

	if (!at || strstr(at + 1, c->from)) {
		fprintf(stderr, "test_event_schema: case %s: '%s' is not in sample %d exactly once\n", c->name,
			c->from, (int)c->sample);
		return 2;
	}
	if (!broken) {
		puts(text);
		return 0;
	}
	printf("%.*s%s%s\n", (int)(at - text), text, c->to, at + strlen(c->from));
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : NULL;
	struct event_meta meta = {
		.node_name = "kind-control-plane", .time_realtime_ns = T_NS, .policy_name = "su-audit",
		.rule_text = "setuid.deny[0]: from any to 0", .process = &proc, .parent = &parent,
	};
	struct event_meta bare = { .node_name = "n", .time_realtime_ns = T_NS };
	struct cg_syscall_event s;
	struct cg_decision_event d;
	struct cg_exec_decision_event xd;
	struct cg_exec_event x;
	struct event_exec_properties props = { .ids = &x.ids };
	struct event_process exec_proc = proc;
	struct event_repeat repeat = { .count = 12, .first_realtime_ns = T_NS - 5, .last_realtime_ns = T_NS };
	struct event_lost_cgroup cg = { .id = 4242, .path = "/kubepods/x", .rate_limited = 7 };
	struct event_lost lost = { .ringbuf_full = 1, .rate_limited = 9, .cgroups = &cg, .ncgroups = 1,
				   .other_cgroups_rate_limited = 2 };
	struct json_writer w;

	json_writer_init(&w);
	/* process_kprobe: the reference page's setuid(0), in a pod, with its parent */
	memset(&s, 0, sizeof(s));
	header(&s.hdr, CG_EVENT_SYSCALL, sizeof(s));
	s.syscall = CG_SYS_SETUID, s.probe = CG_PROBE_TRACEPOINT, s.nargs = 1, s.old_ids.uid = 1000;
	event_format_syscall(&w, OUTPUT_JSON, &s, &meta);
	emit(&w);
	/* ... setresuid killed, in a plain docker container, no parent known */
	proc.container = &docker_ident;
	proc.cri = NULL;
	meta.parent = NULL;
	s.syscall = CG_SYS_SETRESUID, s.nargs = 3, s.args[0] = -1, s.args[2] = -1, s.ret = -1;
	s.verdict = CG_VERDICT_KILLED, s.probe = CG_PROBE_FENTRY;
	event_format_syscall(&w, OUTPUT_JSON, &s, &meta);
	emit(&w);
	/* ... setgroups and capset, and a process gone before anything was known */
	s.syscall = CG_SYS_SETGROUPS, s.nargs = 2, s.args[0] = 2, s.ngroups = 2, s.groups[0] = 4, s.groups[1] = 27;
	event_format_syscall(&w, OUTPUT_JSON, &s, &bare);
	emit(&w);
	s.syscall = CG_SYS_CAPSET, s.new_caps.effective = 1ull << 13;
	proc.cri = &docker_cri;
	event_format_syscall(&w, OUTPUT_JSON, &s, &meta);
	emit(&w);
	proc.container = &ctr_ident;
	proc.cri = &ctr_cri;
	event_format_syscall(&w, OUTPUT_JSON, &s, &meta);
	emit(&w);
	meta.parent = &parent;
	proc.container = &pod_ident;
	proc.cri = &cri;
	/* SELinux on: every process block carries its context. */
	proc.selinux_context = "system_u:system_r:container_t:s0:c12,c34";
	parent.selinux_context = "system_u:system_r:unconfined_t:s0-s0:c0.c1023";

	/* credgate_decision: setuid denied, capset audited, setgroups, folded repeats */
	memset(&d, 0, sizeof(d));
	header(&d.hdr, CG_EVENT_DECISION, sizeof(d));
	d.hook = CG_HOOK_SETUID, d.setid_flags = CG_SETID_ID, d.mode = CG_MODE_ENFORCE;
	d.verdict = CG_VERDICT_DENIED, d.subject_from = 1000, d.old_ids.uid = 1000;
	event_format_decision(&w, OUTPUT_JSON, &d, &meta);
	emit(&w);
	meta.repeat = &repeat;
	event_format_decision(&w, OUTPUT_JSON, &d, &meta);
	emit(&w);
	meta.repeat = NULL;
	d.hook = CG_HOOK_CAPSET, d.setid_flags = 0, d.verdict = CG_VERDICT_AUDITED, d.mode = CG_MODE_AUDIT;
	d.subject_from = CG_CAPSET_EFFECTIVE, d.subject_to = 13;
	event_format_decision(&w, OUTPUT_JSON, &d, &meta);
	emit(&w);
	d.hook = CG_HOOK_SETGROUPS, d.ngroups_new = 1, d.groups_new[0] = 27, d.rule_index = CG_NO_RULE;
	d.verdict = CG_VERDICT_ALLOWED;
	event_format_decision(&w, OUTPUT_JSON, &d, &bare);
	emit(&w);
	memset(&xd, 0, sizeof(xd));
	header(&xd.d.hdr, CG_EVENT_EXEC_DECISION, sizeof(xd));
	xd.d.hook = CG_HOOK_EXEC, xd.d.verdict = CG_VERDICT_DENIED, xd.d.mode = CG_MODE_ENFORCE;
	xd.exec_flags = CG_EXEC_SETUID;
	snprintf(xd.filename, sizeof(xd.filename), "/usr/bin/sudo");
	event_format_decision(&w, OUTPUT_JSON, &xd.d, &meta);
	emit(&w);

	/* process_exec: sudo gaining root, and a plain exec */
	memset(&x, 0, sizeof(x));
	header(&x.hdr, CG_EVENT_EXEC, sizeof(x));
	x.ids.uid = 1000, x.ids.euid = 0, x.ids.gid = x.ids.egid = 1000;
	x.binary_flags = props.binary_flags = CG_EXEC_SETUID | CG_EXEC_FILE_CAPS;
	exec_proc.exec = &props;
	meta.process = &exec_proc;
	event_format_exec(&w, OUTPUT_JSON, &x, &meta);
	emit(&w);
	x.binary_flags = props.binary_flags = 0;
	meta.parent = NULL;
	event_format_exec(&w, OUTPUT_JSON, &x, &meta);
	emit(&w);

	/* credgate_lost, and with USER_AVC records lost */
	event_format_lost(&w, OUTPUT_JSON, &lost, &bare);
	emit(&w);
	lost.audit_failed = 3;
	event_format_lost(&w, OUTPUT_JSON, &lost, &bare);
	emit(&w);
	json_writer_free(&w);
	if (nsamples != S_COUNT) {
		fprintf(stderr, "test_event_schema: %d samples, expected %d\n", nsamples, S_COUNT);
		return 2;
	}

	int ret = 2;
	if (!mode) {
		for (int i = 0; i < nsamples; i++)
			puts(samples[i]);
		ret = 0;
	} else if (strcmp(mode, "--list") == 0) {
		for (size_t i = 0; i < sizeof(broken_cases) / sizeof(broken_cases[0]); i++)
			puts(broken_cases[i].name);
		ret = 0;
	} else if ((strcmp(mode, "--broken") == 0 || strcmp(mode, "--base") == 0) && argc == 3) {
		const struct broken_case *c = NULL;
		for (size_t i = 0; i < sizeof(broken_cases) / sizeof(broken_cases[0]); i++)
			if (strcmp(broken_cases[i].name, argv[2]) == 0)
				c = &broken_cases[i];
		if (c)
			ret = print_case(c, strcmp(mode, "--broken") == 0);
		else
			fprintf(stderr, "test_event_schema: no case '%s'\n", argv[2]);
	} else {
		fprintf(stderr, "usage: test_event_schema [--list | --broken CASE | --base CASE]\n");
	}
	for (int i = 0; i < nsamples; i++)
		free(samples[i]);
	return ret;
}
