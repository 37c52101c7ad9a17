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

/*
 * struct container_facts is policy/identity.h's (the policy library's
 * input). Until that header is in the tree, the same definition, as the
 * issue's interface says, is here.
 */
#if defined(__has_include)
#if __has_include("identity.h")
#include "identity.h"
#endif
#endif
#ifndef CREDGATE_POLICY_IDENTITY_H
#ifndef CREDGATE_CONTAINER_FACTS_DEFINED
#define CREDGATE_CONTAINER_FACTS_DEFINED
struct container_label {
	const char *key, *value;
};

struct container_facts {
	const char *runtime;
	const char *id;
	const char *name;
	const char *image;
	const char *pod_namespace;
	const struct container_label *labels;
	size_t nlabels;
};
#endif
#endif

#define CRI_MAX_FILE (1024 * 1024)	     /* bytes of one container's state file */
#define CRI_MAX_STORE_FILE (4 * 1024 * 1024) /* bytes of a file listing every container or image */
#define CRI_MAX_LABELS 64		     /* labels kept of one container or pod */
#define CRI_MAX_STRING 1024		     /* bytes of one name, label key or value */
#define CRI_MAX_ID 128			     /* characters of a container id (containerd: any name) */
#define CRI_MAX_NAMESPACES 64		     /* containerd namespaces looked into */

struct cri_label {
	char *key;
	char *value;
};

/* NULL strings: the runtime's state does not say. */
struct cri_metadata {
	enum container_runtime runtime; /* whose state it was found in */
	char *container_name;
	char *image_name;   /* the image as the runtime recorded it (docker: as the user gave it) */
	char *image_ref;    /* image_name normalised: docker.io/library/nginx:latest; NULL for an image id */
	char *image_id;	    /* sha256:... (podman: 64 hex digits) or repo@sha256:... */
	char *image_digest; /* sha256:... of the image's manifest, where the runtime keeps one */
	char *start_time;   /* RFC 3339, as the runtime wrote it */
	char *pod_name;
	char *pod_namespace;
	char *pod_uid;
	char *containerd_namespace; /* containerd: the namespace whose bundle it is */
	char *cgroups_path;	    /* the OCI spec's linux.cgroupsPath, where the spec was read */
	struct cri_label *labels;   /* the container's own labels, sorted by key */
	size_t nlabels;
	struct cri_label *pod_labels; /* its pod's labels, sorted by key */
	size_t npod_labels;
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

/*
 * @raw as a full reference: a registry host ("docker.io" when none),
 * "library/" for a one-component docker.io name, ":latest" when neither
 * tag nor digest is given. -EINVAL when @raw is not an image name (empty,
 * bad characters, or an image id: "sha256:...", or a hex prefix of
 * @image_id when given), -ENAMETOOLONG when @out is too small.
 */
int cri_normalize_image(const char *raw, const char *image_id, char *out, size_t size);

/* Parsers of one state file, exposed for tests. 0, -ENOENT (not a container's), or -EBADMSG. */
int cri_parse_oci_config(const char *text, size_t len, struct cri_metadata *out, char *sandbox_id,
			 size_t sandbox_id_size);
int cri_parse_docker_config(const char *text, size_t len, struct cri_metadata *out, char *sandbox_id,
			    size_t sandbox_id_size);
/* containers/storage's containers.json: the record of @id, with podman's metadata. */
int cri_parse_podman_containers(const char *text, size_t len, const char *id, struct cri_metadata *out);
/* containers/storage's images.json: the digest of image @out->image_id. */
int cri_parse_storage_images(const char *text, size_t len, struct cri_metadata *out);
/* docker's repositories.json: a digest of image @out->image_id, preferring @out->image_ref's repository. */
int cri_parse_docker_repositories(const char *text, size_t len, struct cri_metadata *out);
void cri_metadata_clear(struct cri_metadata *m);

#endif /* CREDGATE_CRI_METADATA_H */
