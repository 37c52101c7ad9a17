/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Scope-bound cleanup for every module (policy/, selinux-compat/, agent/),
 * after systemd's macros: a variable declared _cleanup_free_ is freed on
 * every return path, and TAKE_PTR() hands ownership over so that the
 * cleanup becomes a no-op. One header, so that the helpers exist once.
 * GNU C (cleanup attribute, typeof, statement expressions) is required;
 * the project builds with -std=gnu11.
 */
#ifndef CREDGATE_COMMON_CLEANUP_H
#define CREDGATE_COMMON_CLEANUP_H

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(fn) __attribute__((cleanup(fn)))

static inline void freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		/* close() may clobber errno, which a caller may still read. */
		int saved_errno = errno;

		close(*fd);
		errno = saved_errno;
	}
}
#define _cleanup_close_ _cleanup_(closep)

static inline void closedirp(DIR **dir)
{
	if (*dir)
		closedir(*dir);
}
#define _cleanup_closedir_ _cleanup_(closedirp)

static inline void fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Return the pointer and clear the variable, so its cleanup does nothing. */
#define TAKE_PTR(ptr)                              \
	({                                         \
		typeof(ptr) _taken_ptr_ = (ptr);   \
		(ptr) = NULL;                      \
		_taken_ptr_;                       \
	})

#define TAKE_FD(fd)                        \
	({                                 \
		int _taken_fd_ = (fd);     \
		(fd) = -1;                 \
		_taken_fd_;                \
	})

/* The number of elements of an array (never a pointer: the compiler cannot tell). */
#define ELEMENTSOF(array) (sizeof(array) / sizeof((array)[0]))

#endif /* CREDGATE_COMMON_CLEANUP_H */
