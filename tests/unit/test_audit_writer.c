// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * selinux-compat/audit_writer.c: the netlink wire format, and that records
 * it cannot write are counted, after it stopped and while something holds
 * it up as a full audit backlog does. (Writing to the real audit subsystem
 * is tests/host/selinux_audit_records.sh.)
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/netlink.h>

#include <cmocka.h>

#include "selinux-compat/audit_writer.h"

static void test_request(void **state)
{
	char buf[256];
	const struct nlmsghdr *nh = (const void *)buf;
	size_t n = audit_netlink_request(buf, sizeof(buf), AUDIT_USER_AVC, 7, "avc:  denied", 12);

	assert_int_equal(n, NLMSG_SPACE(13));
	assert_int_equal(nh->nlmsg_len, NLMSG_LENGTH(13));
	assert_int_equal(nh->nlmsg_type, 1107);
	assert_int_equal(nh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(nh->nlmsg_seq, 7);
	/* The text and its NUL, as the audit userspace sends it. */
	assert_memory_equal(NLMSG_DATA(nh), "avc:  denied", 13);
	/* Too small: nothing. */
	assert_int_equal(audit_netlink_request(buf, NLMSG_SPACE(12), AUDIT_USER_AVC, 1, "avc:  denied", 12), 0);
	/* AUDIT_GET has no payload. */
	assert_int_equal(audit_netlink_request(buf, sizeof(buf), AUDIT_GET, 8, NULL, 0), NLMSG_SPACE(0));
}

/* Acks: 0 accepted, the errno refused, -EAGAIN not there, other sequence numbers skipped. */
static void test_acks(void **state)
{
	char buf[512];
	struct nlmsghdr *nh;
	struct nlmsgerr *e;
	size_t off = 0;

	memset(buf, 0, sizeof(buf));
	for (int i = 0; i < 2; i++) {
		nh = (struct nlmsghdr *)(buf + off);
		nh->nlmsg_len = NLMSG_LENGTH(sizeof(*e));
		nh->nlmsg_type = NLMSG_ERROR;
		e = NLMSG_DATA(nh);
		e->error = i == 0 ? 0 : -EPERM;
		e->msg.nlmsg_seq = i == 0 ? 5 : 6;
		off += NLMSG_SPACE(sizeof(*e));
	}
	assert_int_equal(audit_netlink_find_ack(buf, off, 5), 0);
	assert_int_equal(audit_netlink_find_ack(buf, off, 6), -EPERM);
	assert_int_equal(audit_netlink_find_ack(buf, off, 9), -EAGAIN);
	/* A truncated error message is not trusted. */
	nh = (struct nlmsghdr *)buf;
	nh->nlmsg_len = NLMSG_LENGTH(2);
	assert_int_equal(audit_netlink_find_ack(buf, NLMSG_LENGTH(2), 5), -EBADMSG);
}

/* After the writer stopped, records are refused and counted: never silently dropped. */
static void test_counts_what_it_cannot_write(void **state)
{
	struct audit_writer_options opts = { .queue_records = 2 };
	struct audit_writer_stats stats;
	struct audit_writer *w;
	char big[AUDIT_WRITER_RECORD_MAX + 1];

	assert_int_equal(audit_writer__new(&w, &opts), 0);
	audit_writer__stop(w);
	for (int i = 0; i < 3; i++)
		assert_int_equal(audit_writer__submit(w, "avc:  denied  { setuid }", 24), -ENOBUFS);
	memset(big, 'x', sizeof(big));
	assert_int_equal(audit_writer__submit(w, big, sizeof(big)), -EINVAL);
	assert_int_equal(audit_writer__submit(w, "", 0), -EINVAL);
	audit_writer__stats(w, &stats);
	assert_int_equal(stats.submitted, 3);
	assert_int_equal(stats.queue_full, 3);
	assert_int_equal(stats.written, 0);
	assert_int_equal(audit_writer__lost(w), 3);
	audit_writer__free(w);
	audit_writer__free(NULL);
}

/* USER_AVC datagrams waiting on @fd, read until none comes for 300 ms. */
static uint64_t read_user_avcs(int fd)
{
	char buf[AUDIT_WRITER_RECORD_MAX + 256];
	uint64_t records = 0;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	while (poll(&pfd, 1, 300) == 1) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		const struct nlmsghdr *nh = (const struct nlmsghdr *)buf;

		assert_true(n >= (ssize_t)NLMSG_HDRLEN);
		if (nh->nlmsg_type == AUDIT_USER_AVC)
			records++;
		else
			assert_int_equal(nh->nlmsg_type, AUDIT_GET); /* its status question */
	}
	return records;
}

/*
 * Back-pressure: a peer that does not read holds the writer up, as a full
 * audit backlog does. Submitting never blocks; what does not fit in the
 * queue is counted, and every record is either written or counted.
 */
static void test_held_up_writer_counts_what_it_drops(void **state)
{
	struct audit_writer_options opts = { .queue_records = 4, .has_socket = true };
	struct audit_writer_stats stats;
	struct audit_writer *w;
	uint64_t received, refused = 0;
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), 0);
	opts.socket_fd = sv[0];
	assert_int_equal(audit_writer__new(&w, &opts), 0);
	for (int i = 0; i < 5000; i++)
		if (audit_writer__submit(w, "avc:  denied  { setuid } for pid=1", 34) == -ENOBUFS)
			refused++;
	received = read_user_avcs(sv[1]);
	audit_writer__stop(w);
	received += read_user_avcs(sv[1]);
	audit_writer__stats(w, &stats);
	assert_int_equal(stats.submitted, 5000);
	assert_true(stats.queue_full > 0);
	assert_true(stats.queue_full >= refused);
	assert_int_equal(stats.send_failed, 0);
	assert_int_equal(stats.written, received);
	assert_int_equal(stats.written + stats.queue_full, 5000);
	assert_int_equal(audit_writer__lost(w), stats.queue_full);
	audit_writer__free(w);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_acks),
		cmocka_unit_test(test_counts_what_it_cannot_write),
		cmocka_unit_test(test_held_up_writer_counts_what_it_drops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
