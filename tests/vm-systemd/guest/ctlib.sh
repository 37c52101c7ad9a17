# shellcheck shell=sh
# Helpers for the container cases (guest/cases/ct-*.sh): real runtimes, as
# Debian 12 packages them, started the way people start them.
#
#   docker   docker.io: dockerd + containerd, systemd cgroup driver
#            (/system.slice/docker-ID.scope)
#   crun     podman as root with --runtime crun (/machine.slice/libpod-ID.scope)
#   runc     podman as root with --runtime runc (same cgroup)
#   ctr      containerd alone through ctr, namespace "default", cgroupfs
#            driver (/default/ID, listed in the settings' containerCgroups);
#            the id is 64 hex digits we choose
#
# The guest kernel has no modules (rootfs/customize.sh): vfs storage, the
# native snapshotter, no network in any container.
#
# Binding at start (docs/oci-hook.md): podman runs the package's
# createRuntime hook (credgate-oci-hook, registered in hooks.d by the
# package); docker runs containers through the runc wrapper credgate-runc
# (default-runtime in daemon.json, set by ct_setup_agent as the package's
# example says); ctr is given it with --runc-binary.
#
# One image, built offline once per session and reused by every case: a
# root file system of busybox-static and the test's credop (with the shared
# libraries ldd names), imported by `docker import` and `podman import`;
# containerd imports podman's `podman save` of it with `ctr image import`.
#
# Every policy a case writes selects only a container the case created: the
# enforce and audit containers by name (`containerName:`; a ctr container's
# name is its id), the agent-down ones by id (`container:`), and the package's default policy
# (00-audit-containers.yaml, which audits every container) is moved away
# by ct_setup_agent, so that a container no case selects is governed by
# nothing.
. /var/lib/credgate-vmtest/payload/lib.sh

CT=/var/lib/credgate-vmtest/ct
IMG_ROOT=$CT/image-root
IMG_TAR=$CT/image.tar
IMG_DOCKER=credgate-vmtest:1
IMG_PODMAN=localhost/credgate-vmtest:1
CT_RUNTIMES="docker crun runc ctr"
# ctr and containerd's unpacking: the native snapshotter (no overlay module).
CONTAINERD_SNAPSHOTTER=native
export CONTAINERD_SNAPSHOTTER
CTR_NS=default
RUNC_WRAPPER=/usr/libexec/credgate/credgate-runc
mkdir -p "$CT"

# ct_setup_agent: the agent installed and running, and no policy selecting
# containers other than the ones this case writes: not the package's
# default, and not an earlier case's (a case leaves its files only if it
# was killed by the driver's timeout; see ct_trio's trap).
ct_setup_agent() {
	_stale=$(ls "$POLICY_DIR"/00-audit-containers.yaml "$POLICY_DIR"/6[01]-ct-*.yaml 2>/dev/null)
	if [ -n "$_stale" ]; then
		[ ! -f "$POLICY_DIR/00-audit-containers.yaml" ] ||
			mv "$POLICY_DIR/00-audit-containers.yaml" "$CT/00-audit-containers.yaml.moved" ||
			fail "cannot move the default container policy away"
		rm -f "$POLICY_DIR"/6[01]-ct-*.yaml
		systemctl reload "$UNIT" || fail "systemctl reload $UNIT failed after removing $_stale"
	fi
	wait_running 60 || fail "$UNIT is not running"
	# ctr's cgroupfs driver puts a container at /NAMESPACE/ID, where no
	# runtime's default is: the administrator names the place
	# (containerCgroups, docs/policy.md), so that those cgroups are
	# containers' own (sealed, and bound by bind-container). Read at start.
	if ! grep -q '^containerCgroups:' /etc/credgate/credgate.yaml; then
		printf 'containerCgroups:\n  - /%s/*\n' "$CTR_NS" >>/etc/credgate/credgate.yaml
		systemctl restart "$UNIT" && wait_running 60 || fail "$UNIT did not restart with containerCgroups /$CTR_NS/*"
	fi
	# docker runs its containers through the wrapper, before dockerd starts.
	[ -x "$RUNC_WRAPPER" ] || fail "$RUNC_WRAPPER is not installed by the package"
	if ! jq -e '."default-runtime" == "credgate"' /etc/docker/daemon.json >/dev/null; then
		jq --arg w "$RUNC_WRAPPER" '. + {runtimes: {credgate: {path: $w}}, "default-runtime": "credgate"}' \
			/etc/docker/daemon.json >/etc/docker/daemon.json.new &&
			mv /etc/docker/daemon.json.new /etc/docker/daemon.json || fail "cannot write /etc/docker/daemon.json"
		! systemctl -q is-active docker.service || systemctl restart docker.service ||
			fail "cannot restart docker with the runc wrapper"
	fi
}

# The image's root file system, as a tarball: once per session.
ct_image_tar() {
	[ -s "$IMG_TAR" ] && return 0
	rm -rf "$IMG_ROOT"
	mkdir -p "$IMG_ROOT/bin" "$IMG_ROOT/tmp" "$IMG_ROOT/proc" "$IMG_ROOT/sys" "$IMG_ROOT/dev" "$IMG_ROOT/etc"
	cp /bin/busybox "$IMG_ROOT/bin/busybox" || fail "no /bin/busybox (busybox-static) in the guest"
	for _a in sh sleep cat id; do ln -s busybox "$IMG_ROOT/bin/$_a"; done
	cp "$CREDOP" "$IMG_ROOT/credop"
	# credop's shared libraries, where the dynamic loader looks for them.
	for _l in $(ldd "$CREDOP" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p'); do
		mkdir -p "$IMG_ROOT$(dirname "$_l")"
		cp -L "$_l" "$IMG_ROOT$_l"
	done
	printf 'root:x:0:0:root:/:/bin/sh\nvmtest:x:1000:1000::/:/bin/sh\n' >"$IMG_ROOT/etc/passwd"
	# Its loader and libraries are all there (no /proc: no expect-* here).
	_out=$(chroot "$IMG_ROOT" /credop seteuid:1000=ok 2>&1) ||
		fail "credop does not run in the image's root file system: $_out"
	tar -C "$IMG_ROOT" -cf "$IMG_TAR.tmp" . && mv "$IMG_TAR.tmp" "$IMG_TAR" ||
		fail "cannot write $IMG_TAR"
	log "image root file system: $(du -sh "$IMG_TAR" | cut -f1) ($(cd "$IMG_ROOT" && find . -type f | tr '\n' ' '))"
}

ct_start_daemon() { # UNIT: start it (the image does not) and wait for it
	systemctl start "$1" || fail "systemctl start $1 failed"
}

# ct_image RUNTIME: the image imported into RUNTIME's store, once.
ct_image() {
	ct_image_tar
	case $1 in
	docker)
		ct_start_daemon docker.service
		wait_until 60 docker info >/dev/null 2>&1 || fail "dockerd does not answer"
		docker image inspect "$IMG_DOCKER" >/dev/null 2>&1 && return 0
		docker import "$IMG_TAR" "$IMG_DOCKER" || fail "docker import failed"
		;;
	crun | runc)
		podman image exists "$IMG_PODMAN" && return 0
		podman import "$IMG_TAR" "$IMG_PODMAN" || fail "podman import failed"
		;;
	ctr)
		ct_start_daemon containerd.service
		wait_until 60 ctr version >/dev/null 2>&1 || fail "containerd does not answer"
		ctr -n "$CTR_NS" images ls -q | grep -qx "$IMG_PODMAN" && return 0
		ct_image crun
		rm -f "$CT/image-docker-archive.tar"
		podman save --format docker-archive -o "$CT/image-docker-archive.tar" "$IMG_PODMAN" ||
			fail "podman save failed"
		ctr -n "$CTR_NS" images import "$CT/image-docker-archive.tar" || fail "ctr images import failed"
		ctr -n "$CTR_NS" images ls -q | grep -qx "$IMG_PODMAN" ||
			fail "ctr images import did not name the image $IMG_PODMAN: $(ctr -n "$CTR_NS" images ls -q | tr '\n' ' ')"
		;;
	*) fail "unknown runtime $1" ;;
	esac
}

# What a container runs: a shell that sleeps and ends on SIGTERM. As the
# init of its pid namespace it gets only the signals it handles, and a bare
# sleep would hold the guest's poweroff until systemd's 90 s SIGKILL.
CT_CMD='trap "exit 0" TERM; sleep 3600 & wait'

ct_podman() { # RUNTIME PODMAN-ARGS...: podman with that OCI runtime
	_r=$1
	shift
	podman --runtime "$_r" "$@"
}

# ct_create RUNTIME NAME: create (not start) a container that sleeps;
# prints its full id. ctr: only the id is chosen here (ctr's `containers
# create` has no --runc-binary; `ctr run` creates and starts), so the
# policies, which know a ctr container by its id, still come first.
ct_create() {
	case $1 in
	docker) docker create --name "$2" --network none "$IMG_DOCKER" /bin/sh -c "$CT_CMD" ;;
	crun | runc) ct_podman "$1" create --name "$2" --network none "$IMG_PODMAN" /bin/sh -c "$CT_CMD" ;;
	ctr)
		od -An -N32 -tx1 /dev/urandom | tr -d ' \n'
		echo
		;;
	esac
}

ct_start() { # RUNTIME ID
	case $1 in
	docker) docker start "$2" >/dev/null ;;
	crun | runc) podman start "$2" >/dev/null ;;
	ctr)
		ctr -n "$CTR_NS" run -d --null-io --runc-binary "$RUNC_WRAPPER" "$IMG_PODMAN" "$2" /bin/sh -c "$CT_CMD" >/dev/null
		;;
	esac
}

# ct_exec RUNTIME ID CREDOP-ARGS...: credop inside the container, as root;
# status: credop's.
ct_exec() {
	_r=$1 _id=$2
	shift 2
	case $_r in
	docker) docker exec "$_id" /credop "$@" ;;
	crun | runc) podman exec "$_id" /credop "$@" ;;
	ctr) ctr -n "$CTR_NS" tasks exec --exec-id "credop-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')" "$_id" /credop "$@" ;;
	esac
}

# What the runtime says about a container: its name (ctr's containers have
# none: credgate names them by their id), its image reference, and
# credgate's name for the runtime.
ct_inspect_name() {
	case $1 in
	docker) docker inspect -f '{{.Name}}' "$2" | sed 's,^/,,' ;;
	crun | runc) podman inspect -f '{{.Name}}' "$2" ;;
	ctr) ctr -n "$CTR_NS" containers info "$2" | jq -r '.ID' ;;
	esac
}
ct_inspect_image() {
	case $1 in
	docker) docker inspect -f '{{.Config.Image}}' "$2" ;;
	crun | runc) podman inspect -f '{{.ImageName}}' "$2" ;;
	ctr) ctr -n "$CTR_NS" containers info "$2" | jq -r '.Image' ;;
	esac
}
ct_runtime_word() {
	case $1 in
	docker) echo docker ;;
	crun | runc) echo podman ;;
	ctr) echo containerd ;;
	esac
}

# norm_image REF: a reference as docker normalises it (docker.io/library/
# for a short name, :latest without a tag), so that "busybox" and
# "docker.io/library/busybox:latest" compare equal.
norm_image() {
	_i=$1
	case $_i in
	*/*)
		case ${_i%%/*} in
		*.* | *:* | localhost) ;;
		*) _i=docker.io/$_i ;;
		esac
		;;
	*) _i=docker.io/library/$_i ;;
	esac
	case ${_i##*/} in
	*:* | *@*) ;;
	*) _i=$_i:latest ;;
	esac
	echo "$_i"
}

# ct_policy FILE NAME MODE SELECTOR: a policy that selects one container
# (SELECTOR: "container: ID" or "containerName: NAME") and denies becoming
# uid 0.
ct_policy() {
	cat >"$1" <<POLICY
apiVersion: credgate.io/v1
kind: CredentialPolicy
metadata:
  name: $2
spec:
  mode: $3
  selector:
    $4
  setuid:
    deny:
      - to: 0
POLICY
}

ct_reload() {
	systemctl reload "$UNIT" || fail "systemctl reload $UNIT failed: $(journal_since "$1" | tail -n 5)"
	is_running || fail "$UNIT is not running after reload"
}

# The agent's JSON events since a cursor (its standard output, in the journal).
ct_events() { journal_since "$1" | jq -cR 'fromjson? | objects'; }
# ct_events_of CURSOR ID: every event that names container ID anywhere.
ct_events_of() { ct_events "$1" | jq -c --arg id "$2" 'select(tostring | contains($id))'; }
# ct_decisions CURSOR ID [VERDICT]: the decision events of processes in
# container ID's cgroup (or below it), with VERDICT when given.
ct_decisions() {
	ct_events "$1" | jq -c --arg id "$2" --arg v "${3:-}" \
		'.credgate_decision | objects | select((.process.cgroup.path // "") | contains($id)) | select($v == "" or .verdict == $v)'
}
ct_count() { ct_decisions "$@" | wc -l; }
ct_has_decision() { [ "$(ct_count "$@")" -ge 1 ]; }

# ct_check_fields RUNTIME ID DECISION-JSON POLICY: the event's container
# fields against what the runtime says. The id and the runtime are
# required; name and image are compared where the event has them (ctr's
# image lives in containerd's database only, docs/events.md).
ct_check_fields() {
	_r=$1 _id=$2 _ev=$3
	# One jq for every field (each program start costs under TCG).
	_f=$(echo "$_ev" | jq -r '[.process.container.id, .process.container.runtime, .process.container.name,
		.process.container.image, .process.docker, .policy_name] | map(. // "") | join("|")')
	IFS='|' read -r _cid _crt _cname _cimg _dock _pol <<FIELDS
$_f
FIELDS
	_want_name=$(ct_inspect_name "$_r" "$_id")
	_want_img=$(ct_inspect_image "$_r" "$_id")
	log "$_r $_id: event container {id: ${_cid:-absent}, runtime: ${_crt:-absent}, name: ${_cname:-absent}, image: ${_cimg:-absent}}; runtime says name $_want_name, image $_want_img"
	[ "$_cid" = "$_id" ] || fail "$_r: event container.id '${_cid}' is not the runtime's id $_id"
	[ "$_crt" = "$(ct_runtime_word "$_r")" ] || fail "$_r: event container.runtime '${_crt}', expected $(ct_runtime_word "$_r")"
	# The reference tool's docker field: from the cgroup name docker and
	# podman give their containers (ctr's /default/ID has no such name).
	case $_r in
	docker | crun | runc)
		[ "$_dock" = "$(echo "$_id" | cut -c1-31)" ] || fail "$_r: event docker field '${_dock}' is not the id's first 31 characters"
		;;
	esac
	[ -z "$_cname" ] || [ "$_cname" = "$_want_name" ] || fail "$_r: event container.name '$_cname', the runtime says '$_want_name'"
	[ -z "$_cimg" ] || [ "$(norm_image "$_cimg")" = "$(norm_image "$_want_img")" ] ||
		fail "$_r: event container.image '$_cimg', the runtime says '$_want_img'"
	# The policy that governs it is the one written for this container.
	[ "$_pol" = "$4" ] || fail "$_r: the decision names policy '$_pol', expected $4"
}

# ct_trio RUNTIME: the case of one runtime. Three containers running at the
# same time: one under an enforcing policy, one under an audit policy, one
# selected by no policy. Each is created, the policies written for the
# first two by name and loaded (systemctl reload), then all three are
# started; in each, at once, credop (root) moves its effective uid to 1000
# and calls setuid(0). The runtime's commands run side by side (they are
# slow under TCG).
ct_trio() {
	_rt=$1
	ct_setup_agent
	ct_image "$_rt"
	_c=$(cursor)
	_w=$CT/trio-$_rt
	rm -rf "$_w"
	mkdir -p "$_w"
	# Pass or fail, this case's policies go with it, and the agent publishes
	# the set without them: the identity mode it leaves in
	# /run/credgate/containers.mode (which the hook and the wrapper read
	# when the agent is down) is then none again for the next case.
	trap 'rm -f "$POLICY_DIR/60-ct-$_rt-enforce.yaml" "$POLICY_DIR/60-ct-$_rt-audit.yaml"; systemctl reload "$UNIT"' EXIT
	for _k in enforce audit none; do
		ct_create "$_rt" "vmt-$_rt-$_k" >"$_w/$_k.id" 2>"$_w/$_k.err" &
	done
	wait
	for _k in enforce audit none; do
		[ -s "$_w/$_k.id" ] || fail "$_rt: cannot create the $_k container: $(tail -n 3 "$_w/$_k.err")"
	done
	enf=$(cat "$_w/enforce.id") aud=$(cat "$_w/audit.id") non=$(cat "$_w/none.id")
	log "$_rt: created enforce $enf, audit $aud, none $non"
	if [ "$_rt" = ctr ]; then
		_sel_enf="containerName: $enf" _sel_aud="containerName: $aud"
	else
		_sel_enf="containerName: vmt-$_rt-enforce" _sel_aud="containerName: vmt-$_rt-audit"
	fi
	ct_policy "$POLICY_DIR/60-ct-$_rt-enforce.yaml" "vmtest-ct-$_rt-enforce" enforce "$_sel_enf"
	ct_policy "$POLICY_DIR/60-ct-$_rt-audit.yaml" "vmtest-ct-$_rt-audit" audit "$_sel_aud"
	ct_reload "$_c"
	for _k in enforce audit none; do
		ct_start "$_rt" "$(cat "$_w/$_k.id")" 2>"$_w/$_k.err" || echo failed >"$_w/$_k.startfail" &
	done
	wait
	for _k in enforce audit none; do
		[ ! -e "$_w/$_k.startfail" ] || fail "$_rt: cannot start the $_k container: $(tail -n 3 "$_w/$_k.err")"
	done
	log "$_rt: started"
	ct_exec "$_rt" "$enf" seteuid:1000=ok setuid:0=EPERM expect-euid:1000 >"$_w/enforce.out" 2>&1 &
	_p1=$!
	ct_exec "$_rt" "$aud" seteuid:1000=ok setuid:0=ok expect-euid:0 >"$_w/audit.out" 2>&1 &
	_p2=$!
	ct_exec "$_rt" "$non" seteuid:1000=ok setuid:0=ok expect-euid:0 >"$_w/none.out" 2>&1 &
	_p3=$!
	wait "$_p1"
	_r1=$?
	wait "$_p2"
	_r2=$?
	wait "$_p3"
	_r3=$?
	set -- "$_r1" "$_r2" "$_r3"
	for _k in enforce audit none; do
		sed "s/^/  $_rt $_k: /" "$_w/$_k.out"
	done
	[ "$1" = 0 ] || fail "$_rt: setuid(0) in the enforced container was not refused with EPERM (credop status $1)"
	[ "$2" = 0 ] || fail "$_rt: setuid(0) in the audited container did not succeed (credop status $2)"
	[ "$3" = 0 ] || fail "$_rt: setuid(0) in the unselected container did not succeed (credop status $3)"
	wait_until 15 ct_has_decision "$_c" "$enf" denied || fail "$_rt: no denied event for the enforced container"
	wait_until 15 ct_has_decision "$_c" "$aud" audited-would-deny ||
		fail "$_rt: no audited-would-deny event for the audited container"
	sleep 2 # late events would show now
	_n=$(ct_count "$_c" "$enf")
	[ "$_n" = 1 ] || fail "$_rt: $_n decision events for the enforced container, expected 1 (denied)"
	_n=$(ct_count "$_c" "$aud")
	[ "$_n" = 1 ] || fail "$_rt: $_n decision events for the audited container, expected exactly 1"
	_n=$(ct_events_of "$_c" "$non" | wc -l)
	[ "$_n" = 0 ] || fail "$_rt: $_n events name the unselected container: $(ct_events_of "$_c" "$non" | head -n1 | cut -c1-300)"
	ct_check_fields "$_rt" "$enf" "$(ct_decisions "$_c" "$enf" denied)" "vmtest-ct-$_rt-enforce"
	ct_check_fields "$_rt" "$aud" "$(ct_decisions "$_c" "$aud" audited-would-deny)" "vmtest-ct-$_rt-audit"
	log "$_rt: denied event: $(ct_decisions "$_c" "$enf" denied | cut -c1-400)"
	# The containers stay (removing them costs seconds under TCG; the
	# session ends with the boot, and they end on SIGTERM); the trap takes
	# their policies away.
}
