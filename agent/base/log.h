/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Agent logging: one line per message on stderr. Under systemd (stderr
 * connected to the journal) each line carries a <N> priority prefix, which
 * journald turns into the entry's priority.
 */
#ifndef CREDGATE_LOG_H
#define CREDGATE_LOG_H

#include <syslog.h>

void log_set_max_level(int level);
int log_get_max_level(void);

/* Logs and returns -abs(err) (or 0 for err == 0); %m prints strerror(err). */
int log_internal(int level, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define log_debug(...) log_internal(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...) log_internal(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...) log_internal(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_internal(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...) log_internal(LOG_ERR, 0, __VA_ARGS__)
#define log_error_errno(err, ...) log_internal(LOG_ERR, (err), __VA_ARGS__)
#define log_warning_errno(err, ...) log_internal(LOG_WARNING, (err), __VA_ARGS__)

#endif /* CREDGATE_LOG_H */
