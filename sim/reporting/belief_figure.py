"""The belief figure: what the author of each text believed it gave each signatory, against
what it really gave it, round by round.

A pure function of the run, like the other figures of the report. Under the mediated
protocol the author is always the mediator; under alternating offers it is the round's
proposer.
"""

from __future__ import annotations

from html import escape

import numpy as np
import plotly.graph_objects as go
from plotly.colors import hex_to_rgb, qualitative

from ..negotiation.tolerance import TOLERANCE
from .figure_style import report_layout

TRACES = {  # role -> the end of the trace's name (the legend entry is "<party>: <this>")
    "truth": "true utility",
    "believed": "believed",
    "band": "belief ± 1 sd",
    "reservation": "reservation value",
}


def belief_author(scenario) -> str:
    """Whose beliefs the figure shows: 'mediator' or 'proposer'."""
    return "proposer" if scenario.protocol.name == "alternating" else "mediator"


def belief_title(scenario) -> str:
    return f"What the {belief_author(scenario)} believed"


def belief_caption(scenario) -> str:
    """What the figure shows, in the words of this run's protocol."""
    author = belief_author(scenario)
    drafter = (
        "the mediator, who can only guess what it is worth to the signatories"
        if author == "mediator"
        else "the round's proposer, who knows what it is worth to itself but can only guess "
        "what it is worth to the others"
    )
    learning = (
        f"The {author} learns from every acceptance, rejection and objection: the dashed "
        "line moves toward the solid one and the band narrows. A gap that stays is one the "
        "verdicts did not reveal."
        if scenario.protocol.learning
        else f"In this run the {author} does not listen, so its beliefs stay as they started."
    )
    return (
        f"The text on the table is drafted by {drafter}. For each signatory, in its own "
        "colour: the solid line is what the text really gives it, the dashed line what the "
        f"{author} believed it gives it, in a shaded band of one standard deviation either "
        f"side (how unsure the {author} was), and the dotted line its reservation value. "
        f"{learning}"
    )


def signatory_rows(result, party_id: str):
    """The party's rows of the round table, by round."""
    table = result.rounds
    return table[table["party"] == party_id].sort_values("round")


def beliefs_exact(result) -> bool:
    """Did the author know every signatory's utility of every text exactly (no doubt, no
    error), as with no belief noise?"""
    for party in result.model.spec.signatories:
        own = signatory_rows(result, party.id)
        if (own["belief_sd"].abs() > TOLERANCE).any():
            return False
        if ((own["believed_utility"] - own["utility"]).abs() > TOLERANCE).any():
            return False
    return True


def rgba(colour: str, alpha: float) -> str:
    red, green, blue = hex_to_rgb(colour)
    return f"rgba({red}, {green}, {blue}, {alpha})"


def band_outline(rounds, believed, sd) -> tuple[list, list]:
    """The ±1 sd band as one closed shape: along the top, then back along the bottom."""
    xs = list(rounds) + list(reversed(rounds))
    ys = [b + s for b, s in zip(believed, sd, strict=True)]
    ys += [b - s for b, s in zip(reversed(believed), reversed(sd), strict=True)]
    return xs, ys


def belief_figure(result) -> go.Figure | None:
    """One colour per signatory: its true utility of the standing text (solid), the
    utility the text's author believed it had (dashed) in a band of ±1 belief_sd, and
    its reservation value (dotted). None when the beliefs were exact throughout."""
    if beliefs_exact(result):
        return None
    scenario = result.model.spec
    author = belief_author(scenario)
    figure = go.Figure()
    for index, party in enumerate(scenario.signatories):
        colour = qualitative.D3[index % len(qualitative.D3)]
        name = escape(party.name)
        own = signatory_rows(result, party.id)
        rounds = [int(r) for r in own["round"]]
        believed = [float(v) for v in own["believed_utility"]]
        sd = [float(v) for v in own["belief_sd"]]
        band_x, band_y = band_outline(rounds, believed, sd)
        common = {"legendgroup": party.id}
        figure.add_trace(
            go.Scatter(
                x=band_x,
                y=band_y,
                name=f"{name}: {TRACES['band']}",
                fill="toself",
                fillcolor=rgba(colour, 0.18),
                line={"width": 0},
                mode="lines",
                hoverinfo="skip",
                **common,
            )
        )
        lines = (
            ("truth", list(own["utility"]), {"dash": "solid"}, "utility %{y:.3f}"),
            (
                "believed",
                believed,
                {"dash": "dash"},
                f"the {author} believed %{{y:.3f}} ± %{{customdata:.3f}}",
            ),
            (
                "reservation",
                list(own["reservation"]),
                {"dash": "dot", "width": 1.5},
                "reservation value %{y:.3f}",
            ),
        )
        for role, values, style, hover in lines:
            figure.add_trace(
                go.Scatter(
                    x=rounds,
                    y=values,
                    customdata=np.array(sd),
                    name=f"{name}: {TRACES[role]}",
                    mode="lines+markers" if role == "truth" else "lines",
                    marker={"size": 5},
                    line={"color": colour, **style},
                    hovertemplate=f"{name}: {hover} in round %{{x}}<extra></extra>",
                    **common,
                )
            )
    many = len(result.rounds["round"].unique()) > 30
    figure.update_xaxes(title_text="round", dtick=None if many else 1)
    figure.update_yaxes(title_text="utility")
    return report_layout(figure, height=460, top=30, legend_y=-0.2)
