/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libyaml events to a node tree, one document at a time. */

#include <errno.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "yaml_doc.h"

/* ---- Arena: every node and string of a document, freed at once ------- */

struct yarena_chunk {
	struct yarena_chunk *prev;
	size_t used, size;
	max_align_t data[];
};

#define YARENA_CHUNK_SIZE (16 * 1024)

static void *yarena_alloc(struct yarena_chunk **arena, size_t size)
{
	struct yarena_chunk *chunk = *arena;
	size_t offset;

	if (chunk) {
		offset = (chunk->used + alignof(max_align_t) - 1) & ~(alignof(max_align_t) - 1);
		if (offset <= chunk->size && size <= chunk->size - offset) {
			chunk->used = offset + size;
			return (char *)chunk->data + offset;
		}
	}

	/* Sizes are bounded by POLICY_MAX_FILE_SIZE, so this cannot overflow. */
	size_t chunk_size = size > YARENA_CHUNK_SIZE ? size : YARENA_CHUNK_SIZE;

	chunk = malloc(sizeof(*chunk) + chunk_size);
	if (!chunk)
		return NULL;
	chunk->prev = *arena;
	chunk->size = chunk_size;
	chunk->used = size;
	*arena = chunk;
	return chunk->data;
}

static void yarena_free(struct yarena_chunk *arena)
{
	while (arena) {
		struct yarena_chunk *prev = arena->prev;

		free(arena);
		arena = prev;
	}
}

void ydoc_done(struct ydoc *doc)
{
	if (!doc)
		return;
	yarena_free(doc->arena);
	*doc = (struct ydoc){};
}

/* ---- Describing nodes in messages ------------------------------------ */

bool ynode_is_null(const struct ynode *node)
{
	static const char *const null_spellings[] = { "", "~", "null", "Null", "NULL" };

	if (!node || node->kind != YNODE_SCALAR || !node->plain)
		return false;
	for (size_t i = 0; i < ELEMENTSOF(null_spellings); i++)
		if (strcmp(node->value, null_spellings[i]) == 0)
			return true;
	return false;
}

const char *ynode_describe(const struct ynode *node, char buf[static DIAG_QUOTE_SIZE])
{
	if (!node || ynode_is_null(node))
		return "null";
	switch (node->kind) {
	case YNODE_MAPPING:
		return "a mapping";
	case YNODE_SEQUENCE:
		return "a list";
	case YNODE_SCALAR:
		break;
	}
	return diag_quote(buf, node->value, node->length);
}

/* ---- Building one document ------------------------------------------- */

struct ydoc_builder {
	struct ystream *stream;
	struct ydoc *doc;
	struct ynode *stack[POLICY_MAX_NESTING]; /* open collections */
	unsigned depth;
	unsigned skip_depth; /* > 0: inside a collection nested too deep */
	size_t nodes;
	bool overflowed; /* too many nodes: ignore the rest of the document */
};

/* "YAML anchor '&base' is not supported", and the same for tags and aliases. */
static void builder_unsupported(struct ydoc_builder *b, const yaml_mark_t *mark, const char *what,
				const char *name)
{
	char quoted[DIAG_QUOTE_SIZE];

	diag_error(b->stream->reporter, (unsigned)mark->line + 1, (unsigned)mark->column + 1,
		   "YAML %s %s is not supported", what, diag_quote(quoted, name, strlen(name)));
	b->doc->valid = false;
}

/* Core-schema tags come resolved as "tag:yaml.org,2002:str": show "!!str". */
static const char *tag_for_message(const char *tag, char *buf, size_t size)
{
	static const char core_prefix[] = "tag:yaml.org,2002:";

	if (strncmp(tag, core_prefix, sizeof(core_prefix) - 1) == 0) {
		snprintf(buf, size, "!!%s", tag + sizeof(core_prefix) - 1);
		return buf;
	}
	return tag;
}

/* Anchors and tags are refused wherever they appear: a policy is plain data,
 * and a reader who sees "&x" expects "*x" to work, which it would not. */
static void builder_check_properties(struct ydoc_builder *b, const yaml_mark_t *mark,
				     const yaml_char_t *anchor, const yaml_char_t *tag)
{
	char buf[DIAG_QUOTE_SIZE];

	if (anchor) {
		snprintf(buf, sizeof(buf), "&%s", (const char *)anchor);
		builder_unsupported(b, mark, "anchor", buf);
	}
	if (tag)
		builder_unsupported(b, mark, "tag", tag_for_message((const char *)tag, buf, sizeof(buf)));
}

static int builder_new_node(struct ydoc_builder *b, enum ynode_kind kind, const yaml_mark_t *mark,
			    struct ynode **ret)
{
	struct ynode *node;

	if (b->nodes >= YAML_DOC_MAX_NODES) {
		diag_error(b->stream->reporter, (unsigned)mark->line + 1, (unsigned)mark->column + 1,
			   "too many YAML nodes in one document: more than %d", YAML_DOC_MAX_NODES);
		b->doc->valid = false;
		b->overflowed = true;
		*ret = NULL;
		return 0;
	}
	node = yarena_alloc(&b->doc->arena, sizeof(*node));
	if (!node)
		return -ENOMEM;
	*node = (struct ynode){
		.kind = kind,
		.line = (unsigned)mark->line + 1,
		.column = (unsigned)mark->column + 1,
	};
	b->nodes++;
	*ret = node;
	return 0;
}

static void builder_attach(struct ydoc_builder *b, struct ynode *node)
{
	struct ynode *parent;

	if (b->depth == 0) {
		b->doc->root = node;
		return;
	}
	parent = b->stack[b->depth - 1];
	if (parent->last)
		parent->last->next = node;
	else
		parent->first = node;
	parent->last = node;
	parent->count++;
}

static int builder_scalar(struct ydoc_builder *b, const yaml_event_t *event)
{
	struct ynode *node;
	char *value;
	int r;

	builder_check_properties(b, &event->start_mark, event->data.scalar.anchor, event->data.scalar.tag);
	r = builder_new_node(b, YNODE_SCALAR, &event->start_mark, &node);
	if (r < 0 || !node)
		return r;
	value = yarena_alloc(&b->doc->arena, event->data.scalar.length + 1);
	if (!value)
		return -ENOMEM;
	memcpy(value, event->data.scalar.value, event->data.scalar.length);
	value[event->data.scalar.length] = '\0';
	node->value = value;
	node->length = event->data.scalar.length;
	node->plain = event->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	builder_attach(b, node);
	return 0;
}

static int builder_collection_start(struct ydoc_builder *b, const yaml_event_t *event)
{
	bool mapping = event->type == YAML_MAPPING_START_EVENT;
	struct ynode *node;
	int r;

	if (b->skip_depth > 0) {
		b->skip_depth++;
		return 0;
	}
	if (b->depth >= POLICY_MAX_NESTING) {
		diag_error(b->stream->reporter, (unsigned)event->start_mark.line + 1,
			   (unsigned)event->start_mark.column + 1,
			   "nesting too deep: more than POLICY_MAX_NESTING (%d) levels", POLICY_MAX_NESTING);
		b->doc->valid = false;
		b->skip_depth = 1;
		return 0;
	}
	if (mapping)
		builder_check_properties(b, &event->start_mark, event->data.mapping_start.anchor,
					 event->data.mapping_start.tag);
	else
		builder_check_properties(b, &event->start_mark, event->data.sequence_start.anchor,
					 event->data.sequence_start.tag);

	r = builder_new_node(b, mapping ? YNODE_MAPPING : YNODE_SEQUENCE, &event->start_mark, &node);
	if (r < 0 || !node)
		return r;
	builder_attach(b, node);
	b->stack[b->depth++] = node;
	return 0;
}

static void builder_collection_end(struct ydoc_builder *b)
{
	if (b->skip_depth > 0)
		b->skip_depth--;
	else if (b->depth > 0)
		b->depth--;
}

static int builder_event(struct ydoc_builder *b, const yaml_event_t *event)
{
	if (b->overflowed)
		return 0;

	switch (event->type) {
	case YAML_SCALAR_EVENT:
		return b->skip_depth > 0 ? 0 : builder_scalar(b, event);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		return builder_collection_start(b, event);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		builder_collection_end(b);
		return 0;
	case YAML_ALIAS_EVENT:
		if (b->skip_depth == 0) {
			char name[DIAG_QUOTE_SIZE];

			snprintf(name, sizeof(name), "*%s", (const char *)event->data.alias.anchor);
			builder_unsupported(b, &event->start_mark, "alias", name);
		}
		return 0;
	default:
		return 0;
	}
}

/* ---- The stream ------------------------------------------------------- */

int ystream_open(struct ystream *stream, struct diag_reporter *reporter, const char *text, size_t len)
{
	*stream = (struct ystream){ .reporter = reporter, .text = text, .len = len };
	if (!yaml_parser_initialize(&stream->parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&stream->parser, (const unsigned char *)text, len);
	return 0;
}

void ystream_close(struct ystream *stream)
{
	yaml_parser_delete(&stream->parser);
}

/* Reader (encoding) errors carry a byte offset instead of a mark. */
static void offset_to_position(const char *text, size_t len, size_t offset, unsigned *line, unsigned *column)
{
	*line = 1;
	*column = 1;
	for (size_t i = 0; i < offset && i < len; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*column = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			(*column)++;
		}
	}
}

static int ystream_report_parser_error(struct ystream *stream)
{
	yaml_parser_t *parser = &stream->parser;
	const char *problem = parser->problem ? parser->problem : "unknown problem";
	unsigned line, column;

	switch (parser->error) {
	case YAML_MEMORY_ERROR:
		return -ENOMEM;
	case YAML_READER_ERROR:
		offset_to_position(stream->text, stream->len, parser->problem_offset, &line, &column);
		if (parser->problem_value >= 0)
			diag_error(stream->reporter, line, column, "invalid input: %s (byte 0x%02x)", problem,
				   (unsigned)parser->problem_value);
		else
			diag_error(stream->reporter, line, column, "invalid input: %s", problem);
		return -EINVAL;
	default:
		diag_error(stream->reporter, (unsigned)parser->problem_mark.line + 1,
			   (unsigned)parser->problem_mark.column + 1, "syntax error: %s", problem);
		return -EINVAL;
	}
}

int ystream_next(struct ystream *stream, struct ydoc *doc)
{
	struct ydoc_builder builder = { .stream = stream, .doc = doc };
	bool in_document = false;
	int r;

	*doc = (struct ydoc){ .valid = true };
	while (!stream->finished) {
		yaml_event_t event;

		if (!yaml_parser_parse(&stream->parser, &event)) {
			stream->finished = true;
			ydoc_done(doc);
			return ystream_report_parser_error(stream);
		}

		switch (event.type) {
		case YAML_STREAM_END_EVENT:
			stream->finished = true;
			r = 0;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (stream->documents >= POLICY_MAX_DOCUMENTS_PER_FILE) {
				diag_error(stream->reporter, (unsigned)event.start_mark.line + 1,
					   (unsigned)event.start_mark.column + 1,
					   "too many documents in one file: more than POLICY_MAX_DOCUMENTS_PER_FILE (%d)",
					   POLICY_MAX_DOCUMENTS_PER_FILE);
				stream->finished = true;
				r = -EINVAL;
				break;
			}
			stream->documents++;
			in_document = true;
			r = 0;
			break;
		case YAML_DOCUMENT_END_EVENT:
			r = 1;
			break;
		default:
			r = in_document ? builder_event(&builder, &event) : 0;
			break;
		}
		yaml_event_delete(&event);

		if (r != 0 || stream->finished) {
			if (r <= 0)
				ydoc_done(doc);
			if (r < 0)
				stream->finished = true;
			return r;
		}
	}
	ydoc_done(doc);
	return 0;
}
