/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Diagnostics: storing, quoting user text, formatting one line each. */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "diag.h"

/*
 * A bounded writer with snprintf semantics: it stores what fits, always
 * leaves room for the terminating NUL, and counts what the whole text needs.
 */
struct bounded_writer {
	char *buf;
	size_t size;
	size_t len; /* bytes the full text needs, stored or not */
};

static void writer_putc(struct bounded_writer *w, char c)
{
	if (w->len + 1 < w->size)
		w->buf[w->len] = c;
	w->len++;
}

static void writer_puts(struct bounded_writer *w, const char *s)
{
	for (; *s; s++)
		writer_putc(w, *s);
}

static void writer_finish(struct bounded_writer *w)
{
	if (w->size > 0)
		w->buf[w->len < w->size ? w->len : w->size - 1] = '\0';
}

/*
 * Copy @len bytes of @s, escaping what would break a one-line message or
 * confuse a terminal: C0 controls, DEL, and C1 controls (UTF-8 0xc2 0x80-0x9f).
 * Returns the number of input bytes consumed (a C1 control is two).
 */
static size_t writer_put_escaped_char(struct bounded_writer *w, const unsigned char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c = s[0];

	switch (c) {
	case '\n':
		writer_puts(w, "\\n");
		return 1;
	case '\t':
		writer_puts(w, "\\t");
		return 1;
	case '\r':
		writer_puts(w, "\\r");
		return 1;
	default:
		break;
	}
	if (c < 0x20 || c == 0x7f) {
		writer_puts(w, "\\x");
		writer_putc(w, hex[c >> 4]);
		writer_putc(w, hex[c & 0xf]);
		return 1;
	}
	if (c == 0xc2 && len >= 2 && s[1] >= 0x80 && s[1] <= 0x9f) {
		writer_puts(w, "\\u00");
		writer_putc(w, hex[s[1] >> 4]);
		writer_putc(w, hex[s[1] & 0xf]);
		return 2;
	}
	writer_putc(w, (char)c);
	return 1;
}

static void writer_put_escaped(struct bounded_writer *w, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;

	while (len > 0) {
		size_t used = writer_put_escaped_char(w, p, len);

		p += used;
		len -= used;
	}
}

const char *diag_quote(char buf[static DIAG_QUOTE_SIZE], const char *text, size_t len)
{
	struct bounded_writer w = { .buf = buf, .size = DIAG_QUOTE_SIZE };
	bool cut = false;

	if (!text)
		text = "";
	if (len > DIAG_QUOTE_MAX_INPUT) {
		len = DIAG_QUOTE_MAX_INPUT;
		/* Do not split a UTF-8 sequence: back off its continuation bytes. */
		while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
			len--;
		cut = true;
	}
	writer_putc(&w, '\'');
	writer_put_escaped(&w, text, len);
	if (cut)
		writer_puts(&w, "...");
	writer_putc(&w, '\'');
	writer_finish(&w);
	return buf;
}

const char *diag_errno_text(int errnum, char *buf, size_t size)
{
	/* The GNU strerror_r returns a pointer, to @buf or to a static string. */
	return strerror_r(errnum, buf, size);
}

static void diags_store(struct diag_reporter *reporter, enum policy_diag_severity severity,
			unsigned line, unsigned column, char *message)
{
	struct policy_diags *diags = reporter->diags;
	struct policy_diag *items;
	char *file = NULL;

	if (diags->count >= (diags->limit ? diags->limit : POLICY_MAX_DIAGS)) {
		diags->dropped++;
		free(message);
		return;
	}
	if (reporter->file)
		file = strdup(reporter->file);
	items = reallocarray(diags->items, diags->count + 1, sizeof(*items));
	if ((reporter->file && !file) || !items) {
		/* The array may have moved even if the name failed: keep it. */
		if (items)
			diags->items = items;
		free(file);
		free(message);
		diags->dropped++;
		reporter->out_of_memory = true;
		return;
	}
	diags->items = items;
	items[diags->count++] = (struct policy_diag){
		.severity = severity,
		.file = file,
		.line = line,
		.column = column,
		.message = message,
	};
	if (severity == POLICY_DIAG_ERROR)
		diags->errors++;
}

void diag_report(struct diag_reporter *reporter, enum policy_diag_severity severity, unsigned line,
		 unsigned column, const char *fmt, ...)
{
	char *message;
	va_list ap;
	int r;

	if (severity == POLICY_DIAG_ERROR)
		reporter->errors++;
	if (!reporter->diags)
		return;

	va_start(ap, fmt);
	r = vasprintf(&message, fmt, ap);
	va_end(ap);
	if (r < 0) {
		reporter->diags->dropped++;
		reporter->out_of_memory = true;
		return;
	}
	diags_store(reporter, severity, line, column, message);
}

/* Returns the length of the whole line, as snprintf() does (the line is cut
 * to fit @size), or -EINVAL. */
int policy_diag_format(const struct policy_diag *diag, char *buf, size_t size)
{
	struct bounded_writer w = { .buf = buf, .size = size };
	char number[32];
	const char *file;

	if (!diag || (!buf && size > 0))
		return -EINVAL;

	/* The name is the caller's (a path from a directory listing, say):
	 * escape it too, so that the line stays one line. A problem of no file
	 * (a count of cgroups, say) is the message alone. */
	file = diag->file;
	if (file)
		writer_put_escaped(&w, file, strlen(file));
	if (file && diag->line > 0) {
		snprintf(number, sizeof(number), ":%u", diag->line);
		writer_puts(&w, number);
		if (diag->column > 0) {
			snprintf(number, sizeof(number), ":%u", diag->column);
			writer_puts(&w, number);
		}
	}
	if (file)
		writer_puts(&w, ": ");
	writer_puts(&w, diag->severity == POLICY_DIAG_WARNING ? "warning: " : "error: ");
	if (diag->message)
		writer_put_escaped(&w, diag->message, strlen(diag->message));
	writer_finish(&w);
	return w.len > (size_t)__INT_MAX__ ? -EOVERFLOW : (int)w.len;
}

void policy_diags_clear(struct policy_diags *diags)
{
	if (!diags)
		return;
	for (size_t i = 0; i < diags->count; i++) {
		free(diags->items[i].file);
		free(diags->items[i].message);
	}
	free(diags->items);
	*diags = (struct policy_diags){};
}
