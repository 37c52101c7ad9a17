// SPDX-License-Identifier: LGPL-2.1-or-later
#include "control.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control_proto.h"
#include "log.h"
#include "macro.h"

struct control_source {
	struct loop_source base; /* first: epoll's data.ptr points here */
	struct control_server *server;
	int fd;
	int client; /* index, or -1 for the listening socket */
};

enum client_state {
	CLIENT_READING,	  /* waiting for the request */
	CLIENT_STREAMING, /* getevents: sending events until it hangs up */
	CLIENT_CLOSING,	  /* sending the last of a reply, then close */
};

struct control_client {
	struct control_source source;
	enum client_state state;
	char in[CONTROL_MAX_REQUEST];
	size_t in_len;
	char *out;
	size_t out_len; /* bytes in out */
	size_t out_off; /* bytes of out already sent */
	size_t out_cap;
	bool want_write; /* EPOLLOUT armed */
	struct control_request req;
	bool has_req;
	uint64_t missed;	  /* events dropped for this client, not yet reported */
	uint64_t last_progress_ns; /* CLOCK_MONOTONIC when it last took bytes */
	struct ucred peer;
};

struct control_server {
	struct control_source listen_source;
	int epoll_fd;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct control_handlers handlers;
	struct control_client *clients[CONTROL_MAX_CLIENTS];
	size_t streaming;
	size_t stream_queued; /* unsent event bytes of all getevents clients */
	struct control_stats stats;
};

/* ---- Requests ------------------------------------------------------------ */

static int copy_value(char *dst, size_t size, const char *value, const char *key, char *err,
		      size_t err_size)
{
	if (strlen(value) >= size) {
		snprintf(err, err_size, "value of '%s' longer than %zu bytes", key, size - 1);
		return -EINVAL;
	}
	strcpy(dst, value);
	return 0;
}

static bool one_of(const char *value, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (strcmp(value, *allowed) == 0)
			return true;
	return false;
}

int control_request_parse(const char *text, size_t len, struct control_request *req, char *err,
			  size_t err_size)
{
	static const char *const commands[] = { "getevents", "status", "reload", "metrics", "unload", NULL };
	static const char *const kinds[] = { "decision", "kprobe", "exec", "lost", NULL };
	char line[CONTROL_MAX_REQUEST];
	size_t pos = 0;
	int lines = 0, r;

	memset(req, 0, sizeof(*req));
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *eq, *key, *value;

		if (n == 0)
			break; /* the empty line ends the request */
		if (++lines > CONTROL_MAX_REQUEST_LINES) {
			snprintf(err, err_size, "more than %d request lines", CONTROL_MAX_REQUEST_LINES);
			goto fail;
		}
		if (n >= sizeof(line)) {
			snprintf(err, err_size, "request line too long");
			goto fail;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + (nl ? 1 : 0);
		eq = strchr(line, '=');
		if (!eq) {
			snprintf(err, err_size, "expected key=value, got '%.64s'", line);
			goto fail;
		}
		*eq = '\0';
		key = line;
		value = eq + 1;
#define FIELD(name)                                                                               \
	if (strcmp(key, #name) == 0) {                                                            \
		r = copy_value(req->name, sizeof(req->name), value, key, err, err_size);          \
		if (r < 0)                                                                         \
			goto fail;                                                                 \
		continue;                                                                          \
	}
		FIELD(command)
		FIELD(output)
		FIELD(kind)
		FIELD(verdict)
		FIELD(cgroup)
		FIELD(container)
		FIELD(pod)
		FIELD(process)
		FIELD(policy)
#undef FIELD
		snprintf(err, err_size, "unknown request key '%.32s'", key);
		goto fail;
	}
	if (!one_of(req->command, commands)) {
		snprintf(err, err_size, "unknown command '%.32s' (expected getevents, status, reload, metrics or unload)",
			 req->command);
		goto fail;
	}
	if (req->output[0] && strcmp(req->output, "json") != 0 && strcmp(req->output, "compact") != 0 &&
	    strcmp(req->output, "text") != 0) {
		snprintf(err, err_size, "unknown output '%.32s'", req->output);
		goto fail;
	}
	if (req->kind[0] && !one_of(req->kind, kinds)) {
		snprintf(err, err_size, "unknown kind '%.32s' (expected decision, kprobe, exec or lost)", req->kind);
		goto fail;
	}
	if (req->process[0]) {
		r = regcomp(&req->process_re, req->process, REG_EXTENDED | REG_NOSUB);
		if (r != 0) {
			char msg[128];

			regerror(r, &req->process_re, msg, sizeof(msg));
			snprintf(err, err_size, "bad process regex: %s", msg);
			goto fail;
		}
		req->has_process_re = true;
	}
	return 0;
fail:
	control_request_free(req);
	return -EINVAL;
}

void control_request_free(struct control_request *req)
{
	if (req->has_process_re)
		regfree(&req->process_re);
	req->has_process_re = false;
}

/* @path is @prefix, or below it. */
static bool path_within(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	while (n > 1 && prefix[n - 1] == '/')
		n--;
	if (strncmp(path, prefix, n) != 0)
		return false;
	return path[n] == '\0' || path[n] == '/' || (n == 1 && prefix[0] == '/');
}

static bool eq_opt(const char *filter, const char *value)
{
	return !filter[0] || (value && strcmp(filter, value) == 0);
}

bool control_request_matches(const struct control_request *req, const struct event_view *ev)
{
	if (!eq_opt(req->kind, ev->kind) || !eq_opt(req->verdict, ev->verdict) ||
	    !eq_opt(req->pod, ev->pod_uid) || !eq_opt(req->policy, ev->policy_name))
		return false;
	if (req->cgroup[0] && (!ev->cgroup_path || !path_within(ev->cgroup_path, req->cgroup)))
		return false;
	if (req->container[0] &&
	    (!ev->container_id || strncmp(ev->container_id, req->container, strlen(req->container)) != 0))
		return false;
	if (req->has_process_re) {
		const char *subject = ev->binary ? ev->binary : ev->comm;

		if (!subject || regexec(&req->process_re, subject, 0, NULL, 0) != 0)
			return false;
	}
	return true;
}

/* ---- Clients ------------------------------------------------------------- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void client_update_epoll(struct control_server *server, struct control_client *c)
{
	bool want = c->out_len > c->out_off;
	struct epoll_event ev = { .events = EPOLLIN | (want ? EPOLLOUT : 0), .data.ptr = &c->source };

	if (want == c->want_write)
		return;
	c->want_write = want;
	epoll_ctl(server->epoll_fd, EPOLL_CTL_MOD, c->source.fd, &ev);
}

static void client_close(struct control_server *server, struct control_client *c)
{
	server->clients[c->source.client] = NULL;
	if (c->state == CLIENT_STREAMING) {
		server->streaming--;
		server->stream_queued -= c->out_len - c->out_off;
	}
	epoll_ctl(server->epoll_fd, EPOLL_CTL_DEL, c->source.fd, NULL);
	close(c->source.fd);
	if (c->has_req)
		control_request_free(&c->req);
	free(c->out);
	free(c);
}

/* Queue bytes; false when they do not fit in the client's budget. */
static bool client_queue(struct control_client *c, const char *data, size_t len)
{
	size_t need;

	/* Reclaim what was sent before growing. */
	if (c->out_off && c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	need = c->out_len + len;
	if (need - c->out_off > CONTROL_CLIENT_BUFFER)
		return false;
	if (need > c->out_cap) {
		size_t cap;
		char *out;

		if (c->out_off) {
			memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
			c->out_len -= c->out_off;
			c->out_off = 0;
			need = c->out_len + len;
		}
		cap = c->out_cap ? c->out_cap : 4096;
		while (cap < need)
			cap *= 2;
		if (need > c->out_cap) {
			out = realloc(c->out, cap);
			if (!out)
				return false;
			c->out = out;
			c->out_cap = cap;
		}
	}
	memcpy(c->out + c->out_len, data, len);
	c->out_len += len;
	return true;
}

static void client_flush(struct control_server *server, struct control_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->source.fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			client_close(server, c);
			return;
		}
		c->out_off += (size_t)n;
		if (c->state == CLIENT_STREAMING)
			server->stream_queued -= (size_t)n;
		if (n > 0)
			c->last_progress_ns = now_ns();
	}
	if (c->out_off == c->out_len) {
		c->out_off = c->out_len = 0;
		if (c->out_cap > CONTROL_KEEP_BUFFER) {
			/* A burst is over: do not keep its peak allocated. */
			free(c->out);
			c->out = NULL;
			c->out_cap = 0;
		}
		if (c->state == CLIENT_CLOSING) {
			client_close(server, c);
			return;
		}
	}
	client_update_epoll(server, c);
}

static void client_reply(struct control_server *server, struct control_client *c, const char *text,
			 size_t len)
{
	c->state = CLIENT_CLOSING;
	if (!client_queue(c, text, len)) {
		client_close(server, c);
		return;
	}
	client_flush(server, c);
}

static void client_error(struct control_server *server, struct control_client *c, const char *why)
{
	char text[512];
	int n = snprintf(text, sizeof(text), "ERROR\n%s\n", why);

	client_reply(server, c, text, (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1);
}

static void client_run(struct control_server *server, struct control_client *c)
{
	struct control_request *req = &c->req;
	struct json_writer w;

	json_writer_init(&w);
	if (strcmp(req->command, "getevents") == 0) {
		c->state = CLIENT_STREAMING;
		c->last_progress_ns = now_ns();
		server->streaming++;
		log_info("getevents client connected (pid %d, uid %u)", c->peer.pid, c->peer.uid);
	} else if (strcmp(req->command, "status") == 0) {
		server->handlers.status(server->handlers.ctx, strcmp(req->output, "text") != 0, &w);
		json_raw(&w, "\n", 1);
		client_reply(server, c, w.buf ? w.buf : "", w.len);
	} else if (strcmp(req->command, "metrics") == 0) {
		server->handlers.metrics(server->handlers.ctx, &w);
		client_reply(server, c, w.buf ? w.buf : "", w.len);
	} else if (strcmp(req->command, "unload") == 0) {
		log_notice("unload requested over the control socket (pid %d, uid %u)", c->peer.pid, c->peer.uid);
		if (server->handlers.unload(server->handlers.ctx, &w) < 0) {
			client_error(server, c, w.buf ? w.buf : "unload failed");
		} else {
			json_raw(&w, "\n", 1);
			client_reply(server, c, w.buf, w.len);
		}
	} else if (strcmp(req->command, "reload") == 0) {
		struct json_writer problems;
		uint32_t generation = 0;
		char head[64];
		int r;

		json_writer_init(&problems);
		log_notice("reload requested over the control socket (pid %d, uid %u)", c->peer.pid,
			   c->peer.uid);
		r = server->handlers.reload(server->handlers.ctx, &problems, &generation);
		snprintf(head, sizeof(head), r == 0 ? "OK generation %u\n" : "ERROR\n", generation);
		json_raw(&w, head, strlen(head));
		if (r < 0 && problems.len)
			json_raw(&w, problems.buf, problems.len);
		client_reply(server, c, w.buf ? w.buf : "", w.len);
		json_writer_free(&problems);
	}
	json_writer_free(&w);
}

/* Read the request; run it once it is complete. */
static void client_read(struct control_server *server, struct control_client *c)
{
	char err[256];
	ssize_t n;

	if (c->state != CLIENT_READING) {
		char sink[256];

		/* A getevents client has nothing more to say: read EOF or discard. */
		n = recv(c->source.fd, sink, sizeof(sink), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			client_close(server, c);
		return;
	}
	n = recv(c->source.fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			client_close(server, c);
		return;
	}
	c->in_len += (size_t)n;
	/* Complete at the empty line, or when the peer stops writing. */
	if (!(n == 0 || memmem(c->in, c->in_len, "\n\n", 2) ||
	      (c->in_len == 1 && c->in[0] == '\n'))) {
		if (c->in_len == sizeof(c->in))
			client_error(server, c, "request too long");
		return;
	}
	if (control_request_parse(c->in, c->in_len, &c->req, err, sizeof(err)) < 0) {
		client_error(server, c, err);
		return;
	}
	c->has_req = true;
	client_run(server, c);
}

static void control_dispatch(struct loop_source *base, uint32_t events);

static void server_accept(struct control_server *server)
{
	for (;;) {
		int fd = accept4(server->listen_source.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct epoll_event ev = { .events = EPOLLIN };
		struct control_client *c;
		socklen_t len;
		int slot = -1;

		if (fd < 0)
			return;
		for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
			if (!server->clients[i]) {
				slot = i;
				break;
			}
		}
		c = slot >= 0 ? calloc(1, sizeof(*c)) : NULL;
		if (!c) {
			static const char busy[] = "ERROR\ntoo many clients\n";

			(void)!send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			close(fd);
			continue;
		}
		c->source = (struct control_source){
			.base.dispatch = control_dispatch, .server = server, .fd = fd, .client = slot
		};
		len = sizeof(c->peer);
		getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c->peer, &len);
		ev.data.ptr = &c->source;
		if (epoll_ctl(server->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			free(c);
			continue;
		}
		server->clients[slot] = c;
		server->stats.clients_accepted++;
	}
}

static void control_dispatch(struct loop_source *base, uint32_t events)
{
	struct control_source *source = (struct control_source *)base;
	struct control_server *server = source->server;
	struct control_client *c;

	if (source->client < 0) {
		server_accept(server);
		return;
	}
	c = server->clients[source->client];
	if (!c)
		return;
	if (events & (EPOLLERR | EPOLLHUP)) {
		client_close(server, c);
		return;
	}
	if (events & EPOLLOUT) {
		client_flush(server, c);
		c = server->clients[source->client];
		if (!c)
			return;
	}
	if (events & EPOLLIN)
		client_read(server, c);
}

static enum output_format client_format(const struct control_client *c)
{
	return strcmp(c->req.output, "compact") == 0 ? OUTPUT_COMPACT : OUTPUT_JSON;
}

/* Queue one line for a getevents client, whole or not at all, within its budget and everyone's. */
static bool client_queue_line(struct control_server *server, struct control_client *c, const char *text,
			      size_t len)
{
	if (c->out_len - c->out_off + len + 1 > CONTROL_CLIENT_BUFFER ||
	    server->stream_queued + len + 1 > CONTROL_STREAM_BUFFERS || !client_queue(c, text, len))
		return false;
	if (!client_queue(c, "\n", 1)) {
		c->out_len -= len; /* never half a line */
		return false;
	}
	server->stream_queued += len + 1;
	return true;
}

/* Tell a client that caught up how many events it missed. */
static void client_report_missed(struct control_server *server, struct control_client *c,
				 enum output_format format)
{
	char line[160];
	int n;

	if (format == OUTPUT_COMPACT)
		n = snprintf(line, sizeof(line), "credgate: this client missed %llu events (it read too slowly)",
			     (unsigned long long)c->missed);
	else
		n = snprintf(line, sizeof(line), "{\"credgate_lost\":{\"client_missed\":%llu}}",
			     (unsigned long long)c->missed);
	if (client_queue_line(server, c, line, (size_t)n))
		c->missed = 0;
}

void control_server__publish(struct control_server *server, const struct event_view *ev)
{
	if (!server || !server->streaming)
		return;
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct control_client *c = server->clients[i];
		enum output_format format;
		const char *text;
		size_t len;

		if (!c || c->state != CLIENT_STREAMING || !control_request_matches(&c->req, ev))
			continue;
		format = client_format(c);
		if (c->missed && c->out_len - c->out_off < CONTROL_CLIENT_BUFFER / 2)
			client_report_missed(server, c, format);
		text = ev->text(ev->text_ctx, format, &len);
		if (!text)
			continue;
		if (c->missed || !client_queue_line(server, c, text, len)) {
			/* Never wait for a slow reader: count, and tell it later. */
			if (!c->missed)
				log_info("getevents client (pid %d) is %zu bytes behind and took nothing for %llu ms: it misses events",
					 c->peer.pid, c->out_len - c->out_off,
					 (unsigned long long)((now_ns() - c->last_progress_ns) / 1000000));
			c->missed++;
			server->stats.client_missed++;
			continue;
		}
		if (c->out_len - c->out_off >= CONTROL_SEND_BATCH)
			client_flush(server, c);
	}
}

void control_server__flush(struct control_server *server)
{
	if (!server || !server->streaming)
		return;
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct control_client *c = server->clients[i];

		if (!c || c->state != CLIENT_STREAMING)
			continue;
		/* One that caught up learns what it missed even if no event follows. */
		if (c->missed && c->out_len - c->out_off < CONTROL_CLIENT_BUFFER / 2)
			client_report_missed(server, c, client_format(c));
		if (c->out_off < c->out_len)
			client_flush(server, c);
	}
}

size_t control_server__streaming(const struct control_server *server)
{
	return server ? server->streaming : 0;
}

void control_server__stats(const struct control_server *server, struct control_stats *stats)
{
	*stats = server->stats;
}

int control_server__new(struct control_server **out, const char *path, gid_t gid, int epoll_fd,
			const struct control_handlers *handlers)
{
	_cleanup_free_ struct control_server *server = calloc(1, sizeof(*server));
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct epoll_event ev = { .events = EPOLLIN };
	_cleanup_close_ int fd = -1;
	mode_t old_umask;
	int r;

	if (!server)
		return -ENOMEM;
	if (strlen(path) >= sizeof(addr.sun_path))
		return -ENAMETOOLONG;
	strcpy(addr.sun_path, path);
	strcpy(server->path, path);
	server->epoll_fd = epoll_fd;
	server->handlers = *handlers;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return negative_errno();
	/*
	 * A socket file left by an agent that died is removed; one that a live
	 * agent answers on is not taken over.
	 */
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
		return -EADDRINUSE;
	close(fd);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return negative_errno();
	unlink(path);
	old_umask = umask(0117);
	r = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old_umask);
	if (r < 0)
		return negative_errno();
	if (gid != (gid_t)-1 && chown(path, 0, gid) < 0)
		return negative_errno();
	if (listen(fd, 16) < 0)
		return negative_errno();
	server->listen_source = (struct control_source){
		.base.dispatch = control_dispatch, .server = server, .fd = fd, .client = -1
	};
	ev.data.ptr = &server->listen_source;
	if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return negative_errno();
	TAKE_FD(fd);
	*out = TAKE_PTR(server);
	return 0;
}

void control_server__free(struct control_server *server)
{
	if (!server)
		return;
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (server->clients[i])
			client_close(server, server->clients[i]);
	epoll_ctl(server->epoll_fd, EPOLL_CTL_DEL, server->listen_source.fd, NULL);
	close(server->listen_source.fd);
	unlink(server->path);
	free(server);
}
