// SPDX-License-Identifier: LGPL-2.1-or-later
#include "prometheus_writer.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An exposition is tens of kilobytes; far beyond that, something is wrong. */
#define PROM_WRITER_MAX_BYTES (64u << 20)

void prom_writer_init(struct prom_writer *w)
{
	*w = (struct prom_writer){};
}

void prom_writer_free(struct prom_writer *w)
{
	free(w->buf);
	*w = (struct prom_writer){};
}

static bool reserve(struct prom_writer *w, size_t more)
{
	size_t cap;
	char *buf;

	if (w->failed)
		return false;
	if (more < w->cap - w->len)
		return true;
	if (more > PROM_WRITER_MAX_BYTES - w->len - 1) {
		w->failed = true;
		return false;
	}
	cap = w->cap ? w->cap : 4096;
	while (cap - w->len <= more)
		cap *= 2;
	buf = realloc(w->buf, cap);
	if (!buf) {
		w->failed = true;
		return false;
	}
	w->buf = buf;
	w->cap = cap;
	return true;
}

/* Formatted straight into the buffer: no line length limit, nothing cut. */
__attribute__((format(printf, 2, 3))) static void append(struct prom_writer *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		w->failed = true;
		return;
	}
	if (!reserve(w, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(w->buf + w->len, w->cap - w->len, fmt, ap);
	va_end(ap);
	w->len += (size_t)n;
}

void prom_sample(struct prom_writer *w, const char *name, const char *help, const char *type,
		 const char *labels, uint64_t value)
{
	if (help)
		append(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type ? type : "untyped");
	append(w, "%s%s%s%s %llu\n", name, labels ? "{" : "", labels ? labels : "", labels ? "}" : "",
	       (unsigned long long)value);
}

void prom_label_escape(const char *s, char *buf, size_t size)
{
	size_t o = 0;

	if (!size)
		return;
	/* Room for an escape (two bytes) and the NUL, checked before each; as before the split. */
	for (; *s && o + 3 < size; s++) {
		if (*s == '\\' || *s == '"') {
			buf[o++] = '\\';
			buf[o++] = *s;
		} else if (*s == '\n') {
			buf[o++] = '\\';
			buf[o++] = 'n';
		} else {
			buf[o++] = *s;
		}
	}
	buf[o] = '\0';
}

const char *prom_writer_text(const struct prom_writer *w)
{
	if (w->failed)
		return NULL;
	return w->buf ? w->buf : "";
}

size_t prom_writer_len(const struct prom_writer *w)
{
	return w->failed ? 0 : w->len;
}
