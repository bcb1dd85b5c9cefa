#!/usr/bin/env bash
# Dynia's main job, end to end, on the local sandbox (fresh Debian 12, as root): installs what it needs, brings
# the sandbox up, creates two nodes with real certificates, deploys the example app to both, publishes them to
# the load-balancing Worker and sends a request through it. Re-running it is safe: finished steps are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Install (apt packages, Compose v2, npm ci, build)"
bash sandbox/scripts/install-deps.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent
dynia() { node bin/dynia.js "$@"; }

say "Sandbox up"
dynia sandbox up
eval "$(dynia sandbox env)"
export DYNIA_STATE_DIR=${DYNIA_STATE_DIR:-.dynia-demo}

say "Example app image → sandbox registry (dynia-examples/hello:1)"
dynia sandbox image examples/hello dynia-examples/hello:1 --build-arg VERSION=1

# A node this state file remembers but whose droplet is gone (the sandbox was taken down since) is forgotten first.
droplet_gone() {
  dynia status --json | node -e 'const s = JSON.parse(require("fs").readFileSync(0, "utf8"));
    process.exit(s.some((n) => n.name === process.argv[1] && n.droplet.status === "missing") ? 0 : 1)' "$1"
}

for node in web-1 web-2; do
  if dynia node:list --json | grep -q "\"name\": \"$node\"" && droplet_gone "$node"; then
    say "node $node is in $DYNIA_STATE_DIR but its droplet is gone: node:destroy, then create it again"
    dynia node:destroy --name "$node" --yes
  fi
  if dynia node:list --json | grep -q "\"name\": \"$node\""; then
    say "node $node exists"
  else
    say "node:create --name $node"
    dynia node:create --name "$node"
  fi
done

say "app:deploy --node web-1,web-2 (one fleet deploy: both start and pass health before either swaps)"
dynia app:deploy --node web-1,web-2 --compose examples/hello/compose.yaml
dynia app:list

say "app:deploy of examples/shop to web-1 (built on the node; data service, volume, secret, .env)"
dynia app:deploy --node web-1 --compose examples/shop/compose.yaml

say "slb:sync"
url=$(dynia slb:sync)
echo "$url"

say "A request through the Worker"
for i in 1 2 3 4; do curl -sS -D - -o /dev/null "$url/" | grep -i '^x-dynia-origin'; done
curl -sS "$url/"
echo
say "Done. Nodes: dynia node:list (state in $DYNIA_STATE_DIR); stop everything: dynia sandbox down"
