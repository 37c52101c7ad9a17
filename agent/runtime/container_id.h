/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Container identity from a cgroup path alone: the runtime, the container id
 * (and the 31-character "docker" short form the reference tool's events
 * show), and for Kubernetes the pod UID and QoS class. Recognises the
 * systemd and cgroupfs drivers of docker, containerd, CRI-O and podman.
 * Pure: no I/O.
 */
#ifndef CREDGATE_CONTAINER_ID_H
#define CREDGATE_CONTAINER_ID_H

#include <stdbool.h>
#include <stddef.h>

#define CONTAINER_ID_LEN 64	  /* hex digits of a full container id */
#define CONTAINER_ID_MAX 128	  /* characters of any id (containerd's are names: ctr run IMAGE web) */
#define CONTAINER_SHORT_ID_LEN 31 /* the reference tool's "docker" field */
#define POD_UID_LEN 36		  /* 8-4-4-4-12 */

enum container_runtime {
	CONTAINER_RUNTIME_NONE = 0, /* not in a container */
	CONTAINER_RUNTIME_DOCKER,
	CONTAINER_RUNTIME_CONTAINERD,
	CONTAINER_RUNTIME_CRIO,
	CONTAINER_RUNTIME_PODMAN,
	CONTAINER_RUNTIME_UNKNOWN, /* a bare id under a pod (cgroupfs driver) */
};

enum pod_qos {
	POD_QOS_NONE = 0, /* not a Kubernetes pod */
	POD_QOS_GUARANTEED,
	POD_QOS_BURSTABLE,
	POD_QOS_BESTEFFORT,
};

struct container_identity {
	enum container_runtime runtime;
	enum pod_qos qos;
	char id[CONTAINER_ID_MAX + 1];		  /* "" when not in a container */
	char short_id[CONTAINER_SHORT_ID_LEN + 1]; /* the first 31 characters of id */
	char pod_uid[POD_UID_LEN + 1];		  /* "" when not in a pod */
};

/*
 * Fill @out from @path (relative to the cgroup2 root or absolute; any
 * prefix is allowed). Returns true when a container or pod was found. The
 * deepest container id on the path wins (a container in a container).
 */
bool container_identity_from_cgroup(const char *path, struct container_identity *out);

/*
 * Set @out to container @id of @runtime (any id up to CONTAINER_ID_MAX
 * characters; longer ones are refused): for a container that its
 * runtime's state, not its cgroup's name, identifies.
 */
bool container_identity_set(struct container_identity *out, enum container_runtime runtime, const char *id);

/* "docker", "containerd", "cri-o", "podman", "unknown"; NULL for NONE. */
const char *container_runtime_name(enum container_runtime runtime);

/* Kubernetes' qosClass names: "Guaranteed", "Burstable", "BestEffort"; NULL for NONE. */
const char *pod_qos_name(enum pod_qos qos);

#endif /* CREDGATE_CONTAINER_ID_H */
