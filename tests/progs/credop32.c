// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * credop32: credential changes through the IA-32 system call table, made
 * with int $0x80 from this 64-bit process, as an attacker would to slip past
 * programs that watch only the x86-64 calls. No 32-bit libraries needed:
 * the calls are inline assembly.
 *
 *   credop32 [--cgroup DIR] OP[=EXPECT]...
 *
 * OP is one of
 *   setuid32:U setgid32:G setreuid32:R,E setregid32:R,E
 *   setresuid32:R,E,S setresgid32:R,E,S setfsuid32:U setfsgid32:G
 *   setgroups32:G1,G2,...      (no ids: none)
 *   setuid16:U ... setgroups16:G1,...  the legacy IA-32 calls (setuid, ...
 *                              in syscall_32.tbl), whose ids are 16 bits:
 *                              -1 is passed as 0xffff
 *   capdrop32:CAP              capset: drop capability number CAP from
 *                              every set (the sets are read with capget)
 *   seteuid64:U                the x86-64 setresuid(-1, U, -1), to prepare
 *   expect-uid:U expect-euid:U expect-suid:U expect-fsuid:U
 *   expect-gid:G expect-egid:G expect-sgid:G expect-fsgid:G
 *   expect-groups:G1,...       the supplementary groups, as a set (none: empty)
 * EXPECT is "ok" or an errno name (EPERM). setfs* return the old id and
 * never fail: check the result with expect-fsuid. An unknown name is a
 * usage error, never a check that holds.
 *
 * Each call prints one line, "setuid32(0) = -1 EPERM", with one write(2)
 * before the next operation runs: a test that SIGKILLs credop32 in a call
 * sees the lines of the calls before it and none after.
 *
 * Exit status: 0 when every expectation held, 1 when one did not, 2 on a
 * usage error (or a kernel without IA-32 emulation: int $0x80 faults).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* MAP_32BIT, strerrorname_np */
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

/* arch/x86/entry/syscalls/syscall_32.tbl */
static const struct {
	const char *op;
	const char *name; /* as the IA-32 table names it */
	long nr;
	int nargs;
	bool uid16;
	bool groups;
} calls[] = {
	{ "setuid16", "setuid", 23, 1, true, false },
	{ "setgid16", "setgid", 46, 1, true, false },
	{ "setreuid16", "setreuid", 70, 2, true, false },
	{ "setregid16", "setregid", 71, 2, true, false },
	{ "setgroups16", "setgroups", 81, 2, true, true },
	{ "setfsuid16", "setfsuid", 138, 1, true, false },
	{ "setfsgid16", "setfsgid", 139, 1, true, false },
	{ "setresuid16", "setresuid", 164, 3, true, false },
	{ "setresgid16", "setresgid", 170, 3, true, false },
	{ "setreuid32", "setreuid32", 203, 2, false, false },
	{ "setregid32", "setregid32", 204, 2, false, false },
	{ "setgroups32", "setgroups32", 206, 2, false, true },
	{ "setresuid32", "setresuid32", 208, 3, false, false },
	{ "setresgid32", "setresgid32", 210, 3, false, false },
	{ "setuid32", "setuid32", 213, 1, false, false },
	{ "setgid32", "setgid32", 214, 1, false, false },
	{ "setfsuid32", "setfsuid32", 215, 1, false, false },
	{ "setfsgid32", "setfsgid32", 216, 1, false, false },
};
#define IA32_NR_CAPSET 185
#define MAX_GROUPS 64

static bool failed;

/* An IA-32 system call from 64-bit code: number in eax, arguments in ebx, ecx, edx. */
static long ia32_syscall(long nr, unsigned long a, unsigned long b, unsigned long c)
{
	long ret = nr;

	__asm__ volatile("int $0x80" : "+a"(ret) : "b"(a), "c"(b), "d"(c) : "r8", "r9", "r10", "r11", "memory");
	return (int)ret;
}

/* Memory an IA-32 call can address: its pointers are 32 bits. */
static void *low_page(void)
{
	static void *page;

	if (!page) {
		page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
		if (page == MAP_FAILED) {
			fprintf(stderr, "credop32: mmap(MAP_32BIT): %s\n", strerror(errno));
			exit(2);
		}
	}
	return page;
}

static void say(const char *line)
{
	ssize_t n = write(STDOUT_FILENO, line, strlen(line));

	(void)n;
}

static bool parse_long(const char *s, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	return errno == 0 && end != s && *end == '\0' && *v >= -1 && *v <= 0xffffffffL;
}

/* "1,2,3" into @ids; returns how many, or -1. */
static int parse_ids(const char *s, long *ids, int max)
{
	char buf[512], *save = NULL, *tok;
	int n = 0;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == max || !parse_long(tok, &ids[n]))
			return -1;
		n++;
	}
	return n;
}

static int errno_by_name(const char *name)
{
	static const struct {
		const char *name;
		int err;
	} names[] = { { "EPERM", EPERM }, { "EINVAL", EINVAL }, { "EFAULT", EFAULT }, { "ENOSYS", ENOSYS } };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].name, name) == 0)
			return names[i].err;
	return -1;
}

static void check(const char *what, long ret, bool setfs, const char *expect)
{
	char line[256];

	if (ret < 0)
		snprintf(line, sizeof(line), "%s = -1 %s\n", what, strerrorname_np((int)-ret) ?: "?");
	else
		snprintf(line, sizeof(line), "%s = %ld\n", what, ret);
	say(line);
	if (!expect || setfs)
		return;
	if (strcmp(expect, "ok") == 0 ? ret < 0 : ret != -errno_by_name(expect)) {
		fprintf(stderr, "credop32: %s: expected %s\n", what, expect);
		failed = true;
	}
}

static int run_call(size_t c, const char *args, const char *expect)
{
	long ids[MAX_GROUPS];
	unsigned long a[3] = { 0, 0, 0 };
	char what[600];
	size_t off;
	int n = parse_ids(args, ids, calls[c].groups ? MAX_GROUPS : 3);

	if (n < 0 || (!calls[c].groups && n != calls[c].nargs)) {
		fprintf(stderr, "credop32: %s: bad ids '%s'\n", calls[c].op, args);
		return 2;
	}
	off = (size_t)snprintf(what, sizeof(what), "%s(", calls[c].name);
	if (calls[c].groups) {
		void *list = low_page();

		for (int i = 0; i < n; i++) {
			if (calls[c].uid16)
				((unsigned short *)list)[i] = (unsigned short)ids[i];
			else
				((unsigned int *)list)[i] = (unsigned int)ids[i];
			off += (size_t)snprintf(what + off, sizeof(what) - off, "%s%ld", i ? "," : "[", ids[i]);
		}
		snprintf(what + off, sizeof(what) - off, "%s)", n ? "]" : "[]");
		a[0] = (unsigned long)n;
		a[1] = (unsigned long)list;
	} else {
		for (int i = 0; i < n; i++) {
			/* A 16-bit call reads the low 16 bits: -1 becomes 0xffff, as a 16-bit caller passes it. */
			a[i] = calls[c].uid16 ? (unsigned short)ids[i] : (unsigned int)ids[i];
			off += (size_t)snprintf(what + off, sizeof(what) - off, "%s%ld", i ? ", " : "", ids[i]);
		}
		snprintf(what + off, sizeof(what) - off, ")");
	}
	check(what, ia32_syscall(calls[c].nr, a[0], a[1], a[2]), strncmp(calls[c].name, "setfs", 5) == 0, expect);
	return 0;
}

static int capdrop32(const char *arg, const char *expect)
{
	struct __user_cap_header_struct *hdr = low_page();
	struct __user_cap_data_struct *data = (void *)(hdr + 1);
	char what[64];
	long cap;

	if (!parse_long(arg, &cap) || cap < 0 || cap > 63) {
		fprintf(stderr, "credop32: capdrop32: bad capability '%s'\n", arg);
		return 2;
	}
	*hdr = (struct __user_cap_header_struct){ .version = _LINUX_CAPABILITY_VERSION_3 };
	if (syscall(SYS_capget, hdr, data) < 0) {
		fprintf(stderr, "credop32: capget: %s\n", strerror(errno));
		return 2;
	}
	data[cap / 32].effective &= ~(1u << (cap % 32));
	data[cap / 32].permitted &= ~(1u << (cap % 32));
	data[cap / 32].inheritable &= ~(1u << (cap % 32));
	*hdr = (struct __user_cap_header_struct){ .version = _LINUX_CAPABILITY_VERSION_3 };
	snprintf(what, sizeof(what), "capset(drop %ld)", cap);
	check(what, ia32_syscall(IA32_NR_CAPSET, (unsigned long)hdr, (unsigned long)data, 0), false, expect);
	return 0;
}

static int expect_ids(const char *name, const char *arg)
{
	static const char *const names[] = { "uid", "euid", "suid", "fsuid", "gid", "egid", "sgid", "fsgid" };
	unsigned int r[3], fs;
	long want;
	int i;

	for (i = 0; i < 8 && strcmp(names[i], name) != 0; i++)
		;
	if (i == 8 || !parse_long(arg, &want))
		return 2;
	if (i < 4)
		syscall(SYS_getresuid, &r[0], &r[1], &r[2]), fs = (unsigned int)syscall(SYS_setfsuid, -1);
	else
		syscall(SYS_getresgid, &r[0], &r[1], &r[2]), fs = (unsigned int)syscall(SYS_setfsgid, -1);
	if ((i % 4 == 3 ? fs : r[i % 4]) != (unsigned int)want) {
		fprintf(stderr, "credop32: expected %s %ld, have %u\n", name, want, i % 4 == 3 ? fs : r[i % 4]);
		failed = true;
	}
	return 0;
}

static int expect_groups(const char *arg)
{
	long want[MAX_GROUPS];
	gid_t have[MAX_GROUPS];
	int n = strcmp(arg, "none") == 0 ? 0 : parse_ids(arg, want, MAX_GROUPS);
	int m = (int)syscall(SYS_getgroups, MAX_GROUPS, have);

	if (n < 0)
		return 2;
	if (m < 0) {
		fprintf(stderr, "credop32: getgroups: %s\n", strerror(errno));
		failed = true;
		return 0;
	}
	for (int i = 0; i < n; i++) {
		bool found = false;

		for (int j = 0; j < m; j++)
			found |= have[j] == (gid_t)want[i];
		if (!found)
			m = -1;
	}
	if (m != n) {
		fprintf(stderr, "credop32: the groups are not %s\n", arg);
		failed = true;
	}
	return 0;
}

static int join_cgroup(const char *dir)
{
	char path[4096], pid[32];
	int fd, len, ok;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	len = snprintf(pid, sizeof(pid), "%d", getpid());
	ok = write(fd, pid, (size_t)len) == len;
	close(fd);
	return ok ? 0 : -1;
}

static int run_op(const char *op)
{
	char buf[1024], *colon, *eq, *expect = NULL;
	const char *args;

	if (strlen(op) >= sizeof(buf))
		return 2;
	strcpy(buf, op);
	eq = strrchr(buf, '=');
	if (eq) {
		*eq = '\0';
		expect = eq + 1;
		if (strcmp(expect, "ok") != 0 && errno_by_name(expect) < 0)
			return 2;
	}
	colon = strchr(buf, ':');
	if (!colon)
		return 2;
	*colon = '\0';
	args = colon + 1;
	if (strncmp(buf, "expect-", 7) == 0) {
		if (expect)
			return 2;
		return strcmp(buf, "expect-groups") == 0 ? expect_groups(args) : expect_ids(buf + 7, args);
	}
	if (strcmp(buf, "capdrop32") == 0)
		return capdrop32(args, expect);
	if (strcmp(buf, "seteuid64") == 0) {
		long euid;
		char what[64];

		if (!parse_long(args, &euid))
			return 2;
		snprintf(what, sizeof(what), "seteuid64(%ld)", euid);
		check(what, syscall(SYS_setresuid, -1, (uid_t)euid, -1) < 0 ? -errno : 0, false, expect);
		return 0;
	}
	for (size_t c = 0; c < sizeof(calls) / sizeof(calls[0]); c++)
		if (strcmp(buf, calls[c].op) == 0)
			return run_call(c, args, expect);
	return 2;
}

int main(int argc, char **argv)
{
	int i = 1;

	if (i + 1 < argc && strcmp(argv[i], "--cgroup") == 0) {
		if (join_cgroup(argv[i + 1]) < 0) {
			fprintf(stderr, "credop32: cannot join cgroup %s: %s\n", argv[i + 1], strerror(errno));
			return 2;
		}
		i += 2;
	}
	if (i == argc) {
		fprintf(stderr, "usage: credop32 [--cgroup DIR] OP[=EXPECT]...\n");
		return 2;
	}
	for (; i < argc; i++) {
		if (run_op(argv[i]) != 0) {
			fprintf(stderr, "credop32: bad operation '%s'\n", argv[i]);
			return 2;
		}
	}
	return failed ? 1 : 0;
}
