// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * credop: make credential changes on command, check their results, print
 * what happened. The host and VM tests use it as the process "inside the
 * container": it can move itself into a cgroup, start threads, and run a
 * sequence of operations, each with an expected outcome.
 *
 *   credop [--cgroup DIR] [--threads N] [--quiet] OP[=EXPECT]...
 *
 * OP is one of
 *   setuid:U setgid:G seteuid:U setegid:G setreuid:R,E setregid:R,E
 *   setresuid:R,E,S setresgid:R,E,S setfsuid:U setfsgid:G
 *   setgroups:G1,G2,...        (setgroups: with no ids sets none)
 *   capdrop:SET:CAP            drop CAP (name or number) from SET (e, p or i)
 *   capraise:SET:CAP           raise CAP in SET, keeping the other sets
 *   ambient:CAP                prctl(PR_CAP_AMBIENT_RAISE, CAP)
 *   keepcaps                   prctl(PR_SET_KEEPCAPS, 1): keep permitted caps across setuid
 *   unshare-user               unshare(CLONE_NEWUSER)
 *   exec:PATH                  execv(PATH, the remaining arguments): always last
 *   fork                       the remaining operations run in a child (no exec),
 *                              which prints "credop: child pid N"; the parent
 *                              waits and exits with the child's status
 *   expect-uid:U expect-euid:U expect-suid:U expect-fsuid:U
 *   expect-gid:G expect-egid:G expect-sgid:G expect-fsgid:G
 *   expect-groups:G1,G2,...    the supplementary groups, as a set (none: empty)
 *   expect-cap:SET:CAP         CAP is in SET: e, p, i, a (ambient) or b (bounding)
 *   expect-nocap:SET:CAP       CAP is not in SET
 *   sleep:MS
 *   waitfor:PATH               wait (up to 60 s) until PATH exists: lets a
 *                              test run a step only once it has seen the
 *                              process (by its "credop: pid" line)
 * An unknown expect-* name is a usage error, never a check that holds.
 * EXPECT is "ok" or an errno name (EPERM). An -1 id means "unchanged".
 * setfsuid/setfsgid never fail: check the result with expect-fsuid.
 *
 * Ids go through glibc's wrappers, which apply them to every thread of the
 * process (one system call per thread), as real programs do.
 *
 * Standard output is unbuffered: each line is written (one write(2)) before
 * the next operation runs, so a test that SIGKILLs credop in a system call
 * sees every line of the operations before it, and none after.
 *
 * Exit status: 0 when every expectation held, 1 when one did not, 2 on a
 * usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static bool quiet;

static const struct {
	const char *name;
	int cap;
} cap_names[] = {
	{ "chown", 0 },	    { "dac_override", 1 }, { "fowner", 3 },    { "kill", 5 },
	{ "setgid", 6 },    { "setuid", 7 },	   { "setpcap", 8 },   { "net_bind_service", 10 },
	{ "net_admin", 12 }, { "net_raw", 13 },	   { "sys_chroot", 18 }, { "sys_ptrace", 19 },
	{ "sys_admin", 21 }, { "sys_nice", 23 },   { "sys_resource", 24 }, { "mknod", 27 },
	{ "audit_write", 29 }, { "setfcap", 31 },  { "bpf", 39 },
};

static int parse_cap(const char *s)
{
	char *end;
	long v;

	if (strncasecmp(s, "cap_", 4) == 0)
		s += 4;
	for (size_t i = 0; i < sizeof(cap_names) / sizeof(cap_names[0]); i++)
		if (strcasecmp(s, cap_names[i].name) == 0)
			return cap_names[i].cap;
	v = strtol(s, &end, 10);
	if (*s && !*end && v >= 0 && v < 64)
		return (int)v;
	return -1;
}

static int parse_ids(const char *s, long *ids, int max)
{
	int n = 0;

	if (!*s)
		return 0;
	for (;;) {
		char *end;

		if (n == max)
			return -1;
		errno = 0;
		ids[n++] = strtol(s, &end, 10);
		if (errno || end == s)
			return -1;
		if (!*end)
			return n;
		if (*end != ',')
			return -1;
		s = end + 1;
	}
}

/* Reads one field ("Uid:" or "Gid:") of /proc/self/status: real eff saved fs. */
static int read_status_ids(const char *field, long out[4])
{
	char line[256];
	FILE *f = fopen("/proc/thread-self/status", "re");
	int found = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, field, strlen(field)) == 0) {
			if (sscanf(line + strlen(field), "%ld %ld %ld %ld", &out[0], &out[1], &out[2],
				   &out[3]) == 4)
				found = 0;
			break;
		}
	}
	fclose(f);
	return found;
}

static int cap_change(char set, int cap, bool raise)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	__u32 *word;

	if (syscall(SYS_capget, &hdr, data) < 0)
		return -1;
	switch (set) {
	case 'e':
		word = &data[cap / 32].effective;
		break;
	case 'p':
		word = &data[cap / 32].permitted;
		break;
	case 'i':
		word = &data[cap / 32].inheritable;
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	if (raise)
		*word |= 1u << (cap % 32);
	else
		*word &= ~(1u << (cap % 32));
	return (int)syscall(SYS_capset, &hdr, data);
}

/* The id checks: which line of /proc/thread-self/status, which column. */
static const struct {
	const char *name, *field;
	int column; /* real, effective, saved, filesystem */
} id_checks[] = {
	{ "expect-uid", "Uid:", 0 }, { "expect-euid", "Uid:", 1 }, { "expect-suid", "Uid:", 2 },
	{ "expect-fsuid", "Uid:", 3 }, { "expect-gid", "Gid:", 0 }, { "expect-egid", "Gid:", 1 },
	{ "expect-sgid", "Gid:", 2 }, { "expect-fsgid", "Gid:", 3 },
};

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

/* expect-groups: the supplementary groups, compared as sets (the kernel sorts them). */
static int check_groups(const char *op, const char *arg)
{
	long want[64], got[64];
	gid_t gids[64];
	int n = parse_ids(arg, want, 64), m;

	if (n < 0)
		return -2;
	m = getgroups(64, gids);
	if (m < 0) {
		printf("%s: getgroups: %s\n", op, strerrorname_np(errno));
		return 1;
	}
	for (int i = 0; i < m; i++)
		got[i] = (long)gids[i];
	qsort(want, (size_t)n, sizeof(want[0]), cmp_long);
	qsort(got, (size_t)m, sizeof(got[0]), cmp_long);
	if (n == m && memcmp(want, got, (size_t)n * sizeof(want[0])) == 0)
		return 0;
	printf("%s: expected [%s], got [", op, arg);
	for (int i = 0; i < m; i++)
		printf("%s%ld", i ? "," : "", got[i]);
	printf("]\n");
	return 1;
}

/* Whether CAP is in SET (e, p, i, a, b) of this thread: 1, 0, or -1 with errno. */
static int cap_in_set(char set, int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	__u32 word;

	switch (set) {
	case 'a':
		return prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0);
	case 'b':
		return prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
	case 'e':
	case 'p':
	case 'i':
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -1;
	word = set == 'e' ? data[cap / 32].effective
	       : set == 'p' ? data[cap / 32].permitted
			    : data[cap / 32].inheritable;
	return !!(word & (1u << (cap % 32)));
}

/* expect-cap:SET:CAP and expect-nocap:SET:CAP. */
static int check_cap(const char *op, const char *arg, bool want)
{
	int cap = arg[0] && arg[1] == ':' && strchr("epiab", arg[0]) ? parse_cap(arg + 2) : -1;
	int have;

	if (cap < 0)
		return -2;
	have = cap_in_set(arg[0], cap);
	if (have < 0) {
		printf("%s:%s: cannot read: %s\n", op, arg, strerrorname_np(errno));
		return 1;
	}
	if (have != want) {
		printf("%s:%s: capability %d is %sin set %c\n", op, arg, cap, have ? "" : "not ", arg[0]);
		return 1;
	}
	return 0;
}

/*
 * An expect-* operation: 0 when it holds, 1 when it does not, -2 for a name
 * or argument credop does not know (a typo must not become a check that
 * always holds).
 */
static int check_expect(const char *op, const char *arg)
{
	long want, got[4];

	if (strcmp(op, "expect-groups") == 0)
		return check_groups(op, arg);
	if (strcmp(op, "expect-cap") == 0 || strcmp(op, "expect-nocap") == 0)
		return check_cap(op, arg, op[7] == 'c');
	for (size_t i = 0; i < sizeof(id_checks) / sizeof(id_checks[0]); i++) {
		if (strcmp(op, id_checks[i].name) != 0)
			continue;
		if (parse_ids(arg, &want, 1) != 1)
			return -2;
		if (read_status_ids(id_checks[i].field, got) < 0) {
			printf("%s: cannot read %s of /proc/thread-self/status\n", op, id_checks[i].field);
			return 1;
		}
		if (got[id_checks[i].column] != want) {
			printf("%s: expected %ld, got %ld\n", op, want, got[id_checks[i].column]);
			return 1;
		}
		return 0;
	}
	return -2;
}

/* Runs one operation. Returns 0 or -1 with errno; for expect-* 0 or 1. */
static int run_op(const char *op, const char *arg, bool *is_check)
{
	long ids[64];
	int n;

	*is_check = false;
	if (strncmp(op, "expect-", 7) == 0) {
		*is_check = true;
		return check_expect(op, arg);
	}
	if (strcmp(op, "waitfor") == 0) {
		/* 600 polls of 100 ms: a test that never says go fails, it does not hang. */
		for (int i = 0; i < 600; i++) {
			if (access(arg, F_OK) == 0)
				return 0;
			nanosleep(&(struct timespec){ .tv_nsec = 100000000 }, NULL);
		}
		errno = ETIMEDOUT;
		return -1;
	}
	if (strcmp(op, "sleep") == 0) {
		struct timespec ts;

		if (parse_ids(arg, ids, 1) != 1)
			return -2;
		ts.tv_sec = ids[0] / 1000;
		ts.tv_nsec = (ids[0] % 1000) * 1000000;
		nanosleep(&ts, NULL);
		return 0;
	}
	if (strcmp(op, "capdrop") == 0 || strcmp(op, "capraise") == 0) {
		int cap = arg[0] && arg[1] == ':' ? parse_cap(arg + 2) : -1;

		if (cap < 0)
			return -2;
		return cap_change(arg[0], cap, op[3] == 'r');
	}
	if (strcmp(op, "ambient") == 0) {
		int cap = parse_cap(arg);

		if (cap < 0)
			return -2;
		return prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0);
	}
	if (strcmp(op, "keepcaps") == 0)
		return prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
	if (strcmp(op, "unshare-user") == 0)
		return unshare(CLONE_NEWUSER);
	if (strcmp(op, "setgroups") == 0) {
		gid_t gids[64];

		n = parse_ids(arg, ids, 64);
		if (n < 0)
			return -2;
		for (int i = 0; i < n; i++)
			gids[i] = (gid_t)ids[i];
		return setgroups((size_t)n, gids);
	}

	n = parse_ids(arg, ids, 3);
	if (n < 0)
		return -2;
#define NEED(k)                                                                                    \
	do {                                                                                       \
		if (n != (k))                                                                      \
			return -2;                                                                 \
	} while (0)
	if (strcmp(op, "setuid") == 0) {
		NEED(1);
		return setuid((uid_t)ids[0]);
	}
	if (strcmp(op, "setgid") == 0) {
		NEED(1);
		return setgid((gid_t)ids[0]);
	}
	if (strcmp(op, "seteuid") == 0) {
		NEED(1);
		return seteuid((uid_t)ids[0]);
	}
	if (strcmp(op, "setegid") == 0) {
		NEED(1);
		return setegid((gid_t)ids[0]);
	}
	if (strcmp(op, "setreuid") == 0) {
		NEED(2);
		return setreuid((uid_t)ids[0], (uid_t)ids[1]);
	}
	if (strcmp(op, "setregid") == 0) {
		NEED(2);
		return setregid((gid_t)ids[0], (gid_t)ids[1]);
	}
	if (strcmp(op, "setresuid") == 0) {
		NEED(3);
		return setresuid((uid_t)ids[0], (uid_t)ids[1], (uid_t)ids[2]);
	}
	if (strcmp(op, "setresgid") == 0) {
		NEED(3);
		return setresgid((gid_t)ids[0], (gid_t)ids[1], (gid_t)ids[2]);
	}
	if (strcmp(op, "setfsuid") == 0) {
		NEED(1);
		setfsuid((uid_t)ids[0]);
		return 0;
	}
	if (strcmp(op, "setfsgid") == 0) {
		NEED(1);
		setfsgid((gid_t)ids[0]);
		return 0;
	}
#undef NEED
	return -2;
}

static int join_cgroup(const char *dir)
{
	char path[4096], pid[32];
	int fd, len;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
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

static void *idle_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cgroup", required_argument, NULL, 'c' },
		{ "threads", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{}
	};
	const char *cgroup = NULL;
	int threads = 0, c, failed = 0;

	/* Every line out before the next operation: see the header. */
	setvbuf(stdout, NULL, _IONBF, 0);

	while ((c = getopt_long(argc, argv, "c:t:q", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cgroup = optarg;
			break;
		case 't':
			threads = atoi(optarg);
			break;
		case 'q':
			quiet = true;
			break;
		default:
			return 2;
		}
	}
	if (cgroup && join_cgroup(cgroup) < 0) {
		fprintf(stderr, "credop: cannot join cgroup %s: %s\n", cgroup, strerror(errno));
		return 2;
	}
	for (int i = 0; i < threads; i++) {
		pthread_t t;

		if (pthread_create(&t, NULL, idle_thread, NULL) != 0) {
			fprintf(stderr, "credop: cannot start thread %d\n", i);
			return 2;
		}
	}

	if (!quiet)
		printf("credop: pid %d\n", getpid());
	for (int i = optind; i < argc; i++) {
		char spec[256], *arg, *expect;
		bool is_check;
		int r, err;

		if (strcmp(argv[i], "fork") == 0) {
			pid_t child, waited;
			int status;

			fflush(stdout);
			child = fork();
			if (child < 0) {
				printf("fork() = -1 %s\n", strerrorname_np(errno));
				return 1;
			}
			if (child == 0) {
				if (!quiet)
					printf("credop: child pid %d\n", getpid());
				continue;
			}
			do
				waited = waitpid(child, &status, 0);
			while (waited < 0 && errno == EINTR);
			if (waited < 0)
				return 1;
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		}
		if (strncmp(argv[i], "exec:", 5) == 0) {
			/* The new program's argv: its path, then what follows on our line. */
			argv[i] += 5;
			fflush(stdout);
			execv(argv[i], argv + i);
			printf("exec(%s) = -1 %s\n", argv[i], strerrorname_np(errno));
			fflush(stdout);
			return errno == EPERM ? 3 : 1;
		}
		snprintf(spec, sizeof(spec), "%s", argv[i]);
		expect = strchr(spec, '=');
		if (expect)
			*expect++ = '\0';
		arg = strchr(spec, ':');
		if (arg)
			*arg++ = '\0';
		else
			arg = spec + strlen(spec);
		errno = 0;
		r = run_op(spec, arg, &is_check);
		err = errno;
		if (r == -2) {
			fprintf(stderr, "credop: bad operation '%s'\n", argv[i]);
			return 2;
		}
		if (is_check) {
			failed |= r != 0;
			if (!quiet)
				printf("%s:%s %s\n", spec, arg, r ? "FAILED" : "held");
			continue;
		}
		if (!quiet)
			printf("%s(%s) = %d%s%s\n", spec, arg, r, r < 0 ? " " : "",
			       r < 0 ? strerrorname_np(err) : "");
		if (expect) {
			bool want_ok = strcmp(expect, "ok") == 0;
			bool held = want_ok ? r == 0
					    : r < 0 && strerrorname_np(err) &&
						      strcmp(strerrorname_np(err), expect) == 0;

			if (!held) {
				printf("credop: %s: expected %s\n", argv[i], expect);
				failed = 1;
			}
		}
	}
	fflush(stdout);
	return failed ? 1 : 0;
}
