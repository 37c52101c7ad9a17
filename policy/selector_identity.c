// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * containerName, image, labels and namespace: the selector keys that name a
 * container by what its runtime says about it (policy/identity.h). They
 * add no cgroup predicate: the agent matches them against a container's
 * facts and applies the policy at the container's own cgroup. Values are
 * globs of '*' and '?' only; anything a reader could take for more (a
 * class, braces, an escape, "**") is refused here rather than matched
 * literally, which would silently select nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "selector.h"

/* The characters a key's values may hold, besides '*' and '?'. */
enum identity_charset {
	CHARSET_NAME,	   /* containerName: docker's and podman's [A-Za-z0-9_.-] */
	CHARSET_NAMESPACE, /* a Kubernetes namespace: a DNS label, lowercase */
	CHARSET_IMAGE,	   /* a reference: name components, '/', ':' tag, '@' digest */
	CHARSET_LABEL_KEY, /* Kubernetes' [prefix/]name, docker's reverse-DNS keys */
	CHARSET_LABEL_VALUE, /* any printable ASCII, space included */
};

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool char_allowed(enum identity_charset set, char c)
{
	switch (set) {
	case CHARSET_NAME:
		return is_alnum(c) || c == '_' || c == '.' || c == '-';
	case CHARSET_NAMESPACE:
		return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
	case CHARSET_IMAGE:
		return is_alnum(c) || c == '_' || c == '.' || c == '-' || c == '/' || c == ':' || c == '@';
	case CHARSET_LABEL_KEY:
		return is_alnum(c) || c == '_' || c == '.' || c == '-' || c == '/';
	case CHARSET_LABEL_VALUE:
		return c >= 0x20 && c < 0x7f;
	}
	return false;
}

static const char *const allowed_text[] = {
	[CHARSET_NAME] = "letters, digits, '_', '.' and '-'",
	[CHARSET_NAMESPACE] = "lowercase letters, digits and '-'",
	[CHARSET_IMAGE] = "letters, digits, '_', '.', '-', '/', ':' and '@'",
	[CHARSET_LABEL_KEY] = "letters, digits, '_', '.', '-' and '/'",
	[CHARSET_LABEL_VALUE] = "printable ASCII",
};

/*
 * @value checked as a glob of @set, at most @max bytes. Returns true, or
 * false after reporting at @node. @what names the value in messages.
 */
static bool check_glob(struct parse_ctx *ctx, const struct ynode *node, const char *path, const char *what,
		       const char *value, size_t length, enum identity_charset set, size_t max)
{
	char quoted[DIAG_QUOTE_SIZE], bad[DIAG_QUOTE_SIZE];

	diag_quote(quoted, value, length);
	if (length == 0) {
		parse_error(ctx, node, "%s: empty %s (write '*' for any)", path, what);
		return false;
	}
	if (length > max) {
		parse_error(ctx, node, "%s: %s %s is %zu bytes long, more than %zu", path, what, quoted, length, max);
		return false;
	}
	if (strstr(value, "**")) {
		parse_error(ctx, node,
			    "%s: %s has '**': here one '*' already matches any characters, '/' and ':' included "
			    "(write one '*')",
			    path, quoted);
		return false;
	}
	for (size_t i = 0; i < length; i++) {
		char c = value[i];

		if (c == '*' || c == '?')
			continue;
		if (c == '[' || c == ']' || c == '{' || c == '}' || c == '\\') {
			parse_error(ctx, node,
				    "%s: %s has %s: only '*' (any characters) and '?' (one character) are globs "
				    "here, with no classes, braces or escapes ('?' also matches a literal '*' or '?')",
				    path, quoted, diag_quote(bad, &value[i], 1));
			return false;
		}
		if (!char_allowed(set, c)) {
			if (set == CHARSET_NAMESPACE && c >= 'A' && c <= 'Z')
				parse_error(ctx, node, "%s: %s: Kubernetes namespaces are lowercase", path, quoted);
			else if (set == CHARSET_NAME && c == '/' && i == 0)
				parse_error(ctx, node,
					    "%s: %s: write the name without the '/' that docker inspect puts before it",
					    path, quoted);
			else
				parse_error(ctx, node, "%s: %s is not a valid %s: %s is not allowed (allowed: %s, and "
						       "the globs '*' and '?')",
					    path, quoted, what, diag_quote(bad, &value[i], 1), allowed_text[set]);
			return false;
		}
	}
	return true;
}

static int identity_text(struct model_selector *selector, const char *key, const char *value)
{
	return selector_appendf(&selector->text, " and ", "%s %s", key, value);
}

/* A glob key's value, checked, into *@slot (owned). */
static int parse_glob_key(struct parse_ctx *ctx, const struct field_arg *arg, struct model_selector *selector,
			  char **slot, const char *what, enum identity_charset set, size_t max)
{
	const char *value;

	if (!expect_string(ctx, arg->value, arg->path, &value))
		return 0;
	if (!check_glob(ctx, arg->value, arg->path, what, value, arg->value->length, set, max))
		return 0;
	*slot = strdup(value);
	if (!*slot)
		return -ENOMEM;
	return identity_text(selector, arg->field->key, value);
}

int parse_container_name(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct model_selector *selector = target;

	return parse_glob_key(ctx, arg, selector, &selector->container_name, "container name", CHARSET_NAME,
			      POLICY_MAX_IDENTITY_PATTERN_LEN);
}

int parse_namespace(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct model_selector *selector = target;

	return parse_glob_key(ctx, arg, selector, &selector->pod_namespace, "namespace", CHARSET_NAMESPACE,
			      POLICY_MAX_IDENTITY_PATTERN_LEN);
}

static bool has_glob(const char *s, size_t len)
{
	return memchr(s, '*', len) || memchr(s, '?', len);
}

/* docker's rule for a first component: a host when it has a '.' or a ':', is "localhost", or has capitals. */
static bool is_registry_host(const char *component, size_t len)
{
	if (memchr(component, '.', len) || memchr(component, ':', len) ||
	    (len == 9 && strncmp(component, "localhost", 9) == 0))
		return true;
	for (size_t i = 0; i < len; i++)
		if (component[i] >= 'A' && component[i] <= 'Z')
			return true;
	return false;
}

/*
 * Images are compared with the reference the runtime recorded, normalised
 * the way docker does (agent/runtime/cri_metadata.c): "nginx" is
 * "docker.io/library/nginx:latest". A pattern written short would never
 * match, so it is refused with its long form as the hint. A pattern whose
 * registry part is itself a glob is taken as it is. Returns 1, 0 after
 * reporting, or -ENOMEM.
 */
static int check_image_normalised(struct parse_ctx *ctx, const struct ynode *node, const char *path,
				  const char *image)
{
	char quoted[DIAG_QUOTE_SIZE], hint[DIAG_QUOTE_SIZE], hint_any[DIAG_QUOTE_SIZE];
	const char *slash = strchr(image, '/'), *last = strrchr(image, '/');
	size_t domain_len = slash ? (size_t)(slash - image) : strlen(image);
	bool tagged = strpbrk(last ? last + 1 : image, ":@*") != NULL;
	_cleanup_free_ char *fixed = NULL, *any = NULL;

	diag_quote(quoted, image, strlen(image));
	if (!has_glob(image, domain_len) && (!slash || !is_registry_host(image, domain_len))) {
		if (asprintf(&fixed, "docker.io/%s%s%s", slash ? "" : "library/", image, tagged ? "" : ":latest") < 0) {
			fixed = NULL;
			return -ENOMEM;
		}
		parse_error(ctx, node,
			    "%s: %s names no registry, and images are compared in full, as the runtime records "
			    "them (did you mean %s?)",
			    path, quoted, diag_quote(hint, fixed, strlen(fixed)));
		return 0;
	}
	if (tagged)
		return 1;
	if (asprintf(&fixed, "%s:latest", image) < 0) {
		fixed = NULL;
		return -ENOMEM;
	}
	if (asprintf(&any, "%s:*", image) < 0) {
		any = NULL;
		return -ENOMEM;
	}
	parse_error(ctx, node,
		    "%s: %s names no tag or digest, and images are compared with theirs (a reference given "
		    "without one is ':latest'): write %s, or %s for any tag",
		    path, quoted, diag_quote(hint, fixed, strlen(fixed)), diag_quote(hint_any, any, strlen(any)));
	return 0;
}

int parse_image(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct model_selector *selector = target;
	const char *value;
	int r;

	if (!expect_string(ctx, arg->value, arg->path, &value))
		return 0;
	if (!check_glob(ctx, arg->value, arg->path, "image reference", value, arg->value->length, CHARSET_IMAGE,
			POLICY_MAX_IMAGE_PATTERN_LEN))
		return 0;
	r = check_image_normalised(ctx, arg->value, arg->path, value);
	if (r <= 0)
		return r;
	selector->image = strdup(value);
	if (!selector->image)
		return -ENOMEM;
	return identity_text(selector, "image", value);
}

static int compare_labels(const void *a, const void *b)
{
	const struct policy_identity_label *x = a, *y = b;

	return strcmp(x->key, y->key);
}

int parse_labels(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct model_selector *selector = target;
	const struct ynode *node = arg->value;
	char item_path[PATH_SIZE], quoted[DIAG_QUOTE_SIZE], described[DIAG_QUOTE_SIZE];
	_cleanup_free_ char *text = NULL;

	if (node->kind != YNODE_MAPPING) {
		parse_error(ctx, node, "%s: expected a mapping of label keys to values, as in {app: web}, got %s",
			    arg->path, ynode_describe(node, described));
		return 0;
	}
	if (node->count == 0) {
		parse_error(ctx, node, "%s: expected at least one label", arg->path);
		return 0;
	}
	if (node->count / 2 > POLICY_MAX_IDENTITY_LABELS) {
		parse_error(ctx, node, "%s: %zu labels, more than POLICY_MAX_IDENTITY_LABELS (%d)", arg->path,
			    node->count / 2, POLICY_MAX_IDENTITY_LABELS);
		return 0;
	}
	for (const struct ynode *key = node->first; key && key->next; key = key->next->next) {
		const struct ynode *value = key->next;
		struct policy_identity_label *label;
		const char *path, *text_value;

		if (key->kind != YNODE_SCALAR || !scalar_is_text(key)) {
			parse_error(ctx, key, "%s: label keys must be strings, got %s", arg->path,
				    ynode_describe(key, described));
			return 0;
		}
		diag_quote(quoted, key->value, key->length);
		if (has_glob(key->value, key->length)) {
			parse_error(ctx, key,
				    "%s: label key %s has a glob: keys are matched exactly (globs go in the value)",
				    arg->path, quoted);
			return 0;
		}
		if (!check_glob(ctx, key, arg->path, "label key", key->value, key->length, CHARSET_LABEL_KEY,
				POLICY_MAX_LABEL_KEY_LEN))
			return 0;
		for (unsigned i = 0; i < selector->nlabels; i++)
			if (strcmp(selector->labels[i].key, key->value) == 0) {
				parse_error(ctx, key, "%s: duplicate label key %s", arg->path, quoted);
				return 0;
			}
		path = path_key(item_path, arg->path, key->value);
		if (value->kind != YNODE_SCALAR || ynode_is_null(value)) {
			parse_error(ctx, value,
				    "%s: expected the label's value or a glob, got %s (write '*' for any value)", path,
				    ynode_describe(value, described));
			return 0;
		}
		if (!expect_string(ctx, value, path, &text_value))
			return 0;
		/* An empty value is a value: the label is set to "". */
		if (value->length > 0 && !check_glob(ctx, value, path, "label value", text_value, value->length,
						     CHARSET_LABEL_VALUE, POLICY_MAX_IDENTITY_PATTERN_LEN))
			return 0;
		label = &selector->labels[selector->nlabels];
		label->key = strdup(key->value);
		label->value = strdup(value->value);
		selector->nlabels++;
		if (!label->key || !label->value)
			return -ENOMEM;
	}
	qsort(selector->labels, selector->nlabels, sizeof(selector->labels[0]), compare_labels);
	for (unsigned i = 0; i < selector->nlabels; i++)
		if (selector_appendf(&text, ",", "%s=%s", selector->labels[i].key, selector->labels[i].value) < 0)
			return -ENOMEM;
	return identity_text(selector, "labels", text);
}

static bool is_identity_key(const struct ynode *key)
{
	static const char *const keys[] = { "containerName", "image", "labels", "namespace" };

	for (size_t i = 0; i < ELEMENTSOF(keys); i++)
		if (scalar_equals(key, keys[i]))
			return true;
	return false;
}

static bool is_path_key(const struct ynode *key)
{
	static const char *const keys[] = { "cgroup", "systemdUnit", "container", "pod", "qos", "host" };

	for (size_t i = 0; i < ELEMENTSOF(keys); i++)
		if (scalar_equals(key, keys[i]))
			return true;
	return false;
}

int check_identity_combination(struct parse_ctx *ctx, const struct ynode *mapping, const char *path)
{
	const struct ynode *identity = NULL, *other = NULL, *later;

	for (const struct ynode *key = mapping->first; key && key->next; key = key->next->next) {
		if (!identity && is_identity_key(key))
			identity = key;
		if (!other && is_path_key(key))
			other = key;
	}
	if (!identity || !other)
		return 0;
	later = identity->line > other->line || (identity->line == other->line && identity->column > other->column)
			? identity
			: other;
	parse_error(ctx, later,
		    "%s: '%s' cannot be combined with '%s' in one selector: %s chooses a container by what its "
		    "runtime says, and holds from the container's own cgroup, not by cgroup path; write two "
		    "selectors (a list: they are ORed) or two policies",
		    path, later->value, later == identity ? other->value : identity->value, identity->value);
	return 0;
}
