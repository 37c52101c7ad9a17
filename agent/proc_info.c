// SPDX-License-Identifier: LGPL-2.1-or-later
#include "proc_info.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"

/* An entry is re-read after this long: the process may have exec'd since. */
#define PROC_INFO_TTL_NS (1000ull * 1000 * 1000)

struct proc_entry {
	uint32_t pid;
	uint64_t start_boottime_ns;
	uint64_t read_at_ns;
	bool used;
	struct proc_info info;
};

struct proc_cache {
	char proc_root[256];
	unsigned capacity;
	long clock_ticks;
	struct proc_entry *entries; /* direct-mapped by pid */
};

int proc_cache__new(struct proc_cache **out, const char *proc_root, unsigned capacity)
{
	_cleanup_free_ struct proc_cache *cache = calloc(1, sizeof(*cache));

	if (!cache || capacity == 0)
		return -ENOMEM;
	snprintf(cache->proc_root, sizeof(cache->proc_root), "%s", proc_root);
	cache->capacity = capacity;
	cache->clock_ticks = sysconf(_SC_CLK_TCK);
	if (cache->clock_ticks <= 0)
		cache->clock_ticks = 100;
	cache->entries = calloc(capacity, sizeof(*cache->entries));
	if (!cache->entries)
		return -ENOMEM;
	*out = TAKE_PTR(cache);
	return 0;
}

void proc_cache__free(struct proc_cache *cache)
{
	if (!cache)
		return;
	free(cache->entries);
	free(cache);
}

static ssize_t read_small_file(const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return negative_errno();
	n = read(fd, buf, size - 1);
	if (n < 0)
		return negative_errno();
	buf[n] = '\0';
	return n;
}

/*
 * Field 22 of /proc/PID/stat is the start time in clock ticks since boot,
 * the same task->start_boottime the kernel reports, at lower resolution.
 */
static int read_start_ticks(const struct proc_cache *cache, uint32_t pid, uint64_t *ticks)
{
	char path[300], buf[1024];
	const char *p;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%u/stat", cache->proc_root, pid);
	n = read_small_file(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	/* comm may contain spaces and parentheses: fields start after the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -EBADMSG;
	p++;
	for (int field = 3; field < 22; field++) {
		p = strchr(p + 1, ' ');
		if (!p)
			return -EBADMSG;
	}
	*ticks = strtoull(p + 1, NULL, 10);
	return 0;
}

static bool read_link(const struct proc_cache *cache, uint32_t pid, const char *name, char *buf,
		      size_t size)
{
	char path[300];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%u/%s", cache->proc_root, pid, name);
	n = readlink(path, buf, size - 1);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return true;
}

/* argv[1..] joined by spaces, as the reference tool reports "arguments". */
static bool read_arguments(const struct proc_cache *cache, uint32_t pid, char *buf, size_t size)
{
	char path[300];
	ssize_t n;
	char *first_nul;

	snprintf(path, sizeof(path), "%s/%u/cmdline", cache->proc_root, pid);
	n = read_small_file(path, buf, size);
	if (n <= 0)
		return false;
	first_nul = memchr(buf, '\0', (size_t)n);
	if (!first_nul || first_nul + 1 >= buf + n) {
		buf[0] = '\0';
		return true;
	}
	n -= first_nul + 1 - buf;
	memmove(buf, first_nul + 1, (size_t)n);
	buf[n] = '\0';
	/* Trailing NUL of the last argument, then NULs between arguments. */
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
	buf[n] = '\0';
	return true;
}

const struct proc_info *proc_cache__get(struct proc_cache *cache, uint32_t pid,
					uint64_t start_boottime_ns, uint64_t now_boottime_ns)
{
	struct proc_entry *e = &cache->entries[pid % cache->capacity];
	uint64_t ticks, expected;

	if (e->used && e->pid == pid && e->start_boottime_ns == start_boottime_ns &&
	    now_boottime_ns - e->read_at_ns < PROC_INFO_TTL_NS)
		return &e->info;

	if (read_start_ticks(cache, pid, &ticks) < 0)
		return NULL;
	expected = start_boottime_ns / (1000000000ull / (uint64_t)cache->clock_ticks);
	if (ticks != expected)
		return NULL; /* the pid belongs to another process now */

	memset(e, 0, sizeof(*e));
	e->pid = pid;
	e->start_boottime_ns = start_boottime_ns;
	e->read_at_ns = now_boottime_ns;
	e->info.has_binary = read_link(cache, pid, "exe", e->info.binary, sizeof(e->info.binary));
	e->info.has_cwd = read_link(cache, pid, "cwd", e->info.cwd, sizeof(e->info.cwd));
	e->info.has_arguments =
		read_arguments(cache, pid, e->info.arguments, sizeof(e->info.arguments));
	e->used = true;
	return &e->info;
}
