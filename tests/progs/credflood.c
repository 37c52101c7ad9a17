// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * credflood: the flooding container, or the flooding user. Moves itself into
 * a cgroup, then runs N workers that each make one denied credential change
 * in a loop, as a raw system call (for the calling thread only), for the
 * given time or until SIGTERM. Each call is a decision the kernel wants to
 * send.
 *
 *   credflood --cgroup DIR [--threads N] [--seconds S] [--user R,E,S [--hop C]]
 *
 * Without --user: takes gid 1000 (keeping uid 0, so CAP_SETGID), and the
 * workers are threads calling setgid(0) (denied by a policy that denies
 * gid 0).
 *
 * --user R,E,S: drops to no supplementary groups, gids 1000 and uids
 * (R, E, S), with no capability left, and each worker calls
 * setresuid(-1, S, -1): a change the kernel allows any process (the
 * effective uid to the saved one), which a policy denying moves from E to
 * S denies.
 *
 * --hop C (with --user): the workers are processes, each moving itself into
 * a fresh cgroup below DIR every C calls (mkdir, write cgroup.procs, rmdir
 * the one it left), as an unprivileged user can below a cgroup delegated to
 * it. A cgroup holds processes, not threads, so each worker is a process
 * of one thread.
 *
 * Prints the number of calls, of EPERM failures and of cgroups entered.
 * Exit status: 0, or 2 on a usage or setup error (or a worker's).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 256
#define MAX_HOP 1000000

/*
 * Shared with the worker processes (MAP_SHARED), so their counts survive
 * them. One slot per worker, on its own cache line, written by that worker
 * alone after each call: exact at any stop, and no line bounces between
 * CPUs on every call.
 */
struct slot {
	unsigned long calls, eperm, hops;
} __attribute__((aligned(64)));

struct totals {
	struct slot slot[MAX_THREADS];
	atomic_int stop; /* SIGTERM: finish the current call, count it, stop */
};

static struct totals *totals;
static struct timespec deadline;
static const char *base;
static long hop_every;
static long uids[3] = { -1, -1, -1 };

static void on_term(int sig)
{
	(void)sig;
	atomic_store(&totals->stop, 1);
}

static int past_deadline(void)
{
	struct timespec now;

	if (atomic_load(&totals->stop))
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline.tv_sec ||
	       (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec);
}

/* One denied change; counted at once, so a stop loses no count. */
static void one_call(struct slot *slot)
{
	long r;

	if (uids[0] >= 0)
		r = syscall(SYS_setresuid, -1, uids[2], -1);
	else
		r = syscall(SYS_setgid, 0);
	if (r < 0 && errno == EPERM)
		slot->eperm++;
	slot->calls++;
}

static void *flood(void *arg)
{
	struct slot *slot = arg;

	while (!past_deadline())
		one_call(slot);
	return NULL;
}

static int enter_cgroup(const char *dir)
{
	char path[4096], pid[32];
	int fd, len;

	if (snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = snprintf(pid, sizeof(pid), "%d\n", getpid());
	if (write(fd, pid, (size_t)len) != len) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return close(fd);
}

/* A worker process: a fresh cgroup below base every hop_every calls. */
static int hop_worker(long index)
{
	struct slot *slot = &totals->slot[index];
	char prev[4096] = "", next[4096];

	/* After the credential drop, which clears it: die with the parent. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		return 0;
	for (unsigned long n = 0; !past_deadline(); n++) {
		if (snprintf(next, sizeof(next), "%s/hop-%ld-%lu", base, index, n) >= (int)sizeof(next))
			return 2;
		if (mkdir(next, 0755) < 0 || enter_cgroup(next) < 0) {
			fprintf(stderr, "credflood: worker %ld: cannot enter %s: %s\n", index, next, strerror(errno));
			return 2;
		}
		slot->hops++;
		if (prev[0] && rmdir(prev) < 0) {
			fprintf(stderr, "credflood: worker %ld: rmdir %s: %s\n", index, prev, strerror(errno));
			return 2;
		}
		memcpy(prev, next, sizeof(prev));
		for (long i = 0; i < hop_every && !past_deadline(); i++)
			one_call(slot);
	}
	return 0;
}

static int parse_uids(const char *s)
{
	char *end;

	for (int i = 0; i < 3; i++) {
		errno = 0;
		uids[i] = strtol(s, &end, 10);
		if (errno || end == s || uids[i] < 0 || uids[i] > 0xfffffffe || *end != (i < 2 ? ',' : '\0'))
			return -1;
		s = end + 1;
	}
	return 0;
}

static int run_threads(long nthreads)
{
	pthread_t threads[MAX_THREADS];

	for (long i = 0; i < nthreads; i++)
		if (pthread_create(&threads[i], NULL, flood, &totals->slot[i])) {
			fprintf(stderr, "credflood: pthread_create failed\n");
			return 2;
		}
	for (long i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	return 0;
}

static int run_processes(long nworkers)
{
	pid_t pids[MAX_THREADS];
	int ret = 0;

	for (long i = 0; i < nworkers; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			fprintf(stderr, "credflood: fork: %s\n", strerror(errno));
			atomic_store(&totals->stop, 1);
			nworkers = i;
			ret = 2;
			break;
		}
		if (pids[i] == 0)
			_exit(hop_worker(i));
	}
	for (long i = 0; i < nworkers; i++) {
		int status;

		while (waitpid(pids[i], &status, 0) < 0)
			if (errno != EINTR)
				return 2;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			ret = 2;
	}
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "cgroup", required_argument, NULL, 'c' },
		{ "threads", required_argument, NULL, 't' },
		{ "seconds", required_argument, NULL, 's' },
		{ "user", required_argument, NULL, 'u' },
		{ "hop", required_argument, NULL, 'h' },
		{ 0 },
	};
	struct sigaction sa = { .sa_handler = on_term };
	const char *cgroup = NULL;
	long nthreads = 16, seconds = 10;
	unsigned long calls = 0, eperm = 0, hops = 0;
	int opt, r;

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
		case 'u':
			if (parse_uids(optarg) < 0) {
				fprintf(stderr, "credflood: --user R,E,S: three uids\n");
				return 2;
			}
			break;
		case 'h':
			hop_every = strtol(optarg, NULL, 10);
			break;
		default:
			return 2;
		}
	}
	if (optind != argc || nthreads < 1 || nthreads > MAX_THREADS || seconds < 1 || seconds > 3600) {
		fprintf(stderr, "credflood: --threads 1..%d, --seconds 1..3600\n", MAX_THREADS);
		return 2;
	}
	if (hop_every && (hop_every < 1 || hop_every > MAX_HOP || uids[0] < 0 || !cgroup)) {
		fprintf(stderr, "credflood: --hop 1..%d needs --user and --cgroup\n", MAX_HOP);
		return 2;
	}
	base = cgroup;
	totals = mmap(NULL, sizeof(*totals), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (totals == MAP_FAILED) {
		fprintf(stderr, "credflood: mmap: %s\n", strerror(errno));
		return 2;
	}
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0)
		return 2;
	if (cgroup && enter_cgroup(cgroup) < 0) {
		fprintf(stderr, "credflood: cannot enter %s: %s\n", cgroup, strerror(errno));
		return 2;
	}
	if (uids[0] >= 0) {
		/* Nothing of root left: the set*id calls below pass the kernel's checks only as a user's. */
		if (setgroups(0, NULL) < 0 || setresgid(1000, 1000, 1000) < 0 ||
		    setresuid((uid_t)uids[0], (uid_t)uids[1], (uid_t)uids[2]) < 0) {
			fprintf(stderr, "credflood: dropping to uids %ld,%ld,%ld: %s\n", uids[0], uids[1], uids[2],
				strerror(errno));
			return 2;
		}
	} else if (setresgid(1000, 1000, 1000) < 0) {
		/* gid 1000 for the whole process; uid 0 keeps CAP_SETGID. */
		fprintf(stderr, "credflood: setresgid: %s\n", strerror(errno));
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += seconds;
	r = hop_every ? run_processes(nthreads) : run_threads(nthreads);
	for (long i = 0; i < nthreads; i++) {
		calls += totals->slot[i].calls;
		eperm += totals->slot[i].eperm;
		hops += totals->slot[i].hops;
	}
	printf("credflood: %lu calls, %lu EPERM, %lu cgroups entered\n", calls, eperm, hops);
	return r;
}
