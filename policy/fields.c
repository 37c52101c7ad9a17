/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Scalars, mappings and field tables: the shared part of every parser. */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fields.h"
#include "policy.h"

/* Longest path component, as for any file name (NAME_MAX). */
#define COMPONENT_NAME_MAX 255

const char *path_key(char buf[static PATH_SIZE], const char *parent, const char *key)
{
	if (!parent || !*parent)
		snprintf(buf, PATH_SIZE, "%s", key);
	else
		snprintf(buf, PATH_SIZE, "%s.%s", parent, key);
	return buf;
}

const char *path_index(char buf[static PATH_SIZE], const char *parent, size_t index)
{
	snprintf(buf, PATH_SIZE, "%s[%zu]", parent, index);
	return buf;
}

void append_choice(char buf[static CHOICES_SIZE], size_t index, size_t count, const char *name, bool quote)
{
	size_t len = strlen(buf);
	const char *separator = index == 0 ? "" : (quote && index + 1 == count) ? " or " : ", ";

	snprintf(buf + len, CHOICES_SIZE - len, quote ? "%s'%s'" : "%s%s", separator, name);
}

const char *keyword_choices(char buf[static CHOICES_SIZE], const struct policy_keyword_table *table)
{
	buf[0] = '\0';
	for (size_t i = 0; i < table->count; i++)
		append_choice(buf, i, table->count, table->items[i].name, true);
	return buf;
}

const char *field_keys(char buf[static CHOICES_SIZE], const struct field *fields, size_t nfields)
{
	buf[0] = '\0';
	for (size_t i = 0; i < nfields; i++)
		append_choice(buf, i, nfields, fields[i].key, false);
	return buf;
}

/* ---- Scalars ---------------------------------------------------------- */

bool scalar_is_text(const struct ynode *node)
{
	return node->kind == YNODE_SCALAR && !ynode_is_null(node) && strlen(node->value) == node->length;
}

bool scalar_equals(const struct ynode *node, const char *text)
{
	return scalar_is_text(node) && strcmp(node->value, text) == 0;
}

bool expect_string(struct parse_ctx *ctx, const struct ynode *node, const char *path, const char **ret)
{
	char described[DIAG_QUOTE_SIZE];

	if (node->kind != YNODE_SCALAR || ynode_is_null(node)) {
		parse_error(ctx, node, "%s: expected a string, got %s", path, ynode_describe(node, described));
		return false;
	}
	if (strlen(node->value) != node->length) {
		parse_error(ctx, node, "%s: NUL characters are not allowed, got %s", path,
			    ynode_describe(node, described));
		return false;
	}
	*ret = node->value;
	return true;
}

bool expect_mapping(struct parse_ctx *ctx, const struct ynode *node, const char *path)
{
	char described[DIAG_QUOTE_SIZE];

	if (node->kind == YNODE_MAPPING)
		return true;
	parse_error(ctx, node, "%s: expected a mapping, got %s", path, ynode_describe(node, described));
	return false;
}

bool expect_list(struct parse_ctx *ctx, const struct ynode *node, const char *path)
{
	char described[DIAG_QUOTE_SIZE];

	if (node->kind == YNODE_SEQUENCE)
		return true;
	parse_error(ctx, node, "%s: expected a list, got %s", path, ynode_describe(node, described));
	return false;
}

bool parse_keyword(struct parse_ctx *ctx, const struct ynode *node, const char *path,
		   const struct policy_keyword_table *table, unsigned *ret)
{
	const struct policy_keyword *keyword = NULL;
	char choices[CHOICES_SIZE], described[DIAG_QUOTE_SIZE];

	if (scalar_is_text(node))
		keyword = policy_keyword_find(table, node->value);
	if (!keyword) {
		parse_error(ctx, node, "%s: expected %s, got %s", path, keyword_choices(choices, table),
			    ynode_describe(node, described));
		return false;
	}
	*ret = keyword->value;
	return true;
}

bool parse_bool(struct parse_ctx *ctx, const struct ynode *node, const char *path, bool *ret)
{
	/* YAML 1.2's core schema: no yes/no/on/off, which surprise people. */
	static const struct {
		const char *text;
		bool value;
	} spellings[] = {
		{ "true", true }, { "True", true }, { "TRUE", true },
		{ "false", false }, { "False", false }, { "FALSE", false },
	};
	char described[DIAG_QUOTE_SIZE];

	for (size_t i = 0; i < ELEMENTSOF(spellings); i++)
		if (scalar_equals(node, spellings[i].text)) {
			*ret = spellings[i].value;
			return true;
		}
	parse_error(ctx, node, "%s: expected true or false, got %s", path, ynode_describe(node, described));
	return false;
}

bool parse_integer(struct parse_ctx *ctx, const struct ynode *node, const char *path, long long min,
		   long long max, long long *ret)
{
	char described[DIAG_QUOTE_SIZE];
	const char *s;
	bool negative = false, too_big = false;
	unsigned long long value = 0;

	if (!scalar_is_text(node))
		goto garbage;
	s = node->value;
	if (*s == '-' || *s == '+') {
		negative = *s == '-';
		s++;
	}
	if (*s < '0' || *s > '9')
		goto garbage;
	/* YAML 1.1 reads 0755 as octal; refuse rather than guess. */
	if (s[0] == '0' && s[1] != '\0')
		goto garbage;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (!too_big)
			value = value * 10 + (unsigned long long)(*s - '0');
		too_big = too_big || value > (unsigned long long)INT64_MAX;
	}
	if (*s)
		goto garbage;
	long long v = negative ? -(long long)value : (long long)value;

	if (too_big || v < min || v > max) {
		parse_error(ctx, node, "%s: %s is out of range (expected %lld..%lld)", path,
			    ynode_describe(node, described), min, max);
		return false;
	}
	*ret = v;
	return true;

garbage:
	parse_error(ctx, node, "%s: expected an integer (%lld..%lld), got %s", path, min, max,
		    ynode_describe(node, described));
	return false;
}

/* ---- Mappings --------------------------------------------------------- */

static bool key_matches(const struct ynode *key, const char *name)
{
	size_t len = strlen(name);

	return key->kind == YNODE_SCALAR && key->length == len && memcmp(key->value, name, len) == 0;
}

const struct ynode *mapping_find(const struct ynode *mapping, const char *name)
{
	for (const struct ynode *key = mapping->first; key && key->next; key = key->next->next)
		if (key_matches(key, name))
			return key->next;
	return NULL;
}

int parse_fields(struct parse_ctx *ctx, const struct ynode *mapping, const char *path, const struct ynode *anchor,
		 const struct field *fields, size_t nfields, void *target)
{
	const struct ynode *seen[MAX_FIELDS] = {};
	char where[PATH_SIZE + 16], keys[CHOICES_SIZE], described[DIAG_QUOTE_SIZE];
	int r;

	if (nfields > MAX_FIELDS)
		return -E2BIG; /* a table too big for seen[]: a bug, not input */
	if (*path)
		snprintf(where, sizeof(where), "in %s", path);
	else
		snprintf(where, sizeof(where), "at the top level");

	for (const struct ynode *key = mapping->first; key && key->next; key = key->next->next) {
		const struct ynode *value = key->next;
		size_t i;

		if (key->kind != YNODE_SCALAR) {
			parse_error(ctx, key, "keys %s must be strings, got %s", where,
				    ynode_describe(key, described));
			continue;
		}
		for (i = 0; i < nfields; i++)
			if (key_matches(key, fields[i].key))
				break;
		if (i == nfields) {
			if (ctx->foreign)
				parse_error(ctx, key, "key %s %s is not supported by credgate (supported: %s)",
					    diag_quote(described, key->value, key->length), where,
					    field_keys(keys, fields, nfields));
			else
				parse_error(ctx, key, "unknown key %s %s (expected one of: %s)",
					    diag_quote(described, key->value, key->length), where,
					    field_keys(keys, fields, nfields));
			continue;
		}
		if (seen[i]) {
			parse_error(ctx, key, "duplicate key '%s' %s (first defined at %u:%u)", fields[i].key, where,
				    seen[i]->line, seen[i]->column);
			continue;
		}
		seen[i] = key;

		char value_path[PATH_SIZE];
		struct field_arg arg = {
			.field = &fields[i],
			.key = key,
			.value = value,
			.path = path_key(value_path, path, fields[i].key),
		};

		r = fields[i].parse(ctx, &arg, target);
		if (r < 0)
			return r;
	}

	for (size_t i = 0; i < nfields; i++)
		if (fields[i].required && !seen[i]) {
			char missing[PATH_SIZE];

			parse_error(ctx, anchor, "%s is required", path_key(missing, path, fields[i].key));
		}
	return 0;
}

/* ---- Shared field parsers ---------------------------------------------- */

int parse_mode_at(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	unsigned mode = CG_MODE_NONE;

	if (parse_keyword(ctx, arg->value, arg->path, &policy_mode_keywords, &mode))
		*FIELD_MEMBER(enum cg_mode, target, arg) = (enum cg_mode)mode;
	return 0;
}

int parse_bool_at(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	parse_bool(ctx, arg->value, arg->path, FIELD_MEMBER(bool, target, arg));
	return 0;
}

int parse_nothing(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	return 0;
}

int parse_api_version(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	char described[DIAG_QUOTE_SIZE];

	if (!scalar_equals(arg->value, ctx->api_version))
		parse_error(ctx, arg->value, "%s: expected '%s', got %s", arg->path, ctx->api_version,
			    ynode_describe(arg->value, described));
	return 0;
}

/* ---- Paths -------------------------------------------------------------- */

int normalize_absolute_path(struct parse_ctx *ctx, const struct ynode *node, const char *path, char **ret)
{
	const char *p, *value;
	char described[DIAG_QUOTE_SIZE];
	_cleanup_free_ char *normal = NULL;
	size_t len = 0;

	*ret = NULL;
	if (!expect_string(ctx, node, path, &value))
		return 0;
	if (node->length > POLICY_MAX_PATH_LEN) {
		parse_error(ctx, node, "%s: path is %zu bytes long, more than POLICY_MAX_PATH_LEN (%d)", path,
			    node->length, POLICY_MAX_PATH_LEN);
		return 0;
	}
	if (value[0] != '/') {
		parse_error(ctx, node, "%s: expected an absolute path starting with '/', got %s", path,
			    ynode_describe(node, described));
		return 0;
	}
	for (p = value; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			parse_error(ctx, node, "%s: control characters are not allowed, got %s", path,
				    ynode_describe(node, described));
			return 0;
		}

	normal = malloc(node->length + 2);
	if (!normal)
		return -ENOMEM;
	for (p = value; *p;) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0)
			break;
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) {
			parse_error(ctx, node, "%s: '.' and '..' components are not allowed, got %s", path,
				    ynode_describe(node, described));
			return 0;
		}
		if (n > COMPONENT_NAME_MAX) {
			parse_error(ctx, node, "%s: a path component is %zu bytes long, more than %d", path, n,
				    COMPONENT_NAME_MAX);
			return 0;
		}
		normal[len++] = '/';
		memcpy(normal + len, p, n);
		len += n;
		p += n;
	}
	if (len == 0)
		normal[len++] = '/';
	normal[len] = '\0';
	*ret = TAKE_PTR(normal);
	return 0;
}

unsigned edit_distance(const char *a, const char *b)
{
	/* Two rows of the classic table; names here are short. */
	unsigned row[2][64];
	size_t la = strlen(a), lb = strlen(b);

	if (la >= 63 || lb >= 63)
		return 1000;
	for (size_t j = 0; j <= lb; j++)
		row[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned *prev = row[(i - 1) & 1], *cur = row[i & 1];

		cur[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost = a[i - 1] == b[j - 1] ? 0 : 1;
			unsigned best = prev[j - 1] + cost;

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			cur[j] = best;
		}
	}
	return row[la & 1][lb];
}
