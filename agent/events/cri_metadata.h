/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the container runtime's local state says about a container: its
 * name and image, and for Kubernetes its pod's namespace, name and labels.
 * Read from the runtime's files on disk, never invented:
 *
 *   containerd  /run/containerd/io.containerd.runtime.v2.task/k8s.io/<id>/config.json
 *               (the OCI spec; the CRI plugin's io.kubernetes.cri.* annotations)
 *   docker      /var/lib/docker/containers/<id>/config.v2.json
 *   CRI-O       /run/containers/storage/overlay-containers/<id>/userdata/config.json
 *
 * A field the runtime does not keep on disk stays NULL (containerd keeps
 * pod labels and image ids only in its database). Results, found or not,
 * are cached per container id; every file read is size-limited.
 */
#ifndef CREDGATE_CRI_METADATA_H
#define CREDGATE_CRI_METADATA_H

#include <stddef.h>
#include <stdint.h>

#include "container_id.h"

#define CRI_MAX_FILE (1024 * 1024) /* bytes of one runtime state file */
#define CRI_MAX_LABELS 64
#define CRI_MAX_STRING 1024 /* bytes of one name, label key or value */

struct cri_label {
	char *key;
	char *value;
};

/* NULL strings: the runtime's state does not say. */
struct cri_metadata {
	enum container_runtime runtime; /* whose state it was found in */
	char *container_name;
	char *image_name; /* docker.io/library/nginx:latest */
	char *image_id;	  /* sha256:... or repo@sha256:... */
	char *start_time; /* RFC 3339, as the runtime wrote it */
	char *pod_name;
	char *pod_namespace;
	char *pod_uid;
	struct cri_label *labels; /* the pod's labels, sorted by key */
	size_t nlabels;
};

struct cri_store_options {
	const char *root;	 /* prefix of the paths above: NULL or "" outside tests */
	unsigned max_entries;	 /* containers cached; 0: 1024 */
	uint64_t retry_ns;	 /* look again for a container not found after this; 0: 30 s */
};

struct cri_store;

int cri_store__new(struct cri_store **out, const struct cri_store_options *opts);
void cri_store__free(struct cri_store *store);

/*
 * The metadata of container @id (64 hex digits), or NULL when no runtime's
 * state has it. @runtime narrows where to look (UNKNOWN or NONE: everywhere).
 * Valid until the next call.
 */
const struct cri_metadata *cri_store__get(struct cri_store *store, const char *id,
					  enum container_runtime runtime, uint64_t now_ns);

/* Parsers of one state file, exposed for tests. 0, -ENOENT (not a container's), or -EBADMSG. */
int cri_parse_oci_config(const char *text, size_t len, struct cri_metadata *out, char *sandbox_id,
			 size_t sandbox_id_size);
int cri_parse_docker_config(const char *text, size_t len, struct cri_metadata *out, char *sandbox_id,
			    size_t sandbox_id_size);
void cri_metadata_clear(struct cri_metadata *m);

#endif /* CREDGATE_CRI_METADATA_H */
