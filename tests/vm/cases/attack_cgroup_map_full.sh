#!/bin/sh
# credgate-vm: --timeout=300
# Attack (issue 11, item 2): fill the kernel's cgroup map, then work in a
# cgroup made after it filled, whose policy the kernel cannot know.
#
# The agent runs with a small map (--cgroup-map-size=512: 1,024 entries, two
# policy generations' worth) and root fills it with plain cgroups below the
# test's parent, outside any container or delegation (below those nothing is
# stored, so nothing can fill it). Then:
#   - while a policy enforces, a task in a cgroup made after the map filled
#     is refused (EPERM) even a change its policy allows (seteuid(1000)); the
#     event names credgate:fail-closed and says why; status (-o json and
#     text) and metrics count it, and the agent logs that the map is full;
#   - removing cgroups frees entries: a cgroup made then is governed by its
#     own policy (an audit one, so the change passes, reported under its
#     name), and a reload gives the cgroup made while full its state;
#   - with only audit policies, a task in a cgroup made after the map filled
#     is governed as its nearest ancestor's policy says, and counted.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop CREDGATECTL=/bin/credgatectl
MAP=512
FILL=1200 # more than the map's 1,024 entries, whatever the guest had already

cg_setup mapfull
OK=$(cg_make ok)
mkdir "$CG_PARENT/fill" || fail "cannot create the fill cgroup"
cat > "$TEST_TMP/enforce.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: mapfull-strict
spec:
  mode: enforce
  selector:
    cgroup: $CG_PARENT_REL
  setuid:
    deny:
      - to: 0
---
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: mapfull-again
spec:
  mode: audit
  selector:
    cgroup: $CG_PARENT_REL/again
  setuid:
    deny:
      - to: 0
POLICY

# fill DIR N: N cgroups below DIR, as root.
fill() {
	(cd "$1" && seq 0 $(($2 - 1)) | xargs mkdir) || fail "cannot make $2 cgroups below $1"
}
# status_until FILE JQ: status -o json into FILE until JQ holds (events are
# counted as the agent reads them: give it up to 10 s), or fail.
status_until() {
	i=0
	until ctl status -o json > "$1" && jq -e "$2" "$1" > /dev/null; do
		i=$((i + 1))
		[ "$i" -le 100 ] || fail "status: [$2] does not hold: $(jq -c .cgroups "$1")"
		sleep 0.1
	done
}
# pid_of OUTPUT: the pid credop printed.
pid_of() { echo "$1" | sed -n 's/^credop: pid //p' | head -1; }

agent_start --policy "$TEST_TMP/enforce.yaml" --cgroup-map-size=$MAP || fail "agent did not start"
status_until "$TEST_TMP/status0.json" \
	".cgroups.map_size == $MAP and .cgroups.without_state == 0 and .cgroups.state_failures == 0"

log "filling the cgroup map with $FILL cgroups"
fill "$CG_PARENT/fill" "$FILL"
wait_log "cgroup map is full" 10
grep "cgroup map is full" "$AGENT_LOG" | grep -q "credgate:fail-closed" ||
	fail "the log line does not say the changes are refused: $(grep "cgroup map is full" "$AGENT_LOG")"

# A cgroup made before the fill keeps its policy: seteuid(1000) allowed, 0 refused.
"$CREDOP" --cgroup "$OK" seteuid:1000=ok seteuid:0=EPERM > "$TEST_TMP/ok.out" ||
	fail "in a cgroup with a state: $(cat "$TEST_TMP/ok.out")"
# Made after: its policy is unknown to the kernel; even an allowed change is refused.
LATE=$(cg_make late)
out=$("$CREDOP" --cgroup "$LATE" seteuid:1000=EPERM expect-euid:0) ||
	fail "a cgroup made after the map filled was not governed fail-closed: $out"
LATE_PID=$(pid_of "$out")

status_until "$TEST_TMP/status1.json" \
	'.cgroups.state_failures > 0 and .cgroups.unknown > 0 and .cgroups.fail_closed_decisions == 1'
ctl status > "$TEST_TMP/status1.txt" || fail "credgatectl status failed"
grep -q "^cgroups: map for $MAP per generation; .*, 1 refused by credgate:fail-closed" "$TEST_TMP/status1.txt" ||
	fail "the status text does not say it: $(cat "$TEST_TMP/status1.txt")"
ctl metrics > "$TEST_TMP/metrics1.txt" || fail "credgatectl metrics failed"
grep -q "^credgate_cgroup_map_size $MAP$" "$TEST_TMP/metrics1.txt" &&
	grep -q "^credgate_fail_closed_decisions_total 1$" "$TEST_TMP/metrics1.txt" &&
	grep -Eq "^credgate_cgroup_state_failures_total [1-9][0-9]*$" "$TEST_TMP/metrics1.txt" &&
	grep -Eq "^credgate_cgroup_unknown_total [1-9][0-9]*$" "$TEST_TMP/metrics1.txt" ||
	fail "metrics when full: $(grep cgroup "$TEST_TMP/metrics1.txt")"

# Removing cgroups frees their entries: a cgroup made now has its own policy's state.
log "removing 700 of the fill cgroups"
(cd "$CG_PARENT/fill" && seq 0 699 | xargs rmdir) || fail "cannot remove the fill cgroups"
AGAIN=$(cg_make again)
out=$("$CREDOP" --cgroup "$AGAIN" seteuid:1000=ok seteuid:0=ok) ||
	fail "a cgroup made after entries were freed is not governed by its own (audit) policy: $out"
AGAIN_PID=$(pid_of "$out")
# The cgroup made while full has no state until a reload stores one.
ctl reload > "$TEST_TMP/reload.out" 2>&1 || fail "reload failed: $(cat "$TEST_TMP/reload.out")"
out=$("$CREDOP" --cgroup "$LATE" seteuid:1000=ok seteuid:0=EPERM) ||
	fail "after a reload with room, the cgroup made while full is not governed by its policy: $out"
LATE_RELOADED_PID=$(pid_of "$out")
status_until "$TEST_TMP/status2.json" '.cgroups.without_state == 0 and .cgroups.fail_closed_decisions == 1'
agent_stop

D='.credgate_decision'
expect_count 1 "$D.process.pid==$LATE_PID and $D.policy_name==\"credgate:fail-closed\"
	and $D.verdict==\"denied\" and $D.enforcement==\"eperm\" and $D.hook==\"task_fix_setuid\"
	and $D.subject.to==1000 and ($D.rule | startswith(\"fail-closed: the cgroup has no state in the kernel\"))
	and $D.process.cgroup.path==\"$(cg_rel late)\"" "the refusal names credgate:fail-closed and why"
expect_count 0 "$D.process.pid==$LATE_PID and $D.policy_name!=\"credgate:fail-closed\"" \
	"no other policy decided in the cgroup made while full"
expect_count 1 "$D.process.pid==$AGAIN_PID and $D.policy_name==\"mapfull-again\"
	and $D.verdict==\"audited-would-deny\" and $D.subject.to==0" "the new cgroup's own policy decided"
expect_count 1 "$D.process.pid==$LATE_RELOADED_PID and $D.policy_name==\"mapfull-strict\"
	and $D.verdict==\"denied\" and $D.subject.to==0" "after the reload, its own policy decided"
expect_count 1 "$D.policy_name==\"credgate:fail-closed\"" "one fail-closed decision in all"
expect_valid_json

# Only audit policies: no fail-closed policy; the nearest ancestor's governs, counted.
cat > "$TEST_TMP/audit.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: mapfull-audit
spec:
  mode: audit
  selector:
    cgroup: $CG_PARENT_REL
  setuid:
    deny:
      - to: 0
POLICY
rmdir "$LATE" "$AGAIN" || fail "cannot remove the cgroups of the first run"
agent_start --policy "$TEST_TMP/audit.yaml" --cgroup-map-size=$MAP || fail "agent did not start"
mkdir "$CG_PARENT/fill2" || fail "cannot create the second fill cgroup"
log "filling the cgroup map again"
fill "$CG_PARENT/fill2" "$FILL"
wait_log "cgroup map is full" 10
grep "cgroup map is full" "$AGENT_LOG" | grep -q "governed as their nearest ancestor" ||
	fail "the log line does not say how they are governed: $(grep "cgroup map is full" "$AGENT_LOG")"
LATE2=$(cg_make late2)
out=$("$CREDOP" --cgroup "$LATE2" seteuid:1000=ok seteuid:0=ok) ||
	fail "with only audit policies, a cgroup made after the map filled was refused: $out"
LATE2_PID=$(pid_of "$out")
status_until "$TEST_TMP/status3.json" \
	'.cgroups.state_failures > 0 and .cgroups.unknown > 0 and .cgroups.fail_closed_decisions == 0'
agent_stop
expect_count 1 "$D.process.pid==$LATE2_PID and $D.policy_name==\"mapfull-audit\"
	and $D.verdict==\"audited-would-deny\" and $D.subject.to==0
	and $D.process.cgroup.path==\"$(cg_rel late2)\"" "the nearest ancestor's audit policy decided"
expect_count 0 "$D.policy_name==\"credgate:fail-closed\"" "no fail-closed decision without an enforcing policy"
expect_valid_json
log "ok: a full cgroup map fails closed while a policy enforces, and is said"
# Faster than cleanup's one-by-one walk under TCG.
for d in fill fill2; do (cd "$CG_PARENT/$d" && ls | xargs rmdir); done
cleanup
