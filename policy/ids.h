/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Ids in policies: numbers, ranges, "any", and user or group names looked
 * up in passwd/group files that this module reads itself. Never NSS: a
 * policy must mean the same thing whatever the name service does, and a
 * library that loads policies must not load NSS modules into the agent.
 */
#ifndef CREDGATE_POLICY_IDS_H
#define CREDGATE_POLICY_IDS_H

#include <stdbool.h>

#include "fields.h"
#include "model.h"

enum id_type {
	ID_USER,  /* uids: passwd */
	ID_GROUP, /* gids: group */
};

struct id_names_file {
	bool loaded;
	int error; /* negative errno of the read, when loaded */
	char *text;
	size_t len;
};

/* Name lookups of one parse or load: each file is read once, when first needed. */
struct id_names {
	const char *files[2]; /* by enum id_type */
	struct id_names_file data[2];
};

void id_names_init(struct id_names *names, const char *passwd_file, const char *group_file);
void id_names_done(struct id_names *names);

/*
 * One id, a range, "any", a name, or a list of those (at most @max items;
 * @limit names the limit in the message) into @spec. Problems are reported;
 * returns 0 or -ENOMEM. @spec->count is 0 after a problem.
 */
int parse_id_spec(struct parse_ctx *ctx, const struct ynode *node, const char *path, enum id_type type,
		  unsigned max, const char *limit, struct model_id_spec *spec);

/* "uid" or "gid". */
const char *id_type_noun(enum id_type type);

#endif /* CREDGATE_POLICY_IDS_H */
