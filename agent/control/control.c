// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The control socket's server (what it offers: control.h).
 *
 * Over 600 lines on purpose: it is one state machine, a client's life from
 * accept to close: a slot (root's reserved, the oldest silent client
 * evicted), a bounded request, who sent it, the answer or the event stream,
 * and the timer that drops the silent and the stuck. Every step reads and
 * writes the same private client record and the same byte bounds; split, the
 * record would be exported to a second file and the bounds that keep a
 * hostile client from holding the agent's memory checked in two places.
 */
#include "control.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
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
	int client; /* index, or -1 for the listening socket, -2 for the timer */
};

#define SOURCE_LISTEN (-1)
#define SOURCE_TIMER (-2)

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
	uint64_t missed;	  /* events dropped for this client, not yet reported */
	uint64_t last_progress_ns; /* CLOCK_MONOTONIC when it last took bytes */
	uint64_t deadline_ns;	   /* disconnect then (CLOCK_MONOTONIC); 0: none */
	uint64_t seq;		   /* accept order: the oldest silent client is evicted first */
	struct ucred peer;	   /* SO_PEERCRED: who connected */
	bool peer_root;		   /* connected as uid 0: may use a root slot */
	bool sent_by_root;	   /* every byte of the request came with uid 0's credentials */
};

struct control_server {
	struct control_source listen_source;
	struct control_source timer_source;
	int epoll_fd;
	uint64_t armed_ns; /* the timer's expiry, 0 when disarmed */
	uint64_t next_seq;
	size_t unprivileged; /* clients not connected as root */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct control_handlers handlers;
	struct control_client *clients[CONTROL_MAX_CLIENTS];
	size_t streaming;
	size_t stream_queued; /* unsent event bytes of all getevents clients */
	struct control_stats stats;
};

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
	if (!c->peer_root)
		server->unprivileged--;
	if (c->state == CLIENT_STREAMING) {
		server->streaming--;
		server->stream_queued -= c->out_len - c->out_off;
	}
	epoll_ctl(server->epoll_fd, EPOLL_CTL_DEL, c->source.fd, NULL);
	close(c->source.fd);
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
	c->deadline_ns = now_ns() + CONTROL_REPLY_TIMEOUT_MS * 1000000ull;
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

/*
 * May this client run @req? Read-only commands: anyone who could connect
 * (the socket's mode and group decide that). Commands that change what is
 * enforced: only when both who connected (SO_PEERCRED, taken again now) and
 * who wrote every byte of the request (SCM_CREDENTIALS, which the kernel
 * attaches to each write) are uid 0. The second check is what stops a socket
 * that root connected and then handed over (fd passing, inheritance, a
 * process that dropped privileges after connecting) from carrying a user's
 * "unload" with root's connect-time credentials.
 */
static bool client_allowed(struct control_client *c, char *why, size_t why_size)
{
	struct ucred now = { .uid = (uid_t)-1 };
	socklen_t len = sizeof(now);

	if (!control_command_mutates(c->req.cmd))
		return true;
	if (getsockopt(c->source.fd, SOL_SOCKET, SO_PEERCRED, &now, &len) < 0 || now.uid != 0 ||
	    c->peer.uid != 0) {
		snprintf(why, why_size, "permission denied: '%s' is for root only (connected as uid %u)",
			 c->req.command, (unsigned)c->peer.uid);
		return false;
	}
	if (!c->sent_by_root) {
		snprintf(why, why_size,
			 "permission denied: '%s' is for root only (the request was not written by uid 0)",
			 c->req.command);
		return false;
	}
	return true;
}

static void client_run(struct control_server *server, struct control_client *c)
{
	struct control_request *req = &c->req;
	struct json_writer w;
	char why[160];

	if (!client_allowed(c, why, sizeof(why))) {
		server->stats.refused++;
		log_notice("Refused '%s' over the control socket from pid %d uid %u: root only", req->command,
			   c->peer.pid, (unsigned)c->peer.uid);
		client_error(server, c, why);
		return;
	}
	json_writer_init(&w);
	switch (req->cmd) {
	case CONTROL_CMD_GETEVENTS:
		c->state = CLIENT_STREAMING;
		c->deadline_ns = 0; /* bounded by its queue, not by time */
		c->last_progress_ns = now_ns();
		server->streaming++;
		log_info("getevents client connected (pid %d, uid %u)", c->peer.pid, c->peer.uid);
		break;
	case CONTROL_CMD_STATUS:
		server->handlers.status(server->handlers.ctx, req->output != CONTROL_OUTPUT_TEXT, &w);
		json_raw(&w, "\n", 1);
		client_reply(server, c, w.buf ? w.buf : "", w.len);
		break;
	case CONTROL_CMD_METRICS:
		server->handlers.metrics(server->handlers.ctx, &w);
		client_reply(server, c, w.buf ? w.buf : "", w.len);
		break;
	case CONTROL_CMD_UNLOAD:
		log_notice("unload requested over the control socket (pid %d, uid %u)", c->peer.pid, c->peer.uid);
		if (server->handlers.unload(server->handlers.ctx, &w) < 0) {
			client_error(server, c, w.buf ? w.buf : "unload failed");
		} else {
			json_raw(&w, "\n", 1);
			client_reply(server, c, w.buf, w.len);
		}
		break;
	case CONTROL_CMD_RELOAD: {
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
		break;
	}
	case CONTROL_CMD_BIND_CONTAINER: {
		struct json_writer answer;

		json_writer_init(&answer);
		if (!server->handlers.bind_container) {
			client_error(server, c, "bind-container is not available in this agent");
		} else if (server->handlers.bind_container(server->handlers.ctx, req, &answer) < 0) {
			json_raw(&answer, "", 1); /* NUL-terminate what the handler said */
			client_error(server, c, answer.buf && answer.buf[0] ? answer.buf : "bind-container failed");
		} else {
			json_raw(&w, "OK ", 3);
			if (answer.len)
				json_raw(&w, answer.buf, answer.len);
			json_raw(&w, "\n", 1);
			client_reply(server, c, w.buf, w.len);
		}
		json_writer_free(&answer);
		break;
	}
	default:
		client_error(server, c, "unknown command");
		break;
	}
	json_writer_free(&w);
}

/*
 * Receive request bytes and the credentials the kernel attached to them
 * (SO_PASSCRED is on). A read never spans two writers' credentials, so each
 * chunk says who wrote it; bytes without credentials count as not root's.
 */
static ssize_t client_recv_request(struct control_client *c)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = c->in + c->in_len, .iov_len = sizeof(c->in) - c->in_len };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof(control.buf)
	};
	bool root = false;
	ssize_t n;

	n = recvmsg(c->source.fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return n;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_CREDENTIALS &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
			struct ucred cred;

			memcpy(&cred, CMSG_DATA(cm), sizeof(cred));
			root = cred.uid == 0;
		} else if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			/* File descriptors are never part of a request: close them. */
			size_t nfd = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (size_t i = 0; i < nfd; i++) {
				int fd;

				memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
				close(fd);
			}
		}
	}
	if (msg.msg_flags & MSG_CTRUNC)
		root = false;
	c->sent_by_root = c->sent_by_root && root;
	return n;
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
	n = client_recv_request(c);
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
	client_run(server, c);
}

static void control_dispatch(struct loop_source *base, uint32_t events);

/*
 * Make room for a new client when there is no slot it may take: drop the
 * oldest client still silent (no complete request), one that is not root's
 * unless @root. Streaming and replying clients are never evicted. Returns
 * the freed slot, or -1.
 */
static int server_evict(struct control_server *server, bool root)
{
	struct control_client *victim = NULL;

	for (int pass = 0; pass < (root ? 2 : 1) && !victim; pass++) {
		for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
			struct control_client *c = server->clients[i];

			if (!c || c->state != CLIENT_READING || (pass == 0 && c->peer_root))
				continue;
			if (!victim || c->seq < victim->seq)
				victim = c;
		}
	}
	if (!victim)
		return -1;
	{
		int slot = victim->source.client;

		server->stats.evicted++;
		client_close(server, victim);
		return slot;
	}
}

/*
 * A slot for a new client: root may take any; others leave
 * CONTROL_ROOT_SLOTS for root, so that the socket group cannot lock root's
 * reload out, whatever it opens.
 */
static int server_slot(struct control_server *server, bool root)
{
	if (root || server->unprivileged < CONTROL_MAX_CLIENTS - CONTROL_ROOT_SLOTS) {
		for (int i = 0; i < CONTROL_MAX_CLIENTS; i++)
			if (!server->clients[i])
				return i;
	}
	return server_evict(server, root);
}

static void server_accept(struct control_server *server)
{
	for (;;) {
		int fd = accept4(server->listen_source.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct epoll_event ev = { .events = EPOLLIN };
		struct ucred peer = { .pid = 0, .uid = (uid_t)-1, .gid = (gid_t)-1 };
		socklen_t len = sizeof(peer);
		struct control_client *c;
		int one = 1, slot;

		if (fd < 0)
			return;
		/*
		 * Normally inherited from the listener; set again so that every
		 * later write carries its writer's credentials.
		 */
		(void)setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) < 0)
			peer.uid = (uid_t)-1;
		slot = server_slot(server, peer.uid == 0);
		c = slot >= 0 ? calloc(1, sizeof(*c)) : NULL;
		if (!c) {
			static const char busy[] = "ERROR\ntoo many clients\n";

			server->stats.rejected++;
			(void)!send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
			close(fd);
			continue;
		}
		c->source = (struct control_source){
			.base.dispatch = control_dispatch, .server = server, .fd = fd, .client = slot
		};
		c->peer = peer;
		c->peer_root = peer.uid == 0;
		c->sent_by_root = true; /* until a byte says otherwise */
		c->seq = server->next_seq++;
		c->deadline_ns = now_ns() + CONTROL_REQUEST_TIMEOUT_MS * 1000000ull;
		ev.data.ptr = &c->source;
		if (epoll_ctl(server->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			free(c);
			continue;
		}
		server->clients[slot] = c;
		if (!c->peer_root)
			server->unprivileged++;
		server->stats.clients_accepted++;
	}
}

/* Drop the clients past their deadline. */
static void server_expire(struct control_server *server)
{
	uint64_t now = now_ns();
	uint64_t expirations;

	(void)!read(server->timer_source.fd, &expirations, sizeof(expirations));
	server->armed_ns = 0;
	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct control_client *c = server->clients[i];

		if (c && c->deadline_ns && c->deadline_ns <= now) {
			log_info("Control client (pid %d, uid %u) %s in time: disconnected", c->peer.pid,
				 (unsigned)c->peer.uid,
				 c->state == CLIENT_READING ? "sent no complete request" : "did not take its reply");
			server->stats.timed_out++;
			client_close(server, c);
		}
	}
}

/* Arm the timer for the earliest deadline, if it is not armed for it already. */
static void server_arm(struct control_server *server)
{
	struct itimerspec its = {};
	uint64_t next = 0;

	for (int i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct control_client *c = server->clients[i];

		if (c && c->deadline_ns && (!next || c->deadline_ns < next))
			next = c->deadline_ns;
	}
	/* A timer left armed for a client that is gone only fires for nothing. */
	if (!next || (server->armed_ns && server->armed_ns <= next))
		return;
	its.it_value.tv_sec = (time_t)(next / 1000000000ull);
	its.it_value.tv_nsec = (long)(next % 1000000000ull);
	if (timerfd_settime(server->timer_source.fd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
		server->armed_ns = next;
}

static void control_dispatch(struct loop_source *base, uint32_t events)
{
	struct control_source *source = (struct control_source *)base;
	struct control_server *server = source->server;
	struct control_client *c;

	if (source->client == SOURCE_LISTEN) {
		server_accept(server);
		goto out;
	}
	if (source->client == SOURCE_TIMER) {
		server_expire(server);
		goto out;
	}
	c = server->clients[source->client];
	if (!c)
		goto out;
	if (events & (EPOLLERR | EPOLLHUP)) {
		client_close(server, c);
		goto out;
	}
	if (events & EPOLLOUT) {
		client_flush(server, c);
		c = server->clients[source->client];
		if (!c)
			goto out;
	}
	if (events & EPOLLIN)
		client_read(server, c);
out:
	server_arm(server);
}

static enum output_format client_format(const struct control_client *c)
{
	return c->req.output == CONTROL_OUTPUT_COMPACT ? OUTPUT_COMPACT : OUTPUT_JSON;
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

static size_t clients_count(void *ctx)
{
	return control_server__streaming(ctx);
}

static void clients_offer(void *ctx, const struct event_view *ev)
{
	control_server__publish(ctx, ev);
}

static void clients_flush(void *ctx)
{
	control_server__flush(ctx);
}

static uint64_t clients_missed(void *ctx)
{
	const struct control_server *server = ctx;

	return server ? server->stats.client_missed : 0;
}

void control_server__event_clients(struct control_server *server, struct event_clients *out)
{
	*out = (struct event_clients){
		.count = clients_count,
		.offer = clients_offer,
		.flush = clients_flush,
		.missed = clients_missed,
		.ctx = server,
	};
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
	_cleanup_close_ int fd = -1, timer_fd = -1;
	mode_t old_umask;
	int one = 1;
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
	/*
	 * Created 0600 (root only); opened to @gid only after it owns the
	 * socket, so that root's own group never has a window to connect in.
	 */
	old_umask = umask(0177);
	r = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
	umask(old_umask);
	if (r < 0)
		return negative_errno();
	if (gid != (gid_t)-1 && (chown(path, 0, gid) < 0 || chmod(path, 0660) < 0))
		return negative_errno();
	/* Accepted sockets inherit it: each write then carries its writer's credentials. */
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
		return negative_errno();
	if (listen(fd, 16) < 0)
		return negative_errno();
	timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (timer_fd < 0)
		return negative_errno();
	server->listen_source = (struct control_source){
		.base.dispatch = control_dispatch, .server = server, .fd = fd, .client = SOURCE_LISTEN
	};
	server->timer_source = (struct control_source){
		.base.dispatch = control_dispatch, .server = server, .fd = timer_fd, .client = SOURCE_TIMER
	};
	ev.data.ptr = &server->timer_source;
	if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, timer_fd, &ev) < 0)
		return negative_errno();
	ev.data.ptr = &server->listen_source;
	if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		r = negative_errno();
		epoll_ctl(epoll_fd, EPOLL_CTL_DEL, timer_fd, NULL);
		return r;
	}
	TAKE_FD(fd);
	TAKE_FD(timer_fd);
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
	epoll_ctl(server->epoll_fd, EPOLL_CTL_DEL, server->timer_source.fd, NULL);
	close(server->timer_source.fd);
	unlink(server->path);
	free(server);
}
