/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Binding identity selectors (containerName, image, labels, namespace) to
 * containers' own cgroups: at publish through the walk's resolver, and at
 * container start through the control socket's bind-container, which the
 * OCI hook and the runc wrapper send (containers.c says what is believed).
 */
#ifndef CREDGATE_CONTAINERS_H
#define CREDGATE_CONTAINERS_H

#include <stdint.h>

#include "cgroup_states.h"
#include "control_request.h"
#include "json_writer.h"
#include "policy.h"

struct agent;
struct agent_containers;

int agent_containers__new(struct agent_containers **out);
void agent_containers__free(struct agent_containers *c);

/* What the walk of a publish asks about each container's own cgroup. */
struct container_resolver agent_containers__resolver(struct agent_containers *c);

/* bind-container (control_proto.h): @answer gets the reply's text. */
int agent_bind_container(struct agent *agent, const struct control_request *req, struct json_writer *answer);

/*
 * The kernel made a container's own cgroup @cgroup_id at @made_ns
 * (CLOCK_BOOTTIME): bind it now (CG_EVENT_CONTAINER).
 */
void agent_containers__created(struct agent *agent, uint64_t cgroup_id, uint64_t made_ns);

/* Containers bound that way, and the sum and maximum of their delays. */
void agent_containers__discovery(const struct agent_containers *c, uint64_t *count, uint64_t *delay_ns,
				 uint64_t *max_delay_ns);

/* After @set is in force: containers.mode for the hook. */
void agent_containers__published(struct agent *agent, const struct policy_set *set);

/* The agent stops and nothing it published keeps enforcing: containers.mode goes. */
void agent_containers__stopped(struct agent *agent);

/* Containers bound, and bind requests refused, since the agent started. */
uint64_t agent_containers__bound(const struct agent_containers *c);
uint64_t agent_containers__refused(const struct agent_containers *c);

#endif /* CREDGATE_CONTAINERS_H */
