// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * audit_reader: a minimal audit daemon for tests. It registers with the
 * kernel as the audit daemon (AUDIT_SET pid, enabled=1), writes every
 * record it receives to FILE in audit.log form ("type=USER_AVC
 * msg=audit(...): ..."), which `ausearch -if FILE` reads, and on SIGTERM or
 * SIGINT unregisters and puts "enabled" back as it found it.
 *
 *   audit_reader FILE
 *
 * It prints "audit_reader: previous enabled=E pid=P" and then
 * "audit_reader: ready" on stdout. A daemon already registered and alive
 * (auditd) makes it fail: the kernel allows one (EEXIST).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/netlink.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int sock = -1;
static unsigned seq;

static int send_request(int type, const void *payload, size_t len)
{
	char buf[NLMSG_SPACE(sizeof(struct audit_status))] = {};
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	nh->nlmsg_len = (unsigned)NLMSG_LENGTH(len);
	nh->nlmsg_type = (unsigned short)type;
	nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nh->nlmsg_seq = ++seq;
	if (len) /* AUDIT_GET has no payload: memcpy from NULL is undefined even for 0 bytes */
		memcpy(NLMSG_DATA(nh), payload, len);
	if (sendto(sock, buf, nh->nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	return 0;
}

/* Wait for the ack of the last request; with @status, the AUDIT_GET reply too. */
static int wait_reply(struct audit_status *status)
{
	char buf[16384];
	bool got_status = !status, got_ack = false;

	while (!got_status || !got_ack) {
		struct pollfd pfd = { .fd = sock, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 2000) <= 0)
			return -ETIMEDOUT;
		n = recv(sock, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_seq != seq)
				continue;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nh);

				if (e->error)
					return e->error;
				got_ack = true;
			} else if (nh->nlmsg_type == AUDIT_GET && status) {
				size_t len = nh->nlmsg_len - NLMSG_HDRLEN;

				memcpy(status, NLMSG_DATA(nh), len < sizeof(*status) ? len : sizeof(*status));
				got_status = true;
			}
		}
	}
	return 0;
}

static int set_status(unsigned mask, unsigned enabled, unsigned pid)
{
	struct audit_status s = { .mask = mask, .enabled = enabled, .pid = pid };
	int r = send_request(AUDIT_SET, &s, sizeof(s));

	return r < 0 ? r : wait_reply(NULL);
}

static const char *type_name(int type, char *buf, size_t size)
{
	switch (type) {
	case AUDIT_USER_AVC:
		return "USER_AVC";
	case AUDIT_CONFIG_CHANGE:
		return "CONFIG_CHANGE";
	case AUDIT_DAEMON_START:
		return "DAEMON_START";
	case AUDIT_USER:
		return "USER";
	case AUDIT_AVC:
		return "AVC";
	}
	snprintf(buf, size, "UNKNOWN[%d]", type);
	return buf;
}

int main(int argc, char **argv)
{
	struct audit_status previous = {};
	struct sigaction sa = { .sa_handler = on_signal };
	FILE *out;
	int r, rcvbuf = 4 << 20;

	if (argc != 2) {
		fprintf(stderr, "usage: audit_reader FILE\n");
		return 2;
	}
	out = fopen(argv[1], "ae");
	if (!out) {
		fprintf(stderr, "audit_reader: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (sock < 0) {
		fprintf(stderr, "audit_reader: socket: %s\n", strerror(errno));
		return 1;
	}
	setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	r = send_request(AUDIT_GET, NULL, 0);
	if (r == 0)
		r = wait_reply(&previous);
	if (r < 0) {
		fprintf(stderr, "audit_reader: AUDIT_GET: %s\n", strerror(-r));
		return 1;
	}
	printf("audit_reader: previous enabled=%u pid=%u\n", previous.enabled, previous.pid);
	fflush(stdout);
	/* Signals only set a flag; the loop below notices within its poll timeout. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	r = set_status(AUDIT_STATUS_ENABLED | AUDIT_STATUS_PID, 1, (unsigned)getpid());
	if (r < 0) {
		fprintf(stderr, "audit_reader: cannot register as the audit daemon: %s%s\n", strerror(-r),
			r == -EEXIST ? " (another audit daemon, such as auditd, is running)" : "");
		return 1;
	}
	printf("audit_reader: ready\n");
	fflush(stdout);
	while (!stop) {
		struct pollfd pfd = { .fd = sock, .events = POLLIN };
		char buf[16384], name[32];
		ssize_t n;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		n = recv(sock, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0)
			continue;
		/*
		 * One record per datagram, as auditd reads them: the kernel sets a
		 * record's nlmsg_len to its payload length, not the message's, so
		 * the length is what recv() returned.
		 */
		{
			const struct nlmsghdr *nh = (const struct nlmsghdr *)buf;
			const char *text = NLMSG_DATA(nh);
			size_t len;

			if ((size_t)n <= NLMSG_HDRLEN || nh->nlmsg_type == NLMSG_ERROR || nh->nlmsg_type == AUDIT_GET)
				continue; /* acks and control replies */
			len = (size_t)n - NLMSG_HDRLEN;
			while (len > 0 && (text[len - 1] == '\0' || text[len - 1] == '\n'))
				len--;
			fprintf(out, "type=%s msg=%.*s\n", type_name(nh->nlmsg_type, name, sizeof(name)), (int)len, text);
			fflush(out);
		}
	}
	/* Unregister, and leave "enabled" as it was. */
	r = set_status(AUDIT_STATUS_PID, 0, 0);
	if (r < 0)
		fprintf(stderr, "audit_reader: unregistering: %s\n", strerror(-r));
	r = set_status(AUDIT_STATUS_ENABLED, previous.enabled, 0);
	if (r < 0)
		fprintf(stderr, "audit_reader: restoring enabled=%u: %s\n", previous.enabled, strerror(-r));
	fclose(out);
	printf("audit_reader: stopped, enabled=%u restored\n", previous.enabled);
	return 0;
}
