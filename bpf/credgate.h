/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Types shared by the BPF programs and user space: map keys and values,
 * ring-buffer events and the constants both sides must agree on.
 *
 * Plain types only, and no #include: BPF code gets __u32 and friends from
 * vmlinux.h, user space from <linux/types.h>, included before this file.
 * Every struct is laid out with explicit padding so that its size is the
 * same for clang -target bpf and for the host compiler.
 *
 * Over 600 lines on purpose: this is the whole contract between the kernel
 * side and user space, and one file is what both compilers read, so that
 * a layout can only change for both at once. Most of its lines are the
 * comments that say what each field means and who writes it.
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
/* Cgroups tracked per generation (every cgroup of the host has an entry). */
#define CG_MAX_CGROUPS 32768
/* Depth of cgroups the agent evaluates, and ancestors a lookup may walk. */
#define CG_MAX_CGROUP_DEPTH 32
/* Selector matching (see "Cgroup selection" below). */
#define CG_MAX_NFA_STATES 256
#define CG_MAX_PREDICATES 256
#define CG_MAX_SELECTORS 256
#define CG_PATTERN_LEN 128 /* one path component: a literal or a glob */
#define CG_NAME_LEN 256	   /* a cgroup directory name, NUL included */
/* Allowed target uid ranges of one exec rule. */
#define CG_MAX_EXEC_UIDS 16
/* Paths in exec events and exec allow lists, NUL included. */
#define CG_PATH_LEN 256
/* The executed file's path in an exec event, NUL included (a power of two). */
#define CG_BINARY_LEN 512
/* Dentries and mounts the walk to the root may cross (bpf/path.bpf.h). */
#define CG_BINARY_MAX_STEPS 1024
/* Bytes of a new program's arguments in an exec event. */
#define CG_ARGS_LEN 1024
/* Supplementary groups copied into an event; the count is always exact. */
#define CG_EVENT_MAX_GROUPS 32
/* Highest capability number the kernel may know (CAP_LAST_CAP is 40). */
#define CG_CAP_LAST 63

/* Policy id meaning "no policy governs this cgroup". */
#define CG_NO_POLICY 0xffffffffu
/*
 * Policy id of the fail-closed policy: it governs a cgroup whose state the
 * kernel could not store (the cgroup map full, or no memory), in a
 * generation with an enforcing policy. It refuses every credential change.
 */
#define CG_FAIL_CLOSED_POLICY 0xfffffffeu
/* Rule index meaning "no rule decided": the default verdict applied. */
#define CG_NO_RULE 0xffffu
/* Predicate index meaning "none" (cg_generation.container_predicate). */
#define CG_NO_PREDICATE 0xffffu
/* The cgroup2 hierarchy's id (cgroup_root.hierarchy_id of cgrp_dfl_root). */
#define CG_DFL_HIERARCHY_ID 0
/* PROC_PID_INIT_INO: the initial ("host") pid namespace's inode number. */
#define CG_HOST_PIDNS_INO 0xEFFFFFFCu
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
	/*
	 * Constrain the source with no allowed target: SafeSetID's transitivity
	 * rule, added by the compiler for a target no allow rule constrains.
	 */
	CG_ACTION_CONSTRAIN = 3,
};

/* cg_*_rule.flags */
#define CG_RULE_KILL (1u << 0) /* enforced: also SIGKILL the caller (Tetragon's Sigkill) */
/*
 * Set by the kernel in cg_decision_event.rule_flags, never in a rule: a
 * capability rule decided, so subject_from is a set (enum cg_cap_set) and
 * subject_to a capability, whatever the hook (capset, set*id, exec).
 */
#define CG_RULE_SUBJECT_CAP (1u << 7)

enum cg_verdict {
	CG_VERDICT_NONE = 0,	/* observation only: nothing was decided */
	CG_VERDICT_ALLOWED = 1,
	CG_VERDICT_AUDITED = 2, /* a rule would deny; audit mode let it pass */
	CG_VERDICT_DENIED = 3,	/* the LSM hook returned -EPERM */
	CG_VERDICT_KILLED = 4,	/* no LSM: the caller got SIGKILL */
	CG_VERDICT_COUNT,
};

/* The LSM hooks credgate governs. */
enum cg_hook {
	CG_HOOK_NONE = 0,
	CG_HOOK_SETUID = 1,    /* task_fix_setuid */
	CG_HOOK_SETGID = 2,    /* task_fix_setgid */
	CG_HOOK_SETGROUPS = 3, /* task_fix_setgroups */
	CG_HOOK_CAPSET = 4,    /* capset */
	CG_HOOK_EXEC = 5,      /* bprm_creds_from_file: privilege gained by exec */
	CG_HOOK_USERNS = 6,    /* userns_create */
	CG_HOOK_PRCTL = 7,     /* task_prctl: PR_CAP_AMBIENT_RAISE */
	CG_HOOK_CAPABLE = 8,   /* capable: CAP_SYS_ADMIN to setns() into a user namespace */
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

/*
 * Which system call table a call came through (cg_syscall_event.abi). A
 * 64-bit process can make IA-32 calls with int $0x80: the kernel runs them
 * through __ia32_sys_*, which the x86-64 attachments never see, and the
 * legacy IA-32 calls (setuid, not setuid32) take 16-bit ids.
 */
enum cg_syscall_abi {
	CG_ABI_X64 = 0,	       /* __x64_sys_* */
	CG_ABI_IA32 = 1,       /* __ia32_sys_*: setuid32 ... setgroups32, capset */
	CG_ABI_IA32_UID16 = 2, /* __ia32_sys_*16: the legacy 16-bit-id calls */
	CG_ABI_MAX,
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
	CG_CAPSET_AMBIENT = 1 << 3, /* raised with prctl(PR_CAP_AMBIENT_RAISE) */
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
	/*
	 * The generation user space is preparing, or 0. While it is set, the
	 * cgroup creation program computes new cgroups' states for it too, so
	 * no cgroup created during a publish is missing from it.
	 */
	__u32 next_gen;
	__u32 pad;
};

/*
 * ---- Cgroup selection ----------------------------------------------------
 *
 * Every selector key (cgroup path or glob, systemd unit, container, pod,
 * QoS class, "in a container") compiles to a predicate: one or more path
 * patterns, each a sequence of component matchers. All patterns of all
 * policies form one NFA over path components. Each cgroup has a state: the
 * NFA states active after its path, and the predicates that matched it or
 * an ancestor. A selector holds when all its predicates hold (and, for
 * "host: true", the cgroup is not in a container); a policy governs the
 * cgroups where one of its selectors holds, the most specific (deepest)
 * selector winning, then the higher priority.
 *
 * User space computes the state of every existing cgroup; a tp_btf program
 * on cgroup_mkdir computes a new cgroup's state from its parent's, under
 * the cgroup mutex, before any task can enter it. So a new cgroup is
 * governed from its first instruction, with no user space in the loop.
 */

/* NFA states: pattern i of a predicate is states [s, s + components]. */
enum cg_match_kind {
	CG_MATCH_LITERAL = 1, /* the component equals pattern */
	CG_MATCH_GLOB = 2,    /* pattern with '?' and at most one '*' */
	CG_MATCH_ANY_SEQ = 3, /* "**": zero or more components */
	CG_MATCH_END = 4,     /* the pattern matched: predicate accepts here */
};

struct cg_nfa_key {
	__u32 gen;
	__u32 state;
};

/*
 * A state at position k of a pattern consumes component k: on a match the
 * next state (state + 1) becomes active. ANY_SEQ also stays active, and
 * makes the next state active at once (it may match nothing). END states
 * consume nothing; reaching one means predicate `predicate` holds.
 */
struct cg_nfa_state {
	__u8 kind;	/* enum cg_match_kind */
	__u8 star;	/* GLOB: position of the '*', or 0xff when none */
	__u16 len;	/* pattern length, < CG_PATTERN_LEN */
	__u16 predicate; /* END: the predicate */
	__u16 pad;
	char pattern[CG_PATTERN_LEN];
};

struct cg_selector_key {
	__u32 gen;
	__u32 index;
};

/* cg_selector.flags */
#define CG_SELECTOR_HOST (1u << 0) /* "host: true": never inside a container */

struct cg_selector {
	__u64 require[CG_MAX_PREDICATES / 64]; /* all must hold (may be empty) */
	__u32 policy_id;
	__s32 priority;
	__u32 flags; /* CG_SELECTOR_* */
	__u32 pad;
};

/* cg_generation.flags */
/*
 * SELinux is not enabled on this host: no process has an SELinux type, so a
 * policy that requires one (cg_policy.selinux_types) governs nobody, and no
 * process needs a label for that to hold.
 */
#define CG_GENERATION_NO_SELINUX (1u << 0)
/*
 * A policy of the generation chooses containers by what their runtime knows
 * (containerName, image, labels): a new container's own cgroup is told to
 * user space (CG_EVENT_CONTAINER), which binds it unless the runtime's hook
 * already did (agent/daemon/containers.c).
 */
#define CG_GENERATION_IDENTITY (1u << 1)

/* Per generation: the sizes of its tables. */
struct cg_generation {
	__u32 nstates;
	__u32 nselectors;
	__u16 container_predicate; /* "inside a container", or CG_NO_PREDICATE */
	__u16 flags;		   /* CG_GENERATION_* */
	__u16 seal_predicate;	   /* "a container's own cgroup", or CG_NO_PREDICATE */
	__u16 pad2;
	/* NFA states active at the root cgroup (before any component). */
	__u64 root_active[CG_MAX_NFA_STATES / 64];
};

struct cg_cgroup_key {
	__u32 gen;
	__u32 pad;
	__u64 cgroup_id;
};

/* The best selector found so far on a cgroup's path. */
struct cg_winner {
	__u32 policy_id; /* CG_NO_POLICY when none */
	__s32 priority;
	__u16 depth;	 /* where the selector started to hold */
	__u16 selector;
};

/* cg_cgroup_state.flags */
#define CG_CGROUP_AMBIGUOUS (1u << 0) /* two policies tied; the lower id won */
/*
 * Names below this cgroup confer nothing: it is a container's cgroup, or a
 * delegated one (a non-root user may create cgroups in it). Its descendants
 * are governed as it is, and have no state of their own (see cg_ancestor_policy()).
 */
#define CG_CGROUP_SEALED (1u << 1)

struct cg_cgroup_state {
	__u64 active[CG_MAX_NFA_STATES / 64];
	__u64 held[CG_MAX_PREDICATES / 64];
	struct cg_winner plain; /* best selector without the host condition */
	struct cg_winner host;	/* best "host: true" selector, until a container */
	__u32 policy_id;	/* the winner of the two: what the hooks use */
	__u16 depth;
	__u16 flags;
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
	__u16 rule_index;
	__u8 action;	 /* enum cg_action */
	__u8 mode;	 /* enum cg_mode, resolved: never CG_MODE_NONE */
	__u8 flags;	 /* CG_RULE_* */
	__u8 err;	 /* errno returned when enforced: EPERM unless a policy says */
	__u8 setid_mask; /* CG_SETID_* calls the rule applies to; 0: all */
	__u8 pad;
};

struct cg_id_rules {
	__u32 count;
	__u32 pad;
	struct cg_id_rule rule[CG_MAX_ID_RULES];
};

struct cg_cap_rule {
	__u64 caps;  /* bit n: capability n */
	__u8 sets;   /* enum cg_cap_set bits the rule looks at */
	__u8 action; /* enum cg_action: DENY or ALLOW */
	__u8 mode;   /* enum cg_mode, resolved */
	__u8 flags;  /* CG_RULE_* */
	__u16 rule_index;
	__u8 err;
	__u8 pad;
};

struct cg_cap_rules {
	__u32 count;
	__u32 pad;
	struct cg_cap_rule rule[CG_MAX_CAP_RULES];
};

/*
 * Privilege gained by executing a set-user-ID / set-group-ID binary or one
 * with file capabilities. Paths allowed are in cg_exec_paths.
 */
struct cg_exec_rule {
	__u16 rule_index; /* CG_NO_RULE: the policy has no exec rule */
	__u8 mode;
	__u8 flags; /* CG_RULE_* */
	__u32 nuids;
	struct {
		__u32 lo, hi;
	} allow_uids[CG_MAX_EXEC_UIDS]; /* target euids always allowed */
};

struct cg_exec_path_key {
	__u32 gen;
	__u32 policy_id;
	char path[CG_PATH_LEN]; /* NUL-padded */
};

/* Creating a user namespace, or joining one with setns(). */
struct cg_userns_rule {
	__u16 rule_index; /* CG_NO_RULE: the policy has no userns rule */
	__u8 mode;
	__u8 flags;
};

/* SELinux types a policy set names (selinuxType selectors), per generation. */
#define CG_MAX_SELINUX_TYPES 64

/*
 * Per task (thread group leader): which of the generation's SELinux labels
 * the task's context has. User space writes it (with a pidfd as key) from
 * /proc/PID/attr/current at exec, for every process at start and when a
 * generation is published; a fork copies its parent's; an exec clears gen
 * (a domain transition may change the context). A task not labelled yet
 * for the generation in force counts as matching (fail closed: the policy
 * applies). docs/selinux.md explains why the kernel side cannot read the
 * context itself.
 */
struct cg_task_label {
	__u64 selinux_types; /* bit i: type i of the generation's table */
	__u32 gen;
	__u32 pad;
};

/* Policy flags. */
#define CG_POLICY_OBSERVE (1u << 0)	     /* emit syscall observations */
#define CG_POLICY_REPORT_ALLOWED (1u << 1)   /* emit decisions that allow */
#define CG_POLICY_REGAIN_ALLOWED (1u << 2)   /* moving to an id held in r/e/s is not checked */
#define CG_POLICY_PIDNS_NOT_HOST (1u << 3)   /* only processes outside the host pid ns */
#define CG_POLICY_PIDNS_HOST (1u << 4)	     /* only processes in the host pid ns */

struct cg_policy {
	__u32 policy_id;
	__u32 flags; /* CG_POLICY_* */
	__u8 mode;   /* enum cg_mode, the policy's default */
	__u8 pad[3];
	__u32 observe_syscalls; /* bit (1 << enum cg_syscall): which calls to observe */
	__u64 selinux_types;	/* 0: any process; else one of these SELinux types */
	struct cg_id_rules setuid;
	struct cg_id_rules setgid;
	struct cg_id_rules setgroups; /* from_* unused: each new gid is "to" */
	struct cg_cap_rules capset;
	struct cg_exec_rule exec;
	struct cg_userns_rule userns;
	__u32 pad2;
};

/*
 * Per task: the policy of the cgroup and generation it was in at its last
 * credential change (valid while both are the same), the governing cgroup
 * (the one whose stored state decided that policy: the task's own, or the
 * sealed ancestor of a container or delegation; the ring buffer's budget
 * and loss counts are kept under it), and its pid namespace (a task never
 * changes its own pid namespace).
 */
struct cg_task_policy {
	__u64 cgroup_id;
	__u64 governing_id;
	__u32 gen;
	__u32 policy_id;
	__u32 pidns_ino;
	__u32 pad;
};

/*
 * What the agent already reported of the loss counters: pinned with the
 * rest, so an agent that adopts the maps reports only losses that are new.
 */
struct cg_agent_state {
	__u64 reported_ringbuf_full;
	__u64 reported_inflight_full;
	__u64 reported_process_lost;
};

/* Counters, per CPU, indexed by enum cg_counter. */
enum cg_counter {
	CG_CNT_RINGBUF_FULL = 0, /* events lost: ring buffer reservation failed */
	CG_CNT_INFLIGHT_FULL,	 /* observations lost: no memory for the in-flight record */
	CG_CNT_ALLOWED,
	CG_CNT_AUDITED,
	CG_CNT_DENIED,
	CG_CNT_KILLED,
	CG_CNT_CGROUP_UNKNOWN, /* a cgroup with no state: resolved from an ancestor */
	CG_CNT_CGROUP_AMBIGUOUS, /* a new cgroup where two policies tied */
	CG_CNT_MKDIR_FAILED,	 /* a new cgroup's state could not be stored */
	CG_CNT_PROCESS_LOST,	 /* exec/fork/exit records lost: ring buffer full */
	CG_CNT_LABEL_UNKNOWN,	 /* a selinuxType policy met a task not labelled yet */
	/* Decisions by hook and verdict: CG_CNT_BY_HOOK + hook * CG_VERDICT_COUNT + verdict. */
	CG_CNT_BY_HOOK,
	CG_CNT_MAX = CG_CNT_BY_HOOK + CG_HOOK_MAX * CG_VERDICT_COUNT,
};

/*
 * Events of one governing cgroup not delivered (bpf/budget.bpf.h), by kind
 * and cause: over the cgroup's budget while the ring buffer filled, or the
 * buffer full. Key: the governing cgroup's id (struct cg_task_policy); 0
 * holds losses of cgroups the map had no room for.
 */
#define CG_MAX_LOSS_CGROUPS 16384
struct cg_cgroup_loss {
	__u64 decisions_budget;
	__u64 decisions_full;
	__u64 observations_budget;
	__u64 observations_full;
};

/* ---- Events ----------------------------------------------------------- */

enum cg_event_type {
	CG_EVENT_DECISION = 1,
	CG_EVENT_SYSCALL = 2,
	CG_EVENT_EXEC_DECISION = 3, /* cg_exec_decision_event */
	CG_EVENT_EXEC = 4,	    /* cg_exec_event: a program started */
	CG_EVENT_FORK = 5,	    /* cg_fork_event: a process (not a thread) was created */
	CG_EVENT_EXIT = 6,	    /* cg_exit_event: a process's main thread exited */
	CG_EVENT_CONTAINER = 7,	    /* cg_container_event: a container's own cgroup was made */
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
	/*
	 * When the process's program started (its last execve, or its fork
	 * if it never exec'd), CLOCK_BOOTTIME; 0 if credgate never saw it.
	 * With the node name and pid it makes the process's exec_id.
	 */
	__u64 exec_boottime;
};

/*
 * A container's own cgroup was made (hdr.cgroup_id), in a generation with
 * CG_GENERATION_IDENTITY; the header's task is whoever made it (the
 * runtime). Sent only when the cgroup's state was stored.
 */
struct cg_container_event {
	struct cg_event_header hdr;
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
	__u8 err;	  /* DENIED: the errno returned */
	__u8 rule_flags;  /* CG_RULE_* of the deciding rule (KILL: SIGKILL sent too) */
	__u16 pad;
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
	__u16 probe;   /* enum cg_probe_kind */
	__u16 abi;     /* enum cg_syscall_abi */
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

/* exec_flags of an exec decision: where the privilege came from. */
#define CG_EXEC_SETUID (1u << 0)    /* the effective uid changed */
#define CG_EXEC_SETGID (1u << 1)    /* the effective gid changed */
#define CG_EXEC_FILE_CAPS (1u << 2) /* permitted or effective capabilities grew */

/* A decision on privilege gained by exec: the decision, and the binary. */
struct cg_exec_decision_event {
	struct cg_decision_event d; /* d.hdr.type == CG_EVENT_EXEC_DECISION */
	__u32 exec_flags;
	__u32 pad;
	char filename[CG_PATH_LEN]; /* as given to execve(), NUL-terminated */
};

/* ---- Process lifecycle ----------------------------------------------- */

/* Per task (task storage), kept across the agent's restarts when pinned. */
struct cg_task_exec {
	__u64 exec_boottime; /* see cg_event_header.exec_boottime */
	__u32 binary_flags;  /* CG_EXEC_* of that exec */
	__u32 flags;	     /* CG_PROC_* */
};

#define CG_PROC_EXECVE (1u << 0) /* the program came from an execve credgate saw */
#define CG_PROC_CLONE (1u << 1)	 /* a fork that has not exec'd since */

/*
 * cg_exec_event.path_flags. The path is walked in the kernel, dentry by
 * dentry and mount by mount, up to the task's root (as d_path() does);
 * what the walk cannot name is said, never guessed.
 */
#define CG_BINARY_DELETED (1u << 0)	 /* unlinked: binary is its last path and " (deleted)" */
#define CG_BINARY_OUTSIDE_ROOT (1u << 1) /* not below the task's root: binary is from its mount tree's root */
#define CG_BINARY_TOO_LONG (1u << 2)	 /* CG_BINARY_LEN or longer */
#define CG_BINARY_TOO_DEEP (1u << 3)	 /* more than CG_BINARY_MAX_STEPS names and mounts */
#define CG_BINARY_DISCONNECTED (1u << 4) /* a dentry without a parent short of its mount's root */
#define CG_BINARY_NO_FILE (1u << 5)	 /* no file to name, or reading it failed */
#define CG_BINARY_UNRESOLVED                                                                       \
	(CG_BINARY_TOO_LONG | CG_BINARY_TOO_DEEP | CG_BINARY_DISCONNECTED | CG_BINARY_NO_FILE)
#define CG_BINARY_KNOWN (CG_BINARY_DELETED | CG_BINARY_OUTSIDE_ROOT | CG_BINARY_UNRESOLVED)

struct cg_exec_event {
	struct cg_event_header hdr; /* after the exec: hdr.comm is the new program's */
	struct cg_ids ids;
	__u64 cap_permitted;
	__u64 cap_effective;
	__u32 auid;	    /* loginuid; 0xffffffff when unset */
	__u32 binary_flags; /* CG_EXEC_*: privilege this exec gained */
	__u32 policy_id;    /* the policy governing its cgroup, or CG_NO_POLICY */
	__u32 policy_gen;
	__u32 observe;	    /* that policy observes: report this exec */
	__u32 args_len;	    /* bytes of args: argv[0..] each NUL-terminated */
	__u32 args_truncated;
	__u32 path_flags;   /* CG_BINARY_*: how binary was found */
	char filename[CG_PATH_LEN]; /* as given to execve() */
	/*
	 * The file the kernel executed (for a script, its interpreter), from
	 * the task's root, NUL-terminated: see bpf/path.bpf.h. Empty when
	 * path_flags has a CG_BINARY_UNRESOLVED bit.
	 */
	char binary[CG_BINARY_LEN];
	char args[CG_ARGS_LEN];
};

struct cg_fork_event {
	struct cg_event_header hdr; /* the child */
	__u64 parent_start_boottime;
	__u64 parent_exec_boottime;
	__u32 parent_pid;
	__u32 pad;
};

struct cg_exit_event {
	struct cg_event_header hdr;
	__u32 exit_code; /* as wait() reports it */
	__u32 pad;
};

#endif /* CREDGATE_H */
