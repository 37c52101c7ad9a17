// SPDX-License-Identifier: LGPL-2.1-or-later
#include "context.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* MCS and MLS policies name categories c0 .. c1023. */
#define CATEGORIES_MAX 1024

bool selinux_name_valid(const char *name, size_t len)
{
	if (len == 0 || len > SELINUX_NAME_MAX)
		return false;
	if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z')))
		return false;
	for (size_t i = 1; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '-' || c == '.'))
			return false;
	}
	return true;
}

static bool level_char_valid(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
	       c == ',' || c == ':' || c == '-';
}

int selinux_context_parse(const char *text, size_t len, struct selinux_context_parts *parts)
{
	const char *field[4] = { text, NULL, NULL, NULL };
	size_t nfields = 1;

	if (!text)
		return -EINVAL;
	if (len > SELINUX_CONTEXT_MAX)
		return -E2BIG;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		/* Printable ASCII without space: what a context is, and what audit records may quote. */
		if (c < 0x21 || c > 0x7e)
			return -EINVAL;
		if (c == ':' && nfields < 4)
			field[nfields++] = text + i + 1;
	}
	if (nfields < 3)
		return -EINVAL;
	*parts = (struct selinux_context_parts){
		.user = field[0],
		.user_len = (size_t)(field[1] - field[0] - 1),
		.role = field[1],
		.role_len = (size_t)(field[2] - field[1] - 1),
		.type = field[2],
		.type_len = nfields == 4 ? (size_t)(field[3] - field[2] - 1) : (size_t)(text + len - field[2]),
	};
	if (nfields == 4) {
		parts->level = field[3];
		parts->level_len = (size_t)(text + len - field[3]);
		if (parts->level_len == 0)
			return -EINVAL;
		for (size_t i = 0; i < parts->level_len; i++)
			if (!level_char_valid(parts->level[i]))
				return -EINVAL;
	}
	if (!selinux_name_valid(parts->user, parts->user_len) || !selinux_name_valid(parts->role, parts->role_len) ||
	    !selinux_name_valid(parts->type, parts->type_len))
		return -EINVAL;
	return 0;
}

int selinux_context_type(const char *text, size_t len, char *buf, size_t size)
{
	struct selinux_context_parts parts;
	int r = selinux_context_parse(text, len, &parts);

	if (r < 0)
		return r;
	if (parts.type_len >= size)
		return -ENOBUFS;
	memcpy(buf, parts.type, parts.type_len);
	buf[parts.type_len] = '\0';
	return (int)parts.type_len;
}

/* ---- canonical levels ------------------------------------------------------- */

struct level {
	const char *sensitivity;
	size_t sensitivity_len;
	uint64_t categories[CATEGORIES_MAX / 64];
};

/* "c12" -> 12; -1 when not of that form. */
static int category_number(const char *s, size_t len)
{
	int n = 0;

	if (len < 2 || len > 5 || s[0] != 'c' || (len > 2 && s[1] == '0'))
		return -1;
	for (size_t i = 1; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		n = n * 10 + (s[i] - '0');
	}
	return n < CATEGORIES_MAX ? n : -1;
}

/* One "s0" or "s0:c1,c3.c5"; -EOPNOTSUPP when it names categories another way. */
static int parse_level(const char *s, size_t len, struct level *level)
{
	const char *colon = memchr(s, ':', len), *end = s + len;

	memset(level, 0, sizeof(*level));
	level->sensitivity = s;
	level->sensitivity_len = colon ? (size_t)(colon - s) : len;
	if (!selinux_name_valid(level->sensitivity, level->sensitivity_len))
		return -EINVAL;
	if (!colon)
		return 0;
	for (const char *item = colon + 1; item <= end;) {
		const char *comma = memchr(item, ',', (size_t)(end - item));
		const char *item_end = comma ? comma : end;
		const char *dot = memchr(item, '.', (size_t)(item_end - item));
		int lo, hi;

		if (item_end == item)
			return -EINVAL; /* "c1,,c2" or a trailing comma */
		lo = category_number(item, (size_t)((dot ? dot : item_end) - item));
		hi = dot ? category_number(dot + 1, (size_t)(item_end - dot - 1)) : lo;
		if (lo < 0 || hi < 0)
			return -EOPNOTSUPP;
		if (hi < lo)
			return -EINVAL;
		for (int c = lo; c <= hi; c++)
			level->categories[c / 64] |= 1ull << (c % 64);
		item = item_end + 1;
	}
	return 0;
}

static bool category_set(const struct level *level, int c)
{
	return c >= 0 && c < CATEGORIES_MAX && (level->categories[c / 64] >> (c % 64)) & 1;
}

struct out {
	char *buf;
	size_t size, len;
	bool overflow;
};

static void put(struct out *o, const char *s, size_t len)
{
	if (o->len + len >= o->size) {
		o->overflow = true;
		return;
	}
	memcpy(o->buf + o->len, s, len);
	o->len += len;
	o->buf[o->len] = '\0';
}

static void put_category(struct out *o, char separator, int c)
{
	char text[8];
	int n = snprintf(text, sizeof(text), "%cc%d", separator, c);

	put(o, text, (size_t)n);
}

/* As the kernel's mls_sid_to_context() writes a level: runs of three or more as cA.cB. */
static void put_level(struct out *o, const struct level *level)
{
	bool first = true;

	put(o, level->sensitivity, level->sensitivity_len);
	for (int c = 0; c < CATEGORIES_MAX; c++) {
		int end = c;

		if (!category_set(level, c))
			continue;
		while (category_set(level, end + 1))
			end++;
		put_category(o, first ? ':' : ',', c);
		if (end - c >= 2)
			put_category(o, '.', end);
		else if (end == c + 1)
			put_category(o, ',', end);
		first = false;
		c = end;
	}
}

static bool levels_equal(const struct level *a, const struct level *b)
{
	return a->sensitivity_len == b->sensitivity_len &&
	       memcmp(a->sensitivity, b->sensitivity, a->sensitivity_len) == 0 &&
	       memcmp(a->categories, b->categories, sizeof(a->categories)) == 0;
}

int selinux_context_canonical(const char *text, size_t len, char *buf, size_t size)
{
	struct selinux_context_parts parts;
	struct level low, high;
	struct out o = { .buf = buf, .size = size };
	const char *dash;
	int r;

	r = selinux_context_parse(text, len, &parts);
	if (r < 0)
		return r;
	if (size == 0)
		return -ENOBUFS;
	buf[0] = '\0';
	put(&o, text, parts.level ? (size_t)(parts.level - text) : len);
	if (parts.level) {
		dash = memchr(parts.level, '-', parts.level_len);
		r = parse_level(parts.level, dash ? (size_t)(dash - parts.level) : parts.level_len, &low);
		if (r == 0 && dash)
			r = parse_level(dash + 1, parts.level_len - (size_t)(dash - parts.level) - 1, &high);
		if (r == -EOPNOTSUPP) {
			put(&o, parts.level, parts.level_len); /* category aliases: as written */
		} else if (r < 0) {
			return r;
		} else {
			put_level(&o, &low);
			if (dash && !levels_equal(&low, &high)) {
				put(&o, "-", 1);
				put_level(&o, &high);
			}
		}
	}
	if (o.overflow)
		return -ENOBUFS;
	return (int)o.len;
}
