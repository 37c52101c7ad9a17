/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What selector.c (cgroup path keys), selector_selinux.c (label keys) and selector_identity.c share. */
#ifndef CREDGATE_POLICY_SELECTOR_H
#define CREDGATE_POLICY_SELECTOR_H

#include "parse.h"

/* Append to the owned string *@s, with @separator when it is not empty. Returns 0 or -ENOMEM. */
int selector_appendf(char **s, const char *separator, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* selinuxType and selinuxContext: field parsers of one selector (a struct model_selector). */
int parse_selinux_type(struct parse_ctx *ctx, const struct field_arg *arg, void *target);
int parse_selinux_context(struct parse_ctx *ctx, const struct field_arg *arg, void *target);

/* containerName, image, labels, namespace (selector_identity.c). */
int parse_container_name(struct parse_ctx *ctx, const struct field_arg *arg, void *target);
int parse_image(struct parse_ctx *ctx, const struct field_arg *arg, void *target);
int parse_labels(struct parse_ctx *ctx, const struct field_arg *arg, void *target);
int parse_namespace(struct parse_ctx *ctx, const struct field_arg *arg, void *target);

/* Identity keys and cgroup path keys in one selector @mapping are refused, at the later of the two. Returns 0. */
int check_identity_combination(struct parse_ctx *ctx, const struct ynode *mapping, const char *path);

/* Every selector of @model names the same labels, or the first that does not is reported at @path. Returns 0. */
int check_selinux_agreement(struct parse_ctx *ctx, const char *path, const struct policy_model *model);

#endif /* CREDGATE_POLICY_SELECTOR_H */
