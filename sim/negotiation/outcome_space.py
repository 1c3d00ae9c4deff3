"""The outcome space as numpy arrays: packages are small integer arrays, one option per point.

Utilities are additive, U(p) = sum_i w_i u_i(p_i), so a party is a (points x options) matrix
of salience-weighted values and a package's utility is a sum of one entry per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..scenario import links
from ..scenario.data import Party, Scenario
from ..scenario.limits import REPAIR_STEPS

RED_LINE_VALUE = -1.0  # a crossed red line costs more than any text can give
MOVES_CACHE_BYTES = 64_000_000  # move masks remembered per space (pairs of points x options^2)


@dataclass(frozen=True, eq=False)
class OutcomeSpace:
    """Option counts, padding mask and links of a scenario, in array form."""

    n_options: np.ndarray  # (points,) options per point
    exists: np.ndarray  # (points, max options) True where the option exists
    link_if: np.ndarray  # (links,) point index of each link's condition
    link_if_option: np.ndarray  # (links,) option index of the condition
    link_then: np.ndarray  # (links,) point index that is constrained
    link_allowed: np.ndarray  # (links, max options) True for allowed options

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> OutcomeSpace:
        n_options = np.array([len(p.options) for p in scenario.points])
        width = int(n_options.max())
        exists = np.arange(width)[None, :] < n_options[:, None]
        link_allowed = np.zeros((len(scenario.links), width), dtype=bool)
        for row, link in enumerate(scenario.links):
            then_point = scenario.points[scenario.point_index(link.then_point)]
            link_allowed[row, [then_point.option_index(o) for o in link.allowed]] = True
        return cls(
            n_options=n_options,
            exists=exists,
            link_if=np.array([scenario.point_index(k.if_point) for k in scenario.links], int),
            link_if_option=np.array(
                [
                    scenario.points[scenario.point_index(k.if_point)].option_index(k.if_option)
                    for k in scenario.links
                ],
                int,
            ),
            link_then=np.array([scenario.point_index(k.then_point) for k in scenario.links], int),
            link_allowed=link_allowed,
        )

    @property
    def n_points(self) -> int:
        return len(self.n_options)

    @property
    def size(self) -> int:
        """Number of packages, links ignored (a Python int: it can exceed 2**63)."""
        return int(np.prod([int(n) for n in self.n_options], dtype=object))

    @cached_property
    def linked_pairs(self) -> list[tuple[int, int]]:
        """(condition point, constrained point) of every link between two points."""
        return sorted(
            {(int(a), int(b)) for a, b in zip(self.link_if, self.link_then, strict=True) if a != b}
        )

    def broken_links(self, package: np.ndarray) -> np.ndarray:
        """Indices of the links that the package breaks."""
        triggered = package[self.link_if] == self.link_if_option
        satisfied = self.link_allowed[np.arange(len(self.link_then)), package[self.link_then]]
        return np.flatnonzero(triggered & ~satisfied)

    def is_valid(self, package: np.ndarray) -> bool:
        return len(self.broken_links(package)) == 0

    def moves(self, package: np.ndarray, locked: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which one-point changes (points, options) and which changes of each linked pair
        (pairs, options of a, options of b) keep the valid text valid and leave locked
        points alone; remembered per text (up to MOVES_CACHE_BYTES), as a standing text
        often survives many rounds."""
        key = package.tobytes() + locked.tobytes()
        cache = self.__dict__.setdefault("_moves", {})
        if key not in cache:
            size = len(self.linked_pairs) * self.exists.shape[1] ** 2 + self.exists.size
            if len(cache) >= 4096 or (len(cache) + 1) * size > MOVES_CACHE_BYTES:
                cache.clear()
            violations = self.violations(package)
            singles = self.single_moves(package, violations) & ~locked[:, None]
            pairs = self.pair_moves(package, violations)
            first, second = self.pair_points
            pairs[locked[first] | locked[second]] = False
            cache[key] = (singles, pairs)
        return cache[key]

    def violations(self, package: np.ndarray) -> np.ndarray:
        """(points, options): how many links between two points would break if this point
        alone took this option (the package being valid)."""
        count = np.zeros(self.exists.shape, dtype=np.int32)
        two = self.link_if != self.link_then
        unmet = two & ~self.link_allowed[np.arange(len(self.link_then)), package[self.link_then]]
        np.add.at(count, (self.link_if[unmet], self.link_if_option[unmet]), 1)
        holds = two & (package[self.link_if] == self.link_if_option)
        np.add.at(count, self.link_then[holds], ~self.link_allowed[holds])
        return count

    @cached_property
    def own_ok(self) -> np.ndarray:
        """(points, options): existing options that no link on their own point forbids."""
        ok = self.exists.copy()
        for a, x, b, allowed in zip(
            self.link_if, self.link_if_option, self.link_then, self.link_allowed, strict=True
        ):
            if a == b and not allowed[x]:
                ok[a, x] = False
        return ok

    def single_moves(self, package: np.ndarray, violations: np.ndarray | None = None):
        """(points, options) mask of the one-point changes that keep a valid package valid."""
        violations = self.violations(package) if violations is None else violations
        ok = self.own_ok & (violations == 0)
        ok[np.arange(self.n_points), package] = False  # staying put is not a move
        return ok

    @cached_property
    def pair_points(self) -> tuple[np.ndarray, np.ndarray]:
        """The linked pairs as two index arrays (condition points, constrained points)."""
        pairs = np.array(self.linked_pairs, dtype=int).reshape(-1, 2)
        return pairs[:, 0], pairs[:, 1]

    @cached_property
    def pair_links(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Each (linked pair, link between its two points): the pair's index, the link's,
        whether the link's condition is on the pair's first point, and (options of a,
        options of b) grids of the combinations that the links between them allow."""
        index = {pair: k for k, pair in enumerate(self.linked_pairs)}
        width = self.exists.shape[1]
        grids = np.ones((len(self.linked_pairs), width, width), dtype=bool)
        entries = []
        for link, (i, x, j, allowed) in enumerate(
            zip(self.link_if, self.link_if_option, self.link_then, self.link_allowed, strict=True)
        ):
            for pair, first in (((int(i), int(j)), True), ((int(j), int(i)), False)):
                if i != j and pair in index:
                    entries.append((index[pair], link, first))
                    if first:
                        grids[index[pair], x, ~allowed] = False
                    else:
                        grids[index[pair], ~allowed, x] = False
        table = np.array(entries, dtype=int).reshape(-1, 3)
        return table[:, 0], table[:, 1], table[:, 2].astype(bool), grids

    def pair_moves(self, package: np.ndarray, violations: np.ndarray) -> np.ndarray:
        """(pairs, options of a, options of b): valid package still valid after setting a
        and b? Links between a and b are the pair's grid; links of a or b with a third
        point are `violations` less those counted against the other of the two; links
        touching neither hold and keep holding."""
        first, second = self.pair_points
        pair, link, condition_on_a, grids = self.pair_links
        width = self.exists.shape[1]
        x = self.link_if_option[link]
        allowed = self.link_allowed[link]
        # what each link between the two counted: against its condition option, if its
        # constrained point's current option is not allowed; against the constrained
        # point's options outside `allowed`, if its condition holds now
        unmet = ~allowed[np.arange(len(link)), package[self.link_then[link]]]
        holds = (package[self.link_if[link]] == x)[:, None] & ~allowed
        on_a = np.zeros((len(self.linked_pairs), width), dtype=np.int32)
        on_b = np.zeros_like(on_a)
        np.add.at(on_a, (pair[condition_on_a & unmet], x[condition_on_a & unmet]), 1)
        np.add.at(on_b, (pair[~condition_on_a & unmet], x[~condition_on_a & unmet]), 1)
        np.add.at(on_b, pair[condition_on_a], holds[condition_on_a])
        np.add.at(on_a, pair[~condition_on_a], holds[~condition_on_a])
        free_a = self.own_ok[first] & (violations[first] == on_a)
        free_b = self.own_ok[second] & (violations[second] == on_b)
        return grids & free_a[:, :, None] & free_b[:, None, :]

    def pair_is_valid(self, package: np.ndarray, a: int, b: int) -> np.ndarray:
        """(options of a, options of b) mask: is the valid package still valid after
        setting a and b?"""
        moves = self.pair_moves(package, self.violations(package))
        return moves[self.linked_pairs.index((a, b))]

    @cached_property
    def linked_points(self) -> list[int]:
        """Points that some link looks at."""
        return sorted({int(p) for p in (*self.link_if, *self.link_then)})

    @cached_property
    def rules(self) -> list[links.LinkRule]:
        return [
            (int(a), int(x), int(b), frozenset(np.flatnonzero(allowed).tolist()))
            for a, x, b, allowed in zip(
                self.link_if, self.link_if_option, self.link_then, self.link_allowed, strict=True
            )
        ]

    def repair(
        self,
        package: np.ndarray,
        preference: np.ndarray,
        locked: np.ndarray | None = None,
        max_steps: int = REPAIR_STEPS,
    ) -> np.ndarray | None:
        """The valid package nearest to `package`: points outside links keep their option;
        linked points try theirs first, then the others by `preference` (points, options).
        Locked points never move. None if no valid package exists within `max_steps`
        steps of the search (links can make the search exponential: sim.scenario.links)."""
        text = package.tolist()
        choices = [[current] for current in text]  # only linked points ever move
        order = np.argsort(-preference, axis=1, kind="stable").tolist()
        for point in self.linked_points:
            if locked is None or not locked[point]:
                current = text[point]
                ranked = [k for k in order[point] if self.exists[point, k] and k != current]
                choices[point] = [current, *ranked]
        try:
            found = links.nearest_valid(text, choices, self.rules, max_steps)
        except links.TooIntricate:
            return None
        return None if found is None else np.array(found)

    def all_packages(self) -> np.ndarray:
        """Every valid package, for brute force on small spaces only."""
        grids = np.meshgrid(*[np.arange(n) for n in self.n_options], indexing="ij")
        packages = np.stack([g.ravel() for g in grids], axis=1)
        return packages[[self.is_valid(p) for p in packages]]


def value_matrix(party: Party, width: int) -> np.ndarray:
    """(points, width) option values of a party, zero-padded."""
    matrix = np.zeros((len(party.values), width))
    for row, values in enumerate(party.values):
        matrix[row, : len(values)] = values
    return matrix


def red_line_mask(party: Party, scenario: Scenario, width: int) -> np.ndarray:
    """(points, width) True where an option crosses one of the party's red lines."""
    mask = np.zeros((len(scenario.points), width), dtype=bool)
    for point_id, options in party.red_lines:
        point = scenario.points[scenario.point_index(point_id)]
        mask[scenario.point_index(point_id), [point.option_index(o) for o in options]] = True
    return mask


def weighted(values: np.ndarray, salience: np.ndarray, red: np.ndarray | None = None):
    """(points, options, parties) weighted values; with a red-line mask, crossed options
    get RED_LINE_VALUE."""
    table = values * salience[..., None, :]
    return table if red is None else np.where(red, RED_LINE_VALUE, table)


def ratification_weights(scenario: Scenario) -> np.ndarray:
    """(points, parties) weights a party's ratifying body gives the points it judges: the
    party's salience renormalised over them (equal weights if that is zero)."""
    point_ids = [p.id for p in scenario.points]
    weights = np.zeros((len(point_ids), len(scenario.parties)))
    for column, party in enumerate(scenario.parties):
        if party.domestic is None:
            continue
        judged = np.isin(point_ids, party.domestic.points)
        own = np.where(judged, party.salience, 0.0)
        weights[:, column] = own / own.sum() if own.sum() > 0 else judged / judged.sum()
    return weights


def party_tables(scenario: Scenario, width: int):
    """Every party's option values (points, options, parties), saliences (points,
    parties) and red-line masks (points, options, parties): the arrays the model and the
    analysis both start from."""
    values = np.stack([value_matrix(p, width) for p in scenario.parties], axis=-1)
    salience = np.array([p.salience for p in scenario.parties]).T
    red = np.stack([red_line_mask(p, scenario, width) for p in scenario.parties], axis=-1)
    return values, salience, red
