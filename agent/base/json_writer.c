// SPDX-License-Identifier: LGPL-2.1-or-later
#include "json_writer.h"

#include <stdlib.h>
#include <string.h>

void json_writer_init(struct json_writer *w)
{
	memset(w, 0, sizeof(*w));
	w->first[0] = true;
}

void json_writer_reset(struct json_writer *w)
{
	char *buf = w->buf;
	size_t cap = w->cap;

	json_writer_init(w);
	w->buf = buf;
	w->cap = cap;
	if (buf)
		buf[0] = '\0';
}

void json_writer_free(struct json_writer *w)
{
	free(w->buf);
	json_writer_init(w);
}

static bool grow(struct json_writer *w, size_t need)
{
	size_t cap = w->cap ? w->cap : 512;
	char *buf;

	while (cap < need)
		cap *= 2;
	buf = realloc(w->buf, cap);
	if (!buf) {
		w->failed = true;
		return false;
	}
	w->buf = buf;
	w->cap = cap;
	return true;
}

/* Room for @extra more bytes and the NUL; the common case is one compare. */
static inline bool reserve(struct json_writer *w, size_t extra)
{
	size_t need = w->len + extra + 1;

	if (__builtin_expect(need <= w->cap && !w->failed, 1))
		return true;
	if (w->failed)
		return false;
	return grow(w, need);
}

void json_raw(struct json_writer *w, const char *s, size_t len)
{
	if (!reserve(w, len))
		return;
	memcpy(w->buf + w->len, s, len);
	w->len += len;
	w->buf[w->len] = '\0';
}

static inline void put_char(struct json_writer *w, char c)
{
	if (!reserve(w, 1))
		return;
	w->buf[w->len++] = c;
	w->buf[w->len] = '\0';
}

/* Comma before a value, unless it follows a key or opens a container. */
static void separate(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (!w->first[w->depth])
		put_char(w, ',');
	w->first[w->depth] = false;
}

static void open_container(struct json_writer *w, char c)
{
	separate(w);
	if (w->depth + 1 >= JSON_WRITER_MAX_DEPTH) {
		w->failed = true;
		return;
	}
	put_char(w, c);
	w->depth++;
	w->first[w->depth] = true;
}

static void close_container(struct json_writer *w, char c)
{
	if (w->depth == 0) {
		w->failed = true;
		return;
	}
	w->depth--;
	put_char(w, c);
}

void json_object_begin(struct json_writer *w)
{
	open_container(w, '{');
}

void json_object_end(struct json_writer *w)
{
	close_container(w, '}');
}

void json_array_begin(struct json_writer *w)
{
	open_container(w, '[');
}

void json_array_end(struct json_writer *w)
{
	close_container(w, ']');
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0 if invalid. */
static size_t utf8_sequence(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (n > avail)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Printable ASCII other than '"' and '\\': copied as is. */
static inline bool plain_ascii(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

static void put_escaped(struct json_writer *w, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out;

	/* Worst case: every byte becomes a six-byte \\uXXXX escape. */
	if (!reserve(w, len * 6 + 2))
		return;
	out = w->buf + w->len;
	*out++ = '"';
	for (size_t i = 0; i < len;) {
		unsigned char c = p[i];
		size_t n;

		if (plain_ascii(c)) {
			*out++ = (char)c;
			i++;
			continue;
		}
		switch (c) {
		case '"':
		case '\\':
			*out++ = '\\';
			*out++ = (char)c;
			i++;
			continue;
		case '\n':
			out = memcpy(out, "\\n", 2) + 2;
			i++;
			continue;
		case '\t':
			out = memcpy(out, "\\t", 2) + 2;
			i++;
			continue;
		case '\r':
			out = memcpy(out, "\\r", 2) + 2;
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			static const char hex[] = "0123456789abcdef";

			out = memcpy(out, "\\u00", 4) + 4;
			*out++ = hex[c >> 4];
			*out++ = hex[c & 0xf];
			i++;
			continue;
		}
		n = utf8_sequence(p + i, len - i);
		if (n == 0) {
			out = memcpy(out, "\\ufffd", 6) + 6;
			i++;
			continue;
		}
		out = memcpy(out, s + i, n) + n;
		i += n;
	}
	*out++ = '"';
	*out = '\0';
	w->len = (size_t)(out - w->buf);
}

void json_raw_member(struct json_writer *w, const char *member, size_t len)
{
	separate(w);
	json_raw(w, member, len);
}

void json_key(struct json_writer *w, const char *key)
{
	size_t len = strlen(key);

	/* Keys are string literals of plain ASCII: no escaping to do. */
	separate(w);
	if (!reserve(w, len + 3))
		return;
	w->buf[w->len] = '"';
	memcpy(w->buf + w->len + 1, key, len);
	w->buf[w->len + 1 + len] = '"';
	w->buf[w->len + 2 + len] = ':';
	w->len += len + 3;
	w->buf[w->len] = '\0';
	w->after_key = true;
}

void json_string_len(struct json_writer *w, const char *s, size_t len)
{
	separate(w);
	put_escaped(w, s, len);
}

void json_string(struct json_writer *w, const char *s)
{
	if (!s) {
		json_null(w);
		return;
	}
	json_string_len(w, s, strlen(s));
}

/* Decimal digits of @v, written backwards from @end; returns the start. */
static char *format_u64(uint64_t v, char *end)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

void json_uint(struct json_writer *w, uint64_t v)
{
	char num[24], *start = format_u64(v, num + sizeof(num));

	separate(w);
	json_raw(w, start, (size_t)(num + sizeof(num) - start));
}

void json_int(struct json_writer *w, int64_t v)
{
	char num[24], *start;
	/* The magnitude, computed in unsigned so INT64_MIN does not overflow. */
	uint64_t magnitude = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	start = format_u64(magnitude, num + sizeof(num));
	if (v < 0)
		*--start = '-';
	separate(w);
	json_raw(w, start, (size_t)(num + sizeof(num) - start));
}

void json_bool(struct json_writer *w, bool v)
{
	separate(w);
	json_raw(w, v ? "true" : "false", v ? 4 : 5);
}

void json_null(struct json_writer *w)
{
	separate(w);
	json_raw(w, "null", 4);
}

void json_kv_string(struct json_writer *w, const char *key, const char *s)
{
	json_key(w, key);
	json_string(w, s);
}

void json_kv_uint(struct json_writer *w, const char *key, uint64_t v)
{
	json_key(w, key);
	json_uint(w, v);
}

void json_kv_int(struct json_writer *w, const char *key, int64_t v)
{
	json_key(w, key);
	json_int(w, v);
}

void json_kv_bool(struct json_writer *w, const char *key, bool v)
{
	json_key(w, key);
	json_bool(w, v);
}

const char *json_writer_text(const struct json_writer *w)
{
	if (w->failed)
		return NULL;
	return w->buf ? w->buf : "";
}
