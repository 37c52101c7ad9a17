// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * How many events a second the agent's event pipeline (agent/events/event_sink.c:
 * validate, identify the process, rate-limit, format, write) sustains, fed
 * synthetic ring-buffer records the way libbpf's ring buffer would: a
 * producer thread writes records at a fixed rate into a bounded ring (the
 * kernel's ring buffer, --ringbuf bytes) and drops, counting them, when it
 * is full; the consumer hands each record to event_sink__handle().
 *
 *   event_throughput [--rate N | --search | --unpaced] [--seconds S]
 *                    [--format json|compact] [--processes N] [--mix kprobe|decision|mixed]
 *                    [--ringbuf BYTES] [--out FILE] [--spin]
 *
 * --unpaced: the consumer alone, as fast as it goes.
 * --rate N: N events/s for S seconds; prints delivered and lost.
 * --search: the highest rate (in 10k steps from 100k) with no loss over S seconds.
 * Output goes to /dev/null unless --out says otherwise. Rate limits are off.
 * The consumer sleeps 100 us when the ring is empty, as the agent waits in
 * epoll_wait; --spin keeps it polling instead (to tell its cost from the
 * machine's scheduling delays).
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "event_sink.h"

#define SLOT_SIZE sizeof(struct cg_exec_event)

struct ring {
	size_t nslots;
	unsigned char *slots; /* nslots * SLOT_SIZE */
	_Atomic size_t head, tail; /* producer writes head, consumer tail */
	_Atomic bool stop;
	uint64_t produced, dropped;
};

static struct {
	double rate;
	double seconds;
	enum output_format format;
	unsigned processes;
	const char *mix;
	size_t ringbuf;
	const char *out;
	bool spin;
} opt = { .seconds = 3, .format = OUTPUT_JSON, .processes = 64, .mix = "mixed", .ringbuf = 4 << 20,
	  .out = "/dev/null" };

/* The longest the consumer went without looking at the ring: a batch, or a stall. */
static uint64_t max_gap_ns;

static uint64_t now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void header(struct cg_event_header *h, uint32_t type, uint32_t size, uint32_t pid)
{
	memset(h, 0, sizeof(*h));
	h->type = type;
	h->size = size;
	h->pid = h->tid = pid;
	h->ppid = 1;
	h->cgroup_id = 1000 + pid % 8;
	h->pidns_ino = CG_HOST_PIDNS_INO;
	h->start_boottime = 1000000ull * pid;
	h->exec_boottime = 1000000ull * pid + 1;
	h->time_ns = now_ns(CLOCK_BOOTTIME);
	memcpy(h->comm, "worker", 7);
}

/* Record number @i of the stream: observations and decisions of the cached processes. */
static size_t make_record(uint64_t i, void *buf)
{
	uint32_t pid = 10000 + (uint32_t)((i / 16) % opt.processes); /* bursts of 16 per process */
	bool decision = strcmp(opt.mix, "decision") == 0 || (strcmp(opt.mix, "mixed") == 0 && i % 2);

	if (decision) {
		struct cg_decision_event *d = buf;

		memset(d, 0, sizeof(*d));
		header(&d->hdr, CG_EVENT_DECISION, sizeof(*d), pid);
		d->hook = CG_HOOK_SETUID;
		d->setid_flags = CG_SETID_RES;
		d->verdict = CG_VERDICT_AUDITED;
		d->mode = CG_MODE_AUDIT;
		d->rule_index = CG_NO_RULE;
		d->old_ids.euid = 1000;
		d->subject_from = 1000;
		return sizeof(*d);
	} else {
		struct cg_syscall_event *s = buf;

		memset(s, 0, sizeof(*s));
		header(&s->hdr, CG_EVENT_SYSCALL, sizeof(*s), pid);
		s->syscall = CG_SYS_SETRESUID;
		s->probe = CG_PROBE_TRACEPOINT;
		s->nargs = 3;
		s->args[0] = -1, s->args[1] = i % 2 ? 0 : 1000, s->args[2] = -1;
		s->old_ids.euid = i % 2 ? 1000 : 0;
		s->new_ids.euid = i % 2 ? 0 : 1000;
		return sizeof(*s);
	}
}

static struct event_sink *new_sink(FILE *out, char *proc_dir)
{
	struct event_sink_options o = {
		.format = opt.format, .node_name = "bench-node", .out = out, .host_pidns_ino = CG_HOST_PIDNS_INO,
		.proc_root = proc_dir, .no_proc_scan = true,
		.observe_rate = EVENT_SINK_UNLIMITED, .deny_rate = EVENT_SINK_UNLIMITED,
	};
	struct event_sink *sink;
	static const char args[] = "/usr/local/bin/worker\0--threads\0" "8\0--config\0/etc/worker.conf\0";
	struct cg_exec_event x;
	int r = event_sink__new(&sink, &o);

	if (r < 0) {
		fprintf(stderr, "event_sink__new: %s\n", strerror(-r));
		exit(1);
	}
	/* The processes' exec records first: events find them in the cache. */
	for (unsigned p = 0; p < opt.processes; p++) {
		memset(&x, 0, sizeof(x));
		header(&x.hdr, CG_EVENT_EXEC, sizeof(x), 10000 + p);
		snprintf(x.filename, sizeof(x.filename), "/usr/local/bin/worker");
		memcpy(x.args, args, sizeof(args));
		x.args_len = sizeof(args);
		event_sink__handle(sink, &x, sizeof(x));
	}
	return sink;
}

static void *producer(void *arg)
{
	struct ring *ring = arg;
	uint64_t start = now_ns(CLOCK_MONOTONIC), end = start + (uint64_t)(opt.seconds * 1e9), i = 0;

	for (;;) {
		uint64_t now = now_ns(CLOCK_MONOTONIC);
		uint64_t due = (uint64_t)((double)(now - start) * opt.rate / 1e9);

		if (now >= end)
			break;
		for (; i < due; i++) {
			size_t head = atomic_load_explicit(&ring->head, memory_order_relaxed);
			size_t tail = atomic_load_explicit(&ring->tail, memory_order_acquire);

			ring->produced++;
			if (head - tail == ring->nslots) {
				ring->dropped++; /* the kernel's reservation fails: counted, as CG_CNT_RINGBUF_FULL */
				continue;
			}
			make_record(i, ring->slots + (head % ring->nslots) * SLOT_SIZE);
			atomic_store_explicit(&ring->head, head + 1, memory_order_release);
		}
	}
	atomic_store(&ring->stop, true);
	return NULL;
}

/* One run at opt.rate: returns delivered, sets *lost. */
static uint64_t run_paced(char *proc_dir, uint64_t *lost, double *consumer_busy)
{
	FILE *out = fopen(opt.out, "w");
	struct event_sink *sink;
	struct ring ring = { .nslots = opt.ringbuf / (sizeof(struct cg_syscall_event) + 8) };
	uint64_t delivered = 0, busy = 0, t0, last, max_gap = 0;
	pthread_t thread;

	if (!out) {
		perror(opt.out);
		exit(1);
	}
	setvbuf(out, NULL, _IOFBF, 1 << 20);
	sink = new_sink(out, proc_dir);
	ring.slots = malloc(ring.nslots * SLOT_SIZE);
	t0 = last = now_ns(CLOCK_MONOTONIC);
	pthread_create(&thread, NULL, producer, &ring);
	for (;;) {
		size_t tail = atomic_load_explicit(&ring.tail, memory_order_relaxed);
		size_t head = atomic_load_explicit(&ring.head, memory_order_acquire);
		uint64_t b0, t = now_ns(CLOCK_MONOTONIC);

		if (t - last > max_gap)
			max_gap = t - last;
		last = t;

		if (tail == head) {
			if (atomic_load(&ring.stop) && atomic_load(&ring.head) == tail)
				break;
			event_sink__flush(sink);
			if (!opt.spin)
				usleep(100); /* the agent waits in epoll_wait */
			continue;
		}
		b0 = now_ns(CLOCK_MONOTONIC);
		for (; tail != head; tail++, delivered++) {
			const struct cg_event_header *hdr = (const void *)(ring.slots + (tail % ring.nslots) * SLOT_SIZE);

			event_sink__handle(sink, (void *)hdr, hdr->size);
		}
		atomic_store_explicit(&ring.tail, tail, memory_order_release);
		busy += now_ns(CLOCK_MONOTONIC) - b0;
	}
	pthread_join(thread, NULL);
	*consumer_busy = (double)busy / (double)(now_ns(CLOCK_MONOTONIC) - t0);
	max_gap_ns = max_gap;
	*lost = ring.dropped;
	event_sink__free(sink);
	fclose(out);
	free(ring.slots);
	return delivered;
}

static void run_unpaced(char *proc_dir)
{
	FILE *out = fopen(opt.out, "w");
	struct event_sink *sink;
	static unsigned char buf[SLOT_SIZE];
	uint64_t n = 0, t0, t;

	setvbuf(out, NULL, _IOFBF, 1 << 20);
	sink = new_sink(out, proc_dir);
	t0 = now_ns(CLOCK_MONOTONIC);
	do {
		for (int k = 0; k < 1024; k++, n++) {
			size_t size = make_record(n, buf);

			event_sink__handle(sink, buf, size);
		}
		event_sink__flush(sink);
		t = now_ns(CLOCK_MONOTONIC);
	} while (t - t0 < (uint64_t)(opt.seconds * 1e9));
	printf("mode=unpaced format=%s mix=%s events=%llu seconds=%.2f events_per_second=%.0f ns_per_event=%.0f\n",
	       cg_output_format_name(opt.format), opt.mix, (unsigned long long)n,
	       (double)(t - t0) / 1e9, (double)n * 1e9 / (double)(t - t0), (double)(t - t0) / (double)n);
	event_sink__free(sink);
	fclose(out);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rate", required_argument, NULL, 'r' },    { "search", no_argument, NULL, 'S' },
		{ "unpaced", no_argument, NULL, 'u' },	     { "seconds", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },  { "processes", required_argument, NULL, 'p' },
		{ "mix", required_argument, NULL, 'm' },     { "ringbuf", required_argument, NULL, 'b' },
		{ "out", required_argument, NULL, 'o' },     { "spin", no_argument, NULL, 'w' },
		{}
	};
	char proc_dir[] = "/tmp/credgate-bench-proc.XXXXXX";
	bool search = false, unpaced = false;
	int c;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': opt.rate = atof(optarg); break;
		case 'S': search = true; break;
		case 'u': unpaced = true; break;
		case 's': opt.seconds = atof(optarg); break;
		case 'f': {
			int format = cg_output_format_from_name(optarg);

			if (format < 0) {
				fprintf(stderr, "event_throughput: --format: expected json or compact, got '%s'\n", optarg);
				return 2;
			}
			opt.format = (enum output_format)format;
			break;
		}
		case 'p': opt.processes = (unsigned)atoi(optarg); break;
		case 'm': opt.mix = optarg; break;
		case 'b': opt.ringbuf = (size_t)atol(optarg); break;
		case 'o': opt.out = optarg; break;
		case 'w': opt.spin = true; break;
		default: return 2;
		}
	}
	if (opt.processes == 0 || (!search && !unpaced && opt.rate <= 0)) {
		fprintf(stderr, "event_throughput: give --rate N, --search or --unpaced\n");
		return 2;
	}
	if (!mkdtemp(proc_dir)) /* an empty /proc: the synthetic processes are not there */
		return 1;
	if (unpaced) {
		run_unpaced(proc_dir);
	} else if (search) {
		double best = 0;

		for (opt.rate = 100000;; opt.rate += opt.rate < 300000 ? 50000 : 20000) {
			uint64_t lost, delivered;
			double busy;

			delivered = run_paced(proc_dir, &lost, &busy);
			printf("rate=%.0f delivered=%llu lost=%llu consumer_busy=%.0f%% longest_gap_ms=%.1f\n", opt.rate,
			       (unsigned long long)delivered, (unsigned long long)lost, busy * 100,
			       (double)max_gap_ns / 1e6);
			fflush(stdout);
			if (lost)
				break;
			best = opt.rate;
		}
		printf("max_sustained_rate=%.0f (no loss over %.0f s, ring %zu bytes)\n", best, opt.seconds, opt.ringbuf);
	} else {
		uint64_t lost, delivered;
		double busy;

		delivered = run_paced(proc_dir, &lost, &busy);
		printf("rate=%.0f seconds=%.1f delivered=%llu lost=%llu consumer_busy=%.0f%% longest_gap_ms=%.1f\n",
		       opt.rate, opt.seconds, (unsigned long long)delivered, (unsigned long long)lost, busy * 100,
		       (double)max_gap_ns / 1e6);
	}
	rmdir(proc_dir);
	return 0;
}
