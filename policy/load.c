/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading policy files: one file, or every *.yaml and *.yml regular file of
 * a directory in strcmp() order of their names. All of them are read and
 * checked before any joins the set, so one bad file leaves the set as it
 * was, and its problems are reported alongside those of the others.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "diag.h"
#include "fileio.h"
#include "set.h"

/* Report errno @errnum about @file with @what ("cannot open"), return it negated. */
static int report_errno(struct policy_diags *diags, const char *file, const char *what, int errnum)
{
	struct diag_reporter reporter = { .diags = diags, .file = file };
	char buf[128];

	diag_error(&reporter, 0, 0, "%s: %s", what, diag_errno_text(errnum, buf, sizeof(buf)));
	return -errnum;
}

static int report_untrusted(struct policy_diags *diags, const char *file, const struct trust_problem *problem)
{
	struct diag_reporter reporter = { .diags = diags, .file = file };
	char why[128];

	trust_problem_text(problem, why, sizeof(why));
	if (strcmp(problem->path, file) == 0)
		diag_error(&reporter, 0, 0,
			   "refusing a policy file %s: whoever can change it decides what is enforced "
			   "(chown root, chmod go-w)",
			   why);
	else
		diag_error(&reporter, 0, 0,
			   "refusing a policy file: the directory %s above it is %s, and whoever can change it "
			   "decides what is enforced (chown root, chmod go-w)",
			   problem->path, why);
	return -EPERM;
}

static int report_too_large(struct policy_diags *diags, const char *file, unsigned long long size)
{
	struct diag_reporter reporter = { .diags = diags, .file = file };

	diag_error(&reporter, 0, 0, "file is too large: %llu bytes, more than POLICY_MAX_FILE_SIZE (%d)", size,
		   POLICY_MAX_FILE_SIZE);
	return -EFBIG;
}

/* Read all of @fd, at most POLICY_MAX_FILE_SIZE bytes. */
static int read_bounded(int fd, size_t size_hint, const char *file, struct policy_diags *diags, char **ret,
			size_t *ret_len)
{
	int r = read_fd_bounded(fd, size_hint, POLICY_MAX_FILE_SIZE, ret, ret_len);

	if (r == -EFBIG)
		return report_too_large(diags, file, *ret_len);
	if (r < 0 && r != -ENOMEM)
		return report_errno(diags, file, "cannot read", -r);
	return r;
}

static int load_file(struct policy_staging *staging, int fd, const struct stat *st, const char *file)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r;

	if (st->st_size > POLICY_MAX_FILE_SIZE)
		return report_too_large(staging->diags, file, (unsigned long long)st->st_size);
	r = read_bounded(fd, (size_t)st->st_size, file, staging->diags, &text, &len);
	if (r < 0)
		return r;
	return policy_staging_parse(staging, file, text, len);
}

static bool is_policy_file_name(const char *name)
{
	static const char *const suffixes[] = { ".yaml", ".yml" };
	size_t len = strlen(name);

	/* Hidden files are editors' swap files, backups and the like. */
	if (name[0] == '.')
		return false;
	for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
		size_t suffix_len = strlen(suffixes[i]);

		if (len > suffix_len && strcmp(name + len - suffix_len, suffixes[i]) == 0)
			return true;
	}
	return false;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct name_list {
	char **names;
	size_t count;
};

static void name_list_done(struct name_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->names[i]);
	free(list->names);
	*list = (struct name_list){};
}

/* The policy file names of @dir, sorted. */
static int list_policy_files(DIR *dir, const char *path, struct policy_diags *diags, struct name_list *ret)
{
	_cleanup_(name_list_done) struct name_list list = {};

	for (;;) {
		struct dirent *entry;
		char **names;

		errno = 0;
		entry = readdir(dir);
		if (!entry) {
			if (errno != 0)
				return report_errno(diags, path, "cannot list directory", errno);
			break;
		}
		if (!is_policy_file_name(entry->d_name))
			continue;
		if (list.count >= POLICY_MAX_FILES) {
			struct diag_reporter reporter = { .diags = diags, .file = path };

			diag_error(&reporter, 0, 0, "too many policy files: more than POLICY_MAX_FILES (%d)",
				   POLICY_MAX_FILES);
			return -E2BIG;
		}
		names = reallocarray(list.names, list.count + 1, sizeof(*names));
		if (!names)
			return -ENOMEM;
		list.names = names;
		list.names[list.count] = strdup(entry->d_name);
		if (!list.names[list.count])
			return -ENOMEM;
		list.count++;
	}
	if (list.count > 0)
		qsort(list.names, list.count, sizeof(*list.names), compare_names);
	*ret = list;
	list = (struct name_list){};
	return 0;
}

/* "dir/name" for diagnostics, without doubling a trailing slash. */
static char *join_path(const char *dir, const char *name)
{
	size_t len = strlen(dir);
	char *joined;

	while (len > 1 && dir[len - 1] == '/')
		len--;
	if (asprintf(&joined, "%.*s%s%s", (int)len, dir, len > 0 && dir[len - 1] == '/' ? "" : "/", name) < 0)
		return NULL;
	return joined;
}

/* Open a regular file of @dir without blocking on a FIFO or device.
 * Returns 1 with *@ret_fd, 0 when the entry is not a regular file, -errno. */
static int open_regular_file(DIR *dir, const char *name, struct stat *st, int *ret_fd)
{
	_cleanup_close_ int fd = -1;

	/* Look before opening: opening a device may have side effects. */
	if (fstatat(dirfd(dir), name, st, 0) < 0)
		return -errno;
	if (!S_ISREG(st->st_mode))
		return 0;
	fd = openat(dirfd(dir), name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	/* It may have been replaced in between. */
	if (fstat(fd, st) < 0)
		return -errno;
	if (!S_ISREG(st->st_mode))
		return 0;
	*ret_fd = TAKE_FD(fd);
	return 1;
}

static int load_directory(struct policy_staging *staging, int fd, const char *path)
{
	_cleanup_(name_list_done) struct name_list list = {};
	_cleanup_closedir_ DIR *dir = NULL;
	int first_error = 0, r;

	dir = fdopendir(fd);
	if (!dir) {
		int errnum = errno;

		close(fd); /* fdopendir() takes the fd only when it succeeds */
		return report_errno(staging->diags, path, "cannot list directory", errnum);
	}
	r = list_policy_files(dir, path, staging->diags, &list);
	if (r < 0)
		return r;

	for (size_t i = 0; i < list.count; i++) {
		_cleanup_free_ char *file = join_path(path, list.names[i]);
		_cleanup_close_ int file_fd = -1;
		struct trust_problem problem;
		struct stat st;

		if (!file)
			return -ENOMEM;
		r = open_regular_file(dir, list.names[i], &st, &file_fd);
		if (r < 0) {
			r = report_errno(staging->diags, file, "cannot open", -r);
		} else if (r > 0 && staging->base->require_trusted_files && !stat_is_trusted(&st, false, &problem)) {
			snprintf(problem.path, sizeof(problem.path), "%s", file);
			r = report_untrusted(staging->diags, file, &problem);
		} else if (r > 0) {
			r = load_file(staging, file_fd, &st, file);
		}
		if (r == -ENOMEM)
			return r;
		/* Go on with the other files: the caller wants every problem. */
		if (r < 0 && first_error == 0)
			first_error = r;
	}
	return first_error;
}

int policy_set__load(struct policy_set *set, const char *path, struct policy_diags *diags)
{
	struct policy_staging staging;
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r;

	if (!set || !path)
		return -EINVAL;
	if (set->require_trusted_files) {
		struct trust_problem problem;

		r = path_check_trusted(path, &problem);
		if (r == -EPERM)
			return report_untrusted(diags, path, &problem);
		if (r < 0)
			return report_errno(diags, path, "cannot resolve", -r);
	}
	policy_staging_init(&staging, set, diags);

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return report_errno(diags, path, "cannot open", errno);
	if (fstat(fd, &st) < 0)
		return report_errno(diags, path, "cannot stat", errno);

	if (S_ISDIR(st.st_mode)) {
		r = load_directory(&staging, TAKE_FD(fd), path);
	} else if (S_ISREG(st.st_mode)) {
		r = load_file(&staging, fd, &st, path);
	} else {
		struct diag_reporter reporter = { .diags = diags, .file = path };

		diag_error(&reporter, 0, 0, "not a regular file or a directory");
		r = -EINVAL;
	}
	if (r == 0)
		r = policy_staging_commit(&staging, set);
	policy_staging_done(&staging);
	return r;
}
