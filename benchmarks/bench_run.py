"""Time one baseline negotiation in-process, and runs per second over 200 seeds.

    python benchmarks/bench_run.py [SCENARIO] [--seeds 200] [--profile]

Prints the median wall time of one run (after a warm-up), the runs per second over the
seeds, the mean round count, and with --profile the top entries of a cProfile.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time
from pathlib import Path

import sim

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios/baseline.yaml"))
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()

    scenario = sim.load_scenario(args.scenario)
    for seed in range(5):  # warm-up: first calls import and cache
        sim.run(scenario, seed=seed)
    times, rounds = [], []
    start = time.perf_counter()
    for seed in range(1, args.seeds + 1):
        begin = time.perf_counter()
        result = sim.run(scenario, seed=seed)
        times.append(time.perf_counter() - begin)
        rounds.append(result.outcome.round)
    total = time.perf_counter() - start
    print(f"scenario        {scenario.name} (deadline {scenario.deadline} rounds)")
    print(f"median run      {statistics.median(times) * 1000:.1f} ms")
    print(f"runs per second {args.seeds / total:.1f} over {args.seeds} seeds")
    print(f"mean rounds     {statistics.mean(rounds):.1f}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for seed in range(1, 21):
            sim.run(scenario, seed=seed)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(12)


if __name__ == "__main__":
    main()
