/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * YAML text to a small tree of nodes, one document at a time.
 *
 * libyaml's event stream is turned into scalars, mappings and sequences
 * that remember where they start (1-based line and column), so that every
 * later check can point at the offending node. Only the subset a policy
 * needs is accepted: anchors, aliases and explicit tags are reported as
 * errors, and nesting depth and node count are bounded.
 */
#ifndef CREDGATE_POLICY_YAML_DOC_H
#define CREDGATE_POLICY_YAML_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#include "diag.h"

/* Nodes one document may have: far above any real policy, and a bound on
 * memory for a hostile one. */
#define YAML_DOC_MAX_NODES 16384

enum ynode_kind {
	YNODE_SCALAR,
	YNODE_MAPPING,	/* children: key, value, key, value, ... */
	YNODE_SEQUENCE,
};

struct ynode {
	enum ynode_kind kind;
	unsigned line, column; /* 1-based, where the node starts */
	struct ynode *next;    /* next child of the same parent */

	/* YNODE_SCALAR: NUL-terminated, but may hold NULs ("\0" escapes). */
	const char *value;
	size_t length;
	bool plain; /* neither quoted nor a block scalar: may be null */

	/* YNODE_MAPPING and YNODE_SEQUENCE */
	struct ynode *first, *last;
	size_t count; /* children: two per pair in a mapping */
};

struct yarena_chunk;

struct ydoc {
	struct ynode *root; /* NULL when the document has no content */
	bool valid;	    /* false: errors were reported, do not interpret */
	struct yarena_chunk *arena; /* owns every node and string */
};

struct ystream {
	yaml_parser_t parser;
	struct diag_reporter *reporter;
	const char *text;
	size_t len;
	unsigned documents;
	bool finished;
};

int ystream_open(struct ystream *stream, struct diag_reporter *reporter, const char *text, size_t len);
void ystream_close(struct ystream *stream);

/*
 * Read the next document into @doc. Returns 1 with a document (free it with
 * ydoc_done()), 0 at the end of the stream, -EINVAL after a syntax error or
 * a stream-wide limit (reported; the stream cannot go on), -ENOMEM.
 */
int ystream_next(struct ystream *stream, struct ydoc *doc);
void ydoc_done(struct ydoc *doc);

/* A plain empty, "~" or "null" scalar: YAML's null. */
bool ynode_is_null(const struct ynode *node);
/* "a mapping", "a list", "null", or the scalar quoted for a message. */
const char *ynode_describe(const struct ynode *node, char buf[static DIAG_QUOTE_SIZE]);

#endif /* CREDGATE_POLICY_YAML_DOC_H */
