#!/usr/bin/env bash
# The batch engine's instruction count (valgrind's callgrind) for N baseline runs in one
# batch, in this tree and at a git revision, side by side: a measure the shared machine's
# load cannot move, for telling a 1% change of the engine from noise. Needs valgrind; takes a few minutes
# (the three counts run at once).
# Usage: bash benchmarks/bench_instructions.sh [REVISION] [N]   (defaults: HEAD, 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
revision=${1:-HEAD} runs=${2:-1000}
other=$(mktemp -d)
trap 'git worktree remove --force "$other" >/dev/null 2>&1 || true' EXIT
git worktree add --detach --force "$other" "$revision" >/dev/null 2>&1

count() {  # tree, runs: instructions of the whole process
  valgrind --tool=callgrind --callgrind-out-file=/dev/null python -c "
import sys
sys.path.insert(0, '$1')
import sim
from sim.negotiation.batch import batch_outcomes
scenario = sim.load_scenario('$1/scenarios/baseline.yaml')
batch_outcomes([scenario] * 20, list(range(20)))  # the heap grown, as in a sweep's worker
if $2:
    batch_outcomes([scenario] * $2, list(range(1000, 1000 + $2)))
" 2>&1 | awk '/Collected/ {print $4}'
}

count "$PWD" 0 > "$other.start" &  # importing and the warm-up, taken off both
count "$PWD" "$runs" > "$other.here" &
count "$other" "$runs" > "$other.there"
wait
start=$(cat "$other.start") here=$(cat "$other.here") there=$(cat "$other.there")
rm -f "$other.start" "$other.here" "$other.there"
python3 -c "
here, there = ($here - $start) / 1e9, ($there - $start) / 1e9
print(f'$revision: {there:.3f} G instructions for $runs runs; this tree: {here:.3f} G '
      f'({here / there:.3f} times)')"
