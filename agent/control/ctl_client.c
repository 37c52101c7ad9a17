// SPDX-License-Identifier: LGPL-2.1-or-later
#include "ctl_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"

/* ctl_client_configure(): credgatectl leaves both as they are. */
static const char *ctl_program = "credgatectl";
static bool ctl_quiet;
static int ctl_timeout_ms;
static struct timespec ctl_deadline;

#define ctl_say(...)                                          \
	do {                                                  \
		if (!ctl_quiet) {                             \
			fprintf(stderr, "%s: ", ctl_program); \
			fprintf(stderr, __VA_ARGS__);         \
		}                                             \
	} while (0)

void ctl_client_configure(const char *program, int timeout_ms)
{
	ctl_quiet = !program;
	if (program)
		ctl_program = program;
	ctl_timeout_ms = timeout_ms > 0 ? timeout_ms : 0;
}

/*
 * Let the next blocking call on @fd (connect, send, recv) wait at most until
 * the deadline. Returns -ETIMEDOUT once it has passed.
 */
static int arm_deadline(int fd)
{
	struct timespec now;
	struct timeval tv;
	long long left_us;

	if (!ctl_timeout_ms)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	left_us = (ctl_deadline.tv_sec - now.tv_sec) * 1000000LL + (ctl_deadline.tv_nsec - now.tv_nsec) / 1000;
	if (left_us <= 0)
		return -ETIMEDOUT;
	tv.tv_sec = (time_t)(left_us / 1000000);
	tv.tv_usec = (suseconds_t)(left_us % 1000000);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return negative_errno();
	return 0;
}

/* A call that ran into the socket timeout arm_deadline() set fails with EAGAIN. */
static int timed_out_errno(int r)
{
	return ctl_timeout_ms && (r == -EAGAIN || r == -EINPROGRESS) ? -ETIMEDOUT : r;
}

static int connect_agent(const char *socket_path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(socket_path) >= sizeof(addr.sun_path)) {
		ctl_say("socket path too long\n");
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
	if (ctl_timeout_ms) {
		clock_gettime(CLOCK_MONOTONIC, &ctl_deadline);
		ctl_deadline.tv_sec += ctl_timeout_ms / 1000;
		ctl_deadline.tv_nsec += (ctl_timeout_ms % 1000) * 1000000L;
		if (ctl_deadline.tv_nsec >= 1000000000L) {
			ctl_deadline.tv_sec++;
			ctl_deadline.tv_nsec -= 1000000000L;
		}
	}
	if (arm_deadline(fd) < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int r = timed_out_errno(negative_errno());

		ctl_say("cannot connect to the agent at %s: %s%s\n", socket_path, strerror(-r),
			r == -ENOENT || r == -ECONNREFUSED ? " (is credgated running?)" : "");
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
			return timed_out_errno(negative_errno());
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
	if (r == -ETIMEDOUT) {
		ctl_say("cannot send the request: %s\n", strerror(-r));
		close(fd);
		return r;
	}
	if (r < 0 && r != -EPIPE && r != -ECONNRESET) {
		ctl_say("cannot send the request: %s\n", strerror(-r));
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
			ctl_say("reading from the agent: %s\n", strerror(errno));
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
	for (;;) {
		int r = arm_deadline(fd);

		n = r < 0 ? -1 : recv(fd, buf + len, cap - len, 0);
		if (n == 0)
			break;
		if (n < 0) {
			if (r == 0 && errno == EINTR)
				continue;
			r = r < 0 ? r : timed_out_errno(negative_errno());
			ctl_say("reading from the agent: %s\n", strerror(-r));
			free(buf);
			return r == -ETIMEDOUT ? r : -EIO;
		}
		len += (size_t)n;
		if (len == cap) {
			char *bigger;

			if (cap >= 16 * 1024 * 1024) {
				ctl_say("the agent's reply is longer than 16 MiB\n");
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
