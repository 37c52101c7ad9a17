#!/bin/sh
# `binary` names the file the kernel executed, on Debian's 6.1 and 6.12 with
# BPF LSM (observations by fentry), as host.process_binary checks it on the
# build machine's kernel: the same walk (bpf/path.bpf.h) must pass each
# kernel's verifier and name, in the process_exec event and in both
# observed calls of a copy of credop, the cases of tests/lib/process_binary.sh:
#   rel      a relative path with "..", after a chdir
#   link     a symlink in another directory
#   mnt      a bind mount in a private mount namespace, the file at its root
#   jail     a relative path inside a chroot: named from the chroot
#   deleted  an unlinked file run through /proc/self/fd: " (deleted)"
#   outside  a file opened before a chroot: named from its mount tree's root
#   long     a path over the kernel's bound: the string given, as given
. /tests/lib/common.sh
. /tests/lib/process_binary.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop

cg_setup binary
A=$(cg_make A)
write_policy "$TEST_TMP/policy.yaml" binary-audit audit "$(cg_rel A)"
binary_prepare
agent_start --policy "$TEST_TMP/policy.yaml" || fail "agent did not start"
binary_run_cases
agent_stop
expect_valid_json
binary_check_cases
cleanup
