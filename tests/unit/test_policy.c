/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of policy/: YAML in, struct policy and struct cg_policy out,
 * and a diagnostic with an exact place and message for every bad input.
 *
 * Data files live in $CREDGATE_TEST_DATA/policy: every good/ *.yaml file
 * must load cleanly; each bad/NAME.yaml (or bad/NAME.d directory) must fail with
 * exactly the lines of bad/NAME.expect. Limits that need big inputs are
 * generated here.
 *
 * Over 600 lines on purpose: about thirty tests, one per rule of the policy
 * language, each with the YAML that exercises it written inline next to the
 * result it must give. Selection and cgroup matching have their own file
 * (test_cgroup_match.c).
 */

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_policy_common.c"
#include "policy/diag.h"

#define ANY_LO 0u
#define ANY_HI 0xffffffffu

/* A compiled id rule as the compiler lays it out: EPERM unless a policy says. */
#define ID_RULE(flo, fhi, tlo, thi, act, md, idx)                                                       \
	{ .from_lo = (flo), .from_hi = (fhi), .to_lo = (tlo), .to_hi = (thi), .rule_index = (idx),      \
	  .action = (act), .mode = (md), .err = EPERM }

/* ---- Helpers -------------------------------------------------------- */

static char *read_text_file(const char *path)
{
	char *text = NULL;
	size_t size = 0;
	FILE *in = fopen(path, "re");
	FILE *out;
	int c;

	if (!in)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	out = open_memstream(&text, &size);
	assert_non_null(out);
	while ((c = fgetc(in)) != EOF)
		fputc(c, out);
	fclose(in);
	assert_int_equal(fclose(out), 0);
	return text;
}

static void write_file(const char *dir, const char *name, const char *text, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void write_text(const char *dir, const char *name, const char *text)
{
	write_file(dir, name, text, strlen(text));
}

/* A minimal valid policy document named @name. */
static char *minimal_policy(const char *name)
{
	char *text;

	assert_true(asprintf(&text,
			     "apiVersion: credgate.io/v1\n"
			     "kind: CredentialPolicy\n"
			     "metadata:\n"
			     "  name: %s\n"
			     "spec:\n"
			     "  selector: {cgroup: /%s}\n",
			     name, name) > 0);
	return text;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path);
}

static int setup_temp_dir(void **state)
{
	const char *tmp = getenv("TMPDIR");
	char *dir;

	if (asprintf(&dir, "%s/test_policy.XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0)
		return -1;
	if (!mkdtemp(dir)) {
		free(dir);
		return -1;
	}
	*state = dir;
	return 0;
}

static int teardown_temp_dir(void **state)
{
	char *dir = *state;

	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
	return 0;
}

/* ---- The documented example, compiled field by field -------------------- */

static void test_web_no_root_compiled(void **state)
{
	struct policy_set *set = test_set();
	struct policy_diags diags = {};
	char *path = data_path("good/web-no-root.yaml");
	const struct policy *p;
	const __u64 deny_caps = (1ull << CAP_SYS_ADMIN) | (1ull << CAP_NET_RAW);
	const __u8 pe = CG_CAPSET_PERMITTED | CG_CAPSET_EFFECTIVE;
	struct cg_policy expected = {
		.policy_id = 0,
		.flags = CG_POLICY_OBSERVE,
		.mode = CG_MODE_ENFORCE,
		.observe_syscalls = (1u << CG_SYS_MAX) - 1,
		.setuid = {
			.count = 6,
			.rule = {
				ID_RULE(ANY_LO, ANY_HI, 0, 0, CG_ACTION_DENY, CG_MODE_ENFORCE, 0),
				ID_RULE(1000, 1000, 0, 999, CG_ACTION_DENY, CG_MODE_AUDIT, 1),
				ID_RULE(1000, 1000, 1001, 1001, CG_ACTION_ALLOW, CG_MODE_ENFORCE, 2),
				ID_RULE(1000, 1000, 1002, 1002, CG_ACTION_ALLOW, CG_MODE_ENFORCE, 2),
				ID_RULE(1001, 1001, 1000, 1000, CG_ACTION_ALLOW, CG_MODE_ENFORCE, 3),
				ID_RULE(1002, 1002, 1000, 1000, CG_ACTION_ALLOW, CG_MODE_ENFORCE, 3),
			},
		},
		.setgid = {
			.count = 1,
			.rule = { ID_RULE(ANY_LO, ANY_HI, 0, 0, CG_ACTION_DENY, CG_MODE_ENFORCE, 4) },
		},
		.setgroups = {
			.count = 2,
			.rule = {
				ID_RULE(ANY_LO, ANY_HI, 0, 0, CG_ACTION_DENY, CG_MODE_AUDIT, 5),
				ID_RULE(ANY_LO, ANY_HI, 100, 200, CG_ACTION_ALLOW, CG_MODE_ENFORCE, 6),
			},
		},
		.capset = {
			.count = 2,
			.rule = {
				{ .caps = deny_caps, .sets = pe, .action = CG_ACTION_DENY, .mode = CG_MODE_AUDIT,
				  .rule_index = 7, .err = EPERM },
				{ .caps = 1ull << CAP_NET_BIND_SERVICE, .sets = pe, .action = CG_ACTION_ALLOW,
				  .mode = CG_MODE_AUDIT, .rule_index = 8, .err = EPERM },
			},
		},
		.exec = { .rule_index = CG_NO_RULE },
		.userns = { .rule_index = CG_NO_RULE },
	};
	static const struct {
		enum cg_hook hook;
		enum cg_action action;
		enum cg_mode mode;
		unsigned list_index, line, column;
		const char *text;
	} rules[] = {
		{ CG_HOOK_SETUID, CG_ACTION_DENY, CG_MODE_ENFORCE, 0, 15, 9, "setuid.deny[0]: from any to 0" },
		{ CG_HOOK_SETUID, CG_ACTION_DENY, CG_MODE_AUDIT, 1, 16, 9, "setuid.deny[1]: from 1000 to 0-999" },
		{ CG_HOOK_SETUID, CG_ACTION_ALLOW, CG_MODE_ENFORCE, 0, 20, 9,
		  "setuid.allow[0]: from 1000 to [1001, 1002]" },
		{ CG_HOOK_SETUID, CG_ACTION_ALLOW, CG_MODE_ENFORCE, 1, 22, 9,
		  "setuid.allow[1]: from [1001, 1002] to 1000" },
		{ CG_HOOK_SETGID, CG_ACTION_DENY, CG_MODE_ENFORCE, 0, 26, 9, "setgid.deny[0]: from any to 0" },
		{ CG_HOOK_SETGROUPS, CG_ACTION_DENY, CG_MODE_AUDIT, 0, 29, 9, "setgroups.deny[0]: gid 0" },
		{ CG_HOOK_SETGROUPS, CG_ACTION_ALLOW, CG_MODE_ENFORCE, 0, 32, 9, "setgroups.allow[0]: gid 100-200" },
		{ CG_HOOK_CAPSET, CG_ACTION_DENY, CG_MODE_AUDIT, 0, 34, 5,
		  "capset.denyGain: [CAP_NET_RAW, CAP_SYS_ADMIN] in [permitted, effective]" },
		{ CG_HOOK_CAPSET, CG_ACTION_ALLOW, CG_MODE_AUDIT, 0, 35, 5,
		  "capset.allowGain: CAP_NET_BIND_SERVICE in [permitted, effective]" },
	};

	assert_int_equal(policy_set__load(set, path, &diags), 0);
	assert_no_diags(&diags);
	assert_int_equal(set->count, 1);
	p = &set->policies[0];

	assert_string_equal(p->name, "web-no-root");
	assert_string_equal(p->file, path);
	assert_int_equal(p->line, 3);
	assert_int_equal(p->column, 1);
	assert_int_equal(p->name_line, 6);
	assert_int_equal(p->name_column, 9);
	assert_int_equal(p->mode, CG_MODE_ENFORCE);
	assert_int_equal(p->flags, CG_POLICY_OBSERVE);
	assert_int_equal(p->nselectors, 1);
	assert_string_equal(p->selectors[0].cgroup, "/system.slice/web.service");
	assert_string_equal(p->selectors[0].text, "cgroup /system.slice/web.service");
	assert_int_equal(p->selectors[0].npredicates, 1);
	assert_string_equal(p->selectors[0].predicates[0].patterns, "system.slice/web.service");
	assert_int_equal(p->selectors[0].line, 12);
	assert_int_equal(p->selectors[0].column, 5);
	assert_int_equal(p->selectors[0].index, 0);
	assert_int_equal(p->kind, POLICY_KIND_CREDENTIAL);
	assert_int_equal(p->nexec_allow_paths, 0);

	assert_int_equal(p->nrules, sizeof(rules) / sizeof(rules[0]));
	for (size_t i = 0; i < p->nrules; i++) {
		assert_int_equal(p->rules[i].hook, rules[i].hook);
		assert_int_equal(p->rules[i].action, rules[i].action);
		assert_int_equal(p->rules[i].mode, rules[i].mode);
		assert_int_equal(p->rules[i].list_index, rules[i].list_index);
		assert_int_equal(p->rules[i].line, rules[i].line);
		assert_int_equal(p->rules[i].column, rules[i].column);
		assert_string_equal(p->rules[i].text, rules[i].text);
	}

	/* Every byte, padding included: this is what goes into the map. */
	if (memcmp(&p->compiled, &expected, sizeof(expected)) != 0) {
		policy_set__dump(set, stderr);
		fail_msg("compiled struct cg_policy differs from the expected one");
	}

	policy_diags_clear(&diags);
	policy_set__free(set);
	free(path);
}

/* ---- Defaults, flags and modes ------------------------------------------ */

static void test_defaults(void **state)
{
	struct policy_set *set = test_set();
	char *path = data_path("good/defaults.yaml");
	struct policy_diags diags = {};
	struct cg_policy expected = {
		.flags = CG_POLICY_OBSERVE,
		.mode = CG_MODE_AUDIT,
		.observe_syscalls = (1u << CG_SYS_MAX) - 1,
		.exec = { .rule_index = CG_NO_RULE },
		.userns = { .rule_index = CG_NO_RULE },
	};
	const struct policy *p;

	assert_int_equal(policy_set__load(set, path, &diags), 0);
	assert_no_diags(&diags);
	assert_int_equal(set->count, 1);
	p = &set->policies[0];
	assert_string_equal(p->name, "observe-only");
	assert_int_equal(p->mode, CG_MODE_AUDIT);
	assert_int_equal(p->flags, CG_POLICY_OBSERVE);
	assert_int_equal(p->nrules, 0);
	assert_int_equal(p->nselectors, 1);
	assert_string_equal(p->selectors[0].cgroup, "/");
	assert_memory_equal(&p->compiled, &expected, sizeof(expected));

	policy_diags_clear(&diags);
	policy_set__free(set);
	free(path);
}

/* SELinux's words for the modes: permissive is audit, enforcing is enforce. */
static void test_selinux_mode_aliases(void **state)
{
	static const char text[] = "apiVersion: credgate.io/v1\n"
				   "kind: CredentialPolicy\n"
				   "metadata: {name: words}\n"
				   "spec:\n"
				   "  mode: permissive\n"
				   "  selector: {cgroup: /}\n"
				   "  setuid:\n"
				   "    deny: [{to: 0}, {to: 1, mode: enforcing}]\n";
	struct policy_set *set = test_set();
	const struct policy *p;

	parse_ok(set, "words.yaml", text);
	p = &set->policies[0];
	assert_int_equal(p->mode, CG_MODE_AUDIT);
	assert_int_equal(p->compiled.setuid.rule[0].mode, CG_MODE_AUDIT);
	assert_int_equal(p->compiled.setuid.rule[1].mode, CG_MODE_ENFORCE);
	/* Events keep credgate's own names. */
	assert_string_equal(policy_mode_name(p->mode), "audit");
	policy_set__free(set);
}

/*
 * selinuxType / selinuxContext: one label table per set, numbered in order
 * of first use and shared across policies; each policy's mask has the bits
 * of its labels; a selector with only an SELinux key holds for every cgroup.
 */
static void test_selinux_selectors(void **state)
{
	static const char text[] =
		"apiVersion: credgate.io/v1\n"
		"kind: CredentialPolicy\n"
		"metadata: {name: a}\n"
		"spec:\n"
		"  selector: {selinuxType: container_t}\n"
		"---\n"
		"apiVersion: credgate.io/v1\n"
		"kind: CredentialPolicy\n"
		"metadata: {name: b}\n"
		"spec:\n"
		"  selector:\n"
		"    - {cgroup: /kubepods.slice, selinuxType: [spc_t, container_t, spc_t]}\n"
		"    - {qos: besteffort, selinuxType: [container_t, spc_t]}\n"
		"---\n"
		"apiVersion: credgate.io/v1\n"
		"kind: CredentialPolicy\n"
		"metadata: {name: c}\n"
		"spec:\n"
		"  selector: {cgroup: /x, selinuxContext: 'system_u:system_r:container_t:s0:c0.c3,c7,c8-s0:c0.c1023'}\n"
		"---\n"
		"apiVersion: credgate.io/v1\n"
		"kind: CredentialPolicy\n"
		"metadata: {name: d}\n"
		"spec:\n"
		"  selector: {cgroup: /y}\n";
	struct policy_set *set = test_set();
	struct cg_cgroup_state cgroup;

	parse_ok(set, "selinux.yaml", text);
	assert_int_equal(set->selinux.count, 3);
	assert_int_equal(set->selinux.labels[0].kind, POLICY_SELINUX_TYPE);
	assert_string_equal(set->selinux.labels[0].value, "container_t");
	assert_string_equal(set->selinux.labels[1].value, "spc_t");
	assert_int_equal(set->selinux.labels[2].kind, POLICY_SELINUX_CONTEXT);
	assert_string_equal(set->selinux.labels[2].value, "system_u:system_r:container_t:s0:c0.c3,c7,c8-s0:c0.c1023");
	assert_int_equal(set->policies[0].compiled.selinux_types, 1);
	assert_int_equal(set->policies[1].compiled.selinux_types, 3);
	assert_int_equal(set->policies[2].compiled.selinux_types, 4);
	assert_int_equal(set->policies[3].compiled.selinux_types, 0);
	/* Duplicates are dropped, the list sorted: both selectors say the same. */
	assert_int_equal(set->policies[1].selectors[0].nselinux, 2);
	assert_string_equal(set->policies[1].selectors[0].text, "cgroup /kubepods.slice and selinuxType spc_t or container_t");
	/* Only an SELinux key: the policy is chosen for every cgroup, as with cgroup: /. */
	assert_int_equal(set->policies[0].selectors[0].npredicates, 0);
	assert_int_equal(policy_selection_match_path(set->selection, "/system.slice/any.service", &cgroup, NULL), 0);
	assert_int_equal(cgroup.policy_id, 0);
	assert_int_equal(policy_selection_match_path(set->selection, "/y", &cgroup, NULL), 0);
	assert_int_equal(cgroup.policy_id, 3);
	policy_set__free(set);
}

/* The table spans the whole set: a second parse into the same set keeps the numbering. */
static void test_selinux_table_across_parses(void **state)
{
	struct policy_set *set = test_set();
	char *a = credential_policy("a", "  selector: {selinuxType: [x_t, y_t]}\n");
	char *b = credential_policy("b", "  selector: {selinuxType: [z_t, y_t]}\n");

	parse_ok(set, "a.yaml", a);
	parse_ok(set, "b.yaml", b);
	assert_int_equal(set->selinux.count, 3);
	assert_string_equal(set->selinux.labels[2].value, "z_t");
	assert_int_equal(set->policies[0].compiled.selinux_types, 3);
	assert_int_equal(set->policies[1].compiled.selinux_types, 6);
	free(a);
	free(b);
	policy_set__free(set);
}

static void test_flags_and_modes(void **state)
{
	static const char text[] = "apiVersion: credgate.io/v1\n"
				   "kind: CredentialPolicy\n"
				   "metadata: {name: flags}\n"
				   "spec:\n"
				   "  mode: enforce\n"
				   "  observe: FALSE\n"
				   "  reportAllowed: True\n"
				   "  selector: {cgroup: /}\n"
				   "  setuid:\n"
				   "    deny: [{to: 0}, {to: 1, mode: audit}, {to: 2, mode: enforce}]\n"
				   "  capset: {denyGain: [chown]}\n";
	struct policy_set *set = test_set();
	const struct policy *p;

	parse_ok(set, "flags.yaml", text);
	p = &set->policies[0];
	assert_int_equal(p->flags, CG_POLICY_REPORT_ALLOWED);
	assert_int_equal(p->compiled.flags, CG_POLICY_REPORT_ALLOWED);
	assert_int_equal(p->compiled.mode, CG_MODE_ENFORCE);
	assert_int_equal(p->compiled.setuid.count, 3);
	/* A rule's own mode wins; otherwise the policy's applies. */
	assert_int_equal(p->compiled.setuid.rule[0].mode, CG_MODE_ENFORCE);
	assert_int_equal(p->compiled.setuid.rule[1].mode, CG_MODE_AUDIT);
	assert_int_equal(p->compiled.setuid.rule[2].mode, CG_MODE_ENFORCE);
	assert_int_equal(p->rules[1].mode, CG_MODE_AUDIT);
	/* capset without its own mode takes the policy's. */
	assert_int_equal(p->compiled.capset.count, 1);
	assert_int_equal(p->compiled.capset.rule[0].mode, CG_MODE_ENFORCE);
	assert_int_equal(p->compiled.capset.rule[0].caps, 1ull << CAP_CHOWN);
	assert_int_equal(p->compiled.capset.rule[0].sets, CG_CAPSET_PERMITTED | CG_CAPSET_EFFECTIVE);
	assert_string_equal(p->rules[3].text, "capset.denyGain: CAP_CHOWN in [permitted, effective]");
	policy_set__free(set);
}

/* ---- Id specs ------------------------------------------------------------ */

static void test_id_specs(void **state)
{
	static const char text[] = "apiVersion: credgate.io/v1\n"
				   "kind: CredentialPolicy\n"
				   "metadata: {name: ids}\n"
				   "spec:\n"
				   "  selector: {cgroup: /}\n"
				   "  setuid:\n"
				   "    deny:\n"
				   "      - {from: [1, 2], to: [3, 4-5]}\n"
				   "      - {from: any, to: any}\n"
				   "      - {to: \"1000 - 1999\"}\n"
				   "      - {to: '4294967294'}\n"
				   "      - {to: 0-4294967294}\n"
				   "    allow:\n"
				   "      - {from: \"7\", to: [any, 8]}\n";
	static const struct cg_id_rule expected[] = {
		/* Every "from" range with every "to" range, in that order. */
		ID_RULE(1, 1, 3, 3, CG_ACTION_DENY, CG_MODE_AUDIT, 0),
		ID_RULE(1, 1, 4, 5, CG_ACTION_DENY, CG_MODE_AUDIT, 0),
		ID_RULE(2, 2, 3, 3, CG_ACTION_DENY, CG_MODE_AUDIT, 0),
		ID_RULE(2, 2, 4, 5, CG_ACTION_DENY, CG_MODE_AUDIT, 0),
		ID_RULE(ANY_LO, ANY_HI, ANY_LO, ANY_HI, CG_ACTION_DENY, CG_MODE_AUDIT, 1),
		ID_RULE(ANY_LO, ANY_HI, 1000, 1999, CG_ACTION_DENY, CG_MODE_AUDIT, 2),
		ID_RULE(ANY_LO, ANY_HI, 4294967294u, 4294967294u, CG_ACTION_DENY, CG_MODE_AUDIT, 3),
		ID_RULE(ANY_LO, ANY_HI, 0, 4294967294u, CG_ACTION_DENY, CG_MODE_AUDIT, 4),
		ID_RULE(7, 7, ANY_LO, ANY_HI, CG_ACTION_ALLOW, CG_MODE_AUDIT, 5),
		ID_RULE(7, 7, 8, 8, CG_ACTION_ALLOW, CG_MODE_AUDIT, 5),
	};
	static const char *const texts[] = {
		"setuid.deny[0]: from [1, 2] to [3, 4-5]",
		"setuid.deny[1]: from any to any",
		"setuid.deny[2]: from any to 1000-1999",
		"setuid.deny[3]: from any to 4294967294",
		"setuid.deny[4]: from any to 0-4294967294",
		"setuid.allow[0]: from 7 to [any, 8]",
	};
	struct policy_set *set = test_set();
	const struct policy *p;

	/* 7 may move anywhere: every other id is constrained to itself. */
	parse_ok_with(set, "ids.yaml", text,
		      "ids.yaml:14:25: warning: uid 7 may move to 0-6, which no allow rule constrains; 0-6 is "
		      "constrained to itself (SafeSetID's transitivity rule)\n"
		      "ids.yaml:14:25: warning: uid 7 may move to 8-4294967295, which no allow rule constrains; "
		      "8-4294967295 is constrained to itself (SafeSetID's transitivity rule)\n");
	p = &set->policies[0];
	assert_int_equal(p->compiled.setuid.count, sizeof(expected) / sizeof(expected[0]) + 2);
	assert_memory_equal(p->compiled.setuid.rule, expected, sizeof(expected));
	assert_int_equal(p->compiled.setuid.rule[10].action, CG_ACTION_CONSTRAIN);
	assert_int_equal(p->compiled.setuid.rule[10].from_hi, 6);
	assert_int_equal(p->compiled.setuid.rule[11].from_lo, 8);
	assert_int_equal(p->compiled.setuid.rule[11].from_hi, 4294967295u);
	assert_int_equal(p->nrules, sizeof(texts) / sizeof(texts[0]) + 2);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		assert_string_equal(p->rules[i].text, texts[i]);
	assert_int_equal(p->compiled.setgid.count, 0);
	policy_set__free(set);
}

/* Exactly CG_MAX_ID_RULES entries fit; one more is an error (corpus). */
static void test_id_rule_limit_boundary(void **state)
{
	static const char text[] = "apiVersion: credgate.io/v1\n"
				   "kind: CredentialPolicy\n"
				   "metadata: {name: full}\n"
				   "spec:\n"
				   "  selector: {cgroup: /}\n"
				   "  setgroups:\n"
				   "    deny: [{gid: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]}]\n"
				   "    allow: [{gid: [16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31]}]\n";
	struct policy_set *set = test_set();
	const struct cg_id_rules *rules;

	parse_ok(set, "full.yaml", text);
	rules = &set->policies[0].compiled.setgroups;
	assert_int_equal(rules->count, CG_MAX_ID_RULES);
	for (unsigned i = 0; i < CG_MAX_ID_RULES; i++) {
		assert_int_equal(rules->rule[i].from_lo, 0);
		assert_int_equal(rules->rule[i].from_hi, 0xffffffffu);
		assert_int_equal(rules->rule[i].to_lo, i);
		assert_int_equal(rules->rule[i].to_hi, i);
		assert_int_equal(rules->rule[i].action, i < 16 ? CG_ACTION_DENY : CG_ACTION_ALLOW);
		assert_int_equal(rules->rule[i].rule_index, i < 16 ? 0 : 1);
	}
	policy_set__free(set);
}

/* ---- Capabilities -------------------------------------------------------- */

static void test_capset(void **state)
{
	static const char text[] = "apiVersion: credgate.io/v1\n"
				   "kind: CredentialPolicy\n"
				   "metadata: {name: caps}\n"
				   "spec:\n"
				   "  selector: {cgroup: /}\n"
				   "  capset:\n"
				   "    allowGain: [cap_setuid, SETGID, Cap_Setuid, CAP_CHECKPOINT_RESTORE]\n"
				   "    denyGain: [ALL]\n"
				   "    sets: [inheritable, effective, inheritable]\n"
				   "    mode: enforce\n";
	struct policy_set *set = test_set();
	const struct policy *p;
	const __u64 all = (1ull << (CAP_CHECKPOINT_RESTORE + 1)) - 1;

	parse_ok(set, "caps.yaml", text);
	p = &set->policies[0];
	assert_int_equal(p->compiled.capset.count, 2);
	/* deny first, whatever the order of the keys */
	assert_int_equal(p->compiled.capset.rule[0].action, CG_ACTION_DENY);
	assert_int_equal(p->compiled.capset.rule[0].caps, all);
	assert_int_equal(p->compiled.capset.rule[1].action, CG_ACTION_ALLOW);
	assert_int_equal(p->compiled.capset.rule[1].caps,
			 (1ull << CAP_SETUID) | (1ull << CAP_SETGID) | (1ull << CAP_CHECKPOINT_RESTORE));
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(p->compiled.capset.rule[i].sets, CG_CAPSET_INHERITABLE | CG_CAPSET_EFFECTIVE);
		assert_int_equal(p->compiled.capset.rule[i].mode, CG_MODE_ENFORCE);
		assert_int_equal(p->compiled.capset.rule[i].rule_index, i);
	}
	assert_string_equal(p->rules[0].text, "capset.denyGain: all in [effective, inheritable]");
	assert_string_equal(p->rules[1].text,
			    "capset.allowGain: [CAP_SETGID, CAP_SETUID, CAP_CHECKPOINT_RESTORE] in [effective, inheritable]");
	policy_set__free(set);
}

static void test_capability_names(void **state)
{
	/* Our table against the kernel's numbering, for every capability it knows. */
	static const struct {
		int value;
		const char *name;
	} kernel[] = {
		{ CAP_CHOWN, "CAP_CHOWN" },
		{ CAP_DAC_OVERRIDE, "CAP_DAC_OVERRIDE" },
		{ CAP_DAC_READ_SEARCH, "CAP_DAC_READ_SEARCH" },
		{ CAP_FOWNER, "CAP_FOWNER" },
		{ CAP_FSETID, "CAP_FSETID" },
		{ CAP_KILL, "CAP_KILL" },
		{ CAP_SETGID, "CAP_SETGID" },
		{ CAP_SETUID, "CAP_SETUID" },
		{ CAP_SETPCAP, "CAP_SETPCAP" },
		{ CAP_LINUX_IMMUTABLE, "CAP_LINUX_IMMUTABLE" },
		{ CAP_NET_BIND_SERVICE, "CAP_NET_BIND_SERVICE" },
		{ CAP_NET_BROADCAST, "CAP_NET_BROADCAST" },
		{ CAP_NET_ADMIN, "CAP_NET_ADMIN" },
		{ CAP_NET_RAW, "CAP_NET_RAW" },
		{ CAP_IPC_LOCK, "CAP_IPC_LOCK" },
		{ CAP_IPC_OWNER, "CAP_IPC_OWNER" },
		{ CAP_SYS_MODULE, "CAP_SYS_MODULE" },
		{ CAP_SYS_RAWIO, "CAP_SYS_RAWIO" },
		{ CAP_SYS_CHROOT, "CAP_SYS_CHROOT" },
		{ CAP_SYS_PTRACE, "CAP_SYS_PTRACE" },
		{ CAP_SYS_PACCT, "CAP_SYS_PACCT" },
		{ CAP_SYS_ADMIN, "CAP_SYS_ADMIN" },
		{ CAP_SYS_BOOT, "CAP_SYS_BOOT" },
		{ CAP_SYS_NICE, "CAP_SYS_NICE" },
		{ CAP_SYS_RESOURCE, "CAP_SYS_RESOURCE" },
		{ CAP_SYS_TIME, "CAP_SYS_TIME" },
		{ CAP_SYS_TTY_CONFIG, "CAP_SYS_TTY_CONFIG" },
		{ CAP_MKNOD, "CAP_MKNOD" },
		{ CAP_LEASE, "CAP_LEASE" },
		{ CAP_AUDIT_WRITE, "CAP_AUDIT_WRITE" },
		{ CAP_AUDIT_CONTROL, "CAP_AUDIT_CONTROL" },
		{ CAP_SETFCAP, "CAP_SETFCAP" },
		{ CAP_MAC_OVERRIDE, "CAP_MAC_OVERRIDE" },
		{ CAP_MAC_ADMIN, "CAP_MAC_ADMIN" },
		{ CAP_SYSLOG, "CAP_SYSLOG" },
		{ CAP_WAKE_ALARM, "CAP_WAKE_ALARM" },
		{ CAP_BLOCK_SUSPEND, "CAP_BLOCK_SUSPEND" },
		{ CAP_AUDIT_READ, "CAP_AUDIT_READ" },
		{ CAP_PERFMON, "CAP_PERFMON" },
		{ CAP_BPF, "CAP_BPF" },
		{ CAP_CHECKPOINT_RESTORE, "CAP_CHECKPOINT_RESTORE" },
	};

	for (size_t i = 0; i < sizeof(kernel) / sizeof(kernel[0]); i++) {
		assert_string_equal(policy_capability_name((unsigned)kernel[i].value), kernel[i].name);
		assert_int_equal(policy_capability_parse(kernel[i].name), kernel[i].value);
	}
	assert_null(policy_capability_name(CAP_CHECKPOINT_RESTORE + 1));
	assert_null(policy_capability_name(UINT32_MAX));

	assert_int_equal(policy_capability_parse("CAP_SYS_ADMIN"), 21);
	assert_int_equal(policy_capability_parse("sys_admin"), 21);
	assert_int_equal(policy_capability_parse("Sys_Admin"), 21);
	assert_int_equal(policy_capability_parse("cap_sys_admin"), 21);
	assert_int_equal(policy_capability_parse("CAP_"), -1);
	assert_int_equal(policy_capability_parse(""), -1);
	assert_int_equal(policy_capability_parse("CAP_CAP_CHOWN"), -1);
	assert_int_equal(policy_capability_parse("SYS_ADMIN "), -1);
	assert_int_equal(policy_capability_parse("all"), -1); /* a list item, not a capability */
	assert_int_equal(policy_capability_parse(NULL), -1);
}

static void test_enum_names(void **state)
{
	assert_string_equal(policy_mode_name(CG_MODE_AUDIT), "audit");
	assert_string_equal(policy_mode_name(CG_MODE_ENFORCE), "enforce");
	assert_null(policy_mode_name(CG_MODE_NONE));
	assert_null(policy_mode_name((enum cg_mode)77));
	assert_string_equal(policy_hook_name(CG_HOOK_SETUID), "task_fix_setuid");
	assert_string_equal(policy_hook_name(CG_HOOK_SETGID), "task_fix_setgid");
	assert_string_equal(policy_hook_name(CG_HOOK_SETGROUPS), "task_fix_setgroups");
	assert_string_equal(policy_hook_name(CG_HOOK_CAPSET), "capset");
	assert_string_equal(policy_hook_name(CG_HOOK_EXEC), "bprm_creds_from_file");
	assert_string_equal(policy_hook_name(CG_HOOK_USERNS), "userns_create");
	assert_string_equal(policy_hook_name(CG_HOOK_PRCTL), "task_prctl");
	assert_string_equal(policy_hook_name(CG_HOOK_CAPABLE), "capable");
	assert_string_equal(policy_kind_name(POLICY_KIND_CREDENTIAL), "CredentialPolicy");
	assert_string_equal(policy_kind_name(POLICY_KIND_TRACING), "TracingPolicy");
	assert_null(policy_kind_name((enum policy_kind)9));
	assert_null(policy_hook_name(CG_HOOK_NONE));
	assert_null(policy_hook_name(CG_HOOK_MAX));
	assert_null(policy_hook_name((enum cg_hook)-1));
}

/* ---- Selectors ------------------------------------------------------------ */

static void test_cgroup_normalisation(void **state)
{
	static const struct {
		const char *written;
		const char *normal;
	} cases[] = {
		{ "/", "/" },
		{ "///", "/" },
		{ "/system.slice", "/system.slice" },
		{ "/system.slice/", "/system.slice" },
		{ "//system.slice//web.service//", "/system.slice/web.service" },
		{ "/a/.b/..c/...", "/a/.b/..c/..." }, /* only exact . and .. are refused */
		{ "'/with space/x'", "/with space/x" },
		{ "/ünïcode.slice", "/ünïcode.slice" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy_set *set = test_set();
		char *text;

		assert_true(asprintf(&text,
				     "apiVersion: credgate.io/v1\nkind: CredentialPolicy\nmetadata: {name: c}\n"
				     "spec:\n  selector:\n    cgroup: %s\n",
				     cases[i].written) > 0);
		parse_ok(set, "cgroup.yaml", text);
		assert_string_equal(set->policies[0].selectors[0].cgroup, cases[i].normal);
		free(text);
		policy_set__free(set);
	}
}

static void test_selector_limit_boundary(void **state)
{
	struct policy_set *set = test_set();
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	assert_non_null(out);
	fputs("apiVersion: credgate.io/v1\nkind: CredentialPolicy\nmetadata: {name: many}\nspec:\n  selector:\n",
	      out);
	for (int i = 0; i < POLICY_MAX_SELECTORS; i++)
		fprintf(out, "    - cgroup: /s%d\n", i);
	assert_int_equal(fclose(out), 0);

	parse_ok(set, "many.yaml", text);
	assert_int_equal(set->policies[0].nselectors, POLICY_MAX_SELECTORS);
	assert_string_equal(set->policies[0].selectors[POLICY_MAX_SELECTORS - 1].cgroup, "/s63");
	free(text);
	policy_set__free(set);
}

/* ---- Documents ------------------------------------------------------------- */

static void test_multiple_documents(void **state)
{
	struct policy_set *set = test_set();
	char *path = data_path("good/multi-document.yaml");
	struct policy_diags diags = {};
	const struct policy *batch, *caps;

	assert_int_equal(policy_set__load(set, path, &diags), 0);
	assert_no_diags(&diags);
	assert_int_equal(set->count, 2);

	batch = &set->policies[0];
	assert_string_equal(batch->name, "batch.jobs");
	assert_int_equal(batch->compiled.policy_id, 0);
	assert_int_equal(batch->line, 6);
	assert_int_equal(batch->flags, CG_POLICY_REPORT_ALLOWED);
	assert_int_equal(batch->nselectors, 2);
	assert_string_equal(batch->selectors[0].cgroup, "/system.slice/batch.slice");
	assert_string_equal(batch->selectors[1].cgroup, "/user.slice/user-1000.slice");
	assert_int_equal(batch->compiled.setgid.count, 3);
	assert_int_equal(batch->compiled.setgid.rule[2].to_lo, 300);
	assert_int_equal(batch->compiled.setgid.rule[2].action, CG_ACTION_ALLOW);

	caps = &set->policies[1];
	assert_string_equal(caps->name, "caps-0");
	assert_int_equal(caps->compiled.policy_id, 1);
	assert_int_equal(caps->line, 23);
	assert_int_equal(caps->name_line, 25);
	assert_int_equal(caps->name_column, 18);
	/* "setgroups: {deny: null}" and "allowGain: []" compile to nothing. */
	assert_int_equal(caps->compiled.setgroups.count, 0);
	assert_int_equal(caps->nrules, 1);
	assert_int_equal(caps->compiled.capset.count, 1);
	assert_int_equal(caps->compiled.capset.rule[0].sets, CG_CAPSET_INHERITABLE);
	assert_int_equal(caps->compiled.capset.rule[0].mode, CG_MODE_ENFORCE);
	assert_int_equal(caps->compiled.mode, CG_MODE_AUDIT);

	policy_diags_clear(&diags);
	policy_set__free(set);
	free(path);
}

static void test_empty_inputs(void **state)
{
	static const char *const texts[] = {
		"", "\n", "# nothing but a comment\n", "---\n", "--- \n...\n---\n# more\n", "~\n", "---\nnull\n",
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct policy_set *set = test_set();

		parse_ok(set, "empty.yaml", texts[i]);
		assert_int_equal(set->count, 0);
		policy_set__free(set);
	}
}

/* Successive loads append; ids keep counting; names stay unique across loads. */
static void test_sets_accumulate(void **state)
{
	struct policy_set *set = test_set();
	struct policy_diags diags = {};
	char *a = minimal_policy("a"), *b = minimal_policy("b"), *dup = minimal_policy("a");
	char *got;

	parse_ok(set, "a.yaml", a);
	parse_ok(set, "b.yaml", b);
	assert_int_equal(set->count, 2);
	assert_int_equal(set->policies[1].compiled.policy_id, 1);
	assert_string_equal(set->policies[1].file, "b.yaml");

	assert_int_equal(policy_set__parse(set, "c.yaml", dup, strlen(dup), &diags), -EINVAL);
	got = format_diags(&diags);
	assert_string_equal(got, "c.yaml:4:9: error: duplicate policy name 'a' (first defined at a.yaml:4:9)\n");
	assert_int_equal(set->count, 2);
	assert_int_equal(diags.errors, 1);

	free(got);
	free(a);
	free(b);
	free(dup);
	policy_diags_clear(&diags);
	policy_set__free(set);
}

/* A document with errors in a text leaves the set as it was, good ones too. */
static void test_parse_all_or_nothing(void **state)
{
	static const char text[] = "apiVersion: credgate.io/v1\nkind: CredentialPolicy\nmetadata: {name: good}\n"
				   "spec: {selector: {cgroup: /}}\n"
				   "---\n"
				   "apiVersion: credgate.io/v1\nkind: CredentialPolicy\nmetadata: {name: bad}\n"
				   "spec: {selector: {cgroup: /}, mode: loud}\n";
	struct policy_set *set = test_set();
	struct policy_diags diags = {};
	char *first = minimal_policy("first");
	char *got;

	parse_ok(set, "first.yaml", first);
	assert_int_equal(policy_set__parse(set, "two.yaml", text, strlen(text), &diags), -EINVAL);
	got = format_diags(&diags);
	assert_string_equal(got, "two.yaml:9:37: error: spec.mode: expected 'audit', 'enforce', 'permissive' or 'enforcing', got 'loud'\n");
	assert_int_equal(set->count, 1);
	assert_string_equal(set->policies[0].name, "first");

	free(got);
	free(first);
	policy_diags_clear(&diags);
	policy_set__free(set);
}

/* ---- The bad-input corpus ------------------------------------------------------ */

static bool corpus_entry(const struct dirent *entry, char *expect, size_t size)
{
	const char *name = entry->d_name;
	size_t len = strlen(name);

	if (len > 5 && strcmp(name + len - 5, ".yaml") == 0)
		return snprintf(expect, size, "%.*s.expect", (int)(len - 5), name) > 0;
	if (len > 2 && strcmp(name + len - 2, ".d") == 0)
		return snprintf(expect, size, "%.*s.expect", (int)(len - 2), name) > 0;
	return false;
}

static void test_bad_corpus(void **state)
{
	char *bad_dir = data_path("bad");
	char saved_cwd[PATH_MAX];
	struct dirent **entries;
	unsigned checked = 0, failed = 0;
	int n;

	/* Load by relative name so that diagnostics, and the .expect files,
	 * do not depend on where the source tree is. */
	assert_non_null(getcwd(saved_cwd, sizeof(saved_cwd)));
	assert_int_equal(chdir(bad_dir), 0);
	n = scandir(".", &entries, NULL, alphasort);
	assert_true(n > 0);

	for (int i = 0; i < n; i++) {
		char expect_name[NAME_MAX + 1];
		struct policy_set *set;
		struct policy_diags diags = {};
		char *expected, *got;
		int r;

		if (!corpus_entry(entries[i], expect_name, sizeof(expect_name))) {
			free(entries[i]);
			continue;
		}
		set = policy_set__new();
		assert_non_null(set);
		assert_int_equal(policy_set__set_name_files(set, "../etc/passwd", "../etc/group"), 0);
		r = policy_set__load(set, entries[i]->d_name, &diags);
		expected = read_text_file(expect_name);
		got = format_diags(&diags);
		if (strcmp(expected, got) != 0 || r >= 0 || set->count != 0 || diags.errors == 0) {
			print_error("%s: r=%d, count=%zu\n--- expected\n%s--- got\n%s", entries[i]->d_name, r,
				    set->count, expected, got);
			failed++;
		}
		checked++;
		free(expected);
		free(got);
		policy_diags_clear(&diags);
		policy_set__free(set);
		free(entries[i]);
	}
	free(entries);
	assert_int_equal(chdir(saved_cwd), 0);
	free(bad_dir);

	assert_true(checked >= 40);
	assert_int_equal(failed, 0);
}

static void test_good_corpus(void **state)
{
	char *good_dir = data_path("good");
	struct policy_set *set = test_set();
	struct policy_diags diags = {};

	assert_int_equal(policy_set__load(set, good_dir, &diags), 0);
	assert_no_diags(&diags);
	assert_true(set->count >= 7);
	for (size_t i = 0; i < set->count; i++)
		assert_int_equal(set->policies[i].compiled.policy_id, i);
	policy_set__free(set);
	free(good_dir);
}

/* ---- Directories and files ------------------------------------------------------- */

static void test_directory_order(void **state)
{
	const char *dir = *state;
	char path[PATH_MAX], subdir[PATH_MAX], fifo[PATH_MAX], link[PATH_MAX], target[PATH_MAX];
	struct policy_set *set = test_set();
	struct policy_diags diags = {};
	static const char *const order[] = { "10.yaml", "9.yaml", "a.yml", "b.yaml", "link.yaml" };
	char *text;

	/* strcmp order: "10" < "9" < "a" < "b" < "link". */
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		char name[32];

		if (strcmp(order[i], "link.yaml") == 0)
			continue;
		snprintf(name, sizeof(name), "p%zu", i);
		text = minimal_policy(name);
		write_text(dir, order[i], text);
		free(text);
	}
	/* Not policy files: other suffixes, hidden files, a directory, a FIFO
	 * (which must not block the loader). */
	text = minimal_policy("ignored");
	write_text(dir, "c.txt", text);
	write_text(dir, "d.YAML", text);
	write_text(dir, ".hidden.yaml", text);
	write_text(dir, "yaml", text);
	free(text);
	write_text(dir, "e.yaml~", "not: yaml: at: all");
	snprintf(subdir, sizeof(subdir), "%s/sub.yaml", dir);
	assert_int_equal(mkdir(subdir, 0755), 0);
	snprintf(fifo, sizeof(fifo), "%s/fifo.yaml", dir);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	/* A symlink to a regular file counts as one, as in systemd's .d dirs. */
	text = minimal_policy("p4");
	write_text(dir, "target.txt", text);
	free(text);
	snprintf(target, sizeof(target), "%s/target.txt", dir);
	snprintf(link, sizeof(link), "%s/link.yaml", dir);
	assert_int_equal(symlink(target, link), 0);

	/* A trailing slash does not double in the names. */
	snprintf(path, sizeof(path), "%s/", dir);
	assert_int_equal(policy_set__load(set, path, &diags), 0);
	assert_no_diags(&diags);
	assert_int_equal(set->count, 5);
	for (size_t i = 0; i < set->count; i++) {
		char name[32], file[PATH_MAX];

		snprintf(name, sizeof(name), "p%zu", i);
		snprintf(file, sizeof(file), "%s/%s", dir, order[i]);
		assert_string_equal(set->policies[i].name, name);
		assert_string_equal(set->policies[i].file, file);
		assert_int_equal(set->policies[i].compiled.policy_id, i);
	}
	policy_set__free(set);
}

/* One bad file in a directory: nothing from the directory joins the set, and
 * every file's problems are reported. */
static void test_directory_all_or_nothing(void **state)
{
	const char *dir = *state;
	struct policy_set *set = test_set();
	struct policy_diags diags = {};
	char *a = minimal_policy("a"), *c = minimal_policy("c"), *keep = minimal_policy("keep");
	char *got, *expected;

	parse_ok(set, "keep.yaml", keep);
	write_text(dir, "a.yaml", a);
	write_text(dir, "b.yaml", "apiVersion: credgate.io/v1\nkind: Policy\n");
	write_text(dir, "c.yaml", c);
	write_text(dir, "d.yaml", "apiVersion: [\n");

	assert_int_equal(policy_set__load(set, dir, &diags), -EINVAL);
	got = format_diags(&diags);
	assert_true(asprintf(&expected,
			     "%s/b.yaml:2:7: error: kind: expected 'CredentialPolicy' or 'TracingPolicy', got 'Policy'\n"
			     "%s/d.yaml:2:1: error: syntax error: did not find expected node content\n",
			     dir, dir) > 0);
	assert_string_equal(got, expected);
	assert_int_equal(set->count, 1);
	assert_string_equal(set->policies[0].name, "keep");

	free(got);
	free(expected);
	free(a);
	free(c);
	free(keep);
	policy_diags_clear(&diags);
	policy_set__free(set);
}

static void test_open_errors(void **state)
{
	const char *dir = *state;
	struct policy_set *set = test_set();
	struct policy_diags diags = {};
	char missing[PATH_MAX];
	char *got, *expected;

	snprintf(missing, sizeof(missing), "%s/missing.yaml", dir);
	assert_int_equal(policy_set__load(set, missing, &diags), -ENOENT);
	assert_int_equal(policy_set__load(set, "/dev/null", &diags), -EINVAL);
	got = format_diags(&diags);
	assert_true(asprintf(&expected,
			     "%s: error: cannot open: No such file or directory\n"
			     "/dev/null: error: not a regular file or a directory\n",
			     missing) > 0);
	assert_string_equal(got, expected);
	assert_int_equal(set->count, 0);

	free(got);
	free(expected);
	policy_diags_clear(&diags);
	policy_set__free(set);
}

static void test_file_too_large(void **state)
{
	const char *dir = *state;
	struct policy_set *set = test_set();
	struct policy_diags diags = {};
	size_t len = POLICY_MAX_FILE_SIZE + 1;
	char *text = malloc(len + 1);
	char path[PATH_MAX], *got, *expected;

	/* Comment lines: valid YAML right up to the limit. */
	assert_non_null(text);
	for (size_t i = 0; i < len; i++)
		text[i] = i % 64 == 63 ? '\n' : '#';
	text[len] = '\0';

	write_file(dir, "big.yaml", text, len);
	snprintf(path, sizeof(path), "%s/big.yaml", dir);
	assert_int_equal(policy_set__load(set, path, &diags), -EFBIG);
	/* In a directory too, and through policy_set__parse. */
	assert_int_equal(policy_set__load(set, dir, &diags), -EFBIG);
	assert_int_equal(policy_set__parse(set, "text.yaml", text, len, &diags), -EFBIG);
	got = format_diags(&diags);
	assert_true(asprintf(&expected,
			     "%s: error: file is too large: 1048577 bytes, more than POLICY_MAX_FILE_SIZE (1048576)\n"
			     "%s: error: file is too large: 1048577 bytes, more than POLICY_MAX_FILE_SIZE (1048576)\n"
			     "text.yaml: error: file is too large: 1048577 bytes, more than POLICY_MAX_FILE_SIZE (1048576)\n",
			     path, path) > 0);
	assert_string_equal(got, expected);
	free(got);
	free(expected);
	policy_diags_clear(&diags);

	/* Exactly at the limit is fine. */
	write_file(dir, "big.yaml", text, len - 1);
	assert_int_equal(policy_set__load(set, path, &diags), 0);
	assert_no_diags(&diags);
	assert_int_equal(set->count, 0);

	free(text);
	policy_set__free(set);
}

/* ---- Limits that need generated input ------------------------------------------ */

/* @count documents, "---" only, or minimal policies named PREFIX0, PREFIX1... */
static char *repeat_documents(unsigned count, const char *prefix)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	assert_non_null(out);
	for (unsigned i = 0; i < count; i++) {
		if (prefix)
			fprintf(out,
				"---\napiVersion: credgate.io/v1\nkind: CredentialPolicy\nmetadata: {name: %s%u}\n"
				"spec: {selector: {cgroup: /}}\n",
				prefix, i);
		else
			fputs("---\n", out);
	}
	assert_int_equal(fclose(out), 0);
	return text;
}

static void test_too_many_documents(void **state)
{
	char *text = repeat_documents(POLICY_MAX_DOCUMENTS_PER_FILE, NULL);
	struct policy_set *set = test_set();
	char expected[256];

	parse_ok(set, "docs.yaml", text);
	free(text);

	text = repeat_documents(POLICY_MAX_DOCUMENTS_PER_FILE + 1, NULL);
	snprintf(expected, sizeof(expected),
		 "docs.yaml:%d:1: error: too many documents in one file: more than "
		 "POLICY_MAX_DOCUMENTS_PER_FILE (512)\n",
		 POLICY_MAX_DOCUMENTS_PER_FILE + 1);
	parse_fails("docs.yaml", text, expected);
	free(text);
	policy_set__free(set);
}

static void test_too_many_policies(void **state)
{
	const char *dir = *state;
	char *expected;
	char *text = repeat_documents(CG_MAX_SELECTORS, "p");
	struct policy_set *set = test_set();
	struct policy_diags diags = {};
	char *one = minimal_policy("one-too-many");
	char *got;

	/* Every policy has a selector and a set holds CG_MAX_SELECTORS of them
	 * (fewer than CG_MAX_POLICIES): that many policies load... */
	parse_ok(set, "full.yaml", text);
	assert_int_equal(set->count, CG_MAX_SELECTORS);
	assert_int_equal(set->policies[CG_MAX_SELECTORS - 1].compiled.policy_id, CG_MAX_SELECTORS - 1);

	/* ...and one more is refused, leaving the set as it was. */
	assert_int_equal(policy_set__parse(set, "more.yaml", one, strlen(one), &diags), -EINVAL);
	got = format_diags(&diags);
	assert_string_equal(got, "more.yaml:6:13: error: too many selectors in the policy set: more than "
				 "CG_MAX_SELECTORS (256)\n");
	assert_int_equal(set->count, CG_MAX_SELECTORS);
	assert_int_equal(set->selection->generation.nselectors, CG_MAX_SELECTORS);
	free(got);
	free(text);
	free(one);
	policy_diags_clear(&diags);
	policy_set__free(set);

	/* Across the files of a directory: reported once, at the first policy
	 * past the limit (before any selection is built), and nothing joins
	 * the set. */
	text = repeat_documents(300, "a");
	write_text(dir, "a.yaml", text);
	free(text);
	text = repeat_documents(CG_MAX_POLICIES - 300 + 2, "b");
	write_text(dir, "b.yaml", text);
	free(text);
	set = test_set();
	assert_int_equal(policy_set__load(set, dir, &diags), -EINVAL);
	got = format_diags(&diags);
	/* Document 212 of b.yaml (0-based) is policy 512; 5 lines a document. */
	assert_true(asprintf(&expected,
			     "%s/b.yaml:1062:1: error: too many policies: more than CG_MAX_POLICIES (512) in one set\n",
			     dir) > 0);
	assert_string_equal(got, expected);
	assert_int_equal(set->count, 0);
	free(got);
	free(expected);
	policy_diags_clear(&diags);
	policy_set__free(set);
}

/* Past POLICY_MAX_DIAGS, diagnostics are counted, not kept. */
static void test_diag_limit(void **state)
{
	struct policy_set *set = test_set();
	struct policy_diags diags = {};
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	assert_non_null(out);
	fputs("apiVersion: credgate.io/v1\nkind: CredentialPolicy\nmetadata: {name: noisy}\nspec:\n"
	      "  selector: {cgroup: /}\n  setuid:\n    deny:\n",
	      out);
	for (int i = 0; i < 30; i++)
		fprintf(out, "      - to: [x, y, z, w, v]\n");
	assert_int_equal(fclose(out), 0);

	assert_int_equal(policy_set__parse(set, "noisy.yaml", text, strlen(text), &diags), -EINVAL);
	assert_int_equal(diags.count, POLICY_MAX_DIAGS);
	assert_int_equal(diags.errors, POLICY_MAX_DIAGS);
	assert_int_equal(diags.dropped, 150 - POLICY_MAX_DIAGS);
	assert_int_equal(set->count, 0);

	/* A full list does not hide a later call's failure. */
	assert_int_equal(policy_set__parse(set, "noisy.yaml", text, strlen(text), &diags), -EINVAL);
	assert_int_equal(diags.dropped, 300 - POLICY_MAX_DIAGS);

	free(text);
	policy_diags_clear(&diags);
	assert_int_equal(diags.count, 0);
	assert_null(diags.items);
	policy_set__free(set);
}

static void test_nesting_boundary(void **state)
{
	/* root, spec, setuid, deny, rule: five levels, so eleven more lists are
	 * exactly POLICY_MAX_NESTING: the id parser, not the reader, objects. */
	static const char text[] = "apiVersion: credgate.io/v1\nkind: CredentialPolicy\nmetadata: {name: deep}\n"
				   "spec:\n  selector: {cgroup: /}\n  setuid:\n    deny:\n"
				   "      - to: [[[[[[[[[[[0]]]]]]]]]]]\n";

	parse_fails("deep.yaml", text,
		    "deep.yaml:8:14: error: spec.setuid.deny[0].to[0]: expected an integer id, a range 'lo-hi', "
		    "'any' or a user name, got a list\n");
}

static void test_node_limit(void **state)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	assert_non_null(out);
	fputs("apiVersion: credgate.io/v1\nkind: CredentialPolicy\nmetadata: {name: huge}\n"
	      "spec:\n  selector: {cgroup: /}\n  capset:\n    denyGain: [",
	      out);
	for (int i = 0; i < 20000; i++)
		fputs("chown,", out);
	fputs("chown]\n", out);
	assert_int_equal(fclose(out), 0);

	/* 19 nodes come before the list's items, so item 16365 (0-based, at
	 * column 16 + 6 * 16365) is the one past YAML_DOC_MAX_NODES. */
	parse_fails("huge.yaml", text, "huge.yaml:7:98206: error: too many YAML nodes in one document: more than 16384\n");
	free(text);
}

/* ---- Diagnostics ------------------------------------------------------------------ */

static void test_diag_format(void **state)
{
	struct policy_diag diag = {
		.severity = POLICY_DIAG_ERROR,
		.file = "web.yaml",
		.line = 12,
		.column = 19,
		.message = "unknown capability 'CAP_FOO'",
	};
	char buf[128], small[10];
	int len;

	len = policy_diag_format(&diag, buf, sizeof(buf));
	assert_string_equal(buf, "web.yaml:12:19: error: unknown capability 'CAP_FOO'");
	assert_int_equal(len, strlen(buf));

	/* snprintf semantics: truncated, terminated, full length returned. */
	assert_int_equal(policy_diag_format(&diag, small, sizeof(small)), len);
	assert_string_equal(small, "web.yaml:");
	assert_int_equal(policy_diag_format(&diag, NULL, 0), len);

	diag.severity = POLICY_DIAG_WARNING;
	diag.column = 0;
	policy_diag_format(&diag, buf, sizeof(buf));
	assert_string_equal(buf, "web.yaml:12: warning: unknown capability 'CAP_FOO'");

	diag.line = 0;
	diag.severity = POLICY_DIAG_ERROR;
	diag.file = "dir/new\nline.yaml";
	diag.message = "cannot open: Permission denied";
	policy_diag_format(&diag, buf, sizeof(buf));
	assert_string_equal(buf, "dir/new\\nline.yaml: error: cannot open: Permission denied");

	assert_int_equal(policy_diag_format(NULL, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(policy_diag_format(&diag, NULL, 10), -EINVAL);
	policy_diags_clear(NULL);
}

/*
 * The agent reports what it finds binding a set to the host's cgroups
 * through the same reporter: with a cap of its own, a problem of no file
 * printed as its message alone, and errors counted even when dropped.
 */
static void test_diag_reporter_limit_and_no_file(void **state)
{
	struct policy_diags diags = { .limit = 2 };
	struct diag_reporter reporter = { .diags = &diags };
	char buf[128];

	diag_report(&reporter, POLICY_DIAG_WARNING, 0, 0, "%d cgroups have no state", 3);
	reporter.file = "a.yaml";
	diag_error(&reporter, 4, 2, "a tie");
	diag_error(&reporter, 5, 2, "another tie");
	assert_int_equal(diags.count, 2);
	assert_int_equal(diags.dropped, 1);
	assert_int_equal(diags.errors, 1);
	assert_int_equal(reporter.errors, 2);
	assert_null(diags.items[0].file);
	policy_diag_format(&diags.items[0], buf, sizeof(buf));
	assert_string_equal(buf, "warning: 3 cgroups have no state");
	policy_diag_format(&diags.items[1], buf, sizeof(buf));
	assert_string_equal(buf, "a.yaml:4:2: error: a tie");
	policy_diags_clear(&diags);
}

/* User text in messages is escaped and cut, so a message stays one short line. */
static void test_diag_quoting(void **state)
{
	char *text, *got;
	char long_name[200];

	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_true(asprintf(&text,
			     "apiVersion: credgate.io/v1\nkind: CredentialPolicy\nmetadata: {name: q}\n"
			     "spec:\n  selector: {cgroup: /}\n  \"bad\\tkey\\u0085\": 1\n  %s: 2\n",
			     long_name) > 0);
	assert_true(asprintf(&got,
			     "q.yaml:6:3: error: unknown key 'bad\\tkey\\u0085' in spec (expected one of: mode, "
			     "observe, reportAllowed, priority, regain, selector, setuid, setgid, setgroups, capset, "
			     "exec, userns)\n"
			     "q.yaml:7:3: error: unknown key '%.80s...' in spec (expected one of: mode, observe, "
			     "reportAllowed, priority, regain, selector, setuid, setgid, setgroups, capset, exec, "
			     "userns)\n",
			     long_name) > 0);
	parse_fails("q.yaml", text, got);
	free(text);
	free(got);
}

static void test_null_arguments(void **state)
{
	struct policy_set *set = test_set();
	struct policy_diags diags = {};
	char *text = minimal_policy("quiet");

	assert_int_equal(policy_set__parse(NULL, "x.yaml", "", 0, &diags), -EINVAL);
	assert_int_equal(policy_set__parse(set, "x.yaml", NULL, 5, &diags), -EINVAL);
	assert_int_equal(policy_set__load(NULL, "/", &diags), -EINVAL);
	assert_int_equal(policy_set__load(set, NULL, &diags), -EINVAL);
	/* No diagnostics list: problems are still counted, and failure returned. */
	assert_int_equal(policy_set__parse(set, "x.yaml", "kind: [", 7, NULL), -EINVAL);
	assert_int_equal(policy_set__parse(set, NULL, text, strlen(text), NULL), 0);
	assert_string_equal(set->policies[0].file, "<input>");
	assert_int_equal(diags.count, 0);
	policy_set__dump(NULL, stdout);
	policy_set__free(NULL);
	policy_set__free(set);
	free(text);
}

static void test_dump(void **state)
{
	struct policy_set *set = test_set();
	struct policy_diags diags = {};
	char *path = data_path("good/web-no-root.yaml");
	char *text = NULL, *expected;
	size_t size = 0;
	FILE *out;

	assert_int_equal(policy_set__load(set, path, &diags), 0);
	out = open_memstream(&text, &size);
	assert_non_null(out);
	policy_set__dump(set, out);
	assert_int_equal(fclose(out), 0);

	assert_true(asprintf(&expected, "policy 0: web-no-root (%s:3:1)\n", path) > 0);
	assert_true(strncmp(text, expected, strlen(expected)) == 0);
	assert_non_null(strstr(text, "  mode: enforce\n  priority: 0\n  flags: observe\n"));
	assert_non_null(strstr(text, "  selector 0: cgroup /system.slice/web.service (line 12)\n"));
	assert_non_null(strstr(text, "  kind: CredentialPolicy\n"));
	/* The policy's predicate, then the seal every set with a predicate has (selection.c). */
	assert_non_null(strstr(text, "selection: 2 predicates, 23 states, 1 selectors\n"
				     "  predicate 0: cgroup /system.slice/web.service (states 0-2)\n"
				     "  predicate 1: a container's cgroup (states 3-22)\n"
				     "  state 0 (root): literal 'system.slice'\n"
				     "  state 1: literal 'web.service'\n"
				     "  state 2: end predicate 0\n"));
	assert_non_null(strstr(text, "  state 22: end predicate 1\n"
				     "  selector 0: policy 0 (web-no-root) selector 0, priority 0, require {0}\n"));
	assert_non_null(strstr(text, "  rule 0: setuid.deny[0]: from any to 0 [task_fix_setuid, deny, enforce] (line 15)\n"));
	assert_non_null(strstr(text, "  setuid: 6 entries\n    from 0-4294967295 to 0-0: deny enforce, rule 0\n"));
	assert_non_null(strstr(text, "    caps 0x0000000000202000 sets 0x3: deny audit, rule 7\n"));

	free(expected);
	free(text);
	free(path);
	policy_diags_clear(&diags);
	policy_set__free(set);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_web_no_root_compiled),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_flags_and_modes),
		cmocka_unit_test(test_selinux_mode_aliases),
		cmocka_unit_test(test_selinux_selectors),
		cmocka_unit_test(test_selinux_table_across_parses),
		cmocka_unit_test(test_id_specs),
		cmocka_unit_test(test_id_rule_limit_boundary),
		cmocka_unit_test(test_capset),
		cmocka_unit_test(test_capability_names),
		cmocka_unit_test(test_enum_names),
		cmocka_unit_test(test_cgroup_normalisation),
		cmocka_unit_test(test_selector_limit_boundary),
		cmocka_unit_test(test_multiple_documents),
		cmocka_unit_test(test_empty_inputs),
		cmocka_unit_test(test_sets_accumulate),
		cmocka_unit_test(test_parse_all_or_nothing),
		cmocka_unit_test(test_bad_corpus),
		cmocka_unit_test(test_good_corpus),
		cmocka_unit_test_setup_teardown(test_directory_order, setup_temp_dir, teardown_temp_dir),
		cmocka_unit_test_setup_teardown(test_directory_all_or_nothing, setup_temp_dir, teardown_temp_dir),
		cmocka_unit_test_setup_teardown(test_open_errors, setup_temp_dir, teardown_temp_dir),
		cmocka_unit_test_setup_teardown(test_file_too_large, setup_temp_dir, teardown_temp_dir),
		cmocka_unit_test(test_too_many_documents),
		cmocka_unit_test_setup_teardown(test_too_many_policies, setup_temp_dir, teardown_temp_dir),
		cmocka_unit_test(test_diag_limit),
		cmocka_unit_test(test_nesting_boundary),
		cmocka_unit_test(test_node_limit),
		cmocka_unit_test(test_diag_format),
		cmocka_unit_test(test_diag_reporter_limit_and_no_file),
		cmocka_unit_test(test_diag_quoting),
		cmocka_unit_test(test_null_arguments),
		cmocka_unit_test(test_dump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
