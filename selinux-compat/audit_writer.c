// SPDX-License-Identifier: LGPL-2.1-or-later
#include "audit_writer.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/netlink.h>

_Static_assert(AUDIT_WRITER_USER_AVC == AUDIT_USER_AVC, "USER_AVC is 1107");

/* Ask for the kernel's audit status at most this often, and only while writing. */
#define STATUS_INTERVAL_NS (5ull * 1000 * 1000 * 1000)
/* How long audit_writer__free() keeps writing what is queued. */
#define DRAIN_NS (1000ull * 1000 * 1000)
#define REPLY_WAIT_MS 500
#define RECV_BUFFER 8192

struct record_slot {
	uint16_t len;
	char text[AUDIT_WRITER_RECORD_MAX];
};

struct audit_writer {
	int fd;
	uint32_t seq;
	pthread_t thread;
	bool thread_started;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	/* Under lock: */
	struct record_slot *slots;
	size_t capacity, head, count;
	bool stopping;
	uint64_t drain_deadline_ns;
	struct audit_writer_stats stats;
	/* The writer thread's own: */
	uint64_t last_status_ns;
	char send_buf[NLMSG_SPACE(AUDIT_WRITER_RECORD_MAX + 1)];
	char recv_buf[RECV_BUFFER];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

size_t audit_netlink_request(void *buf, size_t size, uint16_t type, uint32_t seq, const void *payload,
			     size_t len)
{
	struct nlmsghdr *nh = buf;
	/* The audit userspace sends text with its NUL; the kernel stops there. */
	size_t data_len = payload ? len + 1 : 0, total = NLMSG_SPACE(data_len);

	if (total > size || data_len > UINT32_MAX)
		return 0;
	memset(buf, 0, total);
	nh->nlmsg_len = (uint32_t)NLMSG_LENGTH(data_len);
	nh->nlmsg_type = type;
	nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nh->nlmsg_seq = seq;
	if (payload && len)
		memcpy(NLMSG_DATA(nh), payload, len);
	return total;
}

/* Every message of one datagram: acks for @seq into *ack, AUDIT_GET status into @w (may be NULL). */
static int scan_replies(struct audit_writer *w, const void *buf, size_t len, uint32_t seq, int *ack)
{
	const struct nlmsghdr *nh = buf;
	size_t left = len;

	*ack = -EAGAIN;
	for (; NLMSG_OK(nh, left); nh = NLMSG_NEXT(nh, left)) {
		if (nh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nh);

			if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return -EBADMSG;
			if (e->msg.nlmsg_seq == seq)
				*ack = e->error <= 0 ? e->error : -EPROTO;
		} else if (nh->nlmsg_type == AUDIT_GET && w) {
			struct audit_status st = {};
			size_t payload = nh->nlmsg_len - NLMSG_HDRLEN;

			/* Older kernels send a shorter struct: take what is there. */
			memcpy(&st, NLMSG_DATA(nh), payload < sizeof(st) ? payload : sizeof(st));
			pthread_mutex_lock(&w->lock);
			w->stats.kernel_status = true;
			w->stats.kernel_enabled = st.enabled;
			w->stats.kernel_lost = st.lost;
			w->stats.kernel_backlog = st.backlog;
			w->stats.kernel_backlog_limit = st.backlog_limit;
			pthread_mutex_unlock(&w->lock);
		}
	}
	return 0;
}

int audit_netlink_find_ack(const void *buf, size_t len, uint32_t seq)
{
	int ack, r = scan_replies(NULL, buf, len, seq, &ack);

	return r < 0 ? r : ack;
}

/* The socket is connected to the kernel (audit_writer__new). */
static int send_to_kernel(struct audit_writer *w, size_t len)
{
	ssize_t n;

	do
		n = send(w->fd, w->send_buf, len, 0);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

/*
 * Read what the kernel answered. @wait_ms 0: only what is already there
 * (a user record is handled while the sender waits, so its ack is).
 * Returns the ack of @seq, or -EAGAIN when none came.
 */
static int read_replies(struct audit_writer *w, uint32_t seq, int wait_ms)
{
	int ack = -EAGAIN;

	for (;;) {
		struct pollfd pfd = { .fd = w->fd, .events = POLLIN };
		int found;
		ssize_t n;

		if (wait_ms > 0 && poll(&pfd, 1, wait_ms) <= 0)
			return ack;
		n = recv(w->fd, w->recv_buf, sizeof(w->recv_buf), MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ack; /* EAGAIN: nothing more */
		if (scan_replies(w, w->recv_buf, (size_t)n, seq, &found) < 0)
			return ack;
		if (found != -EAGAIN)
			ack = found;
		if (ack != -EAGAIN && wait_ms == 0)
			return ack;
		wait_ms = 0; /* after the first answer, only what is already queued */
	}
}

static void ask_status(struct audit_writer *w)
{
	size_t len = audit_netlink_request(w->send_buf, sizeof(w->send_buf), AUDIT_GET, ++w->seq, NULL, 0);

	w->last_status_ns = now_ns();
	if (len && send_to_kernel(w, len) == 0)
		read_replies(w, w->seq, REPLY_WAIT_MS);
}

static void write_record(struct audit_writer *w, const struct record_slot *slot)
{
	size_t len = audit_netlink_request(w->send_buf, sizeof(w->send_buf), AUDIT_USER_AVC, ++w->seq, slot->text,
					   slot->len);
	int r = len ? send_to_kernel(w, len) : -EINVAL;

	if (r == 0) {
		r = read_replies(w, w->seq, 0);
		if (r == -EAGAIN)
			r = 0; /* no answer is no refusal */
	}
	pthread_mutex_lock(&w->lock);
	if (r == 0) {
		w->stats.written++;
	} else {
		w->stats.send_failed++;
		w->stats.last_error = r;
	}
	pthread_mutex_unlock(&w->lock);
}

static void *writer_thread(void *arg)
{
	struct audit_writer *w = arg;
	struct record_slot *slot = malloc(sizeof(*slot));

	if (!slot) {
		/* Nothing can be written: count what comes as refused. */
		pthread_mutex_lock(&w->lock);
		w->stats.last_error = -ENOMEM;
		pthread_mutex_unlock(&w->lock);
	}
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->count == 0 && !w->stopping)
			pthread_cond_wait(&w->wake, &w->lock);
		if (w->count == 0)
			break;
		if (w->stopping && now_ns() > w->drain_deadline_ns) {
			w->stats.queue_full += w->count; /* out of time: not written */
			w->count = 0;
			break;
		}
		if (!slot) {
			w->stats.send_failed += w->count;
			w->count = 0;
			continue;
		}
		memcpy(slot, &w->slots[w->head], sizeof(*slot));
		w->head = (w->head + 1) % w->capacity;
		w->count--;
		pthread_mutex_unlock(&w->lock);
		write_record(w, slot);
		if (now_ns() - w->last_status_ns >= STATUS_INTERVAL_NS)
			ask_status(w);
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	free(slot);
	return NULL;
}

int audit_writer__new(struct audit_writer **out, const struct audit_writer_options *opts)
{
	struct audit_writer *w = calloc(1, sizeof(*w));
	int r;

	if (!w)
		return -ENOMEM;
	w->fd = -1;
	w->capacity = opts && opts->queue_records ? opts->queue_records : AUDIT_WRITER_DEFAULT_QUEUE;
	w->slots = calloc(w->capacity, sizeof(*w->slots));
	if (!w->slots) {
		free(w);
		return -ENOMEM;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	if (opts && opts->has_socket) {
		w->fd = opts->socket_fd;
	} else {
		struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

		w->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
		if (w->fd < 0 || connect(w->fd, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
			r = -errno;
			audit_writer__free(w);
			return r;
		}
	}
	r = -pthread_create(&w->thread, NULL, writer_thread, w);
	if (r < 0) {
		audit_writer__free(w);
		return r;
	}
	w->thread_started = true;
	*out = w;
	return 0;
}

int audit_writer__submit(struct audit_writer *w, const char *text, size_t len)
{
	struct record_slot *slot;

	if (!text || len == 0 || len > AUDIT_WRITER_RECORD_MAX)
		return -EINVAL;
	pthread_mutex_lock(&w->lock);
	w->stats.submitted++;
	if (w->count == w->capacity || w->stopping) {
		w->stats.queue_full++;
		pthread_mutex_unlock(&w->lock);
		return -ENOBUFS;
	}
	slot = &w->slots[(w->head + w->count) % w->capacity];
	slot->len = (uint16_t)len;
	memcpy(slot->text, text, len);
	w->count++;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

void audit_writer__stats(const struct audit_writer *cw, struct audit_writer_stats *stats)
{
	struct audit_writer *w = (struct audit_writer *)cw; /* the lock is not part of the value */

	pthread_mutex_lock(&w->lock);
	*stats = w->stats;
	pthread_mutex_unlock(&w->lock);
}

uint64_t audit_writer__lost(const struct audit_writer *w)
{
	struct audit_writer_stats s;

	audit_writer__stats(w, &s);
	return s.queue_full + s.send_failed;
}

void audit_writer__stop(struct audit_writer *w)
{
	if (!w || !w->thread_started)
		return;
	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	w->drain_deadline_ns = now_ns() + DRAIN_NS;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	w->thread_started = false;
}

void audit_writer__free(struct audit_writer *w)
{
	if (!w)
		return;
	audit_writer__stop(w);
	if (w->fd >= 0)
		close(w->fd);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w->slots);
	free(w);
}
