#!/bin/sh
# setgid to 0 is denied; capset gaining a listed capability (CAP_NET_RAW) is
# denied, gaining an unlisted one (CAP_CHOWN) is allowed.
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop

cg_setup setgid
A=$(cg_make A)
write_policy "$TEST_TMP/policy.yaml" enforce-a enforce "$(cg_rel A)"
agent_start --policy "$TEST_TMP/policy.yaml" || fail "agent did not start"

# Each change read back: what was allowed happened, what was refused left
# the credentials as they were.
out=$("$CREDOP" --cgroup "$A" setregid:1000,1000=ok expect-gid:1000 expect-egid:1000 expect-sgid:1000 \
	setgid:0=EPERM expect-gid:1000 expect-egid:1000 expect-sgid:1000 expect-fsgid:1000 \
	capdrop:e:net_raw=ok expect-nocap:e:net_raw capraise:e:net_raw=EPERM expect-nocap:e:net_raw \
	capdrop:e:chown=ok expect-nocap:e:chown capraise:e:chown=ok expect-cap:e:chown) || fail "credop: $out"
agent_stop
expect_valid_json
D='.credgate_decision'
expect_count 1 "$D.verdict==\"denied\" and $D.hook==\"task_fix_setgid\" and $D.call==\"setgid\"
	and $D.old_credentials.gid==1000 and $D.new_credentials.gid==0" "setgid(0) denied"
expect_count 1 "$D.verdict==\"denied\" and $D.hook==\"capset\" and $D.subject.capability==\"CAP_NET_RAW\"
	and $D.subject.set==\"effective\"
	and ($D.new_capabilities.effective | index(\"CAP_NET_RAW\") != null)" "capset +CAP_NET_RAW denied"
expect_count 1 "$D.hook==\"capset\"" "no decision for raising the unlisted CAP_CHOWN"
cleanup
