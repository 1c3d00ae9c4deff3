"""What the classroom page shows, as plain functions of a scenario, a run or an outcome mix:
the teachable parameters (its sliders) in units a reader knows, the standing text with who
objects to each point, the rounds in sentences, and the compare view's two mixes side by side.

Kept apart from `sim.classroom.page` so that it needs no web framework and can be tested directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ..negotiation.model import NegotiationModel
from ..reporting.mix import STATUSES, Mix
from ..reporting.narrative import STATUS_WORDS, narrative, option_label
from ..scenario.data import Scenario
from ..scenario.loader import load_scenario

PER_ROUNDS = 100  # a pressure or support of 0.001 a round is shown as 0.10 per 100 rounds


@dataclass(frozen=True)
class Setting:
    """One control of the page: a scenario value (dotted path) a student may change, shown
    as `value * per` (a pressure per round is shown per 100 rounds, as its label says)."""

    path: str
    label: str
    value: float | int | str
    low: float | int = 0
    high: float | int = 1
    step: float | int = 0.01
    per: int = 1

    @property
    def kind(self) -> str:
        if isinstance(self.value, str):
            return "Select"
        return "SliderInt" if isinstance(self.value, int) else "SliderFloat"

    def shown(self, value) -> str:
        """The value as the page writes it: in the display unit, to the slider step's digits."""
        if isinstance(value, str):
            return value
        digits = max(0, -math.floor(math.log10(self.step * self.per) + 1e-9))
        return f"{value * self.per:.{digits}f}"


def teachable_settings(scenario: Scenario) -> list[Setting]:
    """The values a lesson varies, at the scenario's own values: each signatory's reservation
    value and concession beta, every pressure and support link, the mediator's bias, the
    deadline and the protocol. Labels name the parties as the scenario does."""
    names = {party.id: party.name for party in scenario.parties}
    settings = []
    for party in scenario.signatories:
        settings.append(
            Setting(
                f"parties.{party.id}.reservation",
                f"{party.name} reservation value",
                round(party.reservation, 3),
            )
        )
        if party.tactic.name == "time_dependent":
            settings.append(
                Setting(
                    f"parties.{party.id}.tactic.beta",
                    f"{party.name} concession beta (below 1: holds out)",
                    round(party.tactic.beta, 2),
                    0.1,
                    5.0,
                    0.1,
                )
            )
    for party in scenario.parties:
        for link in party.influence:
            step = link.strength / 10 if link.strength > 0 else 0.0002  # the file's value
            settings.append(  # lies on the slider's grid
                Setting(
                    f"parties.{party.id}.influence.{link.target}.strength",
                    f"{party.name} {link.kind} on {names[link.target]} (per {PER_ROUNDS} rounds)",
                    link.strength,
                    0.0,
                    30 * step,
                    step,
                    PER_ROUNDS,
                )
            )
    if scenario.protocol.mediator:
        settings.append(
            Setting(
                "protocol.bias",
                f"{names[scenario.protocol.mediator]} bias as mediator",
                scenario.protocol.bias,
                0.0,
                1.0,
                0.05,
            )
        )
    settings.append(Setting("deadline", "Deadline (rounds)", scenario.deadline, 5, 120, 1))
    settings.append(Setting("protocol.name", "Protocol", scenario.protocol.name))
    return settings


def as_overrides(values: dict) -> list[str]:
    """`{path: value}` as the `path=value` settings `load_scenario` takes; a slider's float
    (0.1 + 5 * 0.1 = 0.6000000000000001) is rounded to the value it shows."""
    return [
        f"{path}={round(value, 10) if isinstance(value, float) else value}"
        for path, value in values.items()
    ]


def changed_settings(scenario: Scenario, values: dict) -> list[str]:
    """The settings that differ from the scenario's own values, as the page writes them:
    'Deadline (rounds): 50 (file 60)'."""
    return [
        f"{s.label}: {s.shown(values[s.path])} (file {s.shown(s.value)})"
        for s in teachable_settings(scenario)
        if s.path in values and not _same(s.value, values[s.path])
    ]


def _same(a, b) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


class ClassroomModel(NegotiationModel):
    """A negotiation built from a scenario file and the page's settings
    (`{dotted.path: value}`), remembering the scenario as its file has it."""

    def __init__(self, scenario_file: str, seed: int = 1, settings: dict | None = None):
        self.scenario_file = scenario_file
        self.as_written = load_scenario(scenario_file)
        settings = settings or {}
        self.changed_from_file = changed_settings(self.as_written, settings)
        scenario = load_scenario(scenario_file, as_overrides(settings)) if settings else None
        super().__init__(scenario or self.as_written, seed)


@dataclass(frozen=True)
class PointRow:
    """One point of the standing text as the page's table shows it."""

    title: str
    option: str
    changed: bool  # the latest revision changed it
    objectors: tuple[str, ...]  # signatories that named it among their objections
    crossed: tuple[str, ...]  # parties whose red line the option crosses


def standing_text(model: NegotiationModel) -> list[PointRow]:
    """The text on the table, point by point, with who objects to it and why."""
    names = {n.party: n.spec.name for n in model.negotiators_by_row}
    rows = []
    for index, point in enumerate(model.spec.points):
        rows.append(
            PointRow(
                title=point.title,
                option=point.options[model.text[index]].label,
                changed=point.id in model.changed,
                objectors=tuple(
                    names[n.party] for n in model.signatories if point.id in n.objections
                ),
                crossed=tuple(
                    names[n.party] for n in model.negotiators_by_row if point.id in n.crossed
                ),
            )
        )
    return rows


def rounds_newest_first(result) -> list[str]:
    """The run so far in sentences (`narrative`), the newest round first, the first text
    summarised as 'tabled the first text (20 points)' rather than listed point by point."""
    lines = narrative(result)[:-1]  # the closing line: the page's status line says it
    if lines:
        scenario = result.model.spec
        first = result.rounds[result.rounds["round"] == 1].iloc[0]
        terms = "; ".join(
            f"{p.title}: {option_label(scenario, p.id, first[p.id])}" for p in scenario.points
        )
        lines[0] = lines[0].replace(f"({terms})", f"({len(scenario.points)} points)", 1)
    return lines[::-1]


def mix_rows(scenario: Scenario, as_written: Mix, yours: Mix) -> list[tuple[str, str, str]]:
    """The compare table: how often each ending comes in either mix, when, and what the
    agreements are worth to each signatory."""

    def share(mix: Mix, status: str) -> str:
        runs = mix.counts.get(status, 0)
        return f"{runs} of {mix.runs} ({runs / mix.runs:.0%})"

    def agreed(mix: Mix) -> str:
        return "none" if mix.agreement_round is None else f"{mix.agreement_round:.1f}"

    def worth(mix: Mix, party: str) -> str:
        return f"{mix.agreement_utility[party]:.2f}" if mix.agreement_utility else "none"

    rows = [(STATUS_WORDS[s], share(as_written, s), share(yours, s)) for s in STATUSES]
    rows.append(("mean round", f"{as_written.mean_round:.1f}", f"{yours.mean_round:.1f}"))
    rows.append(("mean round of the agreements", agreed(as_written), agreed(yours)))
    for party in scenario.signatories:
        what = f"{party.name}'s utility of the agreements"
        rows.append((what, worth(as_written, party.id), worth(yours, party.id)))
    return rows


@dataclass(frozen=True)
class SettledRow:
    """One point of the compare view: the option the agreements settle on in either mix."""

    title: str
    as_written: str  # the option's label ('no agreement' when the mix has none)
    yours: str
    as_written_runs: str  # '52 of 69': the agreements that chose it
    yours_runs: str

    @property
    def differs(self) -> bool:
        return self.as_written != self.yours


def settled_rows(scenario: Scenario, as_written: Mix, yours: Mix) -> list[SettledRow]:
    """Point by point, the agreements' commonest option in either mix, with how many of
    them chose it ('no agreement' when a mix has none)."""

    def settled(mix: Mix, point) -> tuple[str, str]:
        if point.id not in mix.settled:
            return "no agreement", ""
        option, runs = mix.settled[point.id]
        label = point.options[point.option_index(option)].label
        return label, f"{runs} of {mix.counts['agreement']}"

    rows = []
    for point in scenario.points:
        written, changed = settled(as_written, point), settled(yours, point)
        rows.append(SettledRow(point.title, written[0], changed[0], written[1], changed[1]))
    return rows


def library(folder: Path) -> list[Path]:
    """The scenario files of a folder (not its sub-folders, which hold sweeps)."""
    return sorted(folder.glob("*.yaml"))
