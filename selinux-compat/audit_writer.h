/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Writing USER_AVC records to the kernel's audit subsystem over
 * NETLINK_AUDIT (needs CAP_AUDIT_WRITE), where auditd, journald and SIEM
 * forwarders already collect SELinux's own denials.
 *
 * The kernel throttles user-space senders: when its audit backlog is over
 * the limit, the sender of a user record sleeps in the kernel (up to
 * backlog_wait_time, 60 s by default) after its record was queued. A
 * credential decision must never wait for that, so records go through a
 * bounded queue to a writer thread that alone talks to the kernel. When the
 * queue is full, or the kernel refuses a record, it is not written and is
 * counted: the caller reports those counts like any other loss.
 *
 * The writer also asks the kernel for its audit status (AUDIT_GET, needs
 * CAP_AUDIT_CONTROL) every few seconds while it writes, for the kernel's own
 * count of records it lost after accepting them.
 */
#ifndef CREDGATE_SELINUX_AUDIT_WRITER_H
#define CREDGATE_SELINUX_AUDIT_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUDIT_WRITER_DEFAULT_QUEUE 1024
#define AUDIT_WRITER_RECORD_MAX 2048 /* bytes of one record's text */

/* <linux/audit.h>: a user-space object manager's AVC message. */
#define AUDIT_WRITER_USER_AVC 1107

struct audit_writer_options {
	unsigned queue_records; /* 0: AUDIT_WRITER_DEFAULT_QUEUE */
	/*
	 * With has_socket, write to socket_fd (connected; the writer owns it
	 * once audit_writer__new succeeded) instead of a NETLINK_AUDIT socket:
	 * the unit tests hold the writer up with it, as a full audit backlog
	 * does.
	 */
	bool has_socket;
	int socket_fd;
};

struct audit_writer_stats {
	uint64_t submitted;   /* records handed over */
	uint64_t written;     /* records the kernel accepted */
	uint64_t queue_full;  /* not written: the queue was full (the kernel held the writer up) */
	uint64_t send_failed; /* not written: the kernel refused them (last_error says why) */
	int last_error;	      /* negative errno of the last refusal, 0 if none */
	/* The kernel's audit status, once AUDIT_GET answered. */
	bool kernel_status;
	uint32_t kernel_enabled, kernel_lost, kernel_backlog, kernel_backlog_limit;
};

struct audit_writer;

/* Open the netlink socket and start the writer thread. 0 or a negative errno. */
int audit_writer__new(struct audit_writer **out, const struct audit_writer_options *opts);

/*
 * Queue one record's text (at most AUDIT_WRITER_RECORD_MAX bytes). Never
 * blocks on the kernel. Returns 0, -ENOBUFS when the queue is full (the
 * record is counted as queue_full), or -EINVAL for an empty or oversized
 * text.
 */
int audit_writer__submit(struct audit_writer *w, const char *text, size_t len);

/* Records not written, for loss reports: queue_full + send_failed. */
uint64_t audit_writer__lost(const struct audit_writer *w);
void audit_writer__stats(const struct audit_writer *w, struct audit_writer_stats *stats);

/*
 * Write what is queued (for at most about a second; the rest is counted as
 * not written) and stop the thread; records submitted later are counted as
 * not written. Accepts NULL; idempotent.
 */
void audit_writer__stop(struct audit_writer *w);

/* Stop (as above), close, free. Accepts NULL. */
void audit_writer__free(struct audit_writer *w);

/* ---- the wire format, exposed for tests ---------------------------------- */

/*
 * One netlink request: header (type, NLM_F_REQUEST | NLM_F_ACK, @seq) and
 * @len bytes of text, NUL-terminated as the audit userspace sends them.
 * Returns the message length, or 0 when @size is too small.
 */
size_t audit_netlink_request(void *buf, size_t size, uint16_t type, uint32_t seq, const void *payload,
			     size_t len);

/*
 * Look through @len received bytes for the acknowledgement of @seq.
 * Returns 0 (accepted), the negative errno the kernel answered, or -EAGAIN
 * when it is not there. Malformed messages end the search (-EBADMSG).
 */
int audit_netlink_find_ack(const void *buf, size_t len, uint32_t seq);

#endif /* CREDGATE_SELINUX_AUDIT_WRITER_H */
