// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Over 600 lines on purpose: this is one data structure, the table of
 * processes by (pid, start time), with the three things that feed it (a
 * /proc scan at start, exec/fork/exit records, the cg_task_execs map to
 * re-check), and all of them fill the same private entries and share their
 * reference-counted strings. Split by feeder, each part would need the
 * entry and the table's internals in a header, and the invariants (an
 * entry is in the hash chain and, once exited, on the exited list) would
 * be kept in three files. The pure helpers at the top (exec ids, flags)
 * are the one clean seam, and are small.
 */
#include "process_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "context.h"
#include "macro.h"
#include "proc_info.h"

#define DEFAULT_MAX_ENTRIES 65536
#define DEFAULT_GRACE_NS (30ull * 1000 * 1000 * 1000)
#define AUID_UNSET 4294967295u

/* binary, arguments and cwd of one program: shared by a process and its clones. */
struct process_strings {
	uint32_t refs;
	uint32_t size;		    /* bytes of data */
	uint32_t binary_flags;	    /* PROCESS_F_BINARY_MASK bits: how binary names the program */
	int32_t binary, args, cwd, context; /* offsets into data, -1 when absent */
	char data[];
};

struct process_entry {
	struct process_entry *hnext;	     /* hash chain, by pid */
	struct process_entry *xprev, *xnext; /* exited list, oldest first */
	struct process_strings *strings;
	struct process_info info;
};

struct process_cache {
	char proc_root[256];
	char cgroup_root[256];
	int task_execs_fd;
	bool selinux_contexts;
	unsigned max_entries;
	uint64_t grace_ns;
	uint32_t next_version;
	size_t nbuckets; /* a power of two */
	struct process_entry **buckets;
	struct process_entry *exited_head, *exited_tail;
	uint64_t last_verify;
	struct process_cache_stats stats;
};

/* When this full, check running processes against /proc: their exit may have been lost. */
#define VERIFY_PERCENT 90
#define VERIFY_INTERVAL_NS (10ull * 1000 * 1000 * 1000)

static uint64_t ns_per_tick(void)
{
	static uint64_t cached;

	if (!cached) {
		long ticks = sysconf(_SC_CLK_TCK);

		cached = 1000000000ull / (uint64_t)(ticks > 0 ? ticks : 100);
	}
	return cached;
}

uint64_t process_coarse_start(uint64_t start_boottime)
{
	uint64_t tick = ns_per_tick();

	return start_boottime / tick * tick;
}

uint64_t process_event_key(const struct cg_event_header *hdr)
{
	return hdr->exec_boottime ? hdr->exec_boottime : process_coarse_start(hdr->start_boottime);
}

int process_exec_id(const char *node, uint64_t exec_boottime, uint32_t pid, char *buf, size_t size)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char raw[320];
	int n = snprintf(raw, sizeof(raw), "%s:%llu:%u", node ? node : "", (unsigned long long)exec_boottime, pid);
	size_t out = 0, len;

	if (n < 0 || (size_t)n >= sizeof(raw))
		return -ENOBUFS;
	len = (size_t)n;
	if ((len + 2) / 3 * 4 + 1 > size)
		return -ENOBUFS;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)(unsigned char)raw[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)(unsigned char)raw[i + 1] << 8;
		if (i + 2 < len)
			v |= (unsigned char)raw[i + 2];
		buf[out++] = b64[(v >> 18) & 63];
		buf[out++] = b64[(v >> 12) & 63];
		buf[out++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		buf[out++] = i + 2 < len ? b64[v & 63] : '=';
	}
	buf[out] = '\0';
	return (int)out;
}

void process_flags_string(uint32_t flags, char *buf, size_t size)
{
	static const struct {
		uint32_t flag;
		const char *name;
	} names[] = {
		{ PROCESS_F_EXECVE, "execve" },	   { PROCESS_F_PROCFS, "procFS" },
		{ PROCESS_F_TRUNC_ARGS, "truncArgs" }, { PROCESS_F_ROOTCWD, "rootcwd" },
		{ PROCESS_F_CLONE, "clone" },	   { PROCESS_F_MISS, "miss" },
		{ PROCESS_F_ERROR_FILENAME, "errorFilename" },
		{ PROCESS_F_BINARY_DELETED, "binaryDeleted" },
		{ PROCESS_F_BINARY_OUTSIDE_ROOT, "binaryOutsideRoot" },
		{ PROCESS_F_BINARY_TOO_LONG, "binaryTooLong" },
		{ PROCESS_F_BINARY_TOO_DEEP, "binaryTooDeep" },
		{ PROCESS_F_BINARY_DISCONNECTED, "binaryDisconnected" },
	};
	size_t off = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	for (size_t i = 0; i < ELEMENTSOF(names); i++) {
		int n;

		if (!(flags & names[i].flag))
			continue;
		n = snprintf(buf + off, size - off, "%s%s", off ? " " : "", names[i].name);
		if (n < 0 || (size_t)n >= size - off) {
			buf[off] = '\0'; /* whole names only */
			return;
		}
		off += (size_t)n;
	}
}

/* ---- strings ------------------------------------------------------------ */

static struct process_strings *strings_new(struct process_cache *cache, const char *binary,
					   const char *args, const char *cwd, const char *context)
{
	size_t lb = binary ? strnlen(binary, PROC_INFO_MAX_PATH - 1) : 0;
	size_t la = args ? strnlen(args, PROC_INFO_MAX_ARGS - 1) : 0;
	size_t lc = cwd ? strnlen(cwd, PROC_INFO_MAX_PATH - 1) : 0;
	size_t lx = context ? strnlen(context, SELINUX_CONTEXT_MAX) : 0;
	size_t size = (binary ? lb + 1 : 0) + (args ? la + 1 : 0) + (cwd ? lc + 1 : 0) + (context ? lx + 1 : 0);
	struct process_strings *s = malloc(sizeof(*s) + size);
	size_t off = 0;

	if (!s)
		return NULL;
	s->refs = 1;
	s->size = (uint32_t)size;
	s->binary_flags = 0;
	s->binary = s->args = s->cwd = s->context = -1;
#define PUT(field, str, len)                                                                       \
	if (str) {                                                                                 \
		s->field = (int32_t)off;                                                           \
		memcpy(s->data + off, str, len);                                                   \
		s->data[off + len] = '\0';                                                         \
		off += len + 1;                                                                    \
	}
	PUT(binary, binary, lb)
	PUT(args, args, la)
	PUT(cwd, cwd, lc)
	PUT(context, context, lx)
#undef PUT
	cache->stats.string_bytes += size;
	return s;
}

static void strings_unref(struct process_cache *cache, struct process_strings *s)
{
	if (!s || --s->refs)
		return;
	cache->stats.string_bytes -= s->size;
	free(s);
}

static void entry_set_strings(struct process_cache *cache, struct process_entry *e,
			      struct process_strings *s)
{
	strings_unref(cache, e->strings);
	e->strings = s;
	e->info.binary = s && s->binary >= 0 ? s->data + s->binary : NULL;
	e->info.arguments = s && s->args >= 0 ? s->data + s->args : NULL;
	e->info.cwd = s && s->cwd >= 0 ? s->data + s->cwd : NULL;
	e->info.selinux_context = s && s->context >= 0 ? s->data + s->context : NULL;
	if (e->info.cwd && strcmp(e->info.cwd, "/") == 0)
		e->info.flags |= PROCESS_F_ROOTCWD;
	else
		e->info.flags &= ~PROCESS_F_ROOTCWD;
	/* The flags belong to the program's name: a clone shares both. */
	e->info.flags &= ~PROCESS_F_BINARY_MASK;
	if (s)
		e->info.flags |= s->binary_flags;
}

/* ---- the table ---------------------------------------------------------- */

static size_t bucket_of(const struct process_cache *cache, uint32_t pid)
{
	return (size_t)((pid * 2654435761u) & (cache->nbuckets - 1));
}

static struct process_entry *entry_find(struct process_cache *cache, uint32_t pid, uint64_t key)
{
	for (struct process_entry *e = cache->buckets[bucket_of(cache, pid)]; e; e = e->hnext)
		if (e->info.pid == pid && e->info.exec_boottime == key)
			return e;
	return NULL;
}

static struct process_entry *entry_find_live(struct process_cache *cache, uint32_t pid)
{
	for (struct process_entry *e = cache->buckets[bucket_of(cache, pid)]; e; e = e->hnext)
		if (e->info.pid == pid && !e->info.exited)
			return e;
	return NULL;
}

static void exited_unlink(struct process_cache *cache, struct process_entry *e)
{
	if (e->xprev)
		e->xprev->xnext = e->xnext;
	else if (cache->exited_head == e)
		cache->exited_head = e->xnext;
	if (e->xnext)
		e->xnext->xprev = e->xprev;
	else if (cache->exited_tail == e)
		cache->exited_tail = e->xprev;
	e->xprev = e->xnext = NULL;
}

static void entry_free(struct process_cache *cache, struct process_entry *e)
{
	struct process_entry **pp = &cache->buckets[bucket_of(cache, e->info.pid)];

	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
	if (e->info.exited) {
		exited_unlink(cache, e);
		cache->stats.exited--;
	}
	strings_unref(cache, e->strings);
	cache->stats.entries--;
	free(e);
}

static void touch(struct process_cache *cache, struct process_entry *e)
{
	e->info.version = ++cache->next_version ? cache->next_version : ++cache->next_version;
}

static void entry_mark_exited(struct process_cache *cache, struct process_entry *e, uint64_t when)
{
	if (e->info.exited)
		return;
	e->info.exited = true;
	e->info.exit_boottime = when;
	e->xprev = cache->exited_tail;
	e->xnext = NULL;
	if (cache->exited_tail)
		cache->exited_tail->xnext = e;
	else
		cache->exited_head = e;
	cache->exited_tail = e;
	cache->stats.exited++;
	touch(cache, e);
}

/* A new entry for (pid, key), or NULL when the cache is full of running processes. */
static struct process_entry *entry_insert(struct process_cache *cache, uint32_t pid, uint64_t key)
{
	struct process_entry *e;
	size_t b;

	if (cache->stats.entries >= cache->max_entries) {
		if (!cache->exited_head) {
			cache->stats.full++;
			return NULL;
		}
		entry_free(cache, cache->exited_head);
		cache->stats.evicted++;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->info.pid = pid;
	e->info.exec_boottime = key;
	e->info.auid = AUID_UNSET;
	b = bucket_of(cache, pid);
	e->hnext = cache->buckets[b];
	cache->buckets[b] = e;
	cache->stats.entries++;
	touch(cache, e);
	return e;
}

int process_cache__new(struct process_cache **out, const struct process_cache_options *opts)
{
	_cleanup_free_ struct process_cache *cache = calloc(1, sizeof(*cache));

	if (!cache)
		return -ENOMEM;
	snprintf(cache->proc_root, sizeof(cache->proc_root), "%s", opts->proc_root ? opts->proc_root : "/proc");
	if (opts->cgroup_root)
		snprintf(cache->cgroup_root, sizeof(cache->cgroup_root), "%s", opts->cgroup_root);
	cache->task_execs_fd = opts->task_execs_fd;
	cache->selinux_contexts = opts->selinux_contexts;
	cache->max_entries = opts->max_entries ? opts->max_entries : DEFAULT_MAX_ENTRIES;
	cache->grace_ns = opts->grace_ns ? opts->grace_ns : DEFAULT_GRACE_NS;
	cache->nbuckets = 64;
	while (cache->nbuckets < cache->max_entries / 2)
		cache->nbuckets *= 2;
	cache->buckets = calloc(cache->nbuckets, sizeof(*cache->buckets));
	if (!cache->buckets)
		return -ENOMEM;
	ns_per_tick();
	*out = TAKE_PTR(cache);
	return 0;
}

void process_cache__free(struct process_cache *cache)
{
	if (!cache)
		return;
	for (size_t b = 0; b < cache->nbuckets; b++) {
		struct process_entry *e = cache->buckets[b];

		while (e) {
			struct process_entry *next = e->hnext;

			strings_unref(cache, e->strings);
			free(e);
			e = next;
		}
	}
	free(cache->buckets);
	free(cache);
}

/* ---- /proc -------------------------------------------------------------- */

/* The exec time the kernel keeps for @pid (task storage), or 0. */
static uint64_t task_exec_time(struct process_cache *cache, uint32_t pid, uint32_t *proc_flags)
{
	struct cg_task_exec te;
	int pidfd, r;

	if (cache->task_execs_fd < 1)
		return 0;
	pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (pidfd < 0)
		return 0;
	r = bpf_map_lookup_elem(cache->task_execs_fd, &pidfd, &te);
	close(pidfd);
	if (r < 0)
		return 0;
	*proc_flags = te.flags;
	return te.exec_boottime;
}

static uint64_t cgroup_id_of(struct process_cache *cache, uint32_t pid)
{
	char path[512], buf[4096], full[4608];
	const char *line, *end;
	struct stat st;
	ssize_t n;
	int fd;

	if (!cache->cgroup_root[0])
		return 0;
	snprintf(path, sizeof(path), "%s/%u/cgroup", cache->proc_root, pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	line = strncmp(buf, "0::", 3) == 0 ? buf : strstr(buf, "\n0::");
	if (!line)
		return 0;
	line += line == buf ? 3 : 4;
	end = strchr(line, '\n');
	if (!end)
		end = line + strlen(line);
	snprintf(full, sizeof(full), "%s%.*s", cache->cgroup_root, (int)(end - line), line);
	return stat(full, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* The process's SELinux context into @buf (when SELinux is on), or NULL. */
static const char *read_context(struct process_cache *cache, uint32_t pid, char *buf, size_t size)
{
	if (!cache->selinux_contexts)
		return NULL;
	return proc_read_selinux_context(cache->proc_root, pid, buf, size) >= 0 ? buf : NULL;
}

/*
 * Fill @e from /proc, when @pid still is the process that started at
 * @start_ticks (or any, when @start_ticks is 0). 0 or a negative errno.
 */
static int fill_from_proc(struct process_cache *cache, struct process_entry *e, uint32_t pid,
			  const struct proc_stat *st)
{
	char binary[PROC_INFO_MAX_PATH], cwd[PROC_INFO_MAX_PATH], args[PROC_INFO_MAX_ARGS];
	char context_buf[SELINUX_CONTEXT_MAX + 1];
	bool have_binary, have_cwd, have_args, truncated = false;
	const char *context = read_context(cache, pid, context_buf, sizeof(context_buf));
	struct process_strings *s;
	uint32_t uid = 0, nspid = 0;

	have_binary = proc_read_link(cache->proc_root, pid, "exe", binary, sizeof(binary)) >= 0;
	have_cwd = proc_read_link(cache->proc_root, pid, "cwd", cwd, sizeof(cwd)) >= 0;
	have_args = proc_read_arguments(cache->proc_root, pid, args, sizeof(args), &truncated) >= 0;
	if (proc_read_status(cache->proc_root, pid, &uid, &nspid) == 0) {
		e->info.uid = uid;
		e->info.nspid = nspid;
	}
	proc_read_loginuid(cache->proc_root, pid, &e->info.auid);
	s = strings_new(cache, have_binary ? binary : NULL, have_args ? args : NULL, have_cwd ? cwd : NULL, context);
	if (!s)
		return -ENOMEM;
	/* As the kernel's walk says it of an exec'd program. */
	if (have_binary && proc_exe_unlinked(cache->proc_root, pid) == 1)
		s->binary_flags = PROCESS_F_BINARY_DELETED;
	entry_set_strings(cache, e, s);
	if (truncated)
		e->info.flags |= PROCESS_F_TRUNC_ARGS;
	e->info.ppid = st->ppid;
	e->info.start_boottime = st->start_ticks * ns_per_tick();
	snprintf(e->info.comm, sizeof(e->info.comm), "%s", st->comm);
	return 0;
}

static void link_parent(struct process_cache *cache, struct process_entry *e)
{
	struct process_entry *parent;

	if (e->info.parent_exec_boottime || !e->info.ppid)
		return;
	parent = entry_find_live(cache, e->info.ppid);
	if (parent)
		e->info.parent_exec_boottime = parent->info.exec_boottime;
}

static struct process_entry *seed_one(struct process_cache *cache, uint32_t pid)
{
	struct process_entry *e;
	struct proc_stat st;
	uint32_t proc_flags = 0;
	uint64_t key;

	if (proc_read_stat(cache->proc_root, pid, &st) < 0)
		return NULL;
	key = task_exec_time(cache, pid, &proc_flags);
	if (!key)
		key = st.start_ticks * ns_per_tick();
	if (entry_find(cache, pid, key))
		return NULL;
	e = entry_insert(cache, pid, key);
	if (!e)
		return NULL;
	if (fill_from_proc(cache, e, pid, &st) < 0) {
		entry_free(cache, e);
		return NULL;
	}
	e->info.flags |= PROCESS_F_PROCFS;
	if (proc_flags & CG_PROC_EXECVE)
		e->info.flags |= PROCESS_F_EXECVE;
	if (proc_flags & CG_PROC_CLONE)
		e->info.flags |= PROCESS_F_CLONE;
	e->info.cgroup_id = cgroup_id_of(cache, pid);
	return e;
}

static bool seed_found_process(void *ctx, uint32_t pid)
{
	return seed_one(ctx, pid) != NULL;
}

int process_cache__scan_proc(struct process_cache *cache)
{
	int n = proc_for_each_pid(cache->proc_root, seed_found_process, cache);

	if (n < 0)
		return n;
	/* Parents, now that every process is in. */
	for (size_t b = 0; b < cache->nbuckets; b++)
		for (struct process_entry *e = cache->buckets[b]; e; e = e->hnext)
			link_parent(cache, e);
	cache->stats.seeded += (uint64_t)n;
	return n;
}

/* ---- records -------------------------------------------------------------- */

static void fill_from_header(struct process_entry *e, const struct cg_event_header *hdr)
{
	e->info.ppid = hdr->ppid;
	e->info.start_boottime = hdr->start_boottime;
	e->info.cgroup_id = hdr->cgroup_id;
	e->info.pidns_ino = hdr->pidns_ino;
	memcpy(e->info.comm, hdr->comm, CG_COMM_LEN);
	e->info.comm[CG_COMM_LEN] = '\0';
}

/*
 * The program an exec record names, into @buf: the path the kernel walked
 * from the executed file to the task's root, or, when the walk could not
 * name it, the string given to execve() exactly as given (a relative path
 * stays relative: a working directory read now may not be the one the
 * exec resolved it in). Returns the PROCESS_F_BINARY_MASK flags saying
 * which. The record was validated (event_validate): both strings end
 * within their fields.
 */
static uint32_t exec_binary(const struct cg_exec_event *x, char *buf, size_t size)
{
	uint32_t flags = 0, path_flags = x->path_flags;
	size_t len = strnlen(x->binary, sizeof(x->binary));

	/* Anything but an absolute path is no resolved path, whatever the flags say. */
	if (len == 0 || len == sizeof(x->binary) || x->binary[0] != '/')
		path_flags |= CG_BINARY_NO_FILE;
	if (path_flags & CG_BINARY_DELETED)
		flags |= PROCESS_F_BINARY_DELETED;
	if (path_flags & CG_BINARY_OUTSIDE_ROOT)
		flags |= PROCESS_F_BINARY_OUTSIDE_ROOT;
	if (path_flags & CG_BINARY_TOO_LONG)
		flags |= PROCESS_F_BINARY_TOO_LONG;
	if (path_flags & CG_BINARY_TOO_DEEP)
		flags |= PROCESS_F_BINARY_TOO_DEEP;
	if (path_flags & CG_BINARY_DISCONNECTED)
		flags |= PROCESS_F_BINARY_DISCONNECTED;
	if (path_flags & CG_BINARY_UNRESOLVED) {
		flags |= PROCESS_F_ERROR_FILENAME;
		snprintf(buf, size, "%.*s", (int)strnlen(x->filename, sizeof(x->filename)), x->filename);
		return flags;
	}
	snprintf(buf, size, "%.*s", (int)len, x->binary);
	return flags;
}

const struct process_info *process_cache__exec(struct process_cache *cache, const struct cg_exec_event *x)
{
	const struct cg_event_header *hdr = &x->hdr;
	char binary[CG_BINARY_LEN > CG_PATH_LEN ? CG_BINARY_LEN : CG_PATH_LEN], cwd[PROC_INFO_MAX_PATH];
	char args[PROC_INFO_MAX_ARGS], context_buf[SELINUX_CONTEXT_MAX + 1];
	uint64_t key = process_event_key(hdr);
	struct process_entry *prior, *e;
	const char *context;
	struct process_strings *s;
	bool have_cwd, truncated;
	uint32_t uid, nspid = 0, binary_flags;

	cache->stats.execs++;
	prior = entry_find_live(cache, hdr->pid);
	e = entry_find(cache, hdr->pid, key);
	if (e && e->info.exited)
		return &e->info; /* a late duplicate */
	if (!e) {
		e = entry_insert(cache, hdr->pid, key);
		if (!e)
			return NULL;
	}
	if (prior && prior != e) {
		e->info.parent_exec_boottime = prior->info.parent_exec_boottime;
		e->info.flags |= prior->info.flags & PROCESS_F_CLONE;
		entry_mark_exited(cache, prior, hdr->time_ns); /* its children may still ask */
	}
	fill_from_header(e, hdr);
	if (!e->info.parent_exec_boottime)
		link_parent(cache, e);
	e->info.uid = x->ids.uid;
	e->info.auid = x->auid;
	e->info.flags |= PROCESS_F_EXECVE;
	e->info.flags &= ~(PROCESS_F_MISS | PROCESS_F_TRUNC_ARGS);

	binary_flags = exec_binary(x, binary, sizeof(binary));
	/* Only for the cwd field: binary never depends on it. */
	have_cwd = proc_read_link(cache->proc_root, hdr->pid, "cwd", cwd, sizeof(cwd)) >= 0;
	proc_join_arguments(x->args, x->args_len <= CG_ARGS_LEN ? x->args_len : CG_ARGS_LEN, args,
			    sizeof(args), &truncated);
	if (truncated || x->args_truncated)
		e->info.flags |= PROCESS_F_TRUNC_ARGS;
	/* Its pid inside its own namespace, for the pod's container.pid. */
	if (hdr->pidns_ino && hdr->pidns_ino != CG_HOST_PIDNS_INO &&
	    proc_read_status(cache->proc_root, hdr->pid, &uid, &nspid) == 0)
		e->info.nspid = nspid;
	else if (hdr->pidns_ino == CG_HOST_PIDNS_INO)
		e->info.nspid = hdr->pid;
	/* After the exec: the domain it may have transitioned to. */
	context = read_context(cache, hdr->pid, context_buf, sizeof(context_buf));
	s = strings_new(cache, binary, args, have_cwd ? cwd : NULL, context);
	if (s) {
		s->binary_flags = binary_flags;
		entry_set_strings(cache, e, s);
	}
	touch(cache, e);
	return &e->info;
}

void process_cache__fork(struct process_cache *cache, const struct cg_fork_event *f)
{
	const struct cg_event_header *hdr = &f->hdr;
	uint64_t parent_key = f->parent_exec_boottime ? f->parent_exec_boottime
						      : process_coarse_start(f->parent_start_boottime);
	uint64_t key = process_event_key(hdr);
	struct process_entry *parent, *e;

	cache->stats.forks++;
	if (entry_find(cache, hdr->pid, key))
		return;
	/* A pid is reused only after its process is gone: an entry still live missed its exit. */
	e = entry_find_live(cache, hdr->pid);
	if (e)
		entry_mark_exited(cache, e, hdr->time_ns);
	e = entry_insert(cache, hdr->pid, key);
	if (!e)
		return;
	fill_from_header(e, hdr);
	e->info.ppid = f->parent_pid;
	e->info.parent_exec_boottime = parent_key;
	e->info.flags = PROCESS_F_CLONE;
	parent = entry_find(cache, f->parent_pid, parent_key);
	if (!parent)
		parent = entry_find_live(cache, f->parent_pid);
	if (parent) {
		e->info.uid = parent->info.uid;
		e->info.auid = parent->info.auid;
		e->info.flags |= parent->info.flags & PROCESS_F_TRUNC_ARGS;
		if (parent->strings) {
			parent->strings->refs++;
			entry_set_strings(cache, e, parent->strings);
		}
		if (parent->info.pidns_ino == hdr->pidns_ino && parent->info.nspid == parent->info.pid)
			e->info.nspid = hdr->pid;
	}
}

void process_cache__exit(struct process_cache *cache, const struct cg_exit_event *x)
{
	struct process_entry *e = entry_find(cache, x->hdr.pid, process_event_key(&x->hdr));

	cache->stats.exits++;
	if (!e)
		e = entry_find_live(cache, x->hdr.pid);
	if (e)
		entry_mark_exited(cache, e, x->hdr.time_ns);
}

const struct process_info *process_cache__get(struct process_cache *cache,
					      const struct cg_event_header *hdr)
{
	uint64_t key = process_event_key(hdr);
	struct process_entry *e = entry_find(cache, hdr->pid, key);
	struct proc_stat st;

	if (e)
		return &e->info;
	cache->stats.misses++;
	e = entry_insert(cache, hdr->pid, key);
	if (!e)
		return NULL;
	/* Its exec record was lost (or came before the scan): ask /proc, if it still runs. */
	if (proc_read_stat(cache->proc_root, hdr->pid, &st) == 0 &&
	    st.start_ticks == hdr->start_boottime / ns_per_tick() && fill_from_proc(cache, e, hdr->pid, &st) == 0) {
		e->info.flags |= PROCESS_F_PROCFS;
		fill_from_header(e, hdr);
		link_parent(cache, e);
		return &e->info;
	}
	fill_from_header(e, hdr);
	e->info.flags |= PROCESS_F_MISS;
	link_parent(cache, e);
	/* Gone already: free it with the others after the grace period. */
	entry_mark_exited(cache, e, hdr->time_ns);
	return &e->info;
}

const struct process_info *process_cache__parent(struct process_cache *cache,
						 const struct process_info *p)
{
	struct process_entry *e;

	if (!p->ppid)
		return NULL;
	if (p->parent_exec_boottime) {
		e = entry_find(cache, p->ppid, p->parent_exec_boottime);
		return e ? &e->info : NULL;
	}
	e = entry_find_live(cache, p->ppid);
	return e ? &e->info : NULL;
}

static struct process_entry *entry_of(const struct process_info *p)
{
	return (struct process_entry *)((char *)p - offsetof(struct process_entry, info));
}

void process_cache__note_uid(struct process_cache *cache, const struct process_info *p, uint32_t uid)
{
	struct process_entry *e = entry_of(p);

	if (e->info.uid != uid) {
		e->info.uid = uid;
		touch(cache, e);
	}
}

void process_cache__note_cgroup(struct process_cache *cache, const struct process_info *p,
				uint64_t cgroup_id)
{
	struct process_entry *e = entry_of(p);

	if (e->info.cgroup_id != cgroup_id) {
		e->info.cgroup_id = cgroup_id;
		touch(cache, e);
	}
}

/* Processes whose exit record was lost (a full ring buffer) would stay forever. */
static void verify_running(struct process_cache *cache, uint64_t now_boottime)
{
	for (size_t b = 0; b < cache->nbuckets; b++) {
		for (struct process_entry *e = cache->buckets[b]; e; e = e->hnext) {
			struct proc_stat st;

			if (e->info.exited)
				continue;
			if (proc_read_stat(cache->proc_root, e->info.pid, &st) < 0 ||
			    st.start_ticks != e->info.start_boottime / ns_per_tick())
				entry_mark_exited(cache, e, now_boottime);
		}
	}
}

void process_cache__gc(struct process_cache *cache, uint64_t now_boottime)
{
	while (cache->exited_head && now_boottime >= cache->exited_head->info.exit_boottime &&
	       now_boottime - cache->exited_head->info.exit_boottime >= cache->grace_ns)
		entry_free(cache, cache->exited_head);
	if (cache->stats.entries - cache->stats.exited >= (uint64_t)cache->max_entries * VERIFY_PERCENT / 100 &&
	    now_boottime - cache->last_verify >= VERIFY_INTERVAL_NS) {
		cache->last_verify = now_boottime;
		verify_running(cache, now_boottime);
	}
}

void process_cache__stats(const struct process_cache *cache, struct process_cache_stats *stats)
{
	*stats = cache->stats;
}
