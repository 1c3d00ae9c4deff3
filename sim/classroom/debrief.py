"""The debrief of a room's game: for each seated student, the outcome against the model's
agent in the same seat over seeds 1-50, where the deal lies against the Pareto frontier
and the Nash and Kalai-Smorodinsky packages, and the rounds in which the student's
answers changed the text. One standalone page (plotly.js inside): it opens offline.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import plotly.graph_objects as go
import plotly.io as pio

from ..analysis import Problem, kalai_smorodinsky, nash_solution, run_efficiency
from ..analysis.bargaining import signatory_frontier
from ..negotiation.runner import RunResult
from ..reporting.narrative import STATUS_WORDS, point_titles
from ..reporting.terminal_summary import efficiency_line
from ..reporting.utility_space import utility_space_figure
from ..scenario.data import Scenario
from .comparison import SEEDS, Comparison, compare, describe


@dataclass(frozen=True)
class SeatDebrief:
    """One student's game: who, against the model in their seat, and where they moved the text."""

    party: str
    name: str
    student: str
    role: str
    comparison: Comparison
    moves: tuple[tuple[int, tuple[str, ...]], ...]  # (round, points the student's answer moved)


def moved_the_text(seat, changed_by_round: dict[int, tuple[str, ...]]) -> list[tuple[int, tuple]]:
    """The rounds whose revision changed points the student pushed the round before (a
    signatory), or that the student's own draft changed (the mediator)."""
    moves = []
    for round_, kind, points in seat.answers:
        if kind == "draft" and points:
            moves.append((round_, tuple(points)))
        elif kind == "reject":
            taken = tuple(p for p in points if p in changed_by_round.get(round_ + 1, ()))
            if taken:
                moves.append((round_ + 1, taken))
    return moves


def seat_debriefs(scenario: Scenario, result: RunResult, seats) -> list[SeatDebrief]:
    """A debrief for every seat a student sat in (the model's runs use seeds 1-50)."""
    rounds = result.model.datacollector.get_model_vars_dataframe()
    changed = {i + 1: tuple(filter(None, code.split(";"))) for i, code in enumerate(rounds.changed)}
    return [
        SeatDebrief(
            seat.party,
            seat.name,
            seat.student,
            seat.role,
            compare(scenario, seat.party, result.outcome, SEEDS),
            tuple(moved_the_text(seat, changed)),
        )
        for seat in seats
        if seat.student
    ]


Row = tuple[str, float, float | None, float | None, float]


def bargaining_rows(result: RunResult) -> list[Row]:
    """(signatory, the deal's utility, the Nash package's, the KS package's, reservation)."""
    scenario, outcome = result.model.spec, result.outcome
    problem = Problem.from_scenario(scenario)
    frontier = signatory_frontier(problem)
    nash, ks = nash_solution(problem, frontier), kalai_smorodinsky(problem, frontier)
    rows = []
    for i, column in enumerate(frontier.columns):
        party = scenario.parties[column]
        rows.append(
            (
                party.name,
                outcome.utilities[party.id],
                None if nash.utilities is None else float(nash.utilities[i]),
                None if ks.utilities is None else float(ks.utilities[i]),
                party.reservation,
            )
        )
    return rows


def results_figure(debriefs: list[SeatDebrief]) -> go.Figure:
    """Each seat's result: the model's 50 runs as dots (spread up and down so that equal
    results stay visible), the student's as a diamond."""
    figure = go.Figure()
    labels = [f"{d.name} ({d.student})" for d in debriefs]
    model_x, model_y = [], []
    for row, d in enumerate(debriefs):
        values = d.comparison.values
        model_x += values
        model_y += [row + 0.3 * ((k * 7919) % 11 / 10 - 0.5) for k in range(len(values))]
    figure.add_trace(
        go.Scatter(
            x=model_x,
            y=model_y,
            mode="markers",
            name=f"the model in the same seat (seeds {SEEDS[0]}-{SEEDS[-1]})",
            marker={"color": "#7f7f7f", "size": 7, "opacity": 0.6},
            hovertemplate="the model: %{x:.3f}<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=[d.comparison.player_value for d in debriefs],
            y=list(range(len(debriefs))),
            mode="markers",
            name="the student",
            marker={"symbol": "diamond", "size": 18, "color": "#d62728"},
            hovertemplate="the student: %{x:.3f}<extra></extra>",
        )
    )
    figure.update_layout(
        template="plotly_white",
        height=180 + 80 * len(debriefs),
        margin={"t": 60, "l": 20, "r": 20, "b": 60},
        xaxis_title="result: the utility of the agreement, or of no deal",
        yaxis={
            "tickvals": list(range(len(debriefs))),
            "ticktext": labels,
            "range": [-0.6, len(debriefs) - 0.4],
            "automargin": True,
        },
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
    )
    return figure


def seat_section(scenario: Scenario, d: SeatDebrief) -> str:
    c = d.comparison
    moves = (
        "; ".join(f"round {r}: {point_titles(scenario, points)}" for r, points in d.moves)
        or f"none: no revision took up a point {d.student} pushed"
    )
    role = "drafted as the mediator" if d.role == "mediator" else "sat at the table"
    return (
        f'<section class="seat" data-party="{escape(d.party)}">'
        f"<h2>{escape(d.name)}: {escape(d.student)}</h2>"
        f"<p>{escape(d.student)} {role}. The game: {escape(describe(c.player, d.party))}.</p>"
        f"<p>The model's {escape(d.name)} in the same seat, seeds 1-50: agreement in "
        f"{c.agreements} of {len(c.seeds)} runs, mean result {c.mean_value:.3f}. "
        f"{escape(d.student)} ranks {c.rank} of {len(c.seeds) + 1}, better than "
        f"{c.better_than} of the model's {len(c.seeds)} runs.</p>"
        f"<p>Rounds in which {escape(d.student)}'s answers changed the text: {escape(moves)}.</p>"
        "</section>"
    )


def bargaining_table(result: RunResult) -> str:
    def cell(value):
        return "-" if value is None else f"{value:.3f}"

    rows = "".join(
        f"<tr><td>{escape(name)}</td><td>{cell(deal)}</td><td>{cell(nash)}</td>"
        f"<td>{cell(ks)}</td><td>{cell(reservation)}</td></tr>"
        for name, deal, nash, ks, reservation in bargaining_rows(result)
    )
    return (
        "<table><tr><th>party</th><th>this text</th><th>Nash package</th>"
        "<th>Kalai-Smorodinsky package</th><th>reservation value (file)</th></tr>"
        f"{rows}</table>"
    )


STYLE = """
body{font-family:system-ui,sans-serif;max-width:1100px;margin:1em auto;padding:0 1em;
font-size:18px;line-height:1.45;color:#222}
h1{font-size:1.6em}h2{font-size:1.25em;margin-bottom:.2em}
table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.3em .8em;
text-align:left}
"""


def debrief_html(scenario: Scenario, result: RunResult, seats) -> str:
    """The whole debrief page, standalone (plotly.js written into it)."""
    debriefs = seat_debriefs(scenario, result, seats)
    outcome = result.outcome
    status = STATUS_WORDS.get(outcome.status, outcome.status)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Debrief: {escape(scenario.title or scenario.name)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Debrief: {escape(scenario.title or scenario.name)}</h1>",
        f"<p id='outcome'><b>{escape(status.capitalize())} in round {outcome.round}.</b> "
        f"{escape(outcome.reason)}</p>",
    ]
    parts += [seat_section(scenario, d) for d in debriefs] or ["<p>No student took a seat.</p>"]
    first = True
    if debriefs:
        parts.append("<h2>Each student against the model in the same seat</h2>")
        parts.append(figure_html(results_figure(debriefs), first))
        first = False
    parts.append("<h2>Where the text lies</h2>")
    line = efficiency_line(run_efficiency(result), scenario)
    parts.append(f"<p>{escape(line[:1].upper() + line[1:])}.</p>")
    parts.append(bargaining_table(result))
    if len(scenario.signatories) >= 2:
        parts.append(figure_html(utility_space_figure(result), first))
    parts.append("</body></html>")
    return "".join(parts)


def figure_html(figure: go.Figure, with_plotlyjs: bool) -> str:
    return pio.to_html(
        figure, full_html=False, include_plotlyjs=with_plotlyjs, config={"displaylogo": False}
    )
