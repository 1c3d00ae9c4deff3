#!/usr/bin/env bash
# Sweep throughput and memory: the baseline Sobol sweep (7,168 runs) with --jobs 1 and
# --jobs 2, and the same design with 14 seeds per parameter set (50,176 runs).
# Peak memory is the largest resident set of the sweep or any of its workers (GNU time).
# Usage: bash benchmarks/bench_sweep.sh [--quick] [--engine batch|mesa]
#   --quick: only the 7,168-run sweeps; --engine: the sweeps' engine (default batch)
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0 engine=batch
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --engine) engine=${2:?--engine takes batch or mesa}; shift ;;
    *) echo "usage: bash benchmarks/bench_sweep.sh [--quick] [--engine batch|mesa]" >&2; exit 2 ;;
  esac
  shift
done
out=$(mktemp -d)
sed -e "s#base: ../baseline.yaml#base: $PWD/scenarios/baseline.yaml#" \
    -e 's/^replications: 2$/replications: 14/' -e 's/^name: baseline_sobol$/name: sobol_50k/' \
    scenarios/sweeps/baseline_sobol.yaml > "$out/sobol_50k.yaml"

measure() {  # label, number of runs, negsim sweep arguments...
  local label=$1 runs=$2
  shift 2
  /usr/bin/time -f "%e %M" -o "$out/time" negsim sweep "$@" --engine "$engine" \
    --out "$out/$label" --quiet >/dev/null
  read -r seconds kilobytes < "$out/time"
  python3 -c "print(f'$label ($engine): $runs runs in {$seconds:.0f} s = {$runs / $seconds:.1f}'
                    f' runs/s, peak memory {$kilobytes / 1024:.0f} MB')"
}

measure jobs-1 7168 scenarios/sweeps/baseline_sobol.yaml --jobs 1
measure jobs-2 7168 scenarios/sweeps/baseline_sobol.yaml --jobs 2
if [ "$quick" = 0 ]; then
  measure jobs-2-50k 50176 "$out/sobol_50k.yaml" --jobs 2
fi
rm -rf "$out"
