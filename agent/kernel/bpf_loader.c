// SPDX-License-Identifier: LGPL-2.1-or-later
#include "bpf_loader.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <bpf/btf.h>

#include "bpf_pins.h"
#include "cgroup.skel.h"
#include "lsm.skel.h"
#include "macro.h"
#include "observe.skel.h"
#include "process.skel.h"

/* An attached program, named "<object>-<program>" (its pin name). */
struct loaded_link {
	struct bpf_link *link;
	char name[96];
	bool observation; /* attached and detached with bpf_loader__observe() */
};

struct bpf_loader {
	struct observe_bpf *observe;
	struct cgroup_bpf *cgroup;
	struct process_bpf *process;
	struct lsm_bpf *lsm;
	struct bpf_pins *pins; /* NULL: nothing is pinned */
	bool links_pinned;     /* bpf_loader__pin_links() ran: new links are pinned at once */
	struct loaded_link *links;
	size_t nlinks, links_cap;
	int adopted_maps;
	char replaced_maps[256];
	bool userns_hook; /* userns_create exists in this kernel (6.1+) */
	enum observation_method observation;
	bool ia32; /* IA-32 programs loaded, by ia32_observation */
	enum observation_method ia32_observation;
	bool observing;
	int ncpus;
};

static const char *const observation_names[] = {
	[OBSERVE_FENTRY] = "fentry",
	[OBSERVE_KPROBES] = "kprobes",
	[OBSERVE_TRACEPOINTS] = "tracepoints",
};

/* The name prefix of each method's programs in observe.bpf.c. */
static const char *const observation_prefixes[] = {
	[OBSERVE_FENTRY] = "cg_fe_",
	[OBSERVE_KPROBES] = "cg_kp_",
	[OBSERVE_TRACEPOINTS] = "cg_tp_",
};

/*
 * The same, for the IA-32 calls' programs (observe.bpf.c, "IA-32 system
 * calls"): those that decide at syscall exit, for when there is no BPF LSM,
 * and those that only observe, which the verifier checks in a fraction of
 * the time.
 */
static const char *const ia32_observation_prefixes[] = {
	[OBSERVE_FENTRY] = "cg_fe32_",
	[OBSERVE_KPROBES] = "cg_kp32_",
	[OBSERVE_TRACEPOINTS] = "cg_tp32_",
};
static const char *const ia32_observe_only_prefixes[] = {
	[OBSERVE_FENTRY] = "cg_fe32o_",
	[OBSERVE_KPROBES] = "cg_kp32o_",
	[OBSERVE_TRACEPOINTS] = "cg_tp32o_",
};

const char *observation_method_name(enum observation_method method)
{
	return (unsigned)method < ELEMENTSOF(observation_names) ? observation_names[method] : "?";
}

static bool has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void select_observation_programs(struct observe_bpf *skel, const struct bpf_loader_options *opts)
{
	const char *prefix = observation_prefixes[opts->observation];
	const char *const *prefixes32 =
		opts->fallback == CG_FALLBACK_NONE ? ia32_observe_only_prefixes : ia32_observation_prefixes;
	const char *prefix32 = opts->ia32 ? prefixes32[opts->ia32_observation] : NULL;
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, skel->obj) {
		const char *name = bpf_program__name(prog);

		bpf_program__set_autoload(prog, has_prefix(name, prefix) || (prefix32 && has_prefix(name, prefix32)));
	}
}

/*
 * Give every map of @dst that @src also declares the fd @src created, so
 * both objects read and write the same maps. Internal maps (.rodata, .bss)
 * carry the object's name and never match.
 */
static int share_maps(struct bpf_object *dst, struct bpf_object *src)
{
	struct bpf_map *map, *peer;
	int err;

	bpf_object__for_each_map(map, dst) {
		peer = bpf_object__find_map_by_name(src, bpf_map__name(map));
		if (!peer)
			continue;
		err = bpf_map__reuse_fd(map, bpf_map__fd(peer));
		if (err)
			return err;
	}
	return 0;
}

/* Whether the kernel has the LSM hook @name (its bpf_lsm_ stub is in BTF). */
static bool kernel_has_lsm_hook(const char *name)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();
	char func[128];
	bool found;

	if (libbpf_get_error(vmlinux))
		return false;
	snprintf(func, sizeof(func), "bpf_lsm_%s", name);
	found = btf__find_by_name_kind(vmlinux, func, BTF_KIND_FUNC) >= 0;
	btf__free(vmlinux);
	return found;
}

/* Set the fallback; an adopted config keeps its generation (the policy in force). */
static int write_config(struct bpf_loader *loader, enum cg_fallback fallback)
{
	int fd = bpf_map__fd(loader->observe->maps.cg_config_map);
	struct cg_config config = {};
	__u32 zero = 0;

	if (bpf_map_lookup_elem(fd, &zero, &config))
		memset(&config, 0, sizeof(config));
	config.fallback = fallback;
	config.next_gen = 0;
	if (bpf_map_update_elem(fd, &zero, &config, 0))
		return negative_errno();
	return 0;
}

static int add_link(struct bpf_loader *loader, struct bpf_link *link, const char *object,
		    const char *program, bool observation)
{
	struct loaded_link *l;
	int r;

	if (loader->nlinks == loader->links_cap) {
		size_t cap = loader->links_cap ? loader->links_cap * 2 : 32;
		struct loaded_link *links = realloc(loader->links, cap * sizeof(*links));

		if (!links)
			return -ENOMEM;
		loader->links = links;
		loader->links_cap = cap;
	}
	l = &loader->links[loader->nlinks++];
	l->link = link;
	l->observation = observation;
	snprintf(l->name, sizeof(l->name), "%s-%s", object, program);
	/* At start-up the links an earlier agent pinned stay until the policy is in force. */
	if (loader->pins && loader->links_pinned) {
		r = bpf_pins__replace_link(loader->pins, link, l->name);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Attach every loaded program of @obj (of the given kind). */
static int attach_object(struct bpf_loader *loader, struct bpf_object *obj, bool observation)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) {
		struct bpf_link *link;
		int r;

		if (!bpf_program__autoload(prog))
			continue;
		link = bpf_program__attach(prog);
		r = libbpf_get_error(link);
		if (r)
			return r < 0 ? r : -r;
		r = add_link(loader, link, bpf_object__name(obj), bpf_program__name(prog), observation);
		if (r < 0) {
			bpf_link__destroy(link);
			return r;
		}
	}
	return 0;
}

/* Adopt pinned maps (when pinning) and take the shared maps of the first object. */
static int prepare_maps(struct bpf_loader *loader, struct bpf_object *obj, bool first)
{
	int r;

	if (loader->pins) {
		r = bpf_pins__adopt_maps(loader->pins, obj, loader->replaced_maps,
					 sizeof(loader->replaced_maps));
		if (r < 0)
			return r;
		if (first)
			loader->adopted_maps = r;
	}
	return first ? 0 : share_maps(obj, loader->observe->obj);
}

int bpf_loader__open(struct bpf_loader **out, const struct bpf_loader_options *opts)
{
	struct bpf_loader *loader;
	int err;

	loader = calloc(1, sizeof(*loader));
	if (!loader)
		return -ENOMEM;
	if ((unsigned)opts->observation >= ELEMENTSOF(observation_prefixes) ||
	    (opts->ia32 && (unsigned)opts->ia32_observation >= ELEMENTSOF(ia32_observation_prefixes))) {
		free(loader);
		return -EINVAL;
	}
	loader->observation = opts->observation;
	loader->ia32 = opts->ia32;
	loader->ia32_observation = opts->ia32_observation;
	loader->ncpus = libbpf_num_possible_cpus();
	if (loader->ncpus <= 0) {
		err = loader->ncpus ? loader->ncpus : -EINVAL;
		goto fail;
	}
	if (opts->pin_dir) {
		err = bpf_pins__open(&loader->pins, opts->pin_dir);
		if (err)
			goto fail;
	}

	/* The observation object is always loaded, and creates the shared maps. */
	loader->observe = observe_bpf__open();
	if (!loader->observe) {
		err = negative_errno();
		goto fail;
	}
	select_observation_programs(loader->observe, opts);
	if (opts->ringbuf_bytes) {
		err = bpf_map__set_max_entries(loader->observe->maps.cg_events, (__u32)opts->ringbuf_bytes);
		if (err)
			goto fail;
	}
	/* Two generations: the one in force and the one a reload writes. */
	if (opts->cgroup_map_size) {
		err = bpf_map__set_max_entries(loader->observe->maps.cg_cgroups, 2 * opts->cgroup_map_size);
		if (err)
			goto fail;
	}
	err = prepare_maps(loader, loader->observe->obj, true);
	if (!err)
		err = observe_bpf__load(loader->observe);
	/* Configure before anything is attached: programs read it from the start. */
	if (!err)
		err = write_config(loader, opts->fallback);
	if (err)
		goto fail;

	/* Cgroup tracking and process lifecycle run always. */
	loader->cgroup = cgroup_bpf__open();
	loader->process = process_bpf__open();
	if (!loader->cgroup || !loader->process) {
		err = negative_errno();
		goto fail;
	}
	err = prepare_maps(loader, loader->cgroup->obj, false);
	if (!err)
		err = cgroup_bpf__load(loader->cgroup);
	if (!err)
		err = attach_object(loader, loader->cgroup->obj, false);
	if (!err)
		err = prepare_maps(loader, loader->process->obj, false);
	if (!err)
		err = process_bpf__load(loader->process);
	if (!err)
		err = attach_object(loader, loader->process->obj, false);
	if (err)
		goto fail;

	if (opts->lsm) {
		loader->lsm = lsm_bpf__open();
		if (!loader->lsm) {
			err = negative_errno();
			goto fail;
		}
		err = prepare_maps(loader, loader->lsm->obj, false);
		if (err)
			goto fail;
		loader->userns_hook = kernel_has_lsm_hook("userns_create");
		bpf_program__set_autoload(loader->lsm->progs.cg_lsm_userns_create, loader->userns_hook);
		err = lsm_bpf__load(loader->lsm);
		if (!err)
			err = attach_object(loader, loader->lsm->obj, false);
		if (err)
			goto fail;
	}
	if (loader->pins) {
		err = bpf_pins__pin_maps(loader->pins, loader->observe->obj);
		if (err)
			goto fail;
	}

	*out = loader;
	return 0;
fail:
	bpf_loader__free(loader);
	return err < 0 ? err : -err;
}

int bpf_loader__observe(struct bpf_loader *loader, bool on)
{
	int err;

	if (on == loader->observing)
		return 0;
	if (on) {
		err = attach_object(loader, loader->observe->obj, true);
		if (err) {
			bpf_loader__observe(loader, false);
			return err;
		}
		loader->observing = true;
		return 0;
	}
	/* Off: destroy the observation links (and their pins), keep the others. */
	for (size_t i = 0; i < loader->nlinks;) {
		struct loaded_link *l = &loader->links[i];

		if (!l->observation) {
			i++;
			continue;
		}
		if (loader->pins)
			bpf_pins__remove_link(loader->pins, l->name);
		bpf_link__destroy(l->link);
		*l = loader->links[--loader->nlinks];
	}
	loader->observing = false;
	return 0;
}

bool bpf_loader__observing(const struct bpf_loader *loader)
{
	return loader->observing;
}

int bpf_loader__pin_links(struct bpf_loader *loader)
{
	if (!loader->pins)
		return 0;
	for (size_t i = 0; i < loader->nlinks; i++) {
		int r = bpf_pins__replace_link(loader->pins, loader->links[i].link, loader->links[i].name);

		if (r < 0)
			return r;
	}
	loader->links_pinned = true;
	return 0;
}

int bpf_loader__settle_pins(struct bpf_loader *loader)
{
	const char **names;
	int r;

	if (!loader->pins)
		return 0;
	names = calloc(loader->nlinks + 1, sizeof(*names));
	if (!names)
		return -ENOMEM;
	for (size_t i = 0; i < loader->nlinks; i++)
		names[i] = loader->links[i].name;
	r = bpf_pins__remove_links_except(loader->pins, names, loader->nlinks);
	free(names);
	return r;
}

void bpf_loader__adoption(const struct bpf_loader *loader, int *adopted, const char **replaced)
{
	*adopted = loader->adopted_maps;
	*replaced = loader->replaced_maps;
}

const char *bpf_loader__pin_dir(const struct bpf_loader *loader)
{
	return loader->pins ? bpf_pins__dir(loader->pins) : NULL;
}

int bpf_loader__unload(struct bpf_loader *loader)
{
	int r = 0;

	if (loader->pins) {
		r = bpf_pins_unload(bpf_pins__dir(loader->pins));
		bpf_pins__free(loader->pins);
		loader->pins = NULL;
	}
	return r;
}

void bpf_loader__free(struct bpf_loader *loader)
{
	if (!loader)
		return;
	/* Pinned links stay attached: closing our fds detaches only unpinned ones. */
	for (size_t i = 0; i < loader->nlinks; i++)
		bpf_link__destroy(loader->links[i].link);
	free(loader->links);
	lsm_bpf__destroy(loader->lsm);
	process_bpf__destroy(loader->process);
	cgroup_bpf__destroy(loader->cgroup);
	observe_bpf__destroy(loader->observe);
	bpf_pins__free(loader->pins);
	free(loader);
}

void bpf_loader__maps(const struct bpf_loader *loader, struct bpf_loader_maps *maps)
{
	const struct observe_bpf *o = loader->observe;

	maps->config = bpf_map__fd(o->maps.cg_config_map);
	maps->cgroups = bpf_map__fd(o->maps.cg_cgroups);
	maps->nfa = bpf_map__fd(o->maps.cg_nfa);
	maps->selectors = bpf_map__fd(o->maps.cg_selectors);
	maps->generations = bpf_map__fd(o->maps.cg_generations);
	maps->exec_paths = bpf_map__fd(o->maps.cg_exec_paths);
	maps->policies = bpf_map__fd(o->maps.cg_policies);
	maps->task_execs = bpf_map__fd(o->maps.cg_task_execs);
	maps->task_labels = bpf_map__fd(o->maps.cg_task_labels);
	maps->agent_state = bpf_map__fd(o->maps.cg_agent_state_map);
	maps->events = bpf_map__fd(o->maps.cg_events);
	maps->counters = bpf_map__fd(o->maps.cg_counters);
}

int bpf_loader__read_counter(const struct bpf_loader *loader, enum cg_counter counter, __u64 *value)
{
	_cleanup_free_ __u64 *values = calloc((size_t)loader->ncpus, sizeof(__u64));
	__u32 key = counter;
	__u64 sum = 0;

	if (!values)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(loader->observe->maps.cg_counters), &key, values))
		return negative_errno();
	for (int i = 0; i < loader->ncpus; i++)
		sum += values[i];
	*value = sum;
	return 0;
}

const char *bpf_loader__enforcement_method(const struct bpf_loader *loader)
{
	return loader->lsm ? "bpf-lsm" : NULL;
}

bool bpf_loader__has_userns_hook(const struct bpf_loader *loader)
{
	return loader->lsm && loader->userns_hook;
}

const char *bpf_loader__observation_method(const struct bpf_loader *loader)
{
	return observation_method_name(loader->observation);
}

const char *bpf_loader__ia32_observation_method(const struct bpf_loader *loader)
{
	return loader->ia32 ? observation_method_name(loader->ia32_observation) : NULL;
}

int bpf_loader__program_stats(const struct bpf_loader *loader, struct bpf_program_stat *stats, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < loader->nlinks && n < max; i++) {
		struct bpf_link_info link_info = {};
		struct bpf_prog_info prog_info = {};
		__u32 len = sizeof(link_info);
		_cleanup_close_ int prog_fd = -1;

		if (!loader->links[i].link ||
		    bpf_obj_get_info_by_fd(bpf_link__fd(loader->links[i].link), &link_info, &len))
			continue;
		prog_fd = bpf_prog_get_fd_by_id(link_info.prog_id);
		len = sizeof(prog_info);
		if (prog_fd < 0 || bpf_obj_get_info_by_fd(prog_fd, &prog_info, &len))
			continue;
		snprintf(stats[n].name, sizeof(stats[n].name), "%s", loader->links[i].name);
		stats[n].run_time_ns = prog_info.run_time_ns;
		stats[n].run_cnt = prog_info.run_cnt;
		n++;
	}
	return (int)n;
}

/*
 * The ring buffer's consumer and producer positions are the first words of
 * its first two pages, which any holder of the map fd may map read-only.
 */
int bpf_loader__ring_usage(const struct bpf_loader *loader, __u64 *pending, __u64 *size)
{
	const struct bpf_map *map = loader->observe->maps.cg_events;
	long page = sysconf(_SC_PAGESIZE);
	const volatile __u64 *consumer, *producer;
	void *pages;

	pages = mmap(NULL, (size_t)page * 2, PROT_READ, MAP_SHARED, bpf_map__fd(map), 0);
	if (pages == MAP_FAILED)
		return negative_errno();
	consumer = pages;
	producer = (const volatile __u64 *)((char *)pages + page);
	*size = bpf_map__max_entries(map);
	*pending = *producer - *consumer;
	munmap(pages, (size_t)page * 2);
	return 0;
}

int bpf_loader__cgroup_losses(const struct bpf_loader *loader, size_t max,
			      void (*fn)(__u64 cgroup_id, const struct cg_cgroup_loss *loss, void *ctx), void *ctx)
{
	int fd = bpf_map__fd(loader->observe->maps.cg_cgroup_losses);
	struct cg_cgroup_loss loss;
	__u64 key, next;
	size_t n = 0;
	int err;

	/* A hash map's order is arbitrary, and bounded by its size. */
	for (err = bpf_map_get_next_key(fd, NULL, &next); !err && n < max;
	     err = bpf_map_get_next_key(fd, &key, &next)) {
		key = next;
		if (bpf_map_lookup_elem(fd, &key, &loss))
			continue; /* deleted meanwhile */
		fn(key, &loss, ctx);
		n++;
	}
	if (err && errno != ENOENT)
		return negative_errno();
	return (int)n;
}
