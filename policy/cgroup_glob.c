// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Cgroup globs: the rules a pattern must meet for the kernel matcher (one
 * '*' per component or a whole "**" component, components shorter than
 * CG_PATTERN_LEN, at most CG_MAX_CGROUP_DEPTH of them), written once for a
 * selector's "cgroup:" and for containerCgroups.
 */
#include "cgroup_glob.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "policy.h"

static bool is_any(const char *p, size_t n)
{
	return n == 2 && p[0] == '*' && p[1] == '*';
}

static int refuse(struct cgroup_glob *g, enum cgroup_glob_problem problem, const char *at, size_t len, size_t stars)
{
	g->problem = problem;
	g->at = at;
	g->at_len = len;
	g->stars = stars;
	return -EINVAL;
}

int cgroup_glob_parse(const char *path, unsigned flags, struct cgroup_glob *g)
{
	bool anchored = flags & CGROUP_GLOB_ANCHORED;
	_cleanup_free_ char *pattern = NULL;
	size_t len = 0;

	*g = (struct cgroup_glob){ .problem = CGROUP_GLOB_OK };
	pattern = malloc(strlen(path) + 1);
	if (!pattern)
		return -ENOMEM;
	for (const char *p = path; *p;) {
		size_t n, stars = 0;
		bool any;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0)
			break;
		any = is_any(p, n);
		if (any && g->ends_any) {
			p += n; /* a run of "**" is one "**" */
			continue;
		}
		if (any && anchored && g->components == 0)
			return refuse(g, CGROUP_GLOB_ANY_FIRST, p, n, 0);
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return refuse(g, CGROUP_GLOB_DOT, p, n, 0);
		for (size_t i = 0; i < n && !any; i++)
			stars += p[i] == '*';
		if (stars > 1)
			return refuse(g, CGROUP_GLOB_STARS, p, n, stars);
		if (n >= CG_PATTERN_LEN)
			return refuse(g, CGROUP_GLOB_LONG, p, n, stars);
		/* "**" matches zero components: only the anchored form counts it. */
		if ((!any || anchored) && ++g->components > CG_MAX_CGROUP_DEPTH)
			return refuse(g, CGROUP_GLOB_DEEP, p, n, stars);
		if (len > 0)
			pattern[len++] = '/';
		memcpy(pattern + len, p, n);
		len += n;
		g->ends_any = any;
		p += n;
	}
	pattern[len] = '\0';
	g->pattern = TAKE_PTR(pattern);
	return 0;
}

/* ---- containerCgroups ---------------------------------------------------- */

/*
 * The same rules as a "cgroup:" selector's pattern, and one more: "**"
 * never first. A pattern that could match at any depth would match in a
 * user's delegated subtree or a container's own, where names are the
 * governed's choice.
 */
int policy_container_cgroup_pattern(const char *pattern, char **ret, const char **why)
{
	struct cgroup_glob g;
	int r;

	*ret = NULL;
	*why = NULL;
	if (!pattern || pattern[0] != '/') {
		*why = "not an absolute path (it must start with '/')";
		return -EINVAL;
	}
	if (strnlen(pattern, POLICY_MAX_PATH_LEN + 1) > POLICY_MAX_PATH_LEN) {
		*why = "longer than POLICY_MAX_PATH_LEN (4096)";
		return -EINVAL;
	}
	for (const char *p = pattern; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			*why = "control characters are not allowed";
			return -EINVAL;
		}
	r = cgroup_glob_parse(pattern, CGROUP_GLOB_ANCHORED, &g);
	if (r == -EINVAL) {
		switch (g.problem) {
		case CGROUP_GLOB_ANY_FIRST:
			*why = "it starts with '**', so it would match at any depth, in subtrees whose names users "
			       "and containers choose: anchor it at the root (/parent.slice/...)";
			break;
		case CGROUP_GLOB_DOT:
			*why = "'.' and '..' components are not allowed";
			break;
		case CGROUP_GLOB_STARS:
			*why = "a component has more than one '*' (the kernel matcher allows one per component)";
			break;
		case CGROUP_GLOB_LONG:
			*why = "a component is longer than CG_PATTERN_LEN - 1 bytes";
			break;
		case CGROUP_GLOB_DEEP:
		default:
			*why = "more than CG_MAX_CGROUP_DEPTH (32) components";
			break;
		}
	}
	if (r < 0)
		return r;
	if (g.components == 0) {
		*why = "it names the root cgroup, which holds the host";
		free(g.pattern);
		return -EINVAL;
	}
	if (g.ends_any) {
		*why = "it ends with '**': name the containers' own cgroups, not everything below a parent";
		free(g.pattern);
		return -EINVAL;
	}
	*ret = g.pattern;
	return 0;
}
