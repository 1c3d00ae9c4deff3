"""The scenario as typed, immutable data: points, links, parties, protocol.

Everything here is validated once by `sim.scenario.loader`; the model trusts it. Per-point data
of a party (salience, option values) is stored in the scenario's point order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("signatory", "mediator", "stakeholder")
PROTOCOLS = ("mediated", "alternating")
ENGINES = ("batch", "mesa")  # what makes many runs of a scenario (docs/engine.md)
INFLUENCE_KINDS = ("pressure", "support")
INFLUENCE_CHANNELS = ("reservation", "concession")


@dataclass(frozen=True)
class Option:
    id: str
    label: str
    position: float  # 0 = closest to Ukraine's stated position, 1 = closest to Russia's


@dataclass(frozen=True)
class Point:
    id: str
    title: str
    options: tuple[Option, ...]
    evidence: tuple[str, ...] = ()  # ids of records in the evidence base
    assumption: str = ""  # why the point is in the scenario when no evidence backs it

    def option_index(self, option_id: str) -> int:
        return next(i for i, option in enumerate(self.options) if option.id == option_id)


@dataclass(frozen=True)
class Link:
    """If `if_point` takes `if_option`, `then_point` must take one of `allowed`."""

    if_point: str
    if_option: str
    then_point: str
    allowed: tuple[str, ...]


# the tactic names a scenario may give: the built-ins, and any a program adds with
# `sim.negotiation.tactics.register_tactic` (the loader checks names without the model)
TACTIC_NAMES = {"time_dependent", "tit_for_tat"}


@dataclass(frozen=True)
class Tactic:
    """A concession tactic by registered name with its parameters."""

    name: str = "time_dependent"
    beta: float = 1.0  # time-dependent: < 1 Boulware, 1 linear, > 1 Conceder
    reciprocity: float = 1.0  # tit-for-tat: share of the others' concession returned


@dataclass(frozen=True)
class Influence:
    """Pressure or support that one party applies to another each round."""

    target: str
    kind: str  # pressure | support
    strength: float  # change of the target's reservation (or concession time) per round
    channel: str = "reservation"  # reservation | concession
    cost: float = 0.0  # lowers the applier's own reservation per round applied
    while_rejecting: bool = True  # apply only while the target keeps rejecting


@dataclass(frozen=True)
class DomesticEvent:
    round: int
    shift: float  # added to the ratification threshold from this round on
    why: str


@dataclass(frozen=True)
class Domestic:
    """Two-level game: the text must also pass a ratification vote on some points."""

    body: str  # who ratifies: "referendum", "parliament", ...
    points: tuple[str, ...]  # the points the ratifying body judges
    threshold: float  # the body's utility of those points must reach this
    events: tuple[DomesticEvent, ...] = ()

    def threshold_at(self, round: int) -> float:
        """The threshold in a round: the scenario's, shifted by the events up to then."""
        shift = sum(event.shift for event in self.events if event.round <= round)
        return self.threshold + shift


@dataclass(frozen=True)
class Escalation:
    """The party escalates if a text crossing its red line on these points stands k rounds."""

    points: tuple[str, ...]
    rounds: int = 3


@dataclass(frozen=True)
class Party:
    id: str
    name: str
    role: str
    salience: tuple[float, ...]  # normalised weights, sum 1, one per point
    values: tuple[tuple[float, ...], ...]  # value in [0, 1] of each option of each point
    red_lines: tuple[tuple[str, tuple[str, ...]], ...]  # (point, forbidden options)
    reservation: float
    reservation_trend: float = 0.0  # drift of the reservation value per round
    reservation_noise: float = 0.0  # standard deviation of the per-round shock
    tactic: Tactic = field(default_factory=Tactic)
    deadline: int | None = None  # the party's own T; None means the scenario deadline
    influence: tuple[Influence, ...] = ()
    domestic: Domestic | None = None
    escalation: Escalation | None = None
    evidence: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (parameter, evidence ids)

    @property
    def is_signatory(self) -> bool:
        return self.role == "signatory"


@dataclass(frozen=True)
class Protocol:
    name: str = "mediated"
    mediator: str | None = None
    bias: float = 0.0  # weight of the mediator's own utility against the Nash product
    belief_noise: float = 0.0  # sd of the mediator's error about parties' option values
    lambda_growth: float = 0.1  # Nash weight added per rejection of a signatory
    max_changes: int = 2  # points the mediator may change per round (0 = unlimited)
    start: tuple[tuple[str, str], ...] = ()  # the opening text, (point, option) pairs
    fixed: tuple[tuple[str, str], ...] = ()  # points locked in the text whatever happens
    walkout_rounds: int = 3  # rounds a party tolerates having no acceptable text
    learning: bool = True  # parties learn the others' values from their verdicts
    exploration: float = 5.0  # sds of benefit of the doubt a listening mediator starts with


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    points: tuple[Point, ...]
    parties: tuple[Party, ...]
    protocol: Protocol
    deadline: int
    seed: int
    links: tuple[Link, ...] = ()
    description: str = ""
    source: str = ""  # the file it was loaded from
    digest: str = ""  # sha256 of the merged scenario data: same digest, same scenario

    def __repr__(self) -> str:  # the generated one spells out every option of every party
        return (
            f"Scenario(name={self.name!r}, points={len(self.points)}, "
            f"parties={len(self.parties)}, protocol={self.protocol.name!r}, "
            f"deadline={self.deadline})"
        )

    def party(self, party_id: str) -> Party:
        return next(p for p in self.parties if p.id == party_id)

    def point_index(self, point_id: str) -> int:
        return next(i for i, point in enumerate(self.points) if point.id == point_id)

    @property
    def signatories(self) -> tuple[Party, ...]:
        return tuple(p for p in self.parties if p.is_signatory)
