/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer entry: any bytes through the parser, into a set that already
 * holds one policy (so duplicate names and all-or-nothing are exercised). */

#include <stdint.h>
#include <string.h>

#include "policy.h"

static const char seed_policy[] = "apiVersion: credgate.io/v1\n"
				  "kind: CredentialPolicy\n"
				  "metadata: {name: seed}\n"
				  "spec: {selector: {cgroup: /}}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_diags diags = {};
	struct policy_set *set = policy_set__new();
	char line[512];

	if (!set)
		return 0;
	if (policy_set__parse(set, "seed.yaml", seed_policy, strlen(seed_policy), &diags) != 0)
		__builtin_trap();
	if (policy_set__parse(set, "fuzz.yaml", (const char *)data, size, &diags) != 0 && set->count != 1)
		__builtin_trap(); /* a failed parse must leave the set as it was */
	for (size_t i = 0; i < diags.count; i++) {
		policy_diag_format(&diags.items[i], line, sizeof(line));
		if (strchr(line, '\n'))
			__builtin_trap();
	}
	policy_diags_clear(&diags);
	policy_set__free(set);
	return 0;
}
