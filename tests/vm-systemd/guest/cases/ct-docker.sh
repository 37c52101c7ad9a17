# docker (docker.io: dockerd and containerd, systemd cgroup driver): three containers at the same time, one under an
# enforcing policy (setuid(0) fails with EPERM inside, one denied event),
# one under an audit policy (setuid(0) succeeds, exactly one audited
# decision event), one selected by no policy (setuid(0) succeeds, no event
# names it). The events' container fields are compared with what the
# runtime says (ct_check_fields in ctlib.sh).
. /var/lib/credgate-vmtest/payload/ctlib.sh
ct_trio docker
