/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unit tests of policy/fileio.c's trust check (StrictModes for policy and
 * settings files) and of policy_set__load() with trusted files required.
 * Real files in a private temporary directory; the ownership cases need
 * root (chown), which CI has, and are skipped with a reason otherwise.
 */

#include "test_policy_common.c"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/fileio.h"

static const char good_policy[] = "apiVersion: credgate.io/v1\n"
				  "kind: CredentialPolicy\n"
				  "metadata:\n"
				  "  name: trusted-%s\n"
				  "spec:\n"
				  "  selector:\n"
				  "    cgroup: /%s\n";

struct fixture {
	char dir[64];
};

static int setup(void **state)
{
	static struct fixture f;

	snprintf(f.dir, sizeof(f.dir), "/tmp/credgate-fileio.XXXXXX");
	if (!mkdtemp(f.dir))
		return -1;
	*state = &f;
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	chmod(f->dir, 0700);
	return nftw(f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Write @name in @dir, as a policy named after it, with @mode. */
static char *write_file(const char *dir, const char *name, mode_t mode)
{
	static unsigned serial; /* policy names must differ across files */
	char *path, policy_name[16];
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	snprintf(policy_name, sizeof(policy_name), "%u", serial++);
	fprintf(f, good_policy, policy_name, name);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static char *make_dir(const char *dir, const char *name, mode_t mode)
{
	char *path;

	assert_true(asprintf(&path, "%s/%s", dir, name) > 0);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(chmod(path, mode), 0);
	return path;
}

static void trusted_file_and_private_dir(void **state)
{
	struct fixture *f = *state;
	struct trust_problem problem;
	char *file = write_file(f->dir, "a.yaml", 0644);

	assert_int_equal(path_check_trusted(file, &problem), 0);
	assert_int_equal(problem.kind, TRUST_OK);
	assert_int_equal(path_check_trusted(f->dir, &problem), 0);
	free(file);
}

static void writable_file_refused(void **state)
{
	struct fixture *f = *state;
	struct trust_problem problem;
	char *others = write_file(f->dir, "others.yaml", 0646);
	char *group = write_file(f->dir, "group.yaml", 0664);
	char buf[128];

	assert_int_equal(path_check_trusted(others, &problem), -EPERM);
	assert_int_equal(problem.kind, TRUST_WRITABLE);
	assert_string_equal(problem.path, others);
	assert_string_equal(trust_problem_text(&problem, buf, sizeof(buf)), "writable by others (mode 0646)");

	assert_int_equal(path_check_trusted(group, &problem), -EPERM);
	assert_string_equal(trust_problem_text(&problem, buf, sizeof(buf)), "writable by its group (mode 0664)");
	free(others);
	free(group);
}

/* A directory others may write: they could rename a policy away or swap it. */
static void writable_directory_above_refused(void **state)
{
	struct fixture *f = *state;
	struct trust_problem problem;
	char *dir = make_dir(f->dir, "open", 0777);
	char *sub = make_dir(dir, "private", 0700);
	char *file = write_file(sub, "p.yaml", 0600);
	char buf[128];

	assert_int_equal(path_check_trusted(file, &problem), -EPERM);
	assert_string_equal(problem.path, dir);
	assert_string_equal(trust_problem_text(&problem, buf, sizeof(buf)),
			    "writable by its group and others (mode 0777)");
	free(file);
	free(sub);
	free(dir);
}

/* /tmp-like: root's and sticky, so others cannot touch root's entries. */
static void sticky_root_directory_above_trusted(void **state)
{
	struct fixture *f = *state;
	struct trust_problem problem;
	char *dir = make_dir(f->dir, "sticky", 01777);
	char *file = write_file(dir, "p.yaml", 0644);

	if (geteuid() != 0) {
		free(file);
		free(dir);
		skip(); /* the sticky exception is for root's directories */
	}
	assert_int_equal(path_check_trusted(file, &problem), 0);
	/* The sticky directory itself, as what is loaded, is not trusted. */
	assert_int_equal(path_check_trusted(dir, &problem), -EPERM);
	assert_int_equal(problem.kind, TRUST_WRITABLE);
	free(file);
	free(dir);
}

static void other_owner_refused(void **state)
{
	struct fixture *f = *state;
	struct trust_problem problem;
	char *file = write_file(f->dir, "theirs.yaml", 0644);
	char *sticky = make_dir(f->dir, "users-sticky", 01777);
	char *inner = write_file(sticky, "p.yaml", 0644);
	char buf[128];

	if (geteuid() != 0) {
		free(file), free(sticky), free(inner);
		skip(); /* chown needs root */
	}
	assert_int_equal(chown(file, 1000, 1000), 0);
	assert_int_equal(path_check_trusted(file, &problem), -EPERM);
	assert_int_equal(problem.kind, TRUST_OWNER);
	assert_string_equal(trust_problem_text(&problem, buf, sizeof(buf)), "owned by uid 1000, not by root");

	/* A sticky directory is a safe place only when it is root's. */
	assert_int_equal(chown(sticky, 1000, 1000), 0);
	assert_int_equal(path_check_trusted(inner, &problem), -EPERM);
	assert_string_equal(problem.path, sticky);
	free(file), free(sticky), free(inner);
}

/* A symbolic link is judged by what it leads to, and the way there. */
static void symlink_to_untrusted_refused(void **state)
{
	struct fixture *f = *state;
	struct trust_problem problem;
	char *dir = make_dir(f->dir, "open", 0777);
	char *target = write_file(dir, "p.yaml", 0644);
	char *link;

	assert_true(asprintf(&link, "%s/link.yaml", f->dir) > 0);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(path_check_trusted(link, &problem), -EPERM);
	assert_string_equal(problem.path, dir);
	free(link), free(target), free(dir);
}

static void load_refuses_untrusted_file_in_directory(void **state)
{
	struct fixture *f = *state;
	char *dir = make_dir(f->dir, "policies.d", 0755);
	char *good = write_file(dir, "10-good.yaml", 0644);
	char *bad = write_file(dir, "20-bad.yaml", 0666);
	struct policy_diags diags = {};
	struct policy_set *set = policy_set__new();
	char line[512];

	/* Off by default: parsing tests and tools see no difference. */
	assert_int_equal(policy_set__load(set, dir, &diags), 0);
	assert_int_equal(set->count, 2);
	policy_set__free(set);

	set = policy_set__new();
	policy_set__require_trusted_files(set, true);
	assert_int_equal(policy_set__load(set, dir, &diags), -EPERM);
	assert_int_equal(set->count, 0); /* all or nothing */
	assert_int_equal(diags.count, 1);
	policy_diag_format(&diags.items[0], line, sizeof(line));
	assert_non_null(strstr(line, bad));
	assert_non_null(strstr(line, "refusing a policy file writable by its group and others (mode 0666)"));
	policy_diags_clear(&diags);

	assert_int_equal(chmod(bad, 0644), 0);
	assert_int_equal(policy_set__load(set, dir, &diags), 0);
	assert_int_equal(set->count, 2);
	policy_set__free(set);
	free(good), free(bad), free(dir);
}

static void load_refuses_writable_directory(void **state)
{
	struct fixture *f = *state;
	char *dir = make_dir(f->dir, "policies.d", 0775);
	char *good = write_file(dir, "10-good.yaml", 0644);
	struct policy_diags diags = {};
	struct policy_set *set = policy_set__new();
	char line[512];

	policy_set__require_trusted_files(set, true);
	assert_int_equal(policy_set__load(set, good, &diags), -EPERM);
	assert_int_equal(diags.count, 1);
	policy_diag_format(&diags.items[0], line, sizeof(line));
	assert_non_null(strstr(line, "the directory"));
	assert_non_null(strstr(line, "writable by its group (mode 0775)"));
	policy_diags_clear(&diags);
	policy_set__free(set);
	free(good), free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(trusted_file_and_private_dir, setup, teardown),
		cmocka_unit_test_setup_teardown(writable_file_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(writable_directory_above_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(sticky_root_directory_above_trusted, setup, teardown),
		cmocka_unit_test_setup_teardown(other_owner_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(symlink_to_untrusted_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(load_refuses_untrusted_file_in_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(load_refuses_writable_directory, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
