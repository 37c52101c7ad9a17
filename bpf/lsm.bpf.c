// SPDX-License-Identifier: GPL-2.0-only
/*
 * BPF LSM hooks: decide every credential change made in a governed cgroup,
 * report it, and in enforce mode refuse it.
 *
 * Each program runs after the kernel's own permission checks, on the
 * prepared new credentials, and returns a non-zero verdict of an earlier
 * LSM unchanged.
 *
 * Over 600 lines on purpose: these are the hooks of one BPF object, each
 * short, all sharing the decision helpers below; the "governing policy"
 * lookup, exec gains and path walk live in their own headers.
 */
#include "events.bpf.h"
#include "exec.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_RAISE 2
#define ENOSYS 38

static __always_inline int cg_finish(struct cg_decision_facts *facts, const struct cg_policy *policy)
{
	const struct cg_decision *d = facts->decision;

	facts->verdict = d->verdict;
	cg_count_verdict(facts->hook, facts->verdict);
	if (d->verdict != CG_VERDICT_ALLOWED || (policy->flags & CG_POLICY_REPORT_ALLOWED))
		cg_emit_decision(facts);
	return cg_enforce(d);
}

static __always_inline int cg_decide_setid(enum cg_hook hook, const struct cred *new,
					   const struct cred *old, int flags)
{
	struct cg_ids old_ids, new_ids;
	struct cg_caps old_caps, new_caps;
	struct cg_decision decision;
	struct cg_governed g;
	struct cg_policy *policy;
	bool caps = false;

	policy = cg_governing_policy(&g);
	if (!policy)
		return 0;

	cg_read_ids(old, &old_ids);
	cg_read_ids(new, &new_ids);
	cg_decision_init(&decision, policy->mode);
	if (hook == CG_HOOK_SETUID)
		cg_check_setuid(policy, &old_ids, &new_ids, flags, &decision);
	else
		cg_check_setgid(policy, &old_ids, &new_ids, flags, &decision);
	/*
	 * A uid change moves capabilities too: the capability module, which
	 * runs before BPF, has already applied cap_emulate_setxuid() to @new
	 * (seteuid(0) refills the effective set from the permitted set).
	 * capset rules hold on that path as on capset() itself.
	 */
	if (hook == CG_HOOK_SETUID && policy->capset.count) {
		caps = true;
		cg_read_caps(old, &old_caps);
		cg_read_caps(new, &new_caps);
		cg_check_caps(&policy->capset, &old_caps, &new_caps, &decision);
	}

	struct cg_decision_facts facts = {
		.hook = hook,
		.setid_flags = flags,
		.policy_id = g.policy_id,
		.policy_gen = g.gen,
		.cgroup_id = g.cgroup_id,
		.decision = &decision,
		.old_ids = &old_ids,
		.new_ids = &new_ids,
		.old_caps = caps ? &old_caps : NULL,
		.new_caps = caps ? &new_caps : NULL,
	};
	return cg_finish(&facts, policy);
}

SEC("lsm/task_fix_setuid")
int BPF_PROG(cg_lsm_task_fix_setuid, struct cred *new, const struct cred *old, int flags, int ret)
{
	if (ret)
		return ret;
	return cg_decide_setid(CG_HOOK_SETUID, new, old, flags);
}

SEC("lsm/task_fix_setgid")
int BPF_PROG(cg_lsm_task_fix_setgid, struct cred *new, const struct cred *old, int flags, int ret)
{
	if (ret)
		return ret;
	return cg_decide_setid(CG_HOOK_SETGID, new, old, flags);
}

/* State for checking each new supplementary group in a bpf_loop callback. */
struct cg_groups_scan {
	const void *old_gids;
	const void *new_gids;
	__u32 old_count;
	__u32 policy_id;
	__u32 gen;
	struct cg_decision *decision;
};

/* Group lists are sorted by the kernel (groups_sort) before the hook runs. */
static __always_inline bool cg_groups_contain(const void *gids, __u32 count, __u32 gid)
{
	__u32 lo = 0, hi = count;

	/* 17 halvings cover NGROUPS_MAX (65536). */
	for (int i = 0; i < 17 && lo < hi; i++) {
		__u32 mid = lo + (hi - lo) / 2, value = 0;

		bpf_probe_read_kernel(&value, sizeof(value), gids + (__u64)mid * sizeof(__u32));
		if (value == gid)
			return true;
		if (value < gid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static long cg_scan_new_group(__u32 index, void *ctx)
{
	struct cg_groups_scan *scan = ctx;
	struct cg_policy_key key = { .gen = scan->gen, .policy_id = scan->policy_id };
	struct cg_policy *policy;
	__u32 gid = 0;

	bpf_probe_read_kernel(&gid, sizeof(gid), scan->new_gids + (__u64)index * sizeof(__u32));
	if (cg_groups_contain(scan->old_gids, scan->old_count, gid))
		return 0;
	/* Looked up again here: a callback cannot carry a map value pointer. */
	policy = bpf_map_lookup_elem(&cg_policies, &key);
	if (!policy)
		return 1;
	cg_check_id_move(&policy->setgroups, CG_ID_UNCHANGED, gid, 0, scan->decision);
	return 0;
}

SEC("lsm/task_fix_setgroups")
int BPF_PROG(cg_lsm_task_fix_setgroups, struct cred *new, const struct cred *old, int ret)
{
	struct cg_ids old_ids, new_ids;
	struct cg_decision decision;
	struct cg_governed g;
	struct cg_policy *policy;
	struct group_info *old_groups, *new_groups;

	if (ret)
		return ret;
	policy = cg_governing_policy(&g);
	if (!policy)
		return 0;

	cg_read_ids(old, &old_ids);
	cg_read_ids(new, &new_ids);
	old_groups = BPF_CORE_READ(old, group_info);
	new_groups = BPF_CORE_READ(new, group_info);
	cg_decision_init(&decision, policy->mode);
	if (policy->setgroups.count > 0 && new_groups) {
		struct cg_groups_scan scan = {
			.old_gids = cg_group_array(old_groups),
			.new_gids = cg_group_array(new_groups),
			.old_count = cg_group_count(old_groups),
			.policy_id = g.policy_id,
			.gen = g.gen,
			.decision = &decision,
		};

		bpf_loop(cg_group_count(new_groups), cg_scan_new_group, &scan, 0);
	}

	struct cg_decision_facts facts = {
		.hook = CG_HOOK_SETGROUPS,
		.policy_id = g.policy_id,
		.policy_gen = g.gen,
		.cgroup_id = g.cgroup_id,
		.decision = &decision,
		.old_ids = &old_ids,
		.new_ids = &new_ids,
		.old_groups = old_groups,
		.new_groups = new_groups,
	};
	return cg_finish(&facts, policy);
}

SEC("lsm/capset")
int BPF_PROG(cg_lsm_capset, struct cred *new, const struct cred *old, const kernel_cap_t *effective,
	     const kernel_cap_t *inheritable, const kernel_cap_t *permitted, int ret)
{
	struct cg_ids old_ids, new_ids;
	struct cg_caps old_caps, new_caps;
	struct cg_decision decision;
	struct cg_governed g;
	struct cg_policy *policy;

	if (ret)
		return ret;
	policy = cg_governing_policy(&g);
	if (!policy)
		return 0;

	cg_read_ids(old, &old_ids);
	new_ids = old_ids;
	cg_read_caps(old, &old_caps);
	/* The requested sets are the hook's arguments, not yet in @new. */
	new_caps.effective = cg_read_cap(effective);
	new_caps.inheritable = cg_read_cap(inheritable);
	new_caps.permitted = cg_read_cap(permitted);
	cg_decision_init(&decision, policy->mode);
	cg_check_caps(&policy->capset, &old_caps, &new_caps, &decision);

	struct cg_decision_facts facts = {
		.hook = CG_HOOK_CAPSET,
		.policy_id = g.policy_id,
		.policy_gen = g.gen,
		.cgroup_id = g.cgroup_id,
		.decision = &decision,
		.old_ids = &old_ids,
		.new_ids = &new_ids,
		.old_caps = &old_caps,
		.new_caps = &new_caps,
	};
	return cg_finish(&facts, policy);
}

/* ---- Privilege gained by exec ----------------------------------------- */

/* The exec decision's path key, and where d_path() writes: too big for the stack. */
struct cg_exec_scratch {
	struct cg_exec_path_key key;
	char d_path[CG_PATH_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cg_exec_scratch);
} cg_exec_scratch SEC(".maps");

static __always_inline bool cg_exec_uid_allowed(const struct cg_exec_rule *rule, __u32 euid)
{
	for (int i = 0; i < CG_MAX_EXEC_UIDS; i++) {
		if (i >= rule->nuids)
			break;
		if (cg_in_range(euid, rule->allow_uids[i].lo, rule->allow_uids[i].hi))
			return true;
	}
	return false;
}

/*
 * allowTargetUids allows an exec when it changes uids only, to allowed
 * targets: every uid slot the exec changes (effective, saved, fs) lands in
 * the list, no gid slot changes, and capabilities grow only because the
 * new effective uid is 0 (root's capabilities come with becoming root).
 * A set-group-ID or file-capability program needs allowPaths.
 */
static __always_inline bool cg_exec_targets_allowed(const struct cg_exec_rule *rule,
						    const struct cg_ids *o, const struct cg_ids *n,
						    bool caps_gained)
{
	if (n->euid == o->euid && n->suid == o->suid && n->fsuid == o->fsuid)
		return false;
	if (n->egid != o->egid || n->sgid != o->sgid || n->fsgid != o->fsgid)
		return false;
	if (caps_gained && n->euid != 0)
		return false;
	if (n->euid != o->euid && !cg_exec_uid_allowed(rule, n->euid))
		return false;
	if (n->suid != o->suid && !cg_exec_uid_allowed(rule, n->suid))
		return false;
	if (n->fsuid != o->fsuid && !cg_exec_uid_allowed(rule, n->fsuid))
		return false;
	return true;
}

static __always_inline void cg_emit_exec_decision(const struct cg_decision_facts *facts,
						  __u32 exec_flags, const char *filename)
{
	__u64 wakeup = cg_ringbuf_wakeup_flags();
	struct cg_exec_decision_event *e;

	e = cg_reserve_event(sizeof(*e), facts->cgroup_id, cg_is_finding(facts->verdict));
	if (!e) {
		cg_count(CG_CNT_RINGBUF_FULL);
		return;
	}
	cg_fill_decision(&e->d, CG_EVENT_EXEC_DECISION, sizeof(*e), facts);
	e->exec_flags = exec_flags;
	e->pad = 0;
	__builtin_memcpy(e->filename, filename, sizeof(e->filename));
	bpf_ringbuf_submit(e, wakeup);
}

/*
 * The path of the file the kernel executes, from the caller's root, into
 * @key->path, NUL-padded (the whole key is hashed). Not the string given
 * to execve(): a symlink or a relative path names the file it resolves
 * to. Returns false when the path is unknown (too long, unreachable from
 * the root): then no allowPaths entry can match it.
 */
static __always_inline bool cg_exec_file_path(struct file *file, struct cg_exec_scratch *s)
{
	/* f_path is const in 6.18's BTF; bpf_d_path() only reads it. */
	long len = bpf_d_path((struct path *)&file->f_path, s->d_path, sizeof(s->d_path));

	__builtin_memset(s->key.path, 0, sizeof(s->key.path));
	if (len <= 0 || len > CG_PATH_LEN)
		return false;
	/*
	 * d_path() builds the name at the buffer's end and moves it, leaving
	 * bytes after the NUL: copy up to the NUL into the zeroed key.
	 */
	return bpf_probe_read_kernel_str(s->key.path, sizeof(s->key.path), s->d_path) > 0;
}

/*
 * bprm->cred already holds what the exec will give: the file's set-user-ID
 * and set-group-ID bits were applied by bprm_fill_uid() and its file
 * capabilities (or root's) by the capability module, which runs before
 * BPF. Compared with the caller's credentials, that is the privilege the
 * exec gains, and every rule that speaks of it holds here: setuid and
 * setgid rules on each id slot that changes (their per-call TracingPolicy
 * rules excepted), capset rules on each capability gained, and the exec
 * rule on the file executed.
 */
SEC("lsm/bprm_creds_from_file")
int BPF_PROG(cg_lsm_bprm_creds_from_file, struct linux_binprm *bprm, struct file *file, int ret)
{
	struct cg_exec_scratch *scratch;
	struct cg_exec_path_key *key;
	struct cg_ids old_ids, new_ids;
	struct cg_caps old_caps, new_caps;
	struct cg_decision decision;
	struct cg_governed g;
	struct cg_policy *policy;
	const struct cred *old, *new;
	__u32 exec_flags, zero = 0;
	bool path_known;

	if (ret)
		return ret;
	policy = cg_governing_policy(&g);
	if (!policy) {
		cg_exec_gain_forget();
		return 0;
	}

	old = bpf_get_current_task_btf()->cred;
	new = bprm->cred;
	cg_read_ids(old, &old_ids);
	cg_read_ids(new, &new_ids);
	cg_read_caps(old, &old_caps);
	cg_read_caps(new, &new_caps);
	/* Measured for every governed exec: the exec event reports it too. */
	exec_flags = cg_exec_gain(&old_ids, &new_ids, &old_caps, &new_caps);
	cg_exec_gain_record(exec_flags);
	if (policy->exec.rule_index == CG_NO_RULE && !policy->setuid.count && !policy->setgid.count &&
	    !policy->capset.count)
		return 0;
	if (!exec_flags)
		return 0;

	scratch = bpf_map_lookup_elem(&cg_exec_scratch, &zero);
	if (!scratch)
		return 0;
	key = &scratch->key;
	key->gen = g.gen;
	key->policy_id = g.policy_id;
	path_known = cg_exec_file_path(file, scratch);

	cg_decision_init(&decision, policy->mode);
	/* Per-call rules (setid_mask) never match an exec: it makes no set*id call. */
	cg_check_setuid(policy, &old_ids, &new_ids, 0, &decision);
	cg_check_setgid(policy, &old_ids, &new_ids, 0, &decision);
	if (policy->capset.count)
		cg_check_caps(&policy->capset, &old_caps, &new_caps, &decision);
	if (policy->exec.rule_index != CG_NO_RULE &&
	    !(path_known && bpf_map_lookup_elem(&cg_exec_paths, key)) &&
	    !cg_exec_targets_allowed(&policy->exec, &old_ids, &new_ids, exec_flags & CG_EXEC_FILE_CAPS))
		cg_decision_violate(&decision, policy->exec.mode, policy->exec.rule_index,
				    old_ids.euid, new_ids.euid, policy->exec.flags, EPERM);
	if (!path_known)
		bpf_probe_read_kernel_str(key->path, sizeof(key->path), bprm->filename);

	struct cg_decision_facts facts = {
		.hook = CG_HOOK_EXEC,
		.policy_id = g.policy_id,
		.policy_gen = g.gen,
		.cgroup_id = g.cgroup_id,
		.decision = &decision,
		.old_ids = &old_ids,
		.new_ids = &new_ids,
		.old_caps = &old_caps,
		.new_caps = &new_caps,
		.verdict = decision.verdict,
	};
	cg_count_verdict(CG_HOOK_EXEC, decision.verdict);
	if (decision.verdict != CG_VERDICT_ALLOWED || (policy->flags & CG_POLICY_REPORT_ALLOWED))
		cg_emit_exec_decision(&facts, exec_flags, key->path);
	return cg_enforce(&decision);
}

/* ---- User namespaces (kernel 6.1 and later) ---------------------------- */

/*
 * The userns rule, which creating and joining a user namespace both meet:
 * the rule's mode decides, and the event carries the caller's ids (nothing
 * changes them) and @hook, which says whether it was created or joined.
 */
static __always_inline int cg_decide_userns(const struct cred *cred, struct cg_policy *policy,
					    const struct cg_governed *g, __u32 hook)
{
	struct cg_decision decision;
	struct cg_ids ids;

	cg_read_ids(cred, &ids);
	cg_decision_init(&decision, policy->userns.mode);
	cg_decision_violate(&decision, policy->userns.mode, policy->userns.rule_index, 0, 0,
			    policy->userns.flags, EPERM);

	struct cg_decision_facts facts = {
		.hook = hook,
		.policy_id = g->policy_id,
		.policy_gen = g->gen,
		.cgroup_id = g->cgroup_id,
		.decision = &decision,
		.old_ids = &ids,
		.new_ids = &ids,
	};
	return cg_finish(&facts, policy);
}

SEC("lsm/userns_create")
int BPF_PROG(cg_lsm_userns_create, const struct cred *cred, int ret)
{
	struct cg_governed g;
	struct cg_policy *policy;

	if (ret)
		return ret;
	policy = cg_governing_policy(&g);
	if (!policy || policy->userns.rule_index == CG_NO_RULE)
		return 0;
	return cg_decide_userns(cred, policy, &g, CG_HOOK_USERNS);
}

/* ---- Joining a user namespace: setns() ---------------------------------- */

/*
 * setns() into an existing user namespace (an nsfd from /proc/PID/ns/user,
 * or a pidfd with CLONE_NEWUSER) creates nothing, so userns_create never
 * sees it, and the kernel has no LSM hook named for it. What it does have:
 * setns() -> prepare_nsset() prepares new credentials for CLONE_NEWUSER
 * only (cred_prepare; refusing there would fail with ENOMEM, not EPERM),
 * then userns_install() asks ns_capable(target, CAP_SYS_ADMIN): the
 * capable hook, whose refusal setns() returns as EPERM. That check is the
 * first CAP_SYS_ADMIN check of the call: nothing before it in setns() asks
 * for CAP_SYS_ADMIN (the pidfd path's ptrace_may_access() asks for
 * CAP_SYS_PTRACE), and a pidfd's user namespace is installed before its
 * other namespaces (validate_nsset()). Linux 6.1 to 6.12 alike.
 *
 * So the capable program decides the userns rule on the first
 * CAP_SYS_ADMIN check made inside a setns() call whose target is a user
 * namespace, and on no other. A check the capability module refused never
 * reaches BPF: then the kernel refused the join itself.
 *
 * capable runs on every capability check in the system: the program bails
 * out on cap != CAP_SYS_ADMIN, then on the system call number, before any
 * map lookup.
 */
#define CG_CAP_SYS_ADMIN 21
#define CG_CLONE_NEWUSER 0x10000000
#define CG_NSFS_MAGIC 0x6e736673
/* thread_info.status: an IA-32 call (int $0x80, or a 32-bit process) is running. */
#define CG_TS_COMPAT 0x0002
/* x32 calls carry this bit in the 64-bit table's number. */
#define CG_X32_SYSCALL_BIT 0x40000000
#define CG_NR_SETNS_X64 308  /* arch/x86/entry/syscalls/syscall_64.tbl */
#define CG_NR_SETNS_IA32 346 /* syscall_32.tbl */

/* setns()'s arguments, when the current task is in setns() (either ABI). */
struct cg_setns_args {
	int fd;
	int nstype;
};

static __always_inline bool cg_in_setns(struct cg_setns_args *args)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	long nr = (long)regs->orig_ax;

	if (task->thread_info.status & CG_TS_COMPAT) {
		/* An IA-32 call, even from a 64-bit process: arguments in bx, cx. */
		if (nr != CG_NR_SETNS_IA32)
			return false;
		args->fd = (int)regs->bx;
		args->nstype = (int)regs->cx;
		return true;
	}
	if ((nr & ~(long)CG_X32_SYSCALL_BIT) != CG_NR_SETNS_X64)
		return false;
	args->fd = (int)regs->di;
	args->nstype = (int)regs->si;
	return true;
}

/* Before 6.18 a namespace's type (CLONE_NEW*) was in its operations. */
struct proc_ns_operations___typed {
	int type;
} __attribute__((preserve_access_index));

struct ns_common___typed {
	const struct proc_ns_operations___typed *ops;
} __attribute__((preserve_access_index));

/*
 * Whether fd @fd of the current task is a namespace file (nsfs) of a user
 * namespace. Read through the fd table, bounded by its max_fds; the file
 * cannot go away under us (setns() holds a reference since fdget()).
 */
static __always_inline bool cg_fd_is_userns(int fd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *file = NULL;
	struct inode *inode;
	void *ns;

	if (fd < 0 || !fdt || (unsigned int)fd >= BPF_CORE_READ(fdt, max_fds))
		return false;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&file, sizeof(file), fds + (__u32)fd) || !file)
		return false;
	inode = BPF_CORE_READ(file, f_inode);
	/* Only namespace files live on nsfs: i_private is their ns_common. */
	if (!inode || BPF_CORE_READ(inode, i_sb, s_magic) != CG_NSFS_MAGIC)
		return false;
	ns = BPF_CORE_READ(inode, i_private);
	if (!ns)
		return false;
	if (bpf_core_field_exists(struct ns_common, ns_type))
		return BPF_CORE_READ((struct ns_common *)ns, ns_type) == CG_CLONE_NEWUSER;
	return BPF_CORE_READ((struct ns_common___typed *)ns, ops, type) == CG_CLONE_NEWUSER;
}

/*
 * setns() with a nonzero nstype fails (EINVAL) before any install unless an
 * nsfd's type equals it, or a pidfd is given: so CLONE_NEWUSER in it means a
 * user namespace is joined. With 0 (an nsfd of any type) the file says.
 */
static __always_inline bool cg_setns_joins_userns(const struct cg_setns_args *args)
{
	if (args->nstype & CG_CLONE_NEWUSER)
		return true;
	return args->nstype == 0 && cg_fd_is_userns(args->fd);
}

/*
 * Per task: the userns rule was decided in the current setns() call. A
 * pidfd join of several namespaces (CLONE_NEWUSER | CLONE_NEWUTS ...) makes
 * more CAP_SYS_ADMIN checks after the user namespace's, for the other
 * namespaces: those are not this rule's. The cred_prepare program clears
 * the mark at the start of every setns() that joins a user namespace
 * (prepare_nsset() prepares credentials before any install), so a mark
 * never outlives its call into the next one. A mark that cannot be stored
 * only costs a repeated event; a refusal ends the call anyway.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, __u32);
} cg_setns_decided SEC(".maps");

SEC("lsm/cred_prepare")
int BPF_PROG(cg_lsm_cred_prepare, struct cred *new, const struct cred *old, gfp_t gfp, int ret)
{
	struct cg_setns_args args;
	__u32 *decided;

	/* Every prepare_creds() comes here: only a setns() goes further. */
	if (ret || !cg_in_setns(&args))
		return ret;
	decided = bpf_task_storage_get(&cg_setns_decided, bpf_get_current_task_btf(), NULL, 0);
	if (decided)
		*decided = 0;
	return 0;
}

SEC("lsm/capable")
int BPF_PROG(cg_lsm_capable, const struct cred *cred, struct user_namespace *ns, int cap,
	     unsigned int opts, int ret)
{
	struct task_struct *task;
	struct cg_setns_args args;
	struct cg_governed g;
	struct cg_policy *policy;
	__u32 *decided;
	int err;

	if (ret)
		return ret;
	if (cap != CG_CAP_SYS_ADMIN || !cg_in_setns(&args))
		return 0;
	policy = cg_governing_policy(&g);
	if (!policy || policy->userns.rule_index == CG_NO_RULE)
		return 0;
	if (!cg_setns_joins_userns(&args))
		return 0;
	task = bpf_get_current_task_btf();
	decided = bpf_task_storage_get(&cg_setns_decided, task, NULL, 0);
	if (decided && *decided)
		return 0;

	err = cg_decide_userns(cred, policy, &g, CG_HOOK_CAPABLE);
	if (!err) {
		decided = bpf_task_storage_get(&cg_setns_decided, task, NULL,
					       BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (decided)
			*decided = 1;
	}
	return err;
}

/*
 * Ambient capabilities. The capability module handles PR_CAP_AMBIENT, and
 * commits the raise, before any BPF program runs: this hook can only report
 * it and, in enforce mode, kill the caller and make prctl() fail. An
 * inheritable-set rule on capset prevents it instead (an ambient raise
 * needs the capability in the inheritable set). Any other prctl passes.
 *
 * task_prctl's "no opinion" is -ENOSYS, not 0: returning 0 would make
 * prctl() succeed without doing anything. So the program returns @ret
 * unchanged unless it refuses.
 */
SEC("lsm/task_prctl")
int BPF_PROG(cg_lsm_task_prctl, int option, unsigned long arg2, unsigned long arg3,
	     unsigned long arg4, unsigned long arg5, int ret)
{
	struct cg_ids ids;
	struct cg_caps caps;
	struct cg_decision decision;
	struct cg_governed g;
	struct cg_policy *policy;
	const struct cred *cred;

	if (ret != -ENOSYS && ret != 0)
		return ret;
	if (option != PR_CAP_AMBIENT || arg2 != PR_CAP_AMBIENT_RAISE || arg3 > CG_CAP_LAST)
		return ret;
	policy = cg_governing_policy(&g);
	if (!policy || !policy->capset.count)
		return ret;

	cred = bpf_get_current_task_btf()->cred;
	cg_read_ids(cred, &ids);
	cg_read_caps(cred, &caps);
	cg_decision_init(&decision, policy->mode);
	cg_check_cap_set(&policy->capset, CG_CAPSET_AMBIENT, 1ull << arg3, &decision);
	if (decision.verdict == CG_VERDICT_ALLOWED)
		return ret;
	/* The raise is already committed: refusing alone would be a lie. */
	if (decision.verdict == CG_VERDICT_DENIED)
		decision.flags |= CG_RULE_KILL;

	struct cg_decision_facts facts = {
		.hook = CG_HOOK_PRCTL,
		.policy_id = g.policy_id,
		.policy_gen = g.gen,
		.cgroup_id = g.cgroup_id,
		.decision = &decision,
		.old_ids = &ids,
		.new_ids = &ids,
		.old_caps = &caps,
		.new_caps = &caps,
	};
	return cg_finish(&facts, policy) ?: ret;
}
