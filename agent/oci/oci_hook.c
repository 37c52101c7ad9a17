// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * credgate-oci-hook: an OCI createRuntime hook (podman, CRI-O, any runtime
 * that runs hooks.d hooks). The runtime has made the container's namespaces
 * and cgroup, and its first process waits: the hook hands the container to
 * credgated (bind-container) and exits 0 only once the agent has answered
 * that the container's cgroup is under the policy its identity selects, or
 * when --on-agent-down lets it start without an answer. A non-zero exit makes
 * the runtime tear the container down before its first instruction runs.
 *
 * The OCI state arrives on stdin (runtime-spec "State"): {"ociVersion",
 * "id", "status", "pid", "bundle", "annotations"}. Only id, pid and bundle
 * are sent, and the agent believes none of them beyond looking: it reads the
 * container's identity from the runtime's own state.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "macro.h"
#include "oci_bind.h"

#define PROGRAM "credgate-oci-hook"
/* A state with many annotations is a few KiB; more is not a runtime talking. */
#define STATE_MAX (1024 * 1024)
#define STATE_MAX_DEPTH 16

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: " PROGRAM " [OPTION...]   (the OCI state JSON on stdin)\n"
		"Hand a starting container to credgated before its first instruction runs.\n\n"
		"  --socket=PATH            the agent's control socket (default /run/credgate/credgated.sock)\n"
		"  --timeout=SECONDS        how long to wait for the agent's answer (default %d)\n"
		"  --on-agent-down=refuse|allow|refuse-if-enforcing\n"
		"                           without an answer: what to do (default refuse-if-enforcing:\n"
		"                           refuse when the agent last said a policy naming containers enforces)\n"
		"  --containers-mode=PATH   where the agent says so (default " OCI_CONTAINERS_MODE_FILE ")\n"
		"  -h, --help               this text\n",
		OCI_DEFAULT_TIMEOUT_MS / 1000);
}

/* Read stdin to EOF, at most STATE_MAX bytes. Returns the length, or -errno. */
static ssize_t read_state(char *buf, size_t cap)
{
	size_t len = 0;

	for (;;) {
		ssize_t n = read(STDIN_FILENO, buf + len, cap - len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		if (n == 0)
			return (ssize_t)len;
		len += (size_t)n;
		if (len == cap)
			return -EFBIG;
	}
}

static void json_putp(json_object **j)
{
	if (*j)
		json_object_put(*j);
}

/* A string member, with no NUL inside (json-c allows "\u0000"); NULL if absent or not one. */
static const char *member_string(json_object *state, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(state, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	if (strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v))
		return NULL;
	return json_object_get_string(v);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "on-agent-down", required_argument, NULL, 'd' },
		{ "containers-mode", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	_cleanup_(json_putp) json_object *state = NULL;
	struct json_tokener *tok;
	struct oci_bind_options o;
	const char *version, *id, *bundle;
	json_object *pidv;
	int64_t pid;
	ssize_t len;
	char *buf;
	int c;

	if (oci_bind_options_init(&o, PROGRAM) < 0)
		return 2;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.socket = optarg;
			break;
		case 't':
			if (oci_parse_timeout(optarg, &o.timeout_ms) < 0) {
				fprintf(stderr, PROGRAM ": --timeout=%s: not a number of seconds up to %d\n", optarg,
					OCI_MAX_TIMEOUT_MS / 1000);
				return 2;
			}
			break;
		case 'd':
			o.on_agent_down = oci_agent_down_from_string(optarg);
			if (o.on_agent_down == _OCI_AGENT_DOWN_INVALID) {
				fprintf(stderr, PROGRAM ": --on-agent-down=%s: not refuse, allow or refuse-if-enforcing\n",
					optarg);
				return 2;
			}
			break;
		case 'm':
			o.mode_file = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROGRAM ": unexpected argument '%s' (the state comes on stdin)\n", argv[optind]);
		return 2;
	}

	buf = malloc(STATE_MAX);
	if (!buf) {
		fprintf(stderr, PROGRAM ": out of memory\n");
		return 2;
	}
	len = read_state(buf, STATE_MAX);
	if (len < 0) {
		fprintf(stderr, PROGRAM ": refused: reading the OCI state on stdin: %s\n",
			len == -EFBIG ? "longer than 1 MiB" : strerror((int)-len));
		free(buf);
		return 1;
	}
	tok = json_tokener_new_ex(STATE_MAX_DEPTH);
	if (tok) {
		state = json_tokener_parse_ex(tok, buf, (int)len);
		/* One document and nothing after it but blanks. */
		if (state && (json_tokener_get_error(tok) != json_tokener_success ||
			      strspn(buf + json_tokener_get_parse_end(tok), " \t\r\n") !=
				      (size_t)len - json_tokener_get_parse_end(tok))) {
			json_object_put(state);
			state = NULL;
		}
		json_tokener_free(tok);
	}
	free(buf);
	if (!state || !json_object_is_type(state, json_type_object)) {
		fprintf(stderr, PROGRAM ": refused: the OCI state on stdin is not one JSON object\n");
		return 1;
	}

	id = member_string(state, "id");
	if (!id || !oci_container_id_valid(id)) {
		fprintf(stderr, PROGRAM ": refused: the OCI state has no valid \"id\" (1 to %d characters of A-Z a-z 0-9 _ . -)\n",
			OCI_CONTAINER_ID_MAX);
		return 1;
	}
	version = member_string(state, "ociVersion");
	if (!version || !*version || strlen(version) > 64) {
		fprintf(stderr, PROGRAM ": container %s: refused: the OCI state has no valid \"ociVersion\"\n", id);
		return 1;
	}
	/* Not json_object_get_int64: it turns 1.5, "7" and true into numbers. */
	if (!json_object_object_get_ex(state, "pid", &pidv) || !json_object_is_type(pidv, json_type_int) ||
	    (pid = json_object_get_int64(pidv)) <= 1 || pid > INT_MAX) {
		fprintf(stderr, PROGRAM ": container %s: refused: the OCI state's \"pid\" is not a process id above 1\n", id);
		return 1;
	}
	bundle = member_string(state, "bundle");
	if (!bundle || !oci_path_valid(bundle)) {
		fprintf(stderr, PROGRAM ": container %s: refused: the OCI state's \"bundle\" is not an absolute path\n", id);
		return 1;
	}
	return oci_bind(&o, id, (pid_t)pid, bundle);
}
