"""report.html: one self-contained page per run (plotly.js embedded, no network needed).

Figures and table rows are pure functions of the run; `write_report` only assembles HTML.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from ..negotiation.tolerance import apart, below
from .belief_figure import belief_caption, belief_figure, belief_title
from .figure_style import report_layout
from .narrative import narrative, option_label, split_ids
from .utility_space import utility_space_figure

LINES = {  # trace -> (colour, dash)
    "utility": ("#1f77b4", "solid"),
    "aspiration": ("#ff7f0e", "dash"),
    "reservation": ("#d62728", "dot"),
}
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       color: #222; line-height: 1.45; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.6rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.crossed td, td.below { background: #fde2e2; }
.status { font-weight: bold; text-transform: uppercase; }
.reason { font-size: 1.1rem; }
"""
UTILITY_SPACE_CAPTION = (
    "Every dot is one possible text, placed by what it is worth to the first two "
    "signatories: the first along the bottom, the second up the side. Grey dots are a "
    "sample of valid texts that cross neither side's red lines. The green line is the "
    "Pareto frontier: the texts where one side can gain only if the other loses; a text "
    "below and to the left of it leaves value on the table for both. The diamond and "
    "the square mark the Nash and Kalai-Smorodinsky packages, two classic answers to "
    "what a fair deal would be. The thin red lines mark the reservation values (dashed at "
    "the start, dotted at the end of the run); only texts above and to the right of both are "
    "better than no deal for both sides. The blue path follows the text on the table "
    "round by round (hover for the round), and the star, labelled with the outcome, is "
    "where the talks ended."
)


def trajectory_figure(result) -> go.Figure:
    """One panel per signatory: its utility of each round's text, with its aspiration and
    reservation value (the concession trajectories), sharing the round axis."""
    scenario = result.model.spec
    signatories = scenario.signatories
    table = result.rounds
    figure = make_subplots(
        rows=len(signatories),
        cols=1,
        shared_xaxes=True,
        subplot_titles=[escape(p.name) for p in signatories],
        vertical_spacing=0.3 / max(len(signatories), 1),
    )
    for row, party in enumerate(signatories, start=1):
        own = table[table["party"] == party.id].sort_values("round")
        for column, (colour, dash) in LINES.items():
            figure.add_trace(
                go.Scatter(
                    x=own["round"],
                    y=own[column],
                    name=column,
                    legendgroup=column,
                    showlegend=row == 1,
                    mode="lines+markers" if column == "utility" else "lines",
                    line={"color": colour, "dash": dash},
                    hovertemplate=f"{party.name}: {column} %{{y:.3f}} in round %{{x}}"
                    "<extra></extra>",
                ),
                row=row,
                col=1,
            )
        figure.update_yaxes(title_text="utility", range=[0, 1.05], row=row, col=1)
    figure.update_xaxes(
        title_text="round",
        dtick=1 if len(table["round"].unique()) <= 30 else None,
        row=len(signatories),
        col=1,
    )
    legend_y = -0.08 if len(signatories) > 1 else -0.2
    return report_layout(figure, height=120 + 220 * len(signatories), top=40, legend_y=legend_y)


def objection_counts(result) -> dict[str, dict[str, int]]:
    """point -> {signatory: rounds in which it named that point among its objections}."""
    scenario = result.model.spec
    counts = {p.id: {} for p in scenario.points}
    signatories = {p.id for p in scenario.signatories}
    for party, cell in zip(result.rounds["party"], result.rounds["objections"], strict=True):
        if party not in signatories:
            continue
        for point in split_ids(cell):
            counts[point][party] = counts[point].get(party, 0) + 1
    return counts


def agreement_rows(result) -> list[dict]:
    """One row per point of the final text: its option, who objected to the point in how
    many rounds, and whose red lines the final option crosses."""
    scenario = result.model.spec
    outcome = result.outcome
    counts = objection_counts(result)
    order = [p.id for p in scenario.signatories]
    rows = []
    for point in scenario.points:
        option = outcome.package[point.id]
        rows.append(
            {
                "point_id": point.id,
                "point": point.title,
                "option_id": option,
                "option": option_label(scenario, point.id, option),
                "objections": {p: counts[point.id][p] for p in order if p in counts[point.id]},
                "red_lines": [
                    p for p, crossed in outcome.red_lines_crossed.items() if point.id in crossed
                ],
            }
        )
    return rows


def header_html(result) -> str:
    """Title, status, round, reason, and each party's utility against its reservation."""
    scenario, outcome = result.model.spec, result.outcome
    rows = []
    for party in scenario.parties:
        utility, reservation = outcome.utilities[party.id], outcome.reservations[party.id]
        short = party.is_signatory and below(utility, reservation)
        shown, worth = apart(utility, reservation, 3)
        rows.append(
            f"<tr><td>{escape(party.name)}</td><td>{escape(party.role)}</td>"
            f"<td class='num{' below' if short else ''}'>{shown}</td>"
            f"<td class='num'>{worth}</td></tr>"
        )
    return (
        f"<h1>{escape(scenario.title or scenario.name)}</h1>\n"
        f"<p><span class='status'>{escape(outcome.status.replace('_', ' '))}</span> in round "
        f"{outcome.round} (scenario {escape(scenario.name)}, seed {outcome.seed}, "
        f"{escape(outcome.protocol)} protocol)</p>\n"
        f"<p class='reason'>{escape(outcome.reason)}</p>\n"
        "<table><tr><th>party</th><th>role</th><th>utility of the text</th>"
        "<th>reservation value</th></tr>\n" + "\n".join(rows) + "</table>"
    )


def agreement_html(result) -> str:
    scenario = result.model.spec
    lines = [
        "<table><tr><th>point</th><th>final option</th><th>objections (rounds)</th>"
        "<th>red line crossed</th></tr>"
    ]
    for row in agreement_rows(result):
        objections = (
            ", ".join(f"{scenario.party(p).name} ({n})" for p, n in row["objections"].items())
            or "none"
        )
        crossed = ", ".join(scenario.party(p).name for p in row["red_lines"]) or "no"
        css = " class='crossed'" if row["red_lines"] else ""
        lines.append(
            f"<tr{css}><td>{escape(row['point'])}</td><td>{escape(row['option'])}</td>"
            f"<td>{escape(objections)}</td><td>{escape(crossed)}</td></tr>"
        )
    return "\n".join([*lines, "</table>"])


def figure_html(figure: go.Figure, div_id: str, with_plotlyjs: bool) -> str:
    """A figure as a <div>; the first one on the page carries plotly.js inline. A fixed
    div id keeps the page the same for the same run."""
    return pio.to_html(
        figure,
        include_plotlyjs=with_plotlyjs,
        include_mathjax=False,
        full_html=False,
        div_id=div_id,
        config={"displaylogo": False},
    )


def beliefs_html(result) -> str:
    """The belief section; empty when the author of each text knew every utility exactly."""
    figure = belief_figure(result)
    if figure is None:
        return ""
    scenario = result.model.spec
    return "\n".join(
        [
            f"<h2>{escape(belief_title(scenario))}</h2>",
            f"<p>{belief_caption(scenario)}</p>",
            figure_html(figure, "beliefs", with_plotlyjs=False),
        ]
    )


def utility_space_html(result) -> str:
    """The utility-space section; empty with a single signatory (nothing to plot against)."""
    if len(result.model.spec.signatories) < 2:
        return ""
    return "\n".join(
        [
            "<h2>The texts in utility space</h2>",
            f"<p>{UTILITY_SPACE_CAPTION}</p>",
            figure_html(utility_space_figure(result), "utility-space", with_plotlyjs=False),
        ]
    )


def report_html(result) -> str:
    """The whole page: header, (a) trajectories, beliefs (unless exact) and utility space,
    (b) agreement table, (c) narrative."""
    scenario = result.model.spec
    story = "\n".join(f"<li>{escape(line)}</li>" for line in narrative(result))
    return "\n".join(
        [
            "<!DOCTYPE html>",
            "<html lang='en'><head><meta charset='utf-8'>",
            f"<title>{escape(scenario.title or scenario.name)}: negsim report</title>",
            f"<style>{STYLE}</style></head><body>",
            header_html(result),
            "<h2>Concession trajectories</h2>",
            "<p>Each signatory's utility of the text on the table, round by round, against what "
            "it still asks for (aspiration) and what no deal is worth to it (reservation value)."
            "</p>",
            figure_html(trajectory_figure(result), "trajectories", with_plotlyjs=True),
            beliefs_html(result),
            utility_space_html(result),
            "<h2>The agreement, point by point</h2>"
            if result.outcome.status == "agreement"
            else "<h2>The last text, point by point</h2>",
            agreement_html(result),
            "<h2>Round by round</h2>",
            f"<ul class='narrative'>\n{story}\n</ul>",
            "</body></html>\n",
        ]
    )


def write_report(result, path: Path) -> None:
    """Write the run's report as one HTML file that opens without a network."""
    Path(path).write_text(report_html(result), encoding="utf-8")
