/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * spec.selector: which cgroups a policy governs.
 *
 * Each key of a selector becomes a predicate: a set of cgroup path patterns,
 * ORed, written canonically (patterns separated by '\n', components by '/',
 * "**" matching zero or more components) so that equal predicates are equal
 * strings and the set-wide compiler (selection.c) can share them. The keys
 * of one selector are ANDed; the selectors of a policy are ORed.
 *
 * A predicate holds at a cgroup when one of its patterns matches the
 * cgroup's path or a prefix of it: it holds for the cgroup it names and all
 * its descendants. A trailing "**" therefore adds nothing and is dropped, and
 * a pattern with no component (the root, alone or followed by "**") always
 * holds: such a key adds no predicate at all.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup_glob.h"
#include "cleanup.h"
#include "selector.h"

#define CONTAINER_ID_MIN 12
#define CONTAINER_ID_MAX 64
#define POD_UID_LEN 36

int selector_appendf(char **s, const char *separator, const char *fmt, ...)
{
	_cleanup_free_ char *piece = NULL;
	char *joined;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&piece, fmt, ap);
	va_end(ap);
	if (r < 0) {
		piece = NULL;
		return -ENOMEM;
	}
	if (!*s) {
		*s = TAKE_PTR(piece);
		return 0;
	}
	if (asprintf(&joined, "%s%s%s", *s, separator, piece) < 0)
		return -ENOMEM;
	free(*s);
	*s = joined;
	return 0;
}

/* Take @patterns (owned) as a new predicate of @selector. */
static int selector_add_predicate(struct model_selector *selector, char *patterns, const char *description)
{
	_cleanup_free_ char *owned = patterns;
	struct policy_selector_predicate *predicate;

	if (!owned)
		return -ENOMEM;
	if (selector->npredicates >= MODEL_MAX_SELECTOR_PREDICATES)
		return -E2BIG; /* one per key, and the table has that many keys: a bug */
	predicate = &selector->predicates[selector->npredicates];
	predicate->description = strdup(description);
	if (!predicate->description)
		return -ENOMEM;
	predicate->patterns = TAKE_PTR(owned);
	selector->npredicates++;
	return 0;
}

static int selector_add_text(struct model_selector *selector, const char *key, const char *value)
{
	return selector_appendf(&selector->text, " and ", "%s %s", key, value);
}

/* ---- cgroup: a path or glob ------------------------------------------------ */

/*
 * The pattern of a normalised path: components checked against what the
 * kernel matcher can do, "**" runs collapsed, a trailing "**" dropped.
 * Returns 0 with *@ret ("" for the root), or *@ret NULL after reporting.
 */
static int cgroup_pattern(struct parse_ctx *ctx, const struct ynode *node, const char *path, const char *normal,
			  char **ret)
{
	char quoted[DIAG_QUOTE_SIZE];
	struct cgroup_glob g;
	size_t len;
	int r;

	*ret = NULL;
	r = cgroup_glob_parse(normal, 0, &g);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		switch (g.problem) {
		case CGROUP_GLOB_STARS:
			parse_error(ctx, node,
				    "%s: component %s has %zu '*' (the kernel matcher allows one '*' per component: "
				    "use '?' for single characters, or a whole component '**' for any number of "
				    "components)",
				    path, diag_quote(quoted, g.at, g.at_len), g.stars);
			break;
		case CGROUP_GLOB_LONG:
			parse_error(ctx, node, "%s: component %s is %zu bytes long, more than CG_PATTERN_LEN - 1 (%d)",
				    path, diag_quote(quoted, g.at, g.at_len), g.at_len, CG_PATTERN_LEN - 1);
			break;
		case CGROUP_GLOB_DEEP:
			parse_error(ctx, node, "%s: more than CG_MAX_CGROUP_DEPTH (%d) components", path,
				    CG_MAX_CGROUP_DEPTH);
			break;
		default: /* normalize_absolute_path() has refused '.' and '..' already */
			parse_error(ctx, node, "%s: '.' and '..' components are not allowed", path);
			break;
		}
		return 0;
	}
	/* A predicate holds below where it matched: a trailing "**" is implied. */
	if (g.ends_any) {
		len = strlen(g.pattern);
		g.pattern[len >= 3 ? len - 3 : 0] = '\0';
	}
	*ret = g.pattern;
	return 0;
}

static int parse_cgroup(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct model_selector *selector = target;
	_cleanup_free_ char *pattern = NULL, *description = NULL;
	int r;

	r = normalize_absolute_path(ctx, arg->value, arg->path, &selector->cgroup);
	if (r < 0 || !selector->cgroup)
		return r;
	r = cgroup_pattern(ctx, arg->value, arg->path, selector->cgroup, &pattern);
	if (r < 0 || !pattern)
		return r;
	r = selector_add_text(selector, "cgroup", selector->cgroup);
	if (r < 0)
		return r;
	if (!*pattern)
		return 0; /* the root and everything below: always holds */
	if (asprintf(&description, "cgroup %s", selector->cgroup) < 0) {
		description = NULL;
		return -ENOMEM;
	}
	return selector_add_predicate(selector, TAKE_PTR(pattern), description);
}

/* ---- systemdUnit ----------------------------------------------------------- */

static bool unit_char_is_valid(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
	       c == '-' || c == '_' || c == '.' || c == '\\' || c == '@';
}

static int parse_systemd_unit(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	/* Unit types whose processes run in a cgroup of the unit's name. */
	static const char *const cgroup_suffixes[] = { ".service", ".scope", ".slice", ".socket", ".mount", ".swap" };
	static const char *const other_suffixes[] = { ".target", ".timer", ".path", ".device", ".automount" };
	struct model_selector *selector = target;
	_cleanup_free_ char *unit = NULL, *pattern = NULL, *description = NULL;
	char quoted[DIAG_QUOTE_SIZE];
	const char *name, *at, *dot;
	bool has_suffix = false;
	size_t len;

	if (!expect_string(ctx, arg->value, arg->path, &name))
		return 0;
	len = strlen(name);
	diag_quote(quoted, name, len);
	for (size_t i = 0; i < len; i++)
		if (!unit_char_is_valid(name[i])) {
			parse_error(ctx, arg->value,
				    "%s: %s is not a valid unit name (allowed: letters, digits, ':', '-', '_', '.', "
				    "'\\' and one '@'; globs are written with cgroup:)",
				    arg->path, quoted);
			return 0;
		}
	at = strchr(name, '@');
	if (len == 0 || name[0] == '.' || name[0] == '@' || (at && strchr(at + 1, '@'))) {
		parse_error(ctx, arg->value,
			    "%s: %s is not a valid unit name (allowed: letters, digits, ':', '-', '_', '.', '\\' and "
			    "one '@'; globs are written with cgroup:)",
			    arg->path, quoted);
		return 0;
	}
	dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < ELEMENTSOF(other_suffixes); i++)
		if (strcmp(dot, other_suffixes[i]) == 0) {
			parse_error(ctx, arg->value,
				    "%s: %s units have no cgroup of their own (expected a .service, .scope, .slice, "
				    ".socket, .mount or .swap unit)",
				    arg->path, other_suffixes[i] + 1);
			return 0;
		}
	for (size_t i = 0; dot && i < ELEMENTSOF(cgroup_suffixes); i++)
		has_suffix = has_suffix || strcmp(dot, cgroup_suffixes[i]) == 0;
	if (asprintf(&unit, "%s%s", name, has_suffix ? "" : ".service") < 0) {
		unit = NULL;
		return -ENOMEM;
	}
	at = strchr(unit, '@');
	if (at && at[1] == '.') {
		parse_error(ctx, arg->value,
			    "%s: %s is a template, which has no cgroup (name an instance such as 'getty@tty1.service', "
			    "or every instance with cgroup: /system.slice/system-NAME.slice)",
			    arg->path, quoted);
		return 0;
	}
	if (strlen(unit) >= CG_PATTERN_LEN) {
		parse_error(ctx, arg->value, "%s: unit name %s is %zu bytes long, more than CG_PATTERN_LEN - 1 (%d)",
			    arg->path, quoted, strlen(unit), CG_PATTERN_LEN - 1);
		return 0;
	}
	if (asprintf(&pattern, "**/%s", unit) < 0 || asprintf(&description, "systemdUnit %s", unit) < 0)
		return -ENOMEM;
	if (selector_add_text(selector, "systemdUnit", unit) < 0)
		return -ENOMEM;
	return selector_add_predicate(selector, TAKE_PTR(pattern), description);
}

/* ---- container ------------------------------------------------------------- */

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static int parse_container(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct model_selector *selector = target;
	_cleanup_free_ char *pattern = NULL, *description = NULL;
	char quoted[DIAG_QUOTE_SIZE];
	const char *id;
	size_t len;

	if (!expect_string(ctx, arg->value, arg->path, &id))
		return 0;
	len = strlen(id);
	diag_quote(quoted, id, len);
	for (size_t i = 0; i < len; i++)
		if (!is_lower_hex(id[i])) {
			if (id[i] >= 'A' && id[i] <= 'F')
				parse_error(ctx, arg->value, "%s: %s is not a container id: ids are lowercase hex",
					    arg->path, quoted);
			else
				parse_error(ctx, arg->value,
					    "%s: %s is not a container id (expected 12 to 64 lowercase hex characters)",
					    arg->path, quoted);
			return 0;
		}
	if (len < CONTAINER_ID_MIN) {
		parse_error(ctx, arg->value,
			    "%s: container id %s has %zu characters, fewer than 12 (a short prefix could match "
			    "'crio-conmon-...' or several containers: give at least 12 hex characters)",
			    arg->path, quoted, len);
		return 0;
	}
	if (len > CONTAINER_ID_MAX) {
		parse_error(ctx, arg->value, "%s: container id %s has %zu characters, more than 64", arg->path,
			    quoted, len);
		return 0;
	}
	/*
	 * docker and containerd (CRI) with the systemd cgroup driver, CRI-O and
	 * podman with either driver, and the bare id of the cgroupfs drivers.
	 * Always a prefix glob, even for a full 64-character id: '*' may match
	 * nothing, and "libpod-ID*" covers both "libpod-ID" and
	 * "libpod-ID.scope" (and "crio-ID*" both "crio-ID" and "crio-ID.scope").
	 */
	if (asprintf(&pattern,
		     "**/docker-%s*.scope\n**/cri-containerd-%s*.scope\n**/crio-%s*\n**/libpod-%s*\n**/%s*", id, id,
		     id, id, id) < 0 ||
	    asprintf(&description, "container %s", id) < 0)
		return -ENOMEM;
	if (selector_add_text(selector, "container", id) < 0)
		return -ENOMEM;
	return selector_add_predicate(selector, TAKE_PTR(pattern), description);
}

/* ---- pod ------------------------------------------------------------------- */

static bool is_pod_uid(const char *uid)
{
	if (strlen(uid) != POD_UID_LEN)
		return false;
	for (size_t i = 0; i < POD_UID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? uid[i] != '-' : !is_lower_hex(uid[i]))
			return false;
	}
	return true;
}

static int parse_pod(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct model_selector *selector = target;
	_cleanup_free_ char *pattern = NULL, *description = NULL;
	char quoted[DIAG_QUOTE_SIZE], underscored[POD_UID_LEN + 1];
	const char *uid;

	if (!expect_string(ctx, arg->value, arg->path, &uid))
		return 0;
	if (!is_pod_uid(uid)) {
		parse_error(ctx, arg->value,
			    "%s: %s is not a pod UID (expected the RFC 4122 form in lowercase, as in "
			    "'0f3c1d52-7f6e-4a8b-9c3d-2e1f0a9b8c7d': kubectl get pod NAME -o jsonpath='{.metadata.uid}')",
			    arg->path, ynode_describe(arg->value, quoted));
		return 0;
	}
	for (size_t i = 0; i <= POD_UID_LEN; i++)
		underscored[i] = uid[i] == '-' ? '_' : uid[i];
	/* The systemd driver (kubepods-pod..., kubepods-burstable-pod..., ...) and cgroupfs. */
	if (asprintf(&pattern, "**/kubepods*-pod%s.slice\n**/pod%s", underscored, uid) < 0 ||
	    asprintf(&description, "pod %s", uid) < 0)
		return -ENOMEM;
	if (selector_add_text(selector, "pod", uid) < 0)
		return -ENOMEM;
	return selector_add_predicate(selector, TAKE_PTR(pattern), description);
}

/* ---- qos ------------------------------------------------------------------- */

enum qos_class {
	QOS_GUARANTEED,
	QOS_BURSTABLE,
	QOS_BESTEFFORT,
};

static const struct policy_keyword qos_keywords[] = {
	{ "guaranteed", QOS_GUARANTEED },
	{ "burstable", QOS_BURSTABLE },
	{ "besteffort", QOS_BESTEFFORT },
};

static const struct policy_keyword_table qos_table = { qos_keywords, ELEMENTSOF(qos_keywords) };

static int parse_qos(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	/* The systemd driver's slices, then cgroupfs's directories. */
	static const char *const patterns[] = {
		[QOS_GUARANTEED] = "**/kubepods.slice/kubepods-pod*.slice\n**/kubepods/pod*",
		[QOS_BURSTABLE] = "**/kubepods-burstable.slice\n**/kubepods/burstable",
		[QOS_BESTEFFORT] = "**/kubepods-besteffort.slice\n**/kubepods/besteffort",
	};
	struct model_selector *selector = target;
	_cleanup_free_ char *description = NULL;
	unsigned qos;

	if (!parse_keyword(ctx, arg->value, arg->path, &qos_table, &qos))
		return 0;
	if (asprintf(&description, "qos %s", qos_keywords[qos].name) < 0) {
		description = NULL;
		return -ENOMEM;
	}
	if (selector_add_text(selector, "qos", qos_keywords[qos].name) < 0)
		return -ENOMEM;
	return selector_add_predicate(selector, strdup(patterns[qos]), description);
}

/* ---- host ------------------------------------------------------------------ */

static int parse_host(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct model_selector *selector = target;
	bool host;

	if (!parse_bool(ctx, arg->value, arg->path, &host))
		return 0;
	if (!host) {
		parse_error(ctx, arg->value,
			    "%s: 'host: false' is not supported (to select containers use container:, pod: or qos:, "
			    "or a cgroup: such as /kubepods.slice; without host:, a selector does not look at "
			    "containers at all)",
			    arg->path);
		return 0;
	}
	selector->host = true;
	return selector_appendf(&selector->text, " and ", "host");
}

/* The keys of one selector are ANDed; a new kind of selector is a new row. */
static const struct field selector_fields[] = {
	{ .key = "cgroup", .parse = parse_cgroup },
	{ .key = "systemdUnit", .parse = parse_systemd_unit },
	{ .key = "container", .parse = parse_container },
	{ .key = "pod", .parse = parse_pod },
	{ .key = "qos", .parse = parse_qos },
	{ .key = "host", .parse = parse_host },
	{ .key = "selinuxType", .parse = parse_selinux_type },
	{ .key = "selinuxContext", .parse = parse_selinux_context },
	{ .key = "containerName", .parse = parse_container_name },
	{ .key = "image", .parse = parse_image },
	{ .key = "labels", .parse = parse_labels },
	{ .key = "namespace", .parse = parse_namespace },
};

static int parse_selector(struct parse_ctx *ctx, const struct ynode *node, const char *path,
			  struct policy_model *model)
{
	struct model_selector *selector;
	char keys[CHOICES_SIZE];
	int r;

	if (!expect_mapping(ctx, node, path))
		return 0;
	if (node->count == 0) {
		parse_error(ctx, node, "%s: empty selector (expected at least one of: %s)", path,
			    field_keys(keys, selector_fields, ELEMENTSOF(selector_fields)));
		return 0;
	}
	selector = &model->selectors[model->nselectors++];
	*selector = (struct model_selector){ .mark = { node->line, node->column } };
	r = parse_fields(ctx, node, path, node, selector_fields, ELEMENTSOF(selector_fields), selector);
	if (r < 0)
		return r;
	return check_identity_combination(ctx, node, path);
}

int parse_selectors(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct policy_model *model = target;
	const struct ynode *node = arg->value;
	char item_path[PATH_SIZE], described[DIAG_QUOTE_SIZE];
	size_t index = 0, errors_before = ctx->reporter->errors;
	int r;

	if (node->kind == YNODE_MAPPING)
		return parse_selector(ctx, node, arg->path, model);
	if (node->kind != YNODE_SEQUENCE) {
		parse_error(ctx, node, "%s: expected a mapping or a list of mappings, got %s", arg->path,
			    ynode_describe(node, described));
		return 0;
	}
	if (node->count == 0) {
		parse_error(ctx, node, "%s: expected at least one selector", arg->path);
		return 0;
	}
	if (node->count > POLICY_MAX_SELECTORS) {
		parse_error(ctx, node, "%s: %zu selectors, more than POLICY_MAX_SELECTORS (%d)", arg->path,
			    node->count, POLICY_MAX_SELECTORS);
		return 0;
	}
	for (const struct ynode *item = node->first; item; item = item->next, index++) {
		r = parse_selector(ctx, item, path_index(item_path, arg->path, index), model);
		if (r < 0)
			return r;
	}
	/* Selectors already in error would only disagree in noise. */
	if (ctx->reporter->errors != errors_before)
		return 0;
	return check_selinux_agreement(ctx, arg->path, model);
}

void model_selector_done(struct model_selector *selector)
{
	free(selector->cgroup);
	free(selector->text);
	for (unsigned i = 0; i < selector->npredicates; i++) {
		free(selector->predicates[i].patterns);
		free(selector->predicates[i].description);
	}
	for (unsigned i = 0; i < selector->nselinux; i++)
		free(selector->selinux[i].value);
	free(selector->container_name);
	free(selector->image);
	free(selector->pod_namespace);
	for (unsigned i = 0; i < selector->nlabels; i++) {
		free(selector->labels[i].key);
		free(selector->labels[i].value);
	}
	*selector = (struct model_selector){};
}
