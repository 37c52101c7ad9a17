// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The daemon's side of the control socket: what each command does to the
 * agent (control/control.c decides who may run it and speaks the protocol),
 * and the socket set up where the options say.
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "agent_internal.h"
#include "containers.h"
#include "log.h"
#include "metrics.h"
#include "prometheus_writer.h"
#include "status.h"



static void handle_status(void *ctx, bool json, struct json_writer *out)
{
	struct agent *agent = ctx;

	if (json)
		status_write_json(agent, out);
	else
		status_write_text(agent, out);
}

static int handle_reload(void *ctx, struct json_writer *problems, uint32_t *generation)
{
	struct agent *agent = ctx;
	int r = agent_reload_notified(agent, problems);

	*generation = policy_maps__generation(agent->maps);
	return r;
}


/* Written by its own writer, then handed to the control socket as text. */
static void handle_metrics(void *ctx, struct json_writer *out)
{
	struct prom_writer w;
	const char *text;

	prom_writer_init(&w);
	metrics_write(ctx, &w);
	text = prom_writer_text(&w);
	if (text)
		json_raw(out, text, prom_writer_len(&w));
	else
		out->failed = true; /* out of memory: no half exposition */
	prom_writer_free(&w);
}

static int handle_unload(void *ctx, struct json_writer *message)
{
	struct agent *agent = ctx;
	const char *dir = bpf_loader__pin_dir(agent->loader);
	char text[PATH_MAX + 128];

	agent->unload = true;
	agent->stop = true;
	snprintf(text, sizeof(text), "OK\ndetaching every program%s%s%s and stopping", dir ? ", removing " : "",
		 dir ? dir : "", "");
	json_raw(message, text, strlen(text));
	return 0;
}

static int handle_bind_container(void *ctx, const struct control_request *req, struct json_writer *answer)
{
	return agent_bind_container(ctx, req, answer);
}

int agent_setup_control(struct agent *agent)
{
	const struct control_handlers handlers = {
		.status = handle_status,
		.reload = handle_reload,
		.metrics = handle_metrics,
		.unload = handle_unload,
		.bind_container = handle_bind_container,
		.ctx = agent,
	};
	struct event_clients clients;
	char dir[PATH_MAX];
	gid_t gid = (gid_t)-1;
	char *slash;
	int r;

	if (agent->opts.socket_group) {
		struct group *g = getgrnam(agent->opts.socket_group);

		if (!g)
			return log_error_errno(-ENOENT, "Unknown group '%s' for the control socket",
					       agent->opts.socket_group);
		gid = g->gr_gid;
	}
	snprintf(dir, sizeof(dir), "%s", agent->opts.socket_path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		/* systemd's RuntimeDirectory= makes it; by hand, we do. */
		if (mkdir(dir, 0750) < 0 && errno != EEXIST)
			return log_error_errno(errno, "Failed to create %s: %m", dir);
	}
	r = control_server__new(&agent->control, agent->opts.socket_path, gid, agent->epoll_fd, &handlers);
	if (r == -EADDRINUSE)
		return log_error_errno(r, "Another credgated answers on %s", agent->opts.socket_path);
	if (r < 0)
		return log_error_errno(r, "Failed to listen on %s: %m", agent->opts.socket_path);
	control_server__event_clients(agent->control, &clients);
	event_sink__set_clients(agent->sink, &clients);
	return 0;
}
