"""What the classroom page shows, as plain functions of a scenario or a model: the
teachable parameters (its sliders), the standing text with who objects to each point, and
the outcome mix of a parameter set over many seeds (its compare view).

Kept apart from `sim.classroom.page` so that it needs no web framework and can be tested directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ..negotiation.model import NegotiationModel
from ..scenario.data import Scenario
from ..scenario.loader import load_scenario


@dataclass(frozen=True)
class Setting:
    """One control of the page: a scenario value (dotted path) a student may change."""

    path: str
    label: str
    value: float | int | str
    low: float | int = 0
    high: float | int = 1
    step: float | int = 0.01

    @property
    def kind(self) -> str:
        if isinstance(self.value, str):
            return "Select"
        return "SliderInt" if isinstance(self.value, int) else "SliderFloat"


def teachable_settings(scenario: Scenario) -> list[Setting]:
    """The values a lesson varies, at the scenario's own values: each signatory's reservation
    value and concession beta, every pressure and support link, the mediator's bias, the
    deadline and the protocol."""
    settings = []
    for party in scenario.signatories:
        settings.append(
            Setting(
                f"parties.{party.id}.reservation",
                f"{party.id} reservation",
                round(party.reservation, 3),
            )
        )
        if party.tactic.name == "time_dependent":
            settings.append(
                Setting(
                    f"parties.{party.id}.tactic.beta",
                    f"{party.id} beta",
                    round(party.tactic.beta, 2),
                    0.1,
                    5.0,
                    0.1,
                )
            )
    for party in scenario.parties:
        for link in party.influence:
            step = link.strength / 20 if link.strength > 0 else 0.0002  # the file's value
            settings.append(  # lies on the slider's grid
                Setting(
                    f"parties.{party.id}.influence.{link.target}.strength",
                    f"{party.id} {link.kind} on {link.target}",
                    link.strength,
                    0.0,
                    60 * step,
                    step,
                )
            )
    if scenario.protocol.mediator:
        settings.append(
            Setting(
                "protocol.bias",
                f"{scenario.protocol.mediator} bias (mediator)",
                scenario.protocol.bias,
                0.0,
                1.0,
                0.05,
            )
        )
    settings.append(Setting("deadline", "Deadline", scenario.deadline, 5, 120, 1))
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
    """The settings that differ from the scenario's own values, as `path = value`."""
    own = {setting.path: setting.value for setting in teachable_settings(scenario)}
    return [
        f"{path} = {value}" for path, value in values.items() if not _same(own.get(path), value)
    ]


def _same(a, b) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


class ClassroomModel(NegotiationModel):
    """A negotiation built from a scenario file and the page's settings: Mesa's page
    rebuilds its model from keyword arguments when Reset is pressed. The settings come as
    `{dotted.path: value}` keywords (Mesa wants the catch-all to be called `kwargs`);
    Mesa 3.5 also passes its own experiment `scenario` object, which the seed replaces."""

    def __init__(
        self,
        scenario_file: str = "scenarios/baseline.yaml",
        seed: int = 1,
        scenario=None,
        **kwargs,
    ):
        self.scenario_file = scenario_file
        self.as_written = load_scenario(scenario_file)
        self.changed_from_file = changed_settings(self.as_written, kwargs)
        scenario = load_scenario(scenario_file, as_overrides(kwargs)) if kwargs else self.as_written
        super().__init__(scenario, seed)


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


def library(folder: Path) -> list[Path]:
    """The scenario files of a folder (not its sub-folders, which hold sweeps)."""
    return sorted(folder.glob("*.yaml"))
