# shellcheck shell=sh
# The cases of the `binary` checks that host.process_binary (this machine's
# kernel, tracepoints) and the VM case process_binary (Debian's kernels, BPF
# LSM and fentry) share, so that both kernels' walks are held to the same
# cases. Sourced after common.sh; the caller has made cgroup A ($A) with an
# audit policy and started the agent.
#
# binary_prepare          make $W with a copy of credop for each case
# binary_run NAME SCRIPT  run SCRIPT in cgroup A; it execs NAME's program
# binary_run_cases        run the shared cases (rel link mnt jail deleted
#                         outside long)
# binary_check NAME BINARY FLAGS  check NAME's exec and observed calls
# binary_check_cases      check the shared cases
#
# Each case is a script for an inner shell: quoted so that it expands there,
# not here.
# shellcheck disable=SC2016

OPS="seteuid:1000=ok seteuid:0=ok"

binary_prepare() {
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
	export LONG
}

# binary_run NAME SCRIPT: sh joins cgroup A, then runs SCRIPT, which execs
# the case's program with $OPS; NAME's pid is what the program printed.
binary_run() {
	sh -c 'echo $$ > "$1/cgroup.procs" && W=$2 OPS=$3 && eval "$4"' sh "$A" "$W" "$OPS" "$2" > "$TEST_TMP/$1.out" 2>&1 ||
		fail "case $1: $(cat "$TEST_TMP/$1.out")"
	pid=$(sed -n 's/^credop: pid //p' "$TEST_TMP/$1.out")
	[ -n "$pid" ] || fail "case $1 printed no pid: $(cat "$TEST_TMP/$1.out")"
	eval "PID_$1=$pid"
}

binary_run_cases() {
	binary_run rel 'cd "$W/sub" && exec ../bin/prog-rel $OPS'
	binary_run link 'exec "$W/links/alias" $OPS'
	binary_run mnt 'exec unshare -m --propagation private sh -c "mount --bind \"\$1/bind-src\" \"\$1/mnt\" && cd \"\$1/mnt\" && exec ./prog-mnt \$2" sh "$W" "$OPS"'
	# /proc in the jail too: the sanitizer build's LeakSanitizer reads it at exit.
	binary_run jail 'exec unshare -m --propagation private sh -c "mount --rbind /proc \"\$1/jail/proc\" && mount -o bind /usr \"\$1/jail/usr\" && exec chroot \"\$1/jail\" /bin/sh -c \"cd /opt/sub && exec ../prog-jail \$2\"" sh "$W" "$OPS"'
	binary_run deleted 'exec 3< "$W/bin/prog-deleted" && rm "$W/bin/prog-deleted" && exec /proc/self/fd/3 $OPS'
	binary_run outside 'exec 3< "$W/bin/prog-outside" && exec unshare -m --propagation private sh -c "mount --rbind /proc \"\$1/jail/proc\" && mount -o bind /usr \"\$1/jail/usr\" && exec chroot \"\$1/jail\" /bin/sh -c \"exec /proc/self/fd/3 \$2\"" sh "$W" "$OPS"'
	binary_run long 'cd "$LONG" && exec ./prog-long $OPS'
}

# binary_check NAME BINARY FLAGS: the exec of NAME's program names BINARY,
# its binary flags are exactly FLAGS (each followed by a space), and both of
# its observed calls carry the same binary and flags.
binary_check() {
	X='.process_exec.process'
	K='.process_kprobe.process'
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

binary_check_cases() {
	binary_check rel "$W/bin/prog-rel" ""
	binary_check link "$W/bin/prog-link" ""
	binary_check mnt "$W/mnt/prog-mnt" ""
	binary_check jail "/opt/prog-jail" ""
	binary_check deleted "$W/bin/prog-deleted (deleted)" "binaryDeleted "
	binary_check outside "$W/bin/prog-outside" "binaryOutsideRoot "
	binary_check long "./prog-long" "errorFilename binaryTooLong "
}
