#!/bin/sh
# Reload switches atomically: while a governed cgroup hammers credential
# changes, the policy is reloaded a hundred times, alternating between two
# policies. Every change back to euid 0 is decided exactly once, by one of
# the two (no instant without a policy), and nothing is lost.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDGATECTL=/bin/credgatectl

cg_setup reload
A=$(cg_make A)
mkdir "$TEST_TMP/policies"
policy() {
	cat > "$TEST_TMP/policies/p.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: $1
spec:
  mode: audit
  observe: false
  selector:
    cgroup: $(cg_rel A)
  setuid:
    deny:
      - to: 0
POLICY
}
policy gen-a
# Compact lines: a few hundred thousand JSON lines would not fit the VM's memory.
agent_start --policy "$TEST_TMP/policies" --ringbuf-size 67108864 --output compact || fail "agent did not start"

# Hammer for as long as the reloads last: rounds of changes until told to stop.
(
	while [ ! -e "$TEST_TMP/stop" ]; do
		/bin/seteuid_flip --cgroup "$A" --changes 2000 || exit 1
		sleep 0.05
	done
) > "$TEST_TMP/flip.out" &
flip=$!
n=0
while [ $n -lt 100 ]; do
	if [ $((n % 2)) = 0 ]; then policy gen-b; else policy gen-a; fi
	ctl reload > /dev/null || fail "reload $n failed"
	n=$((n + 1))
done
touch "$TEST_TMP/stop"
wait $flip || fail "seteuid_flip failed"
CHANGES=$(( $(grep -c '^changes=2000 ' "$TEST_TMP/flip.out") * 2000 ))
log "$CHANGES changes during 100 reloads"
reloads=$(ctl status -o json | jq .policy.reloads)
[ "$reloads" = 100 ] || fail "expected 100 reloads, agent counted $reloads"
agent_stop
grep -q "stopped: $((CHANGES / 2)) events written, 0 lost (kernel buffer full), 0 lost" "$AGENT_LOG" ||
	fail "expected $((CHANGES / 2)) events and no loss: $(grep stopped: "$AGENT_LOG")"
total=$(grep -c ' audited-would-deny (policy ' "$EVENTS")
a=$(grep -c '(policy gen-a,' "$EVENTS")
b=$(grep -c '(policy gen-b,' "$EVENTS")
[ "$total" = $((CHANGES / 2)) ] || fail "expected $((CHANGES / 2)) decisions, got $total"
[ $((a + b)) = "$total" ] || fail "decisions by neither policy: $total - $a - $b"
[ "$a" -gt 0 ] && [ "$b" -gt 0 ] || fail "both policies should have decided (a=$a b=$b)"
log "ok: $total changes decided exactly once across 100 reloads (gen-a $a, gen-b $b)"
cleanup
