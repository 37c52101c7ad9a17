// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Resident memory of the agent's process identity at N cached processes:
 * an event sink (agent/events/event_sink.c, with its process cache) fed N
 * synthetic exec records with realistic binaries, arguments and working
 * directories, then an event from each. Prints RSS before and after, and
 * bytes per process.
 *
 *   process_cache_rss [--processes N]   (default 10000)
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "event_sink.h"

static long rss_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			kib = atol(line + 6);
	if (f)
		fclose(f);
	return kib;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = { { "processes", required_argument, NULL, 'n' }, {} };
	static const char *const programs[] = { "/usr/bin/bash", "/usr/sbin/nginx", "/usr/local/bin/python3.11",
						"/opt/app/bin/server", "/usr/bin/sleep" };
	char proc_dir[] = "/tmp/credgate-rss-proc.XXXXXX", path[256], cwd[128];
	struct event_sink_options o = {
		.format = OUTPUT_JSON, .node_name = "bench-node", .host_pidns_ino = CG_HOST_PIDNS_INO,
		.no_proc_scan = true, .observe_rate = EVENT_SINK_UNLIMITED,
	};
	struct event_sink_stats st;
	struct event_sink *sink;
	unsigned n = 10000;
	long before, after;
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		if (c == 'n')
			n = (unsigned)atoi(optarg);
	if (!mkdtemp(proc_dir))
		return 1;
	/* A /proc with each process's working directory, as exec handling reads it. */
	for (unsigned i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%u", proc_dir, 20000 + i);
		mkdir(path, 0755);
		snprintf(path, sizeof(path), "%s/%u/cwd", proc_dir, 20000 + i);
		snprintf(cwd, sizeof(cwd), "/srv/app-%u/work", i % 50);
		symlink(cwd, path);
	}
	o.proc_root = proc_dir;
	o.out = fopen("/dev/null", "w");
	if (event_sink__new(&sink, &o) < 0)
		return 1;
	before = rss_kib();
	for (unsigned i = 0; i < n; i++) {
		struct cg_exec_event x;
		struct cg_syscall_event s;
		char args[256];
		int len;

		memset(&x, 0, sizeof(x));
		x.hdr.type = CG_EVENT_EXEC;
		x.hdr.size = sizeof(x);
		x.hdr.pid = x.hdr.tid = 20000 + i;
		x.hdr.ppid = 1;
		x.hdr.cgroup_id = 5000 + i % 100;
		x.hdr.pidns_ino = CG_HOST_PIDNS_INO;
		x.hdr.start_boottime = 1000000ull * (i + 1);
		x.hdr.exec_boottime = x.hdr.time_ns = 1000000ull * (i + 1) + 7;
		memcpy(x.hdr.comm, "worker", 7);
		snprintf(x.filename, sizeof(x.filename), "%s", programs[i % 5]);
		len = snprintf(args, sizeof(args), "%s%c--config%c/etc/app/%u.conf%c--workers%c%u", programs[i % 5], 0, 0,
			       i, 0, 0, i % 16);
		memcpy(x.args, args, (size_t)len + 1);
		x.args_len = (uint32_t)len + 1;
		event_sink__handle(sink, &x, sizeof(x));
		memset(&s, 0, sizeof(s));
		s.hdr = x.hdr;
		s.hdr.type = CG_EVENT_SYSCALL;
		s.hdr.size = sizeof(s);
		s.syscall = CG_SYS_SETUID;
		s.nargs = 1;
		event_sink__handle(sink, &s, sizeof(s));
	}
	after = rss_kib();
	event_sink__stats(sink, &st);
	printf("processes=%llu rss_before_kib=%ld rss_after_kib=%ld bytes_per_process=%.0f total_rss_mib=%.1f\n",
	       (unsigned long long)st.processes, before, after, (double)(after - before) * 1024 / (double)n,
	       (double)after / 1024);
	event_sink__free(sink);
	fclose(o.out);
	snprintf(path, sizeof(path), "rm -rf %s", proc_dir);
	return system(path) == 0 ? 0 : 1;
}
