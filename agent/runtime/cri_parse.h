/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What one runtime state file says about a container (cri_parse.c): the
 * formats of docker, podman (containers/storage), CRI-O and containerd, and
 * image references normalised. Pure: the caller reads the file
 * (cri_metadata.h finds and reads them, bounded).
 */
#ifndef CREDGATE_CRI_PARSE_H
#define CREDGATE_CRI_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "container_id.h"

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
/* The OCI spec of a bundle (cri_parse_oci_config()), and whether libpod (podman) made it. */
int cri_parse_oci_bundle(const char *text, size_t len, struct cri_metadata *m, char *sandbox_id,
			 size_t sandbox_id_size, bool *by_libpod);
/* docker's config.v2.json: its image store's driver ("overlay2", "vfs"), into @driver. 0 or -ENOENT. */
int cri_parse_docker_driver(const char *text, size_t len, char *driver, size_t size);

/* Set *@field to a copy of @value, unless it is set already or @value is NULL. 0 or -ENOMEM. */
int cri_set_once(char **field, const char *value);
/* A docker, podman or CRI-O id: 64 lowercase hex digits. */
bool cri_valid_hex_id(const char *id);
/* A containerd id or namespace, a storage driver: 1..@max of [A-Za-z0-9_.-], not starting with '.'. */
bool cri_valid_name_id(const char *id, size_t max);

#endif /* CREDGATE_CRI_PARSE_H */
