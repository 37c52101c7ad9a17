// SPDX-License-Identifier: LGPL-2.1-or-later
#include "bpf_pins.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>

#include "macro.h"

/* Pin paths are bounded well below PATH_MAX, so joined names always fit. */
#define PIN_DIR_MAX 1024

struct bpf_pins {
	char dir[PIN_DIR_MAX];
	char maps[PIN_DIR_MAX];
	char links[PIN_DIR_MAX];
};

static bool is_bpffs(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && st.f_type == BPF_FS_MAGIC;
}

static int make_dir(const char *path)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return negative_errno();
	if (chmod(path, 0700) < 0)
		return negative_errno();
	return 0;
}

int bpf_pins__open(struct bpf_pins **out, const char *dir)
{
	_cleanup_free_ struct bpf_pins *pins = calloc(1, sizeof(*pins));
	char parent[PIN_DIR_MAX], *slash;
	int r;

	if (!pins)
		return -ENOMEM;
	if (snprintf(pins->dir, sizeof(pins->dir), "%s", dir) >= (int)sizeof(pins->dir) ||
	    snprintf(pins->maps, sizeof(pins->maps), "%s/maps", dir) >= (int)sizeof(pins->maps) ||
	    snprintf(pins->links, sizeof(pins->links), "%s/links", dir) >= (int)sizeof(pins->links))
		return -ENAMETOOLONG;
	snprintf(parent, sizeof(parent), "%s", dir);
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	/* The usual bpffs mount point, mounted as systemd would if it is not. */
	if (!is_bpffs(parent) && strcmp(parent, "/sys/fs/bpf") == 0 &&
	    mount("bpf", "/sys/fs/bpf", "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700") < 0 &&
	    errno != EBUSY)
		return negative_errno();
	if (!is_bpffs(parent))
		return -ENOTSUP; /* pins can only live on a bpf file system */
	r = make_dir(pins->dir);
	if (r == 0)
		r = make_dir(pins->maps);
	if (r == 0)
		r = make_dir(pins->links);
	if (r < 0)
		return r;
	*out = TAKE_PTR(pins);
	return 0;
}

void bpf_pins__free(struct bpf_pins *pins)
{
	free(pins);
}

const char *bpf_pins__dir(const struct bpf_pins *pins)
{
	return pins->dir;
}

/* Maps the agent shares across objects and keeps across restarts. */
static bool pinnable(const struct bpf_map *map)
{
	return strncmp(bpf_map__name(map), "cg_", 3) == 0;
}

static bool compatible(const struct bpf_map *map, int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return false;
	/* A ring buffer keeps its size: the pinned one holds undelivered events. */
	if (info.type == BPF_MAP_TYPE_RINGBUF && bpf_map__type(map) == BPF_MAP_TYPE_RINGBUF)
		return true;
	return info.type == bpf_map__type(map) && info.key_size == bpf_map__key_size(map) &&
	       info.value_size == bpf_map__value_size(map) &&
	       info.max_entries == bpf_map__max_entries(map) && info.map_flags == bpf_map__map_flags(map);
}

static void append_name(char *list, size_t size, const char *name)
{
	size_t len = strlen(list);

	snprintf(list + len, size - len, "%s%s", len ? ", " : "", name);
}

int bpf_pins__adopt_maps(struct bpf_pins *pins, struct bpf_object *obj, char *replaced, size_t size)
{
	struct bpf_map *map;
	int adopted = 0;

	bpf_object__for_each_map(map, obj) {
		char path[PATH_MAX];
		int fd, r;

		if (!pinnable(map))
			continue;
		snprintf(path, sizeof(path), "%s/%s", pins->maps, bpf_map__name(map));
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!compatible(map, fd)) {
			append_name(replaced, size, bpf_map__name(map));
			close(fd);
			continue;
		}
		r = bpf_map__reuse_fd(map, fd);
		close(fd);
		if (r < 0)
			return r;
		adopted++;
	}
	return adopted;
}

int bpf_pins__pin_maps(struct bpf_pins *pins, struct bpf_object *obj)
{
	struct bpf_map *map;

	bpf_object__for_each_map(map, obj) {
		char path[PATH_MAX];
		struct bpf_map_info a = {}, b = {};
		__u32 len = sizeof(a);
		int fd;

		if (!pinnable(map))
			continue;
		snprintf(path, sizeof(path), "%s/%s", pins->maps, bpf_map__name(map));
		fd = bpf_obj_get(path);
		if (fd >= 0) {
			bool same = bpf_obj_get_info_by_fd(fd, &a, &len) == 0 &&
				    (len = sizeof(b), bpf_obj_get_info_by_fd(bpf_map__fd(map), &b, &len) == 0) &&
				    a.id == b.id;

			close(fd);
			if (same)
				continue; /* adopted: already pinned */
			unlink(path);
		}
		if (bpf_obj_pin(bpf_map__fd(map), path) < 0)
			return negative_errno();
	}
	return 0;
}

int bpf_pins__replace_link(struct bpf_pins *pins, struct bpf_link *link, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", pins->links, name);
	/* The new link is attached already: dropping the old one leaves no gap. */
	if (unlink(path) < 0 && errno != ENOENT)
		return negative_errno();
	return bpf_link__pin(link, path);
}

int bpf_pins__remove_link(struct bpf_pins *pins, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", pins->links, name);
	if (unlink(path) < 0 && errno != ENOENT)
		return negative_errno();
	return 0;
}

int bpf_pins__remove_links_except(struct bpf_pins *pins, const char *const *keep, size_t nkeep)
{
	DIR *dir = opendir(pins->links);
	struct dirent *de;
	int r = 0;

	if (!dir)
		return negative_errno();
	while ((de = readdir(dir))) {
		bool kept = false;

		if (de->d_name[0] == '.')
			continue;
		for (size_t i = 0; i < nkeep && !kept; i++)
			kept = strcmp(keep[i], de->d_name) == 0;
		if (!kept && unlinkat(dirfd(dir), de->d_name, 0) < 0)
			r = negative_errno();
	}
	closedir(dir);
	return r;
}

size_t bpf_pins__count_links(const struct bpf_pins *pins)
{
	DIR *dir = opendir(pins->links);
	struct dirent *de;
	size_t n = 0;

	if (!dir)
		return 0;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

static int remove_all_in(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *de;
	int r = 0;

	if (!dir)
		return errno == ENOENT ? 0 : negative_errno();
	while ((de = readdir(dir))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (unlinkat(dirfd(dir), de->d_name, 0) < 0)
			r = negative_errno();
	}
	closedir(dir);
	return r;
}

int bpf_pins_unload(const char *dir)
{
	char path[PIN_DIR_MAX + 16];

	if (strlen(dir) >= PIN_DIR_MAX - 8)
		return -ENAMETOOLONG;
	int r, r2;

	/* Links first: the programs detach before their maps go. */
	snprintf(path, sizeof(path), "%s/links", dir);
	r = remove_all_in(path);
	if (rmdir(path) < 0 && errno != ENOENT && r == 0)
		r = negative_errno();
	snprintf(path, sizeof(path), "%s/maps", dir);
	r2 = remove_all_in(path);
	if (r == 0)
		r = r2;
	if (rmdir(path) < 0 && errno != ENOENT && r == 0)
		r = negative_errno();
	if (rmdir(dir) < 0 && errno != ENOENT && r == 0)
		r = negative_errno();
	return r;
}

bool bpf_pins_test_pause(void)
{
	const char *path = secure_getenv(BPF_PINS_TEST_PAUSE_ENV);
	const struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };
	int fd;

	if (!path || path[0] != '/' || strlen(path) >= PATH_MAX)
		return false;
	/* A fresh regular file, never one that a symlink points at. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return false;
	close(fd);
	for (unsigned i = 0; i < BPF_PINS_TEST_PAUSE_MAX_S * 100u && access(path, F_OK) == 0; i++)
		nanosleep(&tick, NULL);
	return true;
}
