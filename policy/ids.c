/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Id specs, and user and group names read from passwd and group files. */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "fileio.h"
#include "ids.h"

/* LOGIN_NAME_MAX, with its NUL. */
#define ID_NAME_MAX 256

static const char *const type_names[] = { [ID_USER] = "user", [ID_GROUP] = "group" };

const char *id_type_noun(enum id_type type)
{
	return type == ID_USER ? "uid" : "gid";
}

void id_names_init(struct id_names *names, const char *passwd_file, const char *group_file)
{
	*names = (struct id_names){
		.files = {
			[ID_USER] = passwd_file ? passwd_file : POLICY_DEFAULT_PASSWD_FILE,
			[ID_GROUP] = group_file ? group_file : POLICY_DEFAULT_GROUP_FILE,
		},
	};
}

void id_names_done(struct id_names *names)
{
	for (size_t i = 0; i < ELEMENTSOF(names->data); i++)
		free(names->data[i].text);
	*names = (struct id_names){};
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A decimal id of at most 10 digits, no leading zero, not -1. */
static bool parse_file_id(const char *s, size_t len, __u32 *ret)
{
	uint64_t value = 0;

	if (len == 0 || len > 10 || (s[0] == '0' && len > 1))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			return false;
		value = value * 10 + (uint64_t)(s[i] - '0');
	}
	if (value > MODEL_ID_MAX)
		return false;
	*ret = (__u32)value;
	return true;
}

/*
 * The id of @name in a passwd or group text: "name:password:id:...", the
 * first line naming it. Lines that do not have that form (comments, NIS
 * "+" entries, garbage) are skipped. Returns true when found.
 */
static bool find_name(const char *text, size_t len, const char *name, __u32 *ret)
{
	size_t name_len = strlen(name);
	const char *end = text + len;

	for (const char *line = text; line < end;) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		const char *field, *next;

		if (!eol)
			eol = end;
		if ((size_t)(eol - line) > name_len && memcmp(line, name, name_len) == 0 && line[name_len] == ':') {
			/* Skip the password field. */
			field = memchr(line + name_len + 1, ':', (size_t)(eol - line - (ptrdiff_t)name_len - 1));
			if (field) {
				field++;
				next = memchr(field, ':', (size_t)(eol - field));
				if (!next)
					next = eol;
				if (parse_file_id(field, (size_t)(next - field), ret))
					return true;
			}
		}
		line = eol + 1;
	}
	return false;
}

/* Returns 1 with *@ret, 0 when not found, -errno when the file cannot be read. */
static int id_names_lookup(struct id_names *names, enum id_type type, const char *name, __u32 *ret)
{
	struct id_names_file *data = &names->data[type];

	if (!data->loaded) {
		int r = read_regular_file(names->files[type], POLICY_MAX_NAMES_FILE_SIZE, &data->text, &data->len);

		if (r == -ENOMEM)
			return r;
		data->loaded = true;
		data->error = r;
	}
	if (data->error < 0)
		return data->error;
	return find_name(data->text, data->len, name, ret) ? 1 : 0;
}

/* Like a POSIX portable user name, with Samba's trailing '$'. */
static bool is_name(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len >= ID_NAME_MAX)
		return false;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
		return false;
	for (size_t i = 1; i < len; i++) {
		char c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '-' ||
		    c == '.')
			continue;
		if (c == '$' && i == len - 1)
			continue;
		return false;
	}
	return true;
}

static const char *skip_spaces(const char *s)
{
	while (*s == ' ')
		s++;
	return s;
}

/* One decimal id at *@p, which moves past its digits. */
static bool scan_id(struct parse_ctx *ctx, const struct ynode *node, const char *path, const char **p, __u32 *ret)
{
	const char *start = *p, *s = *p;
	char quoted[DIAG_QUOTE_SIZE];
	uint64_t value = 0;
	bool too_big = false;

	for (; is_digit(*s); s++)
		if (!too_big) {
			value = value * 10 + (uint64_t)(*s - '0');
			too_big = value > UINT32_MAX;
		}
	*p = s;

	/* YAML 1.1 reads 0755 as octal; refuse rather than guess. */
	if (start[0] == '0' && s - start > 1) {
		parse_error(ctx, node, "%s: id %s has a leading zero (ids are decimal)", path,
			    diag_quote(quoted, start, (size_t)(s - start)));
		return false;
	}
	if (!too_big && value == CG_ID_UNCHANGED) {
		parse_error(ctx, node,
			    "%s: id 4294967295 is -1, which means 'unchanged' and cannot be used (expected 0..%u)",
			    path, MODEL_ID_MAX);
		return false;
	}
	if (too_big || value > MODEL_ID_MAX) {
		parse_error(ctx, node, "%s: id %s is out of range (expected 0..%u)", path,
			    diag_quote(quoted, start, (size_t)(s - start)), MODEL_ID_MAX);
		return false;
	}
	*ret = (__u32)value;
	return true;
}

static int resolve_name(struct parse_ctx *ctx, const struct ynode *node, const char *path, enum id_type type,
			struct model_id_range *ret)
{
	char quoted[DIAG_QUOTE_SIZE], buf[128];
	const char *file;
	__u32 id;
	int r;

	if (!ctx->names) {
		parse_error(ctx, node, "%s: %s names are not allowed here, got %s", path, type_names[type],
			    ynode_describe(node, quoted));
		return 0;
	}
	file = ctx->names->files[type];
	r = id_names_lookup(ctx->names, type, node->value, &id);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		const char *why = r == -EFBIG ? "file is larger than POLICY_MAX_NAMES_FILE_SIZE (16777216 bytes)"
			: r == -EINVAL ? "not a regular file"
				       : diag_errno_text(-r, buf, sizeof(buf));

		parse_error(ctx, node, "%s: cannot look up %s %s: %s: %s", path, type_names[type],
			    ynode_describe(node, quoted), file, why);
		return 0;
	}
	if (r == 0) {
		parse_error(ctx, node, "%s: unknown %s %s (not in %s)", path, type_names[type],
			    ynode_describe(node, quoted), file);
		return 0;
	}
	*ret = (struct model_id_range){ id, id };
	return 1;
}

/* One id, "lo-hi", "any" or a name. Returns 1 with *@ret, 0 after a problem, -ENOMEM. */
static int parse_id_item(struct parse_ctx *ctx, const struct ynode *node, const char *path, enum id_type type,
			 struct model_id_range *ret)
{
	char described[DIAG_QUOTE_SIZE];
	const char *s;
	__u32 lo, hi;

	if (!scalar_is_text(node))
		goto garbage;
	if (strcmp(node->value, "any") == 0) {
		*ret = (struct model_id_range){ MODEL_ID_ANY_LO, MODEL_ID_ANY_HI };
		return 1;
	}
	if (is_name(node->value))
		return resolve_name(ctx, node, path, type, ret);

	s = skip_spaces(node->value);
	if (s[0] == '-' && is_digit(s[1])) {
		const char *digits = s + 1, *end = digits;

		while (is_digit(*end))
			end++;
		if (*skip_spaces(end) != '\0')
			goto garbage;
		if (end - digits == 1 && digits[0] == '1')
			parse_error(ctx, node, "%s: id -1 means 'unchanged' and cannot be used (expected 0..%u)",
				    path, MODEL_ID_MAX);
		else
			parse_error(ctx, node, "%s: id %s is out of range (expected 0..%u)", path,
				    ynode_describe(node, described), MODEL_ID_MAX);
		return 0;
	}
	if (!is_digit(*s))
		goto garbage;
	if (!scan_id(ctx, node, path, &s, &lo))
		return 0;
	s = skip_spaces(s);
	hi = lo;
	if (*s == '-') {
		s = skip_spaces(s + 1);
		if (!is_digit(*s))
			goto garbage;
		if (!scan_id(ctx, node, path, &s, &hi))
			return 0;
		s = skip_spaces(s);
	}
	if (*s)
		goto garbage;
	if (lo > hi) {
		parse_error(ctx, node, "%s: bad range %s: %u is greater than %u", path,
			    ynode_describe(node, described), lo, hi);
		return 0;
	}
	*ret = (struct model_id_range){ lo, hi };
	return 1;

garbage:
	parse_error(ctx, node, "%s: expected an integer id, a range 'lo-hi', 'any' or a %s name, got %s", path,
		    type_names[type], ynode_describe(node, described));
	return 0;
}

int parse_id_spec(struct parse_ctx *ctx, const struct ynode *node, const char *path, enum id_type type,
		  unsigned max, const char *limit, struct model_id_spec *spec)
{
	struct model_id_range range;
	char item_path[PATH_SIZE];
	bool ok = true;
	size_t i = 0;
	int r;

	spec->count = 0;
	if (node->kind != YNODE_SEQUENCE) {
		r = parse_id_item(ctx, node, path, type, &range);
		if (r > 0)
			spec->ranges[spec->count++] = range;
		return r < 0 ? r : 0;
	}
	if (node->count == 0) {
		parse_error(ctx, node, "%s: expected at least one id", path);
		return 0;
	}
	/* Each item is at least one compiled entry: more cannot fit. */
	if (node->count > max) {
		parse_error(ctx, node, "%s: %zu ids, more than %s (%u)", path, node->count, limit, max);
		return 0;
	}
	for (const struct ynode *item = node->first; item; item = item->next, i++) {
		r = parse_id_item(ctx, item, path_index(item_path, path, i), type, &range);
		if (r < 0)
			return r;
		if (r > 0)
			spec->ranges[spec->count++] = range;
		else
			ok = false;
	}
	if (!ok)
		spec->count = 0;
	return 0;
}
