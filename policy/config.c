/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The agent's settings file: one AgentConfig document. */

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "config.h"
#include "fields.h"
#include "fileio.h"
#include "names.h"

#define NODE_NAME_MAX 253

static const struct policy_keyword output_keywords[] = {
	{ "json", CREDGATE_OUTPUT_JSON },
	{ "compact", CREDGATE_OUTPUT_COMPACT },
};

static const struct policy_keyword_table output_table = { output_keywords, ELEMENTSOF(output_keywords) };

static const struct policy_keyword lsm_unavailable_keywords[] = {
	{ "fail", CREDGATE_LSM_UNAVAILABLE_FAIL },
	{ "observe", CREDGATE_LSM_UNAVAILABLE_OBSERVE },
	{ "kill", CREDGATE_LSM_UNAVAILABLE_KILL },
};

static const struct policy_keyword_table lsm_unavailable_table = { lsm_unavailable_keywords,
								   ELEMENTSOF(lsm_unavailable_keywords) };

static const struct policy_keyword audit_records_keywords[] = {
	{ "off", CREDGATE_AUDIT_RECORDS_OFF },
	{ "avc", CREDGATE_AUDIT_RECORDS_AVC },
};

static const struct policy_keyword_table audit_records_table = { audit_records_keywords,
								 ELEMENTSOF(audit_records_keywords) };

const char *credgate_audit_records_name(enum credgate_audit_records value)
{
	return policy_keyword_name(&audit_records_table, value);
}

const char *credgate_output_name(enum credgate_output output)
{
	return policy_keyword_name(&output_table, output);
}

const char *credgate_lsm_unavailable_name(enum credgate_lsm_unavailable value)
{
	return policy_keyword_name(&lsm_unavailable_table, value);
}

void credgate_config_free(struct credgate_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->policy_dir);
	free(cfg->events);
	free(cfg->node_name);
	free(cfg->passwd_file);
	free(cfg->group_file);
	free(cfg->pin_dir);
	free(cfg->socket);
	free(cfg->events_file);
	free(cfg->metrics_file);
	free(cfg->socket_group);
	for (size_t i = 0; i < cfg->n_container_cgroups; i++)
		free(cfg->container_cgroups[i]);
	free(cfg->container_cgroups);
	*cfg = (struct credgate_config){};
}

int credgate_config_defaults(struct credgate_config *cfg)
{
	*cfg = (struct credgate_config){
		.output = CREDGATE_OUTPUT_JSON,
		.lsm_unavailable = CREDGATE_LSM_UNAVAILABLE_FAIL,
		.ringbuf_size = CREDGATE_DEFAULT_RINGBUF_SIZE,
		.cgroup_map_size = CREDGATE_DEFAULT_CGROUP_MAP_SIZE,
	};
	cfg->policy_dir = strdup(CREDGATE_DEFAULT_POLICY_DIR);
	cfg->events = strdup(CREDGATE_DEFAULT_EVENTS);
	cfg->passwd_file = strdup(POLICY_DEFAULT_PASSWD_FILE);
	cfg->group_file = strdup(POLICY_DEFAULT_GROUP_FILE);
	if (!cfg->policy_dir || !cfg->events || !cfg->passwd_file || !cfg->group_file) {
		credgate_config_free(cfg);
		return -ENOMEM;
	}
	return 0;
}

/* ---- Fields ------------------------------------------------------------- */

/* An absolute path into the char * at the field's offset; its has_ flag precedes it. */
static int parse_path_at(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	char **slot = FIELD_MEMBER(char *, target, arg);
	bool *has = (bool *)((char *)slot - offsetof(struct credgate_config, policy_dir) +
			     offsetof(struct credgate_config, has_policy_dir));
	char *normal = NULL;
	int r;

	r = normalize_absolute_path(ctx, arg->value, arg->path, &normal);
	if (r < 0 || !normal)
		return r;
	free(*slot);
	*slot = normal;
	*has = true;
	return 0;
}

/* Every string field is laid out as "bool has_x; char *x;", as policy_dir is. */
_Static_assert(offsetof(struct credgate_config, policy_dir) - offsetof(struct credgate_config, has_policy_dir) ==
		       offsetof(struct credgate_config, passwd_file) - offsetof(struct credgate_config, has_passwd_file),
	       "has_ flags must sit at the same distance before their strings");
_Static_assert(offsetof(struct credgate_config, policy_dir) - offsetof(struct credgate_config, has_policy_dir) ==
		       offsetof(struct credgate_config, group_file) - offsetof(struct credgate_config, has_group_file),
	       "has_ flags must sit at the same distance before their strings");
_Static_assert(offsetof(struct credgate_config, policy_dir) - offsetof(struct credgate_config, has_policy_dir) ==
		       offsetof(struct credgate_config, pin_dir) - offsetof(struct credgate_config, has_pin_dir),
	       "has_ flags must sit at the same distance before their strings");
_Static_assert(offsetof(struct credgate_config, policy_dir) - offsetof(struct credgate_config, has_policy_dir) ==
		       offsetof(struct credgate_config, socket) - offsetof(struct credgate_config, has_socket),
	       "has_ flags must sit at the same distance before their strings");
_Static_assert(offsetof(struct credgate_config, policy_dir) - offsetof(struct credgate_config, has_policy_dir) ==
		       offsetof(struct credgate_config, events_file) - offsetof(struct credgate_config, has_events_file),
	       "has_ flags must sit at the same distance before their strings");
_Static_assert(offsetof(struct credgate_config, policy_dir) - offsetof(struct credgate_config, has_policy_dir) ==
		       offsetof(struct credgate_config, metrics_file) - offsetof(struct credgate_config, has_metrics_file),
	       "has_ flags must sit at the same distance before their strings");

static int parse_socket_group(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct credgate_config *cfg = target;
	const char *value;
	char *copy;

	if (!expect_string(ctx, arg->value, arg->path, &value))
		return 0;
	if (!*value || strlen(value) > 32 || strchr(value, '/') || strchr(value, ':')) {
		parse_error(ctx, arg->value, "%s: expected a group name, got '%.40s'", arg->path, value);
		return 0;
	}
	copy = strdup(value);
	if (!copy)
		return -ENOMEM;
	free(cfg->socket_group);
	cfg->socket_group = copy;
	cfg->has_socket_group = true;
	return 0;
}

/* bool keys: the value, then its has_ flag. */
#define BOOL_FIELD(name, member)                                                                 \
	static int parse_##member(struct parse_ctx *ctx, const struct field_arg *arg, void *target) \
	{                                                                                         \
		struct credgate_config *cfg = target;                                               \
		if (parse_bool(ctx, arg->value, arg->path, &cfg->member))                            \
			cfg->has_##member = true;                                                   \
		return 0;                                                                           \
	}
BOOL_FIELD(unloadOnStop, unload_on_stop)
BOOL_FIELD(journal, journal)
#undef BOOL_FIELD

/* Bounded integer keys. */
#define INT_FIELD(member, type, lo, hi)                                                           \
	static int parse_##member(struct parse_ctx *ctx, const struct field_arg *arg, void *target) \
	{                                                                                         \
		struct credgate_config *cfg = target;                                               \
		long long v;                                                                        \
		if (parse_integer(ctx, arg->value, arg->path, (lo), (hi), &v)) {                    \
			cfg->member = (type)v;                                                      \
			cfg->has_##member = true;                                                   \
		}                                                                                   \
		return 0;                                                                           \
	}
INT_FIELD(events_file_max_size, uint64_t, 4096, 1LL << 40)
INT_FIELD(events_file_keep, uint32_t, 1, 1000)
INT_FIELD(observe_rate, uint32_t, 0, 10000000)
INT_FIELD(observe_burst, uint32_t, 0, 10000000)
INT_FIELD(deny_summary_rate, uint32_t, 0, 10000000)
INT_FIELD(deny_summary_burst, uint32_t, 0, 10000000)
INT_FIELD(cgroup_map_size, uint32_t, CREDGATE_MIN_CGROUP_MAP_SIZE, CREDGATE_MAX_CGROUP_MAP_SIZE)
#undef INT_FIELD

static int parse_output(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct credgate_config *cfg = target;
	unsigned value;

	if (parse_keyword(ctx, arg->value, arg->path, &output_table, &value)) {
		cfg->output = (enum credgate_output)value;
		cfg->has_output = true;
	}
	return 0;
}

static int parse_lsm_unavailable(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct credgate_config *cfg = target;
	unsigned value;

	if (parse_keyword(ctx, arg->value, arg->path, &lsm_unavailable_table, &value)) {
		cfg->lsm_unavailable = (enum credgate_lsm_unavailable)value;
		cfg->has_lsm_unavailable = true;
	}
	return 0;
}

static int parse_audit_records(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct credgate_config *cfg = target;
	unsigned value;

	if (parse_keyword(ctx, arg->value, arg->path, &audit_records_table, &value)) {
		cfg->audit_records = (enum credgate_audit_records)value;
		cfg->has_audit_records = true;
	}
	return 0;
}

static int parse_events(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct credgate_config *cfg = target;
	char *normal = NULL;
	const char *value;
	int r;

	if (!expect_string(ctx, arg->value, arg->path, &value))
		return 0;
	if (strcmp(value, "-") == 0) {
		normal = strdup("-");
		if (!normal)
			return -ENOMEM;
	} else {
		r = normalize_absolute_path(ctx, arg->value, arg->path, &normal);
		if (r < 0 || !normal)
			return r;
	}
	free(cfg->events);
	cfg->events = normal;
	cfg->has_events = true;
	return 0;
}

static int parse_node_name(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct credgate_config *cfg = target;
	char described[DIAG_QUOTE_SIZE];
	const char *value;
	char *copy;

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
	cfg->has_node_name = true;
	free(cfg->node_name);
	cfg->node_name = NULL;
	if (*value == '\0')
		return 0; /* empty: the host name */
	copy = strdup(value);
	if (!copy)
		return -ENOMEM;
	cfg->node_name = copy;
	return 0;
}

static int parse_ringbuf_size(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct credgate_config *cfg = target;
	long long size;

	if (!parse_integer(ctx, arg->value, arg->path, CREDGATE_MIN_RINGBUF_SIZE, CREDGATE_MAX_RINGBUF_SIZE, &size))
		return 0;
	if (size & (size - 1)) {
		parse_error(ctx, arg->value, "%s: %lld is not a power of two (the kernel's ring buffer must be)",
			    arg->path, size);
		return 0;
	}
	cfg->ringbuf_size = (uint32_t)size;
	cfg->has_ringbuf_size = true;
	return 0;
}

/* containerCgroups: a list of anchored cgroup path patterns. */
static int parse_container_cgroups(struct parse_ctx *ctx, const struct field_arg *arg, void *target)
{
	struct credgate_config *cfg = target;
	const struct ynode *node = arg->value;
	char item_path[PATH_SIZE];
	char **patterns;
	size_t n = 0, i = 0;

	if (!expect_list(ctx, node, arg->path))
		return 0;
	if (node->count > CREDGATE_MAX_CONTAINER_CGROUPS) {
		parse_error(ctx, node, "%s: %zu patterns, more than %d", arg->path, node->count,
			    CREDGATE_MAX_CONTAINER_CGROUPS);
		return 0;
	}
	patterns = calloc(node->count + 1, sizeof(*patterns));
	if (!patterns)
		return -ENOMEM;
	for (const struct ynode *item = node->first; item; item = item->next, i++) {
		const char *value, *why;
		char quoted[DIAG_QUOTE_SIZE];
		char *normal = NULL;
		int r;

		path_index(item_path, arg->path, i);
		if (!expect_string(ctx, item, item_path, &value))
			continue;
		if (strlen(value) != item->length) {
			parse_error(ctx, item, "%s: a NUL character is not allowed", item_path);
			continue;
		}
		r = policy_container_cgroup_pattern(value, &normal, &why);
		/* Kept absolute, as written (normalised): the set takes it so. */
		if (r == 0 && asprintf(&patterns[n], "/%s", normal) < 0) {
			patterns[n] = NULL;
			r = -ENOMEM;
		}
		free(normal);
		if (r == -ENOMEM) {
			while (n > 0)
				free(patterns[--n]);
			free(patterns);
			return r;
		}
		if (r < 0)
			parse_error(ctx, item, "%s: %s is not a place for containers: %s", item_path,
				    diag_quote(quoted, value, item->length), why);
		else
			n++;
	}
	for (size_t k = 0; k < cfg->n_container_cgroups; k++)
		free(cfg->container_cgroups[k]);
	free(cfg->container_cgroups);
	cfg->container_cgroups = patterns;
	cfg->n_container_cgroups = n;
	cfg->has_container_cgroups = true;
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

static const struct field config_fields[] = {
	{ .key = "apiVersion", .parse = parse_api_version, .required = true },
	{ .key = "kind", .parse = parse_kind, .required = true },
	{ .key = "policyDir", .parse = parse_path_at, .arg = offsetof(struct credgate_config, policy_dir) },
	{ .key = "output", .parse = parse_output },
	{ .key = "events", .parse = parse_events },
	{ .key = "lsmUnavailable", .parse = parse_lsm_unavailable },
	{ .key = "nodeName", .parse = parse_node_name },
	{ .key = "ringbufSize", .parse = parse_ringbuf_size },
	{ .key = "cgroupMapSize", .parse = parse_cgroup_map_size },
	{ .key = "passwdFile", .parse = parse_path_at, .arg = offsetof(struct credgate_config, passwd_file) },
	{ .key = "groupFile", .parse = parse_path_at, .arg = offsetof(struct credgate_config, group_file) },
	{ .key = "pinDir", .parse = parse_path_at, .arg = offsetof(struct credgate_config, pin_dir) },
	{ .key = "unloadOnStop", .parse = parse_unload_on_stop },
	{ .key = "socket", .parse = parse_path_at, .arg = offsetof(struct credgate_config, socket) },
	{ .key = "socketGroup", .parse = parse_socket_group },
	{ .key = "journal", .parse = parse_journal },
	{ .key = "eventsFile", .parse = parse_path_at, .arg = offsetof(struct credgate_config, events_file) },
	{ .key = "eventsFileMaxSize", .parse = parse_events_file_max_size },
	{ .key = "eventsFileKeep", .parse = parse_events_file_keep },
	{ .key = "observeRate", .parse = parse_observe_rate },
	{ .key = "observeBurst", .parse = parse_observe_burst },
	{ .key = "denySummaryRate", .parse = parse_deny_summary_rate },
	{ .key = "denySummaryBurst", .parse = parse_deny_summary_burst },
	{ .key = "auditRecords", .parse = parse_audit_records },
	{ .key = "metricsFile", .parse = parse_path_at, .arg = offsetof(struct credgate_config, metrics_file) },
	{ .key = "containerCgroups", .parse = parse_container_cgroups },
};

/* ---- Documents ------------------------------------------------------------ */

static int parse_document(struct diag_reporter *reporter, const struct ydoc *doc, struct credgate_config *cfg)
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
	return parse_fields(&ctx, doc->root, "", doc->root, config_fields, ELEMENTSOF(config_fields), cfg);
}

int credgate_config_parse(const char *filename, const char *text, size_t len, struct credgate_config *cfg,
			  struct policy_diags *diags)
{
	struct diag_reporter reporter = { .diags = diags, .file = filename ? filename : "<input>" };
	struct credgate_config parsed;
	struct ystream stream;
	unsigned documents = 0;
	int r;

	r = credgate_config_defaults(cfg);
	if (r < 0)
		return r;
	if (!text && len > 0)
		return -EINVAL;
	if (len > CREDGATE_CONFIG_MAX_FILE_SIZE) {
		diag_error(&reporter, 0, 0, "file is too large: %zu bytes, more than CREDGATE_CONFIG_MAX_FILE_SIZE (%d)",
			   len, CREDGATE_CONFIG_MAX_FILE_SIZE);
		return -EFBIG;
	}
	r = credgate_config_defaults(&parsed);
	if (r < 0)
		goto fail;
	r = ystream_open(&stream, &reporter, text ? text : "", len);
	if (r < 0)
		goto fail;
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
		goto fail;
	if (reporter.out_of_memory) {
		r = -ENOMEM;
		goto fail;
	}
	if (reporter.errors > 0) {
		credgate_config_free(&parsed);
		return -EINVAL;
	}
	credgate_config_free(cfg);
	*cfg = parsed;
	return 0;

fail:
	credgate_config_free(&parsed);
	credgate_config_free(cfg);
	return r;
}

int credgate_config_load(const char *path, struct credgate_config *cfg, struct policy_diags *diags)
{
	struct diag_reporter reporter = { .diags = diags, .file = path };
	_cleanup_free_ char *text = NULL;
	char buf[128];
	size_t len = 0;
	int r;

	if (!path || !cfg)
		return -EINVAL;
	r = read_regular_file(path, CREDGATE_CONFIG_MAX_FILE_SIZE, &text, &len);
	if (r == -ENOMEM) {
		*cfg = (struct credgate_config){};
		return r;
	}
	if (r < 0) {
		int d = credgate_config_defaults(cfg);

		if (d < 0)
			return d;
		if (r == -ENOENT)
			return r;
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
	return credgate_config_parse(path, text, len, cfg, diags);
}
