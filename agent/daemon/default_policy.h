/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef CREDGATE_DEFAULT_POLICY_H
#define CREDGATE_DEFAULT_POLICY_H

/*
 * The policy credgated runs with when no policy is configured: audit, on the
 * whole host, every change to uid or gid 0 and every capability gained, and
 * report every credential-change call. It stops nothing.
 */
extern const char credgate_builtin_policy_name[];
extern const char credgate_builtin_policy_yaml[];

#endif /* CREDGATE_DEFAULT_POLICY_H */
