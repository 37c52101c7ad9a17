/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What credgate-oci-hook and credgate-runc share: asking the agent to bind a
 * starting container (the control socket's bind-container request) and
 * deciding, when the agent does not answer, whether the container may start.
 *
 * The answer decides only when the agent gave one: "OK ..." lets the
 * container start, "ERROR" (a live agent that refuses) never does. Without
 * an answer (no socket, no listener, the deadline passed, a hang-up), the
 * --on-agent-down choice decides; its default refuses only when the agent
 * last said (in /run/credgate/containers.mode) that a policy that names
 * containers enforces.
 */
#ifndef CREDGATE_OCI_BIND_H
#define CREDGATE_OCI_BIND_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define OCI_CONTAINERS_MODE_FILE "/run/credgate/containers.mode"
#define OCI_DEFAULT_TIMEOUT_MS 5000
/* Within reason for a container start: a runtime's own hook timeouts are minutes. */
#define OCI_MAX_TIMEOUT_MS 600000
/* As the agent's control_request.h: docker, podman and CRI-O ids are 64 hex digits. */
#define OCI_CONTAINER_ID_MAX 128

enum oci_agent_down {
	OCI_AGENT_DOWN_REFUSE_IF_ENFORCING,
	OCI_AGENT_DOWN_REFUSE,
	OCI_AGENT_DOWN_ALLOW,
	_OCI_AGENT_DOWN_MAX,
	_OCI_AGENT_DOWN_INVALID = -1,
};

struct oci_bind_options {
	const char *program;   /* what messages start with */
	const char *socket;    /* the agent's control socket */
	const char *mode_file; /* containers.mode */
	int timeout_ms;
	enum oci_agent_down on_agent_down;
};

/*
 * Defaults, then the environment both programs read (CREDGATE_SOCKET,
 * CREDGATE_BIND_TIMEOUT, CREDGATE_ON_AGENT_DOWN, CREDGATE_CONTAINERS_MODE):
 * the runc wrapper has no command line of its own. Returns 0, or -EINVAL
 * after saying which variable is wrong.
 */
int oci_bind_options_init(struct oci_bind_options *o, const char *program);

enum oci_agent_down oci_agent_down_from_string(const char *s);
/* "5", "0.5", "2.25": seconds, to milliseconds within 1..OCI_MAX_TIMEOUT_MS; -EINVAL otherwise. */
int oci_parse_timeout(const char *s, int *ms);

/* An id as the agent takes them: 1..128 characters of [A-Za-z0-9_.-]. */
bool oci_container_id_valid(const char *id);
/* An absolute path of at most PATH_MAX - 1 bytes without control characters (one request line). */
bool oci_path_valid(const char *path);

/*
 * Ask the agent to bind container @id whose first process is @pid (@bundle
 * may be NULL). Returns 0 when the container may start, 1 when it must not;
 * either way, what the agent did not make plain is said on stderr, naming
 * the container.
 */
int oci_bind(const struct oci_bind_options *o, const char *id, pid_t pid, const char *bundle);

#endif /* CREDGATE_OCI_BIND_H */
