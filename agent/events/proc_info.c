// SPDX-License-Identifier: LGPL-2.1-or-later
#include "proc_info.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context.h"
#include "macro.h"

static ssize_t read_small_file(const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n;

	if (fd < 0)
		return negative_errno();
	n = read(fd, buf, size - 1);
	if (n < 0)
		return negative_errno();
	buf[n] = '\0';
	return n;
}

static void proc_path(char *path, size_t size, const char *root, uint32_t pid, const char *name)
{
	snprintf(path, size, "%s/%u/%s", root, pid, name);
}

int proc_read_stat(const char *proc_root, uint32_t pid, struct proc_stat *st)
{
	char path[512], buf[1024];
	const char *open_paren, *p;
	size_t comm_len;
	ssize_t n;

	proc_path(path, sizeof(path), proc_root, pid, "stat");
	n = read_small_file(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	/* comm may hold spaces and parentheses: it ends at the last ')'. */
	open_paren = strchr(buf, '(');
	p = strrchr(buf, ')');
	if (!open_paren || !p || p < open_paren)
		return -EBADMSG;
	comm_len = (size_t)(p - open_paren - 1);
	if (comm_len >= sizeof(st->comm))
		comm_len = sizeof(st->comm) - 1;
	memcpy(st->comm, open_paren + 1, comm_len);
	st->comm[comm_len] = '\0';
	/* ") S PPID ...": field 3 is the state, 4 the parent, 22 the start time. */
	p++;
	for (int field = 3; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EBADMSG;
		if (field == 3)
			st->ppid = (uint32_t)strtoul(p + 1, NULL, 10);
	}
	st->start_ticks = strtoull(p + 1, NULL, 10);
	return 0;
}

int proc_exe_unlinked(const char *proc_root, uint32_t pid)
{
	char path[512];
	struct stat st;

	proc_path(path, sizeof(path), proc_root, pid, "exe");
	if (stat(path, &st) < 0)
		return negative_errno();
	return st.st_nlink == 0;
}

int proc_read_link(const char *proc_root, uint32_t pid, const char *name, char *buf, size_t size)
{
	char path[512];
	ssize_t n;

	proc_path(path, sizeof(path), proc_root, pid, name);
	n = readlink(path, buf, size - 1);
	if (n < 0)
		return negative_errno();
	buf[n] = '\0';
	return (int)n;
}

size_t proc_join_arguments(const char *argv, size_t len, char *buf, size_t size, bool *truncated)
{
	const char *first_nul = memchr(argv, '\0', len);
	const char *p, *end = argv + len;
	size_t out = 0;

	*truncated = false;
	if (size == 0)
		return 0;
	buf[0] = '\0';
	if (!first_nul)
		return 0; /* argv[0] alone, cut: no arguments seen */
	p = first_nul + 1;
	/* The trailing NUL of the last argument, and any NUL padding. */
	while (end > p && end[-1] == '\0')
		end--;
	for (; p < end; p++) {
		if (out + 1 >= size) {
			*truncated = true;
			break;
		}
		buf[out++] = *p ? *p : ' ';
	}
	buf[out] = '\0';
	return out;
}

int proc_read_arguments(const char *proc_root, uint32_t pid, char *buf, size_t size, bool *truncated)
{
	char path[512], raw[PROC_INFO_MAX_ARGS + 256];
	ssize_t n;

	proc_path(path, sizeof(path), proc_root, pid, "cmdline");
	n = read_small_file(path, raw, sizeof(raw));
	if (n < 0)
		return (int)n;
	if (n == 0)
		return -ENOENT; /* a kernel thread, or a zombie */
	/* A full read may have cut the last argument. */
	if ((size_t)n == sizeof(raw) - 1) {
		size_t len = proc_join_arguments(raw, (size_t)n, buf, size, truncated);

		*truncated = true;
		return (int)len;
	}
	return (int)proc_join_arguments(raw, (size_t)n, buf, size, truncated);
}

static uint32_t last_number(const char *s)
{
	const char *last = NULL;

	for (const char *p = s; *p && *p != '\n'; p++)
		if (*p >= '0' && *p <= '9' && (p == s || p[-1] == ' ' || p[-1] == '\t'))
			last = p;
	return last ? (uint32_t)strtoul(last, NULL, 10) : 0;
}

int proc_read_status(const char *proc_root, uint32_t pid, uint32_t *uid, uint32_t *nspid)
{
	char path[512], buf[4096];
	const char *line;
	ssize_t n;

	proc_path(path, sizeof(path), proc_root, pid, "status");
	n = read_small_file(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	*nspid = pid;
	line = strstr(buf, "\nUid:");
	if (!line)
		return -EBADMSG;
	*uid = (uint32_t)strtoul(line + 5, NULL, 10);
	line = strstr(buf, "\nNSpid:");
	if (line)
		*nspid = last_number(line + 7);
	return 0;
}

int proc_read_loginuid(const char *proc_root, uint32_t pid, uint32_t *auid)
{
	char path[512], buf[32];
	ssize_t n;

	proc_path(path, sizeof(path), proc_root, pid, "loginuid");
	n = read_small_file(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	*auid = (uint32_t)strtoul(buf, NULL, 10);
	return 0;
}

int proc_read_selinux_context(const char *proc_root, uint32_t pid, char *buf, size_t size)
{
	/* One byte more than a context may have: a longer one is refused, not cut. */
	char path[512], text[SELINUX_CONTEXT_MAX + 2];
	struct selinux_context_parts parts;
	ssize_t n;
	int r;

	proc_path(path, sizeof(path), proc_root, pid, "attr/current");
	n = read_small_file(path, text, sizeof(text));
	if (n < 0)
		return (int)n;
	/* SELinux ends the context with its NUL; some kernels add a newline. */
	while (n > 0 && (text[n - 1] == '\0' || text[n - 1] == '\n'))
		n--;
	r = selinux_context_parse(text, (size_t)n, &parts);
	if (r < 0)
		return r;
	if ((size_t)n >= size)
		return -ENOBUFS;
	memcpy(buf, text, (size_t)n);
	buf[n] = '\0';
	return (int)n;
}

int proc_for_each_pid(const char *proc_root, bool (*visit)(void *ctx, uint32_t pid), void *ctx)
{
	DIR *dir = opendir(proc_root);
	struct dirent *d;
	int n = 0;

	if (!dir)
		return negative_errno();
	while ((d = readdir(dir))) {
		char *end;
		unsigned long pid = strtoul(d->d_name, &end, 10);

		if (*end || !pid || pid > UINT32_MAX)
			continue;
		if (visit(ctx, (uint32_t)pid) && n < INT_MAX)
			n++;
	}
	closedir(dir);
	return n;
}
