/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The path of a file, named in the kernel from the file itself: the walk
 * d_path() makes, from the file's dentry up its parents, from each mount's
 * root to where that mount is mounted, until the task's root (its chroot,
 * or its mount namespace's root). Not the string given to execve(): a
 * relative path, a symlink or a bind mount names the file it resolves to,
 * and nothing is read later from /proc, when a chdir or a rename may have
 * moved what it names.
 *
 * bpf_d_path() would do this, but it is allowed only in a few hooks (LSM,
 * some fentry): not in sched_process_exec, which sees every exec on every
 * kernel. So the walk is written here, with CO-RE reads only, bounded:
 *   - at most CG_BINARY_MAX_STEPS dentries and mounts (bpf_loop, so the
 *     verifier checks one step, not a thousand): more is CG_BINARY_TOO_DEEP;
 *   - at most CG_BINARY_LEN - 1 bytes: more is CG_BINARY_TOO_LONG;
 *   - a dentry that is its own parent short of its mount's root (a
 *     disconnected dentry, as an NFS export can have) is
 *     CG_BINARY_DISCONNECTED;
 * each of those leaves the path empty: a piece of a path is not a path.
 * A file unlinked since it was opened keeps the path it had, followed by
 * " (deleted)" as d_path() writes it, with CG_BINARY_DELETED (a name can
 * end with " (deleted)" too: the flag tells). A file not below the task's
 * root (opened before a chroot, or in another mount namespace, then run
 * through /proc/self/fd) is named from the root of its mount tree, as
 * /proc/PID/exe names it, with CG_BINARY_OUTSIDE_ROOT.
 *
 * The walk takes no lock (d_path() takes rename_lock and mount_lock): a
 * rename or mount racing with the walk itself can give a mixed path. It
 * reads each name with its length from one qstr, and every read is
 * bounded, so the worst is a wrong name, never a read out of bounds.
 */
#ifndef CREDGATE_PATH_BPF_H
#define CREDGATE_PATH_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "credgate.h"

#define CG_PATH_NAME_MAX 255 /* NAME_MAX: the longest name a dentry has */
#define CG_PATH_MASK (CG_BINARY_LEN - 1)
#define CG_PATH_DELETED_LEN 10 /* " (deleted)" */

/*
 * Where the path is built, backwards from byte CG_BINARY_LEN - 1 (its NUL).
 * Offsets are masked to CG_PATH_MASK and names to CG_PATH_NAME_MAX, which
 * the verifier can follow; the buffer is twice as long so that a masked
 * offset plus a masked length, or a string copied from any offset, stays
 * inside it. Too big for the BPF stack: one per CPU.
 */
struct cg_path_scratch {
	char buf[2 * CG_BINARY_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cg_path_scratch);
} cg_path_scratch SEC(".maps");

/* The walk's state, on the caller's stack, for each bpf_loop() step. */
struct cg_path_walk {
	__u64 dentry;	   /* where the walk is */
	__u64 vfsmnt;	   /* the mount it is in (struct vfsmount, inside a struct mount) */
	__u64 root_dentry; /* where it stops: the task's root */
	__u64 root_mnt;
	__u32 pos;   /* the path starts at buf[pos] */
	__u32 flags; /* CG_BINARY_* found so far */
	__u32 done;  /* the walk reached a root, or failed */
	__u32 pad;
};

/* One step: a mount crossed, or one name prepended. 1 stops the loop. */
static long cg_path_step(__u32 index, void *ctx)
{
	struct cg_path_walk *w = ctx;
	struct dentry *dentry = (struct dentry *)w->dentry, *parent, *mnt_root;
	struct vfsmount *vfsmnt = (struct vfsmount *)w->vfsmnt;
	struct mount *mnt, *up;
	struct cg_path_scratch *s;
	const unsigned char *name;
	__u32 zero = 0, len, pos;

	if (w->dentry == w->root_dentry && w->vfsmnt == w->root_mnt) {
		w->done = 1;
		return 1;
	}
	mnt_root = BPF_CORE_READ(vfsmnt, mnt_root);
	if (dentry == mnt_root) {
		/* container_of(vfsmnt, struct mount, mnt), at this kernel's offset. */
		mnt = (struct mount *)((char *)vfsmnt - bpf_core_field_offset(struct mount, mnt));
		up = BPF_CORE_READ(mnt, mnt_parent);
		if (!up || up == mnt) {
			/* The top of a mount tree, and the task's root was not on the way. */
			w->flags |= up ? CG_BINARY_OUTSIDE_ROOT : CG_BINARY_NO_FILE;
			w->done = 1;
			return 1;
		}
		w->dentry = (__u64)BPF_CORE_READ(mnt, mnt_mountpoint);
		w->vfsmnt = (__u64)up + bpf_core_field_offset(struct mount, mnt);
		return 0;
	}
	parent = BPF_CORE_READ(dentry, d_parent);
	if (!parent || parent == dentry) {
		w->flags |= CG_BINARY_DISCONNECTED;
		w->done = 1;
		return 1;
	}
	len = BPF_CORE_READ(dentry, d_name.len);
	name = BPF_CORE_READ(dentry, d_name.name);
	s = bpf_map_lookup_elem(&cg_path_scratch, &zero);
	/* A name, and a '/' before it, must fit before what is already built. */
	if (!s || !name || len == 0 || len > CG_PATH_NAME_MAX || len + 1 > w->pos) {
		w->flags |= s && name && len ? CG_BINARY_TOO_LONG : CG_BINARY_NO_FILE;
		w->done = 1;
		return 1;
	}
	pos = (w->pos - len - 1) & CG_PATH_MASK;
	s->buf[pos] = '/';
	if (bpf_probe_read_kernel(&s->buf[pos + 1], len & CG_PATH_NAME_MAX, name) < 0) {
		w->flags |= CG_BINARY_NO_FILE;
		w->done = 1;
		return 1;
	}
	w->pos = pos;
	w->dentry = (__u64)parent;
	return 0;
}

/*
 * The path of @file from @task's root into @out (CG_BINARY_LEN bytes,
 * NUL-terminated, zeroed past the NUL), and what the walk found
 * (CG_BINARY_*). @out is empty when a CG_BINARY_UNRESOLVED bit is set.
 */
static __always_inline __u32 cg_file_path(struct task_struct *task, struct file *file, char *out)
{
	struct cg_path_walk w = {};
	struct cg_path_scratch *s;
	struct dentry *dentry;
	__u32 zero = 0;

	__builtin_memset(out, 0, CG_BINARY_LEN);
	s = bpf_map_lookup_elem(&cg_path_scratch, &zero);
	dentry = file ? BPF_CORE_READ(file, f_path.dentry) : NULL;
	if (!s || !dentry)
		return CG_BINARY_NO_FILE;
	w.dentry = (__u64)dentry;
	w.vfsmnt = (__u64)BPF_CORE_READ(file, f_path.mnt);
	w.root_dentry = (__u64)BPF_CORE_READ(task, fs, root.dentry);
	w.root_mnt = (__u64)BPF_CORE_READ(task, fs, root.mnt);
	w.pos = CG_BINARY_LEN - 1;
	s->buf[CG_BINARY_LEN - 1] = '\0';
	/* Unlinked: hashed no more (d_hash.pprev is NULL), and not a root. */
	if (!BPF_CORE_READ(dentry, d_hash.pprev) && BPF_CORE_READ(dentry, d_parent) != dentry) {
		/* Byte by byte: a string constant would need a .rodata this object lacks. */
		char *d = &s->buf[CG_BINARY_LEN - 1 - CG_PATH_DELETED_LEN];

		d[0] = ' ', d[1] = '(', d[2] = 'd', d[3] = 'e', d[4] = 'l';
		d[5] = 'e', d[6] = 't', d[7] = 'e', d[8] = 'd', d[9] = ')';
		w.pos -= CG_PATH_DELETED_LEN;
		w.flags |= CG_BINARY_DELETED;
	}
	if (bpf_loop(CG_BINARY_MAX_STEPS, cg_path_step, &w, 0) < 0)
		return w.flags | CG_BINARY_NO_FILE;
	if (!w.done)
		w.flags |= CG_BINARY_TOO_DEEP;
	if (w.flags & CG_BINARY_UNRESOLVED)
		return w.flags;
	/* The root itself, or a file at the top of another mount tree. */
	if (w.pos == CG_BINARY_LEN - 1 || s->buf[w.pos & CG_PATH_MASK] != '/') {
		w.pos = (w.pos - 1) & CG_PATH_MASK;
		s->buf[w.pos] = '/';
	}
	if (bpf_probe_read_kernel_str(out, CG_BINARY_LEN, &s->buf[w.pos & CG_PATH_MASK]) <= 0)
		return w.flags | CG_BINARY_NO_FILE;
	return w.flags;
}

#endif /* CREDGATE_PATH_BPF_H */
