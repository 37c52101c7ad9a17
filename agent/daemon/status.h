/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* credgatectl status: the agent's state as text and as one JSON document. */
#ifndef CREDGATE_STATUS_H
#define CREDGATE_STATUS_H

#include "json_writer.h"

struct agent;

/* One JSON object: versions, kernel, enforcement, policy, counts. */
void status_write_json(struct agent *agent, struct json_writer *w);

/* The same for a person, a few lines (json_raw only: no JSON in it). */
void status_write_text(struct agent *agent, struct json_writer *w);

#endif /* CREDGATE_STATUS_H */
