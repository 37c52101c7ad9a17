/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A JSON Lines file with size-based rotation: when the next line would take
 * the file past max_bytes, it is renamed to PATH.1 (PATH.1 to PATH.2, ...,
 * the oldest beyond `keep` removed) and a new PATH is started. Lines are
 * whole in one file: a line is never split by a rotation, and a rotation
 * that fails leaves the current file in use, so no line is lost to it.
 * Lines that could not be written are counted.
 */
#ifndef CREDGATE_OUTPUT_FILE_H
#define CREDGATE_OUTPUT_FILE_H

#include <stddef.h>
#include <sys/types.h>
#include <stdint.h>

#define OUTPUT_FILE_MAX_KEEP 100

struct output_file_options {
	const char *path;
	uint64_t max_bytes; /* rotate before exceeding this; 0: never rotate */
	unsigned keep;	    /* rotated files kept (PATH.1 ... PATH.keep), at most 100 */
	unsigned mode;	    /* for a new file; 0: 0640 */
};

struct output_file_stats {
	uint64_t lines;		/* written (to the kernel) */
	uint64_t bytes;
	uint64_t rotations;
	uint64_t rotate_errors; /* renames or opens that failed (the old file stayed in use) */
	uint64_t lines_lost;	/* lines not written: write errors */
};

struct output_file;

int output_file__open(struct output_file **out, const struct output_file_options *opts);

/*
 * Open @path to append, creating it with @mode, as root may do in a
 * directory others can write: never through a symbolic link (-ELOOP), and
 * never into a regular file with more than one name (-EMLINK: a hard link
 * someone made to a file they want written). Returns the fd or -errno.
 */
int open_append_nofollow(const char *path, mode_t mode);
/* Flushes, then closes. */
void output_file__free(struct output_file *f);

/* Queue one line (@len bytes, without the newline); written when the buffer fills or on flush. */
int output_file__write(struct output_file *f, const char *line, size_t len);
/* Write what is queued. 0 or a negative errno (the lines are then counted lost). */
int output_file__flush(struct output_file *f);

void output_file__stats(const struct output_file *f, struct output_file_stats *stats);

#endif /* CREDGATE_OUTPUT_FILE_H */
