/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The agent's counts as a Prometheus text exposition (format 0.0.4). */
#ifndef CREDGATE_METRICS_H
#define CREDGATE_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "prometheus_writer.h"

struct agent;

void metrics_write(struct agent *agent, struct prom_writer *w);

/*
 * --metrics-file: the exposition written whole to a temporary file and
 * renamed, at most every 15 s (@now, CLOCK_MONOTONIC) unless @force. A
 * failure is logged once per change of outcome.
 */
void metrics_write_file(struct agent *agent, uint64_t now, bool force);

#endif /* CREDGATE_METRICS_H */
