// SPDX-License-Identifier: LGPL-2.1-or-later
/* credgated: the credgate agent. See agent.c for what it does. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>

#include "agent.h"
#include "log.h"
#include "options.h"

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

	/* Signals are read from a signalfd in the main loop, never handled async. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) {
		log_error_errno(errno, "Failed to block signals: %m");
		return EXIT_FAILURE;
	}

	r = agent__start(&agent, &opts);
	if (r < 0)
		return EXIT_FAILURE;
	r = agent__run(agent);
	agent__free(agent);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
