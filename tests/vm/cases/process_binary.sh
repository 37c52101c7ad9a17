#!/bin/sh
# `binary` names the file the kernel executed, on Debian's 6.1 and 6.12 with
# BPF LSM (observations by fentry), as host.process_binary checks it on the
# build machine's kernel: the same walk (bpf/path.bpf.h) must pass each
# kernel's verifier and name, in the process_exec event and in both
# observed calls of a copy of credop,
#   rel      a relative path with "..", after a chdir
#   link     a symlink in another directory
#   mnt      a bind mount in a private mount namespace, the file at its root
#   jail     a relative path inside a chroot: named from the chroot
#   deleted  an unlinked file run through /proc/self/fd: " (deleted)"
#   outside  a file opened before a chroot: named from its mount tree's root
#   long     a path over the kernel's bound: the string given, as given
# Each case is a script for an inner shell: quoted so that it expands there.
# shellcheck disable=SC2016
. /tests/lib/common.sh
CREDGATED=/bin/credgated CREDOP=/bin/credop

cg_setup binary
A=$(cg_make A)
write_policy "$TEST_TMP/policy.yaml" binary-audit audit "$(cg_rel A)"
# The names the kernel sees: no symlink on the way (mktemp's /tmp may be one).
W=$(realpath "$TEST_TMP")/w
mkdir -p "$W/bin" "$W/sub" "$W/links" "$W/bind-src" "$W/mnt" "$W/jail/opt/sub" "$W/jail/usr" "$W/jail/proc"
for name in rel link deleted outside; do cp "$CREDOP" "$W/bin/prog-$name"; done
cp "$CREDOP" "$W/bind-src/prog-mnt"
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
run jail 'exec unshare -m --propagation private sh -c "mount -o bind /usr \"\$1/jail/usr\" && exec chroot \"\$1/jail\" /bin/sh -c \"cd /opt/sub && exec ../prog-jail \$2\"" sh "$W" "$OPS"'
run deleted 'exec 3< "$W/bin/prog-deleted" && rm "$W/bin/prog-deleted" && exec /proc/self/fd/3 $OPS'
run outside 'exec 3< "$W/bin/prog-outside" && exec unshare -m --propagation private sh -c "mount --rbind /proc \"\$1/jail/proc\" && mount -o bind /usr \"\$1/jail/usr\" && exec chroot \"\$1/jail\" /bin/sh -c \"exec /proc/self/fd/3 \$2\"" sh "$W" "$OPS"'
run long 'cd "$LONG" && exec ./prog-long $OPS'
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
cleanup
