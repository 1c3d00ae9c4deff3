"""The outcome mix of one scenario over many seeds: how often each ending comes (with a
95% interval), when, what the signatories get, and what the agreements settle on each
point. It is the figure the library's claims are about (`negsim mix`, the page's compare)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from ..negotiation.outcome import Outcome
from ..negotiation.runner import outcomes
from ..scenario.data import Scenario
from ..scenario.loader import load_scenario

STATUSES = ("agreement", "no_deal", "walkout", "escalation")
Z_95 = 1.959964  # the normal quantile of a two-sided 95% interval


def wilson_interval(hits: int, runs: int) -> tuple[float, float]:
    """The Wilson score interval of a share: sound at 0 and at every run, unlike the
    normal approximation."""
    share, spread = hits / runs, Z_95**2 / runs
    centre = (share + spread / 2) / (1 + spread)
    half = Z_95 * math.sqrt(share * (1 - share) / runs + spread / (4 * runs)) / (1 + spread)
    low = 0.0 if hits == 0 else max(0.0, centre - half)  # exact at the ends, where rounding
    return low, 1.0 if hits == runs else min(1.0, centre + half)  # would leave 1 - 1e-16


@dataclass(frozen=True)
class Mix:
    """How one scenario's runs ended over a set of seeds."""

    scenario: str
    seeds: tuple[int, ...]
    counts: dict[str, int]  # status -> runs
    mean_round: float  # over every run
    mean_utility: dict[str, float]  # signatory -> mean utility of the final text, every run
    agreement_round: float | None  # mean round of the agreements (None without one)
    agreement_utility: dict[str, float]  # signatory -> mean utility of the agreements
    settled: dict[str, tuple[str, int]]  # point -> the agreements' commonest option, count

    @property
    def runs(self) -> int:
        return sum(self.counts.values())

    def interval(self, status: str) -> tuple[float, float]:
        return wilson_interval(self.counts.get(status, 0), self.runs)

    def as_dict(self) -> dict:
        """Plain data for `negsim mix --json`."""
        return {
            "scenario": self.scenario,
            "seeds": [self.seeds[0], self.seeds[-1]] if self.seeds else [],
            "runs": self.runs,
            "status": {
                s: {"runs": self.counts.get(s, 0), "share_95": list(self.interval(s))}
                for s in STATUSES
            },
            "mean_round": self.mean_round,
            "agreement_round": self.agreement_round,
            "mean_utility": self.mean_utility,
            "agreement_utility": self.agreement_utility,
            "settled": {point: {"option": o, "runs": n} for point, (o, n) in self.settled.items()},
        }


def mix_of(scenario: Scenario, outcomes: list[Outcome]) -> Mix:
    """The mix of the outcomes of one scenario's runs."""
    signatories = [p.id for p in scenario.signatories]
    deals = [o for o in outcomes if o.status == "agreement"]

    def mean(values) -> float:
        return sum(values) / len(values)

    settled = {}
    for point in scenario.points:
        chosen = Counter(o.package[point.id] for o in deals).most_common(1)
        if chosen:
            settled[point.id] = chosen[0]
    return Mix(
        scenario=scenario.name,
        seeds=tuple(o.seed for o in outcomes),
        counts=dict(Counter(o.status for o in outcomes)),
        mean_round=mean([o.round for o in outcomes]),
        mean_utility={p: mean([o.utilities[p] for o in outcomes]) for p in signatories},
        agreement_round=mean([o.round for o in deals]) if deals else None,
        agreement_utility={p: mean([o.utilities[p] for o in deals]) for p in signatories}
        if deals
        else {},
        settled=settled,
    )


def mix(scenario: Scenario | str, seeds=range(1, 101), jobs: int = 1, engine: str = "batch") -> Mix:
    """Run the scenario (or the scenario file) once per seed and return its outcome mix,
    on `jobs` worker processes, by the batch engine or the Mesa model (`engine`; the same
    mix either way) (`sim.mix`, `negsim mix`)."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    return mix_of(scenario, outcomes(scenario, seeds, jobs, engine))


def mix_text(mix: Mix, scenario: Scenario) -> str:
    """The mix for the terminal: a line per ending, then what the agreements give and settle."""
    seeds = f"seeds {mix.seeds[0]}-{mix.seeds[-1]}" if mix.seeds else "no seeds"
    lines = [f"{scenario.title or scenario.name}: {mix.runs} runs ({seeds})", ""]
    for status in STATUSES:
        low, high = mix.interval(status)
        runs = mix.counts.get(status, 0)
        share = runs / mix.runs
        lines.append(
            f"  {status.replace('_', ' '):<11}{runs:>7}  {share:6.1%}  (95%: {low:.1%}-{high:.1%})"
        )
    lines.append(f"\n  mean round {mix.mean_round:.1f}")
    if mix.agreement_round is not None:
        names = {p.id: p.name for p in scenario.parties}
        gets = ", ".join(f"{names[p]} {u:.3f}" for p, u in mix.agreement_utility.items())
        lines.append(f"  agreements: mean round {mix.agreement_round:.1f}; utilities {gets}")
        lines.append("  settled by the agreements (the commonest option on each point):")
        deals = mix.counts["agreement"]
        for point in scenario.points:
            option, runs = mix.settled[point.id]
            label = point.options[point.option_index(option)].label
            lines.append(f"    {point.title:<38} {label}  ({runs} of {deals})")
    return "\n".join(lines)
