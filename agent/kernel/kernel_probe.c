// SPDX-License-Identifier: LGPL-2.1-or-later
#include "kernel_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include <signal.h>
#include <sys/wait.h>

#include "macro.h"
#include "probe.skel.h"
#include "probe32.skel.h"

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

enum probe32_kind {
	PROBE32_FENTRY,
	PROBE32_KPROBE,
	PROBE32_TRACEPOINT,
	PROBE32_MAX,
};

static struct bpf_program *probe32_program(struct probe32_bpf *skel, enum probe32_kind kind)
{
	switch (kind) {
	case PROBE32_FENTRY:
		return skel->progs.cg_probe32_fentry;
	case PROBE32_KPROBE:
		return skel->progs.cg_probe32_kprobe;
	case PROBE32_TRACEPOINT:
		return skel->progs.cg_probe32_tracepoint;
	case PROBE32_MAX:
		break;
	}
	return NULL;
}

static __u64 probe32_hits(const struct probe32_bpf *skel, enum probe32_kind kind)
{
	switch (kind) {
	case PROBE32_FENTRY:
		return skel->bss->fentry_hits;
	case PROBE32_KPROBE:
		return skel->bss->kprobe_hits;
	case PROBE32_TRACEPOINT:
		return skel->bss->tracepoint_hits;
	case PROBE32_MAX:
		break;
	}
	return 0;
}

/* Load and attach only the program of @kind; NULL (and why, in @result) when it cannot. */
static struct probe32_bpf *probe32_attach(enum probe32_kind kind, struct bpf_link **link,
					  struct kernel_feature *result)
{
	struct probe32_bpf *skel = probe32_bpf__open();
	int err;

	*link = NULL;
	if (!skel) {
		snprintf(result->reason, sizeof(result->reason), "cannot open probe object: %s",
			 strerror(errno));
		return NULL;
	}
	for (int k = 0; k < PROBE32_MAX; k++)
		bpf_program__set_autoload(probe32_program(skel, k), k == (int)kind);
	err = probe32_bpf__load(skel);
	if (err) {
		snprintf(result->reason, sizeof(result->reason), "programs rejected: %s",
			 strerrorname_np(-err) ?: strerror(-err));
		probe32_bpf__destroy(skel);
		return NULL;
	}
	*link = bpf_program__attach(probe32_program(skel, kind));
	err = libbpf_get_error(*link);
	if (err) {
		*link = NULL;
		snprintf(result->reason, sizeof(result->reason), "attach failed: %s",
			 strerrorname_np(-err) ?: strerror(-err));
		probe32_bpf__destroy(skel);
		return NULL;
	}
	return skel;
}

#define IA32_NR_GETPGID 132
/* The trial child's exit statuses. */
#define TRIAL_RAN 0
#define TRIAL_NO_GO 3
#define TRIAL_FAILED 4
#define TRIAL_SIGSEGV 5

static void trial_sigsegv(int sig)
{
	/* A fault, not a core dump: a kernel without IA-32 emulation faults on int $0x80. */
	_exit(TRIAL_SIGSEGV);
}

/*
 * Fork a child that, once told to go, makes the IA-32 getpgid(0) with
 * int $0x80 and exits; tell the loaded probes its pid first. Returns the
 * child's wait status, or a negative errno.
 */
static int ia32_trial(struct probe32_bpf *skels[PROBE32_MAX])
{
	_cleanup_close_ int go_read = -1, go_write = -1;
	int fds[2], status;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	go_read = fds[0];
	go_write = fds[1];
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		struct sigaction sa = { .sa_handler = trial_sigsegv };
		long ret = IA32_NR_GETPGID;
		char c;

		/* Only async-signal-safe calls here: the agent may have threads. */
		sigaction(SIGSEGV, &sa, NULL);
		if (read(go_read, &c, 1) != 1)
			_exit(TRIAL_NO_GO);
		__asm__ volatile("int $0x80" : "+a"(ret) : "b"(0L) : "r8", "r9", "r10", "r11", "memory");
		_exit(ret >= 0 ? TRIAL_RAN : TRIAL_FAILED);
	}
	for (int k = 0; k < PROBE32_MAX; k++)
		if (skels[k])
			skels[k]->bss->target_tgid = (__u32)pid;
	if (write(go_write, "g", 1) != 1) {
		int err = -errno;

		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return err;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return status;
}

static void probe_ia32(struct kernel_ia32 *ia32)
{
	static const char *const names[PROBE32_MAX] = { "fentry", "kprobes", "tracepoints" };
	struct kernel_feature *results[PROBE32_MAX] = { &ia32->fentry, &ia32->kprobes, &ia32->tracepoints };
	struct probe32_bpf *skels[PROBE32_MAX] = {};
	struct bpf_link *links[PROBE32_MAX] = {};
	int status;

	for (int k = 0; k < PROBE32_MAX; k++)
		skels[k] = probe32_attach(k, &links[k], results[k]);
	status = ia32_trial(skels);
	if (status < 0) {
		ia32->emulation = true;
		ia32->verified = false;
		snprintf(ia32->trial, sizeof(ia32->trial), "the trial int $0x80 could not run (%s): IA-32 emulation assumed",
			 strerror(-status));
	} else if (WIFEXITED(status) && WEXITSTATUS(status) == TRIAL_RAN) {
		ia32->emulation = ia32->verified = true;
		snprintf(ia32->trial, sizeof(ia32->trial), "a trial int $0x80 ran");
	} else if ((WIFEXITED(status) && WEXITSTATUS(status) == TRIAL_SIGSEGV) ||
		   (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)) {
		ia32->emulation = false;
		ia32->verified = true;
		snprintf(ia32->trial, sizeof(ia32->trial),
			 "a trial int $0x80 faulted (SIGSEGV): this kernel has no IA-32 emulation");
	} else {
		/* A seccomp filter (systemd's SystemCallArchitectures=native) stops the trial, not the kernel. */
		ia32->emulation = true;
		ia32->verified = false;
		if (WIFSIGNALED(status))
			snprintf(ia32->trial, sizeof(ia32->trial),
				 "the trial int $0x80 was stopped by %s (a seccomp filter on the agent?): IA-32 emulation assumed",
				 sigabbrev_np(WTERMSIG(status)) ?: "a signal");
		else
			snprintf(ia32->trial, sizeof(ia32->trial),
				 "the trial int $0x80 failed (exit status %d; a seccomp filter on the agent?): IA-32 emulation assumed",
				 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	for (int k = 0; k < PROBE32_MAX; k++) {
		struct kernel_feature *r = results[k];

		if (!skels[k]) {
			r->available = false; /* reason set by probe32_attach() */
		} else if (!ia32->emulation) {
			r->available = false;
			snprintf(r->reason, sizeof(r->reason), "no IA-32 emulation");
		} else if (ia32->verified && probe32_hits(skels[k], k) == 0) {
			r->available = false;
			snprintf(r->reason, sizeof(r->reason), "%s attached, but never ran for the trial IA-32 call",
				 names[k]);
		} else {
			r->available = true;
			r->reason[0] = '\0';
		}
		bpf_link__destroy(links[k]);
		probe32_bpf__destroy(skels[k]);
	}
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
	probe_ia32(&features->ia32);
	libbpf_set_print(previous);
}
