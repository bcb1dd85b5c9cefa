#!/bin/bash
# Install the Docker Compose v2 CLI plugin system-wide (/usr/local/lib/docker/cli-plugins/docker-compose).
# Debian 12 only packages Compose v1 (python) and Docker Inc's repository is unreachable, so take the Go binary
# from Debian trixie's docker-compose .deb (needs only libc6 >= 2.34). A private apt state (own sources.list,
# lists and cache dirs) leaves the system's apt configuration untouched. Skips when the plugin is present.
set -euo pipefail
DEST=/usr/local/lib/docker/cli-plugins/docker-compose
if [ -x "$DEST" ] && "$DEST" version >/dev/null 2>&1; then exit 0; fi
STATE=${DYNIA_APT_TRIXIE:-/var/cache/dynia-apt-trixie}
mkdir -p "$STATE/lists/partial" "$STATE/cache/archives/partial"
echo 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main' \
  >"$STATE/sources.list"
APT_OPTS=(-o "Dir::Etc::SourceList=$STATE/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$STATE/lists" -o "Dir::Cache=$STATE/cache" -o APT::Sandbox::User=root)
ls "$STATE"/lists/*Packages* >/dev/null 2>&1 || apt-get "${APT_OPTS[@]}" update -qq
rm -f "$STATE"/docker-compose_*.deb
(cd "$STATE" && apt-get "${APT_OPTS[@]}" download -qq docker-compose/trixie)
rm -rf "$STATE/x"
dpkg-deb -x "$STATE"/docker-compose_*_amd64.deb "$STATE/x"
install -D -m 0755 "$STATE/x/usr/libexec/docker/cli-plugins/docker-compose" "$DEST"
rm -rf "$STATE/x"
"$DEST" version
