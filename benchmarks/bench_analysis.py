"""Time the scenario analysis: the baseline, and a random scenario of any size.

    python benchmarks/bench_analysis.py [SCENARIO] [--repeats 5] [--points 30]
        [--options 5] [--links 3] [--span S] [--seed 7]

Prints the median wall time of `analyze` on the scenario file and its frontier size,
then, for the random scenario (two signatories and a mediator; links between random
points, or between points at most S apart along the list), the median wall time of the
ZOPA test, of the frontier and of the Nash and KS scans, and whether the frontier is
exact. The loader's worst cases:

    python benchmarks/bench_analysis.py --points 100 --options 50 --links 500 --repeats 1
    python benchmarks/bench_analysis.py --points 100 --options 50 --links 100 --span 1
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np

import sim
from sim.analysis import Problem, analyze, kalai_smorodinsky, nash_solution, pareto_frontier, zopa
from sim.scenario.data import Link, Option, Party, Point, Protocol, Scenario

ROOT = Path(__file__).resolve().parent.parent


def large_scenario(
    n_points: int, n_options: int, seed: int, n_links: int = 3, span: int | None = None
) -> Scenario:
    """Random values and saliences, two red lines per signatory, `n_links` links (between
    points at most `span` apart, if given), all kept by one hidden text."""
    rng = np.random.default_rng(seed)
    points = tuple(
        Point(
            f"p{i}",
            f"point {i}",
            tuple(Option(f"o{k}", f"option {k}", k / (n_options - 1)) for k in range(n_options)),
        )
        for i in range(n_points)
    )
    parties = []
    for pid, role in [("a", "signatory"), ("b", "signatory"), ("m", "mediator")]:
        weights = rng.random(n_points) + 0.05
        lines = ()
        if role == "signatory":
            at = rng.choice(n_points, size=2, replace=False)
            lines = tuple((points[i].id, (f"o{int(rng.integers(n_options))}",)) for i in at)
        parties.append(
            Party(
                id=pid,
                name=f"Party {pid}",
                role=role,
                salience=tuple(float(w) for w in weights / weights.sum()),
                values=tuple(tuple(float(v) for v in rng.random(n_options)) for _ in points),
                red_lines=lines,
                reservation=float(rng.uniform(0.4, 0.6)) if role == "signatory" else 0.0,
            )
        )
    links = []
    hidden = rng.integers(n_options, size=n_points)  # a valid text, so that one exists
    for _ in range(n_links):
        if span:
            a = int(rng.integers(n_points))
            b = int((a + rng.integers(1, span + 1)) % n_points)
        else:
            a, b = (int(i) for i in rng.choice(n_points, size=2, replace=False))
        allowed = set(rng.choice(n_options, size=2, replace=False).tolist()) | {int(hidden[b])}
        links.append(
            Link(
                f"p{a}",
                f"o{int(rng.integers(n_options))}",
                f"p{b}",
                tuple(f"o{k}" for k in sorted(allowed)),
            )
        )
    return Scenario(
        name=f"random_{n_points}x{n_options}",
        title="",
        points=points,
        parties=tuple(parties),
        protocol=Protocol(mediator="m"),
        deadline=20,
        seed=seed,
        links=tuple(links),
    )


def median_time(function, repeats: int):
    """(median wall time in seconds, the last result)."""
    times = []
    for _ in range(repeats):
        begin = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - begin)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default=str(ROOT / "scenarios/baseline.yaml"))
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--points", type=int, default=30)
    parser.add_argument("--options", type=int, default=5)
    parser.add_argument("--links", type=int, default=3)
    parser.add_argument("--span", type=int, default=None)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    scenario = sim.load_scenario(args.scenario)
    problem = Problem.from_scenario(scenario)
    analyze(problem)  # warm-up: first calls import scipy and HiGHS
    seconds, result = median_time(lambda: analyze(problem), args.repeats)
    print(f"{scenario.name}: {problem.space.size:.3g} packages")
    print(f"  analyze          {seconds * 1000:8.1f} ms  (median of {args.repeats})")
    print(f"  frontier size    {len(result['pareto']['points']):8d}")

    large = large_scenario(args.points, args.options, args.seed, args.links, args.span)
    problem = Problem.from_scenario(large)
    columns = problem.signatories
    print(f"{large.name}: {problem.space.size:.3g} packages, {len(large.links)} links")
    seconds, found = median_time(lambda: zopa(problem), args.repeats)
    print(f"  zopa             {seconds * 1000:8.1f} ms  (exists: {found.exists})")
    seconds, frontier = median_time(lambda: pareto_frontier(problem, columns), args.repeats)
    print(f"  frontier         {seconds * 1000:8.1f} ms  (exact: {frontier.exact})")
    seconds, _ = median_time(
        lambda: (nash_solution(problem, frontier), kalai_smorodinsky(problem, frontier)),
        args.repeats,
    )
    print(f"  nash + ks        {seconds * 1000:8.1f} ms")
    print(f"  frontier size    {len(frontier.utilities):8d}")
    if not frontier.exact:
        print(f"  why: {frontier.why}")
    seconds, _ = median_time(lambda: analyze(problem), args.repeats)
    print(f"  analyze          {seconds * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
