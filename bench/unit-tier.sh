#!/usr/bin/env bash
# Times the unit tier (`bash scripts/run-tests.sh unit`) of a base commit and of this working tree, alternately in
# the same run, and prints every time, the medians and the ratio. The base runs in a throwaway worktree with its
# own `npm ci`; each side first runs once untimed (warm caches: tsx's, the OS's). Needs a quiet machine:
#   flock -x /tmp/dynia-heavy.lock bash bench/unit-tier.sh [base-commit (9e5c007)] [rounds (2)]
set -euo pipefail
cd "$(dirname "$0")/.."
base=${1:-9e5c007}
rounds=${2:-2}
tree=$PWD
scratch=$(mktemp -d /tmp/dynia-unit-bench-XXXXXX)
cleanup() { git -C "$tree" worktree remove --force "$scratch/base" >/dev/null 2>&1 || true; rm -rf "$scratch"; }
trap cleanup EXIT

git worktree add --quiet --detach "$scratch/base" "$base"
(cd "$scratch/base" && npm ci --no-audit --no-fund --silent >/dev/null 2>&1)
echo "base $(git -C "$scratch/base" log -1 --format='%h %s' | cut -c1-80)"
echo "tree $(git log -1 --format='%h' HEAD)$(git diff --quiet HEAD || echo ' + uncommitted changes')"

# Prints the seconds one unit tier took in $1; a failing tier stops the bench, showing the end of its log.
tier() {
  local dir=$1 log=$scratch/$2.log start end
  start=$(date +%s.%N)
  if ! (cd "$dir" && env -u DYNIA_SANDBOX_SLOT bash scripts/run-tests.sh unit >"$log" 2>&1); then
    echo "the unit tier failed in $dir:" >&2
    tail -30 "$log" >&2
    exit 1
  fi
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f", e - s }'
}

median() { tr ' ' '\n' | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

b=$(tier "$scratch/base" base)
t=$(tier "$tree" tree)
echo "warm-up: base ${b}s, tree ${t}s (not counted)"
base_times=() tree_times=()
for round in $(seq "$rounds"); do
  b=$(tier "$scratch/base" base)
  t=$(tier "$tree" tree)
  base_times+=("$b") tree_times+=("$t")
  echo "round $round: base ${b}s, tree ${t}s"
done
base_median=$(echo "${base_times[*]}" | median)
tree_median=$(echo "${tree_times[*]}" | median)
echo "median: base ${base_median}s, tree ${tree_median}s"
awk -v b="$base_median" -v t="$tree_median" 'BEGIN { printf "ratio base/tree: %.2fx (the tree takes %.0f%% of the base time)\n", b / t, 100 * t / b }'
