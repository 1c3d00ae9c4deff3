"""PRIM, the Patient Rule Induction Method (Friedman and Fisher 1999), for scenario
discovery (Bryant and Lempert 2010): boxes over a sweep's parameters inside which a case of
interest is dense. `x` is a DataFrame of parameters, one row per run (numeric columns, or
categorical ones of strings, objects or bools); `y` says in which runs the case holds.

    peeling = find_box(x, y)
    peeling.box.limits, peeling.box.coverage, peeling.box.density, peeling.quasi_p

coverage = cases inside / all cases, density = cases inside / runs inside,
mass = runs inside / all runs.

- Box limits are the tightest that hold the box's runs. A numeric side that a peel (or the
  limits given) cut is the min or max of the values inside; a side nothing cut is the
  parameter's min or max over all runs, and a parameter with neither side cut, or a set
  holding every value, restricts nothing and is left out of `limits`. (Tightening every
  side would make every parameter look restricted by the other parameters' cuts.)
- Peeling (0 < alpha < 1): with n runs in the box and k = floor(alpha (n - 1)), a numeric
  peel removes the runs at or below the (k+1)-th smallest value inside (low end), or at or
  above the (k+1)-th largest (high end): at least one run. Where ties would remove every
  run it removes those below the max (above the min) instead; a constant parameter has no
  peel. A categorical peel removes the runs of one value inside the box, unless they are
  all its runs. The peel leaving the highest density is taken (ties: fewest runs removed,
  then parameter order, low end before high end, values in order of first appearance).
  Peeling stops when that peel would not raise density strictly (so a plateau ends it and
  a box is never made smaller for nothing) or would leave a mass below `min_mass`. The
  trajectory is every box, the whole space first.
- Pasting: with k as above, a numeric paste widens one restricted side to the (k+1)-th
  nearest value among the runs beyond it that meet every other limit; a categorical paste
  adds one value back. The paste leaving the highest density is taken (ties as for
  peeling) as long as it does not lower density: a paste keeping density adds cases, so a
  box of density 1 that peeling cut too far grows back to the edge of its region.
- Quasi-p-value of a restriction (as in the EMA workbench): with p0 the density of the box
  with only that restriction lifted, quasi-p = P(Binomial(count, p0) >= cases).
- find_box pastes every box of the peeling trajectory and chooses the densest of those with
  coverage >= `min_coverage` (ties: the earliest, largest); if none, the whole space (only
  with no case at all, as the whole space covers every case).
- covering finds a box, sets its runs aside, and finds the next on the runs left, up to
  `boxes`, stopping before a box whose density exceeds that of the runs left by no more than
  `min_density_gain`. Every number of a later box (coverage, density, mass, quasi-p, the
  sides left out as uncut) is relative to the runs left when it was found.
- With no case, or only cases, no peel raises density: the trajectory is the whole space
  alone and covering finds no box.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import binom

__all__ = ["Box", "Peeling", "box_of", "covering", "find_box", "paste", "peel", "quasi_p_values"]

Limit = tuple[float, float] | frozenset


@dataclass(frozen=True)
class Box:
    """A box over the parameters: only restricted parameters appear in `limits`;
    numeric -> (low, high), inclusive; categorical -> frozenset of the values kept."""

    limits: Mapping[str, Limit]
    count: int  # runs inside
    cases: int  # runs inside where the case holds
    coverage: float  # cases / all cases (0 when there is no case)
    density: float  # cases / count (0 for an empty box)
    mass: float  # count / all runs

    def contains(self, x: pd.DataFrame) -> np.ndarray:
        """Which rows of `x` lie inside the box."""
        return inside(x, self.limits)


@dataclass(frozen=True)
class Peeling:
    """What PRIM found: the peeling trajectory, each box pasted, and the box chosen."""

    trajectory: tuple[Box, ...]  # the whole space (index 0), then each peel, each pasted
    chosen: int  # index of the chosen box in `trajectory`
    quasi_p: Mapping[str, float]  # per restricted parameter of the chosen box

    @property
    def box(self) -> Box:
        return self.trajectory[self.chosen]


@dataclass(frozen=True)
class Column:
    """One parameter over all runs: float values (numeric, with their min and max), or
    integer codes into `levels` (categorical, levels in order of first appearance)."""

    name: str
    values: np.ndarray
    levels: np.ndarray | None = None
    low: float = 0.0
    high: float = 0.0

    def within(self, limit: Limit | None, rows: np.ndarray | None = None) -> np.ndarray:
        """Which of `rows` (all runs if None) meet `limit` (None: no restriction)."""
        values = self.values if rows is None else self.values[rows]
        if limit is None:
            return np.ones(len(values), bool)
        if self.levels is None:
            return (values >= limit[0]) & (values <= limit[1])
        return np.array([level in limit for level in self.levels.tolist()], bool)[values]

    def tightened(self, limit: Limit, rows: np.ndarray) -> Limit | None:
        """`limit` shrunk to the values of `rows` (not empty, all inside it): a restricted
        numeric side moves to their min or max; None if nothing is left restricted."""
        values = self.values[rows]
        if self.levels is None:
            low = values.min() if limit[0] > self.low else self.low
            high = values.max() if limit[1] < self.high else self.high
            return None if (low, high) == (self.low, self.high) else (float(low), float(high))
        present = np.bincount(values, minlength=len(self.levels)) > 0
        return None if present.all() else frozenset(self.levels[present].tolist())

    def whole(self) -> Limit:
        """The limit that restricts nothing."""
        if self.levels is None:
            return (self.low, self.high)
        return frozenset(self.levels.tolist())


@dataclass(frozen=True)
class Runs:
    """The parameters as columns, whether the case holds in each run, and how often."""

    columns: tuple[Column, ...]
    y: np.ndarray
    cases: int

    def box(self, rows: np.ndarray, limits: Mapping[str, Limit]) -> Box:
        """The box of `limits` whose runs are `rows` (indices, not empty), with the
        limits tightened to those runs."""
        tight = {}
        for c in self.columns:
            if c.name in limits and (limit := c.tightened(limits[c.name], rows)) is not None:
                tight[c.name] = limit
        return make_box(tight, len(rows), np.count_nonzero(self.y[rows]), len(self.y), self.cases)

    def meeting(self, limits: Mapping[str, Limit]) -> np.ndarray:
        """One column per parameter: which runs meet that parameter's limit."""
        return np.column_stack([c.within(limits.get(c.name)) for c in self.columns])


def make_box(limits: Mapping[str, Limit], count, cases, runs: int, all_cases: int) -> Box:
    count, cases = int(count), int(cases)
    coverage = cases / all_cases if all_cases else 0.0
    return Box(dict(limits), count, cases, coverage, cases / count if count else 0.0, count / runs)


def inside(x: pd.DataFrame, limits: Mapping[str, Limit]) -> np.ndarray:
    """Which rows of `x` meet every limit."""
    rows = np.ones(len(x), bool)
    for name, limit in limits.items():
        if isinstance(limit, frozenset):
            rows &= x[name].isin(list(limit)).to_numpy()
        else:
            rows &= x[name].between(*limit).to_numpy()
    return rows


def column(name: str, series: pd.Series) -> Column:
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        values = series.to_numpy(dtype=float)
        return Column(name, values, None, values.min(), values.max())
    codes, levels = pd.factorize(series, sort=False)
    return Column(name, codes.astype(np.intp), np.asarray(levels, dtype=object))


def read_runs(x: pd.DataFrame, y) -> Runs:
    """The runs as PRIM reads them; a ValueError for what it cannot read."""
    y = np.asarray(y, dtype=bool)
    if len(x) == 0 or y.shape != (len(x),):
        raise ValueError(f"PRIM needs one case flag per run: {len(x)} runs, y of shape {y.shape}")
    if x.isna().to_numpy().any():
        raise ValueError("PRIM needs every parameter's value in every run; some are missing")
    columns = tuple(column(name, x[name]) for name in x.columns)
    return Runs(columns, y, int(np.count_nonzero(y)))


def box_of(x: pd.DataFrame, y, limits: Mapping[str, Limit]) -> Box:
    """The box of the given limits, kept as given, with its runs counted."""
    rows = inside(x, limits)
    y = np.asarray(y, dtype=bool)
    return make_box(limits, rows.sum(), np.count_nonzero(y & rows), len(y), np.count_nonzero(y))


def numeric_peels(values: np.ndarray, k: int) -> list[tuple[np.ufunc, float]]:
    """The low and high peels of one numeric parameter, as a test of the runs removed."""
    least, most = values.min(), values.max()
    if least == most:
        return []
    low, high = np.partition(values, [k, len(values) - 1 - k])[[k, len(values) - 1 - k]]
    return [
        (np.less_equal, low) if low < most else (np.less, most),
        (np.greater_equal, high) if high > least else (np.greater, least),
    ]


def peels(column: Column, values: np.ndarray, y: np.ndarray, k: int) -> Iterator[tuple]:
    """Each peel of one parameter inside the box: (test of the runs removed, runs removed,
    cases removed); `values` and `y` are those of the box's runs."""
    if column.levels is None:
        for test, cut in numeric_peels(values, k):
            removed = test(values, cut)
            yield (test, cut), np.count_nonzero(removed), np.count_nonzero(removed & y)
        return
    runs = np.bincount(values, minlength=len(column.levels))
    cases = np.bincount(values[y], minlength=len(column.levels))
    for level in np.flatnonzero((runs > 0) & (runs < len(values))):
        yield (np.equal, level), runs[level], cases[level]


def narrowed(column: Column, limit: Limit, values: np.ndarray, test, cut) -> Limit:
    """`limit` after the peel (test, cut) of the box's `values`, its moved side tight."""
    if column.levels is not None:
        return limit - {column.levels[cut]}
    kept = values[~test(values, cut)]
    if test in (np.less_equal, np.less):
        return (kept.min(), limit[1])
    return (limit[0], kept.max())


def best_peel(runs: Runs, rows: np.ndarray, box: Box, alpha: float):
    """The runs and limits of box (`rows`, `box`) after its best peel, and their density;
    None if no parameter can be peeled."""
    y = runs.y[rows]
    k = int(alpha * (box.count - 1))
    best, best_score = None, None
    for col in runs.columns:
        values = col.values[rows]
        for test, removed, removed_cases in peels(col, values, y, k):
            score = ((box.cases - removed_cases) / (box.count - removed), -removed)
            if best_score is None or score > best_score:
                best, best_score = (col, values, test), score
    if best is None:
        return None
    col, values, (test, cut) = best
    limit = narrowed(col, box.limits.get(col.name, col.whole()), values, test, cut)
    return rows[~test(values, cut)], {**box.limits, col.name: limit}, best_score[0]


def peeling(runs: Runs, alpha: float, min_mass: float) -> Iterator[tuple[np.ndarray, Box]]:
    """The runs and box of each step of the peeling trajectory, the whole space first."""
    rows = np.arange(len(runs.y))
    box = runs.box(rows, {})
    yield rows, box
    while (peeled := best_peel(runs, rows, box, alpha)) is not None:
        kept, limits, density = peeled
        if density <= box.density or len(kept) / len(runs.y) < min_mass:
            return
        rows, box = kept, runs.box(kept, limits)
        yield rows, box


def peel(x: pd.DataFrame, y, alpha: float = 0.05, min_mass: float = 0.05) -> list[Box]:
    """The peeling trajectory: the whole space, then the box after each peel."""
    return [box for _, box in peeling(read_runs(x, y), alpha, min_mass)]


def pastes(column: Column, limit: Limit, values: np.ndarray, y: np.ndarray, k: int):
    """Each paste of one restricted parameter: (widened limit, runs added, cases added);
    `values` and `y` are those of the runs that this limit alone keeps out."""
    if column.levels is None:
        low, high = limit
        below, above = values[values < low], values[values > high]
        widened = []
        if len(below):
            i = max(len(below) - 1 - k, 0)
            widened.append((np.partition(below, i)[i], high))
        if len(above):
            i = min(k, len(above) - 1)
            widened.append((low, np.partition(above, i)[i]))
        for wider in widened:
            added = (values >= wider[0]) & (values <= wider[1])
            yield wider, np.count_nonzero(added), np.count_nonzero(added & y)
        return
    runs = np.bincount(values, minlength=len(column.levels))
    cases = np.bincount(values[y], minlength=len(column.levels))
    for level in np.flatnonzero(runs):
        yield limit | {column.levels[level]}, runs[level], cases[level]


def best_paste(runs: Runs, rows: np.ndarray, box: Box, alpha: float):
    """The runs and limits of box (`rows`, `box`) after its best paste, and their density;
    None if nothing can be pasted."""
    meets = runs.meeting(box.limits)
    misses = len(runs.columns) - meets.sum(axis=1)
    k = int(alpha * (box.count - 1))
    best, best_score = None, None
    for j, col in enumerate(runs.columns):
        if col.name not in box.limits:
            continue
        outside = np.flatnonzero((misses == 1) & ~meets[:, j])  # kept out by this limit only
        values, y = col.values[outside], runs.y[outside]
        for wider, added, added_cases in pastes(col, box.limits[col.name], values, y, k):
            score = ((box.cases + added_cases) / (box.count + added), -added)
            if best_score is None or score > best_score:
                best, best_score = (col, wider, outside), score
    if best is None:
        return None
    col, wider, outside = best
    rows = np.concatenate([rows, outside[col.within(wider, outside)]])  # disjoint
    return rows, {**box.limits, col.name: wider}, best_score[0]


def pasted(runs: Runs, rows: np.ndarray, box: Box, alpha: float) -> Box:
    """Box (`rows`, `box`) pasted until every paste would lower its density."""
    while (widened := best_paste(runs, rows, box, alpha)) is not None:
        wider, limits, density = widened
        if density < box.density:
            break
        rows, box = wider, runs.box(wider, limits)
    return box


def paste(x: pd.DataFrame, y, box: Box, alpha: float = 0.05) -> Box:
    """`box` pasted, its limits tightened to its runs; an empty box is returned as it is."""
    rows = np.flatnonzero(box.contains(x))
    if len(rows) == 0:
        return box
    runs = read_runs(x, y)
    return pasted(runs, rows, runs.box(rows, box.limits), alpha)


def quasi_p_values(x: pd.DataFrame, y, box: Box) -> dict[str, float]:
    """Per restricted parameter, P(Binomial(count, p0) >= cases) with p0 the density of the
    box without that restriction: small means the restriction matters."""
    quasi_p = {}
    for name in box.limits:
        relaxed = box_of(x, y, {p: limit for p, limit in box.limits.items() if p != name})
        quasi_p[name] = float(binom.sf(box.cases - 1, box.count, relaxed.density))
    return quasi_p


def find_box(
    x: pd.DataFrame, y, alpha: float = 0.05, min_mass: float = 0.05, min_coverage: float = 0.5
) -> Peeling:
    """PRIM: peel, paste every box of the trajectory, and choose the densest box with
    coverage >= `min_coverage` (the whole space if none has it)."""
    runs = read_runs(x, y)
    trajectory = tuple(
        pasted(runs, rows, box, alpha) for rows, box in peeling(runs, alpha, min_mass)
    )
    covering_enough = [i for i, box in enumerate(trajectory) if box.coverage >= min_coverage]
    chosen = max(covering_enough, key=lambda i: trajectory[i].density, default=0)
    return Peeling(trajectory, chosen, quasi_p_values(x, y, trajectory[chosen]))


def covering(
    x: pd.DataFrame,
    y,
    boxes: int = 3,
    alpha: float = 0.05,
    min_mass: float = 0.05,
    min_coverage: float = 0.5,
    min_density_gain: float = 0.0,
) -> list[Peeling]:
    """Up to `boxes` boxes, each found on the runs no earlier box holds; stops at a box
    whose density exceeds that of the runs left by no more than `min_density_gain`."""
    y = np.asarray(y, dtype=bool)
    left = np.ones(len(x), bool)
    found = []
    while len(found) < boxes and left.any():
        x_left, y_left = x.loc[left], y[left]
        peeling = find_box(x_left, y_left, alpha, min_mass, min_coverage)
        if peeling.box.density - np.count_nonzero(y_left) / len(y_left) <= min_density_gain:
            break
        found.append(peeling)
        left[np.flatnonzero(left)[peeling.box.contains(x_left)]] = False
    return found
