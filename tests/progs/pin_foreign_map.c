// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * pin_foreign_map: put a BPF map of a layout credgate never uses at PATH
 * (replacing whatever is pinned there), as a pin left by a credgate build
 * whose maps differ from this one's. The VM tests use it to upgrade to a
 * build that cannot adopt the old maps.
 *
 *   pin_foreign_map PATH
 *
 * Exit status 0 when the map is pinned, 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

int main(int argc, char **argv)
{
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: pin_foreign_map PATH\n");
		return 1;
	}
	/* Key 4 bytes, value 3: no credgate map has a 3-byte value. */
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "cg_foreign", 4, 3, 1, NULL);
	if (fd < 0) {
		fprintf(stderr, "pin_foreign_map: bpf_map_create: %s\n", strerror(errno));
		return 1;
	}
	if (unlink(argv[1]) < 0 && errno != ENOENT) {
		fprintf(stderr, "pin_foreign_map: unlink %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (bpf_obj_pin(fd, argv[1]) < 0) {
		fprintf(stderr, "pin_foreign_map: pin %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	close(fd);
	return 0;
}
