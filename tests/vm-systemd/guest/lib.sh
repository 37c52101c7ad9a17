# shellcheck shell=sh
# Helpers for the systemd VM cases (tests/vm-systemd/guest/cases). POSIX sh,
# Debian 12 guest with systemd as PID 1, run as root by guest-main.sh.
#
# Every policy a case writes selects only credgatetest.slice (a slice the
# cases create, kept alive by credgatetest-anchor.service) or a slice below
# it, so that nothing else in the guest is governed.
P=/var/lib/credgate-vmtest/payload
S=/var/lib/credgate-vmtest/state
CREDOP=/usr/local/bin/credop
UNIT=credgate.service
POLICY_DIR=/etc/credgate/policies.d
SLICE=credgatetest.slice          # cgroup /credgatetest.slice
SUBSLICE=credgatetest-sub.slice   # cgroup /credgatetest.slice/credgatetest-sub.slice
. "$P/config.sh"

now() { cut -d' ' -f1 /proc/uptime; }
log() { echo "[$(now)] $*"; }

# fail REASON: the case fails; REASON goes into its result line. The agent's
# recent journal goes to the console for context.
fail() {
	echo "$*" >"$S/reason"
	echo "[$(now)] FAIL: $*"
	echo "---- systemctl status $UNIT"
	systemctl status --no-pager -n 0 "$UNIT" 2>&1 | sed 's/^/  /'
	echo "---- journal of $UNIT (last 40 lines)"
	journalctl -u "$UNIT" -b --no-pager -n 40 -o short-monotonic 2>&1 | sed 's/^/  /'
	exit 1
}

prop() { systemctl show -p "$1" --value "${2:-$UNIT}"; }
agent_pid() { prop MainPID; }

# wait_until SECONDS COMMAND...: poll every 0.2 s; status 0 once it holds.
wait_until() {
	_n=$(($1 * 5))
	shift
	while [ "$_n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.2
		_n=$((_n - 1))
	done
	return 1
}

is_running() { [ "$(prop ActiveState)" = active ] && [ "$(prop SubState)" = running ]; }
# wait_running [SECONDS]: until the unit runs; gives up early once it failed
# for good (start limit hit, or no Restart=).
wait_running() {
	_n=$((${1:-90} * 5))
	while [ "$_n" -gt 0 ]; do
		is_running && return 0
		[ "$(prop ActiveState)" = failed ] && return 1
		sleep 0.2
		_n=$((_n - 1))
	done
	return 1
}

# Journal positions: cursor now; what the unit logged after a cursor.
cursor() { journalctl -n 0 --show-cursor -q 2>/dev/null | sed -n 's/^-- cursor: //p'; }
journal_since() { journalctl -u "$UNIT" --after-cursor="$1" --no-pager -o cat 2>/dev/null; }
journal_has() { journal_since "$1" | grep -q -- "$2"; }

# in_slice SLICE CREDOP-ARGS...: run credop in a transient scope in SLICE, as
# a container engine runs a container in a scope. Status: credop's.
in_slice() {
	_slice=$1
	shift
	systemd-run --quiet --scope --slice="$_slice" --collect -- "$CREDOP" "$@"
}

# The test slices exist before credgated starts (at every boot), because a
# selector binds the cgroups that exist when the policy is loaded.
setup_anchors() {
	for _s in "$SLICE" "$SUBSLICE"; do
		_name=${_s%.slice}-anchor.service
		cat >"/etc/systemd/system/$_name" <<UNITFILE
[Unit]
Description=credgate VM test: keeps $_s alive
Before=credgate.service

[Service]
Slice=$_s
ExecStart=/bin/sleep infinity

[Install]
WantedBy=multi-user.target
UNITFILE
	done
	systemctl daemon-reload
	systemctl enable --now credgatetest-anchor.service credgatetest-sub-anchor.service ||
		fail "cannot start the anchor units of $SLICE and $SUBSLICE"
}

# write_policy FILE NAME MODE CGROUP RULES-YAML
write_policy() {
	cat >"$1" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: $2
spec:
  mode: $3
  selector:
    cgroup: $4
$5
POLICY
}

# The broken file of the reload cases: line 13 names an unknown capability.
BROKEN_FILE=$POLICY_DIR/52-broken.yaml
BROKEN_LINE=13
write_broken_policy() {
	cat >"$BROKEN_FILE" <<'POLICY'
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: vmtest-broken
spec:
  mode: enforce
  selector:
    cgroup: /credgatetest.slice/nothing-here
  setuid:
    deny:
      - to: 0
  capset:
    denyGain: [CAP_NOT_A_CAPABILITY]
POLICY
}

# The uid rule of 50-vmtest.yaml holds: seteuid(0) back from 1000 is
# refused in SLICE.
expect_uid_denied() {
	in_slice "$SLICE" seteuid:1000=ok seteuid:0=EPERM expect-euid:1000
}

require_credgatectl() {
	command -v credgatectl >/dev/null 2>&1 ||
		fail "credgatectl is not installed (no /usr/bin/credgatectl in the package): ExecReload=/usr/bin/credgatectl reload cannot run, so systemctl reload cannot report a failed reload"
}
