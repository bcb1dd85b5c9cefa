#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine, as root: installs what it needs (apt packages, Compose v2,
# npm ci), builds, type-checks, runs the unit tier, brings the sandbox up and runs the end-to-end tier.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$SECONDS
step() { printf '\n=== %s (%ss)\n' "$*" "$((SECONDS - t0))"; }

step "install system packages"
bash sandbox/scripts/install-deps.sh
step "npm ci"
npm ci --no-audit --no-fund
step "build + typecheck"
npm run build
npx tsc -p .
step "lint + format check"
npm run lint
npm run format:check
step "unit tests"
bash scripts/run-tests.sh unit
step "sandbox up"
node bin/dynia.js sandbox up
trap 'node bin/dynia.js sandbox down >/dev/null 2>&1 || true' EXIT
step "end-to-end tests"
set -a; eval "$(node bin/dynia.js sandbox env)"; set +a
bash scripts/run-tests.sh e2e
step "done"
