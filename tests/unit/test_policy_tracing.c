/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of Tetragon's TracingPolicy in policy/: the reference policy
 * loads unchanged, each action compiles to its rule, and every field
 * credgate does not support is refused by name (more in the bad corpus:
 * bad/tracing-*.yaml).
 */

#include "test_policy_common.c"

#define ANY_HI 0xffffffffu
#define SETID_CALLS                                                                                     \
	((1u << CG_SYS_SETUID) | (1u << CG_SYS_SETGID) | (1u << CG_SYS_SETREUID) | (1u << CG_SYS_SETREGID) | \
	 (1u << CG_SYS_SETRESUID) | (1u << CG_SYS_SETRESGID) | (1u << CG_SYS_SETFSUID) | (1u << CG_SYS_SETFSGID))

static const char tracing_head[] = "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata:\n  name: tp\nspec:\n";

static char *tracing_policy(const char *spec)
{
	char *text;

	assert_true(asprintf(&text, "%s%s", tracing_head, spec) > 0);
	return text;
}

/* The reference file, byte for byte as Tetragon ships it. */
static void test_reference_policy(void **state)
{
	struct policy_set *set = test_set();
	struct policy_diags diags = {};
	char *path = data_path("good/process.credentials.changes.at.syscalls.yaml");
	struct cg_policy expected = {
		.policy_id = 0,
		.flags = CG_POLICY_OBSERVE | CG_POLICY_PIDNS_NOT_HOST,
		.mode = CG_MODE_AUDIT,
		.observe_syscalls = SETID_CALLS,
		.exec = { .rule_index = CG_NO_RULE },
		.userns = { .rule_index = CG_NO_RULE },
	};
	const struct policy *p;
	struct cg_cgroup_state cg;

	assert_int_equal(policy_set__load(set, path, &diags), 0);
	assert_no_diags(&diags);
	assert_int_equal(set->count, 1);
	p = &set->policies[0];
	assert_string_equal(p->name, "process.credentials.changes.at.syscalls");
	assert_int_equal(p->kind, POLICY_KIND_TRACING);
	assert_int_equal(p->mode, CG_MODE_AUDIT);
	assert_int_equal(p->nrules, 0);
	assert_int_equal(p->line, 13);
	assert_int_equal(p->name_line, 16);
	assert_memory_equal(&p->compiled, &expected, sizeof(expected));

	/* It governs every cgroup, from the root: one selector with no predicate. */
	assert_int_equal(p->nselectors, 1);
	assert_string_equal(p->selectors[0].text, "cgroup /");
	assert_int_equal(p->selectors[0].npredicates, 0);
	assert_int_equal(set->selection->generation.nstates, 0);
	assert_int_equal(set->selection->generation.nselectors, 1);
	assert_int_equal(policy_selection_match_path(set->selection, "/", &cg, NULL), 0);
	assert_int_equal(cg.policy_id, 0);
	assert_int_equal(policy_selection_match_path(set->selection, "/kubepods.slice/x/y", &cg, NULL), 0);
	assert_int_equal(cg.policy_id, 0);
	assert_int_equal(cg.plain.depth, 0);

	policy_diags_clear(&diags);
	policy_set__free(set);
	free(path);
}

static void test_actions(void **state)
{
	struct policy_set *set = test_set();
	struct policy_diags diags = {};
	char *path = data_path("good/tracing-actions.yaml");
	const struct policy *p;
	const struct cg_id_rule *rule;

	assert_int_equal(policy_set__load(set, path, &diags), 0);
	assert_no_diags(&diags);
	p = &set->policies[0];
	assert_int_equal(p->mode, CG_MODE_ENFORCE);
	assert_int_equal(p->flags, CG_POLICY_OBSERVE | CG_POLICY_PIDNS_NOT_HOST);
	assert_int_equal(p->compiled.observe_syscalls, (1u << CG_SYS_SETUID) | (1u << CG_SYS_SETRESGID) |
							       (1u << CG_SYS_SETGROUPS) | (1u << CG_SYS_CAPSET));
	/* Sigkill on setuid with matchArgs Equal ["0", 1000]: one entry per value. */
	assert_int_equal(p->compiled.setuid.count, 2);
	for (unsigned i = 0; i < 2; i++) {
		rule = &p->compiled.setuid.rule[i];
		assert_int_equal(rule->from_lo, 0);
		assert_int_equal(rule->from_hi, ANY_HI);
		assert_int_equal(rule->to_lo, i == 0 ? 0 : 1000);
		assert_int_equal(rule->to_hi, i == 0 ? 0 : 1000);
		assert_int_equal(rule->action, CG_ACTION_DENY);
		assert_int_equal(rule->mode, CG_MODE_ENFORCE);
		assert_int_equal(rule->flags, CG_RULE_KILL);
		assert_int_equal(rule->err, EPERM);
		assert_int_equal(rule->setid_mask, CG_SETID_ID);
		assert_int_equal(rule->rule_index, 0);
	}
	/* Override -13 on setresgid: a setgid rule from any to any, EACCES. */
	assert_int_equal(p->compiled.setgid.count, 1);
	rule = &p->compiled.setgid.rule[0];
	assert_int_equal(rule->to_lo, 0);
	assert_int_equal(rule->to_hi, ANY_HI);
	assert_int_equal(rule->flags, 0);
	assert_int_equal(rule->err, EACCES);
	assert_int_equal(rule->setid_mask, CG_SETID_RES);
	assert_int_equal(p->nrules, 2);
	assert_string_equal(p->rules[0].text, "kprobes[0].selectors[0]: sys_setuid Sigkill, to [0, 1000]");
	assert_string_equal(p->rules[1].text, "kprobes[1].selectors[0]: sys_setresgid Override -13, to any");
	assert_int_equal(p->rules[1].hook, CG_HOOK_SETGID);
	assert_int_equal(p->rules[1].line, 32);
	/* Post on setgroups and capset: observation only. */
	assert_int_equal(p->compiled.setgroups.count, 0);
	assert_int_equal(p->compiled.capset.count, 0);

	policy_diags_clear(&diags);
	policy_set__free(set);
	free(path);
}

static void test_calls_and_masks(void **state)
{
	static const struct {
		const char *call;
		enum cg_syscall syscall;
		bool uid;
		__u8 mask;
	} calls[] = {
		{ "sys_setuid", CG_SYS_SETUID, true, CG_SETID_ID },
		{ "__x64_sys_setgid", CG_SYS_SETGID, false, CG_SETID_ID },
		{ "sys_setreuid", CG_SYS_SETREUID, true, CG_SETID_RE },
		{ "__arm64_sys_setregid", CG_SYS_SETREGID, false, CG_SETID_RE },
		{ "sys_setresuid", CG_SYS_SETRESUID, true, CG_SETID_RES },
		{ "sys_setresgid", CG_SYS_SETRESGID, false, CG_SETID_RES },
		{ "sys_setfsuid", CG_SYS_SETFSUID, true, CG_SETID_FS },
		{ "__x64_sys_setfsgid", CG_SYS_SETFSGID, false, CG_SETID_FS },
	};

	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		struct policy_set *set = test_set();
		const struct cg_id_rules *rules;
		char *spec, *text;

		assert_true(asprintf(&spec,
				     "  kprobes:\n  - call: %s\n    syscall: true\n    selectors:\n"
				     "    - matchNamespaces: [{namespace: Pid, operator: In, values: [host_ns]}]\n"
				     "      matchActions: [{action: Sigkill}]\n",
				     calls[i].call) > 0);
		text = tracing_policy(spec);
		parse_ok(set, "tp.yaml", text);
		assert_int_equal(set->policies[0].flags, CG_POLICY_OBSERVE | CG_POLICY_PIDNS_HOST);
		assert_int_equal(set->policies[0].compiled.observe_syscalls, 1u << calls[i].syscall);
		rules = calls[i].uid ? &set->policies[0].compiled.setuid : &set->policies[0].compiled.setgid;
		assert_int_equal(rules->count, 1);
		assert_int_equal(rules->rule[0].setid_mask, calls[i].mask);
		assert_int_equal(rules->rule[0].flags, CG_RULE_KILL);
		assert_int_equal((calls[i].uid ? &set->policies[0].compiled.setgid : &set->policies[0].compiled.setuid)->count,
				 0);
		free(spec);
		free(text);
		policy_set__free(set);
	}
}

static void test_default_errno_and_post(void **state)
{
	struct policy_set *set = test_set();
	char *text = tracing_policy("  kprobes:\n"
				    "  - call: sys_setfsuid\n"
				    "    syscall: true\n"
				    "    args: [{index: 0, type: int}]\n"
				    "    selectors:\n"
				    "    - matchArgs: [{index: 0, operator: Equal, values: [\"0\"]}]\n"
				    "      matchActions: [{action: Override}, {action: Sigkill}]\n"
				    "    - matchActions: [{action: Post}]\n"
				    "    - {}\n");
	const struct cg_id_rule *rule;

	parse_ok(set, "tp.yaml", text);
	/* No pid namespace condition anywhere: no flag. */
	assert_int_equal(set->policies[0].flags, CG_POLICY_OBSERVE);
	assert_int_equal(set->policies[0].compiled.setuid.count, 1);
	rule = &set->policies[0].compiled.setuid.rule[0];
	assert_int_equal(rule->err, EPERM);
	assert_int_equal(rule->flags, CG_RULE_KILL);
	assert_int_equal(rule->to_lo, 0);
	assert_int_equal(rule->to_hi, 0);
	assert_string_equal(set->policies[0].rules[0].text,
			    "kprobes[0].selectors[0]: sys_setfsuid Override -1 and Sigkill, to 0");
	free(text);
	policy_set__free(set);
}

static void test_unsupported(void **state)
{
	static const struct {
		const char *spec;
		const char *expected;
	} cases[] = {
		{ "  kprobes: [{call: sys_setuid, syscall: true}]\n  options: [{name: disable-kprobe-multi}]\n",
		  "tp.yaml:7:3: error: key 'options' in spec is not supported by credgate (supported: kprobes)\n" },
		{ "  kprobes: [{call: sys_setuid, syscall: true}]\n  podSelector: {}\n",
		  "tp.yaml:7:3: error: key 'podSelector' in spec is not supported by credgate (supported: kprobes)\n" },
		{ "  kretprobes: []\n  kprobes: [{call: sys_setuid, syscall: true}]\n",
		  "tp.yaml:6:3: error: key 'kretprobes' in spec is not supported by credgate (supported: kprobes)\n" },
		{ "  kprobes: [{call: sys_setuid, syscall: true, selectors: [{matchNamespaceChanges: []}]}]\n",
		  "tp.yaml:6:60: error: key 'matchNamespaceChanges' in spec.kprobes[0].selectors[0] is not "
		  "supported by credgate (supported: matchNamespaces, matchArgs, matchActions)\n" },
		{ "  kprobes: [{call: sys_setuid, syscall: true, selectors: [{matchActions: [{action: NoPost}]}]}]\n",
		  "tp.yaml:6:84: error: spec.kprobes[0].selectors[0].matchActions[0].action: action 'NoPost' is not "
		  "supported by credgate (supported: Post, Sigkill, Override)\n" },
		{ "  kprobes: [{call: sys_setuid, syscall: true, selectors: [{matchActions: [{action: FollowFD}]}]}]\n",
		  "tp.yaml:6:84: error: spec.kprobes[0].selectors[0].matchActions[0].action: action 'FollowFD' is not "
		  "supported by credgate (supported: Post, Sigkill, Override)\n" },
		{ "  kprobes: [{call: sys_setuid, syscall: true, ignore: {callNotFound: true}}]\n",
		  "tp.yaml:6:47: error: key 'ignore' in spec.kprobes[0] is not supported by credgate (supported: "
		  "call, syscall, args, selectors)\n" },
		{ "  kprobes: [{call: sys_setuid}]\n", "tp.yaml:6:13: error: spec.kprobes[0].syscall is required\n" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = tracing_policy(cases[i].spec);

		parse_fails("tp.yaml", text, cases[i].expected);
		free(text);
	}
	/* metadata carries only the name, as for CredentialPolicy. */
	parse_fails("tp.yaml",
		    "apiVersion: cilium.io/v1alpha1\nkind: TracingPolicy\nmetadata: {name: tp, namespace: x}\n"
		    "spec: {kprobes: [{call: sys_setuid, syscall: true}]}\n",
		    "tp.yaml:3:22: error: key 'namespace' in metadata is not supported by credgate (supported: name)\n");
}

/* Alongside credgate's own kind, in one file; the kinds share names. */
static void test_mixed_kinds(void **state)
{
	struct policy_set *set = test_set();
	struct policy_diags diags = {};
	char *text;
	char *got;

	assert_true(asprintf(&text,
			     "apiVersion: credgate.io/v1\nkind: CredentialPolicy\nmetadata: {name: tp}\n"
			     "spec: {selector: {cgroup: /a}}\n---\n%s  kprobes: [{call: sys_setuid, syscall: true}]\n",
			     tracing_head) > 0);
	assert_int_equal(policy_set__parse(set, "mixed.yaml", text, strlen(text), &diags), -EINVAL);
	got = format_diags(&diags);
	assert_string_equal(got, "mixed.yaml:9:9: error: duplicate policy name 'tp' (first defined at mixed.yaml:3:18)\n");
	free(got);
	free(text);
	policy_diags_clear(&diags);
	policy_set__free(set);
}

/* POLICY_MAX_KPROBES kprobes load; one more is refused. */
static void test_kprobe_limit(void **state)
{
	for (int extra = 0; extra <= 1; extra++) {
		char *spec = NULL, *text, *expected;
		size_t size = 0;
		FILE *out = open_memstream(&spec, &size);

		assert_non_null(out);
		fputs("  kprobes:\n", out);
		for (int i = 0; i < POLICY_MAX_KPROBES + extra; i++)
			fputs("  - {call: sys_setuid, syscall: true}\n", out);
		assert_int_equal(fclose(out), 0);
		text = tracing_policy(spec);
		if (extra == 0) {
			struct policy_set *set = test_set();

			parse_ok(set, "tp.yaml", text);
			assert_int_equal(set->policies[0].compiled.observe_syscalls, 1u << CG_SYS_SETUID);
			policy_set__free(set);
		} else {
			assert_true(asprintf(&expected,
					     "tp.yaml:7:3: error: spec.kprobes: %d kprobes, more than POLICY_MAX_KPROBES (%d)\n",
					     POLICY_MAX_KPROBES + 1, POLICY_MAX_KPROBES) > 0);
			parse_fails("tp.yaml", text, expected);
			free(expected);
		}
		free(text);
		free(spec);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_policy),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_calls_and_masks),
		cmocka_unit_test(test_default_errno_and_post),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_mixed_kinds),
		cmocka_unit_test(test_kprobe_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
