#!/bin/bash
# No container may ever send traffic off this machine (a public ACME CA, 8.8.8.8, Docker Hub, ...):
# drop every FORWARDED packet that would leave through the uplink (the default-route interface).
# Host <-> container traffic is not forwarded through the uplink, so it is unaffected.
# Must be in place before any sandbox container starts. Idempotent.
# Undo by hand: iptables -D DOCKER-USER -o <uplink> -j DROP
set -euo pipefail
UPLINK=$(ip route show default | awk '{print $5; exit}')
if [ -z "$UPLINK" ]; then
  echo "net-guard: no default route, nothing can leave the machine" >&2
  exit 0
fi
iptables -N DOCKER-USER 2>/dev/null || true
iptables -C DOCKER-USER -o "$UPLINK" -j DROP 2>/dev/null || iptables -I DOCKER-USER -o "$UPLINK" -j DROP
