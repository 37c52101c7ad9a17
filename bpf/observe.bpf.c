// SPDX-License-Identifier: GPL-2.0-only
/*
 * Observation of credential-change system calls in governed cgroups: the
 * arguments at entry, the return value and resulting credentials at exit,
 * reported as one event per call.
 *
 * Three attachments of the same logic, in the loader's order of preference:
 * fentry/fexit on the syscall functions (a BPF trampoline: the cheapest),
 * kprobes/kretprobes on them, and syscall tracepoints. The loader enables
 * the first set the kernel runs (agent/kernel/kernel_probe.c).
 *
 * Where the kernel has no BPF LSM, the exit programs also decide: they
 * compare the credentials before and after the call against the policy
 * (the same rules the LSM hooks apply) and report violations; in kill mode
 * they send SIGKILL, which the caller receives before it returns to user
 * space.
 *
 * Over 600 lines on purpose: one entry and one exit logic, written once and
 * instantiated for each attachment and for each of the 64-bit and IA-32
 * call tables; what differs between them is a few lines each, kept next to
 * the logic they instantiate so that no attachment can drift from it.
 */
#include "events.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define CG_CAP_VERSION_1 0x19980330

/*
 * What the entry program saw, kept with the thread until its exit program.
 * active says the entry program filled it for the call now in progress.
 */
struct cg_inflight {
	__u32 active;
	__u32 syscall;
	__u32 probe;
	__u32 gen;
	__u32 policy_id;
	__u32 abi; /* enum cg_syscall_abi */
	__u64 cgroup_id;
	__s64 args[3];
	__u32 nargs;
	__u32 arg_ngroups; /* setgroups: size argument */
	struct cg_ids old_ids;
	struct cg_caps old_caps;
	struct cg_caps requested_caps; /* capset: the user's data */
	__u32 old_ngroups;
	__u32 pad;
	__u32 old_groups[CG_EVENT_MAX_GROUPS]; /* sorted, the first ones */
	__u32 arg_groups[CG_EVENT_MAX_GROUPS]; /* setgroups: the user's list */
};

/*
 * Task-local: an ungoverned thread's exit program finds nothing with one
 * pointer chase, and a governed one writes its record in place, with no
 * hash insert and delete per call.
 */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct cg_inflight);
} cg_inflight_map SEC(".maps");

static __always_inline const struct cred *cg_current_cred(void)
{
	return bpf_get_current_task_btf()->cred;
}

static __always_inline bool cg_observes(const struct cg_policy *policy, __u32 syscall)
{
	return (policy->flags & CG_POLICY_OBSERVE) && (policy->observe_syscalls & (1u << syscall));
}

/* Whether the entry and exit programs read capabilities for this call. */
static __always_inline bool cg_reads_caps(const struct cg_policy *policy, __u32 syscall)
{
	if (syscall == CG_SYS_CAPSET)
		return true;
	return policy->capset.count &&
	       (syscall == CG_SYS_SETUID || syscall == CG_SYS_SETREUID || syscall == CG_SYS_SETRESUID ||
		syscall == CG_SYS_SETFSUID);
}

static __always_inline void cg_read_capset_request(struct cg_inflight *in, __s64 header_arg, __s64 data_arg)
{
	struct {
		__u32 effective, permitted, inheritable;
	} data[2] = {};
	__u32 version = 0;
	const void *header = (const void *)header_arg;
	const void *user_data = (const void *)data_arg;

	bpf_probe_read_user(&version, sizeof(version), header);
	if (version == CG_CAP_VERSION_1)
		bpf_probe_read_user(&data[0], sizeof(data[0]), user_data);
	else
		bpf_probe_read_user(&data, sizeof(data), user_data);
	in->requested_caps.effective = data[0].effective | (__u64)data[1].effective << 32;
	in->requested_caps.permitted = data[0].permitted | (__u64)data[1].permitted << 32;
	in->requested_caps.inheritable = data[0].inheritable | (__u64)data[1].inheritable << 32;
}

/* A legacy IA-32 id: 16 bits, and 0xffff means -1, as the kernel's low2highuid() reads it. */
static __always_inline __s64 cg_id16(__u64 x)
{
	return (__u16)x == 0xffff ? -1 : (__s64)(__u16)x;
}

static __always_inline void cg_read_groups_arg(struct cg_inflight *in, __u32 abi, __s64 size_arg,
					       __s64 list_arg)
{
	in->arg_ngroups = (__u32)size_arg;
	__builtin_memset(in->arg_groups, 0, sizeof(in->arg_groups));
	if (abi == CG_ABI_IA32_UID16) {
		/* setgroups16 takes an array of 16-bit gids: widen them as the kernel does. */
		__u16 gids16[CG_EVENT_MAX_GROUPS] = {};
		__u32 n = in->arg_ngroups < CG_EVENT_MAX_GROUPS ? in->arg_ngroups : CG_EVENT_MAX_GROUPS;

		bpf_probe_read_user(gids16, n >= CG_EVENT_MAX_GROUPS ? sizeof(gids16) : (n & CG_GIDS_MASK) * sizeof(__u16),
				    (const void *)list_arg);
		for (int i = 0; i < CG_EVENT_MAX_GROUPS; i++)
			if (i < n)
				in->arg_groups[i] = (__u32)cg_id16(gids16[i]);
		return;
	}
	cg_copy_gids(in->arg_groups, in->arg_ngroups, (const void *)list_arg, true);
}

static __always_inline int cg_on_enter(__u32 syscall, __u32 abi, __u32 probe, __u32 nargs, __s64 a0,
				       __s64 a1, __s64 a2)
{
	const struct group_info *groups;
	struct cg_inflight *in;
	struct cg_governed g;
	struct cg_policy *policy;
	const struct cred *cred;

	policy = cg_governing_policy(&g);
	if (!policy)
		return 0;
	if (!cg_observes(policy, syscall) && g.config->fallback == CG_FALLBACK_NONE)
		return 0;
	in = bpf_task_storage_get(&cg_inflight_map, bpf_get_current_task_btf(), NULL,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!in) {
		cg_count(CG_CNT_INFLIGHT_FULL);
		return 0;
	}

	in->syscall = syscall;
	in->abi = abi;
	in->probe = probe;
	in->gen = g.gen;
	in->policy_id = g.policy_id;
	in->cgroup_id = g.cgroup_id;
	in->nargs = nargs;
	in->args[0] = a0;
	in->args[1] = a1;
	in->args[2] = a2;
	in->arg_ngroups = 0;
	__builtin_memset(&in->requested_caps, 0, sizeof(in->requested_caps));
	cred = cg_current_cred();
	cg_read_ids(cred, &in->old_ids);
	/*
	 * capset changes capabilities, and so does a uid change (seteuid(0)
	 * refills the effective set): read them when a rule looks at them.
	 * Only setgroups changes groups.
	 */
	if (cg_reads_caps(policy, syscall))
		cg_read_caps(cred, &in->old_caps);
	else
		__builtin_memset(&in->old_caps, 0, sizeof(in->old_caps));
	groups = BPF_CORE_READ(cred, group_info);
	in->old_ngroups = cg_group_count(groups);
	if (syscall == CG_SYS_SETGROUPS)
		cg_copy_gids(in->old_groups, in->old_ngroups, cg_group_array(groups), false);
	if (syscall == CG_SYS_SETGROUPS)
		cg_read_groups_arg(in, abi, a0, a1);
	else if (syscall == CG_SYS_CAPSET)
		cg_read_capset_request(in, a0, a1);
	/* Last: the exit program trusts the record only once it is whole. */
	in->active = 1;
	return 0;
}

/* The LSM hook and LSM_SETID_* flags a syscall goes through. */
static __always_inline void cg_syscall_hook(__u32 syscall, __u32 *hook, __u32 *flags)
{
	switch (syscall) {
	case CG_SYS_SETUID:
		*hook = CG_HOOK_SETUID, *flags = CG_SETID_ID;
		break;
	case CG_SYS_SETREUID:
		*hook = CG_HOOK_SETUID, *flags = CG_SETID_RE;
		break;
	case CG_SYS_SETRESUID:
		*hook = CG_HOOK_SETUID, *flags = CG_SETID_RES;
		break;
	case CG_SYS_SETFSUID:
		*hook = CG_HOOK_SETUID, *flags = CG_SETID_FS;
		break;
	case CG_SYS_SETGID:
		*hook = CG_HOOK_SETGID, *flags = CG_SETID_ID;
		break;
	case CG_SYS_SETREGID:
		*hook = CG_HOOK_SETGID, *flags = CG_SETID_RE;
		break;
	case CG_SYS_SETRESGID:
		*hook = CG_HOOK_SETGID, *flags = CG_SETID_RES;
		break;
	case CG_SYS_SETFSGID:
		*hook = CG_HOOK_SETGID, *flags = CG_SETID_FS;
		break;
	case CG_SYS_SETGROUPS:
		*hook = CG_HOOK_SETGROUPS, *flags = 0;
		break;
	default:
		*hook = CG_HOOK_CAPSET, *flags = 0;
		break;
	}
}

struct cg_exit_groups_scan {
	const void *new_gids;
	struct cg_decision *decision;
	__u32 gen;
	__u32 policy_id;
};

/*
 * A gid the entry program did not record among the old groups is new. When
 * the thread had more old groups than were recorded, a kept gid may count
 * as new: the fallback errs towards reporting, never towards missing.
 */
static long cg_exit_scan_group(__u32 index, void *ctx)
{
	struct cg_exit_groups_scan *scan = ctx;
	struct cg_policy_key key = { .gen = scan->gen, .policy_id = scan->policy_id };
	struct cg_inflight *in;
	struct cg_policy *policy;
	__u32 gid = 0, n;

	bpf_probe_read_kernel(&gid, sizeof(gid), scan->new_gids + (__u64)index * sizeof(__u32));
	in = bpf_task_storage_get(&cg_inflight_map, bpf_get_current_task_btf(), NULL, 0);
	if (!in)
		return 1;
	n = in->old_ngroups;
	for (int i = 0; i < CG_EVENT_MAX_GROUPS; i++) {
		if (i >= n)
			break;
		if (in->old_groups[i] == gid)
			return 0;
	}
	policy = bpf_map_lookup_elem(&cg_policies, &key);
	if (!policy)
		return 1;
	cg_check_id_move(&policy->setgroups, CG_ID_UNCHANGED, gid, 0, scan->decision);
	return 0;
}

/* Decide a completed change where there is no LSM; returns the verdict. */
static __always_inline __u32 cg_decide_at_exit(struct cg_config *config, struct cg_inflight *in,
					       struct cg_policy *policy, const struct cred *cred,
					       struct cg_ids *new_ids, struct cg_caps *new_caps)
{
	struct cg_decision decision;
	const struct group_info *new_groups = NULL;
	__u32 hook, flags, verdict;

	cg_syscall_hook(in->syscall, &hook, &flags);
	cg_decision_init(&decision, policy->mode);
	if (hook == CG_HOOK_SETUID) {
		cg_check_setuid(policy, &in->old_ids, new_ids, flags, &decision);
		if (policy->capset.count)
			cg_check_caps(&policy->capset, &in->old_caps, new_caps, &decision);
	} else if (hook == CG_HOOK_SETGID) {
		cg_check_setgid(policy, &in->old_ids, new_ids, flags, &decision);
	} else if (hook == CG_HOOK_CAPSET) {
		cg_check_caps(&policy->capset, &in->old_caps, new_caps, &decision);
	} else {
		new_groups = BPF_CORE_READ(cred, group_info);
		if (policy->setgroups.count > 0 && new_groups) {
			struct cg_exit_groups_scan scan = {
				.new_gids = cg_group_array(new_groups),
				.decision = &decision,
				.gen = in->gen,
				.policy_id = in->policy_id,
			};

			bpf_loop(cg_group_count(new_groups), cg_exit_scan_group, &scan, 0);
		}
	}

	verdict = decision.verdict;
	if (verdict == CG_VERDICT_DENIED) {
		if (config->fallback == CG_FALLBACK_KILL) {
			bpf_send_signal(SIGKILL);
			verdict = CG_VERDICT_KILLED;
		} else {
			/* Nothing could stop it: say what happened, not what was wanted. */
			verdict = CG_VERDICT_AUDITED;
		}
	}
	cg_count_verdict(hook, verdict);
	if (verdict != CG_VERDICT_ALLOWED || (policy->flags & CG_POLICY_REPORT_ALLOWED)) {
		struct cg_decision_facts facts = {
			.hook = hook,
			.setid_flags = flags,
			.policy_id = in->policy_id,
			.policy_gen = in->gen,
			.cgroup_id = in->cgroup_id,
			.verdict = verdict,
			.decision = &decision,
			.old_ids = &in->old_ids,
			.new_ids = new_ids,
			.old_caps = &in->old_caps,
			.new_caps = new_caps,
			.new_groups = new_groups,
		};

		cg_emit_decision(&facts);
	}
	return verdict;
}

static __always_inline void cg_emit_syscall(struct cg_inflight *in, __s64 ret, __u32 verdict,
					    const struct cg_ids *new_ids, const struct cg_caps *new_caps)
{
	__u64 wakeup = cg_ringbuf_wakeup_flags();
	struct cg_syscall_event *e;

	e = cg_reserve_event(sizeof(*e), in->cgroup_id, verdict == CG_VERDICT_KILLED);
	if (!e) {
		cg_count(CG_CNT_RINGBUF_FULL);
		return;
	}
	cg_fill_header(&e->hdr, CG_EVENT_SYSCALL, sizeof(*e), in->cgroup_id);
	e->syscall = in->syscall;
	e->probe = in->probe;
	e->abi = in->abi;
	e->policy_id = in->policy_id;
	e->policy_gen = in->gen;
	e->rule_index = CG_NO_RULE;
	e->verdict = verdict;
	e->nargs = in->nargs;
	e->args[0] = in->args[0];
	e->args[1] = in->args[1];
	e->args[2] = in->args[2];
	e->ret = ret;
	e->old_ids = in->old_ids;
	e->new_ids = *new_ids;
	e->old_caps = in->old_caps;
	/* capset reports what was asked for; the result is in new_ids' cred. */
	e->new_caps = in->syscall == CG_SYS_CAPSET ? in->requested_caps : *new_caps;
	e->ngroups = in->arg_ngroups;
	__builtin_memcpy(e->groups, in->arg_groups, sizeof(e->groups));
	bpf_ringbuf_submit(e, wakeup);
}

/*
 * @decides is a constant: false builds an exit program without the rule
 * evaluation, for where BPF LSM decides. Each deciding exit program costs
 * the verifier about 13,000 instructions at every start (seconds under
 * qemu), and the IA-32 calls add 19 of them.
 */
static __always_inline int cg_on_exit(__u32 syscall, __u32 abi, __s64 ret, bool decides)
{
	struct cg_config *config;
	struct cg_policy_key key;
	struct cg_inflight *in;
	struct cg_policy *policy;
	const struct cred *cred;
	struct cg_ids new_ids;
	struct cg_caps new_caps;
	__u32 verdict = CG_VERDICT_NONE;

	in = bpf_task_storage_get(&cg_inflight_map, bpf_get_current_task_btf(), NULL, 0);
	if (!in || !in->active)
		return 0;
	/* A record left by a call whose exit was never seen is not this call's. */
	if (in->syscall != syscall || in->abi != abi)
		goto out;
	config = cg_get_config();
	if (!config)
		goto out;
	/* The generation seen at entry: one call, one policy. */
	key.gen = in->gen;
	key.policy_id = in->policy_id;
	policy = bpf_map_lookup_elem(&cg_policies, &key);
	if (!policy)
		goto out;

	cred = cg_current_cred();
	cg_read_ids(cred, &new_ids);
	if (cg_reads_caps(policy, in->syscall))
		cg_read_caps(cred, &new_caps);
	else
		new_caps = in->old_caps;
	if (decides && config->fallback != CG_FALLBACK_NONE)
		verdict = cg_decide_at_exit(config, in, policy, cred, &new_ids, &new_caps);
	if (cg_observes(policy, in->syscall))
		cg_emit_syscall(in, ret, verdict == CG_VERDICT_KILLED ? verdict : CG_VERDICT_NONE,
				&new_ids, &new_caps);
out:
	in->active = 0;
	return 0;
}

/* ---- Attachments ------------------------------------------------------ */

/* uid_t/gid_t and int arguments are reported as the int the caller passed. */
#define CG_INT(x) ((__s64)(__s32)(x))

#define CG_TRACEPOINTS(name, sc, nargs, a0, a1, a2)                                                \
	SEC("tp/syscalls/sys_enter_" #name)                                                        \
	int cg_tp_enter_##name(struct trace_event_raw_sys_enter *ctx)                              \
	{                                                                                          \
		return cg_on_enter(sc, CG_ABI_X64, CG_PROBE_TRACEPOINT, nargs, a0, a1, a2);        \
	}                                                                                          \
	SEC("tp/syscalls/sys_exit_" #name)                                                         \
	int cg_tp_exit_##name(struct trace_event_raw_sys_exit *ctx)                                \
	{                                                                                          \
		return cg_on_exit(sc, CG_ABI_X64, ctx->ret, true);                                     \
	}

/* Read ctx->args[i] in place: the verifier refuses a pointer derived from ctx. */
#define A(i) CG_INT(ctx->args[i])
#define P(i) ((__s64)ctx->args[i])
CG_TRACEPOINTS(setuid, CG_SYS_SETUID, 1, A(0), 0, 0)
CG_TRACEPOINTS(setgid, CG_SYS_SETGID, 1, A(0), 0, 0)
CG_TRACEPOINTS(setreuid, CG_SYS_SETREUID, 2, A(0), A(1), 0)
CG_TRACEPOINTS(setregid, CG_SYS_SETREGID, 2, A(0), A(1), 0)
CG_TRACEPOINTS(setresuid, CG_SYS_SETRESUID, 3, A(0), A(1), A(2))
CG_TRACEPOINTS(setresgid, CG_SYS_SETRESGID, 3, A(0), A(1), A(2))
CG_TRACEPOINTS(setfsuid, CG_SYS_SETFSUID, 1, A(0), 0, 0)
CG_TRACEPOINTS(setfsgid, CG_SYS_SETFSGID, 1, A(0), 0, 0)
CG_TRACEPOINTS(setgroups, CG_SYS_SETGROUPS, 2, A(0), P(1), 0)
CG_TRACEPOINTS(capset, CG_SYS_CAPSET, 2, P(0), P(1), 0)
#undef A
#undef P

/*
 * ksyscall resolves the architecture's syscall function name (here
 * __x64_sys_*) and unwraps the pt_regs the syscall wrapper receives.
 */
#define CG_KPROBES(name, sc, nargs, a0, a1, a2)                                                    \
	SEC("ksyscall/" #name)                                                                     \
	int BPF_KSYSCALL(cg_kp_enter_##name, long arg0, long arg1, long arg2)                      \
	{                                                                                          \
		return cg_on_enter(sc, CG_ABI_X64, CG_PROBE_KPROBE, nargs, a0, a1, a2);            \
	}                                                                                          \
	SEC("kretsyscall/" #name)                                                                  \
	int BPF_KRETPROBE(cg_kp_exit_##name, long ret)                                             \
	{                                                                                          \
		return cg_on_exit(sc, CG_ABI_X64, ret, true);                                          \
	}

CG_KPROBES(setuid, CG_SYS_SETUID, 1, CG_INT(arg0), 0, 0)
CG_KPROBES(setgid, CG_SYS_SETGID, 1, CG_INT(arg0), 0, 0)
CG_KPROBES(setreuid, CG_SYS_SETREUID, 2, CG_INT(arg0), CG_INT(arg1), 0)
CG_KPROBES(setregid, CG_SYS_SETREGID, 2, CG_INT(arg0), CG_INT(arg1), 0)
CG_KPROBES(setresuid, CG_SYS_SETRESUID, 3, CG_INT(arg0), CG_INT(arg1), CG_INT(arg2))
CG_KPROBES(setresgid, CG_SYS_SETRESGID, 3, CG_INT(arg0), CG_INT(arg1), CG_INT(arg2))
CG_KPROBES(setfsuid, CG_SYS_SETFSUID, 1, CG_INT(arg0), 0, 0)
CG_KPROBES(setfsgid, CG_SYS_SETFSGID, 1, CG_INT(arg0), 0, 0)
CG_KPROBES(setgroups, CG_SYS_SETGROUPS, 2, CG_INT(arg0), arg1, 0)
CG_KPROBES(capset, CG_SYS_CAPSET, 2, arg0, arg1, 0)

/*
 * fentry/fexit on __x64_sys_*(const struct pt_regs *regs): the syscall's
 * arguments are in the user registers the wrapper receives, read with plain
 * loads through the BTF-typed pointer; fexit also sees the return value.
 */
#define CG_FENTRY(name, sc, nargs, a0, a1, a2)                                                     \
	SEC("fentry/__x64_sys_" #name)                                                             \
	int BPF_PROG(cg_fe_enter_##name, const struct pt_regs *regs)                               \
	{                                                                                          \
		return cg_on_enter(sc, CG_ABI_X64, CG_PROBE_FENTRY, nargs, a0, a1, a2);            \
	}                                                                                          \
	SEC("fexit/__x64_sys_" #name)                                                              \
	int BPF_PROG(cg_fe_exit_##name, const struct pt_regs *regs, long ret)                      \
	{                                                                                          \
		return cg_on_exit(sc, CG_ABI_X64, ret, true);                                          \
	}

#define R0 CG_INT(regs->di)
#define R1 CG_INT(regs->si)
#define R2 CG_INT(regs->dx)
CG_FENTRY(setuid, CG_SYS_SETUID, 1, R0, 0, 0)
CG_FENTRY(setgid, CG_SYS_SETGID, 1, R0, 0, 0)
CG_FENTRY(setreuid, CG_SYS_SETREUID, 2, R0, R1, 0)
CG_FENTRY(setregid, CG_SYS_SETREGID, 2, R0, R1, 0)
CG_FENTRY(setresuid, CG_SYS_SETRESUID, 3, R0, R1, R2)
CG_FENTRY(setresgid, CG_SYS_SETRESGID, 3, R0, R1, R2)
CG_FENTRY(setfsuid, CG_SYS_SETFSUID, 1, R0, 0, 0)
CG_FENTRY(setfsgid, CG_SYS_SETFSGID, 1, R0, 0, 0)
CG_FENTRY(setgroups, CG_SYS_SETGROUPS, 2, R0, (__s64)regs->si, 0)
CG_FENTRY(capset, CG_SYS_CAPSET, 2, (__s64)regs->di, (__s64)regs->si, 0)
#undef R0
#undef R1
#undef R2

/* ---- IA-32 system calls ------------------------------------------------ */

/*
 * A 64-bit process can make IA-32 system calls with int $0x80. The kernel
 * runs them through __ia32_sys_* (arguments in bx, cx, dx), which none of
 * the attachments above sees, and the per-syscall tracepoints skip them.
 * Without BPF LSM nothing would observe or decide them; with it, these only
 * observe (the exit program decides only where config->fallback says so).
 *
 * Every IA-32 credential call: the legacy ones take 16-bit ids (0xffff is
 * -1), the *32 ones and capset 32-bit ids; pointers are 32-bit. The number
 * is the call's in arch/x86/entry/syscalls/syscall_32.tbl.
 */
#define CG_IA32_CALLS(X)                                                                           \
	X(23, setuid16, CG_SYS_SETUID, CG_ABI_IA32_UID16, 1, cg_id16(bx), 0, 0)                    \
	X(46, setgid16, CG_SYS_SETGID, CG_ABI_IA32_UID16, 1, cg_id16(bx), 0, 0)                    \
	X(70, setreuid16, CG_SYS_SETREUID, CG_ABI_IA32_UID16, 2, cg_id16(bx), cg_id16(cx), 0)      \
	X(71, setregid16, CG_SYS_SETREGID, CG_ABI_IA32_UID16, 2, cg_id16(bx), cg_id16(cx), 0)      \
	X(81, setgroups16, CG_SYS_SETGROUPS, CG_ABI_IA32_UID16, 2, CG_INT(bx), (__u32)cx, 0)       \
	X(138, setfsuid16, CG_SYS_SETFSUID, CG_ABI_IA32_UID16, 1, cg_id16(bx), 0, 0)               \
	X(139, setfsgid16, CG_SYS_SETFSGID, CG_ABI_IA32_UID16, 1, cg_id16(bx), 0, 0)               \
	X(164, setresuid16, CG_SYS_SETRESUID, CG_ABI_IA32_UID16, 3, cg_id16(bx), cg_id16(cx),      \
	  cg_id16(dx))                                                                             \
	X(170, setresgid16, CG_SYS_SETRESGID, CG_ABI_IA32_UID16, 3, cg_id16(bx), cg_id16(cx),      \
	  cg_id16(dx))                                                                             \
	X(185, capset, CG_SYS_CAPSET, CG_ABI_IA32, 2, (__u32)bx, (__u32)cx, 0)                     \
	X(203, setreuid, CG_SYS_SETREUID, CG_ABI_IA32, 2, CG_INT(bx), CG_INT(cx), 0)               \
	X(204, setregid, CG_SYS_SETREGID, CG_ABI_IA32, 2, CG_INT(bx), CG_INT(cx), 0)               \
	X(206, setgroups, CG_SYS_SETGROUPS, CG_ABI_IA32, 2, CG_INT(bx), (__u32)cx, 0)              \
	X(208, setresuid, CG_SYS_SETRESUID, CG_ABI_IA32, 3, CG_INT(bx), CG_INT(cx), CG_INT(dx))    \
	X(210, setresgid, CG_SYS_SETRESGID, CG_ABI_IA32, 3, CG_INT(bx), CG_INT(cx), CG_INT(dx))    \
	X(213, setuid, CG_SYS_SETUID, CG_ABI_IA32, 1, CG_INT(bx), 0, 0)                            \
	X(214, setgid, CG_SYS_SETGID, CG_ABI_IA32, 1, CG_INT(bx), 0, 0)                            \
	X(215, setfsuid, CG_SYS_SETFSUID, CG_ABI_IA32, 1, CG_INT(bx), 0, 0)                        \
	X(216, setfsgid, CG_SYS_SETFSGID, CG_ABI_IA32, 1, CG_INT(bx), 0, 0)

/*
 * fentry/fexit and kprobes on __ia32_sys_*: only IA-32 calls run them, so
 * they cost 64-bit callers nothing. (__ia32_sys_setuid is setuid32's
 * function; the legacy call's is __ia32_sys_setuid16.)
 */
#define CG_FENTRY32_VARIANT(pfx, decides, func, sc, abi, nargs, a0, a1, a2)                        \
	SEC("fentry/__ia32_sys_" #func)                                                            \
	int BPF_PROG(pfx##enter_##func, const struct pt_regs *regs)                                \
	{                                                                                          \
		__u64 bx = regs->bx, cx = regs->cx, dx = regs->dx;                                 \
                                                                                                   \
		(void)bx, (void)cx, (void)dx;                                                      \
		return cg_on_enter(sc, abi, CG_PROBE_FENTRY, nargs, a0, a1, a2);                   \
	}                                                                                          \
	SEC("fexit/__ia32_sys_" #func)                                                             \
	int BPF_PROG(pfx##exit_##func, const struct pt_regs *regs, long ret)                       \
	{                                                                                          \
		return cg_on_exit(sc, abi, ret, decides);                                          \
	}
/* cg_fe32_*: they decide (no BPF LSM); cg_fe32o_*: they only observe. */
#define CG_FENTRY32(nr, func, sc, abi, nargs, a0, a1, a2)                                          \
	CG_FENTRY32_VARIANT(cg_fe32_, true, func, sc, abi, nargs, a0, a1, a2)                      \
	CG_FENTRY32_VARIANT(cg_fe32o_, false, func, sc, abi, nargs, a0, a1, a2)
CG_IA32_CALLS(CG_FENTRY32)

/* The wrapper's argument is the user's registers: read them from kernel memory. */
#define CG_KPROBE32_VARIANT(pfx, decides, func, sc, abi, nargs, a0, a1, a2)                        \
	SEC("kprobe/__ia32_sys_" #func)                                                            \
	int BPF_KPROBE(pfx##enter_##func, const struct pt_regs *regs)                              \
	{                                                                                          \
		__u64 bx = BPF_CORE_READ(regs, bx), cx = BPF_CORE_READ(regs, cx),                  \
		      dx = BPF_CORE_READ(regs, dx);                                                \
                                                                                                   \
		(void)bx, (void)cx, (void)dx;                                                      \
		return cg_on_enter(sc, abi, CG_PROBE_KPROBE, nargs, a0, a1, a2);                   \
	}                                                                                          \
	SEC("kretprobe/__ia32_sys_" #func)                                                         \
	int BPF_KRETPROBE(pfx##exit_##func, long ret)                                              \
	{                                                                                          \
		return cg_on_exit(sc, abi, ret, decides);                                          \
	}
#define CG_KPROBE32(nr, func, sc, abi, nargs, a0, a1, a2)                                          \
	CG_KPROBE32_VARIANT(cg_kp32_, true, func, sc, abi, nargs, a0, a1, a2)                      \
	CG_KPROBE32_VARIANT(cg_kp32o_, false, func, sc, abi, nargs, a0, a1, a2)
CG_IA32_CALLS(CG_KPROBE32)

/*
 * Where only tracepoints work: the raw sys_enter and sys_exit tracepoints
 * see every call of every task, IA-32 ones included. They return at once
 * unless the task is in an IA-32 call (thread_info.status has TS_COMPAT,
 * set at int $0x80 entry and cleared only on the way back to user space,
 * after sys_exit), then dispatch on the IA-32 number.
 */
#define CG_TS_COMPAT 0x0002

static __always_inline bool cg_in_ia32_syscall(void)
{
	return bpf_get_current_task_btf()->thread_info.status & CG_TS_COMPAT;
}

struct cg_ia32_call {
	__u32 syscall;
	__u32 abi;
	__u32 nargs;
	__s64 args[3];
};

/* Fill @call for IA-32 call @nr; false for a call this file does not watch. */
static __always_inline bool cg_ia32_decode(long nr, __u64 bx, __u64 cx, __u64 dx, struct cg_ia32_call *call)
{
	switch (nr) {
#define CG_DECODE32(n, func, sc, abi_, nargs_, a0, a1, a2)                                         \
	case n:                                                                                    \
		call->syscall = sc, call->abi = abi_, call->nargs = nargs_;                        \
		call->args[0] = a0, call->args[1] = a1, call->args[2] = a2;                        \
		return true;
		CG_IA32_CALLS(CG_DECODE32)
#undef CG_DECODE32
	}
	return false;
}

static __always_inline int cg_ia32_tp_enter(struct pt_regs *regs, long id)
{
	struct cg_ia32_call call;

	if (!cg_in_ia32_syscall())
		return 0;
	if (!cg_ia32_decode(id, regs->bx, regs->cx, regs->dx, &call))
		return 0;
	return cg_on_enter(call.syscall, call.abi, CG_PROBE_TRACEPOINT, call.nargs, call.args[0], call.args[1],
			   call.args[2]);
}

static __always_inline int cg_ia32_tp_exit(struct pt_regs *regs, long ret, bool decides)
{
	struct cg_ia32_call call;

	if (!cg_in_ia32_syscall())
		return 0;
	/* orig_ax keeps the call's number; ax now holds its return value. */
	if (!cg_ia32_decode((long)(int)regs->orig_ax, 0, 0, 0, &call))
		return 0;
	return cg_on_exit(call.syscall, call.abi, ret, decides);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(cg_tp32_enter, struct pt_regs *regs, long id)
{
	return cg_ia32_tp_enter(regs, id);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(cg_tp32_exit, struct pt_regs *regs, long ret)
{
	return cg_ia32_tp_exit(regs, ret, true);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(cg_tp32o_enter, struct pt_regs *regs, long id)
{
	return cg_ia32_tp_enter(regs, id);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(cg_tp32o_exit, struct pt_regs *regs, long ret)
{
	return cg_ia32_tp_exit(regs, ret, false);
}
