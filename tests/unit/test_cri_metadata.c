// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for agent/runtime/cri_metadata.c and cri_parse.c against fixture trees of each
 * runtime's state (tests/unit/data/cri, written in the formats of docker
 * 20.10, podman 4.3 with containers/storage, CRI-O and containerd 1.6):
 * what each says, what stays absent, caching, image references, the facts
 * handed to the policy, and files that are broken, hostile or too big
 * (those written at run time into a temporary tree).
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cri_metadata.h"

#define CONTAINERD_ID "55936e548de63f77ceb595d64966dd8e267b391ff0ef63b26c17eb8c2f6510be"
#define DOCKER_K8S_ID "bbbb000000000000000000000000000000000000000000000000000000000002"
#define CRIO_ID "cccc000000000000000000000000000000000000000000000000000000000003"
/* A string literal and its length. */
#define LIT(s) s, sizeof(s) - 1

#define DOCKER_PLAIN_ID "dddd000000000000000000000000000000000000000000000000000000000004"
#define BROKEN_ID "eeee000000000000000000000000000000000000000000000000000000000005"
#define ABSENT_ID "ffff000000000000000000000000000000000000000000000000000000000006"
#define PODMAN_ID "c0de000000000000000000000000000000000000000000000000000000000007"
#define PODMAN_DEBIAN_ID "c0de000000000000000000000000000000000000000000000000000000000008"
#define PODMAN_WRONG_TYPES_ID "c0de000000000000000000000000000000000000000000000000000000000009"
#define PODMAN_DEEP_ID "c0de00000000000000000000000000000000000000000000000000000000000a"
#define PODMAN_VOLATILE_ID "c0de00000000000000000000000000000000000000000000000000000000000b"
#define PODMAN_IMAGE_ID "5b0ec2b3a5f7d8e3b2e1f0a9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9"
#define DOCKER_WEB_ID "d0c0000000000000000000000000000000000000000000000000000000000010"
#define DOCKER_IMPORTED_ID "d0c0000000000000000000000000000000000000000000000000000000000011"
#define DOCKER_BY_ID_ID "d0c0000000000000000000000000000000000000000000000000000000000012"
#define DEBIAN_IMAGE "sha256:3f57d9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741"

static struct cri_store *store;

static int setup(void **state)
{
	static char root[PATH_MAX];
	const char *data = getenv("CREDGATE_TEST_DATA");
	struct cri_store_options o = { .root = root, .retry_ns = 1000 };

	snprintf(root, sizeof(root), "%s/cri", data ? data : "tests/unit/data");
	return cri_store__new(&store, &o);
}

static int teardown(void **state)
{
	cri_store__free(store);
	return 0;
}

static void test_containerd(void **state)
{
	const struct cri_metadata *m = cri_store__get(store, CONTAINERD_ID, CONTAINER_RUNTIME_CONTAINERD, 1);

	assert_non_null(m);
	assert_int_equal(m->runtime, CONTAINER_RUNTIME_CONTAINERD);
	assert_string_equal(m->container_name, "spaceship");
	assert_string_equal(m->image_name, "docker.io/tgraf/netperf:latest");
	assert_string_equal(m->pod_name, "xwing");
	assert_string_equal(m->pod_namespace, "default");
	assert_string_equal(m->pod_uid, "0ff6b3a4-2f4a-4e4b-9bd0-5d9f3e0a1c11");
	/* containerd keeps these in its database only: absent, not invented */
	assert_null(m->image_id);
	assert_null(m->start_time);
	assert_int_equal(m->nlabels, 0);
}

static void test_docker_kubernetes(void **state)
{
	/* The path said nothing about the runtime (cgroupfs driver): every store is tried. */
	const struct cri_metadata *m = cri_store__get(store, DOCKER_K8S_ID, CONTAINER_RUNTIME_UNKNOWN, 1);

	assert_non_null(m);
	assert_int_equal(m->runtime, CONTAINER_RUNTIME_DOCKER);
	assert_string_equal(m->container_name, "web");
	assert_string_equal(m->image_name, "nginx:1.27");
	assert_string_equal(m->image_id, "sha256:3f57d9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741");
	assert_string_equal(m->start_time, "2026-01-02T03:04:05.123456789Z");
	assert_string_equal(m->pod_name, "frontend-7d4b9");
	assert_string_equal(m->pod_namespace, "shop");
	/* The pod's labels, from its sandbox, without the kubelet's own keys, sorted. */
	assert_int_equal(m->npod_labels, 2);
	assert_string_equal(m->pod_labels[0].key, "app");
	assert_string_equal(m->pod_labels[0].value, "frontend");
	assert_string_equal(m->pod_labels[1].key, "tier");
	/* The container's own labels are docker's Config.Labels, all of them. */
	assert_int_equal(m->nlabels, 6);
	assert_string_equal(m->labels[0].key, "io.kubernetes.container.name");
	assert_string_equal(m->image_ref, "docker.io/library/nginx:1.27");
}

static void test_docker_plain(void **state)
{
	const struct cri_metadata *m = cri_store__get(store, DOCKER_PLAIN_ID, CONTAINER_RUNTIME_DOCKER, 1);

	assert_non_null(m);
	assert_string_equal(m->container_name, "happy_turing");
	assert_string_equal(m->image_name, "debian:12");
	assert_string_equal(m->image_ref, "docker.io/library/debian:12");
	assert_null(m->pod_name);
	assert_null(m->pod_uid);
	assert_int_equal(m->npod_labels, 0);
	assert_int_equal(m->nlabels, 1);
	assert_string_equal(m->labels[0].key, "maintainer");
	/* No storage driver named: no image store to find a digest in. */
	assert_null(m->image_digest);
}

static void test_crio(void **state)
{
	const struct cri_metadata *m = cri_store__get(store, CRIO_ID, CONTAINER_RUNTIME_CRIO, 1);

	assert_non_null(m);
	assert_int_equal(m->runtime, CONTAINER_RUNTIME_CRIO);
	assert_string_equal(m->container_name, "api");
	assert_string_equal(m->image_name, "quay.io/acme/api:2.1");
	assert_string_equal(m->image_id, "quay.io/acme/api@sha256:abcd");
	assert_string_equal(m->pod_namespace, "prod");
	assert_int_equal(m->npod_labels, 2);
	assert_string_equal(m->pod_labels[0].key, "app");
	assert_string_equal(m->pod_labels[1].key, "team");
	assert_string_equal(m->pod_labels[1].value, "core");
	assert_int_equal(m->nlabels, 1);
	assert_string_equal(m->labels[0].key, "io.kubernetes.container.name");
	/* Its record in containers/storage names a pod: CRI-O's, never taken for podman's. */
	assert_null(cri_store__get_fresh(store, CRIO_ID, CONTAINER_RUNTIME_PODMAN));
	m = cri_store__get_fresh(store, CRIO_ID, CONTAINER_RUNTIME_UNKNOWN);
	assert_non_null(m);
	assert_int_equal(m->runtime, CONTAINER_RUNTIME_CRIO);
}

static void test_absent_and_broken(void **state)
{
	assert_null(cri_store__get(store, ABSENT_ID, CONTAINER_RUNTIME_UNKNOWN, 1));
	assert_null(cri_store__get(store, BROKEN_ID, CONTAINER_RUNTIME_UNKNOWN, 1));
	/* Not a container id: never a path. */
	assert_null(cri_store__get(store, "../../../etc", CONTAINER_RUNTIME_UNKNOWN, 1));
	assert_null(cri_store__get(store, NULL, CONTAINER_RUNTIME_UNKNOWN, 1));
	assert_null(cri_store__get(store, "", CONTAINER_RUNTIME_UNKNOWN, 1));
}

/* A runtime named by the cgroup path narrows the search to its store. */
static void test_runtime_narrows(void **state)
{
	const char *data = getenv("CREDGATE_TEST_DATA");
	struct cri_store_options o = {};
	struct cri_store *s;
	char root[PATH_MAX];

	snprintf(root, sizeof(root), "%s/cri", data ? data : "tests/unit/data");
	o.root = root;
	assert_int_equal(cri_store__new(&s, &o), 0);
	assert_null(cri_store__get(s, CRIO_ID, CONTAINER_RUNTIME_DOCKER, 1));
	/* Not found is remembered until retry_ns (30 s by default) passed. */
	assert_null(cri_store__get(s, CRIO_ID, CONTAINER_RUNTIME_CRIO, 2));
	assert_non_null(cri_store__get(s, CRIO_ID, CONTAINER_RUNTIME_CRIO, 31ull * 1000 * 1000 * 1000));
	cri_store__free(s);
}

static void test_parsers(void **state)
{
	struct cri_metadata m = {};
	char sandbox[65];
	static const char deep[] = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]";
	static const char no_ann[] = "{\"ociVersion\":\"1.0\"}";
	static const char not_string[] = "{\"ociVersion\":\"1.0\",\"annotations\":{\"io.kubernetes.cri.container-name\":7}}";

	assert_int_equal(cri_parse_oci_config(deep, sizeof(deep) - 1, &m, sandbox, sizeof(sandbox)), -EBADMSG);
	/* A spec without annotations is still a bundle's (ctr run writes none). */
	assert_int_equal(cri_parse_oci_config(no_ann, sizeof(no_ann) - 1, &m, sandbox, sizeof(sandbox)), 0);
	assert_int_equal(cri_parse_oci_config(LIT("{\"annotations\":{}}"), &m, sandbox, sizeof(sandbox)), -ENOENT);
	assert_int_equal(cri_parse_oci_config(not_string, sizeof(not_string) - 1, &m, sandbox, sizeof(sandbox)), 0);
	assert_null(m.container_name);
	assert_int_equal(cri_parse_docker_config(LIT("{}"), &m, sandbox, sizeof(sandbox)), -ENOENT);
	assert_int_equal(cri_parse_docker_config(LIT("nope"), &m, sandbox, sizeof(sandbox)), -EBADMSG);
	cri_metadata_clear(&m);
}


static void test_podman(void **state)
{
	const struct cri_metadata *m = cri_store__get(store, PODMAN_ID, CONTAINER_RUNTIME_PODMAN, 1);

	assert_non_null(m);
	assert_int_equal(m->runtime, CONTAINER_RUNTIME_PODMAN);
	assert_string_equal(m->container_name, "web");
	/* podman import names an image localhost/NAME:latest; the reference is already full */
	assert_string_equal(m->image_name, "localhost/credgate-test:latest");
	assert_string_equal(m->image_ref, "localhost/credgate-test:latest");
	assert_string_equal(m->image_id, PODMAN_IMAGE_ID);
	assert_string_equal(m->image_digest,
			    "sha256:9a4cf0f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9");
	assert_string_equal(m->cgroups_path, "machine.slice:libpod:" PODMAN_ID);
	/* labels are in podman's database (bolt), not in these files: absent, not invented */
	assert_int_equal(m->nlabels, 0);
	assert_null(m->pod_namespace);
	assert_null(m->containerd_namespace);

	/* found without the runtime narrowed too, before CRI-O's and containerd's stores */
	m = cri_store__get_fresh(store, PODMAN_DEBIAN_ID, CONTAINER_RUNTIME_UNKNOWN);
	assert_non_null(m);
	assert_int_equal(m->runtime, CONTAINER_RUNTIME_PODMAN);
	assert_string_equal(m->container_name, "debian-short");
	assert_string_equal(m->image_ref, "docker.io/library/debian:12");
	assert_null(m->image_digest); /* images.json's digest is a number there: not believed */
	assert_null(m->cgroups_path); /* no bundle yet */

	/* containers/storage keeps volatile containers (no fsync) in volatile-containers.json */
	m = cri_store__get_fresh(store, PODMAN_VOLATILE_ID, CONTAINER_RUNTIME_PODMAN);
	assert_non_null(m);
	assert_string_equal(m->container_name, "rm-me");

	/* wrong types everywhere: found, nothing believed but the id */
	m = cri_store__get_fresh(store, PODMAN_WRONG_TYPES_ID, CONTAINER_RUNTIME_PODMAN);
	assert_non_null(m);
	assert_null(m->container_name);
	assert_null(m->image_name);
	assert_null(m->image_id);
	/* metadata nested deeper than the parser goes: the name from "names" */
	m = cri_store__get_fresh(store, PODMAN_DEEP_ID, CONTAINER_RUNTIME_PODMAN);
	assert_non_null(m);
	assert_string_equal(m->container_name, "deep");
	assert_null(m->image_name);
}

static void test_docker_labels_and_digest(void **state)
{
	const struct cri_metadata *m = cri_store__get(store, DOCKER_WEB_ID, CONTAINER_RUNTIME_DOCKER, 1);

	assert_non_null(m);
	assert_string_equal(m->container_name, "web");
	/* as the user gave it, and normalised */
	assert_string_equal(m->image_name, "debian:12");
	assert_string_equal(m->image_ref, "docker.io/library/debian:12");
	assert_string_equal(m->image_id, DEBIAN_IMAGE);
	/* the digest of the repository it was named from, not acme/mirror's (listed first) */
	assert_string_equal(m->image_digest,
			    "sha256:b37bc259c67238d814516548c17ad912f26c3eed48dd9bb54893eafec8739c89");
	assert_string_equal(m->start_time, "2026-12-06T10:11:12.131415161Z");
	assert_int_equal(m->nlabels, 3);
	assert_string_equal(m->labels[0].key, "app");
	assert_string_equal(m->labels[0].value, "web");
	assert_string_equal(m->labels[1].key, "com.example.empty");
	assert_string_equal(m->labels[1].value, "");
	assert_string_equal(m->labels[2].key, "tier");
	assert_int_equal(m->npod_labels, 0);
	assert_null(m->pod_namespace);

	/* docker import: no digest; created, never started: no start time */
	m = cri_store__get(store, DOCKER_IMPORTED_ID, CONTAINER_RUNTIME_UNKNOWN, 1);
	assert_non_null(m);
	assert_int_equal(m->runtime, CONTAINER_RUNTIME_DOCKER);
	assert_string_equal(m->container_name, "imported");
	assert_string_equal(m->image_ref, "docker.io/library/credgate-test:latest");
	assert_null(m->image_digest);
	assert_null(m->start_time);
	assert_int_equal(m->nlabels, 0);

	/* run by an image id prefix: no name to normalise; labels of the wrong type left out; a driver
	 * that is a path is not followed */
	m = cri_store__get(store, DOCKER_BY_ID_ID, CONTAINER_RUNTIME_DOCKER, 1);
	assert_non_null(m);
	assert_string_equal(m->image_name, "3f57d9401f8d");
	assert_null(m->image_ref);
	assert_null(m->image_digest);
	assert_int_equal(m->nlabels, 1);
	assert_string_equal(m->labels[0].key, "ok");
}

static void test_containerd_ctr(void **state)
{
	const struct cri_metadata *m = cri_store__get(store, "web", CONTAINER_RUNTIME_CONTAINERD, 1);
	char id[CRI_MAX_ID + 1];

	assert_non_null(m);
	assert_int_equal(m->runtime, CONTAINER_RUNTIME_CONTAINERD);
	/* outside Kubernetes a container is its id; image and labels are in containerd's database */
	assert_string_equal(m->container_name, "web");
	assert_string_equal(m->containerd_namespace, "default");
	assert_string_equal(m->cgroups_path, "/default/web");
	assert_null(m->image_name);
	assert_null(m->image_ref);
	assert_int_equal(m->nlabels, 0);
	assert_null(m->pod_namespace);
	/* the CRI plugin's namespace keeps its annotations */
	m = cri_store__get_fresh(store, CONTAINERD_ID, CONTAINER_RUNTIME_CONTAINERD);
	assert_non_null(m);
	assert_string_equal(m->containerd_namespace, "k8s.io");
	assert_string_equal(m->container_name, "spaceship");
	/* one id in two namespaces: which, only containerd knows */
	assert_null(cri_store__get_fresh(store, "dup", CONTAINER_RUNTIME_CONTAINERD));
	/* docker's bundles (namespace moby) are docker's, read from docker's state */
	m = cri_store__get_fresh(store, DOCKER_WEB_ID, CONTAINER_RUNTIME_CONTAINERD);
	assert_null(m);
	m = cri_store__get_fresh(store, DOCKER_WEB_ID, CONTAINER_RUNTIME_UNKNOWN);
	assert_non_null(m);
	assert_int_equal(m->runtime, CONTAINER_RUNTIME_DOCKER);
	/* names that are no path component */
	assert_null(cri_store__get_fresh(store, "..", CONTAINER_RUNTIME_CONTAINERD));
	assert_null(cri_store__get_fresh(store, ".hidden", CONTAINER_RUNTIME_CONTAINERD));
	assert_null(cri_store__get_fresh(store, "a/b", CONTAINER_RUNTIME_CONTAINERD));

	/* the cgroup ctr made, recognised by its bundle */
	assert_true(cri_store__containerd_cgroup(store, "/default/web", id, sizeof(id)));
	assert_string_equal(id, "web");
	assert_true(cri_store__containerd_cgroup(store, "default/web/", id, sizeof(id)));
	/* a cgroup below it, or one named alike elsewhere, is not the container's */
	assert_false(cri_store__containerd_cgroup(store, "/default/web/sub", id, sizeof(id)));
	assert_false(cri_store__containerd_cgroup(store, "/x/default/web", id, sizeof(id)));
	/* a bundle that asks for another cgroup */
	assert_false(cri_store__containerd_cgroup(store, "/default/bad", id, sizeof(id)));
	assert_false(cri_store__containerd_cgroup(store, "/moby/" DOCKER_WEB_ID, id, sizeof(id)));
	assert_false(cri_store__containerd_cgroup(store, "/web", id, sizeof(id)));
	assert_false(cri_store__containerd_cgroup(store, "/", id, sizeof(id)));
	assert_false(cri_store__containerd_cgroup(store, NULL, id, sizeof(id)));
	assert_false(cri_store__containerd_cgroup(store, "/default/web", id, 3));
}

static void test_normalize(void **state)
{
	static const struct {
		const char *raw, *want; /* want NULL: not an image name */
	} cases[] = {
		{ "debian", "docker.io/library/debian:latest" },
		{ "debian:12", "docker.io/library/debian:12" },
		{ "library/debian:12", "docker.io/library/debian:12" },
		{ "acme/web", "docker.io/acme/web:latest" },
		{ "docker.io/debian", "docker.io/library/debian:latest" },
		{ "index.docker.io/acme/web:1", "docker.io/acme/web:1" },
		{ "registry.example/web", "registry.example/web:latest" },
		{ "registry.example:5000/team/web:2.1", "registry.example:5000/team/web:2.1" },
		{ "localhost/credgate-test", "localhost/credgate-test:latest" },
		{ "localhost:5000/x", "localhost:5000/x:latest" },
		{ "Upper/x", "Upper/x:latest" }, /* capitals: a host, as docker reads it */
		{ "debian@sha256:b37bc259c67238d814516548c17ad912f26c3eed48dd9bb54893eafec8739c89",
		  "docker.io/library/debian@sha256:b37bc259c67238d814516548c17ad912f26c3eed48dd9bb54893eafec8739c89" },
		{ "quay.io/a/b:1@sha256:00", "quay.io/a/b:1@sha256:00" },
		{ "sha256:3f57d9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741", NULL },
		{ "3f57d9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741", NULL },
		{ "3f57d9", NULL }, /* a prefix of the image's id */
		{ "", NULL },
		{ "/debian", NULL },
		{ "debian/", NULL },
		{ "a//b", NULL },
		{ "debian:", NULL },
		{ ":12", NULL },
		{ "registry.example/:12", NULL },
		{ "debian:1:2", NULL },
		{ "debian@sha256", NULL },
		{ "debian@sha256:00@sha256:00", NULL },
		{ "deb ian", NULL },
		{ "debian\n", NULL },
	};
	char out[600], big[700];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = cri_normalize_image(cases[i].raw, DEBIAN_IMAGE, out, sizeof(out));

		print_message("%s\n", cases[i].raw);
		if (cases[i].want) {
			assert_int_equal(r, 0);
			assert_string_equal(out, cases[i].want);
		} else {
			assert_int_equal(r, -EINVAL);
		}
	}
	/* "abc" is a name when the image's id does not start so */
	assert_int_equal(cri_normalize_image("abc", DEBIAN_IMAGE, out, sizeof(out)), 0);
	assert_string_equal(out, "docker.io/library/abc:latest");
	assert_int_equal(cri_normalize_image("debian", NULL, out, 10), -ENAMETOOLONG);
	assert_int_equal(cri_normalize_image(NULL, NULL, out, sizeof(out)), -EINVAL);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(cri_normalize_image(big, NULL, out, sizeof(out)), -EINVAL);
}

static void test_facts(void **state)
{
	struct container_label labels[CRI_MAX_LABELS];
	struct container_facts f;
	const struct cri_metadata *m;

	/* docker outside Kubernetes: the container's own labels */
	m = cri_store__get_fresh(store, DOCKER_WEB_ID, CONTAINER_RUNTIME_DOCKER);
	assert_non_null(m);
	cri_metadata_facts(m, DOCKER_WEB_ID, labels, CRI_MAX_LABELS, &f);
	assert_string_equal(f.runtime, "docker");
	assert_string_equal(f.id, DOCKER_WEB_ID);
	assert_string_equal(f.name, "web");
	assert_string_equal(f.image, "docker.io/library/debian:12");
	assert_null(f.pod_namespace);
	assert_int_equal(f.nlabels, 3);
	assert_string_equal(f.labels[0].key, "app");
	assert_string_equal(f.labels[2].value, "frontend");
	/* at most @max */
	cri_metadata_facts(m, DOCKER_WEB_ID, labels, 2, &f);
	assert_int_equal(f.nlabels, 2);

	/* Kubernetes: the pod's labels and namespace */
	m = cri_store__get_fresh(store, DOCKER_K8S_ID, CONTAINER_RUNTIME_DOCKER);
	assert_non_null(m);
	cri_metadata_facts(m, DOCKER_K8S_ID, labels, CRI_MAX_LABELS, &f);
	assert_string_equal(f.name, "web");
	assert_string_equal(f.pod_namespace, "shop");
	assert_int_equal(f.nlabels, 2);
	assert_string_equal(f.labels[0].key, "app");
	assert_string_equal(f.labels[0].value, "frontend");

	/* containerd outside Kubernetes: no image known, none invented */
	m = cri_store__get_fresh(store, "web", CONTAINER_RUNTIME_CONTAINERD);
	cri_metadata_facts(m, "web", labels, CRI_MAX_LABELS, &f);
	assert_string_equal(f.runtime, "containerd");
	assert_string_equal(f.name, "web");
	assert_null(f.image);
	assert_int_equal(f.nlabels, 0);
	assert_null(f.labels);

	/* nothing known: the id only */
	cri_metadata_facts(NULL, ABSENT_ID, labels, CRI_MAX_LABELS, &f);
	assert_string_equal(f.id, ABSENT_ID);
	assert_null(f.runtime);
	assert_null(f.name);
	assert_int_equal(f.nlabels, 0);
}

/* ---- hostile and late state, written into a temporary tree ---- */

static char tmp_root[PATH_MAX];

static void write_file(const char *rel, const char *text, size_t len)
{
	char path[PATH_MAX * 2], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmp_root, rel);
	for (slash = strchr(path + strlen(tmp_root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void write_text(const char *rel, const char *text)
{
	write_file(rel, text, strlen(text));
}

static int tmp_setup(void **state)
{
	snprintf(tmp_root, sizeof(tmp_root), "/tmp/credgate-cri-XXXXXX");
	return mkdtemp(tmp_root) ? 0 : -1;
}

static int tmp_teardown(void **state)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_root);
	return system(cmd) == 0 ? 0 : -1;
}

#define TMP_DOCKER "var/lib/docker/containers/"
#define TMP_PODMAN "var/lib/containers/storage/overlay-containers/"
#define LATE_ID "1a7e000000000000000000000000000000000000000000000000000000000001"
#define HUGE_ID "1a7e000000000000000000000000000000000000000000000000000000000002"
#define MANY_ID "1a7e000000000000000000000000000000000000000000000000000000000003"
#define NUL_ID "1a7e000000000000000000000000000000000000000000000000000000000004"
#define DIR_ID "1a7e000000000000000000000000000000000000000000000000000000000005"

/* A container not yet there is remembered as absent, but a fresh lookup reads the files again. */
static void test_fresh_bypasses_negative_cache(void **state)
{
	struct cri_store_options o = { .root = tmp_root };
	const struct cri_metadata *m;
	struct cri_store *s;

	assert_int_equal(cri_store__new(&s, &o), 0);
	assert_null(cri_store__get(s, LATE_ID, CONTAINER_RUNTIME_DOCKER, 1000));
	write_text(TMP_DOCKER LATE_ID "/config.v2.json",
		   "{\"Name\":\"/late\",\"Config\":{\"Image\":\"debian\",\"Labels\":{\"app\":\"late\"}}}");
	/* within retry_ns, the event path's lookup still says absent */
	assert_null(cri_store__get(s, LATE_ID, CONTAINER_RUNTIME_DOCKER, 2000));
	m = cri_store__get_fresh(s, LATE_ID, CONTAINER_RUNTIME_DOCKER);
	assert_non_null(m);
	assert_string_equal(m->container_name, "late");
	assert_string_equal(m->image_ref, "docker.io/library/debian:latest");
	/* and leaves the cache as it was */
	assert_null(cri_store__get(s, LATE_ID, CONTAINER_RUNTIME_DOCKER, 3000));
	/* the state changed (a container renamed): a fresh lookup sees it, the cache keeps the first */
	write_text(TMP_DOCKER LATE_ID "/config.v2.json", "{\"Name\":\"/renamed\",\"Config\":{}}");
	assert_string_equal(cri_store__get_fresh(s, LATE_ID, CONTAINER_RUNTIME_DOCKER)->container_name, "renamed");
	cri_store__free(s);
}

static void test_hostile_files(void **state)
{
	struct cri_store_options o = { .root = tmp_root };
	const struct cri_metadata *m;
	struct cri_store *s;
	char *text;
	size_t off, size;

	assert_int_equal(cri_store__new(&s, &o), 0);

	/* a state file over the limit: not read at all */
	size = CRI_MAX_FILE + 2;
	text = malloc(size);
	assert_non_null(text);
	memset(text, ' ', size);
	memcpy(text, "{\"Name\":\"/huge\",\"Config\":{}}", 28);
	write_file(TMP_DOCKER HUGE_ID "/config.v2.json", text, size);
	assert_null(cri_store__get_fresh(s, HUGE_ID, CONTAINER_RUNTIME_DOCKER));
	/* exactly at the limit: read */
	write_file(TMP_DOCKER HUGE_ID "/config.v2.json", text, CRI_MAX_FILE);
	assert_non_null(cri_store__get_fresh(s, HUGE_ID, CONTAINER_RUNTIME_DOCKER));
	free(text);

	/* a containers.json over its limit */
	size = CRI_MAX_STORE_FILE + 1;
	text = malloc(size);
	assert_non_null(text);
	memset(text, ' ', size);
	memcpy(text, "[{\"id\":\"" HUGE_ID "\",\"names\":[\"x\"]}]", 78);
	write_file(TMP_PODMAN "containers.json", text, size);
	assert_null(cri_store__get_fresh(s, HUGE_ID, CONTAINER_RUNTIME_PODMAN));
	free(text);
	/* a containers.json that is no list */
	write_text(TMP_PODMAN "containers.json", "{\"id\":\"" HUGE_ID "\"}");
	assert_null(cri_store__get_fresh(s, HUGE_ID, CONTAINER_RUNTIME_PODMAN));

	/* 200 labels: the first CRI_MAX_LABELS (in the file's order) are kept, sorted */
	size = 64 * 1024;
	text = malloc(size);
	assert_non_null(text);
	off = (size_t)snprintf(text, size, "{\"Name\":\"/many\",\"Config\":{\"Labels\":{");
	for (int i = 0; i < 200; i++)
		off += (size_t)snprintf(text + off, size - off, "%s\"k%03d\":\"v\"", i ? "," : "", 199 - i);
	off += (size_t)snprintf(text + off, size - off, "}}}");
	write_file(TMP_DOCKER MANY_ID "/config.v2.json", text, off);
	free(text);
	m = cri_store__get_fresh(s, MANY_ID, CONTAINER_RUNTIME_DOCKER);
	assert_non_null(m);
	assert_int_equal(m->nlabels, CRI_MAX_LABELS);
	assert_string_equal(m->labels[0].key, "k136");
	assert_string_equal(m->labels[CRI_MAX_LABELS - 1].key, "k199");

	/* strings with a NUL inside, or longer than CRI_MAX_STRING: not believed */
	size = 8192;
	text = malloc(size);
	assert_non_null(text);
	off = (size_t)snprintf(text, size, "{\"Name\":\"/web\\u0000evil\",\"Config\":{\"Image\":\"");
	memset(text + off, 'a', CRI_MAX_STRING);
	off += CRI_MAX_STRING;
	off += (size_t)snprintf(text + off, size - off,
				"\",\"Labels\":{\"app\\u0000x\":\"web\",\"ok\":\"v\\u0000w\",\"fine\":\"yes\"}}}");
	write_file(TMP_DOCKER NUL_ID "/config.v2.json", text, off);
	free(text);
	m = cri_store__get_fresh(s, NUL_ID, CONTAINER_RUNTIME_DOCKER);
	assert_non_null(m);
	assert_null(m->container_name);
	assert_null(m->image_name);
	/* json-c ends an object's key at a NUL: "app\u0000x" is read as "app" (the container's
	 * creator could have written "app" anyway) */
	assert_int_equal(m->nlabels, 2);
	assert_string_equal(m->labels[0].key, "app");
	assert_string_equal(m->labels[1].key, "fine");

	/* a state file that is a directory, or a symbolic link: not read, not followed */
	{
		char from[PATH_MAX * 2], to[PATH_MAX * 2];

		write_text(TMP_DOCKER DIR_ID "/config.v2.json/x", "{}");
		assert_null(cri_store__get_fresh(s, DIR_ID, CONTAINER_RUNTIME_DOCKER));

		snprintf(to, sizeof(to), "%s/" TMP_DOCKER HUGE_ID "/config.v2.json", tmp_root);
		snprintf(from, sizeof(from), "%s/" TMP_DOCKER MANY_ID "/config.v2.json", tmp_root);
		assert_int_equal(unlink(from), 0);
		assert_int_equal(symlink(to, from), 0);
		assert_null(cri_store__get_fresh(s, MANY_ID, CONTAINER_RUNTIME_DOCKER));
	}
	cri_store__free(s);
}

static void test_hostile_parsers(void **state)
{
	struct cri_metadata m = {};
	static const char not_list[] = "{\"id\":\"x\"}";
	static const char deep_list[] = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]";
	static const char cut[] = "[{\"id\":\"abc\",\"names\":[\"x\"";
	static const char wrong[] = "[7,\"s\",null,{\"id\":7},{\"id\":\"abc\",\"names\":[7],\"image\":{},\"metadata\":\"{\\\"name\\\":[]}\"}]";

	assert_int_equal(cri_parse_podman_containers(not_list, sizeof(not_list) - 1, "x", &m), -EBADMSG);
	assert_int_equal(cri_parse_podman_containers(deep_list, sizeof(deep_list) - 1, "x", &m), -EBADMSG);
	assert_int_equal(cri_parse_podman_containers(cut, sizeof(cut) - 1, "abc", &m), -EBADMSG);
	assert_int_equal(cri_parse_podman_containers(wrong, sizeof(wrong) - 1, "abc", &m), 0);
	assert_null(m.container_name);
	assert_null(m.image_id);
	assert_int_equal(cri_parse_podman_containers(wrong, sizeof(wrong) - 1, "none", &m), -ENOENT);
	cri_metadata_clear(&m);

	/* images.json and repositories.json of the wrong shapes */
	m.image_id = strdup("abc");
	assert_int_equal(cri_parse_storage_images(LIT("{}"), &m), -ENOENT);
	assert_int_equal(cri_parse_storage_images(LIT("[{\"id\":\"abc\",\"digest\":[]}]"), &m), -ENOENT);
	assert_int_equal(cri_parse_storage_images(deep_list, sizeof(deep_list) - 1, &m), -EBADMSG);
	assert_int_equal(cri_parse_docker_repositories(LIT("[]"), &m), -ENOENT);
	assert_int_equal(cri_parse_docker_repositories(LIT("{\"Repositories\":[]}"), &m), -ENOENT);
	assert_int_equal(cri_parse_docker_repositories(LIT("{\"Repositories\":{\"a\":7,\"b\":{\"b@x\":9}}}"), &m),
			 -ENOENT);
	assert_int_equal(cri_parse_docker_repositories(LIT("{\"Repositories\":{\"b\":{\"b@sha256:99\":\"abc\"}}}"),
						       &m),
			 0);
	assert_string_equal(m.image_digest, "sha256:99");
	cri_metadata_clear(&m);
	/* no image id: nothing to look for */
	assert_int_equal(cri_parse_docker_repositories(LIT("{}"), &m), -ENOENT);
	assert_int_equal(cri_parse_storage_images(LIT("[]"), &m), -ENOENT);
	/* CRI-O's labels string nested too deep or of the wrong type */
	static const char crio[] = "{\"ociVersion\":\"1\",\"annotations\":{\"io.kubernetes.cri-o.ContainerType\":\"container\","
				   "\"io.kubernetes.cri-o.Labels\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\"}}";
	assert_int_equal(cri_parse_oci_config(crio, sizeof(crio) - 1, &m, NULL, 0), 0);
	assert_int_equal(m.nlabels, 0);
	cri_metadata_clear(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_containerd),
		cmocka_unit_test(test_docker_kubernetes),
		cmocka_unit_test(test_docker_plain),
		cmocka_unit_test(test_crio),
		cmocka_unit_test(test_absent_and_broken),
		cmocka_unit_test(test_runtime_narrows),
		cmocka_unit_test(test_parsers),
		cmocka_unit_test(test_podman),
		cmocka_unit_test(test_docker_labels_and_digest),
		cmocka_unit_test(test_containerd_ctr),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_facts),
	};
	const struct CMUnitTest tmp_tests[] = {
		cmocka_unit_test(test_fresh_bypasses_negative_cache),
		cmocka_unit_test(test_hostile_files),
		cmocka_unit_test(test_hostile_parsers),
	};

	return cmocka_run_group_tests(tests, setup, teardown) | cmocka_run_group_tests(tmp_tests, tmp_setup, tmp_teardown);
}
