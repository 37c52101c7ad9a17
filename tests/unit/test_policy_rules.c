/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of policy/'s rules: user and group names, SafeSetID's
 * transitivity rule, regain, capset entries, exec, userns, modes, and the
 * limits of each, at and one past the boundary.
 */

#include "test_policy_common.c"

#include <linux/capability.h>

#define ANY_LO 0u
#define ANY_HI 0xffffffffu

static void free_text(char *text)
{
	free(text);
}

/* Parse @spec as the spec of a policy "p" into a new test set. */
static struct policy_set *compile_spec(const char *spec, const char *warnings)
{
	struct policy_set *set = test_set();
	char *text = credential_policy("p", spec);

	parse_ok_with(set, "p.yaml", text, warnings);
	free_text(text);
	assert_int_equal(set->count, 1);
	return set;
}

static void spec_fails(const char *spec, const char *expected)
{
	char *text = credential_policy("p", spec);

	parse_fails("p.yaml", text, expected);
	free_text(text);
}

static void assert_id_rule(const struct cg_id_rule *rule, __u32 from_lo, __u32 from_hi, __u32 to_lo, __u32 to_hi,
			   enum cg_action action, enum cg_mode mode, __u16 rule_index)
{
	assert_int_equal(rule->from_lo, from_lo);
	assert_int_equal(rule->from_hi, from_hi);
	assert_int_equal(rule->to_lo, to_lo);
	assert_int_equal(rule->to_hi, to_hi);
	assert_int_equal(rule->action, action);
	assert_int_equal(rule->mode, mode);
	assert_int_equal(rule->rule_index, rule_index);
	assert_int_equal(rule->err, EPERM);
	assert_int_equal(rule->flags, 0);
	assert_int_equal(rule->setid_mask, 0);
}

/* ---- Names ------------------------------------------------------------------ */

static void test_names(void **state)
{
	struct policy_set *set = compile_spec("  selector: {cgroup: /}\n"
					      "  setuid:\n"
					      "    deny:\n"
					      "      - {from: [www-data, alice], to: [root, \"machine$\", 5]}\n"
					      "    allow:\n"
					      "      - {from: any, to: nobody}\n"
					      "  setgid:\n"
					      "    deny: [{from: alice, to: [sudo, adm]}]\n"
					      "  setgroups:\n"
					      "    deny: [{gid: [root, users, \"10-20\"]}]\n"
					      "  exec: {allowTargetUids: [bob, \"0-9\"]}\n",
					      "");
	const struct cg_policy *c = &set->policies[0].compiled;

	/* www-data and alice (the first alice line wins) to root, machine$, 5. */
	assert_int_equal(c->setuid.count, 7);
	assert_id_rule(&c->setuid.rule[0], 33, 33, 0, 0, CG_ACTION_DENY, CG_MODE_AUDIT, 0);
	assert_id_rule(&c->setuid.rule[1], 33, 33, 1500, 1500, CG_ACTION_DENY, CG_MODE_AUDIT, 0);
	assert_id_rule(&c->setuid.rule[2], 33, 33, 5, 5, CG_ACTION_DENY, CG_MODE_AUDIT, 0);
	assert_id_rule(&c->setuid.rule[3], 1000, 1000, 0, 0, CG_ACTION_DENY, CG_MODE_AUDIT, 0);
	assert_id_rule(&c->setuid.rule[6], ANY_LO, ANY_HI, 65534, 65534, CG_ACTION_ALLOW, CG_MODE_AUDIT, 1);
	/* Group names for setgid and setgroups. */
	assert_int_equal(c->setgid.count, 2);
	assert_id_rule(&c->setgid.rule[0], 1000, 1000, 27, 27, CG_ACTION_DENY, CG_MODE_AUDIT, 2);
	assert_id_rule(&c->setgid.rule[1], 1000, 1000, 4, 4, CG_ACTION_DENY, CG_MODE_AUDIT, 2);
	assert_int_equal(c->setgroups.count, 3);
	assert_int_equal(c->setgroups.rule[1].to_lo, 100);
	assert_int_equal(c->setgroups.rule[2].to_lo, 10);
	assert_int_equal(c->setgroups.rule[2].to_hi, 20);
	/* Rule texts show the ids the names stood for. */
	assert_string_equal(set->policies[0].rules[0].text, "setuid.deny[0]: from [33, 1000] to [0, 1500, 5]");
	assert_int_equal(c->exec.nuids, 2);
	assert_int_equal(c->exec.allow_uids[0].lo, 1001);
	assert_int_equal(c->exec.allow_uids[1].hi, 9);
	policy_set__free(set);
}

static void test_name_errors(void **state)
{
	char *passwd = data_path("etc/passwd"), *expected;
	struct policy_set *set = policy_set__new();
	struct policy_diags diags = {};
	char *text = credential_policy("p", "  selector: {cgroup: /}\n"
					    "  setuid: {deny: [{to: alice}, {to: baduid}]}\n"
					    "  setgid: {deny: [{to: alice}]}\n");
	char *got;

	/* A file that does not exist, and a directory. */
	assert_int_equal(policy_set__set_name_files(set, "/nonexistent/passwd", policy_data_dir()), 0);
	assert_int_equal(policy_set__parse(set, "p.yaml", text, strlen(text), &diags), -EINVAL);
	got = format_diags(&diags);
	assert_true(asprintf(&expected,
			     "p.yaml:6:24: error: spec.setuid.deny[0].to: cannot look up user 'alice': "
			     "/nonexistent/passwd: No such file or directory\n"
			     "p.yaml:6:37: error: spec.setuid.deny[1].to: cannot look up user 'baduid': "
			     "/nonexistent/passwd: No such file or directory\n"
			     "p.yaml:7:24: error: spec.setgid.deny[0].to: cannot look up group 'alice': %s: Is a "
			     "directory\n",
			     policy_data_dir()) > 0);
	assert_string_equal(got, expected);
	free(got);
	free(expected);
	policy_diags_clear(&diags);

	/* A line with a malformed id ("0755") does not define its name. */
	assert_int_equal(policy_set__set_name_files(set, passwd, passwd), 0);
	assert_int_equal(policy_set__parse(set, "p.yaml", text, strlen(text), &diags), -EINVAL);
	got = format_diags(&diags);
	assert_true(asprintf(&expected,
			     "p.yaml:6:37: error: spec.setuid.deny[1].to: unknown user 'baduid' (not in %s)\n",
			     passwd) > 0);
	assert_string_equal(got, expected);
	assert_int_equal(set->count, 0);
	free(got);
	free(expected);
	policy_diags_clear(&diags);

	/* The defaults are the host's files: root is 0 everywhere. */
	assert_int_equal(policy_set__set_name_files(set, NULL, NULL), 0);
	assert_null(set->passwd_file);
	free(text);
	text = credential_policy("p", "  selector: {cgroup: /}\n  setuid: {deny: [{to: root}]}\n");
	parse_ok(set, "p.yaml", text);
	assert_int_equal(set->policies[0].compiled.setuid.rule[0].to_lo, 0);
	assert_int_equal(policy_set__set_name_files(NULL, NULL, NULL), -EINVAL);

	free(text);
	free(passwd);
	policy_set__free(set);
}

/* ---- Transitivity ---------------------------------------------------------- */

/* The worked example of docs/policy.md. */
static void test_transitivity(void **state)
{
	struct policy_set *set = compile_spec("  selector: {cgroup: /}\n"
					      "  mode: enforce\n"
					      "  setuid:\n"
					      "    allow:\n"
					      "      - {from: 1000, to: 1001}\n"
					      "      - {from: 1001, to: [1000, 1002]}\n",
					      "p.yaml:10:26: warning: uid 1001 may move to 1002, which no allow rule "
					      "constrains; 1002 is constrained to itself (SafeSetID's transitivity rule)\n");
	const struct policy *p = &set->policies[0];
	const struct cg_id_rules *rules = &p->compiled.setuid;

	assert_int_equal(rules->count, 4);
	assert_id_rule(&rules->rule[0], 1000, 1000, 1001, 1001, CG_ACTION_ALLOW, CG_MODE_ENFORCE, 0);
	assert_id_rule(&rules->rule[1], 1001, 1001, 1000, 1000, CG_ACTION_ALLOW, CG_MODE_ENFORCE, 1);
	assert_id_rule(&rules->rule[2], 1001, 1001, 1002, 1002, CG_ACTION_ALLOW, CG_MODE_ENFORCE, 1);
	/* Constrained to itself: an empty target range. */
	assert_id_rule(&rules->rule[3], 1002, 1002, 1, 0, CG_ACTION_CONSTRAIN, CG_MODE_ENFORCE, 2);
	assert_int_equal(p->nrules, 3);
	assert_int_equal(p->rules[2].action, CG_ACTION_CONSTRAIN);
	assert_int_equal(p->rules[2].hook, CG_HOOK_SETUID);
	assert_int_equal(p->rules[2].line, 10);
	assert_int_equal(p->rules[2].column, 26);
	assert_string_equal(p->rules[2].text, "setuid: 1002 constrained to itself (transitivity of setuid.allow[1])");
	policy_set__free(set);
}

/* Ranges are split around the sources; modes merge to the strongest. */
static void test_transitivity_ranges(void **state)
{
	struct policy_set *set = compile_spec(
		"  selector: {cgroup: /}\n"
		"  setgid:\n"
		"    deny: [{to: 0}]\n"
		"    allow:\n"
		"      - {from: [1500, 1700-1800], to: \"1000-1999\"}\n"
		"      - {from: 1600, to: [1550-1650, 1500], mode: enforce}\n",
		"p.yaml:9:39: warning: gid [1500, 1700-1800] may move to 1000-1499, which no allow rule constrains; "
		"1000-1499 is constrained to itself (SafeSetID's transitivity rule)\n"
		"p.yaml:9:39: warning: gid [1500, 1700-1800] may move to 1501-1549, which no allow rule constrains; "
		"1501-1549 is constrained to itself (SafeSetID's transitivity rule)\n"
		"p.yaml:9:39: warning: gid [1500, 1700-1800] may move to 1550-1599, which no allow rule constrains; "
		"1550-1599 is constrained to itself (SafeSetID's transitivity rule)\n"
		"p.yaml:9:39: warning: gid [1500, 1700-1800] may move to 1601-1650, which no allow rule constrains; "
		"1601-1650 is constrained to itself (SafeSetID's transitivity rule)\n"
		"p.yaml:9:39: warning: gid [1500, 1700-1800] may move to 1651-1699, which no allow rule constrains; "
		"1651-1699 is constrained to itself (SafeSetID's transitivity rule)\n"
		"p.yaml:9:39: warning: gid [1500, 1700-1800] may move to 1801-1999, which no allow rule constrains; "
		"1801-1999 is constrained to itself (SafeSetID's transitivity rule)\n");
	const struct cg_id_rules *rules = &set->policies[0].compiled.setgid;
	static const struct {
		__u32 lo, hi;
		enum cg_mode mode;
	} constrained[] = {
		{ 1000, 1499, CG_MODE_AUDIT },
		{ 1501, 1549, CG_MODE_AUDIT },
		/* Also reached by the enforce rule: enforce. */
		{ 1550, 1599, CG_MODE_ENFORCE },
		{ 1601, 1650, CG_MODE_ENFORCE },
		{ 1651, 1699, CG_MODE_AUDIT },
		{ 1801, 1999, CG_MODE_AUDIT },
	};

	/* 1 deny, 2 + 2 allow, then the constraints. */
	assert_int_equal(rules->count, 5 + 6);
	for (size_t i = 0; i < 6; i++) {
		const struct cg_id_rule *rule = &rules->rule[5 + i];

		assert_int_equal(rule->action, CG_ACTION_CONSTRAIN);
		assert_int_equal(rule->from_lo, constrained[i].lo);
		assert_int_equal(rule->from_hi, constrained[i].hi);
		assert_true(rule->to_lo > rule->to_hi);
		assert_int_equal(rule->mode, constrained[i].mode);
		assert_int_equal(rule->rule_index, 3 + i);
	}
	policy_set__free(set);
}

static void test_transitivity_none_needed(void **state)
{
	/* "from: any" constrains every source; a cycle constrains itself;
	 * deny rules and setgroups are not moves of a constrained source. */
	struct policy_set *set = compile_spec("  selector: {cgroup: /}\n"
					      "  setuid:\n"
					      "    allow: [{from: any, to: 5}]\n"
					      "  setgid:\n"
					      "    deny: [{from: 1, to: 2}]\n"
					      "    allow: [{from: 1, to: 2}, {from: 2, to: 1}]\n"
					      "  setgroups:\n"
					      "    allow: [{gid: 7}]\n",
					      "");
	const struct cg_policy *c = &set->policies[0].compiled;

	assert_int_equal(c->setuid.count, 1);
	assert_int_equal(c->setgid.count, 3);
	assert_int_equal(c->setgroups.count, 1);
	policy_set__free(set);
}

/* At the limit with the added rules, and one past it. */
static void test_transitivity_limit(void **state)
{
	/* 8 + 12 written entries, 12 added: CG_MAX_ID_RULES. */
	struct policy_set *set =
		compile_spec("  selector: {cgroup: /}\n"
			     "  setuid:\n"
			     "    allow:\n"
			     "      - from: [1, 3, 5, 7, 9, 11, 13, 15]\n"
			     "        to: 100\n"
			     "      - from: 100\n"
			     "        to: [2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24]\n",
			     "p.yaml:11:13: warning: uid 100 may move to 2, which no allow rule constrains; 2 is "
			     "constrained to itself (SafeSetID's transitivity rule)\n"
			     "p.yaml:11:13: warning: uid 100 may move to 4, which no allow rule constrains; 4 is "
			     "constrained to itself (SafeSetID's transitivity rule)\n"
			     "p.yaml:11:13: warning: uid 100 may move to 6, which no allow rule constrains; 6 is "
			     "constrained to itself (SafeSetID's transitivity rule)\n"
			     "p.yaml:11:13: warning: uid 100 may move to 8, which no allow rule constrains; 8 is "
			     "constrained to itself (SafeSetID's transitivity rule)\n"
			     "p.yaml:11:13: warning: uid 100 may move to 10, which no allow rule constrains; 10 is "
			     "constrained to itself (SafeSetID's transitivity rule)\n"
			     "p.yaml:11:13: warning: uid 100 may move to 12, which no allow rule constrains; 12 is "
			     "constrained to itself (SafeSetID's transitivity rule)\n"
			     "p.yaml:11:13: warning: uid 100 may move to 14, which no allow rule constrains; 14 is "
			     "constrained to itself (SafeSetID's transitivity rule)\n"
			     "p.yaml:11:13: warning: uid 100 may move to 16, which no allow rule constrains; 16 is "
			     "constrained to itself (SafeSetID's transitivity rule)\n"
			     "p.yaml:11:13: warning: uid 100 may move to 18, which no allow rule constrains; 18 is "
			     "constrained to itself (SafeSetID's transitivity rule)\n"
			     "p.yaml:11:13: warning: uid 100 may move to 20, which no allow rule constrains; 20 is "
			     "constrained to itself (SafeSetID's transitivity rule)\n"
			     "p.yaml:11:13: warning: uid 100 may move to 22, which no allow rule constrains; 22 is "
			     "constrained to itself (SafeSetID's transitivity rule)\n"
			     "p.yaml:11:13: warning: uid 100 may move to 24, which no allow rule constrains; 24 is "
			     "constrained to itself (SafeSetID's transitivity rule)\n");

	assert_int_equal(set->policies[0].compiled.setuid.count, CG_MAX_ID_RULES);
	policy_set__free(set);
	/* One more target: two more entries (bad/transitivity-overflow.yaml has more). */
	spec_fails("  selector: {cgroup: /}\n"
		   "  setuid:\n"
		   "    allow:\n"
		   "      - from: [1, 3, 5, 7, 9, 11, 13, 15]\n"
		   "        to: 100\n"
		   "      - from: 100\n"
		   "        to: [2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26]\n",
		   "p.yaml:6:3: error: spec.setuid compiles to 34 rules (13 of them added by the transitivity rule), "
		   "more than CG_MAX_ID_RULES (32)\n");
}

/* ---- Flags: regain, observe, modes, priority ------------------------------------ */

static void test_regain(void **state)
{
	static const struct {
		const char *spec;
		__u32 flags;
	} cases[] = {
		{ "  selector: {cgroup: /}\n", CG_POLICY_OBSERVE },
		{ "  selector: {cgroup: /}\n  regain: check\n", CG_POLICY_OBSERVE },
		{ "  selector: {cgroup: /}\n  regain: allow\n", CG_POLICY_OBSERVE | CG_POLICY_REGAIN_ALLOWED },
		{ "  selector: {cgroup: /}\n  regain: allow\n  observe: false\n", CG_POLICY_REGAIN_ALLOWED },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy_set *set = compile_spec(cases[i].spec, "");

		assert_int_equal(set->policies[0].flags, cases[i].flags);
		assert_int_equal(set->policies[0].compiled.flags, cases[i].flags);
		/* Observation covers every call, or none. */
		assert_int_equal(set->policies[0].compiled.observe_syscalls,
				 cases[i].flags & CG_POLICY_OBSERVE ? 0x3ff : 0);
		policy_set__free(set);
	}
}

static void test_mode_aliases(void **state)
{
	struct policy_set *set = compile_spec("  selector: {cgroup: /}\n"
					      "  mode: enforcing\n"
					      "  setuid: {deny: [{to: 0, mode: permissive}, {to: 1}]}\n"
					      "  userns: {mode: permissive}\n",
					      "");
	const struct policy *p = &set->policies[0];

	assert_int_equal(p->mode, CG_MODE_ENFORCE);
	assert_int_equal(p->compiled.setuid.rule[0].mode, CG_MODE_AUDIT);
	assert_int_equal(p->compiled.setuid.rule[1].mode, CG_MODE_ENFORCE);
	assert_int_equal(p->compiled.userns.mode, CG_MODE_AUDIT);
	/* Names in events are the canonical ones. */
	assert_string_equal(policy_mode_name(CG_MODE_AUDIT), "audit");
	policy_set__free(set);
}

static void test_priority(void **state)
{
	struct policy_set *set = compile_spec("  selector: {cgroup: /}\n  priority: -1000\n", "");

	assert_int_equal(set->policies[0].priority, -1000);
	assert_int_equal(set->selection->selectors[0].priority, -1000);
	policy_set__free(set);
	set = compile_spec("  selector: {cgroup: /}\n  priority: \"1000\"\n", "");
	assert_int_equal(set->policies[0].priority, 1000);
	policy_set__free(set);
	spec_fails("  selector: {cgroup: /}\n  priority: -1001\n",
		   "p.yaml:6:13: error: spec.priority: '-1001' is out of range (expected -1000..1000)\n");
	spec_fails("  selector: {cgroup: /}\n  priority: 010\n",
		   "p.yaml:6:13: error: spec.priority: expected an integer (-1000..1000), got '010'\n");
}

/* ---- capset ------------------------------------------------------------------ */

static void test_capset_rules(void **state)
{
	struct policy_set *set = compile_spec("  selector: {cgroup: /}\n"
					      "  mode: enforce\n"
					      "  capset:\n"
					      "    rules:\n"
					      "      - denyGain: [all]\n"
					      "        sets: [ambient]\n"
					      "        mode: audit\n"
					      "      - allowGain: [chown, CAP_KILL]\n"
					      "        denyGain: [sys_admin]\n"
					      "      - denyGain: []\n",
					      "");
	const struct policy *p = &set->policies[0];
	const struct cg_cap_rules *rules = &p->compiled.capset;

	assert_int_equal(rules->count, 3);
	assert_int_equal(rules->rule[0].sets, CG_CAPSET_AMBIENT);
	assert_int_equal(rules->rule[0].mode, CG_MODE_AUDIT);
	assert_int_equal(rules->rule[0].action, CG_ACTION_DENY);
	assert_int_equal(rules->rule[0].caps, (1ull << (CAP_CHECKPOINT_RESTORE + 1)) - 1);
	/* Within an entry, deny before allow; the default sets; the policy's mode. */
	assert_int_equal(rules->rule[1].action, CG_ACTION_DENY);
	assert_int_equal(rules->rule[1].caps, 1ull << CAP_SYS_ADMIN);
	assert_int_equal(rules->rule[1].sets, CG_CAPSET_PERMITTED | CG_CAPSET_EFFECTIVE);
	assert_int_equal(rules->rule[1].mode, CG_MODE_ENFORCE);
	assert_int_equal(rules->rule[2].action, CG_ACTION_ALLOW);
	assert_int_equal(rules->rule[2].caps, (1ull << CAP_CHOWN) | (1ull << CAP_KILL));
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(rules->rule[i].rule_index, i);
		assert_int_equal(rules->rule[i].err, EPERM);
	}
	assert_string_equal(p->rules[0].text, "capset.rules[0].denyGain: all in ambient");
	assert_string_equal(p->rules[1].text, "capset.rules[1].denyGain: CAP_SYS_ADMIN in [permitted, effective]");
	assert_string_equal(p->rules[2].text, "capset.rules[1].allowGain: [CAP_CHOWN, CAP_KILL] in [permitted, effective]");
	assert_int_equal(p->rules[2].list_index, 1);
	policy_set__free(set);
}

static void test_capset_limits(void **state)
{
	char *spec = NULL, *text;
	size_t size = 0;
	FILE *out = open_memstream(&spec, &size);
	struct policy_set *set;

	/* Eight entries of two rules each: exactly CG_MAX_CAP_RULES. */
	assert_non_null(out);
	fputs("  selector: {cgroup: /}\n  capset:\n    rules:\n", out);
	for (int i = 0; i < 8; i++)
		fputs("      - {denyGain: [chown], allowGain: [kill]}\n", out);
	assert_int_equal(fclose(out), 0);
	set = compile_spec(spec, "");
	assert_int_equal(set->policies[0].compiled.capset.count, CG_MAX_CAP_RULES);
	policy_set__free(set);
	free(spec);

	/* The hint only when a name is near one. */
	text = credential_policy("p", "  selector: {cgroup: /}\n  capset: {denyGain: [cap_sys_admni, dac_overide, x]}\n");
	parse_fails("p.yaml", text,
		    "p.yaml:6:23: error: unknown capability 'cap_sys_admni' (did you mean CAP_SYS_ADMIN?)\n"
		    "p.yaml:6:38: error: unknown capability 'dac_overide' (did you mean CAP_DAC_OVERRIDE?)\n"
		    "p.yaml:6:51: error: unknown capability 'x'\n");
	free(text);
}

/* ---- exec and userns ------------------------------------------------------------- */

static void test_exec(void **state)
{
	struct policy_set *set = compile_spec("  selector: {cgroup: /}\n"
					      "  mode: enforce\n"
					      "  exec:\n"
					      "    allowPaths: [/usr/bin/sudo, //usr//bin/passwd/, /usr/bin/sudo]\n"
					      "    allowTargetUids: [0, \"1000-1999\", any]\n",
					      "");
	const struct policy *p = &set->policies[0];
	const struct cg_exec_rule *exec = &p->compiled.exec;

	assert_int_equal(exec->rule_index, 0);
	assert_int_equal(exec->mode, CG_MODE_ENFORCE);
	assert_int_equal(exec->flags, 0);
	assert_int_equal(exec->nuids, 3);
	assert_int_equal(exec->allow_uids[1].lo, 1000);
	assert_int_equal(exec->allow_uids[1].hi, 1999);
	assert_int_equal(exec->allow_uids[2].hi, ANY_HI);
	/* Normalised, without duplicates, in written order. */
	assert_int_equal(p->nexec_allow_paths, 2);
	assert_string_equal(p->exec_allow_paths[0], "/usr/bin/sudo");
	assert_string_equal(p->exec_allow_paths[1], "/usr/bin/passwd");
	assert_int_equal(p->rules[0].hook, CG_HOOK_EXEC);
	assert_int_equal(p->rules[0].line, 7);
	assert_string_equal(p->rules[0].text,
			    "exec: allowPaths [/usr/bin/sudo, /usr/bin/passwd], allowTargetUids [0, 1000-1999, any]");
	/* No userns rule. */
	assert_int_equal(p->compiled.userns.rule_index, CG_NO_RULE);
	policy_set__free(set);

	set = compile_spec("  selector: {cgroup: /}\n  exec: deny\n  userns: deny\n", "");
	p = &set->policies[0];
	assert_int_equal(p->compiled.exec.rule_index, 0);
	assert_int_equal(p->compiled.exec.mode, CG_MODE_AUDIT);
	assert_int_equal(p->compiled.exec.nuids, 0);
	assert_int_equal(p->nexec_allow_paths, 0);
	assert_string_equal(p->rules[0].text, "exec: deny");
	assert_int_equal(p->compiled.userns.rule_index, 1);
	assert_int_equal(p->compiled.userns.mode, CG_MODE_AUDIT);
	assert_int_equal(p->rules[1].hook, CG_HOOK_USERNS);
	assert_string_equal(p->rules[1].text, "userns: deny");
	policy_set__free(set);

	set = compile_spec("  selector: {cgroup: /}\n  exec: {}\n", "");
	assert_string_equal(set->policies[0].rules[0].text, "exec: deny");
	policy_set__free(set);

	set = compile_spec("  selector: {cgroup: /}\n  exec: {allowTargetUids: [0]}\n  userns: {mode: enforce}\n", "");
	p = &set->policies[0];
	assert_string_equal(p->rules[0].text, "exec: allowTargetUids [0]");
	assert_int_equal(p->compiled.userns.mode, CG_MODE_ENFORCE);
	policy_set__free(set);
}

static void test_exec_limits(void **state)
{
	char *spec = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&spec, &size);
	struct policy_set *set;
	char long_path[CG_PATH_LEN];

	/* POLICY_MAX_EXEC_PATHS paths, the last CG_PATH_LEN - 1 bytes long. */
	memset(long_path, 'x', sizeof(long_path));
	long_path[0] = '/';
	long_path[CG_PATH_LEN - 1] = '\0';
	assert_non_null(out);
	fputs("  selector: {cgroup: /}\n  exec:\n    allowTargetUids: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, "
	      "14, 15]\n    allowPaths:\n",
	      out);
	for (int i = 0; i < POLICY_MAX_EXEC_PATHS - 1; i++)
		fprintf(out, "      - /bin/p%d\n", i);
	fprintf(out, "      - %s\n", long_path);
	assert_int_equal(fclose(out), 0);
	set = compile_spec(spec, "");
	assert_int_equal(set->policies[0].nexec_allow_paths, POLICY_MAX_EXEC_PATHS);
	assert_string_equal(set->policies[0].exec_allow_paths[POLICY_MAX_EXEC_PATHS - 1], long_path);
	assert_int_equal(set->policies[0].compiled.exec.nuids, CG_MAX_EXEC_UIDS);
	policy_set__free(set);
	free(spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_name_errors),
		cmocka_unit_test(test_transitivity),
		cmocka_unit_test(test_transitivity_ranges),
		cmocka_unit_test(test_transitivity_none_needed),
		cmocka_unit_test(test_transitivity_limit),
		cmocka_unit_test(test_regain),
		cmocka_unit_test(test_mode_aliases),
		cmocka_unit_test(test_priority),
		cmocka_unit_test(test_capset_rules),
		cmocka_unit_test(test_capset_limits),
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_exec_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
