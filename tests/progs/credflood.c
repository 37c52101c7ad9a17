// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * credflood: the flooding container. Moves itself into a cgroup, takes gid
 * 1000 (keeping uid 0, so CAP_SETGID), then runs N threads that each call
 * setgid(0) in a loop, as a raw system call (for the calling thread only),
 * for the given time or until killed. Under a policy that denies gid 0
 * every call is a denied decision: an event the kernel wants to send.
 *
 *   credflood --cgroup DIR --threads N --seconds S
 *
 * Prints the number of calls and of EPERM failures. Exit status: 0, or 2
 * on a usage or setup error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 256

static atomic_ulong calls, eperm;
static struct timespec deadline;

static int past_deadline(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline.tv_sec ||
	       (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec);
}

static void *flood(void *arg)
{
	unsigned long n = 0, e = 0;

	(void)arg;
	while (!past_deadline()) {
		for (int i = 0; i < 64; i++) {
			if (syscall(SYS_setgid, 0) < 0 && errno == EPERM)
				e++;
			n++;
		}
	}
	atomic_fetch_add(&calls, n);
	atomic_fetch_add(&eperm, e);
	return NULL;
}

static int enter_cgroup(const char *dir)
{
	char path[4096], pid[32];
	int fd, len;

	if (snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= (int)sizeof(path))
		return -1;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = snprintf(pid, sizeof(pid), "%d\n", getpid());
	if (write(fd, pid, (size_t)len) != len) {
		close(fd);
		return -1;
	}
	return close(fd);
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "cgroup", required_argument, NULL, 'c' },
		{ "threads", required_argument, NULL, 't' },
		{ "seconds", required_argument, NULL, 's' },
		{ 0 },
	};
	pthread_t threads[MAX_THREADS];
	const char *cgroup = NULL;
	long nthreads = 16, seconds = 10;
	int opt;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			cgroup = optarg;
			break;
		case 't':
			nthreads = strtol(optarg, NULL, 10);
			break;
		case 's':
			seconds = strtol(optarg, NULL, 10);
			break;
		default:
			return 2;
		}
	}
	if (nthreads < 1 || nthreads > MAX_THREADS || seconds < 1 || seconds > 3600) {
		fprintf(stderr, "credflood: --threads 1..%d, --seconds 1..3600\n", MAX_THREADS);
		return 2;
	}
	if (cgroup && enter_cgroup(cgroup) < 0) {
		fprintf(stderr, "credflood: cannot enter %s: %s\n", cgroup, strerror(errno));
		return 2;
	}
	/* gid 1000 for the whole process; uid 0 keeps CAP_SETGID. */
	if (setresgid(1000, 1000, 1000) < 0) {
		fprintf(stderr, "credflood: setresgid: %s\n", strerror(errno));
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += seconds;
	for (long i = 0; i < nthreads; i++)
		if (pthread_create(&threads[i], NULL, flood, NULL)) {
			fprintf(stderr, "credflood: pthread_create failed\n");
			return 2;
		}
	for (long i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	printf("credflood: %lu calls, %lu EPERM\n", (unsigned long)calls, (unsigned long)eperm);
	return 0;
}
