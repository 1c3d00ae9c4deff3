"""The runs of a sweep as parallel coordinates, one line a run. Past RUNS_SHOWN runs the
figure draws a fixed sample in which every ending keeps its share: ten thousand lines
or more would be one blot, and a million would make the page hundreds of MB."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .figures import LAYOUT, colour_of, number_format, text, wrapped
from .labels import output_label, parameter_labels, status_label
from .spec import Parameter, Sweep
from .store import Rows, in_run_order, take_runs
from .summary import matches, text_codes

RUNS_SHOWN = 2000  # the most runs drawn
SAMPLE_SEED = 0  # the same sample on every rebuild of the page
LABEL_WIDTH = 16  # characters per line of an axis's label, up to FLAT_LABELS axes
FLAT_LABELS = 9  # past this many axes, each label is one line at 45 degrees, which never meet


def runs_figure(
    sweep: Sweep, rows: Rows, statuses: list[str], labels: dict[str, str] | None = None
) -> go.Figure:
    """Parallel coordinates of (a sample of) the runs: parameters, then the numeric
    outputs, then the ending, each line coloured by its ending. `labels` names the
    parameters and outputs (by default, from their paths alone)."""
    rows = in_run_order(rows)
    paths = [p.path for p in sweep.parameters]
    outputs = [o for o in sweep.outputs if o in rows.columns and o != "status"]
    labels = labels or parameter_labels(None, paths) | {o: output_label(None, o) for o in outputs}
    every_ending = status_numbers(rows["status"], statuses)
    keep = sample_runs(every_ending, RUNS_SHOWN)
    found = np.unique(every_ending)  # the ending axis lists only the endings some run had
    ending = np.searchsorted(found, every_ending[keep])
    names = [statuses[k] for k in found]
    rows = take_runs(rows, keep, [*paths, *outputs])
    angled = len(paths) + len(outputs) + 1 > FLAT_LABELS
    shown = {
        name: text(labels[name]) if angled else wrapped(labels[name], LABEL_WIDTH)
        for name in [*paths, *outputs]
    }
    dimensions = [_dimension(p, rows[p.path], shown[p.path]) for p in sweep.parameters]
    dimensions += [_output_dimension(rows[o], shown[o], o == "round") for o in outputs]
    dimensions.append(
        {
            "label": "ending",
            "values": ending.tolist(),
            "tickvals": list(range(len(names))),
            "ticktext": [text(status_label(s)) for s in names],
            "range": [-0.5, len(names) - 0.5],
        }
    )
    # a stepped colour scale: ending k owns [k, k+1) of [0, number of endings]
    scale, n = [], len(names)
    for k, status in enumerate(names):
        colour = colour_of(status, statuses)
        scale += [[k / n, colour], [(k + 1) / n, colour]]
    figure = go.Figure(
        go.Parcoords(
            dimensions=dimensions,
            labelangle=45 if angled else 0,
            labelside="bottom",  # a label of several lines grows down, clear of the axis
            line={"color": (ending + 0.5).tolist(), "colorscale": scale, "cmin": 0, "cmax": n},
        )
    )
    # an angled label reaches down some 4.5 px a character
    below = 40 + round(4.5 * max(len(labels[name]) for name in shown)) if angled else 100
    figure.update_layout(
        title={"text": shown_title(len(keep), len(every_ending)), "x": 0, "xref": "paper"},
        height=480 + below,
        **(LAYOUT | {"margin": {"t": 80, "b": below, "l": 80, "r": 100}}),
    )
    return figure


def sample_runs(ending: np.ndarray, shown: int) -> np.ndarray:
    """The sorted positions of at most `shown` runs, drawn with a fixed seed within each
    ending (`ending`: a number per run) in proportion to its count, so that each keeps its
    share: the quotas rounded down, the places left over to the largest remainders, and
    one place, taken from the largest quota, for an ending too rare for any."""
    if len(ending) <= shown:
        return np.arange(len(ending))
    counts = np.bincount(ending)
    quota = counts * shown / len(ending)
    take = np.floor(quota).astype(int)
    take[np.argsort(take - quota, kind="stable")[: shown - take.sum()]] += 1
    for rare in np.flatnonzero((counts > 0) & (take == 0)):
        take[np.argmax(take)] -= 1
        take[rare] = 1
    rng = np.random.default_rng(SAMPLE_SEED)
    drawn = [
        rng.choice(np.flatnonzero(ending == k), size, replace=False)
        for k, size in enumerate(take)
        if size
    ]
    return np.sort(np.concatenate(drawn))


def status_numbers(column: pd.Series, statuses: list[str]) -> np.ndarray:
    """Each run's ending as its place in `statuses` (which holds every ending found)."""
    codes, texts = text_codes(column)
    place = {status: k for k, status in enumerate(statuses)}
    return np.array([place.get(t, -1) for t in texts])[codes]  # -1: a text no run holds


def shown_title(shown: int, runs: int) -> str:
    """The figure's title: how many of the runs it draws."""
    if shown == runs:
        return f"All {runs:,} runs"
    return f"{shown:,} of {runs:,} runs shown (a fixed sample; each ending keeps its share)"


def _dimension(p: Parameter, column: pd.Series, label: str) -> dict:
    if not p.values:
        values = _floats(column)
        bounded = p.distribution in ("uniform", "truncnormal", "triangular")
        low, high = (p.low, p.high) if bounded else _extent(values)
        return {
            "label": label,
            "values": values,
            "range": [low, high],
            "tickformat": number_format(low, high, p.integer),
        }
    codes = np.full(len(column), np.nan)
    for k, value in enumerate(p.values):
        codes[matches(column, value)] = k
    return {
        "label": label,
        "values": codes.tolist(),
        "tickvals": list(range(len(p.values))),
        "ticktext": [text(v) for v in p.values],
        "range": [-0.5, len(p.values) - 0.5],
    }


def _output_dimension(column: pd.Series, label: str, integer: bool) -> dict:
    values = _floats(column)
    dimension = {"label": label, "values": values}
    if any(v is not None for v in values):
        low, high = _extent(values)
        dimension["tickformat"] = number_format(low, high, integer)
    return dimension


def _extent(values: list) -> tuple[float, float]:
    known = [v for v in values if v is not None]
    return (min(known), max(known)) if known else (0.0, 1.0)


def _floats(column: pd.Series) -> list:
    return [None if np.isnan(v) else v for v in column.to_numpy(dtype=float).tolist()]
