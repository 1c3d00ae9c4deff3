"""Hill climbing for many runs at once: `sim.negotiation.text_search` with a leading run
axis, the same floating-point operations in the same order, so that every run climbs to
the text its Mesa model reaches (docs/engine.md, "Equal, run for run").

A batch score maps utilities (runs, ..., columns) to scores (runs, ...). Weighted sums go
through `np.matmul` with one weight vector per run: numpy then calls the BLAS kernel on
each run's slice exactly as the Mesa model's `@` does.
"""

from __future__ import annotations

import numpy as np

from ..outcome_space import OutcomeSpace
from ..text_search import FLOOR, soft_log


def weighted_sum(terms: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """terms (runs, ..., k) times weights (runs, k) summed over k, as `terms[i] @ weights[i]`."""
    if terms.ndim == 2:
        return np.matmul(terms[:, None, :], weights[:, :, None])[:, 0, 0]
    shape = (len(weights),) + (1,) * (terms.ndim - 3) + (weights.shape[1], 1)
    return np.matmul(terms, weights.reshape(shape))[..., 0]


def per_run(array: np.ndarray, ndim: int) -> np.ndarray:
    """A (runs, k) array shaped to broadcast against (runs, ..., k) of `ndim` dimensions."""
    return array.reshape((len(array),) + (1,) * (ndim - 2) + array.shape[1:])


class LogScore:
    """Per run: sum_j weight_j * log(U_j - r_j) over the columns (`text_search.log_score`);
    reservations and weights are (runs, columns).

    The columns are picked as the Mesa model picks them, `u[..., columns]`: numpy lays
    such a pick out column by column, and that layout decides which BLAS kernel the
    weighted sum runs on, so it must be the same. A single utility vector per run is
    picked into contiguous rows, as the model's one vector is."""

    def __init__(self, columns: list[int], reservations: np.ndarray, weights: np.ndarray):
        self.columns, self.reservations, self.weights = columns, reservations, weights

    def __call__(self, u: np.ndarray) -> np.ndarray:
        picked = u[..., self.columns]
        if u.ndim == 2:
            picked = np.ascontiguousarray(picked)
        surplus = picked - per_run(self.reservations, u.ndim)
        return weighted_sum(soft_log(surplus), self.weights)

    def slice(self, runs: np.ndarray) -> LogScore:
        return LogScore(self.columns, self.reservations[runs], self.weights[runs])

    def on_own_columns(self) -> LogScore:
        """The same score on a table of only its columns, in their order."""
        return LogScore(list(range(len(self.columns))), self.reservations, self.weights)


class OfferScore:
    """A proposer's score: the others' Nash product, less what its own floors miss
    (`Negotiator.offer`); floors are (runs, own columns)."""

    def __init__(self, nash: LogScore, columns: list[int], floors: np.ndarray):
        self.nash, self.columns, self.floors = nash, columns, floors

    def __call__(self, u: np.ndarray) -> np.ndarray:
        shortfall = np.minimum(0.0, u[..., self.columns] - per_run(self.floors, u.ndim))
        return self.nash(u) + shortfall.sum(axis=-1) / FLOOR

    def slice(self, runs: np.ndarray) -> OfferScore:
        return OfferScore(self.nash.slice(runs), self.columns, self.floors[runs])


class ColumnScore:
    """The score of a one-column table: its utility (a party's own best text)."""

    def __call__(self, u: np.ndarray) -> np.ndarray:
        return u[..., 0]

    def slice(self, runs: np.ndarray) -> ColumnScore:
        return self


def take(table: np.ndarray, packages: np.ndarray) -> np.ndarray:
    """(runs, points, columns): each run's table row for its package's option per point."""
    runs = np.arange(len(table))[:, None]
    return table[runs, np.arange(table.shape[1])[None, :], packages]


def utilities(table: np.ndarray, packages: np.ndarray) -> np.ndarray:
    """(runs, columns) utility vectors of one package per run."""
    return take(table, packages).sum(axis=1)


class Moves:
    """Which changes keep each run's valid text valid (`OutcomeSpace.moves`, batched):
    link counts as integer matrix products over the links."""

    def __init__(self, space: OutcomeSpace, locked: np.ndarray):
        self.space, self.locked = space, locked
        points, width = space.exists.shape
        self.width = width
        two = space.link_if != space.link_then
        self.two = two
        links = np.arange(len(two))
        self.condition = np.zeros((len(two), points * width), dtype=np.int64)
        self.condition[links, space.link_if * width + space.link_if_option] = 1
        self.forbids = np.zeros((len(two), points, width), dtype=np.int64)
        self.forbids[links, space.link_then] = ~space.link_allowed
        self.forbids = self.forbids.reshape(len(two), points * width)
        first, second = space.pair_points
        self.first, self.second = first, second
        self.pairs_locked = locked[first] | locked[second]
        if len(first):
            pair, link, on_a, self.grids = space.pair_links
            self.entry_link, self.entry_x = link, space.link_if_option[link]
            self.entry_allowed = space.link_allowed[link]
            count = len(space.linked_pairs) * width
            spots = pair * width + self.entry_x
            self.unmet_a = np.zeros((len(link), count), dtype=np.int64)
            self.unmet_b = np.zeros_like(self.unmet_a)
            self.unmet_a[np.flatnonzero(on_a), spots[on_a]] = 1
            self.unmet_b[np.flatnonzero(~on_a), spots[~on_a]] = 1
            self.holds_b = np.zeros((len(link), len(space.linked_pairs)), dtype=np.int64)
            self.holds_a = np.zeros_like(self.holds_b)
            self.holds_b[np.flatnonzero(on_a), pair[on_a]] = 1
            self.holds_a[np.flatnonzero(~on_a), pair[~on_a]] = 1

    def violations(self, packages: np.ndarray) -> np.ndarray:
        """(runs, points, options) links between two points one change would break."""
        space, runs = self.space, len(packages)
        if not len(self.two):
            return np.zeros((runs, *space.exists.shape), dtype=np.int64)
        links = np.arange(len(self.two))[None, :]
        unmet = self.two & ~space.link_allowed[links, packages[:, space.link_then]]
        holds = self.two & (packages[:, space.link_if] == space.link_if_option)
        count = unmet.astype(np.int64) @ self.condition + holds.astype(np.int64) @ self.forbids
        return count.reshape(runs, *space.exists.shape)

    def __call__(self, packages: np.ndarray, pairs: bool = True):
        """(runs, points, options) one-point moves and (runs, pairs, a, b) pair moves
        (None without linked pairs or when not asked for)."""
        space, runs = self.space, len(packages)
        violations = self.violations(packages)
        singles = space.own_ok & (violations == 0) & ~self.locked[:, None]
        singles[np.arange(runs)[:, None], np.arange(space.n_points)[None, :], packages] = False
        if not len(self.first) or not pairs:
            return singles, None
        return singles, self.pair_moves(packages, violations)

    def pair_moves(self, packages: np.ndarray, violations: np.ndarray) -> np.ndarray:
        space, runs, width = self.space, len(packages), self.width
        entries = np.arange(len(self.entry_link))[None, :]
        then = packages[:, space.link_then[self.entry_link]]
        unmet = (~self.entry_allowed[entries, then]).astype(np.int64)
        condition = packages[:, space.link_if[self.entry_link]] == self.entry_x
        holds = (condition[:, :, None] & ~self.entry_allowed[None]).astype(np.int64)
        shape = (runs, len(self.first), width)
        on_a = (unmet @ self.unmet_a).reshape(shape) + np.einsum("reo,ep->rpo", holds, self.holds_a)
        on_b = (unmet @ self.unmet_b).reshape(shape) + np.einsum("reo,ep->rpo", holds, self.holds_b)
        free_a = space.own_ok[self.first] & (violations[:, self.first] == on_a)
        free_b = space.own_ok[self.second] & (violations[:, self.second] == on_b)
        pairs = self.grids[None] & free_a[..., None] & free_b[:, :, None, :]
        pairs[:, self.pairs_locked] = False
        return pairs


def hill_climb(
    moves: Moves,
    table: np.ndarray,
    score: LogScore | OfferScore | ColumnScore,
    packages: np.ndarray,
    max_changes: np.ndarray | int = 0,
) -> np.ndarray:
    """`text_search.hill_climb` for every run: (runs, points) packages climbed on each run's
    table (runs, points, options, columns); `score` sees only the runs still climbing,
    so it must be built for `table`'s runs and is re-sliced here."""
    packages = packages.copy()
    runs = len(packages)
    limit = np.broadcast_to(np.asarray(max_changes), (runs,))
    changed = np.zeros(runs, dtype=np.int64)
    climbing = np.ones(runs, dtype=bool)
    first = moves.first
    while True:
        climbing &= (limit == 0) | (changed < limit)
        index = np.flatnonzero(climbing)
        if not len(index):
            return packages
        whole = len(index) == runs
        sub = table if whole else table[index]
        here_packages = packages[index]
        current = take(sub, here_packages)  # (runs, points, columns)
        totals = current.sum(axis=1)
        singles = score.slice(index)(sub + (totals[:, None, :] - current)[:, :, None, :])
        here = singles[np.arange(len(index)), 0, here_packages[:, 0]]
        room = (limit[index] == 0) | (limit[index] - changed[index] >= 2)  # for a pair
        pairs = len(first) > 0 and room.any()
        single_ok, pair_ok = moves(here_packages, pairs)
        singles[~single_ok] = -np.inf
        flat = singles.reshape(len(index), -1)
        best = flat.argmax(axis=1)
        best_value = flat[np.arange(len(index)), best]
        point_a, option_a = np.divmod(best, singles.shape[2])
        point_b = option_b = None
        if pairs:
            rows = np.flatnonzero(room)
            pair_value, pair_move = best_pairs(
                sub[rows],
                current[rows],
                totals[rows],
                score.slice(index[rows]),
                pair_ok[rows],
                moves,
            )
            take_pair = np.zeros(len(index), dtype=bool)
            take_pair[rows] = pair_value > best_value[rows]
            chosen = rows[take_pair[rows]]
            best_value[chosen] = pair_value[take_pair[rows]]
            point_b = np.full(len(index), -1)
            option_b = np.zeros(len(index), dtype=np.int64)
            for target, found in zip(
                (point_a, option_a, point_b, option_b), pair_move, strict=True
            ):
                target[chosen] = found[take_pair[rows]]
        moving = best_value > here + 1e-12
        climbing[index[~moving]] = False
        go = index[moving]
        rows = np.flatnonzero(moving)
        changed[go] += packages[go, point_a[rows]] != option_a[rows]
        packages[go, point_a[rows]] = option_a[rows]
        if point_b is not None:
            two = rows[point_b[rows] >= 0]
            at = index[two]
            changed[at] += packages[at, point_b[two]] != option_b[two]
            packages[at, point_b[two]] = option_b[two]


def best_pairs(sub, current, totals, score, pair_ok, moves: Moves):
    """The best change of a linked pair of points in each run, scored as `hill_climb`
    scores it: its value and (point a, option a, point b, option b)."""
    first, second = moves.first, moves.second
    rest = totals[:, None, :] - current[:, first] - current[:, second]
    values = score(
        sub[:, first][:, :, :, None, :] + sub[:, second][:, :, None, :, :] + rest[:, :, None, None]
    )
    values[~pair_ok] = -np.inf
    flat = values.reshape(len(values), -1)
    best = flat.argmax(axis=1)
    p, rest_index = np.divmod(best, values.shape[2] * values.shape[3])
    ka, kb = np.divmod(rest_index, values.shape[3])
    return flat[np.arange(len(values)), best], (first[p], ka, second[p], kb)


def broken(space: OutcomeSpace, packages: np.ndarray) -> np.ndarray:
    """(runs,) True where a package breaks a link."""
    if not len(space.link_if):
        return np.zeros(len(packages), dtype=bool)
    links = np.arange(len(space.link_if))[None, :]
    triggered = packages[:, space.link_if] == space.link_if_option
    satisfied = space.link_allowed[links, packages[:, space.link_then]]
    return (triggered & ~satisfied).any(axis=1)


def own_best_texts(
    space: OutcomeSpace, values: np.ndarray, starts: np.ndarray, locked: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """`text_search.own_best_text` per run of (runs, points, options) values: the texts
    and whether each was found (a repair can fail)."""
    own = np.where(space.exists, values, -np.inf).argmax(axis=2)
    texts = np.where(locked, starts, own)
    found = np.ones(len(texts), dtype=bool)
    for run in np.flatnonzero(broken(space, texts)):
        repaired = space.repair(texts[run], values[run], locked)
        found[run] = repaired is not None
        if repaired is not None:
            texts[run] = repaired
    return texts, found


def best_of(
    moves: Moves,
    table: np.ndarray,
    score: LogScore | OfferScore,
    candidates: np.ndarray,
    usable: np.ndarray,
) -> np.ndarray:
    """Climb from every candidate (runs, candidates, points) of each run and keep, per run,
    the first best climbed text among the usable candidates (`best_text`, `offer`)."""
    runs, count, points = candidates.shape
    each = np.repeat(np.arange(runs), count)
    climbed = hill_climb(moves, table[each], score.slice(each), candidates.reshape(-1, points))
    values = score.slice(each)(utilities(table[each], climbed)).reshape(runs, count)
    values[~usable] = -np.inf
    return climbed.reshape(runs, count, points)[np.arange(runs), values.argmax(axis=1)]


def best_changes_avoiding(moves: Moves, table, score, packages, avoid) -> np.ndarray:
    """`text_search.best_change_avoiding` in every run: the best valid one-point change
    of each run's package that `avoid(runs, texts)` rejects not, improving or not (the
    package itself where every change is avoided); changes are tried best first, all
    runs' n-th best at once."""
    runs = np.arange(len(packages))
    current = take(table, packages)
    totals = current.sum(axis=1)
    singles = score(table + (totals[:, None, :] - current)[:, :, None, :])
    single_ok, _ = moves(packages, pairs=False)
    singles[~single_ok] = -np.inf
    singles[runs[:, None], np.arange(packages.shape[1])[None, :], packages] = -np.inf
    flat = singles.reshape(len(packages), -1)
    order = np.argsort(-flat, axis=1, kind="stable")
    ranked = np.take_along_axis(flat, order, axis=1)
    found = packages.copy()
    trying = runs
    for rank in range(flat.shape[1]):
        trying = trying[np.isfinite(ranked[trying, rank])]  # the others have no way out
        if not len(trying):
            break
        point, option = np.divmod(order[trying, rank], singles.shape[2])
        texts = packages[trying].copy()
        texts[np.arange(len(trying)), point] = option
        avoided = avoid(trying, texts)
        found[trying[~avoided]] = texts[~avoided]
        trying = trying[avoided]
    return found
