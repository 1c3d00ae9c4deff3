"""What a room's pages show, as plain data (JSON-ready dicts) made from the model: the
text on the table, a closed round, a party's own values, and a student's question.

The room's thread calls these while the model stands still; the pages only read the
copies, so no page ever sees a model half-way through a round.
"""

from __future__ import annotations

import numpy as np

from ..reporting.narrative import STATUS_WORDS
from ..scenario.data import Scenario
from .player_turn import Turn, link_sentence, standing_lines


def table_view(model) -> dict:
    """The standing text, point by point, with what the latest revision changed."""
    spec = model.spec
    proposer = model.negotiators[model.proposer].spec.name if model.proposer else ""
    return {
        "round": model.steps,
        "deadline": model.deadline,
        "proposer": proposer,
        "status": STATUS_WORDS.get(model.status, model.status),
        "reason": model.reason,
        "points": [
            {
                "id": point.id,
                "title": point.title,
                "option": point.options[k].id,
                "label": point.options[k].label,
                "changed": point.id in model.changed,
                "fixed": bool(model.locked[i]),
            }
            for i, (point, k) in enumerate(zip(spec.points, model.text, strict=True))
        ],
    }


def round_entry(model, seats: dict) -> dict:
    """A closed round: who tabled what, each signatory's answer, and how the talks stand."""
    titles = [model.point_title(p) for p in model.changed]
    answers = []
    for negotiator in model.signatories:
        seat = seats.get(negotiator.party)
        answers.append(
            {
                "name": negotiator.spec.name,
                "student": seat.student if seat else "",
                "accepted": negotiator.accepted,
                "why": negotiator.why,
                "pushed": [model.point_title(p) for p in negotiator.objections],
            }
        )
    proposer = model.negotiators[model.proposer].spec.name
    return {
        "round": model.steps,
        "proposer": proposer,
        "changed": titles,
        "answers": answers,
        "status": STATUS_WORDS.get(model.status, model.status) if not model.running else "",
        "reason": model.reason,
    }


def round_sentence(entry: dict) -> str:
    """'Round 3: United States changed Territory. Ukraine accepted; Russia rejected
    (below its aspiration), pushing Sanctions.'"""
    if entry["round"] == 1:
        opening = f"{entry['proposer']} tabled the first text"
    elif entry["changed"]:
        opening = f"{entry['proposer']} changed {', '.join(entry['changed'])}"
    else:
        opening = f"{entry['proposer']} left the text as it stood"
    said = []
    for answer in entry["answers"]:
        who = answer["name"] + (f" ({answer['student']})" if answer["student"] else "")
        if answer["accepted"]:
            said.append(f"{who} accepted")
        else:
            pushing = f", pushing {', '.join(answer['pushed'])}" if answer["pushed"] else ""
            said.append(f"{who} rejected ({answer['why']}){pushing}")
    ending = f" {entry['reason']}" if entry["status"] else ""
    return f"Round {entry['round']}: {opening}. {'; '.join(said)}.{ending}"


def own_values(model, party: str) -> dict:
    """A party's values: each point's weight in its utility and each option's value,
    red lines marked; its reservation value at the start."""
    negotiator = model.negotiators[party]
    row = negotiator.row
    points = []
    for i, point in enumerate(model.spec.points):
        points.append(
            {
                "id": point.id,
                "title": point.title,
                "weight": round(float(model.salience[i, row]), 4),
                "options": [
                    {
                        "id": option.id,
                        "label": option.label,
                        "value": round(float(model.values[i, k, row]), 3),
                        "red": bool(model.red[i, k, row]),
                    }
                    for k, option in enumerate(point.options)
                ],
            }
        )
    return {"party": party, "name": negotiator.spec.name, "points": points}


def question_view(turn: Turn, kind: str) -> dict:
    """A student's question: the lines `negsim play` shows under the text (red lines,
    utility against reservation value, ratification, rounds left) and what may be answered."""
    view = {
        "kind": kind,
        "round": turn.round,
        "lines": [line.strip() for line in standing_lines(turn) for line in line.split("\n")],
        "crossed": list(turn.crossed),
        "utility": round(turn.utility, 3),
        "reservation": round(turn.reservation, 3),
        "fixed": list(turn.locked),
    }
    if kind != "answer":
        view["links"] = [link_sentence(turn.scenario, i) for i in range(len(turn.scenario.links))]
    return view


def crossed_by(scenario: Scenario, red: np.ndarray, party: str, text: np.ndarray) -> list[str]:
    """The titles of the points on which `text` crosses the party's red lines."""
    column = [p.id for p in scenario.parties].index(party)
    rows = np.arange(len(scenario.points))
    return [scenario.points[i].title for i in np.flatnonzero(red[rows, text, column])]
