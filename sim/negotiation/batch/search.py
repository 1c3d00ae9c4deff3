"""Hill climbing for many runs at once: `sim.negotiation.text_search` with a leading run
axis, the same floating-point operations in the same order, so that every run climbs to
the text its Mesa model reaches (docs/engine.md, "Equal, run for run").

A batch score maps utilities (runs, ..., columns) to scores (runs, ...), and scores a
list of cells (`cells`, grouped by run in run order): only the changes a climb may make
are scored, each to the bit as the model scores it in its whole array, because
`text_search.weighted_sum` adds each element's terms in a fixed order.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..outcome_space import OutcomeSpace
from ..text_search import FLOOR, soft_log, weighted_sum
from .moves import Moves

Column = Callable[[int], np.ndarray]  # a table column's utilities at the cells scored
PerCell = Callable[[np.ndarray], np.ndarray]  # (runs,) numbers spread to the cells scored


def per_run(array: np.ndarray, ndim: int) -> np.ndarray:
    """A (runs, k) array shaped to broadcast against (runs, ..., k) of `ndim` dimensions."""
    return array.reshape((len(array),) + (1,) * (ndim - 2) + array.shape[1:])


class LogScore:
    """Per run: sum_j weight_j * log(U_j - r_j) over the columns (`text_search.log_score`);
    reservations and weights are (runs, columns)."""

    def __init__(self, columns: list[int], reservations: np.ndarray, weights: np.ndarray):
        self.columns, self.reservations, self.weights = columns, reservations, weights

    def __call__(self, u: np.ndarray) -> np.ndarray:
        surplus = u[..., self.columns] - per_run(self.reservations, u.ndim)
        return weighted_sum(soft_log(surplus), per_run(self.weights, u.ndim))

    def cells(self, column: Column, per_cell: PerCell) -> np.ndarray:
        """The score at each cell, `per_cell` spreading each run's numbers to its cells:
        term by term in the order `weighted_sum` adds them."""
        reservations, weights = self.reservations.T.copy(), self.weights.T.copy()
        total = None
        for j, at in enumerate(self.columns):
            surplus = column(at)
            surplus -= per_cell(reservations[j])
            terms = soft_log(surplus)
            terms *= per_cell(weights[j])
            if total is None:
                total = terms
            else:
                total += terms
        return total

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

    def cells(self, column: Column, per_cell: PerCell) -> np.ndarray:
        shortfall = None
        for j, at in enumerate(self.columns):  # summed in order, as `.sum` adds so few
            missed = np.minimum(0.0, column(at) - per_cell(self.floors[:, j]))
            shortfall = missed if shortfall is None else shortfall + missed
        return self.nash.cells(column, per_cell) + shortfall / FLOOR

    def slice(self, runs: np.ndarray) -> OfferScore:
        return OfferScore(self.nash.slice(runs), self.columns, self.floors[runs])


class ColumnScore:
    """The score of a one-column table: its utility (a party's own best text)."""

    def __call__(self, u: np.ndarray) -> np.ndarray:
        return u[..., 0]

    def cells(self, column: Column, per_cell: PerCell) -> np.ndarray:
        return column(0)

    def slice(self, runs: np.ndarray) -> ColumnScore:
        return self


def take(table: np.ndarray, packages: np.ndarray, runs: np.ndarray | None = None) -> np.ndarray:
    """(runs, points, columns): each run's table row for its package's option per point;
    `runs` gives each package's run in the table (the first ones, in order, if not given)."""
    count, points, options = len(packages), table.shape[1], table.shape[2]
    first = np.arange(count) if runs is None else runs
    at = (first[:, None] * points + np.arange(points)) * options + packages
    flat = table.reshape(-1, table.shape[3])  # a row per (run, point, option)
    return flat.take(at.reshape(-1), axis=0).reshape(count, points, table.shape[3])


def utilities(table: np.ndarray, packages: np.ndarray) -> np.ndarray:
    """(runs, columns) utility vectors of one package per run."""
    return take(table, packages).sum(axis=1)


class Standing:
    """Each run's standing text on a `ColumnTable`: per column, its value of the run's
    option on every point (points, runs), and their totals (runs,) added point after point
    as the model's `table[rows, package].sum(axis=0)` adds them."""

    def __init__(self, rows: list[np.ndarray], totals: list[np.ndarray] | None = None):
        self.rows = rows
        self.totals = [row.sum(axis=0) for row in rows] if totals is None else totals

    def select(self, runs: np.ndarray) -> Standing:
        return Standing([row[:, runs] for row in self.rows], [total[runs] for total in self.totals])


class ColumnTable:
    """A table (runs, points, options, columns) held as one contiguous (runs, points,
    options) array per column, so that a climb reads only the cells it scores."""

    def __init__(self, columns: list[np.ndarray]):
        self.runs, self.points, self.options = columns[0].shape
        self.size = self.points * self.options
        self.columns = [np.ascontiguousarray(column) for column in columns]
        self.flat = [column.reshape(-1) for column in self.columns]

    @classmethod
    def of(cls, table: np.ndarray) -> ColumnTable:
        return cls([table[..., c] for c in range(table.shape[3])])

    def select(self, runs: np.ndarray) -> ColumnTable:
        return ColumnTable([column[runs] for column in self.columns])

    def standing(self, packages: np.ndarray, runs: np.ndarray) -> Standing:
        """The standing text `packages` (runs, points) of the table's runs `runs`."""
        at = (runs[None, :] * self.points + np.arange(self.points)[:, None]) * self.options
        at += packages.T
        return Standing([flat.take(at) for flat in self.flat])

    def singles(self, score, index, standing: Standing, scored) -> np.ndarray:
        """(runs, points * options) scores of the one-point changes marked in `scored`
        (-inf elsewhere) for the table's runs `index` standing at `standing`: each the
        number the model's `score(table + (totals - current)[:, None, :])` holds."""
        flat = np.flatnonzero(scored)  # (climber * points + point) * options + option
        cell = flat // self.options  # climber * points + point: where its rest is
        count = len(index)
        per_cell, shift = spread(flat, index, self.size, self.runs)
        at = flat if shift is None else flat + shift * self.size

        def column(c: int) -> np.ndarray:
            rest = np.empty((count, self.points))  # (climbers, points): the rest of the text
            np.subtract(standing.totals[c][:, None], standing.rows[c].T, out=rest)
            values = self.flat[c].take(at)
            values += rest.reshape(-1).take(cell)
            return values

        values = np.full((count, self.size), -np.inf)
        values.reshape(-1)[flat] = score.cells(column, per_cell)
        return values

    def pairs(self, score, index, standing: Standing, scored, moves: Moves) -> np.ndarray:
        """(runs, pairs * options * options) scores of the linked-pair changes marked in
        `scored`, as the model's `table[first] + table[second] + rest` array holds them."""
        first, second = moves.first, moves.second
        count, width = len(first), self.options
        flat = np.flatnonzero(scored)
        run, within = np.divmod(flat, count * width * width)
        pair, options = np.divmod(within, width * width)
        option_a, option_b = np.divmod(options, width)
        per_cell, _ = spread(flat, index, count * width * width, self.runs)
        start = per_cell(np.arange(self.runs) * self.size)
        at_a = start + first[pair] * width + option_a
        at_b = start + second[pair] * width + option_b
        row = pair * len(index) + run

        def column(c: int) -> np.ndarray:
            rows = standing.rows[c]
            rest = standing.totals[c] - rows[first] - rows[second]  # (pairs, runs)
            values = self.flat[c].take(at_a)
            values += self.flat[c].take(at_b)
            values += rest.reshape(-1).take(row)
            return values

        values = np.full((len(index), count * width * width), -np.inf)
        values.reshape(-1)[flat] = score.cells(column, per_cell)
        return values


def spread(flat: np.ndarray, index: np.ndarray, size: int, runs: int):
    """For cells `flat` (positions in a (climbers, size) array, in order) of the table's
    runs `index` among `runs`: a function spreading (runs,) numbers to the cells, each
    cell its run's, and each cell's shift from climber to table run (None when every run
    climbs). A run's cells lie together, so its number is repeated, not gathered."""
    count = len(index)
    counts = np.diff(np.searchsorted(flat, np.arange(count + 1) * size))
    if count == runs:  # every run: the climbers are the table's runs
        return (lambda values: np.repeat(values, counts)), None
    shift = np.repeat(index - np.arange(count), counts)
    return (lambda values: np.repeat(values.take(index), counts)), shift


def hill_climb(
    moves: Moves,
    table: ColumnTable,
    score: LogScore | OfferScore | ColumnScore,
    packages: np.ndarray,
    max_changes: np.ndarray | int = 0,
) -> np.ndarray:
    """`text_search.hill_climb` for every run: (runs, points) packages climbed on each run's
    table by `score`, built for the table's runs. Only the valid changes of the runs
    still climbing are scored."""
    packages = packages.copy()
    runs = len(packages)
    limit = np.broadcast_to(np.asarray(max_changes), (runs,))
    changed = np.zeros(runs, dtype=np.int64)
    climbing = np.ones(runs, dtype=bool)
    while True:
        climbing &= (limit == 0) | (changed < limit)
        index = np.flatnonzero(climbing)
        if not len(index):
            return packages
        climbers = np.arange(len(index))
        here_packages = packages[index]
        standing = table.standing(here_packages, index)
        room = (limit[index] == 0) | (limit[index] - changed[index] >= 2)  # for a pair
        pairs = len(moves.first) > 0 and room.any()
        single_ok, pair_ok = moves(here_packages, pairs)
        single_ok[climbers, 0, here_packages[:, 0]] = True  # "changing" a point to its own option
        singles = table.singles(score, index, standing, single_ok)
        here = singles[climbers, here_packages[:, 0]].copy()
        singles[climbers, here_packages[:, 0]] = -np.inf
        best = singles.argmax(axis=1)
        best_value = singles[climbers, best]
        point_a, option_a = np.divmod(best, table.options)
        point_b = option_b = None
        if pairs:
            rows = np.flatnonzero(room)
            pair_value, pair_move = best_pairs(
                table.pairs(score, index[rows], standing.select(rows), pair_ok[rows], moves),
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


def best_pairs(values: np.ndarray, moves: Moves):
    """The first best of each run's linked-pair changes (runs, pairs * options * options):
    its value and (point a, option a, point b, option b)."""
    width = moves.width
    best = values.argmax(axis=1)
    pair, options = np.divmod(best, width * width)
    option_a, option_b = np.divmod(options, width)
    value = values[np.arange(len(values)), best]
    return value, (moves.first[pair], option_a, moves.second[pair], option_b)


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
    climbed = hill_climb(
        moves, ColumnTable.of(table[each]), score.slice(each), candidates.reshape(-1, points)
    )
    values = score.slice(each)(utilities(table[each], climbed)).reshape(runs, count)
    values[~usable] = -np.inf
    return climbed.reshape(runs, count, points)[np.arange(runs), values.argmax(axis=1)]


def best_changes_avoiding(moves: Moves, table: ColumnTable, score, packages, avoid) -> np.ndarray:
    """`text_search.best_change_avoiding` in every run: the best valid one-point change
    of each run's package that `avoid(runs, texts)` rejects not, improving or not (the
    package itself where every change is avoided); changes are tried best first, all
    runs' n-th best at once."""
    runs = np.arange(len(packages))
    single_ok, _ = moves(packages, pairs=False)
    flat = table.singles(score, runs, table.standing(packages, runs), single_ok)
    order = np.argsort(-flat, axis=1, kind="stable")
    ranked = np.take_along_axis(flat, order, axis=1)
    found = packages.copy()
    trying = runs
    for rank in range(flat.shape[1]):
        trying = trying[np.isfinite(ranked[trying, rank])]  # the others have no way out
        if not len(trying):
            break
        point, option = np.divmod(order[trying, rank], table.options)
        texts = packages[trying].copy()
        texts[np.arange(len(trying)), point] = option
        avoided = avoid(trying, texts)
        found[trying[~avoided]] = texts[~avoided]
        trying = trying[avoided]
    return found
