// SPDX-License-Identifier: LGPL-2.1-or-later
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int max_level = LOG_INFO;

void log_set_max_level(int level)
{
	max_level = level;
}

int log_get_max_level(void)
{
	return max_level;
}

/* JOURNAL_STREAM names the journal's stream socket as "device:inode". */
static bool stderr_is_journal(void)
{
	static int cached = -1;
	const char *e;
	struct stat st;
	unsigned long long dev, ino;

	if (cached >= 0)
		return cached;
	cached = 0;
	e = getenv("JOURNAL_STREAM");
	if (e && sscanf(e, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) == 0 &&
	    st.st_dev == dev && st.st_ino == ino)
		cached = 1;
	return cached;
}

int log_internal(int level, int err, const char *fmt, ...)
{
	int saved_errno = errno;
	char line[2048];
	va_list ap;

	if (err < 0)
		err = -err;
	if (level > max_level)
		goto out;
	/* %m in the format prints strerror(err), as systemd's log does. */
	errno = err;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (stderr_is_journal())
		fprintf(stderr, "<%d>%s\n", level, line);
	else
		fprintf(stderr, "%s: %s\n", program_invocation_short_name, line);
out:
	errno = saved_errno;
	return -err;
}
