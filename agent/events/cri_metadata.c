// SPDX-License-Identifier: LGPL-2.1-or-later
#include "cri_metadata.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>

#include "macro.h"

#define DEFAULT_MAX_ENTRIES 1024
#define DEFAULT_RETRY_NS (30ull * 1000 * 1000 * 1000)
#define JSON_MAX_DEPTH 32

#define CONTAINERD_DIR "/run/containerd/io.containerd.runtime.v2.task/k8s.io"
#define DOCKER_DIR "/var/lib/docker/containers"
#define CRIO_DIR "/run/containers/storage/overlay-containers"

struct cri_entry {
	char id[CONTAINER_ID_LEN + 1];
	bool found;
	uint64_t looked_at_ns;
	struct cri_metadata meta;
};

struct cri_store {
	char root[256];
	unsigned nentries;
	uint64_t retry_ns;
	struct cri_entry *entries; /* direct-mapped by id */
};

void cri_metadata_clear(struct cri_metadata *m)
{
	free(m->container_name);
	free(m->image_name);
	free(m->image_id);
	free(m->start_time);
	free(m->pod_name);
	free(m->pod_namespace);
	free(m->pod_uid);
	for (size_t i = 0; i < m->nlabels; i++) {
		free(m->labels[i].key);
		free(m->labels[i].value);
	}
	free(m->labels);
	memset(m, 0, sizeof(*m));
}

static json_object *parse_json(const char *text, size_t len)
{
	struct json_tokener *tok;
	json_object *obj;

	if (len > CRI_MAX_FILE)
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

static const char *get_string(json_object *obj, const char *key)
{
	json_object *v;

	if (!obj || !json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	if (json_object_get_string_len(v) <= 0 || json_object_get_string_len(v) >= CRI_MAX_STRING)
		return NULL;
	return json_object_get_string(v);
}

static json_object *get_object(json_object *obj, const char *key)
{
	json_object *v;

	if (!obj || !json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}

/* Set *field to a copy of @value, unless it is already set or @value is NULL. */
static int set_once(char **field, const char *value)
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
 * A pod's labels from a JSON object of strings. The keys the kubelet adds
 * for itself (io.kubernetes.*) are not the pod's labels.
 */
static int add_labels(struct cri_metadata *m, json_object *labels)
{
	if (!labels || m->labels)
		return 0;
	m->labels = calloc(CRI_MAX_LABELS, sizeof(*m->labels));
	if (!m->labels)
		return -ENOMEM;
	json_object_object_foreach(labels, key, value) {
		struct cri_label *l;

		if (m->nlabels == CRI_MAX_LABELS)
			break;
		if (strncmp(key, "io.kubernetes.", 14) == 0 || strncmp(key, "annotation.", 11) == 0 ||
		    !json_object_is_type(value, json_type_string) || strlen(key) >= CRI_MAX_STRING ||
		    json_object_get_string_len(value) >= CRI_MAX_STRING)
			continue;
		l = &m->labels[m->nlabels];
		l->key = strdup(key);
		l->value = strdup(json_object_get_string(value));
		if (!l->key || !l->value) {
			free(l->key);
			free(l->value);
			l->key = l->value = NULL;
			return -ENOMEM;
		}
		m->nlabels++;
	}
	qsort(m->labels, m->nlabels, sizeof(*m->labels), compare_labels);
	return 0;
}

static void copy_id(char *buf, size_t size, const char *id)
{
	if (buf && size)
		snprintf(buf, size, "%s", id ? id : "");
}

int cri_parse_oci_config(const char *text, size_t len, struct cri_metadata *m, char *sandbox_id,
			 size_t sandbox_id_size)
{
	json_object *root = parse_json(text, len), *ann;
	const char *labels_json;
	int r = 0;

	copy_id(sandbox_id, sandbox_id_size, NULL);
	if (!root)
		return -EBADMSG;
	ann = get_object(root, "annotations");
	if (!ann) {
		json_object_put(root);
		return -ENOENT;
	}
	/* containerd's CRI plugin */
	r |= set_once(&m->container_name, get_string(ann, "io.kubernetes.cri.container-name"));
	r |= set_once(&m->image_name, get_string(ann, "io.kubernetes.cri.image-name"));
	r |= set_once(&m->pod_name, get_string(ann, "io.kubernetes.cri.sandbox-name"));
	r |= set_once(&m->pod_namespace, get_string(ann, "io.kubernetes.cri.sandbox-namespace"));
	r |= set_once(&m->pod_uid, get_string(ann, "io.kubernetes.cri.sandbox-uid"));
	if (get_string(ann, "io.kubernetes.cri.sandbox-id"))
		copy_id(sandbox_id, sandbox_id_size, get_string(ann, "io.kubernetes.cri.sandbox-id"));
	/* CRI-O */
	r |= set_once(&m->container_name, get_string(ann, "io.kubernetes.container.name"));
	r |= set_once(&m->image_name, get_string(ann, "io.kubernetes.cri-o.ImageName"));
	r |= set_once(&m->image_id, get_string(ann, "io.kubernetes.cri-o.ImageRef"));
	r |= set_once(&m->pod_name, get_string(ann, "io.kubernetes.pod.name"));
	r |= set_once(&m->pod_namespace, get_string(ann, "io.kubernetes.pod.namespace"));
	r |= set_once(&m->pod_uid, get_string(ann, "io.kubernetes.pod.uid"));
	if (get_string(ann, "io.kubernetes.cri-o.SandboxID"))
		copy_id(sandbox_id, sandbox_id_size, get_string(ann, "io.kubernetes.cri-o.SandboxID"));
	/* A sandbox (CRI-O's infra container) carries its pod's labels as a JSON string. */
	labels_json = get_string(ann, "io.kubernetes.cri-o.Labels");
	if (labels_json && sandbox_id && strcmp(sandbox_id, "") != 0 &&
	    get_string(ann, "io.kubernetes.cri-o.ContainerType") &&
	    strcmp(get_string(ann, "io.kubernetes.cri-o.ContainerType"), "sandbox") == 0) {
		json_object *labels = parse_json(labels_json, strlen(labels_json));

		if (labels && json_object_is_type(labels, json_type_object))
			r |= add_labels(m, labels);
		json_object_put(labels);
	}
	json_object_put(root);
	return r < 0 ? -ENOMEM : 0;
}

int cri_parse_docker_config(const char *text, size_t len, struct cri_metadata *m, char *sandbox_id,
			    size_t sandbox_id_size)
{
	json_object *root = parse_json(text, len), *config, *labels, *state;
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
	r |= set_once(&m->container_name, get_string(labels, "io.kubernetes.container.name"));
	name = get_string(root, "Name");
	r |= set_once(&m->container_name, name && name[0] == '/' ? name + 1 : name);
	r |= set_once(&m->image_name, get_string(config, "Image"));
	r |= set_once(&m->image_id, get_string(root, "Image"));
	r |= set_once(&m->start_time, get_string(state, "StartedAt"));
	r |= set_once(&m->pod_name, get_string(labels, "io.kubernetes.pod.name"));
	r |= set_once(&m->pod_namespace, get_string(labels, "io.kubernetes.pod.namespace"));
	r |= set_once(&m->pod_uid, get_string(labels, "io.kubernetes.pod.uid"));
	copy_id(sandbox_id, sandbox_id_size, get_string(labels, "io.kubernetes.sandbox.id"));
	/* dockershim's sandbox (the pause container) carries the pod's labels. */
	if (get_string(labels, "io.kubernetes.docker.type") &&
	    strcmp(get_string(labels, "io.kubernetes.docker.type"), "podsandbox") == 0)
		r |= add_labels(m, labels);
	json_object_put(root);
	return r < 0 ? -ENOMEM : 0;
}

/* Read at most CRI_MAX_FILE bytes of a regular file. */
static int read_limited(const char *path, char **text, size_t *len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW);
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t got = 0;

	if (fd < 0)
		return negative_errno();
	if (fstat(fd, &st) < 0)
		return negative_errno();
	if (!S_ISREG(st.st_mode))
		return -EBADF;
	if (st.st_size > CRI_MAX_FILE)
		return -EFBIG;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return negative_errno();
		if (n == 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	*text = TAKE_PTR(buf);
	*len = got;
	return 0;
}

typedef int (*cri_parser)(const char *, size_t, struct cri_metadata *, char *, size_t);

static bool valid_id(const char *id)
{
	size_t n = strnlen(id, CONTAINER_ID_LEN + 1);

	if (n == 0 || n > CONTAINER_ID_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return false;
	return true;
}

struct cri_source {
	enum container_runtime runtime;
	const char *dir, *file; /* DIR/<id>/FILE */
	cri_parser parse;
};

static int load_one(struct cri_store *store, const struct cri_source *src, const char *id,
		    struct cri_metadata *m, char *sandbox_id, size_t sandbox_id_size)
{
	_cleanup_free_ char *text = NULL;
	char path[768];
	size_t len = 0; /* gcc -Os cannot see that every r >= 0 path sets it */
	int r;

	if (!valid_id(id))
		return -EINVAL;
	r = snprintf(path, sizeof(path), "%s%s/%s/%s", store->root, src->dir, id, src->file);
	if (r < 0 || (size_t)r >= sizeof(path))
		return -ENAMETOOLONG;
	r = read_limited(path, &text, &len);
	if (r < 0)
		return r;
	return src->parse(text, len, m, sandbox_id, sandbox_id_size);
}

static int load(struct cri_store *store, const char *id, enum container_runtime runtime,
		struct cri_metadata *m)
{
	static const struct cri_source sources[] = {
		{ CONTAINER_RUNTIME_CONTAINERD, CONTAINERD_DIR, "config.json", cri_parse_oci_config },
		{ CONTAINER_RUNTIME_DOCKER, DOCKER_DIR, "config.v2.json", cri_parse_docker_config },
		{ CONTAINER_RUNTIME_CRIO, CRIO_DIR, "userdata/config.json", cri_parse_oci_config },
	};

	for (size_t i = 0; i < ELEMENTSOF(sources); i++) {
		char sandbox[CONTAINER_ID_LEN + 1] = "", unused[CONTAINER_ID_LEN + 1];
		int r;

		if (runtime != CONTAINER_RUNTIME_NONE && runtime != CONTAINER_RUNTIME_UNKNOWN &&
		    runtime != sources[i].runtime)
			continue;
		r = load_one(store, &sources[i], id, m, sandbox, sizeof(sandbox));
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			continue;
		m->runtime = sources[i].runtime;
		/* The pod's labels are its sandbox's. */
		if (sandbox[0] && strcmp(sandbox, id) != 0 && !m->labels) {
			struct cri_metadata sm = {};

			if (load_one(store, &sources[i], sandbox, &sm, unused, sizeof(unused)) == 0) {
				m->labels = TAKE_PTR(sm.labels);
				m->nlabels = sm.nlabels;
				sm.nlabels = 0;
			}
			cri_metadata_clear(&sm);
		}
		return 0;
	}
	return -ENOENT;
}

int cri_store__new(struct cri_store **out, const struct cri_store_options *opts)
{
	_cleanup_free_ struct cri_store *store = calloc(1, sizeof(*store));

	if (!store)
		return -ENOMEM;
	snprintf(store->root, sizeof(store->root), "%s", opts && opts->root ? opts->root : "");
	store->nentries = opts && opts->max_entries ? opts->max_entries : DEFAULT_MAX_ENTRIES;
	store->retry_ns = opts && opts->retry_ns ? opts->retry_ns : DEFAULT_RETRY_NS;
	store->entries = calloc(store->nentries, sizeof(*store->entries));
	if (!store->entries)
		return -ENOMEM;
	*out = TAKE_PTR(store);
	return 0;
}

void cri_store__free(struct cri_store *store)
{
	if (!store)
		return;
	for (unsigned i = 0; i < store->nentries; i++)
		cri_metadata_clear(&store->entries[i].meta);
	free(store->entries);
	free(store);
}

static unsigned slot_of(const struct cri_store *store, const char *id)
{
	uint32_t h = 2166136261u;

	for (const char *p = id; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h % store->nentries;
}

const struct cri_metadata *cri_store__get(struct cri_store *store, const char *id,
					  enum container_runtime runtime, uint64_t now_ns)
{
	struct cri_entry *e;

	if (!id || !valid_id(id))
		return NULL;
	e = &store->entries[slot_of(store, id)];
	if (e->looked_at_ns && strcmp(e->id, id) == 0 &&
	    (e->found || now_ns - e->looked_at_ns < store->retry_ns))
		return e->found ? &e->meta : NULL;
	cri_metadata_clear(&e->meta);
	snprintf(e->id, sizeof(e->id), "%s", id);
	e->looked_at_ns = now_ns ? now_ns : 1;
	e->found = load(store, id, runtime, &e->meta) == 0;
	if (!e->found)
		cri_metadata_clear(&e->meta);
	return e->found ? &e->meta : NULL;
}
