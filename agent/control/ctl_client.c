// SPDX-License-Identifier: LGPL-2.1-or-later
#include "ctl_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "macro.h"

static int connect_agent(const char *socket_path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(socket_path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "credgatectl: socket path too long\n");
		return -ENAMETOOLONG;
	}
	strcpy(addr.sun_path, socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return negative_errno();
	/*
	 * Attach our credentials to what we write whatever the agent has set:
	 * it allows reload and unload only on requests written by uid 0.
	 */
	{
		int one = 1;

		(void)setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
	}
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int r = negative_errno();

		fprintf(stderr, "credgatectl: cannot connect to the agent at %s: %s%s\n", socket_path,
			strerror(-r), r == -ENOENT || r == -ECONNREFUSED ? " (is credgated running?)" : "");
		close(fd);
		return r;
	}
	return fd;
}

static int send_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Connect and send @req. Returns the connected fd, or -errno (said). */
static int connect_and_send(const char *socket_path, const char *req)
{
	int fd = connect_agent(socket_path), r;

	if (fd < 0)
		return fd;
	r = send_all(fd, req, strlen(req));
	/* An agent that refused us at once (too many clients) has said why: read it. */
	if (r < 0 && r != -EPIPE && r != -ECONNRESET) {
		fprintf(stderr, "credgatectl: cannot send the request: %s\n", strerror(-r));
		close(fd);
		return -EIO;
	}
	return fd;
}

int ctl_request(const char *socket_path, const char *req, bool streaming)
{
	_cleanup_close_ int fd = connect_and_send(socket_path, req);
	char buf[65536];
	bool first = true, error = false;
	ssize_t n;

	if (fd < 0)
		return fd;
	if (!streaming)
		shutdown(fd, SHUT_WR);
	while ((n = recv(fd, buf, sizeof(buf), 0)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "credgatectl: reading from the agent: %s\n", strerror(errno));
			return -EIO;
		}
		if (first && n >= 6 && strncmp(buf, "ERROR\n", 6) == 0)
			error = true;
		if (first && error) {
			fwrite(buf + 6, 1, (size_t)n - 6, stderr);
		} else {
			fwrite(buf, 1, (size_t)n, error ? stderr : stdout);
			if (streaming)
				fflush(stdout);
		}
		first = false;
	}
	fflush(stdout);
	return error ? 1 : 0;
}

int ctl_request_capture(const char *socket_path, const char *req, char **reply, size_t *reply_len, bool *error)
{
	_cleanup_close_ int fd = connect_and_send(socket_path, req);
	size_t len = 0, cap = 65536;
	char *buf;
	ssize_t n;

	if (fd < 0)
		return fd;
	shutdown(fd, SHUT_WR);
	buf = malloc(cap + 1);
	if (!buf)
		return -ENOMEM;
	while ((n = recv(fd, buf + len, cap - len, 0)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "credgatectl: reading from the agent: %s\n", strerror(errno));
			free(buf);
			return -EIO;
		}
		len += (size_t)n;
		if (len == cap) {
			char *bigger;

			if (cap >= 16 * 1024 * 1024) {
				fprintf(stderr, "credgatectl: the agent's reply is longer than 16 MiB\n");
				free(buf);
				return -E2BIG;
			}
			cap *= 2;
			bigger = realloc(buf, cap + 1);
			if (!bigger) {
				free(buf);
				return -ENOMEM;
			}
			buf = bigger;
		}
	}
	buf[len] = '\0';
	*error = len >= 6 && strncmp(buf, "ERROR\n", 6) == 0;
	*reply = buf;
	*reply_len = len;
	return 0;
}
