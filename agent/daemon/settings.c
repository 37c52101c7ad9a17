/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The agent's settings file: one AgentConfig document, read with policy/'s
 * YAML document and field helpers into struct agent_options.
 */
#include "settings.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cg_names.h"
#include "cleanup.h"
#include "fields.h"
#include "fileio.h"
#include "names.h"
#include "options.h"

#define NODE_NAME_MAX 253

void settings_free(struct agent_options *opts)
{
	if (!opts)
		return;
	for (size_t i = 0; i < opts->n_settings_allocs; i++)
		free(opts->settings_allocs[i]);
	free(opts->settings_allocs);
	opts->settings_allocs = NULL;
	opts->n_settings_allocs = 0;
}

/*
 * Let @opts own @p until settings_free(). Fields then point into it, and a
 * value the command line replaces is freed with the rest. On -ENOMEM @p is
 * freed. A file has at most one value per key and CREDGATE_MAX_CONTAINER_CGROUPS
 * patterns, so the list stays short.
 */
static int keep_alloc(struct agent_options *opts, void *p)
{
	void **grown;

	if (!p)
		return -ENOMEM;
	grown = reallocarray(opts->settings_allocs, opts->n_settings_allocs + 1, sizeof(*grown));
	if (!grown) {
		free(p);
		return -ENOMEM;
	}
	grown[opts->n_settings_allocs++] = p;
	opts->settings_allocs = grown;
	return 0;
}

/* ---- Fields ------------------------------------------------------------- */

/* An absolute path into the const char * at the field's offset in struct agent_options. */
static int parse_path_at(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	const char **slot = FIELD_MEMBER(const char *, target, arg);
	char *normal = NULL;
	int r;

	r = normalize_absolute_path(ctx, arg->value, arg->path, &normal);
	if (r < 0 || !normal)
		return r;
	r = keep_alloc(target, normal);
	if (r < 0)
		return r;
	*slot = normal;
	return 0;
}

/*
 * parse_keyword() over one of common/cg_names.c's tables, so that the words
 * are spelled there only; the diagnostic lists them in the table's order.
 */
#define MAX_NAMED_WORDS 8
static bool parse_named(struct parse_ctx *ctx, const struct field_arg *arg, const char *(*name)(unsigned),
			unsigned count, unsigned *value)
{
	struct policy_keyword items[MAX_NAMED_WORDS];
	struct policy_keyword_table table = { items, 0 };

	for (unsigned i = 0; i < count && table.count < MAX_NAMED_WORDS; i++)
		if (name(i))
			items[table.count++] = (struct policy_keyword){ name(i), i };
	return parse_keyword(ctx, arg->value, arg->path, &table, value);
}

static int parse_socket_group(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct agent_options *opts = target;
	const char *value;
	char *copy;
	int r;

	if (!expect_string(ctx, arg->value, arg->path, &value))
		return 0;
	if (!*value || strlen(value) > 32 || strchr(value, '/') || strchr(value, ':')) {
		parse_error(ctx, arg->value, "%s: expected a group name, got '%.40s'", arg->path, value);
		return 0;
	}
	copy = strdup(value);
	r = keep_alloc(opts, copy);
	if (r < 0)
		return r;
	opts->socket_group = copy;
	return 0;
}

/* bool keys. */
#define BOOL_FIELD(member)                                                                        \
	static int parse_##member(struct parse_ctx *ctx, const struct field_arg *arg, void *target) \
	{                                                                                         \
		struct agent_options *opts = target;                                                \
		bool value;                                                                         \
		if (parse_bool(ctx, arg->value, arg->path, &value))                                 \
			opts->member = value;                                                       \
		return 0;                                                                           \
	}
BOOL_FIELD(unload_on_stop)
BOOL_FIELD(journal)
#undef BOOL_FIELD

/* Bounded integer keys, into the member of struct agent_options they set. */
#define INT_FIELD(name, member, type, lo, hi)                                                   \
	static int parse_##name(struct parse_ctx *ctx, const struct field_arg *arg, void *target) \
	{                                                                                       \
		struct agent_options *opts = target;                                              \
		long long v;                                                                      \
		if (parse_integer(ctx, arg->value, arg->path, (lo), (hi), &v))                    \
			opts->member = (type)v;                                                   \
		return 0;                                                                         \
	}
INT_FIELD(events_file_max_size, events_file_max_size, uint64_t, 4096, 1LL << 40)
INT_FIELD(events_file_keep, events_file_keep, unsigned, 1, 1000)
INT_FIELD(observe_rate, observe_rate, uint32_t, 0, 10000000)
INT_FIELD(observe_burst, observe_burst, uint32_t, 0, 10000000)
INT_FIELD(deny_summary_rate, deny_rate, uint32_t, 0, 10000000)
INT_FIELD(deny_summary_burst, deny_burst, uint32_t, 0, 10000000)
INT_FIELD(cgroup_map_size, cgroup_map_size, uint32_t, CREDGATE_MIN_CGROUP_MAP_SIZE, CREDGATE_MAX_CGROUP_MAP_SIZE)
#undef INT_FIELD

static int parse_output(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct agent_options *opts = target;
	unsigned value;

	if (parse_named(ctx, arg, cg_output_format_name, OUTPUT_FORMAT_COUNT, &value))
		opts->output = (enum output_format)value;
	return 0;
}

static int parse_lsm_unavailable(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct agent_options *opts = target;
	unsigned value;

	if (parse_named(ctx, arg, cg_lsm_unavailable_name, LSM_UNAVAILABLE_COUNT, &value))
		opts->lsm_unavailable = (enum lsm_unavailable_action)value;
	return 0;
}

static int parse_audit_records(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct agent_options *opts = target;
	unsigned value;

	if (parse_named(ctx, arg, cg_audit_records_name, AUDIT_RECORDS_COUNT, &value))
		opts->audit_avc = value == AUDIT_RECORDS_AVC;
	return 0;
}

static int parse_events(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct agent_options *opts = target;
	char *normal = NULL;
	const char *value;
	int r;

	if (!expect_string(ctx, arg->value, arg->path, &value))
		return 0;
	if (strcmp(value, "-") == 0) {
		opts->events_path = "-";
		return 0;
	}
	r = normalize_absolute_path(ctx, arg->value, arg->path, &normal);
	if (r < 0 || !normal)
		return r;
	r = keep_alloc(opts, normal);
	if (r < 0)
		return r;
	opts->events_path = normal;
	return 0;
}

static int parse_node_name(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct agent_options *opts = target;
	char described[DIAG_QUOTE_SIZE];
	const char *value;
	char *copy;
	int r;

	if (ynode_is_null(arg->value))
		return 0; /* "nodeName:" with nothing: the host name */
	if (!expect_string(ctx, arg->value, arg->path, &value))
		return 0;
	if (strlen(value) > NODE_NAME_MAX) {
		parse_error(ctx, arg->value, "%s: name is %zu bytes long, more than %d", arg->path, strlen(value),
			    NODE_NAME_MAX);
		return 0;
	}
	for (const char *p = value; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '.' || *p == '_')) {
			parse_error(ctx, arg->value,
				    "%s: %s is not a valid node name (expected letters, digits, '-', '.' and '_')",
				    arg->path, ynode_describe(arg->value, described));
			return 0;
		}
	if (*value == '\0') {
		opts->node_name = NULL; /* empty: the host name */
		return 0;
	}
	copy = strdup(value);
	r = keep_alloc(opts, copy);
	if (r < 0)
		return r;
	opts->node_name = copy;
	return 0;
}

static int parse_ringbuf_size(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct agent_options *opts = target;
	long long size;

	if (!parse_integer(ctx, arg->value, arg->path, CREDGATE_MIN_RINGBUF_SIZE, CREDGATE_MAX_RINGBUF_SIZE, &size))
		return 0;
	if (size & (size - 1)) {
		parse_error(ctx, arg->value, "%s: %lld is not a power of two (the kernel's ring buffer must be)",
			    arg->path, size);
		return 0;
	}
	opts->ringbuf_bytes = (size_t)size;
	return 0;
}

/* containerCgroups: a list of anchored cgroup path patterns. */
static int parse_container_cgroups(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct agent_options *opts = target;
	const struct ynode *node = arg->value;
	char item_path[PATH_SIZE];
	char **patterns;
	size_t n = 0, i = 0;
	int r;

	if (!expect_list(ctx, node, arg->path))
		return 0;
	if (node->count > CREDGATE_MAX_CONTAINER_CGROUPS) {
		parse_error(ctx, node, "%s: %zu patterns, more than %d", arg->path, node->count,
			    CREDGATE_MAX_CONTAINER_CGROUPS);
		return 0;
	}
	patterns = calloc(node->count + 1, sizeof(*patterns));
	r = keep_alloc(opts, patterns);
	if (r < 0)
		return r;
	for (const struct ynode *item = node->first; item; item = item->next, i++) {
		const char *value, *why;
		char quoted[DIAG_QUOTE_SIZE];
		char *normal = NULL, *absolute = NULL;

		path_index(item_path, arg->path, i);
		if (!expect_string(ctx, item, item_path, &value))
			continue;
		if (strlen(value) != item->length) {
			parse_error(ctx, item, "%s: a NUL character is not allowed", item_path);
			continue;
		}
		r = policy_container_cgroup_pattern(value, &normal, &why);
		/* Kept absolute, as written (normalised): the set takes it so. */
		if (r == 0 && asprintf(&absolute, "/%s", normal) < 0) {
			absolute = NULL;
			r = -ENOMEM;
		}
		free(normal);
		if (r == 0)
			r = keep_alloc(opts, absolute);
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			parse_error(ctx, item, "%s: %s is not a place for containers: %s", item_path,
				    diag_quote(quoted, value, item->length), why);
		else
			patterns[n++] = absolute;
	}
	opts->container_cgroups = (const char *const *)patterns;
	opts->n_container_cgroups = n;
	return 0;
}

static int parse_kind(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	char described[DIAG_QUOTE_SIZE];

	if (!scalar_equals(arg->value, "AgentConfig"))
		parse_error(ctx, arg->value, "%s: expected 'AgentConfig', got %s", arg->path,
			    ynode_describe(arg->value, described));
	return 0;
}

static const struct field settings_fields[] = {
	{ .key = "apiVersion", .parse = parse_api_version, .required = true },
	{ .key = "kind", .parse = parse_kind, .required = true },
	{ .key = "policyDir", .parse = parse_path_at, .arg = offsetof(struct agent_options, policy_path) },
	{ .key = "output", .parse = parse_output },
	{ .key = "events", .parse = parse_events },
	{ .key = "lsmUnavailable", .parse = parse_lsm_unavailable },
	{ .key = "nodeName", .parse = parse_node_name },
	{ .key = "ringbufSize", .parse = parse_ringbuf_size },
	{ .key = "cgroupMapSize", .parse = parse_cgroup_map_size },
	{ .key = "passwdFile", .parse = parse_path_at, .arg = offsetof(struct agent_options, passwd_file) },
	{ .key = "groupFile", .parse = parse_path_at, .arg = offsetof(struct agent_options, group_file) },
	{ .key = "pinDir", .parse = parse_path_at, .arg = offsetof(struct agent_options, pin_dir) },
	{ .key = "unloadOnStop", .parse = parse_unload_on_stop },
	{ .key = "socket", .parse = parse_path_at, .arg = offsetof(struct agent_options, socket_path) },
	{ .key = "socketGroup", .parse = parse_socket_group },
	{ .key = "journal", .parse = parse_journal },
	{ .key = "eventsFile", .parse = parse_path_at, .arg = offsetof(struct agent_options, events_file) },
	{ .key = "eventsFileMaxSize", .parse = parse_events_file_max_size },
	{ .key = "eventsFileKeep", .parse = parse_events_file_keep },
	{ .key = "observeRate", .parse = parse_observe_rate },
	{ .key = "observeBurst", .parse = parse_observe_burst },
	{ .key = "denySummaryRate", .parse = parse_deny_summary_rate },
	{ .key = "denySummaryBurst", .parse = parse_deny_summary_burst },
	{ .key = "auditRecords", .parse = parse_audit_records },
	{ .key = "metricsFile", .parse = parse_path_at, .arg = offsetof(struct agent_options, metrics_file) },
	{ .key = "containerCgroups", .parse = parse_container_cgroups },
};

/* ---- Documents ------------------------------------------------------------ */

static int parse_document(struct diag_reporter *reporter, const struct ydoc *doc, struct agent_options *opts)
{
	struct parse_ctx ctx = { .reporter = reporter, .api_version = "credgate.io/v1" };
	char described[DIAG_QUOTE_SIZE];

	if (!doc->valid || !doc->root || ynode_is_null(doc->root))
		return 0;
	if (doc->root->kind != YNODE_MAPPING) {
		parse_error(&ctx, doc->root, "expected a mapping at the top level of the document, got %s",
			    ynode_describe(doc->root, described));
		return 0;
	}
	return parse_fields(&ctx, doc->root, "", doc->root, settings_fields, ELEMENTSOF(settings_fields), opts);
}

/* @opts takes @parsed's values and, besides its own, its allocations; @parsed is emptied. */
static int settings_commit(struct agent_options *opts, struct agent_options *parsed)
{
	void **all = opts->settings_allocs;
	size_t n = opts->n_settings_allocs + parsed->n_settings_allocs;

	if (parsed->n_settings_allocs) {
		all = reallocarray(all, n, sizeof(*all));
		if (!all)
			return -ENOMEM;
		memcpy(all + opts->n_settings_allocs, parsed->settings_allocs,
		       parsed->n_settings_allocs * sizeof(*all));
	}
	free(parsed->settings_allocs);
	*opts = *parsed;
	opts->settings_allocs = all;
	opts->n_settings_allocs = n;
	*parsed = (struct agent_options){};
	return 0;
}

int settings_parse(const char *filename, const char *text, size_t len, struct agent_options *opts,
		   struct policy_diags *diags)
{
	struct diag_reporter reporter = { .diags = diags, .file = filename ? filename : "<input>" };
	struct agent_options parsed;
	struct ystream stream;
	unsigned documents = 0;
	int r;

	if (!opts || (!text && len > 0))
		return -EINVAL;
	if (len > CREDGATE_CONFIG_MAX_FILE_SIZE) {
		diag_error(&reporter, 0, 0, "file is too large: %zu bytes, more than CREDGATE_CONFIG_MAX_FILE_SIZE (%d)",
			   len, CREDGATE_CONFIG_MAX_FILE_SIZE);
		return -EFBIG;
	}
	/* Into a copy, which only a clean parse hands back: a refused file changes nothing. */
	parsed = *opts;
	parsed.settings_allocs = NULL;
	parsed.n_settings_allocs = 0;
	r = ystream_open(&stream, &reporter, text ? text : "", len);
	if (r < 0)
		goto out;
	for (;;) {
		struct ydoc doc;

		r = ystream_next(&stream, &doc);
		if (r <= 0)
			break;
		if (doc.root && !ynode_is_null(doc.root) && ++documents == 2)
			diag_error(&reporter, doc.root->line, doc.root->column,
				   "the agent settings file holds one document, not several");
		if (documents < 2)
			r = parse_document(&reporter, &doc, &parsed);
		ydoc_done(&doc);
		if (r < 0)
			break;
	}
	ystream_close(&stream);
	if (r < 0 && r != -EINVAL)
		goto out;
	if (reporter.out_of_memory)
		r = -ENOMEM;
	else if (reporter.errors > 0)
		r = -EINVAL;
	else
		r = settings_commit(opts, &parsed);
out:
	settings_free(&parsed);
	return r;
}

int settings_load(const char *path, struct agent_options *opts, struct policy_diags *diags)
{
	struct diag_reporter reporter = { .diags = diags, .file = path };
	_cleanup_free_ char *text = NULL;
	char buf[128];
	size_t len = 0;
	int r;

	if (!path || !opts)
		return -EINVAL;
	r = read_regular_file(path, CREDGATE_CONFIG_MAX_FILE_SIZE, &text, &len);
	if (r == -ENOMEM || r == -ENOENT)
		return r; /* no settings file: no diagnostic */
	if (r < 0) {
		if (r == -EFBIG)
			diag_error(&reporter, 0, 0,
				   "file is too large: %zu bytes, more than CREDGATE_CONFIG_MAX_FILE_SIZE (%d)", len,
				   CREDGATE_CONFIG_MAX_FILE_SIZE);
		else if (r == -EINVAL || r == -EISDIR)
			diag_error(&reporter, 0, 0, "not a regular file");
		else
			diag_error(&reporter, 0, 0, "cannot read: %s", diag_errno_text(-r, buf, sizeof(buf)));
		return reporter.out_of_memory ? -ENOMEM : r;
	}
	return settings_parse(path, text, len, opts, diags);
}
