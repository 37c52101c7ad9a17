/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The agent's life: start (policies, kernel probes, load, attach, publish),
 * the event loop (ring buffer, signals, reload, loss reports) and stop.
 */
#ifndef CREDGATE_AGENT_H
#define CREDGATE_AGENT_H

#include "options.h"

struct agent;

/* Everything up to "ready". Logs the reason of any failure itself. */
int agent__start(struct agent **out, const struct agent_options *opts);

/* Runs until SIGINT/SIGTERM (returns 0) or a fatal error (negative errno). */
int agent__run(struct agent *agent);

/* Detaches every program and frees everything. Accepts NULL. */
void agent__free(struct agent *agent);

#endif /* CREDGATE_AGENT_H */
