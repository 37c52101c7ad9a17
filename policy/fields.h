/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Reading a YAML node tree into C structs, for every kind of document this
 * module knows (CredentialPolicy, TracingPolicy, AgentConfig).
 *
 * Every mapping is read through a table of the keys it accepts (struct
 * field): unknown and duplicate keys are found in one place, and a new key
 * is a new row plus its parser. Parsing goes on after a problem, so that one
 * run reports as many as it can; problems are reported, never returned.
 */
#ifndef CREDGATE_POLICY_FIELDS_H
#define CREDGATE_POLICY_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "names.h"
#include "yaml_doc.h"

/* A dotted path such as "spec.setuid.deny[3].from": keys come from the
 * tables and indexes are bounded, so this always fits. */
#define PATH_SIZE 160
/* Room for "expected one of: ..." lists built from a table. */
#define CHOICES_SIZE 512
/* Rows one field table may have: parse_fields() keeps one slot per row. */
#define MAX_FIELDS 32

struct id_names;

struct parse_ctx {
	struct diag_reporter *reporter;
	const char *api_version; /* what apiVersion must say */
	struct id_names *names;	 /* user and group names; NULL: names are refused */
	/* Unknown keys are fields of another program's format that credgate
	 * does not support (TracingPolicy), rather than mistakes. */
	bool foreign;
};

struct field;

struct field_arg {
	const struct field *field;
	const struct ynode *key;
	const struct ynode *value;
	const char *path; /* of the value, e.g. "spec.mode" */
};

/* Returns 0 (problems are reported, not returned) or -ENOMEM. */
typedef int (*field_parser)(struct parse_ctx *ctx, const struct field_arg *arg, void *target);

struct field {
	const char *key;
	field_parser parse;
	size_t arg; /* for the parser: an offset into its target, or a selector */
	bool required;
};

/* The member of @target that a field's offset names. */
#define FIELD_MEMBER(type, target, arg) ((type *)((char *)(target) + (arg)->field->arg))

#define parse_error(ctx, node, ...) diag_error((ctx)->reporter, (node)->line, (node)->column, __VA_ARGS__)
#define parse_warning(ctx, node, ...) \
	diag_report((ctx)->reporter, POLICY_DIAG_WARNING, (node)->line, (node)->column, __VA_ARGS__)

struct model_mark;
const char *path_key(char buf[static PATH_SIZE], const char *parent, const char *key);
const char *path_index(char buf[static PATH_SIZE], const char *parent, size_t index);

/* Append @name to a list read as "'a', 'b' or 'c'" (@quote) or "a, b, c". */
void append_choice(char buf[static CHOICES_SIZE], size_t index, size_t count, const char *name, bool quote);
const char *keyword_choices(char buf[static CHOICES_SIZE], const struct policy_keyword_table *table);
const char *field_keys(char buf[static CHOICES_SIZE], const struct field *fields, size_t nfields);

/* A scalar that is not null and holds no NUL: usable as a C string. */
bool scalar_is_text(const struct ynode *node);
bool scalar_equals(const struct ynode *node, const char *text);

bool expect_string(struct parse_ctx *ctx, const struct ynode *node, const char *path, const char **ret);
bool expect_mapping(struct parse_ctx *ctx, const struct ynode *node, const char *path);
bool expect_list(struct parse_ctx *ctx, const struct ynode *node, const char *path);
bool parse_keyword(struct parse_ctx *ctx, const struct ynode *node, const char *path,
		   const struct policy_keyword_table *table, unsigned *ret);
bool parse_bool(struct parse_ctx *ctx, const struct ynode *node, const char *path, bool *ret);
/* A decimal integer in [@min, @max] (a plain scalar, or a quoted one). */
bool parse_integer(struct parse_ctx *ctx, const struct ynode *node, const char *path, long long min,
		   long long max, long long *ret);

/* The value of the first pair whose key is @name, or NULL. */
const struct ynode *mapping_find(const struct ynode *mapping, const char *name);

/*
 * Read @mapping through @fields, calling each known key's parser in the
 * order the keys are written. Unknown and repeated keys are errors, and so
 * is a missing required key (reported at @anchor: the key that names this
 * mapping, or the mapping itself).
 */
int parse_fields(struct parse_ctx *ctx, const struct ynode *mapping, const char *path, const struct ynode *anchor,
		 const struct field *fields, size_t nfields, void *target);

/* Shared field parsers: enum cg_mode at the offset, bool at the offset, nothing. */
int parse_mode_at(struct parse_ctx *ctx, const struct field_arg *arg, void *target);
int parse_bool_at(struct parse_ctx *ctx, const struct field_arg *arg, void *target);
int parse_nothing(struct parse_ctx *ctx, const struct field_arg *arg, void *target);
/* apiVersion: must be ctx->api_version. */
int parse_api_version(struct parse_ctx *ctx, const struct field_arg *arg, void *target);

/*
 * An absolute path, normalised: "/a//b/" -> "/a/b", "/" -> "/". Components
 * "." and ".." are refused rather than resolved: a policy names a thing, it
 * does not walk to one. Returns 0 with *@ret set, or left NULL after
 * reporting a problem; -ENOMEM.
 */
int normalize_absolute_path(struct parse_ctx *ctx, const struct ynode *node, const char *path, char **ret);

/* Levenshtein distance, for "did you mean" hints (bounded inputs). */
unsigned edit_distance(const char *a, const char *b);

#endif /* CREDGATE_POLICY_FIELDS_H */
