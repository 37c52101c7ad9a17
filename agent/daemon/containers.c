// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Containers chosen by what their runtime knows of them (containerName,
 * image, labels, namespace: policy/identity.h). The kernel sees only cgroup
 * paths, so the agent binds these selectors to containers' own cgroups:
 *
 *   - at every publish, the walk asks container_facts() about each
 *     container's own cgroup (kernel/cgroup_states.c);
 *   - when a container starts, the OCI hook or the runc wrapper sends
 *     bind-container before the container's first instruction, and waits
 *     for the answer (agent_bind_container()).
 *
 *   - when the kernel made a container's own cgroup in a generation with
 *     identity selectors, it tells (CG_EVENT_CONTAINER) and the agent binds
 *     it at once (agent_containers__created()): for runtimes started
 *     without the hook or the wrapper, governed a short time after the
 *     cgroup is made rather than before the first instruction; the delay
 *     is logged and exported.
 *
 * What is believed: the cgroup of the container's process (from /proc, not
 * from the request), that it is a container's own cgroup where runtimes put
 * containers (a delegated cgroup named like one is not), that its name
 * carries the id the request gives, and the runtime's own state files for
 * that id. Nothing else the request says.
 *
 * containers.mode, beside the control socket, tells the hook what to do
 * when the agent does not answer: the strongest mode of any policy with an
 * identity selector ("enforce", "audit", "none").
 */
#include "containers.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent_internal.h"
#include "container_id.h"
#include "cri_metadata.h"
#include "fileio.h"
#include "identity.h"
#include "log.h"
#include "macro.h"

/* Test only: where the runtimes' state files are (a prefix of their paths). */
#define CONTAINERS_TEST_ROOT_ENV "CREDGATE_TEST_RUNTIME_ROOT"
#define CONTAINERS_MODE_FILE "containers.mode"
/* /proc/PID/cgroup of a container's process: a few lines. */
#define PROC_CGROUP_MAX 16384

struct agent_containers {
	struct cri_store *store;
	struct container_label labels[CRI_MAX_LABELS];
	uint64_t bound, refused;
	/* Told by the kernel (CG_EVENT_CONTAINER): bound, and how long after the cgroup was made. */
	uint64_t discovered, discovered_delay_ns, discovered_max_delay_ns;
};

int agent_containers__new(struct agent_containers **out)
{
	struct cri_store_options opts = { .root = getenv(CONTAINERS_TEST_ROOT_ENV) };
	struct agent_containers *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	r = cri_store__new(&c->store, &opts);
	if (r < 0) {
		free(c);
		return r;
	}
	*out = c;
	return 0;
}

void agent_containers__free(struct agent_containers *c)
{
	if (!c)
		return;
	cri_store__free(c->store);
	free(c);
}

/*
 * The runtime's facts about the container whose own cgroup is @path
 * (relative to the cgroup2 root). Pointers into the store's cache: valid
 * until the next call.
 */
/*
 * The container whose own cgroup is @path: from the runtimes' cgroup names,
 * or, for containerd's clients (`ctr run`: /NAMESPACE/ID, any id), from the
 * bundle whose OCI spec put it exactly there.
 */
static bool container_of_path(struct agent_containers *c, const char *path, struct container_identity *ident)
{
	if (container_identity_from_cgroup(path, ident) && ident->id[0])
		return true;
	memset(ident, 0, sizeof(*ident));
	if (!cri_store__containerd_cgroup(c->store, path, ident->id, sizeof(ident->id)))
		return false;
	ident->runtime = CONTAINER_RUNTIME_CONTAINERD;
	return true;
}

static bool facts_of(struct agent_containers *c, const char *path, struct container_identity *ident,
		     struct container_facts *facts)
{
	const struct cri_metadata *m;

	if (!container_of_path(c, path, ident))
		return false;
	m = cri_store__get_fresh(c->store, ident->id, ident->runtime);
	if (!m)
		return false;
	cri_metadata_facts(m, ident->id, c->labels, ELEMENTSOF(c->labels), facts);
	return true;
}

/*
 * The container's own cgroup on @path: the shortest prefix of it that is
 * container @id's (runtimes may put the first process below it: crun puts
 * podman's in libpod-ID.scope/container). False when no prefix is.
 */
static bool own_cgroup_of(struct agent_containers *c, const char *path, const char *id, char *own, size_t size)
{
	struct container_identity ident;
	size_t len = strlen(path);

	if (len >= size)
		return false;
	for (size_t n = 1; n <= len; n++) {
		if (n < len && path[n] != '/')
			continue;
		memcpy(own, path, n);
		own[n] = '\0';
		if (container_of_path(c, own, &ident) && strcmp(ident.id, id) == 0)
			return true;
	}
	return false;
}

static bool resolve(void *ctx, const char *path, struct container_facts *facts)
{
	struct container_identity ident;

	return facts_of(ctx, path, &ident, facts);
}

struct container_resolver agent_containers__resolver(struct agent_containers *c)
{
	return (struct container_resolver){ .resolve = resolve, .ctx = c };
}

/* The cgroup2 path of @pid ("0::/a/b" -> "a/b"), or -errno. */
static int cgroup_of_pid(int pid, char *buf, size_t size)
{
	char proc[64], *text = NULL, *line, *save = NULL;
	_cleanup_close_ int fd = -1;
	size_t len;
	int r;

	snprintf(proc, sizeof(proc), "/proc/%d/cgroup", pid);
	fd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return negative_errno();
	r = read_fd_bounded(fd, 512, PROC_CGROUP_MAX, &text, &len);
	if (r < 0)
		return r;
	r = -ENOENT;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "0::/", 4) != 0)
			continue;
		if (strlen(line + 4) >= size || strstr(line, "/../") || strstr(line, " (deleted)")) {
			r = -EINVAL;
			break;
		}
		snprintf(buf, size, "%s", line + 4);
		r = 0;
		break;
	}
	free(text);
	return r;
}

/* The answer's text; a refusal is logged too, and counted. */
static void say(struct agent_containers *c, bool refused, struct json_writer *w, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void say(struct agent_containers *c, bool refused, struct json_writer *w, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	json_raw(w, text, (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1);
	if (refused) {
		c->refused++;
		log_warning("Refused bind-container: %s", text);
	}
}

int agent_bind_container(struct agent *agent, const struct control_request *req, struct json_writer *answer)
{
	struct agent_containers *c = agent->containers;
	struct container_identity ident;
	struct container_facts facts;
	struct cg_cgroup_state state;
	struct policy_tie tie = {};
	char path[PATH_MAX], pid_path[PATH_MAX];
	int r;

	r = cgroup_of_pid(req->pid, pid_path, sizeof(pid_path));
	if (r < 0) {
		say(c, true, answer, "container %s: cannot read the cgroup of pid %d: %s", req->container, req->pid, strerror(-r));
		return r;
	}
	if (!own_cgroup_of(c, pid_path, req->container, path, sizeof(path))) {
		say(c, true, answer, "container %s: pid %d is in cgroup /%s, which is not that container's", req->container,
		    req->pid, pid_path);
		return -EPERM;
	}
	container_of_path(c, path, &ident);
	if (!facts_of(c, path, &ident, &facts)) {
		/* No runtime state: only path selectors can hold. Say so, do not guess. */
		memset(&facts, 0, sizeof(facts));
		facts.id = ident.id;
		facts.runtime = container_runtime_name(ident.runtime);
	}
	r = policy_maps__bind_container(agent->maps, agent->policies, agent->cgroups, path, &facts, &state, &tie);
	if (r == -EPERM) {
		/* ctr and nerdctl (cgroupfs) put containers at /NAMESPACE/ID, which no runtime pattern names. */
		const char *slash = strchr(path, '/');
		bool containerd = ident.runtime == CONTAINER_RUNTIME_CONTAINERD && slash && slash == strrchr(path, '/');

		say(c, true, answer,
		    "container %s: cgroup /%s is not a container's own cgroup where runtimes put containers%s%.*s%s",
		    req->container, path, containerd ? " (list /" : "", containerd ? (int)(slash - path) : 0,
		    containerd ? path : "", containerd ? "/* in the settings file's containerCgroups)" : "");
		return r;
	}
	if (r < 0) {
		say(c, true, answer, "container %s: cannot store the state of cgroup /%s: %s", req->container, path,
		    strerror(-r));
		return r;
	}
	if (tie.tied && tie.winner_policy < agent->policies->count && tie.other_policy < agent->policies->count) {
		/*
		 * The kernel's rule for a tie on a new cgroup is "the policy loaded
		 * first", which may be an audit policy beside an enforcing one the
		 * administrator meant for this container. A container that is
		 * starting can still be refused: say so now, not in a log line
		 * after it ran under the wrong policy.
		 */
		const struct policy *a = &agent->policies->policies[tie.winner_policy];
		const struct policy *b = &agent->policies->policies[tie.other_policy];

		say(c, true, answer,
		    "container %s%s%s is selected by policy '%s' (%s) and by policy '%s' (%s) at the same depth and priority %d: give one of them a higher priority",
		    req->container, facts.name ? " name " : "", facts.name ? facts.name : "", a->name, a->file, b->name,
		    b->file, tie.priority);
		return -EEXIST;
	}
	c->bound++;
	if (state.policy_id == CG_NO_POLICY || state.policy_id >= agent->policies->count) {
		log_notice("container %s%s%s (cgroup /%s) started: no policy governs it", req->container,
			 facts.name ? " name " : "", facts.name ? facts.name : "", path);
		say(c, false, answer, "ungoverned");
		return 0;
	}
	{
		const struct policy *p = &agent->policies->policies[state.policy_id];
		const char *mode = policy_enforces(p) ? "enforce" : "audit";

		log_notice("container %s%s%s (cgroup /%s) started under policy '%s' (%s)", req->container,
			 facts.name ? " name " : "", facts.name ? facts.name : "", path, p->name, mode);
		say(c, false, answer, "governed %s %s", p->name, mode);
	}
	return 0;
}

static uint64_t boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void agent_containers__created(struct agent *agent, uint64_t cgroup_id, uint64_t made_ns)
{
	struct agent_containers *c = agent->containers;
	struct container_identity ident;
	struct container_facts facts;
	struct cg_cgroup_state state;
	struct policy_tie tie;
	char path[PATH_MAX];
	uint64_t delay;
	int r;

	if (!c || !agent->policies)
		return;
	r = cgroup_fs__path_of_id(agent->cgroups, cgroup_id, path, sizeof(path));
	if (r < 0 || path[0] != '/' || !path[1])
		return; /* gone already */
	if (!facts_of(c, path + 1, &ident, &facts)) {
		log_notice("container cgroup %s: its runtime keeps no state the agent can read yet; identity selectors hold there from the next publish",
			 path);
		return;
	}
	r = policy_maps__bind_container(agent->maps, agent->policies, agent->cgroups, path + 1, &facts, &state, &tie);
	if (r < 0) {
		if (r != -EPERM && r != -ENOENT)
			log_warning_errno(r, "container cgroup %s: cannot store its state: %m", path);
		return;
	}
	if (tie.tied && tie.winner_policy < agent->policies->count && tie.other_policy < agent->policies->count)
		log_warning("container %s%s%s (cgroup %s) is selected by policy '%s' and by policy '%s' at the same depth and priority %d: '%s' governs (the one loaded first); give one of them a higher priority",
			    ident.id, facts.name ? " name " : "", facts.name ? facts.name : "", path,
			    agent->policies->policies[tie.winner_policy].name,
			    agent->policies->policies[tie.other_policy].name, tie.priority,
			    agent->policies->policies[tie.winner_policy].name);
	delay = boottime_ns() - made_ns;
	if (delay > (1ull << 62))
		delay = 0; /* a clock read before the kernel's: none */
	c->discovered++;
	c->discovered_delay_ns += delay;
	if (delay > c->discovered_max_delay_ns)
		c->discovered_max_delay_ns = delay;
	if (state.policy_id < agent->policies->count)
		log_notice("container %s%s%s (cgroup %s) governed by policy '%s', %llu us after its cgroup was made",
			   ident.id, facts.name ? " name " : "", facts.name ? facts.name : "", path,
			   agent->policies->policies[state.policy_id].name, (unsigned long long)(delay / 1000));
}

void agent_containers__discovery(const struct agent_containers *c, uint64_t *count, uint64_t *delay_ns,
				 uint64_t *max_delay_ns)
{
	*count = c ? c->discovered : 0;
	*delay_ns = c ? c->discovered_delay_ns : 0;
	*max_delay_ns = c ? c->discovered_max_delay_ns : 0;
}

/* DIR/containers.mode, beside the control socket DIR/NAME. */
static int mode_file_path(const char *socket_path, char *path, size_t size)
{
	const char *slash = strrchr(socket_path, '/');

	if (!slash)
		return -EINVAL;
	if (snprintf(path, size, "%.*s/" CONTAINERS_MODE_FILE, (int)(slash - socket_path), socket_path) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

/* Write @text to DIR/containers.mode through a temporary file and a rename. */
static int write_mode_file(const char *socket_path, const char *text)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8];
	_cleanup_close_ int fd = -1;
	size_t len = strlen(text);
	int r;

	r = mode_file_path(socket_path, path, sizeof(path));
	if (r < 0)
		return r;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return negative_errno();
	if (write(fd, text, len) != (ssize_t)len || fsync(fd) < 0) {
		r = negative_errno();
		unlink(tmp);
		return r ? r : -EIO;
	}
	if (rename(tmp, path) < 0) {
		r = negative_errno();
		unlink(tmp);
		return r;
	}
	return 0;
}

void agent_containers__published(struct agent *agent, const struct policy_set *set)
{
	const char *mode = "none\n";
	int r;

	if (policy_set_has_identity_selectors(set))
		mode = policy_set_identity_mode(set) == CG_MODE_ENFORCE ? "enforce\n" : "audit\n";
	r = write_mode_file(agent->opts.socket_path, mode);
	if (r < 0)
		log_warning_errno(r, "Failed to write %s beside %s: %m (the OCI hook reads it when the agent does not answer)",
				  CONTAINERS_MODE_FILE, agent->opts.socket_path);
}

void agent_containers__stopped(struct agent *agent)
{
	char path[PATH_MAX];

	if (mode_file_path(agent->opts.socket_path, path, sizeof(path)) < 0)
		return;
	if (unlink(path) < 0 && errno != ENOENT)
		log_warning_errno(negative_errno(), "Failed to remove %s: %m", path);
}

uint64_t agent_containers__bound(const struct agent_containers *c)
{
	return c ? c->bound : 0;
}

uint64_t agent_containers__refused(const struct agent_containers *c)
{
	return c ? c->refused : 0;
}
