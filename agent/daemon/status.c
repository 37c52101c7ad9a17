// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * credgatectl status: what governs, what observes, the policy in force and
 * the counts, as text for a person and as JSON for a program.
 */
#include "status.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "agent_internal.h"
#include "enforcement.h"
#include "macro.h"

/* credgatectl status lists this many policies; -o json lists all. */
#define STATUS_TEXT_MAX_POLICIES 50

static void status_feature(struct json_writer *w, const char *key, const struct kernel_feature *f)
{
	json_key(w, key);
	json_object_begin(w);
	json_kv_bool(w, "available", f->available);
	if (!f->available)
		json_kv_string(w, "reason", f->reason);
	json_object_end(w);
}

/* "selinux" and "audit_records": SELinux beside us, labels, and the USER_AVC writer. */
static void status_selinux_json(struct agent *agent, struct json_writer *w)
{
	const struct selinux_status *se = &agent->selinux;
	struct audit_writer_stats as;
	struct task_labels_stats ls;

	json_key(w, "selinux");
	json_object_begin(w);
	json_kv_bool(w, "enabled", se->enabled);
	json_kv_string(w, "mode", selinux_mode_name(se->mode));
	if (se->selinuxfs[0])
		json_kv_string(w, "selinuxfs", se->selinuxfs);
	json_kv_string(w, "lsm_order", se->lsms);
	if (se->selinux_position >= 0 && se->bpf_position >= 0)
		json_kv_string(w, "decides_first", se->selinux_position < se->bpf_position ? "selinux" : "credgate");
	json_kv_uint(w, "labels", agent->policies ? agent->policies->selinux.count : 0);
	json_kv_uint(w, "label_unknown", agent_counter(agent, CG_CNT_LABEL_UNKNOWN));
	if (agent->labels) {
		task_labels__stats(agent->labels, &ls);
		json_kv_uint(w, "processes_labelled", ls.labelled);
		json_kv_uint(w, "label_failures", ls.failed);
		json_kv_uint(w, "sweeps", ls.sweeps);
		json_kv_uint(w, "last_sweep_ms", ls.last_sweep_ns / 1000000);
	}
	json_object_end(w);
	json_key(w, "audit_records");
	json_object_begin(w);
	json_kv_string(w, "mode", agent->audit ? "avc" : "off");
	if (agent->audit) {
		audit_writer__stats(agent->audit, &as);
		json_kv_uint(w, "submitted", as.submitted);
		json_kv_uint(w, "written", as.written);
		json_kv_uint(w, "lost_queue_full", as.queue_full);
		json_kv_uint(w, "lost_refused", as.send_failed);
		if (as.last_error)
			json_kv_string(w, "last_error", strerror(-as.last_error));
		if (as.kernel_status) {
			json_kv_bool(w, "kernel_enabled", as.kernel_enabled != 0);
			json_kv_uint(w, "kernel_lost", as.kernel_lost);
			json_kv_uint(w, "kernel_backlog", as.kernel_backlog);
			json_kv_uint(w, "kernel_backlog_limit", as.kernel_backlog_limit);
		}
	}
	json_object_end(w);
}

/*
 * Per governing cgroup, the events the kernel did not deliver
 * (bpf/budget.bpf.h): a flooding cgroup's losses are its own, and show
 * where they happened. The key is the cgroup whose state governs the
 * flooder (a container's or a delegated cgroup, whatever cgroups were made
 * below it), so the path named is that cgroup's. The map holds at most
 * CG_MAX_LOSS_CGROUPS cgroups; status lists the first
 * STATUS_MAX_LOSS_CGROUPS of them, metrics all.
 */
#define STATUS_MAX_LOSS_CGROUPS 256

struct loss_walk {
	struct agent *agent;
	struct json_writer *w;
	const char *help;
};

static void status_loss_json(__u64 id, const struct cg_cgroup_loss *l, void *ctx)
{
	struct loss_walk *lw = ctx;
	char path[PATH_MAX];

	agent_cgroup_path(lw->agent, id, path, sizeof(path));
	json_object_begin(lw->w);
	json_kv_uint(lw->w, "cgroup_id", id);
	json_key(lw->w, "cgroup");
	if (path[0])
		json_string(lw->w, path);
	else
		json_null(lw->w);
	json_kv_uint(lw->w, "decisions", l->decisions_budget + l->decisions_full);
	json_kv_uint(lw->w, "observations", l->observations_budget + l->observations_full);
	json_kv_uint(lw->w, "over_budget", l->decisions_budget + l->observations_budget);
	json_kv_uint(lw->w, "buffer_full", l->decisions_full + l->observations_full);
	json_object_end(lw->w);
}

static void status_ia32_json(struct agent *agent, struct json_writer *w)
{
	struct ia32_coverage c;

	enforcement_ia32_coverage(&agent->features, agent->fallback, agent->loader, &c);
	json_key(w, "ia32_syscalls");
	json_object_begin(w);
	json_kv_bool(w, "emulation", agent->features.ia32.emulation);
	json_kv_bool(w, "covered", c.covered);
	json_kv_string(w, "observation", c.observation);
	json_kv_string(w, "decisions", c.decisions);
	json_object_end(w);
}

void status_write_json(struct agent *agent, struct json_writer *w)
{
	/* Without BPF LSM the syscall-exit programs decide these; the others are not checked. */
	static const char *const setid_hooks[] = { "task_fix_setuid", "task_fix_setgid",
						   "task_fix_setgroups", "capset" };
	static const char *const lsm_only_hooks[] = { "bprm_creds_from_file", "task_prctl",
						      "capable" /* setns() into a user namespace */ };
	bool lsm = agent->fallback == CG_FALLBACK_NONE;
	struct event_sink_stats sink;
	struct control_stats ctl = {};
	const char *observation = bpf_loader__observation_method(agent->loader);

	event_sink__stats(agent->sink, &sink);
	if (agent->control)
		control_server__stats(agent->control, &ctl);
	struct utsname uts;
	char libbpf_version[32];
	size_t governed = 0;

	if (uname(&uts) < 0)
		snprintf(uts.release, sizeof(uts.release), "?");
	snprintf(libbpf_version, sizeof(libbpf_version), "%u.%u", libbpf_major_version(), libbpf_minor_version());
	json_object_begin(w);
	json_kv_string(w, "version", CREDGATE_VERSION);
	json_key(w, "versions");
	json_object_begin(w);
	json_kv_string(w, "credgate", CREDGATE_VERSION);
	json_kv_string(w, "libbpf", libbpf_version);
	json_kv_string(w, "kernel", uts.release);
	json_object_end(w);
	json_kv_uint(w, "pid", (uint64_t)getpid());
	json_kv_uint(w, "uptime_seconds", (agent_monotonic_ns() - agent->started_ns) / 1000000000ull);
	json_kv_string(w, "node_name", agent->node_name);
	json_key(w, "kernel");
	json_object_begin(w);
	status_feature(w, "bpf_lsm", &agent->features.lsm);
	status_feature(w, "fentry", &agent->features.fentry);
	status_feature(w, "kprobes", &agent->features.kprobes);
	status_feature(w, "tracepoints", &agent->features.tracepoints);
	json_kv_string(w, "active_lsms", agent->features.active_lsms);
	json_key(w, "ia32");
	json_object_begin(w);
	json_kv_bool(w, "emulation", agent->features.ia32.emulation);
	json_kv_bool(w, "verified", agent->features.ia32.verified);
	json_kv_string(w, "trial", agent->features.ia32.trial);
	status_feature(w, "fentry", &agent->features.ia32.fentry);
	status_feature(w, "kprobes", &agent->features.ia32.kprobes);
	status_feature(w, "tracepoints", &agent->features.ia32.tracepoints);
	json_object_end(w);
	json_object_end(w);
	status_ia32_json(agent, w);
	json_kv_string(w, "enforcement", enforcement_word(agent->fallback));
	json_key(w, "hooks");
	json_object_begin(w);
	for (size_t i = 0; i < ELEMENTSOF(setid_hooks); i++)
		json_kv_string(w, setid_hooks[i], lsm ? "bpf-lsm" : "syscall-exit");
	for (size_t i = 0; i < ELEMENTSOF(lsm_only_hooks); i++)
		json_kv_string(w, lsm_only_hooks[i], lsm ? "bpf-lsm" : "unavailable");
	json_kv_string(w, "userns_create",
		       bpf_loader__has_userns_hook(agent->loader) ? "bpf-lsm" : "unavailable");
	json_object_end(w);
	json_kv_string(w, "observation",
		       bpf_loader__observing(agent->loader) ? observation : "off");
	if (bpf_loader__pin_dir(agent->loader))
		json_kv_string(w, "pin_dir", bpf_loader__pin_dir(agent->loader));
	json_key(w, "policy");
	json_object_begin(w);
	json_kv_string(w, "source", agent->policy_source);
	json_kv_uint(w, "generation", policy_maps__generation(agent->maps));
	json_key(w, "policies");
	json_array_begin(w);
	for (size_t i = 0; agent->policies && i < agent->policies->count; i++) {
		const struct policy *p = &agent->policies->policies[i];

		json_object_begin(w);
		json_kv_string(w, "name", p->name);
		json_kv_string(w, "file", p->file);
		json_kv_string(w, "mode", policy_mode_name(p->mode));
		json_kv_bool(w, "enforces", policy_enforces(p));
		json_object_end(w);
	}
	json_array_end(w);
	json_kv_uint(w, "reloads", agent->reloads);
	json_kv_uint(w, "reload_failures", agent->reload_failures);
	json_kv_bool(w, "last_reload_ok", agent->last_reload_error == 0);
	json_object_end(w);
	json_key(w, "container_binds");
	json_object_begin(w);
	json_kv_uint(w, "bound", agent_containers__bound(agent->containers));
	json_kv_uint(w, "refused", agent_containers__refused(agent->containers));
	json_object_end(w);
	json_key(w, "decisions");
	json_object_begin(w);
	json_kv_uint(w, "allowed", agent_counter(agent, CG_CNT_ALLOWED));
	json_kv_uint(w, "audited", agent_counter(agent, CG_CNT_AUDITED));
	json_kv_uint(w, "denied", agent_counter(agent, CG_CNT_DENIED));
	json_kv_uint(w, "killed", agent_counter(agent, CG_CNT_KILLED));
	json_object_end(w);
	json_key(w, "control");
	json_object_begin(w);
	json_kv_uint(w, "accepted", ctl.clients_accepted);
	json_kv_uint(w, "refused", ctl.refused);
	json_kv_uint(w, "timed_out", ctl.timed_out);
	json_kv_uint(w, "evicted", ctl.evicted);
	json_kv_uint(w, "rejected", ctl.rejected);
	json_object_end(w);
	json_key(w, "events");
	json_object_begin(w);
	json_kv_uint(w, "written", sink.written);
	json_kv_uint(w, "lost_kernel_buffer", agent_counter(agent, CG_CNT_RINGBUF_FULL));
	json_kv_uint(w, "lost_inflight", agent_counter(agent, CG_CNT_INFLIGHT_FULL));
	json_kv_uint(w, "malformed", sink.malformed);
	json_kv_uint(w, "write_errors", sink.write_errors);
	json_kv_uint(w, "client_missed", ctl.client_missed);
	if (agent->audit)
		json_kv_uint(w, "audit_records_lost", audit_writer__lost(agent->audit) + sink.avc_unformatted);
	json_kv_uint(w, "clients", control_server__streaming(agent->control));
	json_key(w, "lost_by_cgroup");
	json_array_begin(w);
	bpf_loader__cgroup_losses(agent->loader, STATUS_MAX_LOSS_CGROUPS, status_loss_json,
				  &(struct loss_walk){ .agent = agent, .w = w });
	json_array_end(w);
	json_object_end(w);
	status_selinux_json(agent, w);
	json_key(w, "cgroups");
	json_object_begin(w);
	if (policy_maps__count_governed(agent->maps, &governed) == 0)
		json_kv_uint(w, "governed", governed);
	json_kv_uint(w, "unknown", agent_counter(agent, CG_CNT_CGROUP_UNKNOWN));
	json_kv_uint(w, "ambiguous", agent_counter(agent, CG_CNT_CGROUP_AMBIGUOUS));
	json_kv_uint(w, "state_failures", agent_counter(agent, CG_CNT_MKDIR_FAILED));
	/* A full map, said: its size, who it left out, and what that decided. */
	json_kv_uint(w, "map_size", policy_maps__cgroup_capacity(agent->maps));
	json_kv_uint(w, "without_state", policy_maps__unstored(agent->maps));
	json_kv_uint(w, "fail_closed_decisions", sink.fail_closed_decisions);
	json_object_end(w);
	json_object_end(w);
}

void status_write_text(struct agent *agent, struct json_writer *w)
{
	struct event_sink_stats sink;
	char line[2048], enforcement[400], cgroups[48] = "", ia32[IA32_DESCRIPTION_LEN];
	size_t governed, npolicies = agent->policies ? agent->policies->count : 0;
	int n;

	event_sink__stats(agent->sink, &sink);
	enforcement_ia32_describe(&agent->features, agent->fallback, agent->loader, ia32, sizeof(ia32));
	if (policy_maps__count_governed(agent->maps, &governed) == 0)
		snprintf(cgroups, sizeof(cgroups), " governing %zu cgroup%s", governed, governed == 1 ? "" : "s");
	if (agent->features.lsm.available)
		snprintf(enforcement, sizeof(enforcement), "%s", enforcement_word(agent->fallback));
	else
		snprintf(enforcement, sizeof(enforcement), "%s (lsm %s)", enforcement_word(agent->fallback),
			 agent->features.lsm.reason);
	n = snprintf(line, sizeof(line),
		     "credgated %s, pid %d, up %llus\n"
		     "enforcement: %s\n"
		     "observation: %s\n"
		     "ia32 syscalls: %s\n"
		     "policy: %zu policies%s from %s, generation %u, %llu reloads (%llu failed)\n"
		     "decisions: %llu allowed, %llu audited, %llu denied, %llu killed\n"
		     "events: %llu written, %llu lost\n",
		     CREDGATE_VERSION, getpid(),
		     (unsigned long long)((agent_monotonic_ns() - agent->started_ns) / 1000000000ull),
		     enforcement,
		     bpf_loader__observing(agent->loader) ? bpf_loader__observation_method(agent->loader)
							   : "off",
		     ia32, npolicies, cgroups, agent->policy_source,
		     policy_maps__generation(agent->maps), (unsigned long long)agent->reloads,
		     (unsigned long long)agent->reload_failures,
		     (unsigned long long)agent_counter(agent, CG_CNT_ALLOWED),
		     (unsigned long long)agent_counter(agent, CG_CNT_AUDITED),
		     (unsigned long long)agent_counter(agent, CG_CNT_DENIED),
		     (unsigned long long)agent_counter(agent, CG_CNT_KILLED),
		     (unsigned long long)sink.written,
		     (unsigned long long)(agent_counter(agent, CG_CNT_RINGBUF_FULL) +
					  agent_counter(agent, CG_CNT_INFLIGHT_FULL)));
	json_raw(w, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	for (size_t i = 0; i < npolicies; i++) {
		const struct policy *p = &agent->policies->policies[i];

		if (i == STATUS_TEXT_MAX_POLICIES) {
			n = snprintf(line, sizeof(line), "  ... and %zu more (credgatectl status -o json lists all)\n",
				     npolicies - i);
			json_raw(w, line, (size_t)n);
			break;
		}
		n = snprintf(line, sizeof(line), "  %s: %s%s, %s:%u\n", p->name, policy_mode_name(p->mode),
			     policy_enforces(p) && p->mode != CG_MODE_ENFORCE ? " (some rules enforce)" : "",
			     p->file, p->line);
		json_raw(w, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	}
	n = snprintf(line, sizeof(line),
		     "cgroups: map for %u per generation; %zu left without a state at the last publish, %llu new ones since (map full); %llu changes in them, %llu refused by %s\n",
		     policy_maps__cgroup_capacity(agent->maps), policy_maps__unstored(agent->maps),
		     (unsigned long long)agent_counter(agent, CG_CNT_MKDIR_FAILED),
		     (unsigned long long)agent_counter(agent, CG_CNT_CGROUP_UNKNOWN),
		     (unsigned long long)sink.fail_closed_decisions, POLICY_FAIL_CLOSED_NAME);
	json_raw(w, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	selinux_describe(&agent->selinux, line, sizeof(line));
	json_raw(w, "selinux: ", 9);
	json_raw(w, line, strlen(line));
	if (agent->policies && agent->policies->selinux.count) {
		n = snprintf(line, sizeof(line), "; %zu SELinux labels, %llu decisions on unlabelled processes",
			     agent->policies->selinux.count, (unsigned long long)agent_counter(agent, CG_CNT_LABEL_UNKNOWN));
		json_raw(w, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	}
	json_raw(w, "\n", 1);
	if (agent->audit) {
		struct audit_writer_stats as;

		audit_writer__stats(agent->audit, &as);
		n = snprintf(line, sizeof(line), "audit records: avc, %llu written, %llu lost%s%s%s\n",
			     (unsigned long long)as.written,
			     (unsigned long long)(as.queue_full + as.send_failed + sink.avc_unformatted),
			     as.last_error ? " (last refusal: " : "", as.last_error ? strerror(-as.last_error) : "",
			     as.last_error ? ")" : "");
	} else {
		n = snprintf(line, sizeof(line), "audit records: off\n");
	}
	json_raw(w, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}
