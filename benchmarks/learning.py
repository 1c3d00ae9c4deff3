"""Does the mediator learn from rejections? Agreement rates on the thin-ZOPA scenarios.

    python benchmarks/learning.py [--seeds 50] [FILE ...]

For each scenario (default: tests/scenarios/thin_zopa.yaml and thin_zopa_tight.yaml,
each with exactly one text acceptable to both signatories, issue 11) and belief noise
0.05 and 0.1, runs seeds 1..N and counts the runs that end in agreement on that text:
with the model's defaults, with `protocol.learning` true and false, and under
alternating offers (with the default learning) for reference. The acceptable text is
found by brute force over all packages. While the model has no `protocol.learning` key
the learning columns read n/a.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

import numpy as np

import sim
from sim.analysis import Problem
from sim.negotiation.tolerance import at_least

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT / "tests/scenarios/thin_zopa.yaml", ROOT / "tests/scenarios/thin_zopa_tight.yaml"]
NOISES = (0.05, 0.1)
NOT_AVAILABLE = "n/a"


def acceptable_texts(scenario) -> list[tuple[int, ...]]:
    """Every valid package giving each signatory at least its reservation value."""
    problem = Problem.from_scenario(scenario)
    columns = problem.signatories
    reservations = problem.reservations[columns]
    found = []
    for package in itertools.product(*(range(len(p.options)) for p in scenario.points)):
        text = np.array(package)
        if (
            not problem.space.is_valid(text)
            or problem.red[range(len(text)), text][:, columns].any()
        ):
            continue
        if at_least(problem.utilities(text, columns), reservations).all():
            found.append(package)
    return found


def load(path: Path, overrides: dict):
    """The scenario with these overrides, or None if the model has no `protocol.learning`
    key yet (and the overrides set it)."""
    try:
        return sim.load_scenario(path, overrides)
    except sim.ScenarioError as err:
        if "protocol.learning" in overrides and "learning" in str(err):
            return None
        raise


def agreement_rate(scenario, target: tuple[int, ...], seeds: int) -> str:
    """'k/N (p%)': the runs of seeds 1..N that end in agreement on the target text."""
    hits = 0
    for seed in range(1, seeds + 1):
        result = sim.run(scenario, seed=seed)
        text = tuple(int(k) for k in result.model.text)
        hits += result.outcome.status == "agreement" and text == target
    return f"{hits}/{seeds} ({100 * hits / seeds:.0f}%)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=FILES)
    parser.add_argument("--seeds", type=int, default=50, help="runs seeds 1..N (default 50)")
    args = parser.parse_args()
    if args.seeds < 1:
        parser.error("--seeds must be at least 1")

    variants = {
        "default": {},
        "learning on": {"protocol.learning": True},
        "learning off": {"protocol.learning": False},
        "alternating": {"protocol.name": "alternating"},
    }
    header = ["file", "noise", *variants]
    rows = []
    start = time.perf_counter()
    for path in args.files:
        found = acceptable_texts(sim.load_scenario(path))
        if len(found) != 1:
            sys.exit(f"{path}: {len(found)} acceptable texts, expected exactly one")
        target = found[0]
        for noise in NOISES:
            row = [path.name, f"{noise:g}"]
            for overrides in variants.values():
                scenario = load(path, {"protocol.belief_noise": noise, **overrides})
                row.append(
                    NOT_AVAILABLE
                    if scenario is None
                    else agreement_rate(scenario, target, args.seeds)
                )
            rows.append(row)
    elapsed = time.perf_counter() - start

    print(f"agreement on the one acceptable text, seeds 1-{args.seeds}")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        cells = (str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())
    if any(NOT_AVAILABLE in row for row in rows):
        print(f"{NOT_AVAILABLE}: this model has no protocol.learning key yet")
    print(f"({elapsed:.1f} s)")


if __name__ == "__main__":
    main()
