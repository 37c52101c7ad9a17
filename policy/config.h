/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The agent's settings file, /etc/credgate/credgate.yaml:
 *
 *   apiVersion: credgate.io/v1
 *   kind: AgentConfig
 *   policyDir: /etc/credgate/policies.d
 *   output: json                 # json | compact
 *   events: "-"                  # a file path, or "-" for stdout
 *   lsmUnavailable: fail         # fail | observe | kill
 *   nodeName: web-1              # empty or absent: the host name
 *   ringbufSize: 4194304         # a power of two, 4096 .. 1073741824
 *   cgroupMapSize: 32768         # cgroups the kernel keeps a state for, per
 *                                # policy generation, 256 .. 1048576
 *   passwdFile: /etc/passwd      # user names in policies
 *   groupFile: /etc/group        # group names in policies
 *   pinDir: /sys/fs/bpf/credgate # pin programs and maps (keep enforcing while down)
 *   unloadOnStop: false          # with pinDir: remove the pins when stopping
 *   socket: /run/credgate/credgated.sock
 *   socketGroup: credgate        # also let this group use the control socket
 *   journal: false               # also send events to journald
 *   eventsFile: /var/log/credgate/events.json   # a rotated JSON Lines file
 *   eventsFileMaxSize: 104857600 # rotate past this many bytes
 *   eventsFileKeep: 5            # rotated files kept
 *   observeRate: 0               # observations per second per cgroup (0: no limit)
 *   observeBurst: 0
 *   denySummaryRate: 0           # denials per second per cgroup before folding (0: never)
 *   denySummaryBurst: 0
 *   auditRecords: off            # off | avc: also write each audited or denied
 *                                # decision to the kernel audit log as USER_AVC
 *   metricsFile: /var/lib/prometheus/node-exporter/credgate.prom
 *                                # Prometheus metrics, rewritten every 15 s
 *   containerCgroups:            # where containers are put besides the
 *     - /custom.slice/docker-*.scope   # runtimes' defaults (anchored)
 *
 * Every key is optional; unknown keys are errors. Reading it is all the I/O
 * done here: the agent applies its command-line flags on top.
 */
#ifndef CREDGATE_POLICY_CONFIG_H
#define CREDGATE_POLICY_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

#define CREDGATE_CONFIG_PATH "/etc/credgate/credgate.yaml"
#define CREDGATE_CONFIG_MAX_FILE_SIZE (64 * 1024)
#define CREDGATE_DEFAULT_POLICY_DIR "/etc/credgate/policies.d"
#define CREDGATE_DEFAULT_EVENTS "-"
#define CREDGATE_DEFAULT_RINGBUF_SIZE (4u * 1024 * 1024)
#define CREDGATE_MIN_RINGBUF_SIZE 4096u
#define CREDGATE_MAX_RINGBUF_SIZE (1024u * 1024 * 1024)
/*
 * Cgroups with a state in the kernel, per policy generation (the map holds
 * two: the one in force and the one a reload writes). The default is
 * CG_MAX_CGROUPS; the bounds keep a typo from making a useless map or one
 * that could take gigabytes of kernel memory.
 */
#define CREDGATE_DEFAULT_CGROUP_MAP_SIZE 32768u
#define CREDGATE_MIN_CGROUP_MAP_SIZE 256u
#define CREDGATE_MAX_CGROUP_MAP_SIZE (1024u * 1024)

enum credgate_output {
	CREDGATE_OUTPUT_JSON = 0,
	CREDGATE_OUTPUT_COMPACT = 1,
};

/* What the agent writes to the kernel's audit subsystem besides its events. */
enum credgate_audit_records {
	CREDGATE_AUDIT_RECORDS_OFF = 0,
	CREDGATE_AUDIT_RECORDS_AVC = 1, /* USER_AVC records in SELinux's AVC grammar */
};

enum credgate_lsm_unavailable {
	CREDGATE_LSM_UNAVAILABLE_FAIL = 0, /* refuse to start with an enforce rule */
	CREDGATE_LSM_UNAVAILABLE_OBSERVE = 1,
	CREDGATE_LSM_UNAVAILABLE_KILL = 2,
};

/*
 * Every field holds a value: the file's, or the default. has_X tells whether
 * the file set X, so that a command-line flag can win over the file and a
 * default be told from a choice. Strings are owned.
 */
struct credgate_config {
	bool has_policy_dir;
	char *policy_dir; /* CREDGATE_DEFAULT_POLICY_DIR */
	bool has_output;
	enum credgate_output output; /* json */
	bool has_events;
	char *events; /* "-": stdout, or an absolute path */
	bool has_lsm_unavailable;
	enum credgate_lsm_unavailable lsm_unavailable; /* fail */
	bool has_node_name;
	char *node_name; /* NULL: the host name (the agent asks uname()) */
	bool has_ringbuf_size;
	uint32_t ringbuf_size; /* CREDGATE_DEFAULT_RINGBUF_SIZE */
	bool has_cgroup_map_size;
	uint32_t cgroup_map_size; /* CREDGATE_DEFAULT_CGROUP_MAP_SIZE */
	bool has_passwd_file;
	char *passwd_file; /* POLICY_DEFAULT_PASSWD_FILE */
	bool has_group_file;
	char *group_file; /* POLICY_DEFAULT_GROUP_FILE */
	bool has_pin_dir;
	char *pin_dir; /* NULL: pin nothing */
	bool has_socket;
	char *socket; /* NULL: the agent's default */
	bool has_events_file;
	char *events_file; /* NULL: none */
	bool has_socket_group;
	char *socket_group; /* NULL: root only */
	bool has_metrics_file;
	char *metrics_file; /* NULL: none */
	bool has_unload_on_stop;
	bool unload_on_stop;
	bool has_journal;
	bool journal;
	bool has_events_file_max_size;
	uint64_t events_file_max_size; /* 0: the agent's default */
	bool has_events_file_keep;
	uint32_t events_file_keep;
	bool has_observe_rate, has_observe_burst, has_deny_summary_rate, has_deny_summary_burst;
	uint32_t observe_rate, observe_burst, deny_summary_rate, deny_summary_burst;
	bool has_audit_records;
	enum credgate_audit_records audit_records; /* off */
	/* Absolute normalised patterns (policy_container_cgroup_pattern()); none: NULL, 0. */
	bool has_container_cgroups;
	char **container_cgroups;
	size_t n_container_cgroups;
};

/* containerCgroups entries at most: each costs NFA states of every policy set. */
#define CREDGATE_MAX_CONTAINER_CGROUPS 16

/* Fill @cfg with the defaults. Returns 0 or -ENOMEM (then @cfg holds nothing). */
int credgate_config_defaults(struct credgate_config *cfg);

/*
 * Read @path into @cfg. Returns 0; -ENOENT when the file does not exist (no
 * diagnostic: run with the defaults); -EINVAL or -EFBIG with diagnostics;
 * another -errno with a diagnostic when the file cannot be read; -ENOMEM.
 * Whatever it returns, @cfg holds the defaults where the file said nothing
 * (everywhere, on failure, except -ENOMEM where it holds nothing), and
 * credgate_config_free() must be called.
 */
int credgate_config_load(const char *path, struct credgate_config *cfg, struct policy_diags *diags);

/* The same from text already read; @filename is for diagnostics. */
int credgate_config_parse(const char *filename, const char *text, size_t len, struct credgate_config *cfg,
			  struct policy_diags *diags);

void credgate_config_free(struct credgate_config *cfg);

/* "json", "compact"; "fail", "observe", "kill"; NULL when unknown. */
const char *credgate_output_name(enum credgate_output output);
const char *credgate_lsm_unavailable_name(enum credgate_lsm_unavailable value);
const char *credgate_audit_records_name(enum credgate_audit_records value); /* "off", "avc" */

#endif /* CREDGATE_POLICY_CONFIG_H */
