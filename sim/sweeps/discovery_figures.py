"""The figures of scenario discovery on sweep.html, pure functions of one case's entry of
summary.json ("discovery"): the peeling trajectory (coverage against density), the
chosen box drawn over each parameter's whole range, and the feature scores."""

from __future__ import annotations

from html import escape

import plotly.graph_objects as go

from .discovery import limit_phrase

CHOSEN = "#d62728"
TRAJECTORY = "#1f77b4"


def case_heading(entry: dict) -> str:
    """'When does it end in agreement?'"""
    if entry["case"] == "status=agreement":
        return "When does it end in agreement?"
    return f"When does it end with {entry['words']}?"


def box_phrases(entry: dict, limits: dict) -> list[str]:
    """Each restricted parameter of a box in words."""
    said = []
    for parameter, limit in limits.items():
        kept = frozenset(limit["values"]) if "values" in limit else (limit["low"], limit["high"])
        label = entry["labels"].get(parameter, parameter)
        said.append(limit_phrase(label, kept, entry["ranges"][parameter]))
    return said


def tradeoff_figure(entry: dict) -> go.Figure:
    """Coverage against density of every box on the peeling trajectory of the first box;
    hover shows the box; the chosen box is marked."""
    box = entry["boxes"][0]
    steps = box["trajectory"]
    hover = [
        f"box {k}: {len(step['limits'])} limits<br>"
        + "<br>".join(box_phrases(entry, step["limits"]))
        for k, step in enumerate(steps)
    ]
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=[s["coverage"] for s in steps],
            y=[s["density"] for s in steps],
            mode="lines+markers",
            name="boxes, peeled one step at a time",
            marker={
                "color": [len(s["limits"]) for s in steps],
                "colorscale": "Blues",
                "cmin": 0,
                "showscale": True,
                "size": 8,
                "colorbar": {"title": {"text": "limits"}, "thickness": 12},
            },
            line={"color": TRAJECTORY, "width": 1},
            text=hover,
            hovertemplate="%{text}<br>coverage %{x:.0%}, density %{y:.0%}<extra></extra>",
        )
    )
    chosen = steps[box["chosen"]]
    figure.add_trace(
        go.Scatter(
            x=[chosen["coverage"]],
            y=[chosen["density"]],
            mode="markers",
            name="the chosen box",
            marker={"symbol": "star", "size": 16, "color": CHOSEN},
            hoverinfo="skip",
        )
    )
    figure.update_layout(
        template="plotly_white",
        height=420,
        margin={"t": 40, "b": 50, "l": 70, "r": 20},
        xaxis={
            "title": {"text": "coverage: share of all such runs inside the box"},
            "tickformat": ".0%",
            "range": [0, 1.02],
        },
        yaxis={"title": {"text": "density: share of the box's runs"}, "tickformat": ".0%"},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
    )
    return figure


def box_figure(entry: dict) -> go.Figure:
    """The chosen box as ranges over each parameter's whole range (0 to 100% of it): grey
    where the box leaves the parameter free, red where it restricts it."""
    limits = entry["boxes"][0]["limits"]
    figure = go.Figure()
    labels, lows, widths, colours, texts = [], [], [], [], []
    for parameter, whole in entry["ranges"].items():
        labels.append(entry["labels"].get(parameter, parameter))
        limit = limits.get(parameter)
        if limit is None or "values" in limit or whole[1] == whole[0]:
            kept = "free" if limit is None else ", ".join(limit.get("values", []))
            lows.append(0.0)
            widths.append(1.0)
            colours.append("#cccccc" if limit is None else CHOSEN)
            texts.append(kept)
            continue
        span = whole[1] - whole[0]
        lows.append((limit["low"] - whole[0]) / span)
        widths.append((limit["high"] - limit["low"]) / span)
        colours.append(CHOSEN)
        texts.append(box_phrases(entry, {parameter: limit})[0])
    figure.add_trace(
        go.Bar(
            y=labels,
            x=widths,
            base=lows,
            orientation="h",
            marker={"color": colours},
            text=texts,
            hovertemplate="%{text}<extra></extra>",
            showlegend=False,
        )
    )
    figure.update_layout(
        template="plotly_white",
        height=120 + 40 * len(labels),
        margin={"t": 20, "b": 50, "l": 20, "r": 20},
        xaxis={
            "title": {"text": "share of the parameter's range in the sweep"},
            "tickformat": ".0%",
            "range": [0, 1],
        },
        yaxis={"automargin": True, "autorange": "reversed"},
        bargap=0.35,
    )
    return figure


def scores_figure(entry: dict) -> go.Figure:
    """Each parameter's feature score for the case (extra-trees), largest first."""
    scores = entry["feature_scores"]
    names = list(scores)
    figure = go.Figure(
        go.Bar(
            x=[scores[n] for n in names],
            y=[entry["labels"].get(n, n) for n in names],
            orientation="h",
            marker={"color": TRAJECTORY},
            hovertemplate="%{y}: %{x:.3f}<extra></extra>",
        )
    )
    figure.update_layout(
        template="plotly_white",
        height=120 + 40 * len(names),
        margin={"t": 20, "b": 50, "l": 20, "r": 20},
        xaxis={"title": {"text": "feature score (mean decrease in impurity, sums to 1)"}},
        yaxis={"automargin": True, "autorange": "reversed"},
    )
    return figure


def rules_html(entry: dict) -> str:
    """The tree's leaves where the case holds in most runs, and the further boxes."""
    parts = []
    for box in entry["boxes"][1:]:
        parts.append(
            f"<p>Next box, on the runs the first leaves out: {escape(box['sentence'])}</p>"
        )
    if entry["rules"]:
        items = "".join(
            f"<li>{escape(rule['text'])}: {rule['density']:.0%} of {rule['runs']:,} runs</li>"
            for rule in entry["rules"]
        )
        parts.append(
            f"<p>A classification tree's rules (depth 3) where it holds most:</p><ul>{items}</ul>"
        )
    quasi = entry["boxes"][0]["quasi_p"] if entry["boxes"] else {}
    if quasi:
        listed = ", ".join(
            f"{escape(entry['labels'].get(p, p))} {value:.2g}" for p, value in quasi.items()
        )
        parts.append(
            "<p>Quasi-p-values of the chosen box's limits (small: the limit matters): "
            f"{listed}.</p>"
        )
    return "\n".join(parts)


TRADEOFF_CAPTION = (
    "PRIM (Friedman and Fisher 1999) peels the space of the parameters a sliver at a time, "
    "keeping the part where the case is densest: each dot is a box on the way, from the "
    "whole space (coverage 100%, density the overall share) to the smallest. Coverage is "
    "the share of all the runs with the case that lie in the box; density the share of the "
    "box's runs that have it. The star is the box the sentence describes: the densest that "
    "still covers at least half of the cases. Hover for a box's limits."
)
SCORES_CAPTION = (
    "How much each parameter helps tell the runs with the case from the others: the mean "
    "decrease in impurity over 100 extremely randomised trees (the EMA workbench's feature "
    "scores; they sum to 1)."
)


def discovery_sections(summary: dict):
    """(div id, heading, caption, figure, html after it) for every case of interest."""
    for k, entry in enumerate(summary.get("discovery", [])):
        heading = case_heading(entry)
        if not entry["boxes"]:
            yield f"case{k}", heading, entry["sentence"], None, ""
            continue
        caption = entry["sentence"] + " The box, over each parameter's range in the sweep:"
        yield f"case{k}-box", heading, caption, box_figure(entry), ""
        title = f"{heading[:-1]}: coverage against density"
        figure, after = tradeoff_figure(entry), rules_html(entry)
        yield f"case{k}-tradeoff", title, TRADEOFF_CAPTION, figure, after
        if entry["feature_scores"]:
            title = f"{heading[:-1]}: which parameters matter"
            yield f"case{k}-scores", title, SCORES_CAPTION, scores_figure(entry), ""
