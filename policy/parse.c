/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Node tree to policy model.
 *
 * Every mapping is read through a table of the keys it accepts (struct
 * field): unknown and duplicate keys are found in one place, and a new key
 * is a new row plus its parser. Documents are dispatched on `kind`, each kind
 * having its own table. Parsing goes on after a problem so that one run
 * reports as many as it can; a document with any error yields no model.
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "names.h"
#include "parse.h"

/* A dotted path such as "spec.setuid.deny[3].from": keys come from the
 * tables below and indexes are bounded, so this always fits. */
#define PATH_SIZE 128
/* Room for "expected one of: ..." lists built from a table. */
#define CHOICES_SIZE 256
/* Rows one field table may have: parse_fields() keeps one slot per row. */
#define MAX_FIELDS 32
/* Longest cgroup path component, as for any file name (NAME_MAX). */
#define CGROUP_NAME_MAX 255

struct document_kind;

struct parse_ctx {
	struct diag_reporter *reporter;
	const struct document_kind *kind;
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

static struct model_mark mark_of(const struct ynode *node)
{
	return (struct model_mark){ .line = node->line, .column = node->column };
}

static const char *path_key(char buf[static PATH_SIZE], const char *parent, const char *key)
{
	if (!parent || !*parent)
		snprintf(buf, PATH_SIZE, "%s", key);
	else
		snprintf(buf, PATH_SIZE, "%s.%s", parent, key);
	return buf;
}

static const char *path_index(char buf[static PATH_SIZE], const char *parent, size_t index)
{
	snprintf(buf, PATH_SIZE, "%s[%zu]", parent, index);
	return buf;
}

/* Append @name to a list read as "'a', 'b' or 'c'" (@quote) or "a, b, c". */
static void append_choice(char buf[static CHOICES_SIZE], size_t index, size_t count, const char *name, bool quote)
{
	size_t len = strlen(buf);
	const char *separator = index == 0 ? "" : (quote && index + 1 == count) ? " or " : ", ";

	snprintf(buf + len, CHOICES_SIZE - len, quote ? "%s'%s'" : "%s%s", separator, name);
}

static const char *keyword_choices(char buf[static CHOICES_SIZE], const struct policy_keyword_table *table)
{
	buf[0] = '\0';
	for (size_t i = 0; i < table->count; i++)
		append_choice(buf, i, table->count, table->items[i].name, true);
	return buf;
}

static const char *field_keys(char buf[static CHOICES_SIZE], const struct field *fields, size_t nfields)
{
	buf[0] = '\0';
	for (size_t i = 0; i < nfields; i++)
		append_choice(buf, i, nfields, fields[i].key, false);
	return buf;
}

/* ---- Scalars ---------------------------------------------------------- */

/* A scalar that is not null and holds no NUL: usable as a C string. */
static bool scalar_is_text(const struct ynode *node)
{
	return node->kind == YNODE_SCALAR && !ynode_is_null(node) && strlen(node->value) == node->length;
}

static bool scalar_equals(const struct ynode *node, const char *text)
{
	return scalar_is_text(node) && strcmp(node->value, text) == 0;
}

static bool expect_string(struct parse_ctx *ctx, const struct ynode *node, const char *path, const char **ret)
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

static bool expect_mapping(struct parse_ctx *ctx, const struct ynode *node, const char *path)
{
	char described[DIAG_QUOTE_SIZE];

	if (node->kind == YNODE_MAPPING)
		return true;
	parse_error(ctx, node, "%s: expected a mapping, got %s", path, ynode_describe(node, described));
	return false;
}

static bool expect_list(struct parse_ctx *ctx, const struct ynode *node, const char *path)
{
	char described[DIAG_QUOTE_SIZE];

	if (node->kind == YNODE_SEQUENCE)
		return true;
	parse_error(ctx, node, "%s: expected a list, got %s", path, ynode_describe(node, described));
	return false;
}

static bool parse_keyword(struct parse_ctx *ctx, const struct ynode *node, const char *path,
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

static bool parse_bool(struct parse_ctx *ctx, const struct ynode *node, const char *path, bool *ret)
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

/* ---- Mappings --------------------------------------------------------- */

static bool key_matches(const struct ynode *key, const char *name)
{
	size_t len = strlen(name);

	return key->kind == YNODE_SCALAR && key->length == len && memcmp(key->value, name, len) == 0;
}

/* The value of the first pair whose key is @name, or NULL. */
static const struct ynode *mapping_find(const struct ynode *mapping, const char *name)
{
	for (const struct ynode *key = mapping->first; key && key->next; key = key->next->next)
		if (key_matches(key, name))
			return key->next;
	return NULL;
}

/*
 * Read @mapping through @fields, calling each known key's parser in the
 * order the keys are written. Unknown and repeated keys are errors, and so
 * is a missing required key (reported at @anchor: the key that names this
 * mapping, or the mapping itself).
 */
static int parse_fields(struct parse_ctx *ctx, const struct ynode *mapping, const char *path,
			const struct ynode *anchor, const struct field *fields, size_t nfields, void *target)
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

/* ---- Field parsers shared by several tables ---------------------------- */

static int parse_mode_at(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	unsigned mode = CG_MODE_NONE;

	if (parse_keyword(ctx, arg->value, arg->path, &policy_mode_keywords, &mode))
		*FIELD_MEMBER(enum cg_mode, target, arg) = (enum cg_mode)mode;
	return 0;
}

static int parse_bool_at(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	parse_bool(ctx, arg->value, arg->path, FIELD_MEMBER(bool, target, arg));
	return 0;
}

static int parse_nothing(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	return 0;
}

/* ---- Ids -------------------------------------------------------------- */

#define ID_EXPECTED "expected an integer id, a range 'lo-hi' or 'any'"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
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

/* One id, "lo-hi" or "any": a plain integer or a string holding one. */
static bool parse_id_item(struct parse_ctx *ctx, const struct ynode *node, const char *path,
			  struct model_id_range *ret)
{
	char described[DIAG_QUOTE_SIZE];
	const char *s;
	__u32 lo, hi;

	if (!scalar_is_text(node))
		goto garbage;
	if (strcmp(node->value, "any") == 0) {
		*ret = (struct model_id_range){ MODEL_ID_ANY_LO, MODEL_ID_ANY_HI };
		return true;
	}

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
		return false;
	}
	if (!is_digit(*s))
		goto garbage;
	if (!scan_id(ctx, node, path, &s, &lo))
		return false;
	s = skip_spaces(s);
	hi = lo;
	if (*s == '-') {
		s = skip_spaces(s + 1);
		if (!is_digit(*s))
			goto garbage;
		if (!scan_id(ctx, node, path, &s, &hi))
			return false;
		s = skip_spaces(s);
	}
	if (*s)
		goto garbage;
	if (lo > hi) {
		parse_error(ctx, node, "%s: bad range %s: %u is greater than %u", path,
			    ynode_describe(node, described), lo, hi);
		return false;
	}
	*ret = (struct model_id_range){ lo, hi };
	return true;

garbage:
	parse_error(ctx, node, "%s: " ID_EXPECTED ", got %s", path, ynode_describe(node, described));
	return false;
}

static void parse_id_spec(struct parse_ctx *ctx, const struct ynode *node, const char *path,
			  struct model_id_spec *spec)
{
	struct model_id_range range;
	char item_path[PATH_SIZE];
	size_t i = 0;

	spec->count = 0;
	if (node->kind != YNODE_SEQUENCE) {
		if (parse_id_item(ctx, node, path, &range))
			spec->ranges[spec->count++] = range;
		return;
	}
	if (node->count == 0) {
		parse_error(ctx, node, "%s: expected at least one id", path);
		return;
	}
	/* Each item is at least one compiled rule: more cannot fit. */
	if (node->count > CG_MAX_ID_RULES) {
		parse_error(ctx, node, "%s: %zu ids, more than CG_MAX_ID_RULES (%d)", path, node->count,
			    CG_MAX_ID_RULES);
		return;
	}
	for (const struct ynode *item = node->first; item; item = item->next, i++)
		if (parse_id_item(ctx, item, path_index(item_path, path, i), &range))
			spec->ranges[spec->count++] = range;
}

static int parse_id_spec_at(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	parse_id_spec(ctx, arg->value, arg->path, FIELD_MEMBER(struct model_id_spec, target, arg));
	return 0;
}

/* ---- setuid, setgid, setgroups ----------------------------------------- */

static const struct field transition_rule_fields[] = {
	{ .key = "from", .parse = parse_id_spec_at, .arg = offsetof(struct model_id_rule, from) },
	{ .key = "to", .parse = parse_id_spec_at, .arg = offsetof(struct model_id_rule, to), .required = true },
	{ .key = "mode", .parse = parse_mode_at, .arg = offsetof(struct model_id_rule, mode) },
};

/* A setgroups rule is about each gid being added: it lands in "to". */
static const struct field setgroups_rule_fields[] = {
	{ .key = "gid", .parse = parse_id_spec_at, .arg = offsetof(struct model_id_rule, to), .required = true },
	{ .key = "mode", .parse = parse_mode_at, .arg = offsetof(struct model_id_rule, mode) },
};

static int parse_id_rule_list(struct parse_ctx *ctx, const struct field_arg *arg, struct model_id_section *section,
			      const struct field *rule_fields, size_t nrule_fields)
{
	struct model_id_rule_list *list = arg->field->arg == CG_ACTION_DENY ? &section->deny : &section->allow;
	const struct ynode *node = arg->value;
	char item_path[PATH_SIZE];
	unsigned index = 0;
	int r;

	if (ynode_is_null(node))
		return 0; /* "deny:" with nothing after it: no rules */
	if (!expect_list(ctx, node, arg->path))
		return 0;
	if (node->count > CG_MAX_ID_RULES) {
		parse_error(ctx, node, "%s: %zu rules, more than CG_MAX_ID_RULES (%d)", arg->path, node->count,
			    CG_MAX_ID_RULES);
		return 0;
	}
	for (const struct ynode *item = node->first; item; item = item->next, index++) {
		struct model_id_rule *rule;

		path_index(item_path, arg->path, index);
		if (!expect_mapping(ctx, item, item_path))
			continue;
		rule = &list->rules[list->count++];
		*rule = (struct model_id_rule){
			.mark = mark_of(item),
			.index = index,
			.from = { .ranges = { { MODEL_ID_ANY_LO, MODEL_ID_ANY_HI } }, .count = 1 },
			.mode = CG_MODE_NONE,
		};
		r = parse_fields(ctx, item, item_path, item, rule_fields, nrule_fields, rule);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_transition_rules(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	return parse_id_rule_list(ctx, arg, target, transition_rule_fields, ELEMENTSOF(transition_rule_fields));
}

static int parse_setgroups_rules(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	return parse_id_rule_list(ctx, arg, target, setgroups_rule_fields, ELEMENTSOF(setgroups_rule_fields));
}

static const struct field transition_section_fields[] = {
	{ .key = "deny", .parse = parse_transition_rules, .arg = CG_ACTION_DENY },
	{ .key = "allow", .parse = parse_transition_rules, .arg = CG_ACTION_ALLOW },
};

static const struct field setgroups_section_fields[] = {
	{ .key = "deny", .parse = parse_setgroups_rules, .arg = CG_ACTION_DENY },
	{ .key = "allow", .parse = parse_setgroups_rules, .arg = CG_ACTION_ALLOW },
};

static int parse_id_section(struct parse_ctx *ctx, const struct field_arg *arg, struct policy_model *model,
			    const struct field *fields, size_t nfields)
{
	struct model_id_section *section = &model->id_rules[arg->field->arg];

	section->present = true;
	section->mark = mark_of(arg->key);
	if (ynode_is_null(arg->value))
		return 0;
	if (!expect_mapping(ctx, arg->value, arg->path))
		return 0;
	return parse_fields(ctx, arg->value, arg->path, arg->key, fields, nfields, section);
}

static int parse_transition_section(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	return parse_id_section(ctx, arg, target, transition_section_fields, ELEMENTSOF(transition_section_fields));
}

static int parse_setgroups_section(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	return parse_id_section(ctx, arg, target, setgroups_section_fields, ELEMENTSOF(setgroups_section_fields));
}

/* ---- capset ------------------------------------------------------------ */

static int parse_cap_list_at(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct model_cap_list *list = FIELD_MEMBER(struct model_cap_list, target, arg);
	const struct ynode *node = arg->value;
	char item_path[PATH_SIZE], described[DIAG_QUOTE_SIZE];
	size_t index = 0;

	list->present = true;
	list->mark = mark_of(arg->key);
	list->caps = 0;
	if (ynode_is_null(node))
		return 0;
	if (!expect_list(ctx, node, arg->path))
		return 0;
	for (const struct ynode *item = node->first; item; item = item->next, index++) {
		int cap;

		if (!scalar_is_text(item)) {
			parse_error(ctx, item, "%s: expected a capability name, got %s",
				    path_index(item_path, arg->path, index), ynode_describe(item, described));
			continue;
		}
		if (strcasecmp(item->value, "all") == 0) {
			list->caps |= POLICY_CAP_KNOWN_MASK;
			continue;
		}
		cap = policy_capability_parse(item->value);
		if (cap < 0) {
			parse_error(ctx, item, "unknown capability %s", diag_quote(described, item->value, item->length));
			continue;
		}
		list->caps |= (__u64)1 << cap;
	}
	return 0;
}

static int parse_cap_sets(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct model_capset *capset = target;
	const struct ynode *node = arg->value;
	char item_path[PATH_SIZE], choices[CHOICES_SIZE];
	size_t index = 0;
	bool ok = true;
	__u8 sets = 0;

	if (!expect_list(ctx, node, arg->path))
		return 0;
	if (node->count == 0) {
		parse_error(ctx, node, "%s: expected at least one of %s", arg->path,
			    keyword_choices(choices, &policy_capset_keywords));
		return 0;
	}
	for (const struct ynode *item = node->first; item; item = item->next, index++) {
		unsigned set = 0;

		if (parse_keyword(ctx, item, path_index(item_path, arg->path, index), &policy_capset_keywords, &set))
			sets |= (__u8)set;
		else
			ok = false;
	}
	if (ok)
		capset->sets = sets;
	return 0;
}

static const struct field capset_fields[] = {
	{ .key = "denyGain", .parse = parse_cap_list_at, .arg = offsetof(struct model_capset, deny_gain) },
	{ .key = "allowGain", .parse = parse_cap_list_at, .arg = offsetof(struct model_capset, allow_gain) },
	{ .key = "sets", .parse = parse_cap_sets },
	{ .key = "mode", .parse = parse_mode_at, .arg = offsetof(struct model_capset, mode) },
};

static int parse_capset(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct model_capset *capset = &((struct policy_model *)target)->capset;

	capset->present = true;
	capset->mark = mark_of(arg->key);
	if (ynode_is_null(arg->value))
		return 0;
	if (!expect_mapping(ctx, arg->value, arg->path))
		return 0;
	return parse_fields(ctx, arg->value, arg->path, arg->key, capset_fields, ELEMENTSOF(capset_fields), capset);
}

/* ---- Selectors --------------------------------------------------------- */

/*
 * "/a//b/" -> "/a/b", "/" -> "/". Components "." and ".." are refused rather
 * than resolved: a policy names a cgroup, it does not walk to one, and a
 * path that climbs out of where it appears to point is a mistake or a trick.
 */
static int normalize_cgroup_path(struct parse_ctx *ctx, const struct ynode *node, const char *path,
				 const char *value, char **ret)
{
	const char *p;
	char described[DIAG_QUOTE_SIZE];
	_cleanup_free_ char *normal = NULL;
	size_t len = 0;

	*ret = NULL;
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
		if (n > CGROUP_NAME_MAX) {
			parse_error(ctx, node, "%s: a path component is %zu bytes long, more than %d", path, n,
				    CGROUP_NAME_MAX);
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

static int parse_cgroup(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct model_selector *selector = target;
	const char *value;

	if (!expect_string(ctx, arg->value, arg->path, &value))
		return 0;
	return normalize_cgroup_path(ctx, arg->value, arg->path, value, &selector->cgroup);
}

/* The keys of one selector are ANDed; a new kind of selector is a new row. */
static const struct field selector_fields[] = {
	{ .key = "cgroup", .parse = parse_cgroup },
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
	*selector = (struct model_selector){ .mark = mark_of(node) };
	return parse_fields(ctx, node, path, node, selector_fields, ELEMENTSOF(selector_fields), selector);
}

static int parse_selectors(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct policy_model *model = target;
	const struct ynode *node = arg->value;
	char item_path[PATH_SIZE], described[DIAG_QUOTE_SIZE];
	size_t index = 0;
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
	return 0;
}

/* ---- metadata and spec -------------------------------------------------- */

/* Like a DNS subdomain (as Kubernetes names are): [a-z0-9]([-a-z0-9.]*[a-z0-9])? */
static bool policy_name_is_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		bool alnum = (c >= 'a' && c <= 'z') || is_digit(c);

		if (!alnum && ((c != '-' && c != '.') || i == 0 || i == len - 1))
			return false;
	}
	return true;
}

static int parse_name(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct policy_model *model = target;
	char described[DIAG_QUOTE_SIZE];
	const char *name;

	if (!expect_string(ctx, arg->value, arg->path, &name))
		return 0;
	if (arg->value->length > POLICY_MAX_NAME_LEN) {
		parse_error(ctx, arg->value, "%s: name is %zu bytes long, more than POLICY_MAX_NAME_LEN (%d)",
			    arg->path, arg->value->length, POLICY_MAX_NAME_LEN);
		return 0;
	}
	if (!policy_name_is_valid(name)) {
		parse_error(ctx, arg->value,
			    "%s: %s is not a valid name (expected lowercase letters, digits, '-' and '.', "
			    "starting and ending with a letter or digit)",
			    arg->path, ynode_describe(arg->value, described));
		return 0;
	}
	free(model->name);
	model->name = strdup(name);
	if (!model->name)
		return -ENOMEM;
	model->name_mark = mark_of(arg->value);
	return 0;
}

static const struct field metadata_fields[] = {
	{ .key = "name", .parse = parse_name, .required = true },
};

static int parse_metadata(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	if (!expect_mapping(ctx, arg->value, arg->path))
		return 0;
	return parse_fields(ctx, arg->value, arg->path, arg->key, metadata_fields, ELEMENTSOF(metadata_fields),
			    target);
}

static const struct field spec_fields[] = {
	{ .key = "mode", .parse = parse_mode_at, .arg = offsetof(struct policy_model, mode) },
	{ .key = "observe", .parse = parse_bool_at, .arg = offsetof(struct policy_model, observe) },
	{ .key = "reportAllowed", .parse = parse_bool_at, .arg = offsetof(struct policy_model, report_allowed) },
	{ .key = "selector", .parse = parse_selectors, .required = true },
	{ .key = "setuid", .parse = parse_transition_section, .arg = MODEL_SETUID },
	{ .key = "setgid", .parse = parse_transition_section, .arg = MODEL_SETGID },
	{ .key = "setgroups", .parse = parse_setgroups_section, .arg = MODEL_SETGROUPS },
	{ .key = "capset", .parse = parse_capset },
};

static int parse_spec(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	if (!expect_mapping(ctx, arg->value, arg->path))
		return 0;
	return parse_fields(ctx, arg->value, arg->path, arg->key, spec_fields, ELEMENTSOF(spec_fields), target);
}

/* ---- Documents, by kind ------------------------------------------------- */

static int parse_api_version(struct parse_ctx *ctx, const struct field_arg *arg, void *target);

static const struct field credential_policy_fields[] = {
	{ .key = "apiVersion", .parse = parse_api_version, .required = true },
	{ .key = "kind", .parse = parse_nothing, .required = true }, /* checked to choose this table */
	{ .key = "metadata", .parse = parse_metadata },
	{ .key = "spec", .parse = parse_spec, .required = true },
};

static int parse_credential_policy(struct parse_ctx *ctx, const struct ynode *root, struct policy_model *model)
{
	int r;

	model->mode = CG_MODE_AUDIT;
	model->observe = true;
	model->report_allowed = false;
	for (size_t i = 0; i < MODEL_ID_KINDS; i++)
		model->id_rules[i] = (struct model_id_section){};
	model->capset = (struct model_capset){ .sets = CG_CAPSET_PERMITTED | CG_CAPSET_EFFECTIVE };

	r = parse_fields(ctx, root, "", root, credential_policy_fields, ELEMENTSOF(credential_policy_fields), model);
	if (r < 0)
		return r;
	/* Without metadata at all, say what is really missing. */
	if (!mapping_find(root, "metadata"))
		parse_error(ctx, root, "metadata.name is required");
	return 0;
}

/* What a document may be; the kind decides which keys the rest may have. */
static const struct document_kind {
	const char *kind;
	const char *api_version;
	int (*parse)(struct parse_ctx *ctx, const struct ynode *root, struct policy_model *model);
} document_kinds[] = {
	{ "CredentialPolicy", "credgate.io/v1", parse_credential_policy },
};

static int parse_api_version(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	char described[DIAG_QUOTE_SIZE];

	if (!scalar_equals(arg->value, ctx->kind->api_version))
		parse_error(ctx, arg->value, "%s: expected '%s', got %s", arg->path, ctx->kind->api_version,
			    ynode_describe(arg->value, described));
	return 0;
}

static const struct document_kind *find_document_kind(const struct ynode *node)
{
	for (size_t i = 0; i < ELEMENTSOF(document_kinds); i++)
		if (scalar_equals(node, document_kinds[i].kind))
			return &document_kinds[i];
	return NULL;
}

void policy_model_free(struct policy_model *model)
{
	if (!model)
		return;
	free(model->name);
	for (unsigned i = 0; i < model->nselectors; i++)
		free(model->selectors[i].cgroup);
	free(model);
}

void policy_model_freep(struct policy_model **model)
{
	policy_model_free(*model);
}

int policy_parse_document(struct diag_reporter *reporter, const struct ynode *root, struct policy_model **ret)
{
	_cleanup_(policy_model_freep) struct policy_model *model = NULL;
	struct parse_ctx ctx = { .reporter = reporter };
	size_t errors_before = reporter->errors;
	char described[DIAG_QUOTE_SIZE], choices[CHOICES_SIZE];
	const struct ynode *kind;
	int r;

	*ret = NULL;
	if (root->kind != YNODE_MAPPING) {
		parse_error(&ctx, root, "expected a mapping at the top level of the document, got %s",
			    ynode_describe(root, described));
		return 0;
	}

	kind = mapping_find(root, "kind");
	if (!kind) {
		if (!mapping_find(root, "apiVersion"))
			parse_error(&ctx, root, "apiVersion is required");
		parse_error(&ctx, root, "kind is required");
		return 0;
	}
	ctx.kind = find_document_kind(kind);
	if (!ctx.kind) {
		choices[0] = '\0';
		for (size_t i = 0; i < ELEMENTSOF(document_kinds); i++)
			append_choice(choices, i, ELEMENTSOF(document_kinds), document_kinds[i].kind, true);
		parse_error(&ctx, kind, "kind: expected %s, got %s", choices, ynode_describe(kind, described));
		return 0;
	}

	model = calloc(1, sizeof(*model));
	if (!model)
		return -ENOMEM;
	model->mark = mark_of(root);
	r = ctx.kind->parse(&ctx, root, model);
	if (r < 0)
		return r;
	if (reporter->errors == errors_before)
		*ret = TAKE_PTR(model);
	return 0;
}
