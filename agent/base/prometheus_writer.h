/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Prometheus text exposition (format 0.0.4) into a growable buffer: HELP and
 * TYPE lines, samples, and label-value escaping. Its own writer, not the
 * JSON one: the two formats share nothing but a buffer.
 */
#ifndef CREDGATE_PROMETHEUS_WRITER_H
#define CREDGATE_PROMETHEUS_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct prom_writer {
	char *buf;
	size_t len;
	size_t cap;
	bool failed; /* allocation failed: output is unusable */
};

void prom_writer_init(struct prom_writer *w);
void prom_writer_free(struct prom_writer *w);

/*
 * One sample "name{labels} value". With @help (and @type), the family's
 * "# HELP" and "# TYPE" lines first: give them with the family's first
 * sample only. @labels is rendered already (name="value",...), or NULL.
 */
void prom_sample(struct prom_writer *w, const char *name, const char *help, const char *type,
		 const char *labels, uint64_t value);

/*
 * A label value: backslash, double quote and newline escaped. Truncated to
 * fit @size (never in the middle of an escape); always NUL-terminated.
 */
void prom_label_escape(const char *s, char *buf, size_t size);

/* The text so far, NUL-terminated ("" when empty); NULL if the writer failed. */
const char *prom_writer_text(const struct prom_writer *w);
size_t prom_writer_len(const struct prom_writer *w);

#endif /* CREDGATE_PROMETHEUS_WRITER_H */
