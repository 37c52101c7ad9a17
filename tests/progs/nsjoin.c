// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * nsjoin: hold namespaces, or join them with setns() and check the outcome.
 * The VM's busybox has no setns() with a pidfd, an expected errno, or an
 * IA-32 call from a 64-bit process; the userns attack test needs all three.
 *
 *   nsjoin hold READY TYPES
 *       unshare(TYPES other than user), then unshare(CLONE_NEWUSER), so that
 *       the other namespaces belong to the caller's user namespace and only
 *       the user namespace is new to it; create the file READY; wait to be
 *       killed.
 *   nsjoin [--cgroup DIR] [--ia32] join TARGET NSTYPE EXPECT
 *       TARGET  a namespace file (/proc/PID/ns/user), opened read-only, or
 *               pid:PID, a pidfd (pidfd_open)
 *       NSTYPE  0, or namespace names joined by '+': user, mnt, uts, ipc,
 *               net, pid, cgroup, time
 *       EXPECT  ok, or the errno name setns() must fail with (EPERM)
 *       --ia32  make the call through the IA-32 table (int $0x80, setns is
 *               346 there), as a 32-bit program or a 64-bit one can
 *     After a setns() that succeeded, each namespace named (or, for NSTYPE
 *     0, the namespace file's own) must now be this process's: its
 *     /proc/self/ns link reads the same as the target's.
 *
 * Prints one line per step, unbuffered. Exit status: 0 when the expectation
 * held, 1 when it did not, 2 on a usage or setup error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#define IA32_NR_SETNS 346 /* arch/x86/entry/syscalls/syscall_32.tbl */

static const struct {
	const char *name;
	int flag;
} ns_types[] = {
	{ "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },     { "uts", CLONE_NEWUTS },
	{ "ipc", CLONE_NEWIPC },   { "net", CLONE_NEWNET },    { "pid", CLONE_NEWPID },
	{ "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
};
#define NTYPES (sizeof(ns_types) / sizeof(ns_types[0]))

/* "user+uts" -> CLONE_NEWUSER | CLONE_NEWUTS; "0" -> 0; -1 for anything else. */
static int parse_types(const char *s)
{
	char buf[128], *save = NULL;
	int flags = 0;

	if (strcmp(s, "0") == 0)
		return 0;
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (char *t = strtok_r(buf, "+", &save); t; t = strtok_r(NULL, "+", &save)) {
		size_t i;

		for (i = 0; i < NTYPES && strcmp(t, ns_types[i].name) != 0; i++)
			;
		if (i == NTYPES)
			return -1;
		flags |= ns_types[i].flag;
	}
	return flags ? flags : -1;
}

static int join_cgroup(const char *dir)
{
	char path[4096], pid[32];
	int fd, len;

	if ((size_t)snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >= sizeof(path))
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

static int hold(const char *ready, const char *types)
{
	int flags = parse_types(types), fd;

	if (flags <= 0)
		return 2;
	if ((flags & ~CLONE_NEWUSER) && unshare(flags & ~CLONE_NEWUSER) < 0) {
		printf("nsjoin: unshare(%s) = -1 %s\n", types, strerrorname_np(errno));
		return 2;
	}
	if ((flags & CLONE_NEWUSER) && unshare(CLONE_NEWUSER) < 0) {
		printf("nsjoin: unshare(user) = -1 %s\n", strerrorname_np(errno));
		return 2;
	}
	fd = open(ready, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		printf("nsjoin: cannot create %s: %s\n", ready, strerror(errno));
		return 2;
	}
	close(fd);
	printf("nsjoin: holding %s as pid %d\n", types, getpid());
	for (;;)
		pause();
}

/* setns() through the IA-32 system call table: eax = 346, ebx = fd, ecx = nstype. */
static long setns_ia32(int fd, int nstype)
{
	long ret;

	asm volatile("int $0x80"
		     : "=a"(ret)
		     : "0"((long)IA32_NR_SETNS), "b"((long)fd), "c"((long)nstype)
		     : "r8", "r9", "r10", "r11", "memory", "cc");
	if (ret < 0 && ret > -4096) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}

/* The namespace link /proc/PID/ns/NAME ("user:[4026531837]"), or "" on error. */
static void ns_link(const char *pid, const char *name, char *buf, size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%s/ns/%s", pid, name);
	n = readlink(path, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
}

/* After a successful join: is each namespace in @flags now the target's? */
static int check_joined(const char *target, int flags)
{
	char want[128], got[128], pid[32];
	int failed = 0;

	if (strncmp(target, "pid:", 4) == 0) {
		snprintf(pid, sizeof(pid), "%s", target + 4);
	} else {
		/* /proc/PID/ns/NAME: the holder's pid, and (NSTYPE 0) the type from NAME. */
		const char *p = strncmp(target, "/proc/", 6) == 0 ? target + 6 : NULL;
		const char *slash = p ? strchr(p, '/') : NULL;

		if (!slash || (size_t)(slash - p) >= sizeof(pid) || strncmp(slash, "/ns/", 4) != 0) {
			printf("nsjoin: cannot check a join through %s\n", target);
			return 1;
		}
		snprintf(pid, sizeof(pid), "%.*s", (int)(slash - p), p);
		if (!flags)
			flags = parse_types(slash + 4);
		if (flags <= 0) {
			printf("nsjoin: unknown namespace file %s\n", target);
			return 1;
		}
	}
	for (size_t i = 0; i < NTYPES; i++) {
		if (!(flags & ns_types[i].flag))
			continue;
		ns_link(pid, ns_types[i].name, want, sizeof(want));
		ns_link("self", ns_types[i].name, got, sizeof(got));
		if (!want[0] || strcmp(want, got) != 0) {
			printf("nsjoin: %s namespace is %s, the target's is %s\n", ns_types[i].name,
			       got[0] ? got : "?", want[0] ? want : "?");
			failed = 1;
		} else {
			printf("nsjoin: joined %s\n", want);
		}
	}
	return failed;
}

static int join(const char *target, const char *types, const char *expect, bool ia32)
{
	int nstype = parse_types(types), fd, err;
	long r;

	if (nstype < 0)
		return 2;
	if (strncmp(target, "pid:", 4) == 0) {
		char *end;
		long pid = strtol(target + 4, &end, 10);

		if (!target[4] || *end || pid <= 0 || pid > 0x7fffffff)
			return 2;
		fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	} else {
		fd = open(target, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0) {
		printf("nsjoin: cannot open %s: %s\n", target, strerrorname_np(errno));
		return 2;
	}
	errno = 0;
	r = ia32 ? setns_ia32(fd, nstype) : setns(fd, nstype);
	err = errno;
	printf("%s(%s, %s) = %ld%s%s\n", ia32 ? "setns[ia32]" : "setns", target, types, r,
	       r < 0 ? " " : "", r < 0 ? strerrorname_np(err) : "");
	close(fd);
	if (strcmp(expect, "ok") == 0) {
		if (r != 0) {
			printf("nsjoin: expected ok\n");
			return 1;
		}
		return check_joined(target, nstype);
	}
	if (r == 0 || !strerrorname_np(err) || strcmp(strerrorname_np(err), expect) != 0) {
		printf("nsjoin: expected %s\n", expect);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cgroup", required_argument, NULL, 'c' },
		{ "ia32", no_argument, NULL, 'i' },
		{},
	};
	const char *cgroup = NULL;
	bool ia32 = false;
	int c;

	setvbuf(stdout, NULL, _IONBF, 0);
	while ((c = getopt_long(argc, argv, "c:i", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cgroup = optarg;
			break;
		case 'i':
			ia32 = true;
			break;
		default:
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (cgroup && join_cgroup(cgroup) < 0) {
		fprintf(stderr, "nsjoin: cannot join cgroup %s: %s\n", cgroup, strerror(errno));
		return 2;
	}
	if (argc == 3 && strcmp(argv[0], "hold") == 0 && !ia32)
		return hold(argv[1], argv[2]);
	if (argc == 4 && strcmp(argv[0], "join") == 0)
		return join(argv[1], argv[2], argv[3], ia32);
	fprintf(stderr, "usage: nsjoin hold READY TYPES | nsjoin [--cgroup DIR] [--ia32] join TARGET NSTYPE EXPECT\n");
	return 2;
}
