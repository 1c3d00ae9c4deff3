"""The figures of sweep.html: pure functions from a sweep's summary to plotly figures,
named with the summary's labels (`labels.py`). The runs themselves, drawn from the rows,
are in `parallel_coordinates.py`."""

from __future__ import annotations

import math
import textwrap
from html import escape

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .labels import status_label

COLOURS = {
    "agreement": "#2ca02c",
    "no_deal": "#7f7f7f",
    "walkout": "#ff7f0e",
    "escalation": "#d62728",
}
OTHER_COLOURS = ("#9467bd", "#8c564b", "#e377c2", "#17becf")
LAYOUT = {"template": "plotly_white", "margin": {"t": 50, "b": 50, "l": 60, "r": 20}}
# a legend in the figure's top margin, above the panels' titles rather than over them
LEGEND_ON_TOP = {"orientation": "h", "yref": "container", "y": 1, "yanchor": "top", "x": 0}
TOP_WITH_LEGEND = 72  # px of top margin: the legend, then the first row's titles


def status_figure(summary: dict) -> go.Figure:
    """P(status) across the bins of every parameter, with Wilson bands or error bars."""
    names = list(summary["parameters"])
    shown = [s for s in summary["statuses"] if summary["status"][s]["count"]]
    rows, cols, specs = panel_grid(len(names))
    figure = make_subplots(
        rows=rows,
        cols=cols,
        specs=specs,
        subplot_titles=[text(summary["parameters"][n]["label"]) for n in names],
        vertical_spacing=0.25 / rows,
    )
    for k, name in enumerate(names):
        described, at = summary["parameters"][name], panel_at(k)
        bins = described["bins"]
        numeric = described["kind"] == "numeric"
        x = [_centre(b) for b in bins] if numeric else [text(b["label"]) for b in bins]
        for status in shown:
            colour = colour_of(status, summary["statuses"])
            found = [b["status"][status] for b in bins]
            p = [f["p"] for f in found]
            low = [f["low"] for f in found]
            high = [f["high"] for f in found]
            custom = [
                [text(b["label"]), b["n"], lo, hi]
                for b, lo, hi in zip(bins, low, high, strict=True)
            ]
            hover = (
                f"{status_label(status)}: %{{y:.2f}} (%{{customdata[2]:.2f}}\u2013"
                "%{customdata[3]:.2f})<br>%{customdata[0]}, %{customdata[1]} runs<extra></extra>"
            )
            line = go.Scatter(
                x=x,
                y=p,
                name=status_label(status),
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
        if numeric:
            low, high = _bounds(bins)
            spans = all("low" in b for b in bins)  # a range's bins: the axis spans it
            figure.update_xaxes(
                tickformat=number_format(low, high), range=[low, high] if spans else None, **at
            )
        figure.update_yaxes(
            range=[0, 1.02], title_text="probability" if at["col"] == 1 else None, **at
        )
    figure.update_layout(
        height=TOP_WITH_LEGEND + 40 + 280 * rows,
        legend=LEGEND_ON_TOP,
        **(LAYOUT | {"margin": {"t": TOP_WITH_LEGEND, "b": 40, "l": 60, "r": 20}}),
    )
    return figure


def pairs_figure(summary: dict) -> go.Figure:
    """Heatmaps of P(agreement) over the bins of each leading pair: a range's bins on a
    numeric axis (cut at their edges), listed values as categories (those with runs)."""
    pairs = summary["pairs"]
    figure = make_subplots(rows=1, cols=len(pairs), horizontal_spacing=0.16)
    for k, pair in enumerate(pairs, start=1):
        x_axis = _heatmap_axis(
            summary["parameters"][pair["x"]], [sum(c) for c in zip(*pair["n"], strict=True)]
        )
        y_axis = _heatmap_axis(summary["parameters"][pair["y"]], [sum(r) for r in pair["n"]])
        cells = [
            [
                [pair["x_bins"][i], pair["y_bins"][j], pair["low"][j][i], pair["high"][j][i], n]
                for i, n in enumerate(pair["n"][j])
                if i in x_axis["kept"]
            ]
            for j in y_axis["kept"]
        ]
        x_name, y_name = (summary["parameters"][pair[a]]["label"] for a in ("x", "y"))
        figure.add_trace(
            go.Heatmap(
                x=x_axis["at"],
                y=y_axis["at"],
                z=[[pair["p"][j][i] for i in x_axis["kept"]] for j in y_axis["kept"]],
                coloraxis="coloraxis",
                customdata=[[[text(c[0]), text(c[1]), *c[2:]] for c in row] for row in cells],
                xgap=1,
                ygap=1,
                hovertemplate=(
                    f"{text(x_name)}: %{{customdata[0]}}<br>{text(y_name)}: %{{customdata[1]}}"
                    "<br>P(agreement) %{z:.2f} (%{customdata[2]:.2f}\u2013"
                    "%{customdata[3]:.2f}), %{customdata[4]} runs<extra></extra>"
                ),
            ),
            row=1,
            col=k,
        )
        figure.update_xaxes(title_text=wrapped(x_name, 30), **x_axis["axis"], row=1, col=k)
        figure.update_yaxes(title_text=wrapped(y_name, 30), **y_axis["axis"], row=1, col=k)
    figure.update_layout(
        height=440,
        coloraxis={
            "cmin": 0,
            "cmax": 1,
            "colorscale": "Viridis",
            "colorbar": {"title": {"text": "P(agreement)", "side": "right"}},
        },
        **(LAYOUT | {"margin": {"t": 30, "b": 70, "l": 90, "r": 20}}),
    )
    return figure


def options_figure(summary: dict) -> go.Figure:
    """Per point, a heatmap of the share of each option: all agreements, then per bin of
    the leading parameter that holds any (a bin without agreements has nothing to show)."""
    points = {k: p for k, p in summary["points"].items() if len(p["options"]) > 1}
    names = {k: [wrapped(p["labels"][o], 42) for o in p["options"]] for k, p in points.items()}
    heights = [sum(10 + 16 * n.count("<br>") + 16 for n in names[k]) for k in points]
    gap = 70  # px between panels: a point's title and the bins under the one above
    plot = sum(heights) + gap * (len(points) - 1)
    figure = make_subplots(
        rows=len(points),
        cols=1,
        row_heights=heights,
        subplot_titles=[text(p["title"]) for p in points.values()],
        vertical_spacing=gap / plot if len(points) > 1 else 0,
    )
    for k, (point, found) in enumerate(points.items(), start=1):
        columns = [
            {"label": "all agreements", "n": found["agreements"], "share": found["share"]},
            *(b for b in found["bins"] if b["n"]),
        ]
        z = [[c["share"][o] for c in columns] for o in found["options"]]
        custom = [[[c["n"], text(found["labels"][o])] for c in columns] for o in found["options"]]
        figure.add_trace(
            go.Heatmap(
                x=[text(c["label"]) for c in columns],
                y=names[point],
                z=z,
                customdata=custom,
                coloraxis="coloraxis",
                xgap=1,
                ygap=1,
                hovertemplate=(
                    f"{text(found['title'])}: %{{customdata[1]}}<br>%{{x}}: share %{{z:.2f}} "
                    "of %{customdata[0]} agreements<extra></extra>"
                ),
            ),
            row=k,
            col=1,
        )
        figure.update_xaxes(type="category", row=k, col=1)
        figure.update_yaxes(type="category", autorange="reversed", automargin=True, row=k, col=1)
    leading = summary["parameters"][next(iter(points.values()))["by"]]["label"]
    figure.update_xaxes(title_text=text(leading), row=len(points), col=1)
    figure.update_layout(
        height=plot + 140,
        coloraxis={
            "cmin": 0,
            "cmax": 1,
            "colorscale": "Blues",
            # at the top, no taller than a screen: the figure may be thousands of px tall
            "colorbar": {
                "title": {"text": "share"},
                "len": min(1, 600 / plot),
                "y": 1,
                "yanchor": "top",
            },
        },
        **(LAYOUT | {"margin": {"t": 40, "b": 70, "l": 60, "r": 20}}),
    )
    return figure


def indices_figure(summary: dict) -> go.Figure:
    """Horizontal bars of the Sobol (S1, ST) or Morris (mu*, sigma) indices with their
    confidence intervals, one panel per output; the parameters share the vertical axis."""
    indices = summary["indices"]
    outputs = {o: f for o, f in indices["outputs"].items() if has_indices(f)}
    full = indices["parameters"]
    names = [text(summary["parameters"][p]["label"]) for p in full]
    sobol = indices["method"] == "sobol"
    bars = (
        (("S1", "S1_conf", "#1f77b4"), ("ST", "ST_conf", "#ff7f0e"))
        if sobol
        else (("mu_star", "mu_star_conf", "#1f77b4"), ("sigma", None, "#9467bd"))
    )
    rows, cols, specs = panel_grid(len(outputs))
    figure = make_subplots(
        rows=rows,
        cols=cols,
        specs=specs,
        shared_yaxes=True,
        subplot_titles=[text(summary["outputs"][o]["label"]) for o in outputs],
        vertical_spacing=0.25 / rows,
        horizontal_spacing=0.04,
    )
    for k, found in enumerate(outputs.values()):
        at = panel_at(k)
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
                    name=key.replace("mu_star", "mu*"),
                    orientation="h",
                    legendgroup=key,
                    showlegend=k == 0,
                    marker={"color": colour},
                    hovertemplate=hover,
                    customdata=[[n, c] for n, c in zip(names, spread, strict=True)],
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
        figure.update_yaxes(autorange="reversed", automargin=True, **at)
    figure.update_layout(
        barmode="group",
        height=TOP_WITH_LEGEND + 40 + (60 + 45 * len(full)) * rows,
        legend=LEGEND_ON_TOP,
        **(LAYOUT | {"margin": {"t": TOP_WITH_LEGEND, "b": 40, "l": 60, "r": 20}}),
    )
    return figure


def has_indices(found: dict) -> bool:
    return "S1" in found or "mu_star" in found


def panel_grid(count: int) -> tuple[int, int, list[list]]:
    """Rows, columns and `make_subplots` specs for `count` panels two to a row; an odd
    last panel spans its row, so that no cell of the grid is left empty."""
    cols = 2 if count > 1 else 1
    specs = [[{}] * cols for _ in range(count // cols)]
    if count % cols:
        specs.append([{"colspan": 2}, None])
    return len(specs), cols, specs


def panel_at(k: int) -> dict:
    """Where panel k of a `panel_grid` is."""
    return {"row": k // 2 + 1, "col": k % 2 + 1}


def number_format(low: float, high: float, integer: bool = False) -> str:
    """A d3 format for numbers from low to high: as many decimals as two significant
    digits of the span need, trailing zeros trimmed (0.0015, never 0.0015000000000000002);
    none for whole numbers spread over 5 or more."""
    span = abs(high - low) or abs(high) or 1.0
    decimals = 0 if integer and span >= 5 else max(0, 1 - math.floor(math.log10(span)))
    return f",.{decimals}~f"


def text(value) -> str:
    """A label or value as plotly text: its markup characters escaped."""
    return escape(str(value), quote=False)


def wrapped(label: str, width: int) -> str:
    """A long label broken between words onto lines of about `width` characters."""
    return "<br>".join(textwrap.wrap(text(label), width)) or text(label)


def colour_of(status: str, statuses: list[str]) -> str:
    others = [s for s in statuses if s not in COLOURS]
    return COLOURS.get(status) or OTHER_COLOURS[others.index(status) % len(OTHER_COLOURS)]


def _heatmap_axis(described: dict, runs: list[int]) -> dict:
    """One axis of a pair's heatmap: a range's bins by their edges on a numeric axis
    (every bin, as the range has them), or the listed values that have runs."""
    bins = described["bins"]
    if all("low" in b for b in bins):
        edges = [bins[0]["low"], *(b["high"] for b in bins)]
        axis = {"tickformat": number_format(edges[0], edges[-1])}
        return {"kept": list(range(len(bins))), "at": edges, "axis": axis}
    kept = [i for i, n in enumerate(runs) if n]
    return {
        "kept": kept,
        "at": [text(bins[i]["label"]) for i in kept],
        "axis": {"type": "category"},
    }


def _bounds(bins: list[dict]) -> tuple[float, float]:
    first, last = bins[0], bins[-1]
    return first.get("low", first.get("value")), last.get("high", last.get("value"))


def _centre(b: dict) -> float:
    return b["value"] if "value" in b else (b["low"] + b["high"]) / 2


def _fade(colour: str) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},0.18)"


def _gap(a, b):
    return None if a is None or b is None else a - b
