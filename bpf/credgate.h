/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Types shared by the BPF programs and user space: map keys and values,
 * ring-buffer events and the constants both sides must agree on.
 *
 * Plain types only, and no #include: BPF code gets __u32 and friends from
 * vmlinux.h, user space from <linux/types.h>, included before this file.
 * Every struct is laid out with explicit padding so that its size is the
 * same for clang -target bpf and for the host compiler.
 */
#ifndef CREDGATE_H
#define CREDGATE_H

#define CG_COMM_LEN 16
/* Policies one generation can hold (the maps hold two generations). */
#define CG_MAX_POLICIES 512
/* Rules of one kind (setuid, setgid, setgroups) in one policy. */
#define CG_MAX_ID_RULES 32
/* Capability rules in one policy. */
#define CG_MAX_CAP_RULES 16
/* Cgroups bound directly to a policy, per generation. */
#define CG_MAX_BINDINGS 16384
/* Ancestors examined when looking for the nearest governed cgroup. */
#define CG_MAX_CGROUP_DEPTH 32
/* Supplementary groups copied into an event; the count is always exact. */
#define CG_EVENT_MAX_GROUPS 32
/* Highest capability number the kernel may know (CAP_LAST_CAP is 40). */
#define CG_CAP_LAST 63

/* Policy id meaning "no policy governs this cgroup". */
#define CG_NO_POLICY 0xffffffffu
/* Rule index meaning "no rule decided": the default verdict applied. */
#define CG_NO_RULE 0xffffu
/* An id of -1 (as in setresuid(-1, ...)): "leave unchanged". */
#define CG_ID_UNCHANGED 0xffffffffu

/* The LSM_SETID_* flags of task_fix_setuid/setgid: #defines, not in BTF. */
#define CG_SETID_ID 1 /* setuid, setgid */
#define CG_SETID_RE 2 /* setreuid, setregid */
#define CG_SETID_RES 4 /* setresuid, setresgid */
#define CG_SETID_FS 8 /* setfsuid, setfsgid */

enum cg_mode {
	CG_MODE_NONE = 0, /* inherit the policy's mode (rules only) */
	CG_MODE_AUDIT = 1,
	CG_MODE_ENFORCE = 2,
};

enum cg_action {
	CG_ACTION_DENY = 1,
	CG_ACTION_ALLOW = 2,
};

enum cg_verdict {
	CG_VERDICT_NONE = 0,	/* observation only: nothing was decided */
	CG_VERDICT_ALLOWED = 1,
	CG_VERDICT_AUDITED = 2, /* a rule would deny; audit mode let it pass */
	CG_VERDICT_DENIED = 3,	/* the LSM hook returned -EPERM */
	CG_VERDICT_KILLED = 4,	/* no LSM: the caller got SIGKILL */
};

/* The LSM hooks credgate governs. */
enum cg_hook {
	CG_HOOK_NONE = 0,
	CG_HOOK_SETUID = 1,    /* task_fix_setuid */
	CG_HOOK_SETGID = 2,    /* task_fix_setgid */
	CG_HOOK_SETGROUPS = 3, /* task_fix_setgroups */
	CG_HOOK_CAPSET = 4,    /* capset */
	CG_HOOK_MAX,
};

/* Credential-change system calls observed at entry and exit. */
enum cg_syscall {
	CG_SYS_SETUID = 0,
	CG_SYS_SETGID,
	CG_SYS_SETREUID,
	CG_SYS_SETREGID,
	CG_SYS_SETRESUID,
	CG_SYS_SETRESGID,
	CG_SYS_SETFSUID,
	CG_SYS_SETFSGID,
	CG_SYS_SETGROUPS,
	CG_SYS_CAPSET,
	CG_SYS_MAX,
};

/* How an observation program is attached; reported in events and status. */
enum cg_probe_kind {
	CG_PROBE_TRACEPOINT = 1,
	CG_PROBE_KPROBE = 2,
	CG_PROBE_FENTRY = 3,
};

/* Capability sets, as bits of cg_cap_rule.sets. */
enum cg_cap_set {
	CG_CAPSET_PERMITTED = 1 << 0,
	CG_CAPSET_EFFECTIVE = 1 << 1,
	CG_CAPSET_INHERITABLE = 1 << 2,
};

/*
 * Without BPF LSM, the syscall-exit programs decide instead, on the
 * credentials before and after the call: they can report a violation and,
 * in kill mode, send SIGKILL before the caller returns to user space.
 */
enum cg_fallback {
	CG_FALLBACK_NONE = 0,	 /* BPF LSM decides; exit programs only observe */
	CG_FALLBACK_OBSERVE = 1, /* report violations as audited, never stop them */
	CG_FALLBACK_KILL = 2,	 /* SIGKILL the caller of an enforce violation */
};

/* ---- Policy maps ------------------------------------------------------ */

/*
 * Policy maps are keyed by a generation number. User space writes a whole
 * new generation, then publishes it by storing its number in cg_config.gen;
 * a program reads the generation once and makes every lookup of one decision
 * with it, so a decision never mixes two policies and there is no instant
 * without one. The old generation is deleted after a grace period.
 */
struct cg_config {
	__u32 gen;
	/* enum cg_fallback: who decides when there is no BPF LSM. */
	__u32 fallback;
	/* Pid namespace inode of the host, for "outside host_ns" selectors. */
	__u64 host_pidns_ino;
};

struct cg_binding_key {
	__u32 gen;
	__u32 pad;
	__u64 cgroup_id;
};

struct cg_binding {
	__u32 policy_id;
	__u32 pad;
};

struct cg_policy_key {
	__u32 gen;
	__u32 policy_id;
};

/*
 * One id rule. A transition of one id slot from "from" to "to" matches when
 * both lie in their inclusive ranges. [0, 0xffffffff] means any.
 */
struct cg_id_rule {
	__u32 from_lo;
	__u32 from_hi;
	__u32 to_lo;
	__u32 to_hi;
	__u8 action; /* enum cg_action */
	__u8 mode;   /* enum cg_mode, resolved: never CG_MODE_NONE */
	__u16 rule_index;
};

struct cg_id_rules {
	__u32 count;
	__u32 pad;
	struct cg_id_rule rule[CG_MAX_ID_RULES];
};

struct cg_cap_rule {
	__u64 caps;  /* bit n: capability n */
	__u8 sets;   /* enum cg_cap_set bits the rule looks at */
	__u8 action; /* enum cg_action */
	__u8 mode;   /* enum cg_mode, resolved */
	__u8 pad;
	__u16 rule_index;
	__u16 pad2;
};

struct cg_cap_rules {
	__u32 count;
	__u32 pad;
	struct cg_cap_rule rule[CG_MAX_CAP_RULES];
};

/* Policy flags. */
#define CG_POLICY_OBSERVE (1u << 0)	   /* emit syscall observations */
#define CG_POLICY_REPORT_ALLOWED (1u << 1) /* emit decisions that allow */

struct cg_policy {
	__u32 policy_id;
	__u32 flags; /* CG_POLICY_* */
	__u8 mode;   /* enum cg_mode, the policy's default */
	__u8 pad[7];
	struct cg_id_rules setuid;
	struct cg_id_rules setgid;
	struct cg_id_rules setgroups; /* from_* unused: each new gid is "to" */
	struct cg_cap_rules capset;
};

/* Per-cgroup resolution cache: valid only for the generation it names. */
struct cg_cgroup_cache {
	__u32 gen;
	__u32 policy_id;
};

/* Per-task cache of cg_cgroup_cache: valid for one cgroup and generation. */
struct cg_task_policy {
	__u64 cgroup_id;
	__u32 gen;
	__u32 policy_id;
};

/* Counters, per CPU, indexed by enum cg_counter. */
enum cg_counter {
	CG_CNT_RINGBUF_FULL = 0, /* events lost: ring buffer reservation failed */
	CG_CNT_INFLIGHT_FULL,	 /* observations lost: no memory for the in-flight record */
	CG_CNT_ALLOWED,
	CG_CNT_AUDITED,
	CG_CNT_DENIED,
	CG_CNT_KILLED,
	CG_CNT_CACHE_MISS, /* cgroup resolutions that walked ancestors */
	CG_CNT_MAX,
};

/* ---- Events ----------------------------------------------------------- */

enum cg_event_type {
	CG_EVENT_DECISION = 1,
	CG_EVENT_SYSCALL = 2,
};

struct cg_ids {
	__u32 uid, euid, suid, fsuid;
	__u32 gid, egid, sgid, fsgid;
};

struct cg_caps {
	__u64 permitted;
	__u64 effective;
	__u64 inheritable;
};

/* Common to every event; the first field tells the type. */
struct cg_event_header {
	__u32 type; /* enum cg_event_type */
	__u32 size; /* bytes of the whole event, for validation */
	__u64 time_ns;	      /* CLOCK_BOOTTIME */
	__u64 start_boottime; /* the task's start, CLOCK_BOOTTIME, for identity */
	__u64 cgroup_id;
	__u32 pid; /* thread group id */
	__u32 tid;
	__u32 ppid;
	__u32 pidns_ino; /* the task's pid namespace */
	char comm[CG_COMM_LEN];
};

struct cg_decision_event {
	struct cg_event_header hdr;
	__u32 hook;	   /* enum cg_hook */
	__u32 setid_flags; /* CG_SETID_* for setuid/setgid */
	__u32 policy_id;
	__u16 rule_index; /* CG_NO_RULE when no rule matched */
	__u8 mode;	  /* enum cg_mode that applied */
	__u8 verdict;	  /* enum cg_verdict */
	__u32 ngroups_old;
	__u32 ngroups_new;
	__u32 policy_gen; /* the generation policy_id belongs to */
	__u32 pad;
	/* The id (or gid for setgroups) that triggered the rule. */
	__u32 subject_from;
	__u32 subject_to;
	struct cg_ids old_ids;
	struct cg_ids new_ids;
	struct cg_caps old_caps;
	struct cg_caps new_caps;
	__u32 groups_new[CG_EVENT_MAX_GROUPS];
};

struct cg_syscall_event {
	struct cg_event_header hdr;
	__u32 syscall; /* enum cg_syscall */
	__u32 probe;   /* enum cg_probe_kind */
	__u32 policy_id;
	__u16 rule_index;
	__u8 verdict; /* CG_VERDICT_NONE, or KILLED in --lsm-unavailable=kill */
	__u8 nargs;
	__s64 args[3];
	__s64 ret;
	struct cg_ids old_ids; /* at entry */
	struct cg_ids new_ids; /* at exit */
	struct cg_caps old_caps;
	struct cg_caps new_caps;
	__u32 ngroups;	  /* setgroups: the size argument */
	__u32 policy_gen; /* the generation policy_id belongs to */
	__u32 groups[CG_EVENT_MAX_GROUPS]; /* setgroups: the first gids */
};

#endif /* CREDGATE_H */
