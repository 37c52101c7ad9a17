// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * A getevents client's far end for the end-to-end benchmark: count the
 * lines arriving on standard input and keep the running count in FILE
 * (rewritten in place after every read), so that a script can read how
 * many events a client has received so far.
 *
 *   credgatectl getevents -o json | count_lines FILE
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int store(int fd, unsigned long long lines)
{
	char text[32];
	int n = snprintf(text, sizeof(text), "%20llu\n", lines);

	return pwrite(fd, text, (size_t)n, 0) == n ? 0 : -1;
}

int main(int argc, char **argv)
{
	static char buf[1 << 20];
	unsigned long long lines = 0;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: count_lines FILE\n");
		return 2;
	}
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || store(fd, 0) < 0) {
		fprintf(stderr, "count_lines: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	for (;;) {
		ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + n - p))); p++)
			lines++;
		if (store(fd, lines) < 0)
			break;
	}
	return store(fd, lines) < 0 ? 1 : 0;
}
