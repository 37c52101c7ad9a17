# The container image, built offline once for the session and imported into
# every runtime's store: docker import, podman import (crun and runc share
# podman's store), and ctr images import of podman's docker-archive. Nothing
# is pulled: the guest has no network. The other ct-* cases reuse it (and
# build it themselves when run alone).
. /var/lib/credgate-vmtest/payload/ctlib.sh
ct_setup_agent
for r in docker crun ctr; do
	t0=$(now)
	ct_image "$r"
	log "image in $r's store after $(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }') s"
done
log "docker: $(docker image inspect -f '{{.Id}} {{.RepoTags}}' "$IMG_DOCKER")"
log "podman: $(podman image inspect -f '{{.Id}} {{.RepoTags}}' "$IMG_PODMAN")"
log "ctr: $(ctr -n "$CTR_NS" images ls | tail -n +2)"
