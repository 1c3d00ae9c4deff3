"""The figures of sweep.html: pure functions from a sweep's summary (and, for the runs
themselves, its rows) to plotly figures."""

from __future__ import annotations

import math
from html import escape

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .spec import Parameter, Sweep
from .store import Rows, in_run_order, take_runs
from .summary import matches

RUNS_SHOWN = 5000  # parallel coordinates draw at most this many runs (a fixed sample)
COLOURS = {
    "agreement": "#2ca02c",
    "no_deal": "#7f7f7f",
    "walkout": "#ff7f0e",
    "escalation": "#d62728",
}
OTHER_COLOURS = ("#9467bd", "#8c564b", "#e377c2", "#17becf")
LAYOUT = {"template": "plotly_white", "margin": {"t": 50, "b": 50, "l": 60, "r": 20}}


def status_figure(summary: dict) -> go.Figure:
    """P(status) across the bins of every parameter, with Wilson bands or error bars."""
    names = list(summary["parameters"])
    shown = [s for s in summary["statuses"] if summary["status"][s]["count"]]
    rows = math.ceil(len(names) / 2)
    figure = make_subplots(
        rows=rows,
        cols=2 if len(names) > 1 else 1,
        subplot_titles=[escape(n) for n in names],
        vertical_spacing=0.25 / rows,
    )
    for k, name in enumerate(names):
        described, at = summary["parameters"][name], {"row": k // 2 + 1, "col": k % 2 + 1}
        bins = described["bins"]
        numeric = described["kind"] == "numeric"
        x = [_centre(b) for b in bins] if numeric else [escape(b["label"]) for b in bins]
        for status in shown:
            colour = _colour(status, summary["statuses"])
            found = [b["status"][status] for b in bins]
            p = [f["p"] for f in found]
            low = [f["low"] for f in found]
            high = [f["high"] for f in found]
            custom = [
                [escape(b["label"]), b["n"], lo, hi]
                for b, lo, hi in zip(bins, low, high, strict=True)
            ]
            hover = (
                f"{status}: %{{y:.2f}} (%{{customdata[2]:.2f}}\u2013%{{customdata[3]:.2f}})"
                "<br>%{customdata[0]}, %{customdata[1]} runs<extra></extra>"
            )
            line = go.Scatter(
                x=x,
                y=p,
                name=status,
                legendgroup=status,
                showlegend=k == 0,
                mode="lines+markers" if numeric else "markers",
                line={"color": colour},
                customdata=custom,
                hovertemplate=hover,
            )
            if numeric:
                for bound, fill in ((high, None), (low, "tonexty")):
                    figure.add_trace(
                        go.Scatter(
                            x=x,
                            y=bound,
                            mode="lines",
                            line={"width": 0},
                            fill=fill,
                            fillcolor=_fade(colour),
                            showlegend=False,
                            legendgroup=status,
                            hoverinfo="skip",
                        ),
                        **at,
                    )
            else:
                line.error_y = {
                    "type": "data",
                    "symmetric": False,
                    "color": colour,
                    "array": [_gap(hi, v) for hi, v in zip(high, p, strict=True)],
                    "arrayminus": [_gap(v, lo) for v, lo in zip(p, low, strict=True)],
                }
            figure.add_trace(line, **at)
        figure.update_yaxes(range=[0, 1.02], title_text="probability" if k % 2 == 0 else None, **at)
    figure.update_layout(height=120 + 280 * rows, legend={"orientation": "h", "y": -0.12}, **LAYOUT)
    return figure


def pairs_figure(summary: dict) -> go.Figure:
    """Heatmaps of P(agreement) over the bins of each leading pair."""
    pairs = summary["pairs"]
    figure = make_subplots(rows=1, cols=len(pairs), horizontal_spacing=0.12)
    for k, pair in enumerate(pairs, start=1):
        custom = [
            [[lo, hi, n] for lo, hi, n in zip(*cells, strict=True)]
            for cells in zip(pair["low"], pair["high"], pair["n"], strict=True)
        ]
        figure.add_trace(
            go.Heatmap(
                x=[escape(b) for b in pair["x_bins"]],
                y=[escape(b) for b in pair["y_bins"]],
                z=pair["p"],
                coloraxis="coloraxis",
                customdata=custom,
                xgap=1,
                ygap=1,
                hovertemplate=(
                    f"{escape(pair['x'])}: %{{x}}<br>{escape(pair['y'])}: %{{y}}<br>"
                    "P(agreement) %{z:.2f} (%{customdata[0]:.2f}\u2013"
                    "%{customdata[1]:.2f}), %{customdata[2]} runs<extra></extra>"
                ),
            ),
            row=1,
            col=k,
        )
        label = short_labels([pair["x"], pair["y"]])
        figure.update_xaxes(title_text=escape(label[pair["x"]]), type="category", row=1, col=k)
        figure.update_yaxes(title_text=escape(label[pair["y"]]), type="category", row=1, col=k)
    figure.update_layout(
        height=420,
        coloraxis={
            "cmin": 0,
            "cmax": 1,
            "colorscale": "Viridis",
            "colorbar": {"title": {"text": "P(agr.)"}},
        },
        **LAYOUT,
    )
    return figure


def options_figure(summary: dict) -> go.Figure:
    """Per point, a heatmap of the share of each option: all agreements, then per bin."""
    points = {k: p for k, p in summary["points"].items() if len(p["options"]) > 1}
    heights = [max(len(p["options"]), 1) for p in points.values()]
    figure = make_subplots(
        rows=len(points),
        cols=1,
        row_heights=heights,
        subplot_titles=[escape(p) for p in points],
        vertical_spacing=min(0.3 / len(points), 0.08),
    )
    for k, (point, found) in enumerate(points.items(), start=1):
        columns = [
            {"label": "all agreements", "n": found["agreements"], "share": found["share"]},
            *found["bins"],
        ]
        x = [escape(c["label"]) for c in columns]
        z = [[c["share"][o] for c in columns] for o in found["options"]]
        custom = [[c["n"] for c in columns] for _ in found["options"]]
        figure.add_trace(
            go.Heatmap(
                x=x,
                y=[escape(o) for o in found["options"]],
                z=z,
                customdata=custom,
                coloraxis="coloraxis",
                xgap=1,
                ygap=1,
                hovertemplate=(
                    f"{escape(point)} = %{{y}}<br>%{{x}}: share %{{z:.2f}} of "
                    "%{customdata} agreements<extra></extra>"
                ),
            ),
            row=k,
            col=1,
        )
        figure.update_xaxes(type="category", row=k, col=1)
        figure.update_yaxes(type="category", autorange="reversed", row=k, col=1)
    leading = next(iter(points.values()))["by"]
    figure.update_xaxes(title_text=escape(leading), row=len(points), col=1)
    figure.update_layout(
        height=120 + 28 * sum(heights) + 60 * len(points),
        coloraxis={
            "cmin": 0,
            "cmax": 1,
            "colorscale": "Blues",
            "colorbar": {"title": {"text": "share"}},
        },
        **LAYOUT,
    )
    return figure


def runs_figure(sweep: Sweep, rows: Rows, statuses: list[str]) -> go.Figure:
    """Parallel coordinates of (a fixed sample of) the runs: parameters, then the numeric
    outputs, then the status, each line coloured by its status."""
    rows = in_run_order(rows)
    if len(rows) > RUNS_SHOWN:
        keep = np.sort(np.random.default_rng(0).choice(len(rows), RUNS_SHOWN, replace=False))
    else:
        keep = np.arange(len(rows))
    outputs = [o for o in sweep.outputs if o in rows.columns and o != "status"]
    rows = take_runs(rows, keep, [*(p.path for p in sweep.parameters), *outputs, "status"])
    label = short_labels([*(p.path for p in sweep.parameters), *outputs])
    dimensions = [_dimension(p, rows[p.path], label[p.path]) for p in sweep.parameters]
    dimensions += [{"label": escape(label[o]), "values": _floats(rows[o])} for o in outputs]
    code = rows["status"].astype(str).map({s: k for k, s in enumerate(statuses)}).to_numpy()
    dimensions.append(
        {
            "label": "status",
            "values": code.tolist(),
            "tickvals": list(range(len(statuses))),
            "ticktext": statuses,
            "range": [-0.5, len(statuses) - 0.5],
        }
    )
    # a stepped colour scale: status k owns [k, k+1) of [0, number of statuses]
    scale, n = [], len(statuses)
    for k, status in enumerate(statuses):
        colour = _colour(status, statuses)
        scale += [[k / n, colour], [(k + 1) / n, colour]]
    figure = go.Figure(
        go.Parcoords(
            dimensions=dimensions,
            labelangle=-15,
            line={"color": (code + 0.5).tolist(), "colorscale": scale, "cmin": 0, "cmax": n},
        )
    )
    figure.update_layout(height=480, **(LAYOUT | {"margin": {"t": 90, "b": 30, "l": 80, "r": 80}}))
    return figure


def indices_figure(summary: dict) -> go.Figure:
    """Horizontal bars of the Sobol (S1, ST) or Morris (mu*, sigma) indices with their
    confidence intervals, one panel per output; the parameters share the vertical axis."""
    indices = summary["indices"]
    outputs = {o: f for o, f in indices["outputs"].items() if has_indices(f)}
    full = indices["parameters"]
    names = [escape(t) for t in short_labels(full).values()]
    sobol = indices["method"] == "sobol"
    bars = (
        (("S1", "S1_conf", "#1f77b4"), ("ST", "ST_conf", "#ff7f0e"))
        if sobol
        else (("mu_star", "mu_star_conf", "#1f77b4"), ("sigma", None, "#9467bd"))
    )
    rows, cols = math.ceil(len(outputs) / 2), 2 if len(outputs) > 1 else 1
    figure = make_subplots(
        rows=rows,
        cols=cols,
        shared_yaxes=True,
        subplot_titles=[escape(o) for o in outputs],
        vertical_spacing=0.25 / rows,
        horizontal_spacing=0.04,
    )
    for k, found in enumerate(outputs.values()):
        at = {"row": k // 2 + 1, "col": k % 2 + 1}
        for key, conf, colour in bars:
            error = {"type": "data", "array": found[conf]} if conf else None
            spread = found[conf] if conf else [None] * len(full)
            hover = (
                f"%{{customdata[0]}}<br>{key} %{{x:.3f}}"
                + (" \u00b1 %{customdata[1]:.3f}" if conf else "")
                + "<extra></extra>"
            )
            figure.add_trace(
                go.Bar(
                    y=names,
                    x=found[key],
                    error_x=error,
                    name=key,
                    orientation="h",
                    legendgroup=key,
                    showlegend=k == 0,
                    marker={"color": colour},
                    hovertemplate=hover,
                    customdata=[[escape(n), c] for n, c in zip(full, spread, strict=True)],
                ),
                **at,
            )
        if sobol:
            reach = [
                v + (c or 0)
                for v, c in zip(found["ST"], found["ST_conf"], strict=True)
                if v is not None
            ]
            low = min(
                0,
                *(
                    v - (c or 0)
                    for v, c in zip(found["S1"], found["S1_conf"], strict=True)
                    if v is not None
                ),
            )
            figure.update_xaxes(range=[low - 0.05, max(1, *reach) + 0.05], **at)
        figure.update_yaxes(autorange="reversed", **at)
    figure.update_layout(
        barmode="group",
        height=100 + (60 + 45 * len(full)) * rows,
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        **(LAYOUT | {"margin": {"t": 80, "b": 40, "l": 60, "r": 20}}),
    )
    return figure


def _dimension(p: Parameter, column: pd.Series, label: str) -> dict:
    label = escape(label)
    if not p.values:
        return {"label": label, "values": _floats(column)}
    codes = np.full(len(column), np.nan)
    for k, value in enumerate(p.values):
        codes[matches(column, value)] = k
    return {
        "label": label,
        "values": codes.tolist(),
        "tickvals": list(range(len(p.values))),
        "ticktext": [escape(str(v)) for v in p.values],
        "range": [-0.5, len(p.values) - 0.5],
    }


def has_indices(found: dict) -> bool:
    return "S1" in found or "mu_star" in found


def short_labels(paths: list[str]) -> dict[str, str]:
    """The shortest tails of dotted paths (two parts at least) that tell them apart, for
    axis labels that must stay short: `parties.usa.reservation` -> `usa.reservation`."""
    for depth in range(2, max((len(p.split(".")) for p in paths), default=2) + 1):
        labels = {p: ".".join(p.split(".")[-depth:]) for p in paths}
        if len(set(labels.values())) == len(paths):
            return labels
    return {p: p for p in paths}


def _centre(b: dict) -> float:
    return b["value"] if "value" in b else (b["low"] + b["high"]) / 2


def _colour(status: str, statuses: list[str]) -> str:
    others = [s for s in statuses if s not in COLOURS]
    return COLOURS.get(status) or OTHER_COLOURS[others.index(status) % len(OTHER_COLOURS)]


def _fade(colour: str) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},0.18)"


def _gap(a, b):
    return None if a is None or b is None else a - b


def _floats(column: pd.Series) -> list:
    return [None if math.isnan(v) else v for v in column.to_numpy(dtype=float).tolist()]
