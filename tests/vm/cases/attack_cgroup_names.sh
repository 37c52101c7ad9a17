#!/bin/sh
# Attack (issue 11, item 1): choose your own policy by naming cgroups.
#
# The attacker is (a) a local user, uid 1000, with the cgroup subtree systemd
# delegates to it (user@1000.service, chowned to the user as Delegate= does),
# and (b) root inside a container's cgroup. Each creates cgroups named to be
# taken for something else, moves itself there and tries to regain root:
#   1. the user names a cgroup "docker-x.scope", to drop out of a host policy;
#   2. the user names one "backup.service", to fall under a lenient policy;
#   3. the user nests a chain of such names and moves among them;
#   4. root in container A names a child like container B (lenient policy).
# Every attempt must be refused (EPERM) by the policy that governs the
# delegation or the container, and reported with that policy's name. Each
# attack runs on cgroups made before the agent started and after it.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop CREDGATECTL=/bin/credgatectl

A=aaaaaaaaaaaa0000000000000000000000000000000000000000000000000001
B=bbbbbbbbbbbb0000000000000000000000000000000000000000000000000002

cg_setup names
CG_ROOT=$(cg_root)
# The containers where docker's systemd driver puts them (this guest is ours).
CA="$CG_ROOT/system.slice/docker-$A.scope"
CB="$CG_ROOT/system.slice/docker-$B.scope"
mkdir -p "$CA" "$CB" || fail "cannot create the containers' cgroups"
cleanup_containers() {
	for d in $(find "$CG_ROOT/system.slice" -depth -type d 2>/dev/null); do
		while read -r p; do echo "$p" > "$CG_ROOT/cgroup.procs" 2>/dev/null; done < "$d/cgroup.procs"
		rmdir "$d" 2>/dev/null
	done
}
trap 'cleanup_containers' EXIT

# A set-user-ID root program the user may run (as su or sudo would be).
SUIDDIR=/tmp/suid.$$
mkdir -m 755 "$SUIDDIR" && cp "$CREDOP" "$SUIDDIR/credop" && chmod 4755 "$SUIDDIR/credop" ||
	fail "cannot make the set-user-ID program"
SUID="$SUIDDIR/credop"

cat > "$TEST_TMP/policies.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata: {name: host-strict}
spec:
  mode: enforce
  selector: {cgroup: $CG_PARENT_REL, host: true}
  setuid: {deny: [{to: 0}]}
---
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata: {name: backup-lenient}
spec:
  mode: audit
  selector: {systemdUnit: backup}
  setuid: {deny: [{to: 0}]}
---
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata: {name: container-a}
spec:
  mode: enforce
  selector: {container: $A}
  setuid: {deny: [{to: 0}]}
---
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata: {name: container-b}
spec:
  mode: audit
  selector: {container: $B}
  setuid: {deny: [{to: 0}]}
POLICY

# delegate DIR: what systemd does for user@1000.service (Delegate=yes).
delegate() {
	mkdir -p "$1" || fail "cannot create $1"
	chown 1000:1000 "$1" "$1/cgroup.procs" "$1/cgroup.subtree_control" "$1/cgroup.threads" ||
		fail "cannot delegate $1"
}

# as_user DIR SCRIPT: run SCRIPT as uid/gid 1000, starting in cgroup DIR
# (where systemd starts the user's manager). Prints what it prints.
as_user() {
	"$CREDOP" --quiet --cgroup "$1" -- setgroups: setresgid:1000,1000,1000 setresuid:1000,1000,1000 \
		exec:/bin/sh -c "$2"
}

# user_attack TAG DELEGATED TARGET: the user moves itself (from DELEGATED) to
# TARGET below it and runs the set-user-ID program, which tries to make its
# real uid 0. Refused: the exec itself (credop exit 3) or setresuid (EPERM).
user_attack() {
	out=$(as_user "$2" "echo \$\$ > '$3/cgroup.procs' || exit 9
exec '$CREDOP' exec:'$SUID' setresuid:0,0,0=EPERM expect-uid:1000")
	status=$?
	pid=$(echo "$out" | sed -n 's/^credop: pid //p' | head -1)
	log "$1: status $status: $(echo "$out" | tr '\n' ' ')"
	case $status in
	0 | 3) ;;
	9) fail "$1: the user could not move itself to $3" ;;
	*) fail "$1: the user regained root below its delegation (status $status): $out" ;;
	esac
	[ -n "$pid" ] || fail "$1: no pid in: $out"
	echo "$pid host-strict $1" >> "$TEST_TMP/expect"
}

# container_attack TAG TARGET: root in container A, moved to TARGET (made by
# it below its cgroup), drops to euid 1000 and takes euid 0 back.
container_attack() {
	out=$(sh -c "echo \$\$ > '$CA/cgroup.procs' && echo \$\$ > '$2/cgroup.procs' || exit 9
exec '$CREDOP' seteuid:1000=ok seteuid:0=EPERM")
	status=$?
	log "$1: status $status: $(echo "$out" | tr '\n' ' ')"
	[ "$status" = 0 ] || fail "$1: root in container A escaped its policy (status $status): $out"
	pid=$(echo "$out" | sed -n 's/^credop: pid //p')
	echo "$pid container-a $1" >> "$TEST_TMP/expect"
}

U="$CG_PARENT/user.slice/user-1000.slice/user@1000.service"
# The user's cgroups: names that look like a container, a unit, and a chain.
user_tree() {
	as_user "$1" "mkdir -p '$1/$2/docker-x.scope' '$1/$2/app.slice/backup.service' \
'$1/$2/a/docker-$B.scope/b/backup.service/c/kubepods.slice'" || fail "the user could not create its cgroups"
}
container_tree() {
	mkdir -p "$CA/$1/docker-$B.scope" "$CA/$1/x/backup.service" || fail "cannot create cgroups in A"
}

# Before the agent: delegated, and the attackers' cgroups already there.
delegate "$U"
user_tree "$U" pre
container_tree pre
agent_start --policy "$TEST_TMP/policies.yaml" || fail "agent did not start"

# After: a second delegation made (and chowned) while the agent runs.
U2="$CG_PARENT/user.slice/user-1000.slice/user@1000-late.service"
delegate "$U2"
user_tree "$U2" post
user_tree "$U" post
container_tree post

for when in pre post; do
	user_attack "$when: docker-x.scope (user)" "$U" "$U/$when/docker-x.scope"
	user_attack "$when: backup.service (user)" "$U" "$U/$when/app.slice/backup.service"
	user_attack "$when: chain (user)" "$U" "$U/$when/a/docker-$B.scope/b/backup.service/c/kubepods.slice"
	user_attack "$when: docker-x.scope (user, delegated later)" "$U2" "$U2/post/docker-x.scope"
	container_attack "$when: docker-B in A" "$CA/$when/docker-$B.scope"
	container_attack "$when: backup.service in A" "$CA/$when/x/backup.service"
done
# Moving among its own cgroups changes nothing either: one process, three moves.
out=$(as_user "$U" "for d in '$U/pre/docker-x.scope' '$U/post/app.slice/backup.service' '$U/pre/a'; do
echo \$\$ > \"\$d/cgroup.procs\" || exit 9
'$CREDOP' exec:'$SUID' setresuid:0,0,0=EPERM expect-uid:1000; s=\$?
[ \$s = 0 ] || [ \$s = 3 ] || exit \$s
done")
status=$?
[ "$status" = 0 ] || fail "moving among its cgroups, the user regained root (status $status): $out"
for pid in $(echo "$out" | sed -n 's/^credop: pid //p'); do
	echo "$pid host-strict move" >> "$TEST_TMP/expect"
done
[ "$(echo "$out" | grep -c '^credop: pid ')" -ge 3 ] || fail "moves: expected 3 attempts: $out"

ctl status -o json > "$TEST_TMP/status.json" || fail "credgatectl status failed"
jq -e '.cgroups.unknown == 0 and .cgroups.state_failures == 0' "$TEST_TMP/status.json" > /dev/null ||
	fail "cgroups without a state: $(jq -c .cgroups "$TEST_TMP/status.json")"
agent_stop
expect_valid_json
while read -r pid policy what; do
	got=$(jq -r "select(.credgate_decision.process.pid==$pid) | \"\(.credgate_decision.policy_name) \(.credgate_decision.verdict)\"" "$EVENTS" | sort -u | tr '\n' ' ')
	[ "$got" = "$policy denied " ] || fail "$what: decided by '$got', expected '$policy denied'"
	log "ok: $what -> $policy denied"
done < "$TEST_TMP/expect"
rm -rf "$SUIDDIR"
cleanup
cleanup_containers
