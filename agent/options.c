// SPDX-License-Identifier: LGPL-2.1-or-later
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"

#ifndef CREDGATE_VERSION
#define CREDGATE_VERSION "unknown"
#endif

enum {
	OPT_LSM_UNAVAILABLE = 0x100,
	OPT_NODE_NAME,
	OPT_RINGBUF_SIZE,
	OPT_FORCE_TRACEPOINTS,
	OPT_VERSION,
};

static const char *const lsm_unavailable_names[] = {
	[LSM_UNAVAILABLE_FAIL] = "fail",
	[LSM_UNAVAILABLE_OBSERVE] = "observe",
	[LSM_UNAVAILABLE_KILL] = "kill",
};

const char *lsm_unavailable_action_name(enum lsm_unavailable_action action)
{
	return (unsigned)action < ARRAY_SIZE(lsm_unavailable_names) ? lsm_unavailable_names[action]
								      : "?";
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: credgated [OPTIONS]\n"
		"Watch and govern credential changes (set*id, setgroups, capset) per cgroup.\n\n"
		"  -p, --policy=PATH            policy file, or directory of *.yaml files, or 'builtin'\n"
		"                               (default: " CREDGATE_DEFAULT_POLICY_DIR
		", else 'builtin')\n"
		"  -o, --output=json|compact    event format (default: json)\n"
		"  -e, --events=FILE|-          where events go (default: - for stdout)\n"
		"      --lsm-unavailable=fail|observe|kill\n"
		"                               when the kernel cannot run BPF LSM programs and a\n"
		"                               policy enforces: refuse to start (default), only\n"
		"                               report, or SIGKILL the offending caller\n"
		"      --node-name=NAME         node_name in events (default: the host name)\n"
		"      --ringbuf-size=BYTES     kernel event buffer, a power of two (default: 4194304)\n"
		"      --force-tracepoints      observe with syscall tracepoints even where fentry or\n"
		"                               kprobes work\n"
		"  -v, --verbose                more log output (repeat for debug)\n"
		"  -h, --help                   this text\n"
		"      --version                print the version\n\n"
		"See credgated(8).\n");
}

static int parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end)
		return -EINVAL;
	/* A ring buffer is a power of two pages, and this bounds what we ask for. */
	if (v < 4096 || v > (1ull << 30) || (v & (v - 1)))
		return -ERANGE;
	*out = (size_t)v;
	return 0;
}

int options_parse(int argc, char **argv, struct agent_options *opts)
{
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "events", required_argument, NULL, 'e' },
		{ "lsm-unavailable", required_argument, NULL, OPT_LSM_UNAVAILABLE },
		{ "node-name", required_argument, NULL, OPT_NODE_NAME },
		{ "ringbuf-size", required_argument, NULL, OPT_RINGBUF_SIZE },
		{ "force-tracepoints", no_argument, NULL, OPT_FORCE_TRACEPOINTS },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{}
	};
	int c;

	memset(opts, 0, sizeof(*opts));
	opts->output = OUTPUT_JSON;
	opts->events_path = "-";
	opts->lsm_unavailable = LSM_UNAVAILABLE_FAIL;
	opts->ringbuf_bytes = 4u << 20;
	optind = 1;

	while ((c = getopt_long(argc, argv, "p:o:e:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (strcmp(optarg, "builtin") == 0)
				opts->builtin_policy = true;
			else
				opts->policy_path = optarg;
			break;
		case 'o':
			if (strcmp(optarg, "json") == 0) {
				opts->output = OUTPUT_JSON;
			} else if (strcmp(optarg, "compact") == 0) {
				opts->output = OUTPUT_COMPACT;
			} else {
				fprintf(stderr, "credgated: --output: expected 'json' or 'compact', got '%s'\n",
					optarg);
				return -EINVAL;
			}
			break;
		case 'e':
			opts->events_path = optarg;
			break;
		case OPT_LSM_UNAVAILABLE: {
			bool found = false;

			for (size_t i = 0; i < ARRAY_SIZE(lsm_unavailable_names); i++) {
				if (strcmp(optarg, lsm_unavailable_names[i]) == 0) {
					opts->lsm_unavailable = (enum lsm_unavailable_action)i;
					found = true;
				}
			}
			if (!found) {
				fprintf(stderr,
					"credgated: --lsm-unavailable: expected 'fail', 'observe' or 'kill', got '%s'\n",
					optarg);
				return -EINVAL;
			}
			break;
		}
		case OPT_NODE_NAME:
			if (!*optarg || strlen(optarg) > 253) {
				fprintf(stderr, "credgated: --node-name: expected 1 to 253 characters\n");
				return -EINVAL;
			}
			opts->node_name = optarg;
			break;
		case OPT_RINGBUF_SIZE:
			if (parse_size(optarg, &opts->ringbuf_bytes) < 0) {
				fprintf(stderr,
					"credgated: --ringbuf-size: expected a power of two from 4096 to 1073741824, got '%s'\n",
					optarg);
				return -EINVAL;
			}
			break;
		case OPT_FORCE_TRACEPOINTS:
			opts->force_tracepoints = true;
			break;
		case 'v':
			opts->verbosity++;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case OPT_VERSION:
			printf("credgated %s\n", CREDGATE_VERSION);
			return 1;
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "credgated: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 0;
}
