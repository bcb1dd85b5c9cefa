#!/bin/bash
# Start dockerd if it does not answer yet (these machines have no systemd; CI starts from nothing).
# Log: $DOCKERD_LOG (default /var/log/dynia-dockerd.log).
set -euo pipefail
if docker info >/dev/null 2>&1; then exit 0; fi
LOG=${DOCKERD_LOG:-/var/log/dynia-dockerd.log}
setsid dockerd >>"$LOG" 2>&1 </dev/null &
for _ in $(seq 150); do
  docker info >/dev/null 2>&1 && exit 0
  sleep 0.2
done
echo "dockerd did not answer within 30 s; see $LOG" >&2
exit 1
