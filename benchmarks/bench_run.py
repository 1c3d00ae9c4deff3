"""Time one baseline negotiation in-process, and runs per second over 200 seeds.

    python benchmarks/bench_run.py [SCENARIO] [--seeds 200] [--profile]
    python benchmarks/bench_run.py --against protocol.learning=off

Prints the median wall time of one run (after a warm-up), the runs per second over the
seeds, the mean round count, and with --profile the top entries of a cProfile. With
--against PATH=VALUE (repeatable) it also times that variant, seed by seed in turn with
the scenario as given, and prints both medians and their ratio: on a shared machine only
a ratio measured side by side means much.
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
    parser.add_argument("--against", action="append", default=[], metavar="PATH=VALUE")
    args = parser.parse_args()
    if args.against:
        compare(args.scenario, args.against, args.seeds)
        return

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


def compare(path: str, settings: list[str], seeds: int) -> None:
    """Median run time of the scenario and of its variant, timed in turn seed by seed."""
    plain, variant = sim.load_scenario(path), sim.load_scenario(path, settings)
    times: dict[str, list[float]] = {"as given": [], " ".join(settings): []}
    for seed in range(5):  # warm-up
        sim.run(plain, seed=seed)
        sim.run(variant, seed=seed)
    for seed in range(1, seeds + 1):
        for spent, scenario in zip(times.values(), (plain, variant), strict=True):
            begin = time.perf_counter()
            sim.run(scenario, seed=seed)
            spent.append(time.perf_counter() - begin)
    medians = {label: statistics.median(spent) * 1000 for label, spent in times.items()}
    for label, median in medians.items():
        print(f"median run      {median:.1f} ms  ({label})")
    first, second = medians.values()
    print(f"ratio           {first / second:.2f} (as given / variant) over {seeds} seeds")


if __name__ == "__main__":
    main()
