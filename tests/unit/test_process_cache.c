// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for agent/events/process_cache.c: exec ids as the reference tool makes
 * them, exec/fork/exit records, parents, pid reuse, the grace period, the
 * size bound, seeding from a fake /proc, and misses.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "process_cache.h"

#define SEC 1000000000ull

static char root[PATH_MAX];

static uint64_t tick_ns(void)
{
	return 1000000000ull / (uint64_t)sysconf(_SC_CLK_TCK);
}

static void write_file(const char *rel, const char *data, size_t len)
{
	char path[PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void make_link(const char *rel, const char *target)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(symlink(target, path), 0);
}

/* /proc/PID with the given parent, start tick and program. */
static void fake_proc(unsigned pid, unsigned ppid, unsigned long long tick, const char *exe,
		      const char *cmdline, size_t cmdline_len, const char *cwd)
{
	char dirpath[PATH_MAX + 64], rel[64], line[256];
	int n;

	snprintf(dirpath, sizeof(dirpath), "%s/%u", root, pid);
	assert_int_equal(mkdir(dirpath, 0755), 0);
	n = snprintf(line, sizeof(line),
		     "%u (comm %u) S %u %u %u 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 %llu 1000 100\n", pid, pid,
		     ppid, pid, pid, tick);
	snprintf(rel, sizeof(rel), "%u/stat", pid);
	write_file(rel, line, (size_t)n);
	snprintf(rel, sizeof(rel), "%u/cmdline", pid);
	write_file(rel, cmdline, cmdline_len);
	snprintf(rel, sizeof(rel), "%u/status", pid);
	n = snprintf(line, sizeof(line), "Name:\tx\nUid:\t1000\t1000\t1000\t1000\nNSpid:\t%u\t7\n", pid);
	write_file(rel, line, (size_t)n);
	snprintf(rel, sizeof(rel), "%u/loginuid", pid);
	write_file(rel, "1000", 4);
	snprintf(rel, sizeof(rel), "%u/exe", pid);
	make_link(rel, exe);
	snprintf(rel, sizeof(rel), "%u/cwd", pid);
	make_link(rel, cwd);
}

static int setup(void **state)
{
	snprintf(root, sizeof(root), "/tmp/credgate-pctest.XXXXXX");
	assert_non_null(mkdtemp(root));
	fake_proc(1, 0, 5, "/usr/lib/systemd/systemd", "/sbin/init\0splash\0", 18, "/");
	fake_proc(500, 1, 1000, "/usr/bin/bash", "-bash\0", 6, "/root");
	fake_proc(600, 500, 2000, "/usr/bin/sleep", "sleep\0" "100\0", 10, "/tmp");
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	assert_int_equal(system(cmd), 0);
	return 0;
}

static struct process_cache *new_cache(unsigned max, uint64_t grace)
{
	struct process_cache_options o = { .proc_root = root, .max_entries = max, .grace_ns = grace };
	struct process_cache *c;

	assert_int_equal(process_cache__new(&c, &o), 0);
	return c;
}

static void header(struct cg_event_header *h, uint32_t type, uint32_t size, uint32_t pid, uint32_t ppid,
		   uint64_t start, uint64_t exec, uint64_t time)
{
	memset(h, 0, sizeof(*h));
	h->type = type;
	h->size = size;
	h->pid = h->tid = pid;
	h->ppid = ppid;
	h->start_boottime = start;
	h->exec_boottime = exec;
	h->time_ns = time;
	h->cgroup_id = 99;
	h->pidns_ino = CG_HOST_PIDNS_INO;
	memcpy(h->comm, "x", 2);
}

static void exec_record(struct cg_exec_event *e, uint32_t pid, uint32_t ppid, uint64_t start, uint64_t exec,
			const char *filename, const char *args, size_t args_len)
{
	memset(e, 0, sizeof(*e));
	header(&e->hdr, CG_EVENT_EXEC, sizeof(*e), pid, ppid, start, exec, exec);
	snprintf(e->filename, sizeof(e->filename), "%s", filename);
	/* The kernel's name for an absolute path without links is the path. */
	if (filename[0] == '/')
		snprintf(e->binary, sizeof(e->binary), "%s", filename);
	else
		e->path_flags = CG_BINARY_NO_FILE;
	memcpy(e->args, args, args_len);
	e->args_len = (uint32_t)args_len;
	e->ids.uid = 1000;
	e->auid = 1000;
}

static void fork_record(struct cg_fork_event *f, uint32_t pid, uint32_t ppid, uint64_t start, uint64_t pexec)
{
	memset(f, 0, sizeof(*f));
	header(&f->hdr, CG_EVENT_FORK, sizeof(*f), pid, ppid, start, start, start);
	f->parent_pid = ppid;
	f->parent_exec_boottime = pexec;
}

static void exit_record(struct cg_exit_event *x, uint32_t pid, uint64_t start, uint64_t exec, uint64_t time)
{
	memset(x, 0, sizeof(*x));
	header(&x->hdr, CG_EVENT_EXIT, sizeof(*x), pid, 0, start, exec, time);
}

static void test_exec_id_reference(void **state)
{
	char buf[128];

	/* The reference page's su and its parent bash. */
	assert_int_equal(process_exec_id("kind-control-plane", 40798876026598ull, 125798, buf, sizeof(buf)), 56);
	assert_string_equal(buf, "a2luZC1jb250cm9sLXBsYW5lOjQwNzk4ODc2MDI2NTk4OjEyNTc5OA==");
	process_exec_id("kind-control-plane", 40795662037332ull, 125792, buf, sizeof(buf));
	assert_string_equal(buf, "a2luZC1jb250cm9sLXBsYW5lOjQwNzk1NjYyMDM3MzMyOjEyNTc5Mg==");
	assert_int_equal(process_exec_id("kind-control-plane", 1, 1, buf, 10), -ENOBUFS);
	process_exec_id("n", 1, 1, buf, sizeof(buf)); /* "n:1:1": one padding '=' */
	assert_string_equal(buf, "bjoxOjE=");
}

static void test_flags_string(void **state)
{
	char buf[PROCESS_FLAGS_MAX];

	process_flags_string(PROCESS_F_EXECVE | PROCESS_F_ROOTCWD | PROCESS_F_CLONE, buf, sizeof(buf));
	assert_string_equal(buf, "execve rootcwd clone");
	process_flags_string(PROCESS_F_PROCFS | PROCESS_F_TRUNC_ARGS, buf, sizeof(buf));
	assert_string_equal(buf, "procFS truncArgs");
	process_flags_string(0, buf, sizeof(buf));
	assert_string_equal(buf, "");
	process_flags_string(PROCESS_F_MISS, buf, 3);
	assert_string_equal(buf, "");
	process_flags_string(PROCESS_F_EXECVE | PROCESS_F_ERROR_FILENAME | PROCESS_F_BINARY_TOO_LONG, buf, sizeof(buf));
	assert_string_equal(buf, "execve errorFilename binaryTooLong");
	/* Every word at once fits. */
	process_flags_string(~0u, buf, sizeof(buf));
	assert_string_equal(buf, "execve procFS truncArgs rootcwd clone miss errorFilename binaryDeleted "
				 "binaryOutsideRoot binaryTooLong binaryTooDeep binaryDisconnected");
}

/* bash forks, the child execs su: su's parent is bash, su is "execve clone". */
static void test_fork_exec_exit(void **state)
{
	struct process_cache *c = new_cache(0, 30 * SEC);
	struct process_cache_stats st;
	const struct process_info *p, *parent;
	struct cg_exec_event e;
	struct cg_fork_event f;
	struct cg_exit_event x;
	struct cg_event_header h;
	static const char args[] = "/bin/bash\0";
	static const char su_args[] = "su\0root\0";

	exec_record(&e, 700, 1, 10 * SEC, 11 * SEC, "/bin/bash", args, sizeof(args));
	assert_non_null(process_cache__exec(c, &e));
	fork_record(&f, 701, 700, 20 * SEC, 11 * SEC);
	process_cache__fork(c, &f);
	header(&h, CG_EVENT_SYSCALL, 0, 701, 700, 20 * SEC, 20 * SEC, 21 * SEC);
	p = process_cache__get(c, &h);
	assert_non_null(p);
	assert_string_equal(p->binary, "/bin/bash"); /* a clone runs its parent's program */
	assert_int_equal(p->flags, PROCESS_F_CLONE);
	process_cache__stats(c, &st);
	assert_int_equal(st.string_bytes, strlen("/bin/bash") + 1 + 1); /* shared, not copied; "" args */

	exec_record(&e, 701, 700, 20 * SEC, 22 * SEC, "/bin/su", su_args, sizeof(su_args));
	p = process_cache__exec(c, &e);
	assert_string_equal(p->binary, "/bin/su");
	assert_string_equal(p->arguments, "root");
	assert_int_equal(p->flags & (PROCESS_F_EXECVE | PROCESS_F_CLONE), PROCESS_F_EXECVE | PROCESS_F_CLONE);
	assert_int_equal(p->parent_exec_boottime, 11 * SEC);
	parent = process_cache__parent(c, p);
	assert_non_null(parent);
	assert_int_equal(parent->pid, 700);
	assert_string_equal(parent->binary, "/bin/bash");

	/* An event of su after its exec finds the new program. */
	header(&h, CG_EVENT_SYSCALL, 0, 701, 700, 20 * SEC, 22 * SEC, 23 * SEC);
	assert_ptr_equal(process_cache__get(c, &h), p);
	/* The clone's entry is kept for the grace period, as exited. */
	header(&h, CG_EVENT_SYSCALL, 0, 701, 700, 20 * SEC, 20 * SEC, 23 * SEC);
	assert_true(process_cache__get(c, &h)->exited);

	exit_record(&x, 701, 20 * SEC, 22 * SEC, 30 * SEC);
	process_cache__exit(c, &x);
	assert_true(p->exited);
	process_cache__stats(c, &st);
	assert_int_equal(st.entries, 3);
	assert_int_equal(st.exited, 2);
	process_cache__gc(c, 40 * SEC); /* 10 s after: still in its grace period */
	process_cache__stats(c, &st);
	assert_int_equal(st.entries, 3);
	process_cache__gc(c, 61 * SEC);
	process_cache__stats(c, &st);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.exited, 0);
	process_cache__free(c);
}

/* A reused pid never gets its predecessor's identity. */
static void test_pid_reuse(void **state)
{
	struct process_cache *c = new_cache(0, 30 * SEC);
	static const char a[] = "a\0", b[] = "b\0";
	struct cg_exec_event e;
	struct cg_event_header h;
	const struct process_info *p;

	exec_record(&e, 800, 1, 1 * SEC, 2 * SEC, "/bin/a", a, sizeof(a));
	process_cache__exec(c, &e);
	/* Its exit was lost; the pid comes back as another process. */
	exec_record(&e, 800, 1, 50 * SEC, 51 * SEC, "/bin/b", b, sizeof(b));
	process_cache__exec(c, &e);
	header(&h, CG_EVENT_SYSCALL, 0, 800, 1, 1 * SEC, 2 * SEC, 3 * SEC);
	p = process_cache__get(c, &h);
	assert_string_equal(p->binary, "/bin/a");
	header(&h, CG_EVENT_SYSCALL, 0, 800, 1, 50 * SEC, 51 * SEC, 52 * SEC);
	p = process_cache__get(c, &h);
	assert_string_equal(p->binary, "/bin/b");
	assert_false(p->exited);
	process_cache__free(c);
}

static void test_bounded(void **state)
{
	struct process_cache *c = new_cache(4, 30 * SEC);
	struct process_cache_stats st;
	static const char a[] = "a\0";
	struct cg_exec_event e;
	struct cg_exit_event x;

	for (uint32_t pid = 1000; pid < 1004; pid++) {
		exec_record(&e, pid, 1, pid * SEC, pid * SEC + 1, "/bin/a", a, sizeof(a));
		assert_non_null(process_cache__exec(c, &e));
	}
	/* Full of running processes: the next is not cached. */
	exec_record(&e, 2000, 1, 2000 * SEC, 2000 * SEC + 1, "/bin/a", a, sizeof(a));
	assert_null(process_cache__exec(c, &e));
	/* One exits: it is the first to go. */
	exit_record(&x, 1001, 1001 * SEC, 1001 * SEC + 1, 3000 * SEC);
	process_cache__exit(c, &x);
	assert_non_null(process_cache__exec(c, &e));
	process_cache__stats(c, &st);
	assert_int_equal(st.entries, 4);
	assert_int_equal(st.evicted, 1);
	assert_int_equal(st.full, 1);
	process_cache__free(c);
}

static void test_scan_proc(void **state)
{
	struct process_cache *c = new_cache(0, 30 * SEC);
	const struct process_info *p, *parent;
	struct cg_event_header h;

	assert_int_equal(process_cache__scan_proc(c), 3);
	/* An event of pid 600: no exec time from the kernel (it predates credgate). */
	header(&h, CG_EVENT_SYSCALL, 0, 600, 500, 2000 * tick_ns() + 1234, 0, 99 * SEC);
	p = process_cache__get(c, &h);
	assert_non_null(p);
	assert_int_equal(p->flags, PROCESS_F_PROCFS);
	assert_string_equal(p->binary, "/usr/bin/sleep");
	assert_string_equal(p->arguments, "100");
	assert_string_equal(p->cwd, "/tmp");
	assert_int_equal(p->uid, 1000);
	assert_int_equal(p->auid, 1000);
	assert_int_equal(p->nspid, 7);
	assert_int_equal(p->exec_boottime, 2000 * tick_ns());
	parent = process_cache__parent(c, p);
	assert_non_null(parent);
	assert_string_equal(parent->binary, "/usr/bin/bash");
	assert_int_equal(parent->parent_exec_boottime, 5 * tick_ns());
	p = process_cache__parent(c, parent);
	assert_non_null(p);
	assert_int_equal(p->flags, PROCESS_F_PROCFS | PROCESS_F_ROOTCWD);
	assert_string_equal(p->arguments, "splash");
	process_cache__free(c);
}

static void test_miss(void **state)
{
	struct process_cache *c = new_cache(0, 30 * SEC);
	struct process_cache_stats st;
	const struct process_info *p;
	struct cg_event_header h;

	/* Not scanned: found in /proc on demand. */
	header(&h, CG_EVENT_SYSCALL, 0, 500, 1, 1000 * tick_ns(), 0, 99 * SEC);
	p = process_cache__get(c, &h);
	assert_int_equal(p->flags & PROCESS_F_PROCFS, PROCESS_F_PROCFS);
	assert_string_equal(p->binary, "/usr/bin/bash");
	assert_false(p->exited);
	/* pid 600 started at another time: another process. Only the header is known. */
	header(&h, CG_EVENT_SYSCALL, 0, 600, 1, 7 * SEC, 8 * SEC, 99 * SEC);
	p = process_cache__get(c, &h);
	assert_int_equal(p->flags, PROCESS_F_MISS);
	assert_null(p->binary);
	assert_string_equal(p->comm, "x");
	assert_true(p->exited);
	/* Asked again: no second /proc read, the same entry. */
	assert_ptr_equal(process_cache__get(c, &h), p);
	process_cache__stats(c, &st);
	assert_int_equal(st.misses, 2);
	process_cache__free(c);
}

/*
 * binary is the kernel's name of the executed file, never the execve()
 * string joined with the working directory; long arguments are cut.
 */
static void test_exec_paths_and_truncation(void **state)
{
	struct process_cache *c = new_cache(0, 30 * SEC);
	const struct process_info *p;
	struct cg_exec_event e;
	char args[CG_ARGS_LEN];

	memset(args, 'a', sizeof(args));
	args[1] = '\0';
	/* pid 500's /proc says its cwd is /root: that is the cwd, not where run.sh is. */
	exec_record(&e, 500, 1, 1000 * tick_ns(), 5 * SEC, "./run.sh", args, sizeof(args));
	e.path_flags = 0;
	snprintf(e.binary, sizeof(e.binary), "/srv/app/bin/run");
	e.args_truncated = 1;
	p = process_cache__exec(c, &e);
	assert_string_equal(p->binary, "/srv/app/bin/run");
	assert_string_equal(p->cwd, "/root");
	assert_int_equal(p->flags & PROCESS_F_BINARY_MASK, 0);
	assert_int_equal(strlen(p->arguments), CG_ARGS_LEN - 2);
	assert_true(p->flags & PROCESS_F_TRUNC_ARGS);
	process_cache__free(c);
}

/* What the kernel could not name is said: the string as given, and why. */
static void test_exec_binary_unresolved(void **state)
{
	struct process_cache *c = new_cache(0, 30 * SEC);
	const struct process_info *p;
	struct cg_exec_event e;
	struct cg_fork_event f;

	/* Too long: the execve() string as given, relative, never joined with /root. */
	exec_record(&e, 500, 1, 1000 * tick_ns(), 5 * SEC, "./run.sh", "a", 2);
	e.path_flags = CG_BINARY_TOO_LONG;
	p = process_cache__exec(c, &e);
	assert_string_equal(p->binary, "./run.sh");
	assert_int_equal(p->flags & PROCESS_F_BINARY_MASK, PROCESS_F_ERROR_FILENAME | PROCESS_F_BINARY_TOO_LONG);
	/* A clone runs the same program: same name, same flags. */
	fork_record(&f, 501, 500, 1001 * tick_ns(), 5 * SEC);
	process_cache__fork(c, &f);
	f.hdr.exec_boottime = 1001 * tick_ns();
	p = process_cache__get(c, &f.hdr);
	assert_string_equal(p->binary, "./run.sh");
	assert_int_equal(p->flags & PROCESS_F_BINARY_MASK, PROCESS_F_ERROR_FILENAME | PROCESS_F_BINARY_TOO_LONG);
	/* Its next exec, resolved: the flags go with the old name. */
	exec_record(&e, 501, 500, 1001 * tick_ns(), 6 * SEC, "/bin/true", "", 0);
	p = process_cache__exec(c, &e);
	assert_string_equal(p->binary, "/bin/true");
	assert_int_equal(p->flags & PROCESS_F_BINARY_MASK, 0);
	/* Deleted, outside the root: a name, with what is special about it. */
	exec_record(&e, 502, 1, 1002 * tick_ns(), 7 * SEC, "/proc/self/fd/3", "", 0);
	snprintf(e.binary, sizeof(e.binary), "/tmp/x (deleted)");
	e.path_flags = CG_BINARY_DELETED | CG_BINARY_OUTSIDE_ROOT;
	p = process_cache__exec(c, &e);
	assert_string_equal(p->binary, "/tmp/x (deleted)");
	assert_int_equal(p->flags & PROCESS_F_BINARY_MASK, PROCESS_F_BINARY_DELETED | PROCESS_F_BINARY_OUTSIDE_ROOT);
	/* A "resolved" name that is no absolute path is not taken for one. */
	exec_record(&e, 503, 1, 1003 * tick_ns(), 8 * SEC, "/bin/sh", "", 0);
	snprintf(e.binary, sizeof(e.binary), "bin/sh");
	p = process_cache__exec(c, &e);
	assert_string_equal(p->binary, "/bin/sh");
	assert_int_equal(p->flags & PROCESS_F_BINARY_MASK, PROCESS_F_ERROR_FILENAME);
	process_cache__free(c);
}

/* A process found in /proc whose program was deleted says so, as an exec'd one does. */
static void test_procfs_deleted(void **state)
{
	struct process_cache *c = new_cache(0, 30 * SEC);
	const struct process_info *p;
	struct cg_event_header h;
	char path[PATH_MAX + 16], fdlink[64];
	int fd;

	/* /proc/self/fd of an unlinked file is what the kernel's exe link leads to then. */
	snprintf(path, sizeof(path), "%s/gone", root);
	fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(unlink(path), 0);
	snprintf(fdlink, sizeof(fdlink), "/proc/self/fd/%d", fd);
	fake_proc(700, 1, 3000, fdlink, "gone\0", 5, "/");
	header(&h, CG_EVENT_SYSCALL, 0, 700, 1, 3000 * tick_ns(), 0, 99 * SEC);
	p = process_cache__get(c, &h);
	assert_string_equal(p->binary, fdlink);
	assert_int_equal(p->flags & PROCESS_F_BINARY_MASK, PROCESS_F_BINARY_DELETED);
	/* A program still linked (pid 600's /usr/bin/sleep), or one not there: no flag. */
	header(&h, CG_EVENT_SYSCALL, 0, 600, 500, 2000 * tick_ns(), 0, 99 * SEC);
	assert_int_equal(process_cache__get(c, &h)->flags & PROCESS_F_BINARY_MASK, 0);
	header(&h, CG_EVENT_SYSCALL, 0, 1, 0, 5 * tick_ns(), 0, 99 * SEC);
	assert_int_equal(process_cache__get(c, &h)->flags & PROCESS_F_BINARY_MASK, 0);
	close(fd);
	process_cache__free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_id_reference),
		cmocka_unit_test(test_flags_string),
		cmocka_unit_test(test_fork_exec_exit),
		cmocka_unit_test(test_pid_reuse),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_scan_proc),
		cmocka_unit_test(test_miss),
		cmocka_unit_test(test_exec_paths_and_truncation),
		cmocka_unit_test(test_exec_binary_unresolved),
		cmocka_unit_test(test_procfs_deleted),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
