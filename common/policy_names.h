/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What events, status and logs name for decisions of no policy file: the
 * fail-closed policy (CG_FAIL_CLOSED_POLICY, which the agent publishes
 * beside a set that enforces), and a policy id this agent does not know.
 * A ':' is not allowed in metadata.name, so no policy file can take either
 * name. The rule texts say why; what precedes their ':' is the rule's label.
 *
 * Here, not in the publisher's header, because the event path names them
 * too and has no business with what writes the maps.
 */
#ifndef CREDGATE_COMMON_POLICY_NAMES_H
#define CREDGATE_COMMON_POLICY_NAMES_H

#define POLICY_FAIL_CLOSED_NAME "credgate:fail-closed"
#define POLICY_FAIL_CLOSED_RULE                                                                        \
	"fail-closed: the cgroup has no state in the kernel (the cgroup map was full, or out of memory) " \
	"and a policy enforces: every credential change refused"
#define POLICY_UNKNOWN_NAME "credgate:unknown"

#endif /* CREDGATE_COMMON_POLICY_NAMES_H */
