#!/bin/sh
# The tracepoint path on this kernel observes set*id, setgroups and capset
# calls made by a test program in a cgroup the test created, with correct
# arguments and return values; and audit decisions are made at syscall exit.
. "$(dirname "$0")/preamble.inc"

cg_setup observe
A=$(cg_make A)
write_policy "$TEST_TMP/policy.yaml" observe-a audit "$(cg_rel A)"
agent_start --policy "$TEST_TMP/policy.yaml" || fail "agent did not start"
grep -q "observation: tracepoints" "$AGENT_LOG" || fail "expected the tracepoint observation path"
grep -q "enforcement: unavailable" "$AGENT_LOG" || fail "expected enforcement: unavailable"

out=$("$CREDOP" --cgroup "$A" setresuid:-1,1000,-1=ok setreuid:-1,0=ok setuid:0=ok \
	setresgid:-1,1000,-1=ok setgid:0=ok setfsuid:1000 setfsuid:0 \
	setgroups:10,20,30=ok capdrop:e:net_raw=ok capraise:e:net_raw=ok) || fail "credop: $out"
pid=$(echo "$out" | sed -n 's/^credop: pid //p')
agent_stop
expect_valid_json
K='.process_kprobe'
P="$K.process.pid==$pid"
expect_count 1 "$P and $K.function_name==\"__x64_sys_setresuid\" and $K.args==[{\"int_arg\":-1},{\"int_arg\":1000},{\"int_arg\":-1}] and $K.return.int_arg==0" "setresuid(-1, 1000, -1) = 0"
expect_count 1 "$P and $K.function_name==\"__x64_sys_setreuid\" and $K.args==[{\"int_arg\":-1},{\"int_arg\":0}] and $K.return.int_arg==0" "setreuid(-1, 0) = 0"
expect_count 1 "$P and $K.function_name==\"__x64_sys_setuid\" and $K.args==[{\"int_arg\":0}]" "setuid(0)"
expect_count 1 "$P and $K.function_name==\"__x64_sys_setgid\" and $K.args==[{\"int_arg\":0}] and $K.return.int_arg==0" "setgid(0) = 0"
expect_count 1 "$P and $K.function_name==\"__x64_sys_setfsuid\" and $K.args==[{\"int_arg\":1000}] and $K.return.int_arg==0" "setfsuid(1000) returns the old fsuid 0"
expect_count 1 "$P and $K.function_name==\"__x64_sys_setfsuid\" and $K.args==[{\"int_arg\":0}] and $K.return.int_arg==1000" "setfsuid(0) returns the old fsuid 1000"
expect_count 1 "$P and $K.function_name==\"__x64_sys_setgroups\" and $K.args[0].int_arg==3 and $K.args[1].gid_list_arg==[10,20,30] and $K.return.int_arg==0" "setgroups(3, [10,20,30]) = 0"
expect_count 2 "$P and $K.function_name==\"__x64_sys_capset\" and $K.return.int_arg==0" "two capset calls"
expect_count 1 "$P and $K.function_name==\"__x64_sys_capset\" and ($K.args[0].cap_effective_arg | index(\"CAP_NET_RAW\") == null)" "capset dropping CAP_NET_RAW"
expect_count 0 "$K and $K.process.pid!=$pid" "nothing observed outside the test cgroup"
expect_count 0 ".process_kprobe.attach != null and .process_kprobe.attach!=\"tracepoint\"" "every observation is from a tracepoint"
# Decisions without LSM are taken at syscall exit and can only be reported.
D='.credgate_decision'
expect_count 1 "$D.process.pid==$pid and $D.call==\"setreuid\" and $D.verdict==\"audited-would-deny\" and $D.old_credentials.euid==1000 and $D.new_credentials.euid==0" "setreuid back to euid 0 audited"
expect_count 1 "$D.process.pid==$pid and $D.hook==\"capset\" and $D.verdict==\"audited-would-deny\" and $D.subject.capability==\"CAP_NET_RAW\"" "capset +CAP_NET_RAW audited"
cleanup
