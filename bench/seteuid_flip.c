// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The credential-change microbenchmark: flip the effective uid between 1000
 * and 0 (saved uid 0), so every call really changes an id and reaches the
 * LSM hook (a call that changes nothing returns before any hook).
 *
 *   seteuid_flip [--cgroup DIR] [--changes N] [--rate PER_SECOND]
 *
 * --rate paces the changes: each millisecond's share is made in one burst,
 * then the program sleeps to the next millisecond (if it falls behind, it
 * catches up without sleeping). Prints one line:
 * "changes=N ns_per_change=X seconds=S". Run as root.
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

/* Raw system calls: one call per change, no glibc per-thread broadcast. */
static int flip_pairs(long pairs)
{
	for (long i = 0; i < pairs; i++)
		if (syscall(SYS_setresuid, -1, 1000, -1) || syscall(SYS_setresuid, -1, 0, -1))
			return -1;
	return 0;
}

/* Sleep until @start + @ms milliseconds; return at once if that has passed. */
static void sleep_until(const struct timespec *start, long ms)
{
	struct timespec t = *start;

	t.tv_sec += ms / 1000;
	t.tv_nsec += (ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
		;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cgroup", required_argument, NULL, 'c' },
		{ "changes", required_argument, NULL, 'n' },
		{ "rate", required_argument, NULL, 'r' },
		{}
	};
	const char *cgroup = NULL;
	long changes = 200000, rate = 0;
	struct timespec a, b;
	double ns;
	int c;

	while ((c = getopt_long(argc, argv, "c:n:r:", longopts, NULL)) != -1) {
		if (c == 'c')
			cgroup = optarg;
		else if (c == 'n')
			changes = atol(optarg);
		else if (c == 'r')
			rate = atol(optarg);
		else
			return 2;
	}
	if (rate < 0 || rate > 100000000) {
		fprintf(stderr, "seteuid_flip: --rate must be 0 (unpaced) to 100000000 per second\n");
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
	for (long done = 0, slice = 0; done < changes; slice++) {
		/* Pairs due by the end of this millisecond slice (all of them unpaced). */
		long due = rate ? (long)((double)rate * (double)(slice + 1) / 1000.0) : changes;

		due = (due > changes ? changes : due) & ~1L;
		if (flip_pairs((due - done) / 2) < 0) {
			fprintf(stderr, "seteuid_flip: setresuid failed: %s\n", strerror(errno));
			return 1;
		}
		done = due > done ? due : done;
		if (rate)
			sleep_until(&a, slice + 1);
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
	printf("changes=%ld ns_per_change=%.1f seconds=%.3f\n", changes, ns / (double)changes, ns / 1e9);
	return 0;
}
