#!/bin/bash
# Everything the sandbox needs on a fresh Debian 12 machine (run as root). Installs only what is missing,
# so a warm run takes a fraction of a second. No service is started by the packages' install scripts
# (the sandbox runs its own dockerd, registry, sshd instances; e.g. docker-registry's own init script would
# take port 5000).
set -euo pipefail
HERE=$(dirname "$(readlink -f "$0")")
PACKAGES=(docker.io containerd runc tini caddy openssh-server openssh-client pebble dnsmasq-base busybox-static
  docker-registry curl iproute2 iptables ca-certificates openssl bash tar
  cloud-init) # cloud-init: only its `cloud-init schema`, which the tests run on the node user_data
# dpkg-query exits non-zero when any package is unknown (the usual case on a fresh machine): not an error here.
installed=$({ dpkg-query -W -f '${Package} ${db:Status-Status}\n' "${PACKAGES[@]}" 2>/dev/null || true; } | awk '$2=="installed"{print $1}')
missing=()
for p in "${PACKAGES[@]}"; do
  grep -qx "$p" <<<"$installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  POLICY=/usr/sbin/policy-rc.d
  if [ ! -e "$POLICY" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$POLICY" && chmod 755 "$POLICY"
    trap 'rm -f "$POLICY"' EXIT
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
"$HERE/install-compose-v2.sh" >/dev/null
