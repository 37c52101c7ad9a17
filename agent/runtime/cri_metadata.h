/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the container runtime's local state says about a container: its
 * name, image and labels, and for Kubernetes its pod's namespace, name and
 * labels. Read from the runtime's files on disk, never invented:
 *
 *   docker      /var/lib/docker/containers/<id>/config.v2.json, and the
 *               image's digest from /var/lib/docker/image/<driver>/repositories.json
 *   podman      /var/lib/containers/storage/overlay-containers/containers.json
 *               (containers/storage's records, podman's metadata string),
 *               <id>/userdata/config.json (the OCI spec), and the image's
 *               digest from overlay-images/images.json
 *   CRI-O       /run/containers/storage/overlay-containers/<id>/userdata/config.json
 *   containerd  /run/containerd/io.containerd.runtime.v2.task/<namespace>/<id>/config.json
 *               (the OCI spec; in k8s.io, the CRI plugin's io.kubernetes.cri.* annotations)
 *
 * A field the runtime does not keep on disk stays NULL (containerd keeps
 * image names, labels and pod labels in its database; podman keeps a
 * container's labels in its database). Every file read is size-limited,
 * every JSON document depth-limited.
 */
#ifndef CREDGATE_CRI_METADATA_H
#define CREDGATE_CRI_METADATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "container_id.h"
#include "cri_parse.h"
#include "identity.h" /* struct container_facts: what policies match */

struct cri_store_options {
	const char *root;	 /* prefix of the paths above: NULL or "" outside tests */
	unsigned max_entries;	 /* containers cached; 0: 1024 */
	uint64_t retry_ns;	 /* look again for a container not found after this; 0: 30 s */
};

struct cri_store;

int cri_store__new(struct cri_store **out, const struct cri_store_options *opts);
void cri_store__free(struct cri_store *store);

/*
 * The metadata of container @id, or NULL when no runtime's state has it.
 * Ids are 64 hex digits, except containerd's (1..128 of [A-Za-z0-9_.-],
 * not starting with '.'). @runtime narrows where to look (UNKNOWN or NONE:
 * everywhere). Valid until the next call.
 */
const struct cri_metadata *cri_store__get(struct cri_store *store, const char *id,
					  enum container_runtime runtime, uint64_t now_ns);

/*
 * The same, read from the files now: for binding a container at its start,
 * when its state has just been written. Neither the negative cache nor the
 * cache of what was found is used or changed. Valid until the next
 * cri_store__get_fresh().
 */
const struct cri_metadata *cri_store__get_fresh(struct cri_store *store, const char *id,
						enum container_runtime runtime);

/*
 * Whether cgroup @path (below the cgroup2 root, leading '/' optional) is
 * where containerd put a container: its last two components NAMESPACE/ID
 * name a bundle whose config.json's linux.cgroupsPath is exactly this
 * path. Fills @id. For `ctr run` (cgroupfs driver), whose cgroups
 * (/default/ID) no name pattern recognises; a systemd-driver
 * ("slice:prefix:name") cgroupsPath is not matched.
 */
bool cri_store__containerd_cgroup(struct cri_store *store, const char *path, char *id, size_t id_size);

/*
 * @facts from @m (pointers into it, valid as long as it is), for container
 * @id. The labels a selector sees: the pod's for a Kubernetes container,
 * else the container's own; at most @max of them, copied into @labels.
 * @m NULL: only id is known.
 */
void cri_metadata_facts(const struct cri_metadata *m, const char *id, struct container_label *labels,
			size_t max, struct container_facts *facts);

#endif /* CREDGATE_CRI_METADATA_H */
