// SPDX-License-Identifier: LGPL-2.1-or-later
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control_proto.h"
#include "macro.h"

/* The settings' default is the size the BPF objects declare. */
_Static_assert(CREDGATE_DEFAULT_CGROUP_MAP_SIZE == CG_MAX_CGROUPS, "cgroup map size defaults differ");

#ifndef CREDGATE_VERSION
#define CREDGATE_VERSION "unknown"
#endif

enum {
	OPT_LSM_UNAVAILABLE = 0x100,
	OPT_NODE_NAME,
	OPT_RINGBUF_SIZE,
	OPT_CGROUP_MAP_SIZE,
	OPT_FORCE_TRACEPOINTS,
	OPT_SOCKET,
	OPT_SOCKET_GROUP,
	OPT_PIN_DIR,
	OPT_UNLOAD_ON_STOP,
	OPT_CONFIG,
	OPT_EVENTS_FILE,
	OPT_EVENTS_FILE_MAX_SIZE,
	OPT_EVENTS_FILE_KEEP,
	OPT_JOURNAL,
	OPT_RATE_LIMIT,
	OPT_DENY_SUMMARY,
	OPT_AUDIT_RECORDS,
	OPT_METRICS_FILE,
	OPT_VERSION,
};

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
		"      --cgroup-map-size=N      cgroups the kernel keeps a policy state for, per\n"
		"                               policy generation, 256 to 1048576 (default: 32768)\n"
		"      --force-tracepoints      observe with syscall tracepoints even where fentry or\n"
		"                               kprobes work\n"
		"      --socket=PATH            control socket for credgatectl\n"
		"                               (default: " CONTROL_SOCKET_PATH ")\n"
		"      --socket-group=GROUP     let GROUP run the control socket's read-only commands\n"
		"                               (status, metrics, getevents); reload and unload stay\n"
		"                               root's (default: the socket is root's only)\n"
		"      --pin-dir=DIR            pin programs and maps in DIR (a bpffs directory, e.g.\n"
		"                               /sys/fs/bpf/credgate): they keep enforcing while the\n"
		"                               agent is down, and the next agent adopts them\n"
		"      --unload-on-stop         with --pin-dir: remove the pins when stopping\n"
		"      --config=FILE            settings file (default: " CREDGATE_CONFIG_PATH ",\n"
		"                               if it exists); every setting there has a flag here,\n"
		"                               and the flag wins\n"
		"      --events-file=PATH       also write JSON Lines to PATH, rotated by size\n"
		"      --events-file-max-size=BYTES  rotate past this size (default 100 MiB)\n"
		"      --events-file-keep=N     rotated files kept (default 5)\n"
		"      --journal                also send every event to the systemd journal\n"
		"      --rate-limit=N[/BURST]   at most N observations per second per cgroup; the\n"
		"                               rest are counted as lost (default: no limit)\n"
		"      --deny-summary=N[/BURST] past N denials per second per cgroup, fold identical\n"
		"                               ones into one line with a count (default: never)\n"
		"      --audit-records=off|avc  also write each audited or denied decision to the\n"
		"                               kernel's audit log as a USER_AVC record (default: off)\n"
		"      --metrics-file=PATH      also write the Prometheus metrics to PATH every 15 s\n"
		"                               (for node_exporter's textfile collector)\n"
		"  -v, --verbose                more log output (repeat for debug)\n"
		"  -h, --help                   this text\n"
		"      --version                print the version\n\n"
		"See credgated(8).\n");
}

/* "N" or "N/BURST", each 0 .. 10^7. */
static int parse_rate(const char *s, uint32_t *rate, uint32_t *burst)
{
	unsigned long r, b = 0;
	char *end;

	errno = 0;
	r = strtoul(s, &end, 10);
	if (errno || end == s || r > 10000000)
		return -EINVAL;
	if (*end == '/') {
		const char *p = end + 1;

		b = strtoul(p, &end, 10);
		if (errno || end == p || b > 10000000)
			return -EINVAL;
	}
	if (*end)
		return -EINVAL;
	*rate = (uint32_t)r;
	*burst = (uint32_t)b;
	return 0;
}

static int parse_ulong(const char *s, unsigned long long lo, unsigned long long hi,
		       unsigned long long *out)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
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

void options_defaults(struct agent_options *opts)
{
	*opts = (struct agent_options){
		.output = OUTPUT_JSON,
		.events_path = "-",
		.lsm_unavailable = LSM_UNAVAILABLE_FAIL,
		.ringbuf_bytes = CREDGATE_DEFAULT_RINGBUF_SIZE,
		.cgroup_map_size = CREDGATE_DEFAULT_CGROUP_MAP_SIZE,
		.socket_path = CONTROL_SOCKET_PATH,
	};
}

int options_apply_flags(int argc, char **argv, struct agent_options *opts)
{
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "events", required_argument, NULL, 'e' },
		{ "lsm-unavailable", required_argument, NULL, OPT_LSM_UNAVAILABLE },
		{ "node-name", required_argument, NULL, OPT_NODE_NAME },
		{ "ringbuf-size", required_argument, NULL, OPT_RINGBUF_SIZE },
		{ "cgroup-map-size", required_argument, NULL, OPT_CGROUP_MAP_SIZE },
		{ "force-tracepoints", no_argument, NULL, OPT_FORCE_TRACEPOINTS },
		{ "socket", required_argument, NULL, OPT_SOCKET },
		{ "socket-group", required_argument, NULL, OPT_SOCKET_GROUP },
		{ "pin-dir", required_argument, NULL, OPT_PIN_DIR },
		{ "unload-on-stop", no_argument, NULL, OPT_UNLOAD_ON_STOP },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "events-file", required_argument, NULL, OPT_EVENTS_FILE },
		{ "events-file-max-size", required_argument, NULL, OPT_EVENTS_FILE_MAX_SIZE },
		{ "events-file-keep", required_argument, NULL, OPT_EVENTS_FILE_KEEP },
		{ "journal", no_argument, NULL, OPT_JOURNAL },
		{ "rate-limit", required_argument, NULL, OPT_RATE_LIMIT },
		{ "deny-summary", required_argument, NULL, OPT_DENY_SUMMARY },
		{ "audit-records", required_argument, NULL, OPT_AUDIT_RECORDS },
		{ "metrics-file", required_argument, NULL, OPT_METRICS_FILE },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{}
	};
	int c, word;

	optind = 1;

	while ((c = getopt_long(argc, argv, "p:o:e:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			/* builtin replaces the settings file's policyDir too. */
			if (strcmp(optarg, "builtin") == 0) {
				opts->builtin_policy = true;
				opts->policy_path = NULL;
			} else {
				opts->policy_path = optarg;
			}
			break;
		case 'o':
			word = cg_output_format_from_name(optarg);
			if (word < 0) {
				fprintf(stderr, "credgated: --output: expected 'json' or 'compact', got '%s'\n",
					optarg);
				return -EINVAL;
			}
			opts->output = (enum output_format)word;
			break;
		case 'e':
			opts->events_path = optarg;
			break;
		case OPT_LSM_UNAVAILABLE:
			word = cg_lsm_unavailable_from_name(optarg);
			if (word < 0) {
				fprintf(stderr,
					"credgated: --lsm-unavailable: expected 'fail', 'observe' or 'kill', got '%s'\n",
					optarg);
				return -EINVAL;
			}
			opts->lsm_unavailable = (enum lsm_unavailable_action)word;
			break;
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
		case OPT_CGROUP_MAP_SIZE: {
			unsigned long long v;

			if (parse_ulong(optarg, CREDGATE_MIN_CGROUP_MAP_SIZE, CREDGATE_MAX_CGROUP_MAP_SIZE, &v) < 0) {
				fprintf(stderr, "credgated: --cgroup-map-size: expected %u to %u, got '%s'\n",
					CREDGATE_MIN_CGROUP_MAP_SIZE, CREDGATE_MAX_CGROUP_MAP_SIZE, optarg);
				return -EINVAL;
			}
			opts->cgroup_map_size = (uint32_t)v;
			break;
		}
		case OPT_FORCE_TRACEPOINTS:
			opts->force_tracepoints = true;
			break;
		case OPT_SOCKET:
			opts->socket_path = optarg;
			break;
		case OPT_SOCKET_GROUP:
			opts->socket_group = optarg;
			break;
		case OPT_CONFIG:
			opts->config_path = optarg;
			break;
		case OPT_METRICS_FILE:
			if (optarg[0] != '/') {
				fprintf(stderr, "credgated: --metrics-file: expected an absolute path, got '%s'\n", optarg);
				return -EINVAL;
			}
			opts->metrics_file = optarg;
			break;
		case OPT_EVENTS_FILE:
			if (optarg[0] != '/') {
				fprintf(stderr, "credgated: --events-file: expected an absolute path, got '%s'\n", optarg);
				return -EINVAL;
			}
			opts->events_file = optarg;
			break;
		case OPT_EVENTS_FILE_MAX_SIZE: {
			unsigned long long v;

			if (parse_ulong(optarg, 4096, 1ull << 40, &v) < 0) {
				fprintf(stderr, "credgated: --events-file-max-size: expected 4096 to 2^40 bytes, got '%s'\n",
					optarg);
				return -EINVAL;
			}
			opts->events_file_max_size = v;
			break;
		}
		case OPT_EVENTS_FILE_KEEP: {
			unsigned long long v;

			if (parse_ulong(optarg, 1, 1000, &v) < 0) {
				fprintf(stderr, "credgated: --events-file-keep: expected 1 to 1000, got '%s'\n", optarg);
				return -EINVAL;
			}
			opts->events_file_keep = (unsigned)v;
			break;
		}
		case OPT_JOURNAL:
			opts->journal = true;
			break;
		case OPT_RATE_LIMIT:
		case OPT_DENY_SUMMARY: {
			bool observe = c == OPT_RATE_LIMIT;

			if (parse_rate(optarg, observe ? &opts->observe_rate : &opts->deny_rate,
				       observe ? &opts->observe_burst : &opts->deny_burst) < 0) {
				fprintf(stderr, "credgated: --%s: expected N or N/BURST (0 to 10000000), got '%s'\n",
					observe ? "rate-limit" : "deny-summary", optarg);
				return -EINVAL;
			}
			break;
		}
		case OPT_AUDIT_RECORDS:
			word = cg_audit_records_from_name(optarg);
			if (word < 0) {
				fprintf(stderr, "credgated: --audit-records: expected 'off' or 'avc', got '%s'\n", optarg);
				return -EINVAL;
			}
			opts->audit_avc = word == AUDIT_RECORDS_AVC;
			break;
		case OPT_PIN_DIR:
			if (optarg[0] != '/') {
				fprintf(stderr, "credgated: --pin-dir: expected an absolute path, got '%s'\n", optarg);
				return -EINVAL;
			}
			opts->pin_dir = optarg;
			break;
		case OPT_UNLOAD_ON_STOP:
			opts->unload_on_stop = true;
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

int options_parse(int argc, char **argv, struct agent_options *opts)
{
	options_defaults(opts);
	return options_apply_flags(argc, argv, opts);
}
