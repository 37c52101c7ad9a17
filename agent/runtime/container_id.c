// SPDX-License-Identifier: LGPL-2.1-or-later
#include "container_id.h"

#include <stdio.h>
#include <string.h>

#include "macro.h"

/* Components longer than this are no container's or pod's. */
#define MAX_COMPONENT 255

struct component {
	const char *s;
	size_t len;
};

static bool has_prefix(struct component c, const char *prefix, size_t plen)
{
	return c.len >= plen && memcmp(c.s, prefix, plen) == 0;
}

static bool has_suffix(struct component c, const char *suffix, size_t slen)
{
	return c.len >= slen && memcmp(c.s + c.len - slen, suffix, slen) == 0;
}

#define PREFIX(c, lit) has_prefix(c, lit, sizeof(lit) - 1)
#define SUFFIX(c, lit) has_suffix(c, lit, sizeof(lit) - 1)
#define EQUALS(c, lit) ((c).len == sizeof(lit) - 1 && memcmp((c).s, lit, sizeof(lit) - 1) == 0)

static bool is_hex_id(const char *s, size_t len)
{
	if (len != CONTAINER_ID_LEN)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* "<prefix><64 hex><suffix>": the id, or false. */
static bool match_wrapped_id(struct component c, const char *prefix, size_t plen, const char *suffix,
			     size_t slen, const char **id)
{
	if (c.len != plen + CONTAINER_ID_LEN + slen || !has_prefix(c, prefix, plen) ||
	    !has_suffix(c, suffix, slen) || !is_hex_id(c.s + plen, CONTAINER_ID_LEN))
		return false;
	*id = c.s + plen;
	return true;
}

#define WRAPPED(c, pre, suf, id) match_wrapped_id(c, pre, sizeof(pre) - 1, suf, sizeof(suf) - 1, id)

/*
 * A pod UID as the kubelet writes it into cgroup names: with dashes
 * (cgroupfs) or underscores (systemd, where '-' separates the slice's
 * ancestors). Stored with dashes.
 */
static bool parse_pod_uid(const char *s, size_t len, char out[POD_UID_LEN + 1])
{
	if (len != POD_UID_LEN)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (ch != '-' && ch != '_')
				return false;
			out[i] = '-';
		} else if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')) {
			out[i] = ch;
		} else {
			return false;
		}
	}
	out[len] = '\0';
	return true;
}

static enum pod_qos qos_of(struct component c)
{
	if (EQUALS(c, "besteffort"))
		return POD_QOS_BESTEFFORT;
	if (EQUALS(c, "burstable"))
		return POD_QOS_BURSTABLE;
	return POD_QOS_NONE;
}

/* systemd driver: kubepods[-<qos>][-pod<uid_>].slice */
static void parse_kubepods_slice(struct component c, struct container_identity *out)
{
	struct component rest = { c.s + strlen("kubepods"), c.len - strlen("kubepods") - strlen(".slice") };

	if (PREFIX(rest, "-besteffort")) {
		out->qos = POD_QOS_BESTEFFORT;
		rest.s += strlen("-besteffort"), rest.len -= strlen("-besteffort");
	} else if (PREFIX(rest, "-burstable")) {
		out->qos = POD_QOS_BURSTABLE;
		rest.s += strlen("-burstable"), rest.len -= strlen("-burstable");
	}
	if (PREFIX(rest, "-pod"))
		parse_pod_uid(rest.s + 4, rest.len - 4, out->pod_uid);
}

static void set_container(struct container_identity *out, enum container_runtime runtime, const char *id)
{
	out->runtime = runtime;
	memcpy(out->id, id, CONTAINER_ID_LEN);
	out->id[CONTAINER_ID_LEN] = '\0';
	memcpy(out->short_id, id, CONTAINER_SHORT_ID_LEN);
	out->short_id[CONTAINER_SHORT_ID_LEN] = '\0';
}

bool container_identity_from_cgroup(const char *path, struct container_identity *out)
{
	struct component prev = { "", 0 };
	bool in_kubepods = false;
	const char *p = path;

	memset(out, 0, sizeof(*out));
	if (!path)
		return false;
	while (*p) {
		struct component c;
		const char *id;

		while (*p == '/')
			p++;
		c.s = p;
		while (*p && *p != '/')
			p++;
		c.len = (size_t)(p - c.s);
		if (c.len == 0 || c.len > MAX_COMPONENT)
			continue;

		if (EQUALS(c, "kubepods") || (PREFIX(c, "kubepods") && SUFFIX(c, ".slice") &&
					      (c.len == strlen("kubepods.slice") || c.s[8] == '-'))) {
			if (!in_kubepods)
				out->qos = POD_QOS_GUARANTEED; /* no QoS level below kubepods */
			in_kubepods = true;
			if (c.len > strlen("kubepods.slice"))
				parse_kubepods_slice(c, out);
		} else if (in_kubepods && qos_of(c) != POD_QOS_NONE && EQUALS(prev, "kubepods")) {
			out->qos = qos_of(c);
		} else if (in_kubepods && PREFIX(c, "pod") && parse_pod_uid(c.s + 3, c.len - 3, out->pod_uid)) {
			/* cgroupfs driver: .../pod<uid>/<id> */
		} else if (WRAPPED(c, "docker-", ".scope", &id)) {
			set_container(out, CONTAINER_RUNTIME_DOCKER, id);
		} else if (WRAPPED(c, "cri-containerd-", ".scope", &id)) {
			set_container(out, CONTAINER_RUNTIME_CONTAINERD, id);
		} else if (WRAPPED(c, "crio-", ".scope", &id)) {
			set_container(out, CONTAINER_RUNTIME_CRIO, id);
		} else if (WRAPPED(c, "libpod-", ".scope", &id) || WRAPPED(c, "libpod-", "", &id)) {
			set_container(out, CONTAINER_RUNTIME_PODMAN, id);
		} else if (is_hex_id(c.s, c.len)) {
			/* cgroupfs driver: /docker/<id>, or a pod's containers by id alone */
			if (EQUALS(prev, "docker"))
				set_container(out, CONTAINER_RUNTIME_DOCKER, c.s);
			else if (out->pod_uid[0])
				set_container(out, CONTAINER_RUNTIME_UNKNOWN, c.s);
		}
		prev = c;
	}
	if (!in_kubepods) {
		out->qos = POD_QOS_NONE;
		out->pod_uid[0] = '\0';
	}
	return out->id[0] || out->pod_uid[0];
}

bool container_identity_set(struct container_identity *out, enum container_runtime runtime, const char *id)
{
	size_t n = id ? strnlen(id, CONTAINER_ID_MAX + 1) : 0;

	if (n == 0 || n > CONTAINER_ID_MAX)
		return false;
	out->runtime = runtime;
	memcpy(out->id, id, n);
	out->id[n] = '\0';
	snprintf(out->short_id, sizeof(out->short_id), "%.*s", CONTAINER_SHORT_ID_LEN, id);
	return true;
}

const char *container_runtime_name(enum container_runtime runtime)
{
	static const char *const names[] = {
		[CONTAINER_RUNTIME_DOCKER] = "docker", [CONTAINER_RUNTIME_CONTAINERD] = "containerd",
		[CONTAINER_RUNTIME_CRIO] = "cri-o",    [CONTAINER_RUNTIME_PODMAN] = "podman",
		[CONTAINER_RUNTIME_UNKNOWN] = "unknown",
	};

	return (unsigned)runtime < ELEMENTSOF(names) ? names[runtime] : NULL;
}

const char *pod_qos_name(enum pod_qos qos)
{
	static const char *const names[] = {
		[POD_QOS_GUARANTEED] = "Guaranteed",
		[POD_QOS_BURSTABLE] = "Burstable",
		[POD_QOS_BESTEFFORT] = "BestEffort",
	};

	return (unsigned)qos < ELEMENTSOF(names) ? names[qos] : NULL;
}
