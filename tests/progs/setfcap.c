// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * setfcap: give a file capabilities, as setcap(8) would, without libcap:
 * write the security.capability extended attribute (struct vfs_cap_data,
 * revision 2) with the capabilities permitted and, with -e, effective.
 * The VM tests use it to make a file-capability copy of a binary.
 *
 *   setfcap [-e] FILE CAP[,CAP...]     CAP: a capability number (0-63)
 *
 * Exit status: 0 when the attribute was written, 1 when it was not, 2 on
 * a usage error.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#define VFS_CAP_REVISION_2 0x02000000u
#define VFS_CAP_FLAGS_EFFECTIVE 0x000001u

/* The on-disk format: little-endian words (as on every host we build for). */
struct vfs_cap_data_v2 {
	uint32_t magic_etc;
	struct {
		uint32_t permitted;
		uint32_t inheritable;
	} data[2];
};

static int usage(void)
{
	fprintf(stderr, "usage: setfcap [-e] FILE CAP[,CAP...]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct vfs_cap_data_v2 cap = { .magic_etc = VFS_CAP_REVISION_2 };
	char *list, *tok, *save = NULL, *end;
	int i = 1;

	if (argc > 1 && strcmp(argv[1], "-e") == 0) {
		cap.magic_etc |= VFS_CAP_FLAGS_EFFECTIVE;
		i++;
	}
	if (argc - i != 2)
		return usage();
	list = argv[i + 1];
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		long n = strtol(tok, &end, 10);

		if (!*tok || *end || n < 0 || n > 63)
			return usage();
		cap.data[n / 32].permitted |= 1u << (n % 32);
	}
	if (setxattr(argv[i], "security.capability", &cap, sizeof(cap), 0) < 0) {
		fprintf(stderr, "setfcap: %s: %s\n", argv[i], strerror(errno));
		return 1;
	}
	return 0;
}
