/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Privilege gained by exec: one definition, for the exec decision
 * (lsm.bpf.c, bprm_creds_from_file) and the exec event's binary_flags
 * (process.bpf.c, sched_process_exec), so the two cannot disagree.
 *
 * The gain compares the caller's credentials with those the exec gives
 * (bprm->cred, already holding the file's set-user-ID and set-group-ID
 * bits and its capabilities): CG_EXEC_SETUID when the effective, saved or
 * fs uid changes, CG_EXEC_SETGID the same for gids, CG_EXEC_FILE_CAPS when
 * a capability appears in the permitted, effective or inheritable set.
 *
 * Only the LSM hook sees both sides: by sched_process_exec the new
 * credentials are committed and the old ones gone. So the hook records the
 * gain with the task, tagged with the exec it belongs to, and the event
 * takes it from there. Where there is no record (no BPF LSM; a task no
 * policy governed when the hook ran; a record that could not be stored),
 * the event keeps its own reading of the new credentials alone,
 * cg_exec_gain_after(), which can only guess what came before.
 */
#ifndef CREDGATE_EXEC_BPF_H
#define CREDGATE_EXEC_BPF_H

#include "common.bpf.h"

static __always_inline bool cg_exec_caps_gained(const struct cg_caps *o, const struct cg_caps *n)
{
	return (n->permitted & ~o->permitted) || (n->effective & ~o->effective) ||
	       (n->inheritable & ~o->inheritable);
}

/* The gain (CG_EXEC_*) of an exec from credentials @o, @oc to @n, @nc. */
static __always_inline __u32 cg_exec_gain(const struct cg_ids *o, const struct cg_ids *n,
					  const struct cg_caps *oc, const struct cg_caps *nc)
{
	__u32 flags = 0;

	if (n->euid != o->euid || n->suid != o->suid || n->fsuid != o->fsuid)
		flags |= CG_EXEC_SETUID;
	if (n->egid != o->egid || n->sgid != o->sgid || n->fsgid != o->fsgid)
		flags |= CG_EXEC_SETGID;
	if (cg_exec_caps_gained(oc, nc))
		flags |= CG_EXEC_FILE_CAPS;
	return flags;
}

/*
 * Without the credentials before the exec: an effective id that differs
 * from the real one, and capabilities of a non-root program beyond the
 * ambient ones (which a non-root exec keeps; more came from the file).
 * This reads the state, not the change: a process already running with
 * euid != uid shows CG_EXEC_SETUID for any program it runs.
 */
static __always_inline __u32 cg_exec_gain_after(const struct cg_ids *ids, const struct cg_caps *caps,
						__u64 ambient)
{
	__u32 flags = 0;

	if (ids->euid != ids->uid)
		flags |= CG_EXEC_SETUID;
	if (ids->egid != ids->gid)
		flags |= CG_EXEC_SETGID;
	if (ids->uid != 0 && ids->euid != 0 && (caps->permitted & ~ambient))
		flags |= CG_EXEC_FILE_CAPS;
	return flags;
}

/*
 * The exec a record belongs to: begin_new_exec() raises the task's
 * self_exec_id by one once bprm_creds_from_file has passed, so the hook
 * tags its record with self_exec_id + 1, and only the exec that completes
 * next finds it matching. An exec refused at the hook leaves its record
 * behind with the same tag: the next exec's hook overwrites or clears it
 * (cg_exec_gain_record, cg_exec_gain_forget), and the event consumes it.
 */
static __always_inline void cg_exec_gain_record(__u32 flags)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct cg_exec_gain *gain;

	gain = bpf_task_storage_get(&cg_exec_gains, task, NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!gain)
		return; /* the event falls back to its own reading */
	gain->exec_id = task->self_exec_id + 1;
	gain->flags = flags;
	gain->pad = 0;
}

/* An exec the hook did not measure: no earlier record may stand for it. */
static __always_inline void cg_exec_gain_forget(void)
{
	struct cg_exec_gain *gain = bpf_task_storage_get(&cg_exec_gains, bpf_get_current_task_btf(), NULL, 0);

	if (gain)
		gain->exec_id = 0;
}

/* The recorded gain of the exec @task just completed, consumed; false when none. */
static __always_inline bool cg_exec_gain_take(struct task_struct *task, __u32 *flags)
{
	struct cg_exec_gain *gain = bpf_task_storage_get(&cg_exec_gains, task, NULL, 0);
	bool ours;

	if (!gain)
		return false;
	ours = gain->exec_id && gain->exec_id == task->self_exec_id;
	*flags = gain->flags;
	gain->exec_id = 0;
	return ours;
}

#endif /* CREDGATE_EXEC_BPF_H */
