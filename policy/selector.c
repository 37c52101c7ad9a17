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
#include "context.h"
#include "parse.h"

#define CONTAINER_ID_MIN 12
#define CONTAINER_ID_MAX 64
#define POD_UID_LEN 36

/* Append to an owned string, with @separator when it is not empty. */
static int str_appendf(char **s, const char *separator, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int str_appendf(char **s, const char *separator, const char *fmt, ...)
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
	return str_appendf(&selector->text, " and ", "%s %s", key, value);
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
	return str_appendf(&selector->text, " and ", "host");
}

/* ---- selinuxType, selinuxContext ------------------------------------------ */

static int compare_labels(const void *a, const void *b)
{
	const struct policy_selinux_label *x = a, *y = b;

	if (x->kind != y->kind)
		return (int)x->kind - (int)y->kind;
	return strcmp(x->value, y->value);
}

/* One label, checked; the canonical value into @buf, or false after reporting. */
static bool check_selinux_label(struct parse_ctx *ctx, const struct ynode *node, const char *path,
				enum policy_selinux_kind kind, const char *value, char *buf, size_t size)
{
	char quoted[DIAG_QUOTE_SIZE], canonical[DIAG_QUOTE_SIZE];
	size_t len = strlen(value);
	int r;

	diag_quote(quoted, value, len);
	if (kind == POLICY_SELINUX_TYPE) {
		if (strchr(value, ':')) {
			parse_error(ctx, node, "%s: %s is a context, not a type (a whole context goes in selinuxContext)",
				    path, quoted);
			return false;
		}
		if (!selinux_name_valid(value, len)) {
			parse_error(ctx, node,
				    "%s: %s is not an SELinux type (a letter, then letters, digits, '_', '-' and '.', at "
				    "most %d bytes)",
				    path, quoted, SELINUX_NAME_MAX);
			return false;
		}
		snprintf(buf, size, "%s", value);
		return true;
	}
	r = selinux_context_canonical(value, len, buf, size);
	if (r == -E2BIG || (r == -ENOBUFS && len > SELINUX_CONTEXT_MAX)) {
		parse_error(ctx, node, "%s: context %s is %zu bytes long, more than %d", path, quoted, len,
			    SELINUX_CONTEXT_MAX);
		return false;
	}
	if (r < 0) {
		parse_error(ctx, node,
			    "%s: %s is not an SELinux context (expected user:role:type or user:role:type:level, as in "
			    "'system_u:system_r:container_t:s0:c12,c34')",
			    path, quoted);
		return false;
	}
	/* Contexts are compared as strings: the policy must say it as the kernel does. */
	if (strcmp(buf, value) != 0) {
		parse_error(ctx, node,
			    "%s: %s is not written as the kernel writes contexts, so no process would ever match it "
			    "(did you mean %s?)",
			    path, quoted, diag_quote(canonical, buf, strlen(buf)));
		return false;
	}
	return true;
}

static int parse_selinux(struct parse_ctx *ctx, const struct field_arg *arg, struct model_selector *selector,
			 enum policy_selinux_kind kind, const char *key)
{
	const struct ynode *node = arg->value, *item;
	char item_path[PATH_SIZE], value[POLICY_SELINUX_LABEL_SIZE], described[DIAG_QUOTE_SIZE];
	size_t index = 0;
	bool single = node->kind != YNODE_SEQUENCE;

	if (selector->nselinux > 0 || selector->selinux_mark.line) {
		parse_error(ctx, node,
			    "%s: a selector names either selinuxType or selinuxContext, not both (a context already "
			    "names its type)",
			    arg->path);
		return 0;
	}
	selector->selinux_mark = (struct model_mark){ node->line, node->column };
	if (!single && node->count == 0) {
		parse_error(ctx, node, "%s: expected at least one %s", arg->path,
			    kind == POLICY_SELINUX_TYPE ? "type" : "context");
		return 0;
	}
	if (!single && node->count > POLICY_MAX_SELINUX_LABELS) {
		parse_error(ctx, node, "%s: %zu items, more than POLICY_MAX_SELINUX_LABELS (%d)", arg->path,
			    node->count, POLICY_MAX_SELINUX_LABELS);
		return 0;
	}
	for (item = single ? node : node->first; item; item = single ? NULL : item->next, index++) {
		const char *path = single ? arg->path : path_index(item_path, arg->path, index);
		const char *text;
		bool duplicate = false;

		if (item->kind != YNODE_SCALAR) {
			parse_error(ctx, item, "%s: expected a string or a list of strings, got %s", path,
				    ynode_describe(item, described));
			return 0;
		}
		if (!expect_string(ctx, item, path, &text))
			return 0;
		if (!check_selinux_label(ctx, item, path, kind, text, value, sizeof(value)))
			return 0;
		for (unsigned i = 0; i < selector->nselinux; i++)
			duplicate = duplicate || strcmp(selector->selinux[i].value, value) == 0;
		if (duplicate)
			continue;
		selector->selinux[selector->nselinux].kind = kind;
		selector->selinux[selector->nselinux].value = strdup(value);
		if (!selector->selinux[selector->nselinux].value)
			return -ENOMEM;
		selector->nselinux++;
		if (str_appendf(&selector->text, selector->nselinux == 1 ? " and " : " or ", "%s%s%s",
				selector->nselinux == 1 ? key : "", selector->nselinux == 1 ? " " : "", value) < 0)
			return -ENOMEM;
	}
	qsort(selector->selinux, selector->nselinux, sizeof(selector->selinux[0]), compare_labels);
	return 0;
}

static int parse_selinux_type(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	return parse_selinux(ctx, arg, target, POLICY_SELINUX_TYPE, "selinuxType");
}

static int parse_selinux_context(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	return parse_selinux(ctx, arg, target, POLICY_SELINUX_CONTEXT, "selinuxContext");
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
};

static int parse_selector(struct parse_ctx *ctx, const struct ynode *node, const char *path,
			  struct policy_model *model)
{
	struct model_selector *selector;
	char keys[CHOICES_SIZE];

	if (!expect_mapping(ctx, node, path))
		return 0;
	if (node->count == 0) {
		parse_error(ctx, node, "%s: empty selector (expected at least one of: %s)", path,
			    field_keys(keys, selector_fields, ELEMENTSOF(selector_fields)));
		return 0;
	}
	selector = &model->selectors[model->nselectors++];
	*selector = (struct model_selector){ .mark = { node->line, node->column } };
	return parse_fields(ctx, node, path, node, selector_fields, ELEMENTSOF(selector_fields), selector);
}

static bool same_selinux(const struct model_selector *a, const struct model_selector *b)
{
	if (a->nselinux != b->nselinux)
		return false;
	for (unsigned i = 0; i < a->nselinux; i++)
		if (a->selinux[i].kind != b->selinux[i].kind || strcmp(a->selinux[i].value, b->selinux[i].value) != 0)
			return false;
	return true;
}

static void describe_selinux(const struct model_selector *s, char *buf, size_t size)
{
	size_t off = 0;

	snprintf(buf, size, "%s", s->nselinux ? "" : "none: any process");
	for (unsigned i = 0; i < s->nselinux && off < size; i++) {
		int n = snprintf(buf + off, size - off, "%s%s %s", i ? " or " : "",
				 s->selinux[i].kind == POLICY_SELINUX_TYPE ? "selinuxType" : "selinuxContext",
				 s->selinux[i].value);

		if (n < 0)
			break;
		off += (size_t)n;
	}
}

/*
 * The kernel keeps one SELinux condition per policy (cg_policy.selinux_types),
 * applied to whichever of its selectors chose the cgroup: ORed selectors
 * that disagree on it cannot be compiled faithfully.
 */
static int check_selinux_agreement(struct parse_ctx *ctx, const char *path, const struct policy_model *model)
{
	char first[512], other[512], item_path[PATH_SIZE], first_path[PATH_SIZE];

	for (unsigned i = 1; i < model->nselectors; i++) {
		const struct model_selector *s = &model->selectors[i];

		if (same_selinux(&model->selectors[0], s))
			continue;
		describe_selinux(&model->selectors[0], first, sizeof(first));
		describe_selinux(s, other, sizeof(other));
		diag_error(ctx->reporter, s->mark.line, s->mark.column,
			   "%s: its SELinux condition (%s) differs from %s's (%s); a policy has one SELinux "
			   "condition for all its selectors: split them into two policies, one per condition",
			   path_index(item_path, path, i), other, path_index(first_path, path, 0), first);
		return 0;
	}
	return 0;
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
	*selector = (struct model_selector){};
}
