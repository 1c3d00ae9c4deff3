"""What a run produced: the outcome record written to outcome.json."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the batch engine makes outcomes without loading Mesa
    from .model import NegotiationModel


@dataclass(frozen=True)
class Outcome:
    scenario: str
    seed: int
    protocol: str
    status: str  # agreement | no_deal | walkout | escalation
    round: int
    reason: str  # one plain sentence naming the party and the point
    ended_by: str
    package: dict[str, str]  # point -> option of the last standing text
    utilities: dict[str, float]  # each party's utility of that text
    reservations: dict[str, float]  # each party's reservation value at the end
    red_lines_crossed: dict[str, list[str]]  # party -> points of the text across its red lines

    @classmethod
    def of(cls, model: NegotiationModel) -> Outcome:
        parties = model.negotiators_by_row
        return cls(
            scenario=model.spec.name,
            seed=model.seed,
            protocol=model.spec.protocol.name,
            status=model.status,
            round=model.steps,
            reason=model.reason,
            ended_by=model.ended_by or "",
            package=model.package(),
            utilities={n.party: round(n.utility, 6) for n in parties},
            reservations={n.party: round(n.reservation, 6) for n in parties},
            red_lines_crossed={n.party: list(n.crossed) for n in parties if n.spec.red_lines},
        )

    def as_dict(self) -> dict:
        return asdict(self)
