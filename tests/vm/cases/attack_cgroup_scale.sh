#!/bin/sh
# credgate-vm: --timeout=400 --mem 2048
# Attack (issue 11, item 2): escape a policy by numbers, depth or a name.
#
# A local user (uid 1000) with a delegated subtree, and root's own tree under
# a governed cgroup:
#   - 100,000 cgroups, 60,000 made before the agent starts (more than the
#     32,768 credgate once tracked) and 40,000 after: the agent must start,
#     reload, and govern them (measured: about 35 s to make them under TCG);
#   - a chain 200 deep, below the user's delegation and in root's tree, with a
#     directory named ".hidden" on the way (the old walk skipped those), made
#     before the agent starts and after;
# a process at the bottom of each chain tries to regain root: refused (EPERM)
# by the policy governing the top, reported with its name, and no cgroup is
# without a state (status: unknown 0, state failures 0).
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop CREDGATECTL=/bin/credgatectl
# The guest is thrown away after the case, and removing 100,000 cgroups one
# by one takes minutes under TCG: cleanup stops the agent and leaves them.
cg_remove_tree() { :; }

# How many cgroups the user makes before the agent starts, and after (for a
# measurement by hand: run-vm.sh --append "credgate.scale=PRE,POST").
PRE=60000 POST=40000
for arg in $(cat /proc/cmdline); do
	case $arg in credgate.scale=*,*) v=${arg#credgate.scale=}; PRE=${v%,*} POST=${v#*,} ;; esac
done
DEPTH=200

cg_setup scale
SUIDDIR=/tmp/suid.$$
mkdir -m 755 "$SUIDDIR" && cp "$CREDOP" "$SUIDDIR/credop" && chmod 4755 "$SUIDDIR/credop" ||
	fail "cannot make the set-user-ID program"
SUID="$SUIDDIR/credop"
write_policy "$TEST_TMP/policy.yaml" scale-strict enforce "$CG_PARENT_REL"

U="$CG_PARENT/user.slice/user-1000.slice/user@1000.service"
mkdir -p "$U" && chown 1000:1000 "$U" "$U/cgroup.procs" "$U/cgroup.subtree_control" "$U/cgroup.threads" ||
	fail "cannot delegate $U"
R=$(cg_make root-tree)

as_user() {
	"$CREDOP" --quiet --cgroup "$U" -- setgroups: setresgid:1000,1000,1000 setresuid:1000,1000,1000 \
		exec:/bin/sh -c "$1"
}

# many TOP COUNT: the user makes COUNT cgroups (0 .. COUNT-1) below TOP.
many() {
	as_user "mkdir -p '$1' && cd '$1' && seq 0 $(($2 - 1)) | xargs mkdir" ||
		fail "the user could not create $2 cgroups below $1"
}

# chain TOP: a chain DEPTH deep below TOP, with '.hidden' as its 3rd level;
# prints the bottom. One directory at a time, as a path this long needs.
chain_script() {
	echo "mkdir -p '$1' && cd '$1' || exit 1
i=0
while [ \$i -lt $DEPTH ]; do
	n=d\$i; [ \$i = 2 ] && n=.hidden
	mkdir \$n && cd \$n || exit 1
	i=\$((i + 1))
done
pwd"
}

log "making $PRE cgroups and two chains $DEPTH deep"
many "$U/pre" "$PRE"
log "made $PRE cgroups"
UPRE=$(as_user "$(chain_script "$U/pre")") || fail "the user could not make its chain"
RPRE=$(sh -c "$(chain_script "$R")") || fail "root could not make its chain"
log "made the chains"

agent_start --policy "$TEST_TMP/policy.yaml" || fail "agent did not start with more than 32768 cgroups"
grep -i "warning\|error" "$AGENT_LOG" && fail "the agent warned at start"

many "$U/post" "$POST"
log "made $POST cgroups after the start"
UPOST=$(as_user "$(chain_script "$U/post")") || fail "the user could not make its chain"
RPOST=$(sh -c "$(chain_script "$R/post")") || fail "root could not make its chain"
ctl reload > "$TEST_TMP/reload.out" 2>&1 || fail "reload failed with $((PRE + POST)) cgroups: $(cat "$TEST_TMP/reload.out")"

# user_at DIR: the user moves to DIR and runs the set-user-ID program to regain root.
user_at() {
	out=$(as_user "echo \$\$ > '$1/cgroup.procs' || exit 9
exec '$CREDOP' exec:'$SUID' setresuid:0,0,0=EPERM expect-uid:1000")
	status=$?
	case $status in
	0 | 3) ;;
	*) fail "the user regained root at depth $DEPTH (status $status): $out" ;;
	esac
	echo "$out" | sed -n 's/^credop: pid //p' | head -1 >> "$TEST_TMP/pids"
}
root_at() {
	out=$("$CREDOP" --cgroup "$1" seteuid:1000=ok seteuid:0=EPERM) || fail "root regained euid 0 in $1: $out"
	echo "$out" | sed -n 's/^credop: pid //p' >> "$TEST_TMP/pids"
}
user_at "$UPRE"
user_at "$UPOST"
user_at "$U/pre/$((PRE - 1))"
user_at "$U/post/$((POST - 1))"
root_at "$RPRE"
root_at "$RPOST"

ctl status -o json > "$TEST_TMP/status.json" || fail "credgatectl status failed"
jq -e '.cgroups.unknown == 0 and .cgroups.state_failures == 0' "$TEST_TMP/status.json" > /dev/null ||
	fail "cgroups without a state: $(jq -c .cgroups "$TEST_TMP/status.json")"
agent_stop
while read -r pid; do
	got=$(jq -r "select(.credgate_decision.process.pid==$pid) | \"\(.credgate_decision.policy_name) \(.credgate_decision.verdict)\"" "$EVENTS" | sort -u | tr '\n' ' ')
	[ "$got" = "scale-strict denied " ] || fail "pid $pid: decided by '$got', expected 'scale-strict denied'"
done < "$TEST_TMP/pids"
[ "$(wc -l < "$TEST_TMP/pids")" = 6 ] || fail "expected 6 attempts, got $(cat "$TEST_TMP/pids")"
log "ok: $((PRE + POST)) cgroups and chains $DEPTH deep, before and after the start: all governed"
rm -rf "$SUIDDIR"
cleanup
