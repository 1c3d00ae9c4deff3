"""The batch engine against the Mesa model, side by side in one process, on one core.

    python benchmarks/bench_engine.py [--mesa-runs 40] [--batch-runs 1000]
    python benchmarks/bench_engine.py --check 10000   # equality over many seeds
    python benchmarks/bench_engine.py --check 2000 --sweep scenarios/sweeps/baseline_million.yaml

For the baseline (mediated, and under alternating offers) and a random 4-party scenario
of 20 points x 4 options, prints runs per second for each engine and their ratio; the
two engines alternate in turn, so that the machine's load falls on both alike, after a
first turn of each left out (a process's first batch also grows its heap: about 100,000
page faults, a fifth of that batch's time, paid once by each sweep worker). With
--check N it instead runs N seeds of every library scenario through both engines and
counts the runs whose outcomes differ (the contract of docs/engine.md; 0 expected); with
--sweep FILE, N runs of the sweep's base scenario at parameter sets drawn uniformly from
its ranges, under both protocols, all in one batch each.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

import sim
from sim.negotiation.batch import batch_outcomes

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from random_scenarios import random_scenario  # noqa: E402


def cases() -> dict[str, sim.Scenario]:
    baseline = sim.load_scenario(ROOT / "scenarios" / "baseline.yaml")
    alternating = replace(baseline, protocol=replace(baseline.protocol, name="alternating"))
    rng = np.random.default_rng(4)
    wide = random_scenario(rng, n_points=(20, 20), n_options=(4, 4), n_signatories=(3, 3))
    wide = replace(wide, deadline=60, protocol=replace(wide.protocol, belief_noise=0.05))
    return {"baseline": baseline, "baseline alternating": alternating, "random 4 x 20 x 4": wide}


def runs_per_second(engine: str, scenario, seeds: list[int]) -> float:
    begin = time.perf_counter()
    if engine == "mesa":
        for seed in seeds:
            sim.run(scenario, seed=seed)
    else:
        batch_outcomes([scenario] * len(seeds), seeds)
    return len(seeds) / (time.perf_counter() - begin)


def compare(mesa_runs: int, batch_runs: int, rounds: int) -> None:
    print(f"{'scenario':22} {'mesa runs/s':>12} {'batch runs/s':>13} {'ratio':>7}")
    for name, scenario in cases().items():
        speeds = {"mesa": [], "batch": []}
        for turn in range(rounds + 1):  # in turn, so that load falls on both engines alike
            first = turn * max(mesa_runs, batch_runs)
            speeds["mesa"].append(
                runs_per_second("mesa", scenario, list(range(first, first + mesa_runs)))
            )
            speeds["batch"].append(
                runs_per_second("batch", scenario, list(range(first, first + batch_runs)))
            )
        mesa, batch = (float(np.median(v[1:])) for v in speeds.values())  # first left out
        print(f"{name:22} {mesa:12.1f} {batch:13.1f} {batch / mesa:7.1f}")


def check(count: int) -> None:
    files = sorted((ROOT / "scenarios").glob("*.yaml"))
    differ = total = 0
    for path in files:
        scenario = sim.load_scenario(path)
        seeds = list(range(count))
        got = batch_outcomes([scenario] * count, seeds)
        bad = sum(sim.run(scenario, seed=s).outcome != o for s, o in zip(seeds, got, strict=True))
        print(f"{path.stem:26} {bad} of {count} runs differ")
        differ, total = differ + bad, total + count
    print(f"all                        {differ} of {total} runs differ")


def check_sweep(path: str, count: int) -> None:
    """N runs at random parameter sets within a sweep's ranges, through both engines."""
    from sim.sweeps.spec import load_sweep

    sweep = load_sweep(Path(path))
    rng = np.random.default_rng(count)
    for protocol in ("mediated", "alternating"):
        runs = count if protocol == "mediated" else max(1, count // 4)
        scenarios = []
        for _ in range(runs):
            values = [f"{p.path}={rng.uniform(p.low, p.high)!r}" for p in sweep.parameters]
            values.append(f"protocol.name={protocol}")
            scenarios.append(sim.load_scenario(sweep.base, values))
        seeds = [int(s) for s in rng.integers(0, 2**32, runs)]
        got = batch_outcomes(scenarios, seeds)
        bad = [
            seed
            for scenario, seed, outcome in zip(scenarios, seeds, got, strict=True)
            if sim.run(scenario, seed=seed).outcome != outcome
        ]
        print(f"{sweep.name} {protocol}: {len(bad)} of {runs} runs differ {bad[:5]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mesa-runs", type=int, default=40)
    parser.add_argument("--batch-runs", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2, help="Turns of each engine counted.")
    parser.add_argument("--check", type=int, metavar="N", help="Check N seeds a scenario.")
    parser.add_argument("--sweep", metavar="FILE", help="With --check: a sweep's ranges.")
    args = parser.parse_args()
    if args.check and args.sweep:
        check_sweep(args.sweep, args.check)
    elif args.check:
        check(args.check)
    else:
        compare(args.mesa_runs, args.batch_runs, args.rounds)


if __name__ == "__main__":
    main()
