#!/bin/sh
# check-hook.sh STAGE: the hook registration installed into STAGE (prefix
# /usr, as the package does) is what podman's hooks.d reader takes (OCI
# hooks schema 1.0.0, stage createRuntime, for every container), and names
# the installed hook, executable, and the wrapper's examples name the
# installed wrapper.
set -u
stage=$1
json=$stage/usr/share/containers/oci/hooks.d/credgate.json
fail() { echo "check-hook: $*" >&2; exit 1; }
[ -f "$json" ] || fail "$json is not installed"
jq -e '.version == "1.0.0" and .stages == ["createRuntime"] and .when == {always: true}
	and (.hook.path | startswith("/")) and .hook.args[0] == "credgate-oci-hook"
	and (.hook.timeout | type == "number" and . > 5)
	and (keys == ["hook", "stages", "version", "when"])' "$json" > /dev/null ||
	fail "$json is not the expected 1.0.0 hook: $(cat "$json")"
path=$(jq -r .hook.path "$json") || fail "jq failed on $json"
[ "$path" = /usr/libexec/credgate/credgate-oci-hook ] || fail "the hook's path is $path"
[ -x "$stage$path" ] || fail "$path is not installed, or not executable"
"$stage$path" --help | grep -q -- --on-agent-down || fail "$path --help does not run"
ex=$stage/usr/share/doc/credgate/examples/docker-daemon.json
w=$(jq -r '.runtimes.credgate.path' "$ex") || fail "$ex is not JSON"
[ -x "$stage$w" ] || fail "$ex names $w, which is not installed"
grep -q "BinaryName = \"$w\"" "$stage/usr/share/doc/credgate/examples/containerd-credgate.toml" ||
	fail "containerd-credgate.toml does not name $w"
for page in credgate-oci-hook credgate-runc; do
	[ -f "$stage/usr/share/man/man8/$page.8" ] || fail "man page $page.8 is not installed"
done
echo "check-hook: OK"
