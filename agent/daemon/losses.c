// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Loss accounting: events the kernel could not deliver and cgroups it could
 * not give a state, each reported once. What was reported is kept in the
 * pinned agent-state map, so a restarted agent does not report it again.
 */
#include <bpf/bpf.h>

#include "agent_internal.h"
#include "enforcement.h"
#include "log.h"

/* What an earlier agent (sharing our pinned maps) already reported. */
void agent_load_reported_losses(struct agent *agent)
{
	struct bpf_loader_maps fds;
	struct cg_agent_state st;
	__u32 zero = 0;

	bpf_loader__maps(agent->loader, &fds);
	if (bpf_map_lookup_elem(fds.agent_state, &zero, &st) == 0) {
		agent->lost_reported[0] = st.reported_ringbuf_full;
		agent->lost_reported[1] = st.reported_inflight_full;
		agent->lost_reported[2] = st.reported_process_lost;
	}
}

static void save_reported_losses(struct agent *agent)
{
	struct cg_agent_state st = {
		.reported_ringbuf_full = agent->lost_reported[0],
		.reported_inflight_full = agent->lost_reported[1],
		.reported_process_lost = agent->lost_reported[2],
	};
	struct bpf_loader_maps fds;
	__u32 zero = 0;

	bpf_loader__maps(agent->loader, &fds);
	bpf_map_update_elem(fds.agent_state, &zero, &st, BPF_ANY);
}

void agent_report_losses(struct agent *agent)
{
	__u64 ringbuf_full = 0, inflight_full = 0, process = 0, state_failures = 0;
	struct event_sink_kernel_lost lost;

	/* A new cgroup the kernel could not give a state: governed fail-closed, and said. */
	bpf_loader__read_counter(agent->loader, CG_CNT_MKDIR_FAILED, &state_failures);
	if (state_failures != agent->state_failures_reported) {
		log_warning("cgroups: %llu new cgroups got no state: the cgroup map is full (%u per policy generation, cgroupMapSize), or no memory; %s",
			    (unsigned long long)(state_failures - agent->state_failures_reported),
			    policy_maps__cgroup_capacity(agent->maps),
			    agent->policies && enforcement_set_enforces(agent->policies, NULL) ? "a policy enforces: their credential changes are refused (" POLICY_FAIL_CLOSED_NAME ")"
					     : "they are governed as their nearest ancestor with a state");
		agent->state_failures_reported = state_failures;
	}
	bpf_loader__read_counter(agent->loader, CG_CNT_RINGBUF_FULL, &ringbuf_full);
	bpf_loader__read_counter(agent->loader, CG_CNT_INFLIGHT_FULL, &inflight_full);
	bpf_loader__read_counter(agent->loader, CG_CNT_PROCESS_LOST, &process);
	if (ringbuf_full == agent->lost_reported[0] && inflight_full == agent->lost_reported[1] &&
	    process == agent->lost_reported[2])
		return;
	lost = (struct event_sink_kernel_lost){
		.ringbuf_full = ringbuf_full - agent->lost_reported[0],
		.inflight_full = inflight_full - agent->lost_reported[1],
		.process_records = process - agent->lost_reported[2],
	};
	event_sink__report_kernel_lost(agent->sink, &lost);
	/* Lost exec records leave their processes unlabelled (fail closed) until relabelled. */
	if (lost.process_records && task_labels__active(agent->labels)) {
		int n = task_labels__sweep(agent->labels);

		log_notice("selinux: exec records were lost: %d processes labelled again", n);
	}
	log_warning("lost events: %llu (kernel buffer full), %llu (in-flight table full), %llu process records",
		    (unsigned long long)lost.ringbuf_full, (unsigned long long)lost.inflight_full,
		    (unsigned long long)lost.process_records);
	agent->lost_reported[0] = ringbuf_full;
	agent->lost_reported[1] = inflight_full;
	agent->lost_reported[2] = process;
	save_reported_losses(agent);
}
