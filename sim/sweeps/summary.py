"""What a sweep's runs say: the probability of each status and the settled options as
functions of the parameters, with the sensitivity indices (`indices.py`).

Pure functions of the sweep and its rows (one per run), returning plain JSON data:

    summary = summarize(sweep, rows)      # what summary.json holds
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from ..scenario.data import Scenario
from ..scenario.errors import ScenarioError
from ..scenario.loader import load_scenario
from .design import ParameterSets
from .discovery import sweep_discoveries
from .heap import release_freed_memory
from .indices import Z95, sensitivity
from .labels import option_label, output_label, parameter_labels, point_label
from .spec import STATUS_OUTPUTS, Parameter, Sweep, parameter_set_count
from .store import Rows, in_run_order

BINS = 8  # bins per numeric parameter; fewer distinct values get one bin each
PAIRS = 3  # heatmaps of P(agreement) for the pairs among this many leading parameters


def wilson(count: int, n: int, z: float = Z95) -> tuple[float | None, float | None]:
    """Wilson score interval of the proportion p = count/n:
    (p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)."""
    if n == 0:
        return None, None
    p, shrink = count / n, 1 + z * z / n
    centre = (p + z * z / (2 * n)) / shrink
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / shrink
    # at p = 0 (or 1) the bound is 0 (or 1) exactly; rounding would leave 1e-18
    return (0.0 if count == 0 else centre - half), (1.0 if count == n else centre + half)


def proportion(count: int, n: int) -> dict:
    low, high = wilson(count, n)
    return {"p": count / n if n else None, "low": low, "high": high, "count": int(count)}


# -- probabilities across the parameters ----------------------------------------------


def summarize(sweep: Sweep, rows: Rows, sets: ParameterSets | None = None) -> dict:
    """Everything summary.json holds: status probabilities overall and per bin of each
    parameter (95% Wilson intervals), the leading parameters and pairs, the settled
    options per point, and the sensitivity indices (from the design's `sets`, made if
    not given), each parameter, output, point and option with its label. Columns are
    read one at a time: `rows` may be a store's `StoredRows`."""
    rows = in_run_order(rows)
    summary = {
        "sweep": sweep.name,
        "design": sweep.design.method,
        "parameter_sets": parameter_set_count(sweep),
        "replications": sweep.replications,
        "seed": sweep.seed,
        "runs": len(rows),
    }
    if not len(rows):
        return summary | {"note": "no runs stored yet", "indices": sensitivity(sweep, rows, sets)}
    status = Statuses(rows["status"])
    scenario = base_scenario(sweep)
    labels = parameter_labels(scenario, [p.path for p in sweep.parameters])
    parameters = {
        p.path: {"label": labels[p.path], **parameter_summary(p, rows[p.path], status)}
        for p in sweep.parameters
    }
    indices = sensitivity(sweep, rows, sets)
    release_freed_memory()
    leading = leading_parameters(sweep, indices, parameters)
    ranked = [entry["parameter"] for entry in leading["ranking"]]
    by_path = {p.path: p for p in sweep.parameters}
    binned = {path: parameter_bins(by_path[path], rows[path]) for path in ranked[:PAIRS]}
    agreed = status.of("agreement")
    pairs = [
        agreement_grid(agreed, binned[a], binned[b], a, b)
        for a, b in itertools.combinations(ranked[:PAIRS], 2)
    ]
    return summary | {
        "statuses": status.names,
        "status": status.shares(),
        "parameters": parameters,
        "leading": leading,
        "pairs": pairs,
        "points": labelled_points(
            scenario, settled_options(rows, agreed, ranked[0], binned[ranked[0]])
        ),
        "outputs": {o: {"label": output_label(scenario, o)} for o in sweep.outputs},
        "indices": indices,
        "discovery": sweep_discoveries(sweep, rows, scenario),
    }


def base_scenario(sweep: Sweep) -> Scenario | None:
    """The scenario the sweep varies, which names its parameters and options; None when
    its file is gone or no longer loads (a sweep folder read elsewhere): the labels then
    use the ids."""
    try:
        return load_scenario(sweep.base)
    except (ScenarioError, OSError):
        return None


class Statuses:
    """Every run's status as a small code (a million runs: 1 MB, not 8 of object
    pointers), and the statuses to report: the model's, then any other found."""

    def __init__(self, column: pd.Series):
        self.codes, labels = text_codes(column)
        self.code = {label: k for k, label in enumerate(labels)}
        found = {labels[k] for k in np.flatnonzero(np.bincount(self.codes, minlength=1))}
        self.names = [*STATUS_OUTPUTS, *sorted(found - set(STATUS_OUTPUTS))]

    def of(self, name: str) -> np.ndarray:
        """Which runs ended with this status."""
        if name not in self.code:
            return np.zeros(len(self.codes), dtype=bool)
        return self.codes == self.code[name]

    def shares(self, runs: np.ndarray | None = None) -> dict:
        """Each status's proportion among the runs picked by the mask `runs` (all: None)."""
        codes = self.codes if runs is None else self.codes[runs]
        counts = np.bincount(codes, minlength=len(self.code))
        return {
            s: proportion(counts[self.code[s]] if s in self.code else 0, len(codes))
            for s in self.names
        }


# -- probabilities across the parameters ----------------------------------------------


def parameter_summary(parameter: Parameter, column: pd.Series, status: Statuses) -> dict:
    """A parameter's bins, each with its run count and status proportions."""
    bins, index = parameter_bins(parameter, column)
    for b, described in enumerate(bins):
        inside = index == b
        described["n"] = int(inside.sum())
        described["status"] = status.shares(inside)
    return {"kind": "values" if parameter.values else "numeric", "bins": bins}


def parameter_bins(parameter: Parameter, column: pd.Series) -> tuple[list[dict], np.ndarray]:
    """The bins of one parameter (label, bounds or value) and each run's bin (-1: none).
    Listed values and numbers with few distinct values get a bin each; a range is cut
    into equal widths, a distribution at its quantiles (equal counts)."""
    if parameter.values:
        index = np.full(len(column), -1, dtype=_bin_type(len(parameter.values)))
        for b, value in enumerate(parameter.values):
            index[matches(column, value)] = b
        return [{"label": _label(v), "value": v} for v in parameter.values], index
    x = column.to_numpy(dtype=float)
    distinct = np.unique(x)
    if len(distinct) <= BINS:
        labels = [_label(int(v) if parameter.integer else float(v)) for v in distinct]
        return (
            [{"label": t, "value": float(v)} for t, v in zip(labels, distinct, strict=True)],
            np.searchsorted(distinct, x).astype(_bin_type(len(distinct))),
        )
    if parameter.distribution == "uniform":
        edges = np.linspace(parameter.low, parameter.high, BINS + 1)
    else:
        edges = np.unique(np.quantile(x, np.linspace(0, 1, BINS + 1)))
    index = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(edges) - 2)
    bins = [
        {"label": f"{_label(lo)}\u2013{_label(hi)}", "low": float(lo), "high": float(hi)}
        for lo, hi in itertools.pairwise(edges)
    ]
    return bins, index.astype(_bin_type(len(bins)))


def _bin_type(count: int) -> type:
    """The smallest signed integer type for bin numbers 0 .. count - 1 and -1 (none): a
    million runs' bins in 1 MB, not 8."""
    return np.int8 if count < 127 else np.int32


def leading_parameters(sweep: Sweep, indices: dict, parameters: dict) -> dict:
    """Parameters ranked by their largest index over the outputs (Sobol ST, or Morris
    mu* in units of the output's standard deviation), else by the spread of
    P(agreement) across their bins."""
    names = [p.path for p in sweep.parameters]
    scores = _index_scores(indices)
    by = {"sobol": "ST", "morris": "mu_star/sd"}.get(indices["method"])
    if scores is None:
        by, scores = "P(agreement) spread", []
        for name in names:
            p = [b["status"]["agreement"]["p"] for b in parameters[name]["bins"] if b["n"]]
            scores.append(max(p) - min(p) if p else 0.0)
    order = sorted(range(len(names)), key=lambda j: (-scores[j], j))
    return {"by": by, "ranking": [{"parameter": names[j], "score": scores[j]} for j in order]}


def _index_scores(indices: dict) -> list[float] | None:
    key = {"sobol": "ST", "morris": "mu_star"}.get(indices["method"])
    per_output = []
    for found in indices["outputs"].values():
        if found.get(key) is None or (key == "mu_star" and not found["sd"]):
            continue
        scale = found["sd"] if key == "mu_star" else 1.0
        per_output.append([(v or 0.0) / scale for v in found[key]])
    if not per_output:
        return None
    return [max(column) for column in zip(*per_output, strict=True)]


def agreement_grid(agreed: np.ndarray, first, second, x: str, y: str) -> dict:
    """P(agreement) with its Wilson interval and run count in every cell of two
    parameters' bins (a row per bin of `y`, a column per bin of `x`); `agreed` marks the
    runs that agreed."""
    (x_bins, x_index), (y_bins, y_index) = first, second
    grid = {
        "x": x,
        "y": y,
        "x_bins": [b["label"] for b in x_bins],
        "y_bins": [b["label"] for b in y_bins],
        "p": [],
        "low": [],
        "high": [],
        "n": [],
    }
    for j in range(len(y_bins)):
        cells = [(x_index == i) & (y_index == j) for i in range(len(x_bins))]
        found = [proportion(agreed[cell].sum(), cell.sum()) for cell in cells]
        for key in ("p", "low", "high"):
            grid[key].append([f[key] for f in found])
        grid["n"].append([int(cell.sum()) for cell in cells])
    return grid


def settled_options(rows: Rows, agreed: np.ndarray, leading: str, binned) -> dict:
    """Per point, the share of each option in the agreements reached (`agreed` marks
    them), overall and per bin of the leading parameter. (A run without agreement settles
    nothing: its `point.` columns hold the last text on the table.) Counted on codes, a
    point at a time."""
    bins, index = binned
    where = index[agreed]
    points = {}
    for column in [c for c in rows.columns if c.startswith("point.")]:
        codes, labels = text_codes(rows[column])
        settled = codes[agreed]
        counts = np.bincount(settled, minlength=len(labels))
        order = sorted(np.flatnonzero(counts), key=lambda k: (-counts[k], labels[k]))
        points[column.removeprefix("point.")] = {
            "agreements": int(agreed.sum()),
            "options": [labels[k] for k in order],
            "share": {labels[k]: counts[k] / len(settled) for k in order},
            "by": leading,
            "bins": [
                _shares(settled[where == b], labels, order) | {"label": bin_["label"]}
                for b, bin_ in enumerate(bins)
            ],
        }
    return points


def labelled_points(scenario: Scenario | None, points: dict) -> dict:
    """The settled options per point with the point's title and its options' labels."""
    return {
        point: {
            "title": point_label(scenario, point),
            **found,
            "labels": {o: option_label(scenario, point, o) for o in found["options"]},
        }
        for point, found in points.items()
    }


def _shares(codes: np.ndarray, labels: list[str], order: list[int]) -> dict:
    n = len(codes)
    counts = np.bincount(codes, minlength=len(labels))
    return {"n": n, "share": {labels[k]: counts[k] / n if n else None for k in order}}


# -- small helpers --------------------------------------------------------------------


def matches(column: pd.Series, value) -> np.ndarray:
    """Which runs used a listed value (CSV parts may hand back 1 for "1", or the reverse)."""
    exact = (column == value).to_numpy(dtype=bool, na_value=False)
    return exact | (as_text(column) == _label(value))


def as_text(column: pd.Series) -> np.ndarray:
    """`column.astype(str)` as an object array that shares one string per distinct value
    (a million rows: 8 MB, not 60 of strings made one by one)."""
    codes, labels = text_codes(column)
    return np.array(labels, dtype=object)[codes]


def text_codes(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """`column.astype(str)` as codes into its distinct texts (values that print alike,
    such as 1 and "1", share one; a missing value is "nan", as astype(str) says)."""
    codes, distinct = pd.factorize(column)
    code_of: dict[str, int] = {}
    recoded = [code_of.setdefault(str(value), len(code_of)) for value in distinct]
    recoded.append(code_of.setdefault("nan", len(code_of)))  # code -1 picks the last
    return np.array(recoded, dtype=np.min_scalar_type(len(code_of)))[codes], list(code_of)


def _label(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float | np.floating):
        return f"{value:.4g}"
    return str(value)
