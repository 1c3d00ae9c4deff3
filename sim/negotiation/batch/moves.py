"""Which one-point and linked-pair changes keep each run's valid text valid
(`OutcomeSpace.moves` with a leading run axis), for the hill climb in `search.py`."""

from __future__ import annotations

import numpy as np

from ..outcome_space import OutcomeSpace


class Moves:
    """Which changes keep each run's valid text valid (`OutcomeSpace.moves`, batched):
    links broken by a change counted link by link, pair moves' counts as matrix products
    over the links (in floats, exact for such small counts, so that BLAS does them)."""

    def __init__(self, space: OutcomeSpace, locked: np.ndarray):
        self.space, self.locked = space, locked
        self.width = width = space.exists.shape[1]
        two = space.link_if != space.link_then
        self.two = two
        # a cell's broken links fit in a byte unless a scenario has very many links
        self.count_type = np.int8 if two.sum() < 128 else np.int64
        self.free = space.own_ok & ~locked[:, None]  # options a change may pick, links aside
        first, second = space.pair_points
        self.first, self.second = first, second
        self.pairs_locked = locked[first] | locked[second]
        if len(first):
            pair, link, on_a, self.grids = space.pair_links
            self.entry_link, self.entry_x = link, space.link_if_option[link]
            self.entry_allowed = space.link_allowed[link]
            count = len(space.linked_pairs) * width
            spots = pair * width + self.entry_x
            self.unmet_a = np.zeros((len(link), count), dtype=float)
            self.unmet_b = np.zeros_like(self.unmet_a)
            self.unmet_a[np.flatnonzero(on_a), spots[on_a]] = 1
            self.unmet_b[np.flatnonzero(~on_a), spots[~on_a]] = 1
            self.holds_b = np.zeros((len(link), len(space.linked_pairs)), dtype=float)
            self.holds_a = np.zeros_like(self.holds_b)
            self.holds_b[np.flatnonzero(on_a), pair[on_a]] = 1
            self.holds_a[np.flatnonzero(~on_a), pair[~on_a]] = 1

    def violations(self, packages: np.ndarray) -> np.ndarray:
        """(runs, points, options) links between two points one change would break."""
        space = self.space
        count = np.zeros((len(packages), *space.exists.shape), dtype=self.count_type)
        for link in np.flatnonzero(self.two):
            if_point, if_option = space.link_if[link], space.link_if_option[link]
            then_point, allowed = space.link_then[link], space.link_allowed[link]
            count[:, if_point, if_option] += ~allowed[packages[:, then_point]]  # unmet now
            holds = packages[:, if_point] == if_option
            count[:, then_point] += holds[:, None] & ~allowed  # forbidden while it holds
        return count

    def __call__(self, packages: np.ndarray, pairs: bool = True):
        """(runs, points, options) one-point moves and (runs, pairs, a, b) pair moves
        (None without linked pairs or when not asked for)."""
        space, runs = self.space, len(packages)
        violations = self.violations(packages)
        singles = self.free & (violations == 0)
        singles[np.arange(runs)[:, None], np.arange(space.n_points)[None, :], packages] = False
        if not len(self.first) or not pairs:
            return singles, None
        return singles, self.pair_moves(packages, violations)

    def pair_moves(self, packages: np.ndarray, violations: np.ndarray) -> np.ndarray:
        space, runs, width = self.space, len(packages), self.width
        entries = np.arange(len(self.entry_link))[None, :]
        then = packages[:, space.link_then[self.entry_link]]
        unmet = (~self.entry_allowed[entries, then]).astype(float)
        condition = packages[:, space.link_if[self.entry_link]] == self.entry_x
        holds = (condition[:, :, None] & ~self.entry_allowed[None]).astype(float)
        shape = (runs, len(self.first), width)
        on_a = (unmet @ self.unmet_a).reshape(shape) + np.einsum("reo,ep->rpo", holds, self.holds_a)
        on_b = (unmet @ self.unmet_b).reshape(shape) + np.einsum("reo,ep->rpo", holds, self.holds_b)
        free_a = space.own_ok[self.first] & (violations[:, self.first] == on_a)
        free_b = space.own_ok[self.second] & (violations[:, self.second] == on_b)
        # (runs, pairs, a * b): option a repeated over the b's, the b's tiled over the a's
        pairs = np.repeat(free_a, width, axis=2)
        pairs &= np.tile(free_b, width)
        pairs &= self.grids.reshape(len(self.first), width * width)
        pairs[:, self.pairs_locked] = False
        return pairs.reshape(runs, len(self.first), width, width)
