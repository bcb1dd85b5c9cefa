#!/bin/bash
# Build the sandbox images from this machine's Debian binaries (no registry is reachable):
#   dynia-sandbox/busybox  dynia-sandbox/caddy  dynia-sandbox/acme  dynia-sandbox/registry  dynia-sandbox/node
# Each image is described by sandbox/images/<name>/rootfs.sh (sourced with R=<rootfs dir>, IMAGE_DIR; sets the
# CHANGES array for `docker import`). An image whose inputs (its files, these scripts, the Debian package
# versions, the Compose plugin) did not change is skipped: its label dev.dynia.sandbox.inputs holds their hash.
# Usage: build-images.sh [--force] [name...]     Prints one line per image built.
set -euo pipefail
HERE=$(dirname "$(readlink -f "$0")")
IMAGES=$(readlink -f "$HERE/../images")
. "$HERE/lib.sh"
FORCE=0
if [ "${1:-}" = --force ]; then FORCE=1; shift; fi
NAMES=("$@")
[ ${#NAMES[@]} -gt 0 ] || NAMES=(busybox caddy acme registry node)
LABEL=dev.dynia.sandbox.inputs
COMPOSE_PLUGIN=/usr/local/lib/docker/cli-plugins/docker-compose
[ -x "$COMPOSE_PLUGIN" ] || "$HERE/install-compose-v2.sh" >/dev/null

versions=$(dpkg-query -W -f '${Package} ${Version}\n' caddy pebble dnsmasq-base busybox-static docker-registry \
  docker.io containerd runc tini openssh-server openssh-client bash curl iptables ca-certificates libc6 2>/dev/null || true)
plugin=$(stat -c '%s %Y' "$COMPOSE_PLUGIN")
inputs_hash() {
  { echo "$1"; echo "$versions"; echo "$plugin"
    cat "$HERE/lib.sh" "$HERE/build-images.sh"
    find "$IMAGES/$1" -type f | sort | xargs cat; } | sha256sum | cut -c1-32
}
tags=()
for n in "${NAMES[@]}"; do tags+=("dynia-sandbox/$n"); done
have=$(docker image inspect -f "{{index .Config.Labels \"$LABEL\"}}" "${tags[@]}" 2>/dev/null || true)

for n in "${NAMES[@]}"; do
  [ -f "$IMAGES/$n/rootfs.sh" ] || { echo "no such image: $n" >&2; exit 2; }
  hash=$(inputs_hash "$n")
  if [ $FORCE = 0 ] && grep -qx "$hash" <<<"$have"; then continue; fi
  t0=$(date +%s%N)
  R=$(mktemp -d "/tmp/dynia-rootfs-$n.XXXXXX")
  (
    trap 'rm -rf "$R"' EXIT
    IMAGE_DIR=$IMAGES/$n
    CHANGES=()
    . "$IMAGES/$n/rootfs.sh"
    import_root "$R" "dynia-sandbox/$n" "${CHANGES[@]}" -c "LABEL $LABEL=$hash"
  )
  echo "built dynia-sandbox/$n in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
done
