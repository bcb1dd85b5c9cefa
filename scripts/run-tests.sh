#!/usr/bin/env bash
# Runs one tier of tests with node's test runner: `unit` (no Docker: pure modules, emulators, the Worker in
# workerd) or `e2e` (the real sandbox: Docker node hosts, sshd, Caddy, pebble, dnsmasq; one file at a time).
set -euo pipefail
cd "$(dirname "$0")/.."
tier=${1:?usage: run-tests.sh unit|e2e [file...]}
shift
if [ $# -eq 0 ]; then
  case $tier in
    unit) set -- $(find test/unit test/worker test/sandbox -name '*.test.ts' ! -name '*.docker.test.ts' | sort) ;;
    # The sandbox's own tests go last: one of them takes the sandbox down and up again.
    e2e) set -- $(find test/e2e -name '*.test.ts' | sort) $(find test/sandbox -name '*.docker.test.ts' | sort) ;;
    *) echo "unknown tier: $tier (unit|e2e)" >&2; exit 2 ;;
  esac
fi
[ $# -gt 0 ] || { echo "no $tier tests found" >&2; exit 1; }
if [ "$tier" = e2e ]; then
  exec node --import tsx --test --test-concurrency=1 --test-timeout=600000 "$@"
fi
# Unit: compiled once (scripts/build-tests.mjs) and run as plain JavaScript, two files at a time (two cores). Each
# run builds into its own directory under .build/ (inside the repository: the bundles import node_modules).
mkdir -p .build
out=$(mktemp -d .build/unit.XXXXXX)
trap 'rm -rf "$out"' EXIT
node scripts/build-tests.mjs "$out" "$@"
compiled=()
for file in "$@"; do file=${file#"$PWD"/}; compiled+=("$out/${file%.ts}.js"); done
node --enable-source-maps --test --test-concurrency=2 --test-timeout=600000 "${compiled[@]}"
