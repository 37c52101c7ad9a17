#!/bin/sh
# The exec event's binary_properties and the exec decision measure the
# same thing (bpf/exec.bpf.h): what the exec changed, comparing the
# credentials before it with those after. Where BPF LSM runs, the event
# takes the decision's measure; it used to read the credentials after the
# exec alone, and so disagreed with the decision in each case below:
#   kept   uid 1000 with euid 0 runs a plain program: nothing is gained
#          (it said setuid 0, PRIVILEGES_RAISED_EXEC_FILE_SETUID)
#   drop   saved uid 0 -> 1000 (the exec sets it to the effective uid):
#          the uids changed (it said nothing)
#   refill root with CAP_NET_RAW dropped runs a plain program: root's
#          capabilities come back (it said nothing)
#   suid   uid 1000 runs a set-user-ID root program: setuid 0, and root's
#          capabilities
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop

cg_setup gain
A=$(cg_make A)
for f in kept drop refill; do cp "$CREDOP" /tmp/gain-$f; done
cp "$CREDOP" /tmp/gain-suid && chown 0:0 /tmp/gain-suid && chmod 4755 /tmp/gain-suid
cat > "$TEST_TMP/policy.yaml" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: gains
spec:
  mode: audit
  observe: true
  selector:
    cgroup: $(cg_rel A)
  exec:
    allowPaths: [/nonexistent]
POLICY
agent_start --policy "$TEST_TMP/policy.yaml" || fail "agent did not start"

"$CREDOP" --cgroup "$A" setresuid:1000,0,0=ok exec:/tmp/gain-kept expect-uid:1000 expect-euid:0 ||
	fail "kept: the exec failed"
"$CREDOP" --cgroup "$A" setresuid:1000,1000,0=ok exec:/tmp/gain-drop expect-suid:1000 ||
	fail "drop: the exec failed"
"$CREDOP" --cgroup "$A" capdrop:e:net_raw capdrop:p:net_raw exec:/tmp/gain-refill expect-cap:p:net_raw ||
	fail "refill: the exec failed"
"$CREDOP" --cgroup "$A" setresuid:1000,1000,1000=ok exec:/tmp/gain-suid expect-euid:0 ||
	fail "suid: the exec failed"
agent_stop
expect_valid_json

X='.process_exec.process'
D='.credgate_decision'
B="$X.binary_properties"
expect_count 1 "$X.binary==\"/tmp/gain-kept\" and $B==null" "kept: the exec gained nothing"
expect_count 0 "$D.exec.filename==\"/tmp/gain-kept\"" "kept: nothing to decide"
expect_count 1 "$X.binary==\"/tmp/gain-drop\" and $B.setuid==1000 and $B.setgid==null
	and $B.privileges_changed==null" "drop: the uids changed, nothing raised"
expect_count 1 "$D.exec.filename==\"/tmp/gain-drop\" and $D.exec.setuid==true
	and $D.exec.setgid==false and $D.exec.file_capabilities==false" "drop: the decision measures the same"
expect_count 1 "$X.binary==\"/tmp/gain-refill\" and $B.setuid==null
	and $B.privileges_changed==[\"PRIVILEGES_RAISED_EXEC_FILE_CAP\"]" "refill: capabilities gained"
expect_count 1 "$D.exec.filename==\"/tmp/gain-refill\" and $D.exec.setuid==false
	and $D.exec.file_capabilities==true" "refill: the decision measures the same"
expect_count 1 "$X.binary==\"/tmp/gain-suid\" and $B.setuid==0
	and $B.privileges_changed==[\"PRIVILEGES_RAISED_EXEC_FILE_CAP\",\"PRIVILEGES_RAISED_EXEC_FILE_SETUID\"]" \
	"suid: setuid 0 and root's capabilities"
expect_count 1 "$D.exec.filename==\"/tmp/gain-suid\" and $D.exec.setuid==true
	and $D.exec.file_capabilities==true" "suid: the decision measures the same"
cleanup
