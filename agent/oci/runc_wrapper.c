// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * credgate-runc: runc for docker ("runtimes" in /etc/docker/daemon.json) and
 * containerd (the runc shim's BinaryName, `ctr run --runc-binary`), which run
 * no OCI hooks of their own choosing. Every call goes to the real runc
 * unchanged, by exec, so the wrapper costs one exec. `create` (and `run
 * --detach`, done as create then start) is the exception: once runc has made
 * the container, whose first process waits for `runc start`, the wrapper
 * hands it to credgated as credgate-oci-hook does; when that is refused the
 * container is deleted (`runc delete --force ID`) and the wrapper exits 1.
 *
 * runc's command line is parsed as runc 1.1 parses it (urfave/cli 1.22 over
 * Go's flag package): global options before the command, then the command's
 * options, which urfave/cli first moves in front of the arguments. Getting
 * the container id or the pid file wrong would bind, or delete, another
 * container, so what runc would refuse is left to runc, and an option this
 * file does not know on a create refuses the create.
 *
 * It has no options of its own (its argv is runc's): the environment says
 * where the real runc is (CREDGATE_RUNC, default /usr/sbin/runc, Debian's)
 * and what oci_bind.h reads.
 *
 * Over 600 lines on purpose: about half is runc 1.1's option tables, kept
 * beside the one parser that reads them and the create flow that trusts
 * what it finds, so that a change to one is seen with the others.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "macro.h"
#include "oci_bind.h"

#define PROGRAM "credgate-runc"
#define DEFAULT_RUNC "/usr/sbin/runc"
#define PID_FILE_MAX 32
#define RUNC_STATE_MAX (1024 * 1024)

enum role {
	ROLE_NONE,
	ROLE_HELP,     /* runc prints help and does nothing else */
	ROLE_LOG,
	ROLE_LOG_FORMAT,
	ROLE_BUNDLE,
	ROLE_PID_FILE,
	ROLE_DETACH,
	ROLE_RUN_ONLY, /* run's options that create does not take */
};

struct flag {
	const char *name;
	bool takes_value; /* Go's flag: a string flag, else a bool */
	enum role role;
};

/* runc 1.1's main.go; urfave/cli adds help, h and version, v. */
static const struct flag global_flags[] = {
	{ "debug", false, ROLE_NONE },
	{ "log", true, ROLE_LOG },
	{ "log-format", true, ROLE_LOG_FORMAT },
	{ "root", true, ROLE_NONE },
	{ "criu", true, ROLE_NONE },
	{ "systemd-cgroup", false, ROLE_NONE },
	{ "rootless", true, ROLE_NONE },
	{ "help", false, ROLE_HELP },
	{ "h", false, ROLE_HELP },
	{ "version", false, ROLE_HELP },
	{ "v", false, ROLE_HELP },
	{},
};

/* runc 1.1's create.go; urfave/cli adds help, h to every command. */
static const struct flag create_flags[] = {
	{ "bundle", true, ROLE_BUNDLE },
	{ "b", true, ROLE_BUNDLE },
	{ "console-socket", true, ROLE_NONE },
	{ "pid-file", true, ROLE_PID_FILE },
	{ "no-pivot", false, ROLE_NONE },
	{ "no-new-keyring", false, ROLE_NONE },
	{ "preserve-fds", true, ROLE_NONE },
	{ "help", false, ROLE_HELP },
	{ "h", false, ROLE_HELP },
	{},
};

/* runc 1.1's run.go: create's, and what only a process that stays needs. */
static const struct flag run_flags[] = {
	{ "bundle", true, ROLE_BUNDLE },
	{ "b", true, ROLE_BUNDLE },
	{ "console-socket", true, ROLE_NONE },
	{ "pid-file", true, ROLE_PID_FILE },
	{ "no-pivot", false, ROLE_NONE },
	{ "no-new-keyring", false, ROLE_NONE },
	{ "preserve-fds", true, ROLE_NONE },
	{ "detach", false, ROLE_DETACH },
	{ "d", false, ROLE_DETACH },
	{ "keep", false, ROLE_RUN_ONLY },
	{ "no-subreaper", false, ROLE_RUN_ONLY },
	{ "help", false, ROLE_HELP },
	{ "h", false, ROLE_HELP },
	{},
};

/* What a command line says, as runc would read it. */
struct runc_args {
	int command;          /* argv index of the command, or argc: none */
	bool help;            /* --help or --version anywhere runc reads it */
	const char *log;      /* global --log, --log-format */
	const char *log_format;
	const char *bundle;   /* create/run */
	const char *pid_file;
	bool detach;
	const char *id;
	bool drop[];          /* run -> create: argv indexes to leave out */
};

/*
 * A flag's name as urfave/cli's argIsFlag() and Go's flag package see it:
 * one or two leading dashes off, up to '='. NULL: not a flag.
 */
static const struct flag *flag_lookup(const struct flag *table, const char *arg, const char **value)
{
	const char *name = arg, *eq;
	size_t n;

	if (arg[0] != '-' || strcmp(arg, "-") == 0 || strcmp(arg, "--") == 0)
		return NULL;
	name += name[1] == '-' ? 2 : 1;
	eq = strchr(name, '=');
	n = eq ? (size_t)(eq - name) : strlen(name);
	*value = eq ? eq + 1 : NULL;
	for (const struct flag *f = table; f->name; f++)
		if (strlen(f->name) == n && strncmp(f->name, name, n) == 0)
			return f;
	return NULL;
}

/* Go's strconv.ParseBool, which a bool flag's "=value" goes through. */
static int parse_go_bool(const char *s)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };

	for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
		if (strcmp(s, yes[i]) == 0)
			return 1;
		if (strcmp(s, no[i]) == 0)
			return 0;
	}
	return -1;
}

/*
 * Go's FlagSet.Parse over @args[0..n) with @table, in order: the index of the
 * first argument that is not a flag (n: none), or -1 when Go would fail (an
 * unknown flag, bad syntax, a value missing). @set is called for each flag.
 */
static int go_flag_parse(const struct flag *table, char **args, const int *index, int n, struct runc_args *ra)
{
	int i = 0;

	while (i < n) {
		const char *s = args[i], *value;
		const struct flag *f;

		if (strlen(s) < 2 || s[0] != '-')
			return i;
		if (strcmp(s, "--") == 0)
			return i + 1;
		if (s[1] == '-' ? (s[2] == '-' || s[2] == '=') : s[1] == '=')
			return -1;
		f = flag_lookup(table, s, &value);
		if (!f)
			return -1;
		if (f->takes_value && !value) {
			if (i + 1 >= n)
				return -1;
			value = args[++i];
		}
		if (!f->takes_value) {
			int b = value ? parse_go_bool(value) : 1;

			if (b < 0)
				return -1;
			if (f->role == ROLE_HELP)
				ra->help = ra->help || b;
			else if (f->role == ROLE_DETACH)
				ra->detach = b;
			if ((f->role == ROLE_DETACH || f->role == ROLE_RUN_ONLY) && index)
				ra->drop[index[i]] = true;
		} else if (f->role == ROLE_LOG) {
			ra->log = value;
		} else if (f->role == ROLE_LOG_FORMAT) {
			ra->log_format = value;
		} else if (f->role == ROLE_BUNDLE) {
			ra->bundle = value;
		} else if (f->role == ROLE_PID_FILE) {
			ra->pid_file = value;
		}
		i++;
	}
	return n;
}

/* urfave/cli's argIsFlag: after "--" or "-" (one or two), a known name. */
static bool urfave_arg_is_flag(const struct flag *table, const char *arg)
{
	const char *value;

	if (strncmp(arg, "---", 3) == 0)
		arg++; /* its two string replacements take a third dash too */
	return flag_lookup(table, arg, &value) != NULL;
}

/*
 * The command's arguments (argv[first..argc)), as runc 1.1 reads them: urfave's
 * reorderArgs() moves flags (and what may be a flag's value) first, then Go
 * parses. Sets ra->id to the one argument left. Returns 0, -EINVAL when runc
 * would refuse the command line itself (left to runc), -ENOENT for an
 * unknown option.
 */
static int parse_command(const struct flag *table, int argc, char **argv, int first, struct runc_args *ra)
{
	int n = argc - first, nflags = 0, nrest = 0, rest_from = -1, k;
	_cleanup_free_ char **ordered = calloc((size_t)n + 1, sizeof(char *));
	_cleanup_free_ int *index = calloc((size_t)n + 1, sizeof(int));
	_cleanup_free_ int *rest = calloc((size_t)n + 1, sizeof(int));
	bool may_be_value = false;

	if (!ordered || !index || !rest)
		return -ENOMEM;
	for (int i = first; i < argc; i++) {
		const char *a = argv[i];

		if (may_be_value && !urfave_arg_is_flag(table, a)) {
			may_be_value = false;
			index[nflags++] = i;
		} else if (strcmp(a, "--") == 0) {
			rest_from = i;
			break;
		} else if (urfave_arg_is_flag(table, a)) {
			index[nflags++] = i;
			may_be_value = !strchr(a, '=');
		} else {
			rest[nrest++] = i;
		}
	}
	k = 0;
	for (int i = 0; i < nflags; i++)
		ordered[k++] = argv[index[i]];
	if (rest_from >= 0) {
		/* "--" goes in front of the other arguments, then everything after it. */
		index[k] = rest_from;
		ordered[k++] = argv[rest_from];
	}
	for (int i = 0; i < nrest; i++) {
		index[k] = rest[i];
		ordered[k++] = argv[rest[i]];
	}
	if (rest_from >= 0)
		for (int i = rest_from + 1; i < argc; i++) {
			index[k] = i;
			ordered[k++] = argv[i];
		}

	{
		int end = go_flag_parse(table, ordered, index, k, ra);

		if (end < 0) {
			/* Unknown to us, or wrong for Go: which one? */
			for (int i = 0; i < k; i++) {
				const char *value;

				if (ordered[i][0] == '-' && strcmp(ordered[i], "--") && strlen(ordered[i]) >= 2 &&
				    !flag_lookup(table, ordered[i], &value))
					return -ENOENT;
			}
			return -EINVAL;
		}
		if (k - end != 1)
			return -EINVAL; /* runc wants exactly one: the id */
		ra->id = ordered[end];
	}
	return 0;
}

_Noreturn static void exec_runc(const char *runc, char **argv)
{
	argv[0] = (char *)runc;
	execv(runc, argv);
	fprintf(stderr, PROGRAM ": cannot run %s: %s\n", runc, strerror(errno));
	exit(127);
}

/* Run @argv (argv[0]: the real runc) and wait. Returns its exit status as a shell reports it. */
static int run_runc(char **argv, int stdout_fd)
{
	pid_t pid = fork();
	int status;

	if (pid < 0) {
		fprintf(stderr, PROGRAM ": fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		if (stdout_fd >= 0 && dup2(stdout_fd, STDOUT_FILENO) < 0)
			_exit(127);
		execv(argv[0], argv);
		fprintf(stderr, PROGRAM ": cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* The global options (argv[1..command)) followed by @words. */
static char **runc_argv(const char *runc, char **argv, int command, const char *const *words, size_t nwords)
{
	char **v = calloc((size_t)command + nwords + 1, sizeof(char *));

	if (!v)
		return NULL;
	v[0] = (char *)runc;
	for (int i = 1; i < command; i++)
		v[i] = argv[i];
	for (size_t i = 0; i < nwords; i++)
		v[command + i] = (char *)words[i];
	return v;
}

static int read_pid_file(const char *path, pid_t *pid)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	char buf[PID_FILE_MAX + 1], *end;
	struct stat st;
	ssize_t n;
	long v;

	if (fd < 0)
		return negative_errno();
	if (fstat(fd, &st) < 0)
		return negative_errno();
	if (!S_ISREG(st.st_mode))
		return -EBADMSG;
	n = read(fd, buf, PID_FILE_MAX);
	if (n < 0)
		return negative_errno();
	buf[n] = '\0';
	/* runc writes the number alone, without a newline. */
	errno = 0;
	v = strtol(buf, &end, 10);
	if (n == 0 || n == PID_FILE_MAX || !(buf[0] >= '0' && buf[0] <= '9') || errno || (*end && strcmp(end, "\n")) ||
	    v <= 1 || v > INT_MAX)
		return -EBADMSG;
	*pid = (pid_t)v;
	return 0;
}

/* No --pid-file: `runc state ID` says {"pid": N, ...}. */
static int pid_from_state(const char *runc, char **argv, int command, const char *id, pid_t *pid)
{
	const char *words[] = { "state", id };
	_cleanup_free_ char **v = runc_argv(runc, argv, command, words, ELEMENTSOF(words));
	_cleanup_close_ int rd = -1, wr = -1;
	_cleanup_free_ char *buf = malloc(RUNC_STATE_MAX + 1);
	json_object *state, *p;
	size_t len = 0;
	int fds[2], status, r = -EBADMSG;

	if (!v || !buf)
		return -ENOMEM;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return negative_errno();
	rd = fds[0];
	wr = fds[1];
	/* A child that writes more than the pipe holds waits for us: read first, then wait. */
	{
		pid_t child = fork();

		if (child < 0)
			return negative_errno();
		if (child == 0) {
			if (dup2(wr, STDOUT_FILENO) < 0)
				_exit(127);
			execv(v[0], v);
			_exit(127);
		}
		close(TAKE_FD(wr));
		for (;;) {
			ssize_t n = read(rd, buf + len, RUNC_STATE_MAX - len);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			len += (size_t)n;
			if (len == RUNC_STATE_MAX)
				break;
		}
		close(TAKE_FD(rd));
		while (waitpid(child, &status, 0) < 0)
			if (errno != EINTR)
				return negative_errno();
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || len == RUNC_STATE_MAX)
		return -EBADMSG;
	buf[len] = '\0';
	state = json_tokener_parse(buf);
	if (state && json_object_object_get_ex(state, "pid", &p) && json_object_is_type(p, json_type_int) &&
	    json_object_get_int64(p) > 1 && json_object_get_int64(p) <= INT_MAX) {
		*pid = (pid_t)json_object_get_int64(p);
		r = 0;
	}
	json_object_put(state);
	return r;
}

/*
 * runc's log is where containerd and docker look for why a create failed
 * ("OCI runtime create failed: ..."): say it there too, as runc's logrus
 * would (--log-format json or text).
 */
static void log_refusal(const struct runc_args *ra, const char *msg)
{
	_cleanup_close_ int fd = -1;
	char stamp[40], *line = NULL;
	struct tm tm;
	time_t now = time(NULL);
	int n;

	if (!ra->log)
		return;
	fd = open(ra->log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0644);
	if (fd < 0)
		return;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (ra->log_format && strcmp(ra->log_format, "json") == 0) {
		json_object *o = json_object_new_object();

		if (!o)
			return;
		json_object_object_add(o, "level", json_object_new_string("error"));
		json_object_object_add(o, "msg", json_object_new_string(msg));
		json_object_object_add(o, "time", json_object_new_string(stamp));
		n = asprintf(&line, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
	} else {
		n = asprintf(&line, "time=\"%s\" level=error msg=\"%s\"\n", stamp, msg);
	}
	if (n > 0) {
		if (write(fd, line, (size_t)n) < 0) {
			/* stderr has it already */
		}
		free(line);
	}
}

/* The container is made and waits for start: bind it, or take it away. */
static int bind_or_delete(const char *runc, char **argv, const struct runc_args *ra)
{
	struct oci_bind_options o;
	char bundle[PATH_MAX], msg[512];
	const char *why = NULL;
	pid_t pid = 0;
	int r;

	r = oci_bind_options_init(&o, PROGRAM);
	if (r == 0) {
		r = ra->pid_file ? read_pid_file(ra->pid_file, &pid) : pid_from_state(runc, argv, ra->command, ra->id, &pid);
		if (r < 0) {
			snprintf(msg, sizeof(msg), "container %s: refused: no process id from %s: %s", ra->id,
				 ra->pid_file ? ra->pid_file : "runc state",
				 r == -EBADMSG ? "not a process id above 1" : strerror(-r));
			why = msg;
		}
	} else {
		snprintf(msg, sizeof(msg), "container %s: refused: the environment's settings are wrong", ra->id);
		why = msg;
	}
	if (!why) {
		/* runc's default bundle is the directory it runs in, which is ours. */
		const char *b = ra->bundle && *ra->bundle ? ra->bundle : NULL;

		if (b && b[0] == '/')
			snprintf(bundle, sizeof(bundle), "%s", b);
		else if (!getcwd(bundle, sizeof(bundle)) || (b && strlen(bundle) + 1 + strlen(b) >= sizeof(bundle)))
			bundle[0] = '\0';
		else if (b)
			strcat(strcat(bundle, "/"), b);
		if (oci_bind(&o, ra->id, pid, oci_path_valid(bundle) ? bundle : NULL) == 0)
			return 0;
		snprintf(msg, sizeof(msg), "container %s: refused by credgate (see the lines above); deleted", ra->id);
	} else {
		fprintf(stderr, PROGRAM ": %s\n", why);
	}
	log_refusal(ra, msg);
	{
		const char *words[] = { "delete", "--force", ra->id };
		_cleanup_free_ char **v = runc_argv(runc, argv, ra->command, words, ELEMENTSOF(words));

		if (!v || run_runc(v, -1) != 0)
			fprintf(stderr, PROGRAM ": container %s: `runc delete --force` failed: it stays created, never started\n",
				ra->id);
	}
	return 1;
}

/* @runc must not be this program (a loop of execs) and must be a path. */
static const char *real_runc(void)
{
	const char *runc = getenv("CREDGATE_RUNC");
	struct stat self, other;

	if (!runc || !*runc)
		runc = DEFAULT_RUNC;
	if (runc[0] != '/') {
		fprintf(stderr, PROGRAM ": CREDGATE_RUNC=%s: not an absolute path\n", runc);
		return NULL;
	}
	if (stat("/proc/self/exe", &self) == 0 && stat(runc, &other) == 0 && self.st_dev == other.st_dev &&
	    self.st_ino == other.st_ino) {
		fprintf(stderr, PROGRAM ": CREDGATE_RUNC=%s is credgate-runc itself, not runc\n", runc);
		return NULL;
	}
	return runc;
}

int main(int argc, char **argv)
{
	const char *runc = real_runc();
	_cleanup_free_ struct runc_args *ra = NULL;
	const struct flag *table;
	const char *cmd;
	int r, end;

	if (!runc)
		return 1;
	ra = calloc(1, sizeof(*ra) + (size_t)argc * sizeof(bool));
	if (!ra) {
		fprintf(stderr, PROGRAM ": out of memory\n");
		return 1;
	}

	end = go_flag_parse(global_flags, argv + 1, NULL, argc - 1, ra);
	if (end < 0) {
		/*
		 * runc refuses options it does not know, but a newer runc may
		 * know one that we do not: then a create would go unbound.
		 */
		for (int i = 1; i < argc; i++)
			if (strcmp(argv[i], "create") == 0 || strcmp(argv[i], "run") == 0) {
				fprintf(stderr, PROGRAM ": refused: runc's global options are not runc 1.1's: cannot tell the command\n");
				return 1;
			}
		exec_runc(runc, argv);
	}
	ra->command = 1 + end;
	if (ra->command >= argc || ra->help)
		exec_runc(runc, argv);
	cmd = argv[ra->command];
	if (strcmp(cmd, "create") == 0)
		table = create_flags;
	else if (strcmp(cmd, "run") == 0)
		table = run_flags;
	else
		exec_runc(runc, argv);

	r = parse_command(table, argc, argv, ra->command + 1, ra);
	if (r == -ENOENT) {
		fprintf(stderr, PROGRAM ": refused: `runc %s` has an option runc 1.1 does not have: cannot tell the container\n",
			cmd);
		return 1;
	}
	if (r < 0 || ra->help)
		exec_runc(runc, argv); /* runc says what is wrong, or prints its help */
	if (table == run_flags && !ra->detach)
		exec_runc(runc, argv); /* see docs/oci-hook.md: a foreground run is not bound before it starts */

	if (table == run_flags) {
		/* run --detach is create, bind, start: the container's first instruction waits for the agent. */
		_cleanup_free_ char **v = calloc((size_t)argc + 1, sizeof(char *));
		int k = 0;

		if (!v) {
			fprintf(stderr, PROGRAM ": out of memory\n");
			return 1;
		}
		v[k++] = (char *)runc;
		for (int i = 1; i < argc; i++)
			if (!ra->drop[i])
				v[k++] = i == ra->command ? (char *)"create" : argv[i];
		r = run_runc(v, -1);
		if (r != 0)
			return r;
		if (bind_or_delete(runc, argv, ra) != 0)
			return 1;
		{
			const char *words[] = { "start", ra->id };
			_cleanup_free_ char **s = runc_argv(runc, argv, ra->command, words, ELEMENTSOF(words));

			if (!s) {
				fprintf(stderr, PROGRAM ": out of memory\n");
				return 1;
			}
			exec_runc(runc, s);
		}
	}

	{
		_cleanup_free_ char **v = calloc((size_t)argc + 1, sizeof(char *));

		if (!v) {
			fprintf(stderr, PROGRAM ": out of memory\n");
			return 1;
		}
		v[0] = (char *)runc;
		for (int i = 1; i < argc; i++)
			v[i] = argv[i];
		r = run_runc(v, -1);
	}
	if (r != 0)
		return r;
	return bind_or_delete(runc, argv, ra);
}
