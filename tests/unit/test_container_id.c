// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests for agent/runtime/container_id.c: container and pod identity from
 * cgroup paths of every driver and runtime credgate recognises, table-driven.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "container_id.h"

#define ID "55936e548de63f77ceb595d64966dd8e267b391ff0ef63b26c17eb8c2f6510be"
#define SHORT "55936e548de63f77ceb595d64966dd8"
#define UID "0ff6b3a4-2f4a-4e4b-9bd0-5d9f3e0a1c11"
#define UID_ "0ff6b3a4_2f4a_4e4b_9bd0_5d9f3e0a1c11"

static const struct {
	const char *path;
	enum container_runtime runtime;
	const char *id;
	const char *pod_uid;
	enum pod_qos qos;
} cases[] = {
	/* docker, systemd and cgroupfs drivers */
	{ "/system.slice/docker-" ID ".scope", CONTAINER_RUNTIME_DOCKER, ID, "", POD_QOS_NONE },
	{ "/docker/" ID, CONTAINER_RUNTIME_DOCKER, ID, "", POD_QOS_NONE },
	/* under a test's parent cgroup, as the host tests make them */
	{ "/credgate-test-x-1/system.slice/docker-" ID ".scope", CONTAINER_RUNTIME_DOCKER, ID, "", POD_QOS_NONE },
	/* Kubernetes, systemd driver: containerd, CRI-O, docker (cri-dockerd) */
	{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice/cri-containerd-" ID ".scope",
	  CONTAINER_RUNTIME_CONTAINERD, ID, UID, POD_QOS_BESTEFFORT },
	{ "/credgate-test-x-1/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
	  ".slice/cri-containerd-" ID ".scope",
	  CONTAINER_RUNTIME_CONTAINERD, ID, UID, POD_QOS_BESTEFFORT },
	{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/crio-" ID ".scope",
	  CONTAINER_RUNTIME_CRIO, ID, UID, POD_QOS_BURSTABLE },
	{ "/kubepods.slice/kubepods-pod" UID_ ".slice/docker-" ID ".scope", CONTAINER_RUNTIME_DOCKER, ID, UID,
	  POD_QOS_GUARANTEED },
	/* Kubernetes, cgroupfs driver: the runtime is not in the path */
	{ "/kubepods/besteffort/pod" UID "/" ID, CONTAINER_RUNTIME_UNKNOWN, ID, UID, POD_QOS_BESTEFFORT },
	{ "/kubepods/burstable/pod" UID "/" ID, CONTAINER_RUNTIME_UNKNOWN, ID, UID, POD_QOS_BURSTABLE },
	{ "/kubepods/pod" UID "/" ID, CONTAINER_RUNTIME_UNKNOWN, ID, UID, POD_QOS_GUARANTEED },
	/* the pod alone (its own cgroup, no container) */
	{ "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_ ".slice",
	  CONTAINER_RUNTIME_NONE, "", UID, POD_QOS_BESTEFFORT },
	/* podman */
	{ "/machine.slice/libpod-" ID ".scope", CONTAINER_RUNTIME_PODMAN, ID, "", POD_QOS_NONE },
	{ "/machine.slice/libpod-" ID ".scope/container", CONTAINER_RUNTIME_PODMAN, ID, "", POD_QOS_NONE },
	{ "/libpod_parent/libpod-" ID, CONTAINER_RUNTIME_PODMAN, ID, "", POD_QOS_NONE },
	/* podman pods: systemd (machine-libpod_pod_POD.slice) and cgroupfs (/libpod_parent/POD) drivers;
	 * the pod's id (64 hex digits too) is not the container's */
	{ "/machine.slice/machine-libpod_pod_1111111111111111111111111111111111111111111111111111111111111111.slice/"
	  "libpod-" ID ".scope",
	  CONTAINER_RUNTIME_PODMAN, ID, "", POD_QOS_NONE },
	{ "/machine.slice/machine-libpod_pod_1111111111111111111111111111111111111111111111111111111111111111.slice/"
	  "libpod-" ID ".scope/container",
	  CONTAINER_RUNTIME_PODMAN, ID, "", POD_QOS_NONE },
	{ "/libpod_parent/1111111111111111111111111111111111111111111111111111111111111111/libpod-" ID,
	  CONTAINER_RUNTIME_PODMAN, ID, "", POD_QOS_NONE },
	{ "/libpod_parent/1111111111111111111111111111111111111111111111111111111111111111", CONTAINER_RUNTIME_NONE,
	  "", "", POD_QOS_NONE },
	{ "/machine.slice/machine-libpod_pod_1111111111111111111111111111111111111111111111111111111111111111.slice",
	  CONTAINER_RUNTIME_NONE, "", "", POD_QOS_NONE },
	/* a pod's infra container and conmon's cgroup under cgroupfs */
	{ "/libpod_parent/conmon", CONTAINER_RUNTIME_NONE, "", "", POD_QOS_NONE },
	/* ctr's cgroups (/NAMESPACE/ID) name no runtime: recognised by their bundle (cri_metadata) */
	{ "/default/web", CONTAINER_RUNTIME_NONE, "", "", POD_QOS_NONE },
	{ "/default/" ID, CONTAINER_RUNTIME_NONE, "", "", POD_QOS_NONE },
	/* not containers */
	{ "/", CONTAINER_RUNTIME_NONE, "", "", POD_QOS_NONE },
	{ "", CONTAINER_RUNTIME_NONE, "", "", POD_QOS_NONE },
	{ "/system.slice/sshd.service", CONTAINER_RUNTIME_NONE, "", "", POD_QOS_NONE },
	{ "/user.slice/user-1000.slice/session-3.scope", CONTAINER_RUNTIME_NONE, "", "", POD_QOS_NONE },
	{ "/system.slice/docker.service", CONTAINER_RUNTIME_NONE, "", "", POD_QOS_NONE },
	{ "/machine.slice/libpod-conmon-" ID ".scope", CONTAINER_RUNTIME_NONE, "", "", POD_QOS_NONE },
	/* near misses: short, upper-case or non-hex ids, a bare id outside a pod, pod<uid> outside kubepods */
	{ "/system.slice/docker-" SHORT ".scope", CONTAINER_RUNTIME_NONE, "", "", POD_QOS_NONE },
	{ "/system.slice/docker-55936E548DE63F77CEB595D64966DD8E267B391FF0EF63B26C17EB8C2F6510BE.scope",
	  CONTAINER_RUNTIME_NONE, "", "", POD_QOS_NONE },
	{ "/x/" ID, CONTAINER_RUNTIME_NONE, "", "", POD_QOS_NONE },
	{ "/pod" UID "/" ID, CONTAINER_RUNTIME_NONE, "", "", POD_QOS_NONE },
	{ "/kubepods/besteffort/podnot-a-uid/" ID, CONTAINER_RUNTIME_NONE, "", "", POD_QOS_BESTEFFORT },
	/* a container inside a container: the deepest wins */
	{ "/docker/" ID "/docker/1111111111111111111111111111111111111111111111111111111111111111",
	  CONTAINER_RUNTIME_DOCKER, "1111111111111111111111111111111111111111111111111111111111111111", "",
	  POD_QOS_NONE },
};

static void test_table(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct container_identity c;
		bool found = container_identity_from_cgroup(cases[i].path, &c);

		print_message("%s\n", cases[i].path);
		assert_int_equal(c.runtime, cases[i].runtime);
		assert_string_equal(c.id, cases[i].id);
		assert_string_equal(c.pod_uid, cases[i].pod_uid);
		assert_int_equal(c.qos, cases[i].qos);
		assert_int_equal(found, cases[i].id[0] || cases[i].pod_uid[0]);
		if (c.id[0]) {
			assert_int_equal(strlen(c.short_id), 31);
			assert_memory_equal(c.short_id, c.id, 31);
		} else {
			assert_string_equal(c.short_id, "");
		}
	}
}

/* The reference event's "docker" field is the id's first 31 characters. */
static void test_reference_short_id(void **state)
{
	struct container_identity c;

	assert_true(container_identity_from_cgroup("/docker/" ID, &c));
	assert_string_equal(c.short_id, SHORT);
}

/* Containers known by their runtime's state: any id, the short form its first 31 characters. */
static void test_set(void **state)
{
	struct container_identity c = {};
	char long_id[CONTAINER_ID_MAX + 2];

	assert_true(container_identity_set(&c, CONTAINER_RUNTIME_CONTAINERD, "web"));
	assert_int_equal(c.runtime, CONTAINER_RUNTIME_CONTAINERD);
	assert_string_equal(c.id, "web");
	assert_string_equal(c.short_id, "web");
	assert_true(container_identity_set(&c, CONTAINER_RUNTIME_CONTAINERD, ID));
	assert_string_equal(c.id, ID);
	assert_string_equal(c.short_id, SHORT);
	memset(long_id, 'a', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	assert_false(container_identity_set(&c, CONTAINER_RUNTIME_CONTAINERD, long_id));
	long_id[CONTAINER_ID_MAX] = '\0';
	assert_true(container_identity_set(&c, CONTAINER_RUNTIME_CONTAINERD, long_id));
	assert_int_equal(strlen(c.id), CONTAINER_ID_MAX);
	assert_false(container_identity_set(&c, CONTAINER_RUNTIME_CONTAINERD, ""));
	assert_false(container_identity_set(&c, CONTAINER_RUNTIME_CONTAINERD, NULL));
}

static void test_names(void **state)
{
	assert_string_equal(container_runtime_name(CONTAINER_RUNTIME_DOCKER), "docker");
	assert_string_equal(container_runtime_name(CONTAINER_RUNTIME_CONTAINERD), "containerd");
	assert_string_equal(container_runtime_name(CONTAINER_RUNTIME_CRIO), "cri-o");
	assert_string_equal(container_runtime_name(CONTAINER_RUNTIME_PODMAN), "podman");
	assert_string_equal(container_runtime_name(CONTAINER_RUNTIME_UNKNOWN), "unknown");
	assert_null(container_runtime_name(CONTAINER_RUNTIME_NONE));
	assert_null(container_runtime_name((enum container_runtime)99));
	assert_string_equal(pod_qos_name(POD_QOS_BESTEFFORT), "BestEffort");
	assert_string_equal(pod_qos_name(POD_QOS_BURSTABLE), "Burstable");
	assert_string_equal(pod_qos_name(POD_QOS_GUARANTEED), "Guaranteed");
	assert_null(pod_qos_name(POD_QOS_NONE));
}

static void test_long_and_odd_paths(void **state)
{
	char path[8192];
	struct container_identity c;

	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	assert_false(container_identity_from_cgroup(path, &c));
	memset(path, '/', sizeof(path) - 1);
	assert_false(container_identity_from_cgroup(path, &c));
	assert_false(container_identity_from_cgroup(NULL, &c));
	assert_false(container_identity_from_cgroup("kubepods.slice/kubepods-besteffort-pod.slice", &c));
	assert_int_equal(c.qos, POD_QOS_BESTEFFORT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_reference_short_id),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_long_and_odd_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
