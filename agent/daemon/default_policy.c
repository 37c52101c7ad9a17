// SPDX-License-Identifier: LGPL-2.1-or-later
#include "default_policy.h"

const char credgate_builtin_policy_name[] = "<builtin>";

/*
 * uid or gid 0 by any path (set*id calls, set-user-ID and set-group-ID
 * programs) and capabilities gained by any path (capset, a uid change, an
 * exec): the kernel side applies setuid, setgid and capset rules to each
 * (docs/policy.md, "Every path to privilege").
 */
const char credgate_builtin_policy_yaml[] =
	"apiVersion: credgate.io/v1\n"
	"kind: CredentialPolicy\n"
	"metadata:\n"
	"  name: builtin-audit-host\n"
	"spec:\n"
	"  mode: audit\n"
	"  observe: true\n"
	"  selector:\n"
	"    cgroup: /\n"
	"  setuid:\n"
	"    deny:\n"
	"      - to: 0\n"
	"  setgid:\n"
	"    deny:\n"
	"      - to: 0\n"
	"  capset:\n"
	"    denyGain: [all]\n";
