#!/bin/sh
# The README's two commands, run by a user who is not root: with sudo on
# PATH each script runs itself again through sudo with the same arguments;
# without sudo it says how to become root and exits 1, before doing
# anything (no apt-get, no build). sudo is a stand-in here that records how
# it was called, so nothing really runs as root.
. "$(dirname "$0")/preamble.inc"
command -v setpriv > /dev/null || fail "setpriv is required (util-linux)"

ROOT=$(cd "$(dirname "$CREDGATE_LIB")/../.." && pwd)
BIN="$TEST_TMP/bin"
mkdir -p "$BIN"
chmod 755 "$TEST_TMP"
cat > "$BIN/sudo" <<STUB
#!/bin/sh
echo "sudo \$*" > "$TEST_TMP/sudo.called"
exit 0
STUB
chmod 755 "$BIN/sudo"
: > "$TEST_TMP/sudo.called"
chmod 666 "$TEST_TMP/sudo.called"

as_nobody() { (cd "$ROOT" && setpriv --reuid=nobody --regid=nogroup --clear-groups env PATH="$1" sh -c "$2"); }

for which in run test; do
	cmd=$("$ROOT/scripts/readme-command.sh" "$which") || fail "cannot read the README's $which command"
	script=${cmd%% *}

	# No sudo: a message that says how to become root, exit 1.
	out=$(as_nobody /usr/bin:/bin "$cmd --extra-arg" 2>&1)
	status=$?
	[ "$status" = 1 ] || fail "'$cmd' as nobody without sudo: expected exit 1, got $status: $out"
	echo "$out" | grep -q "run this as root" || fail "'$cmd' without sudo does not say to run as root: $out"
	echo "$out" | grep -q "su -c '$script --extra-arg'" || fail "'$cmd' without sudo does not show the su command: $out"
	log "ok: '$cmd' as nobody without sudo: exit 1, says how to become root"

	# With sudo: runs itself again through sudo, same arguments.
	: > "$TEST_TMP/sudo.called"
	out=$(as_nobody "$BIN:/usr/bin:/bin" "$cmd --extra-arg" 2>&1)
	status=$?
	[ "$status" = 0 ] || fail "'$cmd' as nobody with sudo: expected the stand-in's exit 0, got $status: $out"
	called=$(cat "$TEST_TMP/sudo.called")
	[ "$called" = "sudo -- $script --extra-arg" ] || fail "'$cmd' called sudo as [$called]"
	log "ok: '$cmd' as nobody runs '$called'"
done
cleanup
