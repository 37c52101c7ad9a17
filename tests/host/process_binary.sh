#!/bin/sh
# `binary` names the file the kernel executed, from the process's root, in
# the process_exec event and in every later event of the process: never
# the string given to execve() joined with a working directory read later.
# A copy of credop (so each case has its own file) is executed in a cgroup
# with an audit policy, and makes two observed calls:
#   rel      through a relative path with "..", after a chdir
#   link     through a symlink in another directory
#   mnt      through a bind mount in a private mount namespace, the file at
#            the mount's root (the walk must cross to the mount point)
#   jail     through a relative path inside a chroot: named from the chroot
#   deleted  unlinked before its exec (run through /proc/self/fd): its last
#            path, " (deleted)", flag binaryDeleted
#   outside  opened before a chroot, run inside it: not below its root,
#            named from its mount tree's root, flag binaryOutsideRoot
#   long     a path longer than the kernel's bound: the string given to
#            execve(), as given, flags errorFilename and binaryTooLong
#   deep     1100 bind mounts stacked on one directory (one step each, more
#            than the walk's 1024): the string given, errorFilename and
#            binaryTooDeep
# The first seven are tests/lib/process_binary.sh's, which the VM case
# process_binary runs on Debian's kernels too. Every event validates
# against docs/schemas.
# DEEP_PY is a Python program, quoted so that it expands in the inner shell.
# shellcheck disable=SC2016,SC2089,SC2090
. "$(dirname "$0")/preamble.inc"
. "$(dirname "$CREDGATE_LIB")/process_binary.sh"

for tool in unshare chroot mount; do
	command -v $tool > /dev/null || fail "$tool is required (util-linux, coreutils)"
done

cg_setup binary
A=$(cg_make A)
write_policy "$TEST_TMP/policy.yaml" binary-audit audit "$(cg_rel A)"
binary_prepare
mkdir -p "$W/deep-src" "$W/deep"
cp "$CREDOP" "$W/deep-src/prog-deep"

agent_start --policy "$TEST_TMP/policy.yaml" || fail "agent did not start"
DEEP_PY='
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
w, ops = sys.argv[1], sys.argv[2:]
for i in range(1100):
    if libc.mount((w + "/deep-src").encode(), (w + "/deep").encode(), None, 4096, None) != 0:  # MS_BIND
        sys.exit("bind mount %d: %s" % (i, os.strerror(ctypes.get_errno())))
os.chdir(w + "/deep")
os.execv("./prog-deep", ["./prog-deep"] + ops)
'
export DEEP_PY

binary_run_cases
# 1100 mount(2) calls from one process: a mount(8) each would take half a minute.
binary_run deep 'exec unshare -m --propagation private /usr/bin/python3 -c "$DEEP_PY" "$W" $OPS'
agent_stop
expect_valid_json

binary_check_cases
binary_check deep "./prog-deep" "errorFilename binaryTooDeep "
cleanup
