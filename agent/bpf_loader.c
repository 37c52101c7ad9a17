// SPDX-License-Identifier: LGPL-2.1-or-later
#include "bpf_loader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lsm.skel.h"
#include "macro.h"
#include "observe.skel.h"

struct bpf_loader {
	struct observe_bpf *observe;
	struct lsm_bpf *lsm;
	enum observation_method observation;
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

const char *observation_method_name(enum observation_method method)
{
	return (unsigned)method < ARRAY_SIZE(observation_names) ? observation_names[method] : "?";
}

static void select_observation_programs(struct observe_bpf *skel, enum observation_method method)
{
	const char *prefix = observation_prefixes[method];
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, strncmp(bpf_program__name(prog), prefix,
							strlen(prefix)) == 0);
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

static int write_config(struct bpf_loader *loader, enum cg_fallback fallback)
{
	struct cg_config config = { .fallback = fallback };
	__u32 zero = 0;

	if (bpf_map_update_elem(bpf_map__fd(loader->observe->maps.cg_config_map), &zero, &config, 0))
		return negative_errno();
	return 0;
}

int bpf_loader__open(struct bpf_loader **out, const struct bpf_loader_options *opts)
{
	struct bpf_loader *loader;
	int err;

	loader = calloc(1, sizeof(*loader));
	if (!loader)
		return -ENOMEM;
	if ((unsigned)opts->observation >= ARRAY_SIZE(observation_prefixes)) {
		free(loader);
		return -EINVAL;
	}
	loader->observation = opts->observation;
	loader->ncpus = libbpf_num_possible_cpus();
	if (loader->ncpus <= 0) {
		err = loader->ncpus ? loader->ncpus : -EINVAL;
		goto fail;
	}

	/* The observation object is always loaded, and creates the shared maps. */
	loader->observe = observe_bpf__open();
	if (!loader->observe) {
		err = negative_errno();
		goto fail;
	}
	select_observation_programs(loader->observe, opts->observation);
	if (opts->ringbuf_bytes) {
		err = bpf_map__set_max_entries(loader->observe->maps.cg_events, (__u32)opts->ringbuf_bytes);
		if (err)
			goto fail;
	}
	err = observe_bpf__load(loader->observe);
	if (err)
		goto fail;
	/* Configure before anything is attached: programs read it from the start. */
	err = write_config(loader, opts->fallback);
	if (err)
		goto fail;

	if (opts->lsm) {
		loader->lsm = lsm_bpf__open();
		if (!loader->lsm) {
			err = negative_errno();
			goto fail;
		}
		err = share_maps(loader->lsm->obj, loader->observe->obj);
		if (err)
			goto fail;
		err = lsm_bpf__load(loader->lsm);
		if (err)
			goto fail;
		err = lsm_bpf__attach(loader->lsm);
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
		err = observe_bpf__attach(loader->observe);
		if (err) {
			/* Attached programs of a failed attach are detached here. */
			observe_bpf__detach(loader->observe);
			return err < 0 ? err : -err;
		}
	} else {
		observe_bpf__detach(loader->observe);
	}
	loader->observing = on;
	return 0;
}

bool bpf_loader__observing(const struct bpf_loader *loader)
{
	return loader->observing;
}

void bpf_loader__free(struct bpf_loader *loader)
{
	if (!loader)
		return;
	lsm_bpf__destroy(loader->lsm);
	observe_bpf__destroy(loader->observe);
	free(loader);
}

void bpf_loader__maps(const struct bpf_loader *loader, struct bpf_loader_maps *maps)
{
	const struct observe_bpf *o = loader->observe;

	maps->config = bpf_map__fd(o->maps.cg_config_map);
	maps->bindings = bpf_map__fd(o->maps.cg_bindings);
	maps->policies = bpf_map__fd(o->maps.cg_policies);
	maps->cgroup_cache = bpf_map__fd(o->maps.cg_cgroup_cache);
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

const char *bpf_loader__observation_method(const struct bpf_loader *loader)
{
	return observation_method_name(loader->observation);
}
