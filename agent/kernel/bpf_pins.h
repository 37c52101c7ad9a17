/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pinning under the agent's bpffs directory (/sys/fs/bpf/credgate when run
 * as a service): maps in DIR/maps, links in DIR/links. A pinned link keeps
 * its program attached when the agent dies, and a pinned map keeps the
 * policy (and undelivered events); the next agent adopts both: it reuses
 * the maps and replaces each link only after its own is attached, so no
 * governed credential change goes unchecked during a restart or upgrade.
 */
#ifndef CREDGATE_BPF_PINS_H
#define CREDGATE_BPF_PINS_H

#include <stdbool.h>
#include <stddef.h>

struct bpf_object;
struct bpf_link;
struct bpf_pins;

/* Open (creating, mode 0700) DIR, DIR/maps and DIR/links; mounts bpffs on /sys/fs/bpf if needed. */
int bpf_pins__open(struct bpf_pins **out, const char *dir);
void bpf_pins__free(struct bpf_pins *pins);

/*
 * Before load: give each map of @obj named "cg_*" the pinned map of that
 * name, when its type, key, value, size and flags match. Returns how many
 * were adopted; an incompatible pin (another build) is left to be replaced
 * and its name appended to @replaced (comma-separated).
 */
int bpf_pins__adopt_maps(struct bpf_pins *pins, struct bpf_object *obj, char *replaced, size_t size);

/* After load: pin every "cg_*" map of @obj, replacing any other map pinned under its name. */
int bpf_pins__pin_maps(struct bpf_pins *pins, struct bpf_object *obj);

/*
 * Pin @link as @name, replacing (and so detaching, once nothing else holds
 * it) whatever link was pinned there. Call after @link is attached.
 */
int bpf_pins__replace_link(struct bpf_pins *pins, struct bpf_link *link, const char *name);

/* Unpin the link @name, if pinned. */
int bpf_pins__remove_link(struct bpf_pins *pins, const char *name);

/* Unpin every link whose name is not in @keep: programs an older build had. */
int bpf_pins__remove_links_except(struct bpf_pins *pins, const char *const *keep, size_t nkeep);

/* Links pinned now (for status). */
size_t bpf_pins__count_links(const struct bpf_pins *pins);

const char *bpf_pins__dir(const struct bpf_pins *pins);

/* Remove DIR and everything pinned in it: programs detach, maps go. */
int bpf_pins_unload(const char *dir);

/*
 * Test only (tests/vm/cases/restart_no_gap.sh). The agent calls this at
 * start-up just before its policy goes into the maps, while the links an
 * earlier agent pinned must still be attached. When the environment
 * variable CREDGATE_TEST_HANDOVER_PAUSE names an absolute path, it creates
 * that file and waits until the file is removed, at most
 * BPF_PINS_TEST_PAUSE_MAX_S seconds: the test holds the instant open while
 * it hammers, so an order that drops the old links before the policy is in
 * force leaves a gap it meets every time. Harmless: it only delays start-up.
 * Returns true if it paused.
 */
#define BPF_PINS_TEST_PAUSE_ENV "CREDGATE_TEST_HANDOVER_PAUSE"
#define BPF_PINS_TEST_PAUSE_MAX_S 120
bool bpf_pins_test_pause(void);

#endif /* CREDGATE_BPF_PINS_H */
