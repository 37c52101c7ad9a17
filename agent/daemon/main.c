// SPDX-License-Identifier: LGPL-2.1-or-later
/* credgated: the credgate agent. See agent.c for what it does. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>

#include "agent.h"
#include "fileio.h"
#include "log.h"
#include "options.h"
#include "settings.h"

/*
 * The settings in their layers: the defaults, the settings file over them,
 * the command line over both. @opts holds the checked command line on entry
 * (for --config); argv is laid over the file's values again, which is what
 * makes a flag win. On success @opts owns the file's strings.
 */
static int load_settings(int argc, char **argv, struct agent_options *opts)
{
	const char *path = opts->config_path ? opts->config_path : CREDGATE_CONFIG_PATH;
	struct agent_options layered;
	struct policy_diags diags = {};
	struct trust_problem problem;
	char line[1024];
	int r;

	/* Like a policy file, the settings decide what is enforced (an
	 * --lsm-unavailable word, the policy directory): only root may write. */
	r = path_check_trusted(path, &problem);
	if (r == -EPERM)
		return log_error_errno(r, "Refusing the settings file %s: %s is %s; whoever can change it decides "
				       "what is enforced (chown root, chmod go-w)",
				       path, problem.path, trust_problem_text(&problem, line, sizeof(line)));
	options_defaults(&layered);
	r = settings_load(path, &layered, &diags);
	for (size_t i = 0; i < diags.count; i++) {
		policy_diag_format(&diags.items[i], line, sizeof(line));
		log_error("%s", line);
	}
	policy_diags_clear(&diags);
	if (r == -ENOENT && !opts->config_path)
		r = 0; /* no settings file: defaults and flags */
	if (r < 0)
		return log_error_errno(r, "Failed to read the settings file %s: %m", path);
	/* options_parse() accepted this argv already: this cannot fail. */
	r = options_apply_flags(argc, argv, &layered);
	if (r != 0) {
		settings_free(&layered);
		return log_error_errno(r < 0 ? r : -EINVAL, "Failed to apply the command line over the settings file");
	}
	*opts = layered;
	return 0;
}

int main(int argc, char **argv)
{
	struct agent_options opts;
	struct agent *agent = NULL;
	sigset_t mask;
	int r;

	r = options_parse(argc, argv, &opts);
	if (r != 0)
		return r > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	log_set_max_level(opts.verbosity >= 2 ? LOG_DEBUG : opts.verbosity == 1 ? LOG_INFO : LOG_NOTICE);

	/* The settings file, under the flags: a missing default file is fine. */
	r = load_settings(argc, argv, &opts);
	if (r < 0)
		return EXIT_FAILURE;

	/* Signals are read from a signalfd in the main loop, never handled async. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) {
		log_error_errno(errno, "Failed to block signals: %m");
		settings_free(&opts);
		return EXIT_FAILURE;
	}

	r = agent__start(&agent, &opts);
	if (r < 0) {
		/* A refusal is a normal exit: leave nothing for LeakSanitizer to report. */
		settings_free(&opts);
		return EXIT_FAILURE;
	}
	r = agent__run(agent);
	agent__free(agent);
	settings_free(&opts);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
