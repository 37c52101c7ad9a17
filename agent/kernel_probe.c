// SPDX-License-Identifier: LGPL-2.1-or-later
#include "kernel_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "macro.h"
#include "probe.skel.h"

enum probe_kind {
	PROBE_LSM,
	PROBE_FENTRY,
	PROBE_KPROBE,
	PROBE_TRACEPOINT,
};

static void read_active_lsms(char *buf, size_t size)
{
	_cleanup_close_ int fd = open("/sys/kernel/security/lsm", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return;
	n = read(fd, buf, size - 1);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

static bool lsm_list_has_bpf(const char *list)
{
	const char *p = list;
	size_t len;

	while (*p) {
		len = strcspn(p, ",");
		if (len == 3 && strncmp(p, "bpf", 3) == 0)
			return true;
		p += len;
		if (*p == ',')
			p++;
	}
	return false;
}

static struct bpf_program *probe_program(struct probe_bpf *skel, enum probe_kind kind)
{
	switch (kind) {
	case PROBE_LSM:
		return skel->progs.cg_probe_lsm;
	case PROBE_FENTRY:
		return skel->progs.cg_probe_fentry;
	case PROBE_KPROBE:
		return skel->progs.cg_probe_kprobe;
	case PROBE_TRACEPOINT:
		return skel->progs.cg_probe_tracepoint;
	}
	return NULL;
}

static __u64 probe_hits(struct probe_bpf *skel, enum probe_kind kind)
{
	switch (kind) {
	case PROBE_LSM:
		return skel->bss->lsm_hits;
	case PROBE_FENTRY:
		return skel->bss->fentry_hits;
	case PROBE_KPROBE:
		return skel->bss->kprobe_hits;
	case PROBE_TRACEPOINT:
		return skel->bss->tracepoint_hits;
	}
	return 0;
}

/* Load only the program of @kind, attach it, call getpgid(getpid()), count. */
static void run_probe(enum probe_kind kind, struct kernel_feature *result)
{
	struct probe_bpf *skel = NULL;
	struct bpf_program *prog;
	struct bpf_link *link = NULL;
	int err;

	result->available = false;
	skel = probe_bpf__open();
	if (!skel) {
		snprintf(result->reason, sizeof(result->reason), "cannot open probe object: %s",
			 strerror(errno));
		return;
	}
	skel->rodata->target_tgid = (__u32)getpid();
	for (int k = PROBE_LSM; k <= PROBE_TRACEPOINT; k++)
		bpf_program__set_autoload(probe_program(skel, k), k == (int)kind);
	prog = probe_program(skel, kind);

	err = probe_bpf__load(skel);
	if (err) {
		snprintf(result->reason, sizeof(result->reason), "programs rejected: %s",
			 strerrorname_np(-err) ?: strerror(-err));
		goto out;
	}
	link = bpf_program__attach(prog);
	err = libbpf_get_error(link);
	if (err) {
		link = NULL;
		snprintf(result->reason, sizeof(result->reason), "attach failed: %s",
			 strerrorname_np(-err) ?: strerror(-err));
		goto out;
	}
	for (int i = 0; i < 3; i++)
		getpgid(getpid());
	if (probe_hits(skel, kind) == 0) {
		snprintf(result->reason, sizeof(result->reason),
			 "attached, but the program never ran when triggered");
		goto out;
	}
	result->available = true;
	result->reason[0] = '\0';
out:
	bpf_link__destroy(link);
	probe_bpf__destroy(skel);
}

/* libbpf prints its own diagnostics for expected probe failures: mute them. */
static int silent_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

void kernel_probe_features(struct kernel_features *features)
{
	libbpf_print_fn_t previous = libbpf_set_print(silent_print);

	memset(features, 0, sizeof(*features));
	read_active_lsms(features->active_lsms, sizeof(features->active_lsms));
	run_probe(PROBE_LSM, &features->lsm);
	if (!features->lsm.available && features->active_lsms[0] &&
	    !lsm_list_has_bpf(features->active_lsms)) {
		/* The more useful explanation: say what to change. */
		snprintf(features->lsm.reason, sizeof(features->lsm.reason),
			 "bpf is not an active LSM (%.100s); boot with lsm=%.100s,bpf", features->active_lsms,
			 features->active_lsms);
	}
	run_probe(PROBE_FENTRY, &features->fentry);
	run_probe(PROBE_KPROBE, &features->kprobes);
	run_probe(PROBE_TRACEPOINT, &features->tracepoints);
	libbpf_set_print(previous);
}
