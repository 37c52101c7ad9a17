// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for agent/events/cri_metadata.c against fixture trees of each
 * runtime's state (tests/unit/data/cri): what each says, what stays absent,
 * caching, and files that are broken or too big.
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
#include <cmocka.h>

#include "cri_metadata.h"

#define CONTAINERD_ID "55936e548de63f77ceb595d64966dd8e267b391ff0ef63b26c17eb8c2f6510be"
#define DOCKER_K8S_ID "bbbb000000000000000000000000000000000000000000000000000000000002"
#define CRIO_ID "cccc000000000000000000000000000000000000000000000000000000000003"
#define DOCKER_PLAIN_ID "dddd000000000000000000000000000000000000000000000000000000000004"
#define BROKEN_ID "eeee000000000000000000000000000000000000000000000000000000000005"
#define ABSENT_ID "ffff000000000000000000000000000000000000000000000000000000000006"

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
	assert_int_equal(m->nlabels, 2);
	assert_string_equal(m->labels[0].key, "app");
	assert_string_equal(m->labels[0].value, "frontend");
	assert_string_equal(m->labels[1].key, "tier");
}

static void test_docker_plain(void **state)
{
	const struct cri_metadata *m = cri_store__get(store, DOCKER_PLAIN_ID, CONTAINER_RUNTIME_DOCKER, 1);

	assert_non_null(m);
	assert_string_equal(m->container_name, "happy_turing");
	assert_string_equal(m->image_name, "debian:12");
	assert_null(m->pod_name);
	assert_null(m->pod_uid);
	assert_int_equal(m->nlabels, 0);
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
	assert_int_equal(m->nlabels, 2);
	assert_string_equal(m->labels[0].key, "app");
	assert_string_equal(m->labels[1].key, "team");
	assert_string_equal(m->labels[1].value, "core");
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
	static const char not_string[] = "{\"annotations\":{\"io.kubernetes.cri.container-name\":7}}";

	assert_int_equal(cri_parse_oci_config(deep, sizeof(deep) - 1, &m, sandbox, sizeof(sandbox)), -EBADMSG);
	assert_int_equal(cri_parse_oci_config(no_ann, sizeof(no_ann) - 1, &m, sandbox, sizeof(sandbox)), -ENOENT);
	assert_int_equal(cri_parse_oci_config(not_string, sizeof(not_string) - 1, &m, sandbox, sizeof(sandbox)), 0);
	assert_null(m.container_name);
	assert_int_equal(cri_parse_docker_config("{}", 2, &m, sandbox, sizeof(sandbox)), -ENOENT);
	assert_int_equal(cri_parse_docker_config("nope", 4, &m, sandbox, sizeof(sandbox)), -EBADMSG);
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
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
