// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The runtimes' files found and read (bounded, no symlinks followed), each
 * handed to its parser (cri_parse.c); what was found cached per container.
 */
#include "cri_metadata.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
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

#define CONTAINERD_TASKS "/run/containerd/io.containerd.runtime.v2.task"
#define CONTAINERD_CRI_NS "k8s.io"
/* docker's containers in containerd: docker's own state says more. */
#define CONTAINERD_DOCKER_NS "moby"
#define DOCKER_DIR "/var/lib/docker/containers"
#define DOCKER_IMAGE_DIR "/var/lib/docker/image"
#define CRIO_DIR "/run/containers/storage/overlay-containers"
#define PODMAN_STORAGE "/var/lib/containers/storage"

struct cri_entry {
	char id[CRI_MAX_ID + 1];
	bool found;
	uint64_t looked_at_ns;
	struct cri_metadata meta;
};

struct cri_store {
	char root[256];
	unsigned nentries;
	uint64_t retry_ns;
	struct cri_entry *entries; /* direct-mapped by id */
	struct cri_metadata fresh; /* cri_store__get_fresh()'s answer */
};

/* ---- the runtimes' files ---- */

/* Read at most @max bytes of a regular file. */
static int read_limited(const char *path, size_t max, char **text, size_t *len)
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
	if (st.st_size < 0 || (uint64_t)st.st_size > max)
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

typedef int (*text_parser)(const char *text, size_t len, void *arg, struct cri_metadata *m);

/* Read the file the runtime root and @fmt name, and hand it to @parse. */
static int parse_file(const struct cri_store *store, size_t max, text_parser parse, void *arg,
		      struct cri_metadata *m, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int parse_file(const struct cri_store *store, size_t max, text_parser parse, void *arg,
		      struct cri_metadata *m, const char *fmt, ...)
{
	_cleanup_free_ char *text = NULL;
	char path[768];
	size_t len = 0, off;
	va_list ap;
	int r;

	off = (size_t)snprintf(path, sizeof(path), "%s", store->root);
	va_start(ap, fmt);
	r = vsnprintf(path + off, sizeof(path) - off, fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= sizeof(path) - off)
		return -ENAMETOOLONG;
	r = read_limited(path, max, &text, &len);
	if (r < 0)
		return r;
	return parse(text, len, arg, m);
}

struct oci_args {
	char sandbox[CRI_MAX_ID + 1];
	bool by_libpod;
};

static int oci_parser(const char *text, size_t len, void *arg, struct cri_metadata *m)
{
	struct oci_args *a = arg;

	return cri_parse_oci_bundle(text, len, m, a->sandbox, sizeof(a->sandbox), &a->by_libpod);
}

static int docker_parser(const char *text, size_t len, void *arg, struct cri_metadata *m)
{
	char *sandbox = arg;

	return cri_parse_docker_config(text, len, m, sandbox, CRI_MAX_ID + 1);
}

static int podman_parser(const char *text, size_t len, void *arg, struct cri_metadata *m)
{
	return cri_parse_podman_containers(text, len, arg, m);
}

static int images_parser(const char *text, size_t len, void *arg, struct cri_metadata *m)
{
	(void)arg;
	return cri_parse_storage_images(text, len, m);
}

static int repositories_parser(const char *text, size_t len, void *arg, struct cri_metadata *m)
{
	(void)arg;
	return cri_parse_docker_repositories(text, len, m);
}

/* The pod's labels are its sandbox's: moved from @sm into @m. */
static void take_pod_labels(struct cri_metadata *m, struct cri_metadata *sm)
{
	if (!m->pod_labels) {
		m->pod_labels = TAKE_PTR(sm->pod_labels);
		m->npod_labels = sm->npod_labels;
		sm->npod_labels = 0;
	}
	cri_metadata_clear(sm);
}

static int load_docker(const struct cri_store *store, const char *id, struct cri_metadata *m)
{
	char sandbox[CRI_MAX_ID + 1] = "", unused[CRI_MAX_ID + 1], driver[64] = "";
	int r;

	if (!cri_valid_hex_id(id))
		return -ENOENT;
	r = parse_file(store, CRI_MAX_FILE, docker_parser, sandbox, m, DOCKER_DIR "/%s/config.v2.json", id);
	if (r < 0)
		return r;
	if (cri_valid_hex_id(sandbox) && strcmp(sandbox, id) != 0) {
		struct cri_metadata sm = {};

		if (parse_file(store, CRI_MAX_FILE, docker_parser, unused, &sm, DOCKER_DIR "/%s/config.v2.json",
			       sandbox) == 0)
			take_pod_labels(m, &sm);
		cri_metadata_clear(&sm);
	}
	/* The image's digest, in the image store of the container's storage driver. */
	{
		_cleanup_free_ char *text = NULL;
		char path[768];
		size_t len = 0;

		snprintf(path, sizeof(path), "%s" DOCKER_DIR "/%s/config.v2.json", store->root, id);
		if (read_limited(path, CRI_MAX_FILE, &text, &len) == 0) {
			cri_parse_docker_driver(text, len, driver, sizeof(driver));
		}
	}
	if (driver[0] && m->image_id)
		r = parse_file(store, CRI_MAX_STORE_FILE, repositories_parser, NULL, m,
			       DOCKER_IMAGE_DIR "/%s/repositories.json", driver);
	return r == -ENOMEM ? r : 0;
}

/* containers/storage's graph drivers whose container directories podman may use. */
static const char *const storage_drivers[] = { "overlay", "vfs" };

static int load_podman(const struct cri_store *store, const char *id, struct cri_metadata *m)
{
	static const char *const lists[] = { "containers.json", "volatile-containers.json" };

	if (!cri_valid_hex_id(id))
		return -ENOENT;
	for (size_t d = 0; d < ELEMENTSOF(storage_drivers); d++) {
		for (size_t l = 0; l < ELEMENTSOF(lists); l++) {
			struct oci_args oci = {};
			int r;

			r = parse_file(store, CRI_MAX_STORE_FILE, podman_parser, (void *)id, m,
				       PODMAN_STORAGE "/%s-containers/%s", storage_drivers[d], lists[l]);
			if (r == -ENOMEM)
				return r;
			if (r < 0) {
				cri_metadata_clear(m);
				continue;
			}
			/* The bundle: the cgroup the container asks for (its labels are in podman's database only). */
			r = parse_file(store, CRI_MAX_FILE, oci_parser, &oci, m,
				       PODMAN_STORAGE "/%s-containers/%s/userdata/config.json", storage_drivers[d], id);
			if (r == -ENOMEM)
				return r;
			r = parse_file(store, CRI_MAX_STORE_FILE, images_parser, NULL, m,
				       PODMAN_STORAGE "/%s-images/images.json", storage_drivers[d]);
			return r == -ENOMEM ? r : 0;
		}
	}
	return -ENOENT;
}

static int load_crio(const struct cri_store *store, const char *id, struct cri_metadata *m)
{
	struct oci_args oci = {};
	int r;

	if (!cri_valid_hex_id(id))
		return -ENOENT;
	r = parse_file(store, CRI_MAX_FILE, oci_parser, &oci, m, CRIO_DIR "/%s/userdata/config.json", id);
	if (r < 0)
		return r;
	if (oci.by_libpod)
		return -ENOENT; /* podman's, in the same storage */
	if (cri_valid_hex_id(oci.sandbox) && strcmp(oci.sandbox, id) != 0) {
		struct cri_metadata sm = {};
		struct oci_args soci = {};

		if (parse_file(store, CRI_MAX_FILE, oci_parser, &soci, &sm, CRIO_DIR "/%s/userdata/config.json",
			       oci.sandbox) == 0)
			take_pod_labels(m, &sm);
		cri_metadata_clear(&sm);
	}
	return 0;
}

static bool valid_namespace(const char *ns)
{
	return cri_valid_name_id(ns, 76);
}

/* The bundle of @id in containerd namespace @ns. */
static int load_containerd_ns(const struct cri_store *store, const char *ns, const char *id,
			      struct cri_metadata *m)
{
	struct oci_args oci = {};
	int r;

	r = parse_file(store, CRI_MAX_FILE, oci_parser, &oci, m, CONTAINERD_TASKS "/%s/%s/config.json", ns, id);
	if (r < 0)
		return r;
	/* Outside the CRI plugin, a container is known by its id alone: that is its name. */
	if (cri_set_once(&m->container_name, id) < 0 || cri_set_once(&m->containerd_namespace, ns) < 0)
		return -ENOMEM;
	return 0;
}

static int load_containerd(const struct cri_store *store, const char *id, struct cri_metadata *m)
{
	_cleanup_closedir_ DIR *dir = NULL;
	char path[512];
	unsigned seen = 0;
	bool found = false;
	struct dirent *de;
	int r;

	if (!cri_valid_name_id(id, CRI_MAX_ID))
		return -ENOENT;
	r = load_containerd_ns(store, CONTAINERD_CRI_NS, id, m);
	if (r == 0 || r == -ENOMEM)
		return r;
	cri_metadata_clear(m);
	snprintf(path, sizeof(path), "%s" CONTAINERD_TASKS, store->root);
	dir = opendir(path);
	if (!dir)
		return -ENOENT;
	while ((de = readdir(dir)) && seen < CRI_MAX_NAMESPACES) {
		struct cri_metadata other = {};

		if (!valid_namespace(de->d_name) || strcmp(de->d_name, CONTAINERD_CRI_NS) == 0 ||
		    strcmp(de->d_name, CONTAINERD_DOCKER_NS) == 0)
			continue;
		seen++;
		r = load_containerd_ns(store, de->d_name, id, found ? &other : m);
		cri_metadata_clear(&other);
		if (r == -ENOMEM)
			return r;
		if (r < 0) {
			if (!found)
				cri_metadata_clear(m);
			continue;
		}
		if (found) {
			/* The same id in two namespaces: which one this is, only containerd knows. */
			cri_metadata_clear(m);
			return -ENOENT;
		}
		found = true;
	}
	return found ? 0 : -ENOENT;
}

typedef int (*runtime_loader)(const struct cri_store *store, const char *id, struct cri_metadata *m);

static int load(const struct cri_store *store, const char *id, enum container_runtime runtime,
		struct cri_metadata *m)
{
	/* docker's containers are in containerd too, and podman's and CRI-O's in one storage: most specific first. */
	static const struct {
		enum container_runtime runtime;
		runtime_loader load;
	} loaders[] = {
		{ CONTAINER_RUNTIME_DOCKER, load_docker },
		{ CONTAINER_RUNTIME_PODMAN, load_podman },
		{ CONTAINER_RUNTIME_CRIO, load_crio },
		{ CONTAINER_RUNTIME_CONTAINERD, load_containerd },
	};

	for (size_t i = 0; i < ELEMENTSOF(loaders); i++) {
		int r;

		if (runtime != CONTAINER_RUNTIME_NONE && runtime != CONTAINER_RUNTIME_UNKNOWN &&
		    runtime != loaders[i].runtime)
			continue;
		r = loaders[i].load(store, id, m);
		if (r == -ENOMEM) {
			cri_metadata_clear(m);
			return r;
		}
		if (r < 0) {
			cri_metadata_clear(m);
			continue;
		}
		m->runtime = loaders[i].runtime;
		return 0;
	}
	return -ENOENT;
}

/* ---- the store ---- */

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
	cri_metadata_clear(&store->fresh);
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

static bool valid_id(const char *id)
{
	return cri_valid_hex_id(id) || cri_valid_name_id(id, CRI_MAX_ID);
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
	return e->found ? &e->meta : NULL;
}

const struct cri_metadata *cri_store__get_fresh(struct cri_store *store, const char *id,
						enum container_runtime runtime)
{
	cri_metadata_clear(&store->fresh);
	if (!id || !valid_id(id))
		return NULL;
	return load(store, id, runtime, &store->fresh) == 0 ? &store->fresh : NULL;
}

/* ---- containerd's cgroups ---- */

bool cri_store__containerd_cgroup(struct cri_store *store, const char *path, char *id, size_t id_size)
{
	char p[4096], ns[80], cid[CRI_MAX_ID + 1];
	const char *last, *prev;
	struct cri_metadata m = {};
	bool ok = false;
	size_t len;

	if (!path || !id || id_size == 0)
		return false;
	while (*path == '/')
		path++;
	len = strnlen(path, sizeof(p) - 1);
	if (len == 0 || len >= sizeof(p) - 1)
		return false;
	p[0] = '/';
	memcpy(p + 1, path, len + 1);
	while (len && p[len] == '/')
		p[len--] = '\0';
	last = strrchr(p, '/');
	if (!last || last == p)
		return false;
	prev = memrchr(p, '/', (size_t)(last - p));
	if (!prev || (size_t)(last - prev - 1) >= sizeof(ns))
		return false;
	/* ctr's default cgroupsPath: /NAMESPACE/ID (runc's cgroupfs driver). */
	snprintf(ns, sizeof(ns), "%.*s", (int)(last - prev - 1), prev + 1);
	snprintf(cid, sizeof(cid), "%s", last + 1);
	if (!valid_namespace(ns) || !cri_valid_name_id(cid, CRI_MAX_ID) || strcmp(ns, CONTAINERD_DOCKER_NS) == 0)
		return false;
	if (load_containerd_ns(store, ns, cid, &m) == 0 && m.cgroups_path)
		ok = strcmp(m.cgroups_path, p) == 0;
	cri_metadata_clear(&m);
	if (ok)
		snprintf(id, id_size, "%s", cid);
	return ok && strlen(cid) < id_size;
}

/* ---- facts for the policy ---- */

void cri_metadata_facts(const struct cri_metadata *m, const char *id, struct container_label *labels,
			size_t max, struct container_facts *facts)
{
	const struct cri_label *src = NULL;
	size_t n = 0;

	memset(facts, 0, sizeof(*facts));
	facts->id = id;
	if (!m)
		return;
	facts->runtime = container_runtime_name(m->runtime);
	facts->name = m->container_name;
	facts->image = m->image_ref;
	facts->pod_namespace = m->pod_namespace;
	/* Kubernetes' labels are the pod's: its containers' own carry the kubelet's bookkeeping. */
	if (m->pod_uid || m->pod_namespace || m->npod_labels) {
		src = m->pod_labels;
		n = m->npod_labels;
	} else {
		src = m->labels;
		n = m->nlabels;
	}
	if (n > max)
		n = max;
	for (size_t i = 0; labels && i < n; i++) {
		labels[i].key = src[i].key;
		labels[i].value = src[i].value;
	}
	facts->labels = labels && n ? labels : NULL;
	facts->nlabels = labels ? n : 0;
}
