/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The agent's event loop is one epoll set; every fd in it carries, in
 * epoll's data.ptr, a struct loop_source whose dispatch handles its events.
 */
#ifndef CREDGATE_LOOP_H
#define CREDGATE_LOOP_H

#include <stdint.h>

struct loop_source {
	void (*dispatch)(struct loop_source *source, uint32_t events);
};

#endif /* CREDGATE_LOOP_H */
