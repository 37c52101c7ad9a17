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
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "avc_log.h"
#include "bpf_pins.h"
#include "control_proto.h"
#include "ctl_client.h"
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
		"      --kind decision|kprobe|exec|lost   --verdict VERDICT   --cgroup PATH\n"
		"      --container ID-PREFIX   --pod UID   --process GLOB   --policy NAME\n"
		"  status [-o json|text]                  what the agent is doing\n"
		"  reload [-o json|text]                  re-read the policy; fails, with the\n"
		"                                         problems, if the new policy is refused\n"
		"                                         (root only)\n"
		"  metrics                                Prometheus text exposition\n"
		"  unload [-o json|text] [--pin-dir DIR]  detach every program and remove the pins\n"
		"                                         (default DIR /sys/fs/bpf/credgate); stops\n"
		"                                         the agent if it runs (root only)\n"
		"  policy check [-o json|text] [--compiled] [PATH...]\n"
		"                                         validate policy files (no agent needed);\n"
		"                                         PATH defaults to /etc/credgate/policies.d\n"
		"  avc [FILE]                             an event log (JSON Lines; default: standard\n"
		"                                         input) as SELinux AVC records, one per\n"
		"                                         audited or denied decision\n"
		"\n"
		"  --socket PATH   the agent's control socket (default " CONTROL_SOCKET_PATH ")\n"
		"  -h, --help      --version\n"
		"COMMAND --help describes one command. See credgatectl(8).\n");
}

/* Each command's --help: what it does, its options, who may run it. */
static const struct {
	const char *name;
	const char *text;
} command_help[] = {
	{ "getevents",
	  "Usage: credgatectl getevents [-o json|compact] [FILTERS]\n"
	  "Stream events from the agent, one per line, until interrupted.\n"
	  "  -o, --output json|compact   JSON Lines (default) or the compact text form\n"
	  "Filters, all optional and ANDed:\n"
	  "  --kind decision|kprobe|exec|lost\n"
	  "  --verdict VERDICT          allowed, audited-would-deny, denied, killed, ...\n"
	  "  --cgroup PATH              the event's cgroup is PATH or below it\n"
	  "  --container ID-PREFIX      --pod UID      --policy NAME\n"
	  "  --process GLOB             the whole executable path or the whole command\n"
	  "                             name matches GLOB: '*' any run of characters,\n"
	  "                             '?' one character, '\\' makes the next one plain;\n"
	  "                             at most 63 elements. No regular expressions: the\n"
	  "                             agent matches in one pass, linear in the name.\n"
	  "Members of the socket's group may run it.\n" },
	{ "status",
	  "Usage: credgatectl status [-o json|text]\n"
	  "What the agent is doing: kernel features, hooks, policies and their mode,\n"
	  "decision and loss counts, clients, versions.\n"
	  "  -o, --output json|text     text for people (default), JSON for programs\n"
	  "Members of the socket's group may run it.\n" },
	{ "metrics",
	  "Usage: credgatectl metrics\n"
	  "The agent's counters in the Prometheus text exposition format.\n"
	  "Members of the socket's group may run it.\n" },
	{ "reload",
	  "Usage: credgatectl reload [-o json|text]\n"
	  "Ask the agent to re-read its policy directory. All or nothing: if any file\n"
	  "is wrong, the policy in force stays, every problem is printed (FILE:LINE:COL)\n"
	  "and the exit status is 1.\n"
	  "  -o, --output json|text     'OK generation N' (default), or one JSON object:\n"
	  "                             {\"ok\":true,\"generation\":N} or\n"
	  "                             {\"ok\":false,\"problems\":[...]}\n"
	  "Root only: the agent refuses it from any other user, socket group or not.\n" },
	{ "unload",
	  "Usage: credgatectl unload [-o json|text] [--pin-dir DIR]\n"
	  "Ask a running agent to detach every program, remove its pins and exit, then\n"
	  "remove whatever credgate still has pinned in DIR (default\n"
	  "/sys/fs/bpf/credgate). Works with no agent running. Enforcement stops.\n"
	  "  -o, --output json|text     a sentence (default), or one JSON object\n"
	  "  --pin-dir DIR\n"
	  "Root only: the agent refuses it from any other user, and then nothing is\n"
	  "removed.\n" },
	{ "policy",
	  "Usage: credgatectl policy check [-o json|text] [--compiled] [PATH...]\n"
	  "Validate policy files or directories (default /etc/credgate/policies.d)\n"
	  "without loading anything; no agent needed. Exit 0 when valid, else every\n"
	  "problem with file, line and column, and exit 1.\n"
	  "  -o, --output json|text     'N policies OK' and problems on standard error\n"
	  "                             (default), or one JSON object on standard output:\n"
	  "                             {\"ok\":BOOL,\"policies\":N,\"problems\":[...]}\n"
	  "  --compiled                 print the compiled form (text only)\n" },
	{ "avc",
	  "Usage: credgatectl avc [FILE]\n"
	  "Read an event log (JSON Lines, as credgated writes it; standard input by\n"
	  "default or with '-') and print each audited or denied decision as one\n"
	  "SELinux AVC record. Bad lines are reported on standard error as\n"
	  "FILE:LINE: reason and make the exit status 1. No agent needed.\n" },
};

/* COMMAND --help or -h anywhere among its arguments: print its help. */
static bool command_wants_help(const char *name, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			for (size_t j = 0; j < ELEMENTSOF(command_help); j++) {
				if (strcmp(command_help[j].name, name) == 0) {
					fputs(command_help[j].text, stdout);
					return true;
				}
			}
		}
	}
	return false;
}

/* -o json|text: 1 for json, 0 for text, -1 (after a message) for anything else. */
static int parse_output_json(const char *command, const char *value)
{
	if (strcmp(value, "json") == 0)
		return 1;
	if (strcmp(value, "text") == 0)
		return 0;
	fprintf(stderr, "credgatectl %s: unknown output '%s' (expected json or text)\n", command, value);
	return -1;
}

static void print_json(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* The lines of @text (without their newline) as a JSON array of strings. */
static struct json_object *json_lines(const char *text)
{
	struct json_object *a = json_object_new_array();

	while (a && *text) {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);

		if (n)
			json_object_array_add(a, json_object_new_string_len(text, (int)n));
		text += n + (nl ? 1 : 0);
	}
	return a;
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
	return ctl_request(socket_path, req, true) == 0 ? 0 : 1;
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
	return ctl_request(socket_path, req, false) == 0 ? 0 : 1;
}

static int cmd_reload(int argc, char **argv)
{
	static const struct option longopts[] = { { "output", required_argument, NULL, 'o' }, {} };
	_cleanup_free_ char *reply = NULL;
	size_t len = 0;
	bool error = false;
	int c, json = 0, r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		if (c != 'o' || (json = parse_output_json("reload", optarg)) < 0)
			return 2;
	}
	if (optind != argc) {
		fprintf(stderr, "credgatectl reload: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	r = ctl_request_capture(socket_path, "command=reload\n\n", &reply, &len, &error);
	if (r < 0)
		return 1;
	if (!json) {
		fwrite(error ? reply + 6 : reply, 1, error ? len - 6 : len, error ? stderr : stdout);
		return error ? 1 : 0;
	}
	{
		struct json_object *o = json_object_new_object();
		unsigned int generation;

		if (!o)
			return 1;
		if (!error && sscanf(reply, "OK generation %u", &generation) == 1) {
			json_object_object_add(o, "ok", json_object_new_boolean(1));
			json_object_object_add(o, "generation", json_object_new_int64(generation));
		} else {
			json_object_object_add(o, "ok", json_object_new_boolean(0));
			json_object_object_add(o, "problems", json_lines(error ? reply + 6 : reply));
			error = true;
		}
		print_json(o);
	}
	return error ? 1 : 0;
}

/*
 * Ask a running agent to unload (it removes its pins and exits), then
 * remove whatever is still pinned: also works with no agent running. When
 * the agent refuses (not root), nothing is touched.
 */
static int cmd_unload(int argc, char **argv)
{
	static const struct option longopts[] = { { "pin-dir", required_argument, NULL, 'd' },
						  { "output", required_argument, NULL, 'o' },
						  {} };
	_cleanup_free_ char *reply = NULL;
	const char *dir = "/sys/fs/bpf/credgate", *agent = "not running";
	size_t len = 0;
	bool error = false;
	struct stat st;
	int c, r, json = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		if (c == 'd')
			dir = optarg;
		else if (c != 'o' || (json = parse_output_json("unload", optarg)) < 0)
			return 2;
	}
	if (optind != argc) {
		fprintf(stderr, "credgatectl unload: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (stat(socket_path, &st) == 0) {
		r = ctl_request_capture(socket_path, "command=unload\n\n", &reply, &len, &error);
		if (r < 0) {
			agent = "did not answer";
			fprintf(stderr, "credgatectl: the agent did not answer; removing the pins directly\n");
		} else if (error && strstr(reply, "permission denied")) {
			/* Not root: leave everything as it is. */
			if (json) {
				struct json_object *o = json_object_new_object();

				json_object_object_add(o, "ok", json_object_new_boolean(0));
				json_object_object_add(o, "problems", json_lines(reply + 6));
				print_json(o);
			} else {
				fwrite(reply + 6, 1, len - 6, stderr);
			}
			return 1;
		} else if (error) {
			/* The agent failed: say so, and remove the pins directly. */
			agent = "failed";
			fwrite(reply + 6, 1, len - 6, stderr);
		} else {
			agent = "unloaded";
			if (!json)
				fwrite(reply, 1, len, stdout);
		}
	}
	r = bpf_pins_unload(dir);
	if (r < 0) {
		fprintf(stderr, "credgatectl: cannot remove %s: %s\n", dir, strerror(-r));
		return 1;
	}
	if (json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "ok", json_object_new_boolean(1));
		json_object_object_add(o, "agent", json_object_new_string(agent));
		if (reply)
			json_object_object_add(o, "agent_message", json_lines(reply));
		json_object_object_add(o, "pin_dir", json_object_new_string(dir));
		print_json(o);
	} else {
		printf("unloaded: nothing of credgate is pinned in %s\n", dir);
	}
	return 0;
}

static int cmd_policy_check(int argc, char **argv)
{
	static const struct option longopts[] = { { "compiled", no_argument, NULL, 'c' },
						  { "output", required_argument, NULL, 'o' },
						  {} };
	struct policy_set *set = policy_set__new();
	struct policy_diags diags = {};
	struct json_object *problems = NULL;
	bool compiled = false;
	char line[1024];
	int c, r = 0, json = 0;

	if (!set)
		return 1;
	/* What the agent would refuse, the check refuses: files others can change. */
	policy_set__require_trusted_files(set, true);
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		if (c == 'c') {
			compiled = true;
		} else if (c != 'o' || (json = parse_output_json("policy check", optarg)) < 0) {
			policy_set__free(set);
			return 2;
		}
	}
	if (json && compiled) {
		fprintf(stderr, "credgatectl policy check: --compiled has no JSON form\n");
		policy_set__free(set);
		return 2;
	}
	if (json)
		problems = json_object_new_array();
	if (optind == argc)
		r = policy_set__load(set, "/etc/credgate/policies.d", &diags);
	for (int i = optind; i < argc && r == 0; i++)
		r = policy_set__load(set, argv[i], &diags);
	for (size_t i = 0; i < diags.count; i++) {
		policy_diag_format(&diags.items[i], line, sizeof(line));
		if (problems)
			json_object_array_add(problems, json_object_new_string(line));
		else
			fprintf(stderr, "%s\n", line);
	}
	if (diags.dropped && !problems)
		fprintf(stderr, "... and %zu more problems\n", diags.dropped);
	if (json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "ok", json_object_new_boolean(r == 0));
		json_object_object_add(o, "policies", json_object_new_int64(r == 0 ? (int64_t)set->count : 0));
		json_object_object_add(o, "problems", problems);
		json_object_object_add(o, "more_problems", json_object_new_int64((int64_t)diags.dropped));
		print_json(o);
		policy_diags_clear(&diags);
		policy_set__free(set);
		return r == 0 ? 0 : 1;
	}
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
	if (strcmp(argv[0], "policy") == 0 && (argc < 2 || strcmp(argv[1], "check") != 0)) {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
			command_wants_help("policy", argc, argv);
			return 0;
		}
		fprintf(stderr, "credgatectl: expected 'policy check'\n");
		return 2;
	}
	if (command_wants_help(argv[0], argc, argv))
		return 0;
	if (strcmp(argv[0], "getevents") == 0)
		return cmd_getevents(argc, argv);
	if (strcmp(argv[0], "status") == 0 || strcmp(argv[0], "metrics") == 0)
		return cmd_simple(argv[0], argc, argv);
	if (strcmp(argv[0], "reload") == 0)
		return cmd_reload(argc, argv);
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
