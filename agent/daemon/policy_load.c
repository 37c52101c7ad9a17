// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The policy's way in: read it (the configured files or the built-in one),
 * choose the --lsm-unavailable handling it needs, put it in force (publish),
 * and reload it on SIGHUP or credgatectl reload, keeping the previous one
 * when the new one fails.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "agent_internal.h"
#include "default_policy.h"
#include "diag.h"
#include "enforcement.h"
#include "log.h"

/*
 * Log each problem of a policy's way in, whether found reading its files or
 * binding it to this host's cgroups; copy errors, one per line, into
 * @problems too (may be NULL).
 */
static void log_policy_diags(const struct policy_diags *diags, struct json_writer *problems)
{
	char line[1024];

	for (size_t i = 0; i < diags->count; i++) {
		policy_diag_format(&diags->items[i], line, sizeof(line));
		if (diags->items[i].severity == POLICY_DIAG_ERROR) {
			log_error("%s", line);
			if (problems) {
				json_raw(problems, line, strlen(line));
				json_raw(problems, "\n", 1);
			}
		} else {
			log_warning("%s", line);
		}
	}
	if (diags->dropped)
		log_internal(diags->errors ? LOG_ERR : LOG_WARNING, 0, "... and %zu more problems", diags->dropped);
}

/* Read the configured policies, or the built-in one. Logs every problem. */
int agent_load_policies(const struct agent_options *opts, struct policy_set **out,
			 const char **source, struct json_writer *problems)
{
	struct policy_diags diags = {};
	struct policy_set *set = policy_set__new();
	const char *path = opts->policy_path;
	struct stat st;
	int r;

	if (!set)
		return log_error_errno(-ENOMEM, "Out of memory");
	if ((opts->passwd_file || opts->group_file) &&
	    policy_set__set_name_files(set, opts->passwd_file, opts->group_file) < 0) {
		policy_set__free(set);
		return log_error_errno(-ENOMEM, "Out of memory");
	}
	if (opts->n_container_cgroups) {
		const char *why;

		r = policy_set__set_container_cgroups(set, opts->container_cgroups, opts->n_container_cgroups, &why);
		if (r < 0) {
			policy_set__free(set);
			/* The settings file was checked: only a caller's bug gets here. */
			return log_error_errno(r, "containerCgroups: %s", why ? why : "out of memory");
		}
		for (size_t i = 0; i < opts->n_container_cgroups; i++)
			log_notice("containers also at %s (containerCgroups): sealed, and inside a container",
				 opts->container_cgroups[i]);
	}
	if (!opts->builtin_policy && !path && stat(CREDGATE_DEFAULT_POLICY_DIR, &st) == 0)
		path = CREDGATE_DEFAULT_POLICY_DIR;
	if (opts->builtin_policy || !path) {
		*source = credgate_builtin_policy_name;
		r = policy_set__parse(set, credgate_builtin_policy_name, credgate_builtin_policy_yaml,
				      strlen(credgate_builtin_policy_yaml), &diags);
	} else {
		*source = path;
		policy_set__require_trusted_files(set, true);
		r = policy_set__load(set, path, &diags);
	}
	log_policy_diags(&diags, problems);
	policy_diags_clear(&diags);
	if (r < 0) {
		policy_set__free(set);
		return log_error_errno(r, "Failed to load policy %s", *source);
	}
	*out = set;
	return 0;
}

/*
 * selinuxType / selinuxContext selectors: the kernel needs every process's
 * labels for the new generation. Without SELinux there is nothing to label:
 * such a policy governs nobody (CG_GENERATION_NO_SELINUX), and we say so.
 */
static void label_processes(struct agent *agent, const struct policy_set *set, uint32_t generation)
{
	uint64_t start = agent_monotonic_ns();
	int n;

	if (!agent->labels) {
		struct policy_diags diags = {};

		for (size_t i = 0; i < set->count; i++) {
			const struct policy *p = &set->policies[i];
			struct diag_reporter reporter = { .diags = &diags, .file = p->file };

			if (p->compiled.selinux_types)
				diag_report(&reporter, POLICY_DIAG_WARNING, p->line, p->column,
					    "policy '%s' selects processes by SELinux type or context, but SELinux is not enabled on this host: it governs no process",
					    p->name);
		}
		log_policy_diags(&diags, NULL);
		policy_diags_clear(&diags);
		return;
	}
	task_labels__set_generation(agent->labels, generation, &set->selinux);
	if (!task_labels__active(agent->labels))
		return;
	n = task_labels__sweep(agent->labels);
	if (n < 0)
		log_warning_errno(n, "Failed to label processes for SELinux selectors: %m (unlabelled processes are governed, fail closed)");
	else
		log_info("selinux: %d processes labelled for %zu SELinux labels in %llu ms", n, set->selinux.count,
			 (unsigned long long)((agent_monotonic_ns() - start) / 1000000));
}

int agent_publish(struct agent *agent, struct policy_set *set, const char *source,
		   struct json_writer *problems)
{
	struct publish_report report;
	int r;

	r = policy_maps__publish(agent->maps, set, agent->cgroups, &report);
	log_policy_diags(&report.diags, problems);
	policy_diags_clear(&report.diags);
	if (r < 0)
		return log_error_errno(r, "Failed to put policy %s in force: %m", source);
	/* After the new generation is in force: nothing it needs is missing. */
	enforcement_update_observation(agent->loader, agent->fallback, set);
	label_processes(agent, set, report.generation);
	agent_containers__published(agent, set);
	event_sink__set_policies(agent->sink, report.generation, set);
	policy_set__free(agent->previous_policies);
	agent->previous_policies = agent->policies;
	agent->policies = set;
	agent->policy_source = source;
	log_notice("policy: %zu policies (%zu enforcing) from %s, %zu of %zu cgroups governed, generation %u",
		   report.policies, report.enforcing, source, report.governed, report.cgroups,
		   report.generation);
	return 0;
}

/* --lsm-unavailable, in the words of kernel/enforcement.c. */
int agent_choose_fallback(const struct agent *agent, const struct policy_set *set, enum cg_fallback *out)
{
	switch (agent->opts.lsm_unavailable) {
	case LSM_UNAVAILABLE_FAIL:
		return enforcement_choose(&agent->features, CG_FALLBACK_OBSERVE, true, set, out);
	case LSM_UNAVAILABLE_OBSERVE:
		return enforcement_choose(&agent->features, CG_FALLBACK_OBSERVE, false, set, out);
	case LSM_UNAVAILABLE_KILL:
		return enforcement_choose(&agent->features, CG_FALLBACK_KILL, false, set, out);
	}
	return -EINVAL;
}

int agent_reload(struct agent *agent, struct json_writer *problems)
{
	struct policy_set *set = NULL;
	const char *source;
	enum cg_fallback previous = agent->fallback, fallback = previous;
	int r;

	log_notice("reloading policy");
	agent->reloads++;
	r = agent_load_policies(&agent->opts, &set, &source, problems);
	if (r < 0)
		goto keep;
	/* A reload may not add enforcement the kernel cannot give. */
	r = agent_choose_fallback(agent, set, &fallback);
	if (r < 0 || fallback != previous) {
		static const char msg[] =
			"The new policy needs a different --lsm-unavailable handling: it enforces and this kernel has no BPF LSM; restart the agent to change it";

		r = r < 0 ? r : -EOPNOTSUPP;
		log_error("%s", msg);
		if (problems) {
			json_raw(problems, msg, sizeof(msg) - 1);
			json_raw(problems, "\n", 1);
		}
		goto keep;
	}
	r = agent_publish(agent, set, source, problems);
	if (r < 0)
		goto keep;
	agent->last_reload_error = 0;
	return 0;
keep:
	policy_set__free(set);
	agent->reload_failures++;
	agent->last_reload_error = r;
	log_error("Reload failed: the previous policy stays in force");
	return r;
}

