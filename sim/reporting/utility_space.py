"""The utility-space figure: two signatories' utilities of every kind of text at once.

A pure function of the run, like the other figures of the report: a sample of the valid
texts, the exact Pareto frontier, the Nash and Kalai-Smorodinsky packages, the
reservation values at the start and at the end, the standing text round by round and
the outcome.
"""

from __future__ import annotations

from html import escape

import numpy as np
import plotly.graph_objects as go

from ..analysis import Problem, kalai_smorodinsky, nash_solution, pareto_frontier
from .figure_style import report_layout
from .narrative import STATUS_WORDS

N_SAMPLES = 2000
SEED = 0  # a fixed sample keeps the page the same for the same run
GIVE_UP_AFTER = 200  # draws with none mended: the links leave too few valid texts to sample
TRACES = {  # role -> trace name (the legend entry)
    "cloud": "valid texts (sample)",
    "frontier": "Pareto frontier",
    "nash": "Nash package",
    "ks": "Kalai-Smorodinsky package",
    "start": "reservation values at the start",
    "end": "reservation values at the end",
    "path": "standing text, round by round",
    "outcome": "outcome",
}


def sample_packages(
    problem: Problem, columns: list[int], n: int = N_SAMPLES, seed: int = SEED
) -> np.ndarray:
    """Up to `n` distinct valid packages crossing none of these parties' red lines: each
    point's option drawn uniformly among the allowed ones, then links repaired."""
    allowed = problem.allowed(columns)
    if not allowed.any(axis=1).all():
        return np.zeros((0, problem.space.n_points), dtype=int)
    rng = np.random.default_rng(seed)
    drawn = np.stack(
        [np.flatnonzero(row)[rng.integers(row.sum(), size=n)] for row in allowed], axis=1
    )
    preference = np.where(allowed, 0.0, -1.0)  # repair tries the allowed options first
    locked = np.zeros(problem.space.n_points, dtype=bool)
    locked[list(problem.fixed)] = True
    # a sample is worth little search: a draw that a short repair cannot mend is dropped,
    # and when a tangle of links leaves the first draws all unmended, so are the rest
    steps = 2 * len(problem.space.linked_points) + 10
    kept = []
    for tried, package in enumerate(drawn):
        if tried == GIVE_UP_AFTER and not kept:
            break
        if not problem.space.is_valid(package):
            package = problem.space.repair(package, preference, locked, steps)
        if package is not None and allowed[np.arange(len(package)), package].all():
            kept.append(package)
    if not kept:
        return np.zeros((0, problem.space.n_points), dtype=int)
    return np.unique(np.array(kept), axis=0)


def utility_space_figure(result) -> go.Figure:
    """The first two signatories' utilities (x = first, y = second) of sampled valid
    texts, the Pareto frontier, the Nash and KS packages, the reservation values, the
    path of the standing text and the outcome. Needs two signatories."""
    scenario, outcome = result.model.spec, result.outcome
    if len(scenario.signatories) < 2:
        raise ValueError("the utility space needs two signatories")
    problem = Problem.from_scenario(scenario)
    columns = problem.signatories[:2]
    parties = [scenario.parties[c] for c in columns]
    names = [escape(p.name) for p in parties]
    axis_label = f"{names[0]} %{{x:.3f}}, {names[1]} %{{y:.3f}}"
    frontier = pareto_frontier(problem, columns)
    nash, ks = nash_solution(problem, frontier), kalai_smorodinsky(problem, frontier)
    figure = go.Figure()

    packages = sample_packages(problem, columns)
    cloud = problem.utility[np.arange(problem.space.n_points), packages][..., columns].sum(1)
    figure.add_trace(
        go.Scatter(
            x=cloud[:, 0],
            y=cloud[:, 1],
            name=TRACES["cloud"],
            mode="markers",
            marker={"color": "#c8c8c8", "size": 4},
            hovertemplate=f"a valid text: {axis_label}<extra></extra>",
        )
    )

    order = np.argsort(frontier.utilities[:, 0], kind="stable")
    figure.add_trace(
        go.Scatter(
            x=frontier.utilities[order, 0],
            y=frontier.utilities[order, 1],
            name=TRACES["frontier"],
            mode="lines+markers",
            line={"color": "#2ca02c"},
            marker={"size": 5},
            text=[differences(problem, frontier.packages[i], nash.package) for i in order],
            hovertemplate=f"Pareto-efficient text: {axis_label}<br>%{{text}}<extra></extra>",
        )
    )

    for role, found, symbol, size in (  # KS open and larger: the two often nearly coincide
        ("ks", ks, "square-open", 16),
        ("nash", nash, "diamond", 11),
    ):
        if found.package is None:
            continue
        figure.add_trace(
            go.Scatter(
                x=[found.utilities[0]],
                y=[found.utilities[1]],
                name=TRACES[role],
                mode="markers",
                marker={"symbol": symbol, "size": size, "color": "#9467bd", "line": {"width": 2}},
                hovertemplate=f"{TRACES[role]}: {axis_label}<br>product of gains "
                f"{found.product:.4f}<extra></extra>",
            )
        )

    start = problem.reservations[columns]
    end = [outcome.reservations[p.id] for p in parties]
    for role, values, dash in (("start", start, "dash"), ("end", end, "dot")):
        figure.add_trace(
            go.Scatter(
                x=[values[0], values[0], None, 0, 1],
                y=[0, 1, None, values[1], values[1]],
                name=TRACES[role],
                mode="lines",
                line={"color": "#d62728", "dash": dash, "width": 1.5},
                hovertemplate=f"{TRACES[role]}: {names[0]} {values[0]:.3f}, "
                f"{names[1]} {values[1]:.3f}<extra></extra>",
            )
        )

    table = result.rounds
    path = [table[table["party"] == p.id].sort_values("round") for p in parties]
    figure.add_trace(
        go.Scatter(
            x=path[0]["utility"],
            y=path[1]["utility"],
            name=TRACES["path"],
            mode="lines+markers",
            line={"color": "#1f77b4", "width": 1},
            marker={"size": 5},
            customdata=path[0]["round"],
            hovertemplate=f"round %{{customdata}}: {axis_label}<extra></extra>",
        )
    )

    status = STATUS_WORDS.get(outcome.status, outcome.status)
    figure.add_trace(
        go.Scatter(
            x=[outcome.utilities[parties[0].id]],
            y=[outcome.utilities[parties[1].id]],
            name=f"{TRACES['outcome']}: {status}",
            mode="markers",
            marker={"symbol": "star", "size": 20, "color": "#ff7f0e", "line": {"width": 1}},
            hovertemplate=f"{status} in round {outcome.round}: {axis_label}<extra></extra>",
        )
    )
    figure.add_annotation(  # up and right of the star: no valid text lies beyond the frontier
        x=outcome.utilities[parties[0].id],
        y=outcome.utilities[parties[1].id],
        text=f"{status}, round {outcome.round}",
        ax=85,
        ay=-40,
        bgcolor="white",
        bordercolor="#ff7f0e",
        arrowcolor="#ff7f0e",
    )

    figure.update_xaxes(title_text=f"{names[0]}'s utility", range=[0, 1.02], constrain="domain")
    figure.update_yaxes(
        title_text=f"{names[1]}'s utility", range=[0, 1.02], scaleanchor="x", scaleratio=1
    )
    return report_layout(figure, height=680, top=20, legend_y=-0.12)


def differences(problem: Problem, package: np.ndarray, reference: np.ndarray | None) -> str:
    """'differs from the Nash package on: Territory, Sanctions' (hover text, escaped)."""
    if reference is None:
        return ""
    changed = np.flatnonzero(package != reference)
    if len(changed) == 0:
        return "the Nash package"
    titles = [escape(problem.scenario.points[i].title) for i in changed]
    lines = [", ".join(titles[i : i + 3]) for i in range(0, len(titles), 3)]
    return "differs from the Nash package on:<br>" + ",<br>".join(lines)
