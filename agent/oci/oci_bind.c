// SPDX-License-Identifier: LGPL-2.1-or-later
#include "oci_bind.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control_proto.h"
#include "ctl_client.h"
#include "macro.h"

static const char *const agent_down_names[_OCI_AGENT_DOWN_MAX] = {
	[OCI_AGENT_DOWN_REFUSE_IF_ENFORCING] = "refuse-if-enforcing",
	[OCI_AGENT_DOWN_REFUSE] = "refuse",
	[OCI_AGENT_DOWN_ALLOW] = "allow",
};

enum oci_agent_down oci_agent_down_from_string(const char *s)
{
	for (size_t i = 0; i < ELEMENTSOF(agent_down_names); i++)
		if (strcmp(s, agent_down_names[i]) == 0)
			return (enum oci_agent_down)i;
	return _OCI_AGENT_DOWN_INVALID;
}

int oci_parse_timeout(const char *s, int *ms)
{
	char *end;
	double sec;

	errno = 0;
	sec = strtod(s, &end);
	/* Digits only: strtod also takes "inf", "nan", hex and leading blanks. */
	if (!*s || s[strspn(s, "0123456789.")] || *end || errno || !(sec * 1000 >= 1) ||
	    sec * 1000 > OCI_MAX_TIMEOUT_MS)
		return -EINVAL;
	*ms = (int)(sec * 1000);
	return 0;
}

int oci_bind_options_init(struct oci_bind_options *o, const char *program)
{
	const char *v;

	*o = (struct oci_bind_options){
		.program = program,
		.socket = CONTROL_SOCKET_PATH,
		.mode_file = OCI_CONTAINERS_MODE_FILE,
		.timeout_ms = OCI_DEFAULT_TIMEOUT_MS,
		.on_agent_down = OCI_AGENT_DOWN_REFUSE_IF_ENFORCING,
	};
	if ((v = getenv("CREDGATE_SOCKET")) && *v)
		o->socket = v;
	if ((v = getenv("CREDGATE_CONTAINERS_MODE")) && *v)
		o->mode_file = v;
	if ((v = getenv("CREDGATE_BIND_TIMEOUT")) && *v && oci_parse_timeout(v, &o->timeout_ms) < 0) {
		fprintf(stderr, "%s: CREDGATE_BIND_TIMEOUT=%s: not a number of seconds up to %d\n", program, v,
			OCI_MAX_TIMEOUT_MS / 1000);
		return -EINVAL;
	}
	if ((v = getenv("CREDGATE_ON_AGENT_DOWN")) && *v) {
		o->on_agent_down = oci_agent_down_from_string(v);
		if (o->on_agent_down == _OCI_AGENT_DOWN_INVALID) {
			fprintf(stderr, "%s: CREDGATE_ON_AGENT_DOWN=%s: not refuse, allow or refuse-if-enforcing\n",
				program, v);
			return -EINVAL;
		}
	}
	return 0;
}

bool oci_container_id_valid(const char *id)
{
	size_t n = strlen(id);

	return n >= 1 && n <= OCI_CONTAINER_ID_MAX &&
	       strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") == n;
}

bool oci_path_valid(const char *path)
{
	size_t n = strlen(path);

	if (path[0] != '/' || n >= PATH_MAX)
		return false;
	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/*
 * What the agent last said about policies that name containers: "enforce",
 * "audit" or "none" into @word, or a negative errno (-ENOENT: no file, the
 * agent has not run since boot; -EBADMSG: something else). The file is the
 * agent's: root's, written by root only, else it is not believed.
 */
static int read_containers_mode(const char *path, char word[static 16])
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	char buf[64];
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return negative_errno();
	if (fstat(fd, &st) < 0)
		return negative_errno();
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022))
		return -EPERM;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return negative_errno();
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (strcmp(buf, "enforce") && strcmp(buf, "audit") && strcmp(buf, "none"))
		return -EBADMSG;
	strcpy(word, buf);
	return 0;
}

/* The first line of an agent's text, without control characters, at most 300 bytes. */
static void print_line(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && i < 300 && s[i] != '\n'; i++)
		fputc((unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i], stderr);
	fputc('\n', stderr);
}

/* No answer from the agent (@why): --on-agent-down decides. */
static int agent_down(const struct oci_bind_options *o, const char *id, const char *why)
{
	char word[16];
	int r;

	switch (o->on_agent_down) {
	case OCI_AGENT_DOWN_ALLOW:
		fprintf(stderr, "%s: container %s: starting ungoverned: no answer from credgated (%s); --on-agent-down=allow\n",
			o->program, id, why);
		return 0;
	case OCI_AGENT_DOWN_REFUSE:
		fprintf(stderr, "%s: container %s: refused: no answer from credgated (%s); --on-agent-down=refuse\n",
			o->program, id, why);
		return 1;
	default:
		break;
	}
	r = read_containers_mode(o->mode_file, word);
	if (r == -ENOENT) {
		fprintf(stderr,
			"%s: container %s: starting ungoverned: no answer from credgated (%s), and it has not said since boot whether a policy that names containers enforces (no %s)\n",
			o->program, id, why, o->mode_file);
		return 0;
	}
	if (r < 0) {
		fprintf(stderr,
			"%s: container %s: refused: no answer from credgated (%s), and %s cannot tell whether a policy that names containers enforces (%s); --on-agent-down=refuse-if-enforcing\n",
			o->program, id, why, o->mode_file,
			r == -EBADMSG ? "not enforce, audit or none" : r == -EPERM ? "not a regular file that only root writes" : strerror(-r));
		return 1;
	}
	if (strcmp(word, "enforce") == 0) {
		fprintf(stderr,
			"%s: container %s: refused: no answer from credgated (%s), and a policy that names containers enforces (%s says so); --on-agent-down=refuse-if-enforcing\n",
			o->program, id, why, o->mode_file);
		return 1;
	}
	fprintf(stderr,
		"%s: container %s: starting ungoverned until credgated answers: no answer (%s); policies that name containers %s\n",
		o->program, id, why, strcmp(word, "audit") == 0 ? "only audit" : "do not exist");
	return 0;
}

/*
 * Whether the runtime that runs us is root on the host: uid 0 in the initial
 * user namespace, whose uid_map maps all 4294967295 ids onto themselves.
 * Rootless podman runs its hooks as a mapped root in a namespace of its own.
 * Unreadable: taken as root (the binding, and its refusals, go ahead).
 */
static bool runtime_is_host_root(void)
{
	_cleanup_close_ int fd = -1;
	unsigned long inside, outside, count;
	char buf[256], *nl;
	ssize_t n;

	if (geteuid() != 0)
		return false;
	fd = open("/proc/self/uid_map", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	nl = strchr(buf, '\n');
	if (nl && nl[1])
		return false; /* more lines: a namespace's own map */
	return sscanf(buf, "%lu %lu %lu", &inside, &outside, &count) == 3 && inside == 0 && outside == 0 &&
	       count == 4294967295UL;
}

int oci_bind(const struct oci_bind_options *o, const char *id, pid_t pid, const char *bundle)
{
	_cleanup_free_ char *reply = NULL;
	char req[CONTROL_MAX_REQUEST];
	size_t reply_len = 0;
	bool error = false;
	int n, r;

	/*
	 * A rootless runtime's containers live in a cgroup delegated to their
	 * user, which the agent never binds (a user could name one anything),
	 * and its hooks cannot reach the root-only request: path selectors
	 * govern them, and refusing them would refuse every rootless container
	 * whenever an identity policy enforces.
	 */
	if (!runtime_is_host_root())
		return 0;
	/* The hook has checked; runc's own ids may hold '+' and ',', which no request may. */
	if (!oci_container_id_valid(id)) {
		fprintf(stderr, "%s: container %.*s: refused: not an id the agent takes (1 to %d characters of A-Z a-z 0-9 _ . -)\n",
			o->program, OCI_CONTAINER_ID_MAX, id, OCI_CONTAINER_ID_MAX);
		return 1;
	}
	if (bundle)
		n = snprintf(req, sizeof(req), "command=bind-container\ncontainer=%s\npid=%d\nbundle=%s\n\n", id, (int)pid,
			     bundle);
	else
		n = snprintf(req, sizeof(req), "command=bind-container\ncontainer=%s\npid=%d\n\n", id, (int)pid);
	if (n < 0 || (size_t)n >= sizeof(req)) {
		fprintf(stderr, "%s: container %s: refused: its bundle path makes a request longer than %d bytes\n",
			o->program, id, CONTROL_MAX_REQUEST);
		return 1;
	}
	ctl_client_configure(NULL, o->timeout_ms);
	r = ctl_request_capture(o->socket, req, &reply, &reply_len, &error);
	if (r == -E2BIG) {
		fprintf(stderr, "%s: container %s: refused: the agent's answer is too long\n", o->program, id);
		return 1;
	}
	if (r < 0) {
		char why[512];

		snprintf(why, sizeof(why), "%s: %s", o->socket, r == -ETIMEDOUT ? "no answer in time" : strerror(-r));
		return agent_down(o, id, why);
	}
	if (reply_len == 0)
		return agent_down(o, id, "it closed the connection without an answer");
	if (error) {
		fprintf(stderr, "%s: container %s: refused by credgated: ", o->program, id);
		print_line(reply + 6, reply_len - 6);
		return 1;
	}
	if (reply_len >= 2 && memcmp(reply, "OK", 2) == 0 && (reply_len == 2 || reply[2] == ' ' || reply[2] == '\n'))
		return 0;
	fprintf(stderr, "%s: container %s: refused: credgated's answer is neither OK nor ERROR: ", o->program, id);
	print_line(reply, reply_len);
	return 1;
}
