/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A small JSON writer into a growable buffer: commas, nesting and string
 * escaping handled here, so encoders only say what to write. Strings from
 * the kernel or /proc are arbitrary bytes: invalid UTF-8 becomes U+FFFD, so
 * every line written is valid JSON.
 */
#ifndef CREDGATE_JSON_WRITER_H
#define CREDGATE_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_WRITER_MAX_DEPTH 16

struct json_writer {
	char *buf;
	size_t len;
	size_t cap;
	bool failed; /* allocation failed or nesting broke: output is unusable */
	int depth;
	bool first[JSON_WRITER_MAX_DEPTH]; /* no comma needed yet at this depth */
	bool after_key;
};

void json_writer_init(struct json_writer *w);
void json_writer_reset(struct json_writer *w); /* keep the buffer, drop content */
void json_writer_free(struct json_writer *w);

void json_object_begin(struct json_writer *w);
void json_object_end(struct json_writer *w);
void json_array_begin(struct json_writer *w);
void json_array_end(struct json_writer *w);
/* @key must be plain printable ASCII without '"' or '\\' (a literal in our code). */
void json_key(struct json_writer *w, const char *key);
void json_string(struct json_writer *w, const char *s);
void json_string_len(struct json_writer *w, const char *s, size_t len);
void json_uint(struct json_writer *w, uint64_t v);
void json_int(struct json_writer *w, int64_t v);
void json_bool(struct json_writer *w, bool v);
void json_null(struct json_writer *w);

/* Key and value in one call. */
void json_kv_string(struct json_writer *w, const char *key, const char *s);
void json_kv_uint(struct json_writer *w, const char *key, uint64_t v);
void json_kv_int(struct json_writer *w, const char *key, int64_t v);
void json_kv_bool(struct json_writer *w, const char *key, bool v);

/* A complete "key":value member rendered elsewhere, with its separator. */
void json_raw_member(struct json_writer *w, const char *member, size_t len);

/* Append raw bytes (no separators): for non-JSON output formats. */
void json_raw(struct json_writer *w, const char *s, size_t len);

/* The text so far, NUL-terminated; NULL if the writer failed. */
const char *json_writer_text(const struct json_writer *w);

#endif /* CREDGATE_JSON_WRITER_H */
