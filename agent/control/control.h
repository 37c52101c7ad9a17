/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The agent's side of the control socket (protocol in control_proto.h):
 * accepting clients, reading their requests, streaming events to
 * getevents clients without ever blocking on one, and answering status,
 * reload and metrics requests through handlers the agent provides.
 */
#ifndef CREDGATE_CONTROL_H
#define CREDGATE_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "control_request.h"
#include "event_fanout.h"
#include "event_format.h"
#include "json_writer.h"
#include "loop.h"

/*
 * The agent never waits for a getevents client: events it has not taken
 * yet queue in the agent, up to CONTROL_CLIENT_BUFFER bytes for one client
 * (about 11,000 JSON events: 35 ms at 300k events/s, room for the client
 * not being scheduled for a while) and CONTROL_STREAM_BUFFERS for all of
 * them together; past that the client misses events and is told how many.
 * Replies to other requests count only against their own client's bound,
 * so that `credgatectl status` answers while clients are behind.
 */
#define CONTROL_CLIENT_BUFFER (16 * 1024 * 1024)
#define CONTROL_STREAM_BUFFERS (64 * 1024 * 1024)
/* A drained queue larger than this is given back to the allocator. */
#define CONTROL_KEEP_BUFFER (256 * 1024)
#define CONTROL_MAX_CLIENTS 64
/*
 * Slots only root may take: however many connections the socket group opens
 * (each one a streaming client or silent), root's reload, which is the
 * unit's ExecReload, still gets in.
 */
#define CONTROL_ROOT_SLOTS 8
/*
 * A client must send its whole request within this time, and take a reply
 * within CONTROL_REPLY_TIMEOUT_MS, or it is disconnected: a silent client
 * holds a slot and its memory for no one.
 */
#define CONTROL_REQUEST_TIMEOUT_MS 5000
#define CONTROL_REPLY_TIMEOUT_MS 10000
/*
 * Events are queued per client and sent when the agent has handled a batch
 * (control_server__flush), or sooner once this much is pending: one send()
 * per event would wake the client, and switch tasks, once per event.
 */
#define CONTROL_SEND_BATCH (64 * 1024)

struct control_handlers {
	/* Write the status, as JSON or text. */
	void (*status)(void *ctx, bool json, struct json_writer *out);
	/* Reload; on failure fill *problems (one problem per line). */
	int (*reload)(void *ctx, struct json_writer *problems, uint32_t *generation);
	void (*metrics)(void *ctx, struct json_writer *out);
	/* Detach everything and stop; fill *message with what was done. */
	int (*unload)(void *ctx, struct json_writer *message);
	/*
	 * Put a starting container's cgroup under the policy its identity
	 * selects (control_proto.h). Fill *answer with the answer's first line
	 * without "OK " or "ERROR\n" and its newline; return 0 or a negative errno.
	 */
	int (*bind_container)(void *ctx, const struct control_request *req, struct json_writer *answer);
	void *ctx;
};

struct control_server;

/*
 * Listen on @path (its directory must exist): mode 0600 owned by root when
 * @gid is (gid_t)-1, else mode 0660 with group @gid, whose members may use
 * the read-only commands. Commands that change anything (reload, unload)
 * are for uid 0 only, checked for each request: see control.c. The server adds its fds to @epoll_fd; their
 * data.ptr is a struct loop_source that handles their events.
 */
int control_server__new(struct control_server **out, const char *path, gid_t gid, int epoll_fd,
			const struct control_handlers *handlers);
void control_server__free(struct control_server *server);


/* Offer an event to every getevents client whose filter it matches. */
void control_server__publish(struct control_server *server, const struct event_view *ev);

/* Send what is queued for every getevents client, as far as each takes it now. */
void control_server__flush(struct control_server *server);

/* getevents clients connected now. */
size_t control_server__streaming(const struct control_server *server);

/*
 * The getevents clients as the event fan-out takes them (struct
 * event_clients, event_fanout.h): publish, flush, streaming and the
 * client_missed count above, for @server (which must outlive their use).
 */
void control_server__event_clients(struct control_server *server, struct event_clients *out);

struct control_stats {
	uint64_t clients_accepted;
	uint64_t client_missed; /* events not delivered to slow clients */
	uint64_t refused;	/* requests refused: not allowed for the peer */
	uint64_t timed_out;	/* clients dropped: no request, or reply not taken, in time */
	uint64_t evicted;	/* clients dropped to make room for a new one */
	uint64_t rejected;	/* connections refused: no slot */
};
void control_server__stats(const struct control_server *server, struct control_stats *stats);

#endif /* CREDGATE_CONTROL_H */
