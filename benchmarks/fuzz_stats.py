"""The fuzz campaign of tests/test_fuzz.py with more mutants: counts, time and the root
causes of what breaks, each with the smallest mutant that shows it.

    python benchmarks/fuzz_stats.py --scenarios 20000 --sweeps 2000 --jobs 2
    python benchmarks/fuzz_stats.py --repro /tmp/fuzz_repro   # also write one reproducer
                                                              # folder per root cause
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fuzz import scenario_mutant, sweep_mutant, write_library
from test_fuzz import counts, grouped, report, run_campaign

CHECKS = {"exception", "message", "slow", "limits", "run", "outside"}


def write_reproducers(trials, folder: Path) -> list[Path]:
    """One folder per root cause: the library copy, the smallest mutant and how to run it."""
    made = []
    for number, ((check, cause), items) in enumerate(grouped(trials, CHECKS).items(), 1):
        trial = min((t for t, _ in items), key=lambda t: t.size)
        slug = re.sub(r"[^A-Za-z0-9]+", "-", f"{check} {cause}").strip("-")[:80]
        target = folder / f"{number:02d}-{slug}"
        make = scenario_mutant if trial.kind == "scenario" else sweep_mutant
        mutant = make(trial.seed)
        write_library(target / "lib")
        entry = mutant.write(target / "lib")
        load = "sim.load_scenario" if trial.kind == "scenario" else "sim.sweeps.spec.load_sweep"
        args = f"{str(entry)!r}" + (
            f", {mutant.overrides(target / 'lib')!r}" if mutant.settings else ""
        )
        (target / "README.txt").write_text(
            f"{check}: {cause}\n{len(items)} mutants; this one: {trial.description}\n\n"
            f'python -c "import sim, sim.sweeps.spec; {load}({args})"\n',
            encoding="utf-8",
            errors="backslashreplace",
        )
        made.append(target)
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", type=int, default=10_000)
    parser.add_argument("--sweeps", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=0, help="first mutant seed")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repro", type=Path, help="write one reproducer folder per cause")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="negsim-fuzz-"))
    found = run_campaign(base, args.scenarios, args.sweeps, args.seed, args.jobs)
    everything = found.scenarios + found.sweeps
    stats = {"scenario": counts(found.scenarios), "sweep": counts(found.sweeps)}
    stats |= {"seconds": round(found.seconds, 1), "jobs": args.jobs, "stray files": found.stray}
    print(json.dumps(stats, indent=2))
    print(report(everything, CHECKS) or "no problems found")
    if args.repro:
        for folder in write_reproducers(everything, args.repro):
            print(f"reproducer: {folder}")
    print(f"(mutants under {base})")


if __name__ == "__main__":
    main()
