// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cgrace: create a cgroup, put a process in it at once, and have it try to
 * regain euid 0 -- many times. Proves that a cgroup created after the policy
 * was loaded is governed from its first instruction: every attempt must be
 * refused, however soon after the cgroup's creation it comes.
 *
 *   cgrace --parent DIR --count N [--prefix P] [--suffix S]
 *
 * Cgroup i is DIR/P<i>S. Even i: the child is forked and writes its own pid
 * to cgroup.procs. Odd i: the child is born inside the cgroup with clone3()
 * and CLONE_INTO_CGROUP. Each child does seteuid(1000) then seteuid(0),
 * which must fail with EPERM. Prints "denied X of N"; exit 0 when X == N.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* The child: 0 when the regain was refused with EPERM. */
static int try_regain(void)
{
	if (seteuid(1000) != 0)
		return 2;
	if (seteuid(0) == 0)
		return 1;
	return errno == EPERM ? 0 : 3;
}

static int join(const char *dir)
{
	char path[4096 + 16], pid[32];
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

static pid_t spawn_into(int cgroup_fd)
{
	struct clone_args args = {
		.flags = CLONE_INTO_CGROUP,
		.exit_signal = SIGCHLD,
		.cgroup = (uint64_t)cgroup_fd,
	};

	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "parent", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'n' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "suffix", required_argument, NULL, 's' },
		{}
	};
	const char *parent = NULL, *prefix = "docker-", *suffix = ".scope";
	int count = 1000, denied = 0, c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			parent = optarg;
			break;
		case 'n':
			count = atoi(optarg);
			break;
		case 'p':
			prefix = optarg;
			break;
		case 's':
			suffix = optarg;
			break;
		default:
			return 2;
		}
	}
	if (!parent || count <= 0) {
		fprintf(stderr, "usage: cgrace --parent DIR --count N [--prefix P] [--suffix S]\n");
		return 2;
	}
	for (int i = 0; i < count; i++) {
		char dir[4096];
		int status, fd = -1;

		if (strlen(parent) + strlen(prefix) + strlen(suffix) + 16 > sizeof(dir)) {
			fprintf(stderr, "cgrace: names too long\n");
			return 2;
		}
		pid_t pid;

		snprintf(dir, sizeof(dir), "%s/%s%d%s", parent, prefix, i, suffix);
		if (mkdir(dir, 0755) < 0) {
			fprintf(stderr, "cgrace: mkdir %s: %s\n", dir, strerror(errno));
			return 1;
		}
		if (i % 2) {
			fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			pid = fd >= 0 ? spawn_into(fd) : -1;
			if (pid == 0)
				_exit(try_regain());
		} else {
			pid = fork();
			if (pid == 0)
				_exit(join(dir) == 0 ? try_regain() : 4);
		}
		if (pid < 0) {
			fprintf(stderr, "cgrace: cannot start a child: %s\n", strerror(errno));
			return 1;
		}
		if (fd >= 0)
			close(fd);
		if (waitpid(pid, &status, 0) < 0)
			return 1;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			denied++;
		else
			fprintf(stderr, "cgrace: %s: child status %d\n", dir, status);
		if (rmdir(dir) < 0)
			fprintf(stderr, "cgrace: rmdir %s: %s\n", dir, strerror(errno));
	}
	printf("denied %d of %d\n", denied, count);
	return denied == count ? 0 : 1;
}
