// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Reading the agent's state: the clock, the kernel side's counters and
 * cgroup names, as agent.c, status.c, metrics.c and policy_load.c all need
 * them. A file of its own so that those readers depend on it, not on
 * agent.c, which depends on them.
 */
#include <time.h>

#include "agent_internal.h"
#include "bpf_loader.h"
#include "cgroup.h"

uint64_t agent_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t agent_counter(const struct agent *agent, enum cg_counter c)
{
	__u64 value = 0;

	bpf_loader__read_counter(agent->loader, c, &value);
	return value;
}

void agent_cgroup_path(const struct agent *agent, __u64 id, char *buf, size_t size)
{
	if (!id || !agent->cgroups || cgroup_fs__path_of_id(agent->cgroups, id, buf, size) < 0)
		buf[0] = '\0';
}
