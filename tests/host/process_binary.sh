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
# Every event validates against docs/schemas.
# Each case is a script for an inner shell (and DEEP_PY a Python program):
# quoted so that it expands there, not here.
# shellcheck disable=SC2016,SC2089,SC2090
. "$(dirname "$0")/preamble.inc"

for tool in unshare chroot mount; do
	command -v $tool > /dev/null || fail "$tool is required (util-linux, coreutils)"
done

cg_setup binary
A=$(cg_make A)
write_policy "$TEST_TMP/policy.yaml" binary-audit audit "$(cg_rel A)"
# The names the kernel sees: no symlink on the way (mktemp's /tmp may be one).
W=$(realpath "$TEST_TMP")/w
mkdir -p "$W/deep-src" "$W/deep" "$W/bin" "$W/sub" "$W/links" "$W/bind-src" "$W/mnt" "$W/jail/opt/sub" "$W/jail/usr" "$W/jail/proc"
for name in rel link deleted outside; do cp "$CREDOP" "$W/bin/prog-$name"; done
cp "$CREDOP" "$W/bind-src/prog-mnt"
cp "$CREDOP" "$W/deep-src/prog-deep"
cp "$CREDOP" "$W/jail/opt/prog-jail"
ln -s ../bin/prog-link "$W/links/alias"
ln -s usr/lib "$W/jail/lib"
ln -s usr/lib64 "$W/jail/lib64"
ln -s usr/bin "$W/jail/bin"
L250=$(printf '%0250d' 0)
LONG="$W/long/a$L250/b$L250"
mkdir -p "$LONG"
cp "$CREDOP" "$LONG/prog-long"

agent_start --policy "$TEST_TMP/policy.yaml" || fail "agent did not start"
OPS="seteuid:1000=ok seteuid:0=ok"
export LONG
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

# run NAME SCRIPT: sh joins cgroup A, then runs SCRIPT, which execs the
# case's program with $OPS; NAME's pid is what the program printed.
run() {
	# shellcheck disable=SC2016
	sh -c 'echo $$ > "$1/cgroup.procs" && W=$2 OPS=$3 && eval "$4"' sh "$A" "$W" "$OPS" "$2" > "$TEST_TMP/$1.out" 2>&1 ||
		fail "case $1: $(cat "$TEST_TMP/$1.out")"
	pid=$(sed -n 's/^credop: pid //p' "$TEST_TMP/$1.out")
	[ -n "$pid" ] || fail "case $1 printed no pid: $(cat "$TEST_TMP/$1.out")"
	eval "PID_$1=$pid"
}

run rel 'cd "$W/sub" && exec ../bin/prog-rel $OPS'
run link 'exec "$W/links/alias" $OPS'
run mnt 'exec unshare -m --propagation private sh -c "mount --bind \"\$1/bind-src\" \"\$1/mnt\" && cd \"\$1/mnt\" && exec ./prog-mnt \$2" sh "$W" "$OPS"'
# /proc in the jail too: the sanitizer build's LeakSanitizer reads it at exit.
run jail 'exec unshare -m --propagation private sh -c "mount --rbind /proc \"\$1/jail/proc\" && mount --bind -o ro /usr \"\$1/jail/usr\" && exec chroot \"\$1/jail\" /bin/sh -c \"cd /opt/sub && exec ../prog-jail \$2\"" sh "$W" "$OPS"'
run deleted 'exec 3< "$W/bin/prog-deleted" && rm "$W/bin/prog-deleted" && exec /proc/self/fd/3 $OPS'
run outside 'exec 3< "$W/bin/prog-outside" && exec unshare -m --propagation private sh -c "mount --rbind /proc \"\$1/jail/proc\" && mount --bind -o ro /usr \"\$1/jail/usr\" && exec chroot \"\$1/jail\" /bin/sh -c \"exec /proc/self/fd/3 \$2\"" sh "$W" "$OPS"'
run long 'cd "$LONG" && exec ./prog-long $OPS'
# 1100 mount(2) calls from one process: a mount(8) each would take half a minute.
run deep 'exec unshare -m --propagation private /usr/bin/python3 -c "$DEEP_PY" "$W" $OPS'
agent_stop
expect_valid_json

# check NAME BINARY FLAGS_REGEX: the exec of NAME's program names BINARY,
# its flags match FLAGS_REGEX (and no other binary word), and both of its
# observed calls carry the same binary and flags.
X='.process_exec.process'
K='.process_kprobe.process'
check() {
	eval "pid=\$PID_$1"
	want=$(printf '%s' "$2" | jq -Rs .)
	expect_count 1 "$X.pid==$pid and $X.arguments==\"$OPS\"" "$1: one exec of the program"
	line=$(jq -c "select($X.pid==$pid and $X.arguments==\"$OPS\") | $X" "$EVENTS")
	got=$(echo "$line" | jq -r .binary)
	[ "$got" = "$2" ] || fail "$1: binary is '$got', expected '$2': $line"
	flags=$(echo "$line" | jq -r .flags)
	words=$(echo "$flags" | tr ' ' '\n' | grep -E '^(errorFilename|binary[A-Za-z]+)$' | tr '\n' ' ')
	[ "$words" = "$3" ] || fail "$1: binary flags are '$words', expected '$3': $line"
	expect_count 2 "$K.pid==$pid and $K.binary==$want and $K.flags==\"$flags\"" \
		"$1: both observed calls carry binary '$2'"
}

check rel "$W/bin/prog-rel" ""
check link "$W/bin/prog-link" ""
check mnt "$W/mnt/prog-mnt" ""
check jail "/opt/prog-jail" ""
check deleted "$W/bin/prog-deleted (deleted)" "binaryDeleted "
check outside "$W/bin/prog-outside" "binaryOutsideRoot "
check long "./prog-long" "errorFilename binaryTooLong "
check deep "./prog-deep" "errorFilename binaryTooDeep "
cleanup
