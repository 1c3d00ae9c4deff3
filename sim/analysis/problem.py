"""A scenario as a static bargaining problem: the arrays every analysis works on."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..negotiation.outcome_space import OutcomeSpace, party_tables, weighted
from ..scenario.data import Scenario


@dataclass(frozen=True, eq=False)
class Problem:
    """Utilities, red lines and links of a scenario, independent of any run.

    `utility` is (points, options, parties) of salience-weighted values (true, not
    believed); `red` marks options across each party's red lines; `reservations` are the
    scenario's starting reservation values.
    """

    scenario: Scenario
    space: OutcomeSpace
    utility: np.ndarray
    values: np.ndarray  # (points, options, parties) unweighted option values
    red: np.ndarray
    reservations: np.ndarray
    fixed: dict[int, int] = field(default_factory=dict)  # point -> option locked in the text

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> Problem:
        space = OutcomeSpace.from_scenario(scenario)
        width = space.exists.shape[1]
        values, salience, red = party_tables(scenario, width)
        fixed = {
            scenario.point_index(point): scenario.points[scenario.point_index(point)].option_index(
                option
            )
            for point, option in scenario.protocol.fixed
        }
        return cls(
            scenario=scenario,
            space=space,
            utility=weighted(values, salience),
            values=values,
            red=red,
            reservations=np.array([p.reservation for p in scenario.parties]),
            fixed=fixed,
        )

    def column(self, party_id: str) -> int:
        return [p.id for p in self.scenario.parties].index(party_id)

    @property
    def signatories(self) -> list[int]:
        return [i for i, p in enumerate(self.scenario.parties) if p.is_signatory]

    def allowed(self, columns: list[int]) -> np.ndarray:
        """(points, options) options that exist, cross none of these parties' red lines
        and respect the fixed points."""
        ok = self.space.exists & ~self.red[..., columns].any(axis=-1)
        for point, option in self.fixed.items():
            keep = np.zeros_like(ok[point])
            keep[option] = ok[point, option]
            ok[point] = keep
        return ok

    def utilities(self, package: np.ndarray, columns: list[int]) -> np.ndarray:
        return self.utility[np.arange(len(package)), package][:, columns].sum(axis=0)

    def package_dict(self, package) -> dict[str, str]:
        return {
            point.id: point.options[int(k)].id
            for point, k in zip(self.scenario.points, package, strict=True)
        }
