// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * credgatectl: talk to a running credgated (events, status, reload,
 * metrics) over its control socket, and check policy files without one.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "avc_log.h"
#include "bpf_pins.h"
#include "control_proto.h"
#include "macro.h"
#include "policy.h"

#ifndef CREDGATE_VERSION
#define CREDGATE_VERSION "unknown"
#endif

static const char *socket_path = CONTROL_SOCKET_PATH;

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: credgatectl [--socket PATH] COMMAND [OPTIONS]\n"
		"\n"
		"Commands:\n"
		"  getevents [-o json|compact] [FILTERS]  stream events from the agent\n"
		"      --kind decision|kprobe|lost   --verdict VERDICT   --cgroup PATH\n"
		"      --container ID-PREFIX   --pod UID   --process REGEX   --policy NAME\n"
		"  status [-o json|text]                  what the agent is doing\n"
		"  reload                                 re-read the policy; fails, with the\n"
		"                                         problems, if the new policy is refused\n"
		"  metrics                                Prometheus text exposition\n"
		"  unload [--pin-dir DIR]                 detach every program and remove the pins\n"
		"                                         (default DIR /sys/fs/bpf/credgate); stops\n"
		"                                         the agent if it runs\n"
		"  policy check [--compiled] [PATH...]    validate policy files (no agent needed);\n"
		"                                         PATH defaults to /etc/credgate/policies.d\n"
		"  avc [FILE]                             an event log (JSON Lines; default: standard\n"
		"                                         input) as SELinux AVC records, one per\n"
		"                                         audited or denied decision\n"
		"\n"
		"  --socket PATH   the agent's control socket (default " CONTROL_SOCKET_PATH ")\n"
		"  -h, --help      --version\n"
		"See credgatectl(8).\n");
}

static int connect_agent(void)
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

/*
 * Send a request and copy the reply to stdout. Returns 0, 1 when the agent
 * answered ERROR (the reply was printed to stderr instead), or -errno.
 */
static int request(const char *req, bool streaming)
{
	_cleanup_close_ int fd = connect_agent();
	char buf[65536];
	bool first = true, error = false;
	ssize_t n;

	if (fd < 0)
		return fd;
	if (send_all(fd, req, strlen(req)) < 0) {
		fprintf(stderr, "credgatectl: cannot send the request: %s\n", strerror(errno));
		return -EIO;
	}
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

/* Append "key=value\n", refusing values that would break the line format. */
static int add_field(char *req, size_t size, const char *key, const char *value)
{
	size_t len = strlen(req);

	if (strchr(value, '\n')) {
		fprintf(stderr, "credgatectl: --%s may not contain a newline\n", key);
		return -EINVAL;
	}
	if ((size_t)snprintf(req + len, size - len, "%s=%s\n", key, value) >= size - len) {
		fprintf(stderr, "credgatectl: request too long\n");
		return -E2BIG;
	}
	return 0;
}

static int cmd_getevents(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "kind", required_argument, NULL, 'k' },
		{ "verdict", required_argument, NULL, 'v' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "container", required_argument, NULL, 'C' },
		{ "pod", required_argument, NULL, 'p' },
		{ "process", required_argument, NULL, 'P' },
		{ "policy", required_argument, NULL, 'y' },
		{}
	};
	char req[8192] = "command=getevents\n";
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		const char *key = NULL;

		switch (c) {
		case 'o':
			key = "output";
			break;
		case 'k':
			key = "kind";
			break;
		case 'v':
			key = "verdict";
			break;
		case 'c':
			key = "cgroup";
			break;
		case 'C':
			key = "container";
			break;
		case 'p':
			key = "pod";
			break;
		case 'P':
			key = "process";
			break;
		case 'y':
			key = "policy";
			break;
		default:
			return 2;
		}
		if (add_field(req, sizeof(req), key, optarg) < 0)
			return 2;
	}
	strcat(req, "\n");
	return request(req, true) == 0 ? 0 : 1;
}

static int cmd_simple(const char *command, int argc, char **argv)
{
	static const struct option longopts[] = { { "output", required_argument, NULL, 'o' }, {} };
	char req[256];
	const char *output = NULL;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		if (c != 'o')
			return 2;
		output = optarg;
	}
	/* People read status by default; -o json is for programs. */
	if (!output && strcmp(command, "status") == 0)
		output = "text";
	snprintf(req, sizeof(req), "command=%s\n%s%s%s\n", command, output ? "output=" : "",
		 output ? output : "", output ? "\n" : "");
	return request(req, false) == 0 ? 0 : 1;
}

/*
 * Ask a running agent to unload (it removes its pins and exits), then
 * remove whatever is still pinned: also works with no agent running.
 */
static int cmd_unload(int argc, char **argv)
{
	static const struct option longopts[] = { { "pin-dir", required_argument, NULL, 'd' }, {} };
	const char *dir = "/sys/fs/bpf/credgate";
	struct stat st;
	int c, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c != 'd')
			return 2;
		dir = optarg;
	}
	if (stat(socket_path, &st) == 0) {
		r = request("command=unload\n\n", false);
		if (r < 0)
			fprintf(stderr, "credgatectl: the agent did not answer; removing the pins directly\n");
	}
	r = bpf_pins_unload(dir);
	if (r < 0) {
		fprintf(stderr, "credgatectl: cannot remove %s: %s\n", dir, strerror(-r));
		return 1;
	}
	printf("unloaded: nothing of credgate is pinned in %s\n", dir);
	return 0;
}

static int cmd_policy_check(int argc, char **argv)
{
	static const struct option longopts[] = { { "compiled", no_argument, NULL, 'c' }, {} };
	struct policy_set *set = policy_set__new();
	struct policy_diags diags = {};
	bool compiled = false;
	char line[1024];
	int c, r = 0;

	if (!set)
		return 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c != 'c') {
			policy_set__free(set);
			return 2;
		}
		compiled = true;
	}
	if (optind == argc)
		r = policy_set__load(set, "/etc/credgate/policies.d", &diags);
	for (int i = optind; i < argc && r == 0; i++)
		r = policy_set__load(set, argv[i], &diags);
	for (size_t i = 0; i < diags.count; i++) {
		policy_diag_format(&diags.items[i], line, sizeof(line));
		fprintf(stderr, "%s\n", line);
	}
	if (diags.dropped)
		fprintf(stderr, "... and %zu more problems\n", diags.dropped);
	policy_diags_clear(&diags);
	if (r == 0) {
		if (compiled)
			policy_set__dump(set, stdout);
		else
			printf("%zu policies OK\n", set->count);
	}
	policy_set__free(set);
	return r == 0 ? 0 : 1;
}

static int cmd_avc(int argc, char **argv)
{
	struct avc_log_stats stats;
	const char *name = "<stdin>";
	FILE *in = stdin;
	int r;

	if (argc > 2) {
		fprintf(stderr, "credgatectl avc: expected at most one FILE\n");
		return 2;
	}
	if (argc == 2 && strcmp(argv[1], "-") != 0) {
		name = argv[1];
		in = fopen(name, "re");
		if (!in) {
			fprintf(stderr, "credgatectl avc: cannot open %s: %s\n", name, strerror(errno));
			return 1;
		}
	}
	r = avc_log_convert(in, name, stdout, stderr, &stats);
	if (in != stdin)
		fclose(in);
	if (fflush(stdout) == EOF && r == 0)
		r = -EIO;
	if (r < 0) {
		fprintf(stderr, "credgatectl avc: %s: %s\n", name, strerror(-r));
		return 1;
	}
	return stats.bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	int i = 1;

	signal(SIGPIPE, SIG_IGN);
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
			socket_path = argv[++i];
		} else if (strncmp(argv[i], "--socket=", 9) == 0) {
			socket_path = argv[i] + 9;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("credgatectl %s\n", CREDGATE_VERSION);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (i == argc) {
		usage(stderr);
		return 2;
	}
	argc -= i;
	argv += i;
	if (strcmp(argv[0], "getevents") == 0)
		return cmd_getevents(argc, argv);
	if (strcmp(argv[0], "status") == 0 || strcmp(argv[0], "reload") == 0 ||
	    strcmp(argv[0], "metrics") == 0)
		return cmd_simple(argv[0], argc, argv);
	if (strcmp(argv[0], "unload") == 0)
		return cmd_unload(argc, argv);
	if (strcmp(argv[0], "avc") == 0)
		return cmd_avc(argc, argv);
	if (strcmp(argv[0], "policy") == 0 && argc >= 2 && strcmp(argv[1], "check") == 0)
		return cmd_policy_check(argc - 1, argv + 1);
	fprintf(stderr, "credgatectl: unknown command '%s'\n", argv[0]);
	usage(stderr);
	return 2;
}
