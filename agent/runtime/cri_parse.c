// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * One runtime state file at a time: the JSON formats of docker, podman
 * (containers/storage), CRI-O and containerd (OCI bundles), read into
 * struct cri_metadata, and image references normalised. Pure: the text is
 * given; cri_metadata.c finds and reads the files.
 */
#include "cri_parse.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "macro.h"

#define JSON_MAX_DEPTH 32
/* An image reference: a registry host, a path, a tag and a digest. */
#define IMAGE_REF_MAX 512

static void free_labels(struct cri_label *labels, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(labels[i].key);
		free(labels[i].value);
	}
	free(labels);
}

void cri_metadata_clear(struct cri_metadata *m)
{
	free(m->container_name);
	free(m->image_name);
	free(m->image_ref);
	free(m->image_id);
	free(m->image_digest);
	free(m->start_time);
	free(m->pod_name);
	free(m->pod_namespace);
	free(m->pod_uid);
	free(m->containerd_namespace);
	free(m->cgroups_path);
	free_labels(m->labels, m->nlabels);
	free_labels(m->pod_labels, m->npod_labels);
	memset(m, 0, sizeof(*m));
}

static json_object *parse_json(const char *text, size_t len, size_t max)
{
	struct json_tokener *tok;
	json_object *obj;

	if (len > max || len > INT32_MAX)
		return NULL;
	tok = json_tokener_new_ex(JSON_MAX_DEPTH);
	if (!tok)
		return NULL;
	obj = json_tokener_parse_ex(tok, text, (int)len);
	if (json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	return obj;
}

/* A string of bounded length, neither empty nor holding a NUL (JSON may escape one in). */
static const char *string_of(json_object *v)
{
	int len;

	if (!v || !json_object_is_type(v, json_type_string))
		return NULL;
	len = json_object_get_string_len(v);
	if (len <= 0 || len >= CRI_MAX_STRING || strlen(json_object_get_string(v)) != (size_t)len)
		return NULL;
	return json_object_get_string(v);
}

static const char *get_string(json_object *obj, const char *key)
{
	json_object *v;

	if (!obj || !json_object_is_type(obj, json_type_object) || !json_object_object_get_ex(obj, key, &v))
		return NULL;
	return string_of(v);
}

static json_object *get_typed(json_object *obj, const char *key, enum json_type type)
{
	json_object *v;

	if (!obj || !json_object_is_type(obj, json_type_object) || !json_object_object_get_ex(obj, key, &v) ||
	    !json_object_is_type(v, type))
		return NULL;
	return v;
}

static json_object *get_object(json_object *obj, const char *key)
{
	return get_typed(obj, key, json_type_object);
}

static bool string_is(const char *s, const char *value)
{
	return s && strcmp(s, value) == 0;
}

/* Set *field to a copy of @value, unless it is already set or @value is NULL. */
int cri_set_once(char **field, const char *value)
{
	if (*field || !value)
		return 0;
	*field = strdup(value);
	return *field ? 0 : -ENOMEM;
}

static int compare_labels(const void *a, const void *b)
{
	return strcmp(((const struct cri_label *)a)->key, ((const struct cri_label *)b)->key);
}

/*
 * Labels from a JSON object of strings, into *@out (unless already set),
 * sorted by key. @skip_kubelet: leave out the keys the kubelet adds for
 * itself (io.kubernetes.*, annotation.*), which are not a pod's labels.
 * Values that are not strings, and keys or values too long, are left out;
 * beyond CRI_MAX_LABELS, the rest too (in the file's order).
 */
static int add_labels(struct cri_label **out, size_t *n, json_object *labels, bool skip_kubelet)
{
	struct cri_label *l;

	if (!labels || !json_object_is_type(labels, json_type_object) || *out)
		return 0;
	l = calloc(CRI_MAX_LABELS, sizeof(*l));
	if (!l)
		return -ENOMEM;
	*out = l;
	json_object_object_foreach(labels, key, value) {
		const char *v = string_of(value);
		size_t klen = strlen(key);

		if (*n == CRI_MAX_LABELS)
			break;
		if (skip_kubelet && (strncmp(key, "io.kubernetes.", 14) == 0 || strncmp(key, "annotation.", 11) == 0))
			continue;
		/* An empty value is a label (docker run --label flag=): kept as "". */
		if (json_object_is_type(value, json_type_string) && json_object_get_string_len(value) == 0)
			v = "";
		if (!v || klen == 0 || klen >= CRI_MAX_STRING)
			continue;
		l[*n].key = strdup(key);
		l[*n].value = strdup(v);
		if (!l[*n].key || !l[*n].value) {
			free(l[*n].key);
			free(l[*n].value);
			l[*n].key = l[*n].value = NULL;
			return -ENOMEM;
		}
		(*n)++;
	}
	qsort(l, *n, sizeof(*l), compare_labels);
	return 0;
}

static void copy_id(char *buf, size_t size, const char *id)
{
	if (buf && size)
		snprintf(buf, size, "%s", id ? id : "");
}

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* docker, podman and CRI-O: 64 hex digits. */
bool cri_valid_hex_id(const char *id)
{
	return id && strnlen(id, CONTAINER_ID_LEN + 1) == CONTAINER_ID_LEN && is_hex(id, CONTAINER_ID_LEN);
}

/* containerd: a name, one path component (never "." or ".."). */
bool cri_valid_name_id(const char *id, size_t max)
{
	size_t n;

	if (!id)
		return false;
	n = strnlen(id, max + 1);
	if (n == 0 || n > max || id[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '.' || c == '-'))
			return false;
	}
	return true;
}

/* ---- image references ---- */

static bool ref_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '-' || c == '/' || c == ':' || c == '@' || c == '+';
}

int cri_normalize_image(const char *raw, const char *image_id, char *out, size_t size)
{
	const char *at, *name_end, *last_slash, *tag, *slash, *domain = "docker.io", *rest;
	size_t len, dlen = strlen("docker.io");
	bool library;
	int n;

	if (!raw)
		return -EINVAL;
	len = strnlen(raw, IMAGE_REF_MAX + 1);
	if (len == 0 || len > IMAGE_REF_MAX)
		return -EINVAL;
	for (size_t i = 0; i < len; i++)
		if (!ref_char(raw[i]))
			return -EINVAL;
	/* An image id, not a name: "sha256:<hex>", 64 hex digits, or a prefix of the image's id. */
	if (strncmp(raw, "sha256:", 7) == 0 || (len == CONTAINER_ID_LEN && is_hex(raw, len)))
		return -EINVAL;
	if (image_id && is_hex(raw, len)) {
		const char *hex = strncmp(image_id, "sha256:", 7) == 0 ? image_id + 7 : image_id;

		if (strncmp(hex, raw, len) == 0)
			return -EINVAL;
	}
	at = strchr(raw, '@');
	name_end = at ? at : raw + len;
	if (at && (strchr(at + 1, '@') || strchr(at + 1, '/') || !strchr(at + 1, ':')))
		return -EINVAL;
	if (name_end == raw || raw[0] == '/' || name_end[-1] == '/' || strstr(raw, "//"))
		return -EINVAL;
	/* A tag is after the last ':' of the last path component. */
	last_slash = memrchr(raw, '/', (size_t)(name_end - raw));
	tag = memchr(last_slash ? last_slash : raw, ':', (size_t)(name_end - (last_slash ? last_slash : raw)));
	if (tag && (tag + 1 == name_end || tag == (last_slash ? last_slash + 1 : raw) ||
		    memchr(tag + 1, ':', (size_t)(name_end - tag - 1))))
		return -EINVAL;
	/* The first component names a registry when it has a '.' or a ':', is "localhost", or has capitals. */
	slash = strchr(raw, '/');
	rest = raw;
	if (slash && slash < name_end) {
		size_t flen = (size_t)(slash - raw);
		bool host = memchr(raw, '.', flen) || memchr(raw, ':', flen) ||
			    (flen == 9 && memcmp(raw, "localhost", 9) == 0);

		for (size_t i = 0; i < flen && !host; i++)
			host = raw[i] >= 'A' && raw[i] <= 'Z';
		if (host) {
			domain = raw;
			dlen = flen;
			rest = slash + 1;
			if (dlen == 15 && memcmp(raw, "index.docker.io", 15) == 0)
				domain = "docker.io", dlen = 9;
		}
	}
	library = dlen == 9 && memcmp(domain, "docker.io", 9) == 0 && !memchr(rest, '/', (size_t)(name_end - rest));
	n = snprintf(out, size, "%.*s/%s%s%s", (int)dlen, domain, library ? "library/" : "", rest,
		     tag || at ? "" : ":latest");
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* m->image_ref from m->image_name, when it names an image. */
static int normalize_into(struct cri_metadata *m)
{
	char ref[IMAGE_REF_MAX + 64];

	if (m->image_ref || !m->image_name || cri_normalize_image(m->image_name, m->image_id, ref, sizeof(ref)) < 0)
		return 0;
	m->image_ref = strdup(ref);
	return m->image_ref ? 0 : -ENOMEM;
}

/* ---- parsers ---- */

/* The OCI spec of a bundle: annotations (CRI's, CRI-O's) and the cgroup it asks for. */
int cri_parse_oci_bundle(const char *text, size_t len, struct cri_metadata *m, char *sandbox_id,
			 size_t sandbox_id_size, bool *by_libpod)
{
	json_object *root = parse_json(text, len, CRI_MAX_FILE), *ann;
	const char *type, *labels_json;
	int r = 0;

	copy_id(sandbox_id, sandbox_id_size, NULL);
	if (by_libpod)
		*by_libpod = false;
	if (!root)
		return -EBADMSG;
	if (!get_string(root, "ociVersion")) {
		json_object_put(root);
		return -ENOENT;
	}
	r |= cri_set_once(&m->cgroups_path, get_string(get_object(root, "linux"), "cgroupsPath"));
	ann = get_object(root, "annotations");
	if (by_libpod)
		*by_libpod = string_is(get_string(ann, "io.container.manager"), "libpod");
	/* containerd's CRI plugin */
	r |= cri_set_once(&m->container_name, get_string(ann, "io.kubernetes.cri.container-name"));
	r |= cri_set_once(&m->image_name, get_string(ann, "io.kubernetes.cri.image-name"));
	r |= cri_set_once(&m->pod_name, get_string(ann, "io.kubernetes.cri.sandbox-name"));
	r |= cri_set_once(&m->pod_namespace, get_string(ann, "io.kubernetes.cri.sandbox-namespace"));
	r |= cri_set_once(&m->pod_uid, get_string(ann, "io.kubernetes.cri.sandbox-uid"));
	if (get_string(ann, "io.kubernetes.cri.sandbox-id"))
		copy_id(sandbox_id, sandbox_id_size, get_string(ann, "io.kubernetes.cri.sandbox-id"));
	/* CRI-O */
	r |= cri_set_once(&m->container_name, get_string(ann, "io.kubernetes.container.name"));
	r |= cri_set_once(&m->image_name, get_string(ann, "io.kubernetes.cri-o.ImageName"));
	r |= cri_set_once(&m->image_id, get_string(ann, "io.kubernetes.cri-o.ImageRef"));
	r |= cri_set_once(&m->pod_name, get_string(ann, "io.kubernetes.pod.name"));
	r |= cri_set_once(&m->pod_namespace, get_string(ann, "io.kubernetes.pod.namespace"));
	r |= cri_set_once(&m->pod_uid, get_string(ann, "io.kubernetes.pod.uid"));
	if (get_string(ann, "io.kubernetes.cri-o.SandboxID"))
		copy_id(sandbox_id, sandbox_id_size, get_string(ann, "io.kubernetes.cri-o.SandboxID"));
	/*
	 * CRI-O keeps the CRI labels as a JSON string: a sandbox's are its
	 * pod's, a container's its own (the kubelet's keys among them).
	 */
	labels_json = get_string(ann, "io.kubernetes.cri-o.Labels");
	type = get_string(ann, "io.kubernetes.cri-o.ContainerType");
	if (labels_json && type) {
		json_object *labels = parse_json(labels_json, strlen(labels_json), CRI_MAX_STRING);

		if (strcmp(type, "sandbox") == 0)
			r |= add_labels(&m->pod_labels, &m->npod_labels, labels, true);
		else if (strcmp(type, "container") == 0)
			r |= add_labels(&m->labels, &m->nlabels, labels, false);
		json_object_put(labels);
	}
	json_object_put(root);
	if (r < 0)
		return -ENOMEM;
	return normalize_into(m);
}

int cri_parse_oci_config(const char *text, size_t len, struct cri_metadata *m, char *sandbox_id,
			 size_t sandbox_id_size)
{
	return cri_parse_oci_bundle(text, len, m, sandbox_id, sandbox_id_size, NULL);
}

/* docker writes the zero time.Time before a container first starts. */
static const char *docker_time(const char *t)
{
	return t && strncmp(t, "0001-01-01T", 11) == 0 ? NULL : t;
}

int cri_parse_docker_config(const char *text, size_t len, struct cri_metadata *m, char *sandbox_id,
			    size_t sandbox_id_size)
{
	json_object *root = parse_json(text, len, CRI_MAX_FILE), *config, *labels, *state;
	const char *name;
	int r = 0;

	copy_id(sandbox_id, sandbox_id_size, NULL);
	if (!root)
		return -EBADMSG;
	config = get_object(root, "Config");
	if (!config) {
		json_object_put(root);
		return -ENOENT;
	}
	labels = get_object(config, "Labels");
	state = get_object(root, "State");
	r |= cri_set_once(&m->container_name, get_string(labels, "io.kubernetes.container.name"));
	name = get_string(root, "Name");
	r |= cri_set_once(&m->container_name, name && name[0] == '/' && name[1] ? name + 1 : name);
	r |= cri_set_once(&m->image_name, get_string(config, "Image"));
	r |= cri_set_once(&m->image_id, get_string(root, "Image"));
	r |= cri_set_once(&m->start_time, docker_time(get_string(state, "StartedAt")));
	r |= cri_set_once(&m->pod_name, get_string(labels, "io.kubernetes.pod.name"));
	r |= cri_set_once(&m->pod_namespace, get_string(labels, "io.kubernetes.pod.namespace"));
	r |= cri_set_once(&m->pod_uid, get_string(labels, "io.kubernetes.pod.uid"));
	copy_id(sandbox_id, sandbox_id_size, get_string(labels, "io.kubernetes.sandbox.id"));
	/* Every container's labels (the image's merged in, as docker inspect shows them). */
	r |= add_labels(&m->labels, &m->nlabels, labels, false);
	/* dockershim's sandbox (the pause container) carries the pod's labels. */
	if (string_is(get_string(labels, "io.kubernetes.docker.type"), "podsandbox"))
		r |= add_labels(&m->pod_labels, &m->npod_labels, labels, true);
	json_object_put(root);
	if (r < 0)
		return -ENOMEM;
	return normalize_into(m);
}

/* The record of @id in a containers/storage array of records; NULL when absent. */
static json_object *storage_record(json_object *root, const char *key, const char *value)
{
	size_t n;

	if (!root || !json_object_is_type(root, json_type_array))
		return NULL;
	n = json_object_array_length(root);
	for (size_t i = 0; i < n; i++) {
		json_object *rec = json_object_array_get_idx(root, i);

		if (string_is(get_string(rec, key), value))
			return rec;
	}
	return NULL;
}

int cri_parse_podman_containers(const char *text, size_t len, const char *id, struct cri_metadata *m)
{
	json_object *root = parse_json(text, len, CRI_MAX_STORE_FILE), *rec, *names, *meta_obj = NULL, *v;
	const char *meta;
	int r = 0;

	if (!root)
		return -EBADMSG;
	if (!json_object_is_type(root, json_type_array)) {
		json_object_put(root);
		return -EBADMSG;
	}
	rec = storage_record(root, "id", id);
	if (!rec) {
		json_object_put(root);
		return -ENOENT;
	}
	/* podman's metadata: a JSON document in a string (image-name, image-id, name, created-at). */
	if (json_object_object_get_ex(rec, "metadata", &v) && json_object_is_type(v, json_type_string) &&
	    json_object_get_string_len(v) > 0 && json_object_get_string_len(v) < 16 * CRI_MAX_STRING)
		meta_obj = parse_json(json_object_get_string(v), (size_t)json_object_get_string_len(v),
				      16 * CRI_MAX_STRING);
	if (!json_object_is_type(meta_obj, json_type_object)) {
		json_object_put(meta_obj);
		meta_obj = NULL;
	}
	/* CRI-O's records (same storage) name a pod: those are CRI-O's containers, not podman's. */
	if (get_string(meta_obj, "pod-name") || get_string(meta_obj, "pod-id")) {
		json_object_put(meta_obj);
		json_object_put(root);
		return -ENOENT;
	}
	meta = get_string(meta_obj, "name");
	r |= cri_set_once(&m->container_name, meta);
	names = get_typed(rec, "names", json_type_array);
	if (names && json_object_array_length(names) > 0)
		r |= cri_set_once(&m->container_name, string_of(json_object_array_get_idx(names, 0)));
	r |= cri_set_once(&m->image_name, get_string(meta_obj, "image-name"));
	r |= cri_set_once(&m->image_id, get_string(rec, "image"));
	json_object_put(meta_obj);
	json_object_put(root);
	if (r < 0)
		return -ENOMEM;
	return normalize_into(m);
}

int cri_parse_storage_images(const char *text, size_t len, struct cri_metadata *m)
{
	json_object *root, *rec;
	int r;

	if (!m->image_id)
		return -ENOENT;
	root = parse_json(text, len, CRI_MAX_STORE_FILE);
	if (!root)
		return -EBADMSG;
	rec = storage_record(root, "id", m->image_id);
	r = rec && get_string(rec, "digest") ? cri_set_once(&m->image_digest, get_string(rec, "digest")) : -ENOENT;
	json_object_put(root);
	return r;
}

/* The length of a reference's name: up to its tag or digest. */
static size_t ref_name_len(const char *ref)
{
	const char *at = strchr(ref, '@'), *end = at ? at : ref + strlen(ref);
	const char *slash = memrchr(ref, '/', (size_t)(end - ref));
	const char *colon = memchr(slash ? slash : ref, ':', (size_t)(end - (slash ? slash : ref)));

	return (size_t)((colon ? colon : end) - ref);
}

int cri_parse_docker_repositories(const char *text, size_t len, struct cri_metadata *m)
{
	json_object *root, *repos;
	const char *digest = NULL;
	bool preferred = false;
	int r;

	if (!m->image_id)
		return -ENOENT;
	root = parse_json(text, len, CRI_MAX_STORE_FILE);
	if (!root)
		return -EBADMSG;
	repos = get_object(root, "Repositories");
	if (!repos) {
		json_object_put(root);
		return -ENOENT;
	}
	/* {"Repositories":{"debian":{"debian:12":"sha256:ID","debian@sha256:DIGEST":"sha256:ID"}}} */
	json_object_object_foreach(repos, name, refs) {
		if (preferred)
			break;
		if (!json_object_is_type(refs, json_type_object))
			continue;
		json_object_object_foreach(refs, ref, id) {
			const char *at = strchr(ref, '@');
			char full[IMAGE_REF_MAX + 64];
			bool ours;

			(void)name;
			if (!at || !string_is(string_of(id), m->image_id) || strlen(at + 1) >= CRI_MAX_STRING)
				continue;
			/* The digest of the repository the container's image was named from, else any. */
			ours = m->image_ref && cri_normalize_image(ref, NULL, full, sizeof(full)) == 0 &&
			       ref_name_len(full) == ref_name_len(m->image_ref) &&
			       memcmp(full, m->image_ref, ref_name_len(full)) == 0;
			if (!digest || ours)
				digest = at + 1;
			if (ours) {
				preferred = true;
				break;
			}
		}
	}
	r = digest ? cri_set_once(&m->image_digest, digest) : -ENOENT;
	json_object_put(root);
	return r;
}

int cri_parse_docker_driver(const char *text, size_t len, char *driver, size_t size)
{
	json_object *root = parse_json(text, len, CRI_MAX_FILE);
	const char *d = get_string(root, "Driver");
	int r = -ENOENT;

	if (d && size && cri_valid_name_id(d, size - 1)) {
		snprintf(driver, size, "%s", d);
		r = 0;
	}
	json_object_put(root);
	return r;
}
