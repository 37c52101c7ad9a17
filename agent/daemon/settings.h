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
 * Every key is optional; unknown keys are errors. The file's values are
 * written into the agent's one settings struct, struct agent_options
 * (options.h), over its defaults; the command line is then laid over them
 * (options_apply_flags()), which is how a flag wins over the file. Reading
 * the file is all the I/O done here.
 */
#ifndef CREDGATE_SETTINGS_H
#define CREDGATE_SETTINGS_H

#include <stddef.h>

#include "policy.h"

#define CREDGATE_CONFIG_PATH "/etc/credgate/credgate.yaml"
#define CREDGATE_CONFIG_MAX_FILE_SIZE (64 * 1024)
#define CREDGATE_DEFAULT_POLICY_DIR "/etc/credgate/policies.d"
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

/* containerCgroups entries at most: each costs NFA states of every policy set. */
#define CREDGATE_MAX_CONTAINER_CGROUPS 16

struct agent_options;

/*
 * Read @path and set in @opts every setting the file names; the rest keeps
 * what @opts held. Returns 0; -ENOENT when the file does not exist (no
 * diagnostic: run without it); -EINVAL or -EFBIG with diagnostics; another
 * -errno with a diagnostic when the file cannot be read; -ENOMEM. On any
 * failure @opts is left as it was: nothing of a refused file is applied.
 * Strings the file gave belong to @opts: settings_free().
 */
int settings_load(const char *path, struct agent_options *opts, struct policy_diags *diags);

/* The same from text already read; @filename is for diagnostics. */
int settings_parse(const char *filename, const char *text, size_t len, struct agent_options *opts,
		   struct policy_diags *diags);

/* Free what the settings file allocated for @opts (its strings); @opts may be NULL. */
void settings_free(struct agent_options *opts);

#endif /* CREDGATE_SETTINGS_H */
