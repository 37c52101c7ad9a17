// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The credential-change microbenchmark: flip the effective uid between 1000
 * and 0 (saved uid 0), so every call really changes an id and reaches the
 * LSM hook (a call that changes nothing returns before any hook).
 *
 *   seteuid_flip [--cgroup DIR] [--changes N]
 *
 * Prints one line: "changes=N ns_per_change=X". Run as root.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static int join_cgroup(const char *dir)
{
	char path[4096], pid[32];
	int fd, len, r;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = snprintf(pid, sizeof(pid), "%d\n", getpid());
	r = write(fd, pid, (size_t)len) == len ? 0 : -1;
	close(fd);
	return r;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cgroup", required_argument, NULL, 'c' },
		{ "changes", required_argument, NULL, 'n' },
		{}
	};
	const char *cgroup = NULL;
	long changes = 200000;
	struct timespec a, b;
	double ns;
	int c;

	while ((c = getopt_long(argc, argv, "c:n:", longopts, NULL)) != -1) {
		if (c == 'c')
			cgroup = optarg;
		else if (c == 'n')
			changes = atol(optarg);
		else
			return 2;
	}
	if (changes < 2 || changes % 2) {
		fprintf(stderr, "seteuid_flip: --changes must be an even number >= 2\n");
		return 2;
	}
	if (cgroup && join_cgroup(cgroup) < 0) {
		fprintf(stderr, "seteuid_flip: cannot join %s: %s\n", cgroup, strerror(errno));
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	/* Raw system calls: one call per change, no glibc per-thread broadcast. */
	for (long i = 0; i < changes / 2; i++) {
		if (syscall(SYS_setresuid, -1, 1000, -1) || syscall(SYS_setresuid, -1, 0, -1)) {
			fprintf(stderr, "seteuid_flip: setresuid failed: %s\n", strerror(errno));
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
	printf("changes=%ld ns_per_change=%.1f\n", changes, ns / (double)changes);
	return 0;
}
