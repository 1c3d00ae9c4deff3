"""A player's turn: what they are shown (the text, where it leaves them) and what they
may answer, read from typed lines and checked against the turn."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..negotiation import text_search as search
from ..negotiation.chair import Answer, LeaveTable
from ..negotiation.tolerance import apart, at_least, below, same
from ..reporting.narrative import joined
from ..scenario.data import Scenario
from ..scenario.errors import did_you_mean

ANSWER_PROMPT = (
    "Your answer: a = accept, r [points] = reject pushing points, q = quit,\n"
    "a N = accept N rounds, auto = the model's agent plays on, ? [point] = options"
)
COUNTER_PROMPT = (
    "Your text: POINT=OPTION changes; Enter keeps the standing text; q = quit, ? = options"
)
CONFIRM_PROMPT = "Table this text? y = yes, n = change it again, q = quit"


class InvalidAnswer(ValueError):
    """An answer the player must give again; the message says why."""


@dataclass(frozen=True)
class FastForward:
    """`a N`: accept this text and, unasked, the next N - 1 that cross no red line of the
    player's; `auto` (rounds None): the party's own rules answer for the rest of the game."""

    rounds: int | None


@dataclass(frozen=True)
class Turn:
    """The text on the table and where it leaves the player's party."""

    scenario: Scenario
    party: str
    round: int
    deadline: int
    text: tuple[int, ...]  # option index per point
    crossed: tuple[str, ...]  # points across the party's red lines
    utility: float
    reservation: float
    ratification: tuple[str, float, float] | None  # (body, its utility, its threshold)
    locked: tuple[str, ...]  # points the protocol fixes

    def label(self, point_id: str) -> str:
        index = self.scenario.point_index(point_id)
        return self.scenario.points[index].options[self.text[index]].label

    def title(self, point_id: str) -> str:
        return self.scenario.points[self.scenario.point_index(point_id)].title


def turn_of(negotiator, text: np.ndarray) -> Turn:
    """The player's view of `text` in the current round."""
    model = negotiator.model
    text = np.asarray(text)
    domestic = negotiator.spec.domestic
    ratification = None
    if domestic is not None:
        ratification = (
            domestic.body,
            negotiator.ratification_utility(text),
            model.ratification_threshold(negotiator),
        )
    crossed = model.red[model.rows, text, negotiator.row]
    return Turn(
        scenario=model.spec,
        party=negotiator.party,
        round=model.steps,
        deadline=model.deadline,
        text=tuple(int(k) for k in text),
        crossed=tuple(model.point_ids[i] for i in np.flatnonzero(crossed)),
        utility=float(search.utilities(model.table, text)[negotiator.row]),
        reservation=negotiator.reservation,
        ratification=ratification,
        locked=tuple(model.point_ids[i] for i in np.flatnonzero(model.locked)),
    )


def text_lines(turn: Turn, before: tuple[int, ...] | None) -> list[str]:
    """The numbered points with their options; * marks a change since `before`, ! a red line."""
    lines = []
    for number, (point, option) in enumerate(zip(turn.scenario.points, turn.text, strict=True), 1):
        mark = "*" if before is not None and before[number - 1] != option else " "
        mark += "!" if point.id in turn.crossed else " "
        lines.append(f" {mark} {number:2d}. {point.title}: {point.options[option].label}")
    return lines


def standing_lines(turn: Turn) -> list[str]:
    """Red lines, utility against reservation value, the ratification test, rounds left."""
    if turn.crossed:
        crossed = ", ".join(f"{turn.title(p)} ('{turn.label(p)}')" for p in turn.crossed)
        red = f"  Your red lines crossed: {crossed}. You cannot accept this text."
    else:
        red = "  Your red lines crossed: none."
    lines = [red, utility_line(turn)]
    if turn.ratification is not None:
        lines.append(ratification_line(turn))
    left = turn.deadline - turn.round
    lines.append(f"  Rounds left after this one: {left} (deadline: round {turn.deadline}).")
    return lines


def utility_line(turn: Turn) -> str:
    worse = (
        "\n  This text is worth LESS to you than no deal."
        if below(turn.utility, turn.reservation)
        else ""
    )
    utility, reservation = apart(turn.utility, turn.reservation, 3)
    return (
        f"  Your utility of this text: {utility}; no deal is worth "
        f"{reservation} to you (your reservation value).{worse}"
    )


def ratification_line(turn: Turn) -> str:
    body, value, threshold = turn.ratification
    would = "would ratify it" if at_least(value, threshold) else "would NOT ratify it"
    judged = turn.scenario.party(turn.party).domestic.points
    titles = ", ".join(map(turn.title, judged))
    shown, needed = apart(value, threshold, 3)
    return f"  Your {body} {would}: it values {titles} at {shown} and needs {needed}."


def influence_line(negotiator) -> str:
    """'This round, support from European allies and pressure from United States moved your
    reservation value by +0.001.'"""
    model = negotiator.model
    # pressure that bites only on rejecters applied if the party rejected last round
    rejected = model.steps > 1 and not negotiator.accepted
    links = [
        (p, k)
        for p in model.spec.parties
        for k in p.influence
        if k.target == negotiator.party and (rejected or not k.while_rejecting)
    ]
    who = " and ".join(f"{k.kind} from {p.name}" for p, k in links) or "influence"
    delta = negotiator.influence_received
    if {k.channel for _, k in links} == {"concession"}:
        what = f"{'hurried' if delta < 0 else 'slowed'} your concessions by {abs(delta):.3f}"
        return f"This round, {who} {what} of the deadline."
    return f"This round, {who} moved your reservation value by {delta:+.3f}."


def points_lines(negotiator) -> list[str]:
    """`?`: one line per point with its weight in the player's utility, the text's option
    and its value to the player, and the player's best option (across no red line)."""
    model, row = negotiator.model, negotiator.row
    values, red, text = model.values[..., row], model.red[..., row], model.text
    best = np.where(model.space.exists & ~red, values, -np.inf).argmax(axis=1)
    now = values[model.rows, text]
    width = max(len(p.title) for p in model.spec.points)
    lines = [
        "  Your points: weight = share of your utility; now = the text's option and its value "
        "to you (0-1); best = your best option; ! = your red line. ? POINT lists its options."
    ]
    for i, point in enumerate(model.spec.points):
        mark = "!" if red[i, text[i]] else " "
        top = values[i, best[i]]
        better = "your best" if same(now[i], top) else f"best {best[i] + 1} ({top:.2f})"
        lines.append(
            f" {mark} {i + 1:2d}. {point.title:<{width}} {model.salience[i, row]:4.0%}"
            f"  now {text[i] + 1} ({now[i]:.2f})  {better}"
        )
    return lines


def options_lines(negotiator, point_ids: list[str]) -> list[str]:
    """Every option of the points given, numbered, with its value to the player, and each
    point's weight in the player's utility."""
    model, scenario = negotiator.model, negotiator.model.spec
    lines = []
    for point_id in point_ids:
        i = scenario.point_index(point_id)
        point = scenario.points[i]
        weight = model.salience[i, negotiator.row]
        lines.append(f"  {i + 1}. {point.title} ({point.id}), {weight:.0%} of your utility:")
        for k, option in enumerate(point.options):
            red = "  RED LINE" if model.red[i, k, negotiator.row] else ""
            value = model.values[i, k, negotiator.row]
            lines.append(f"       {k + 1}. {option.label} ({option.id}): {value:.2f}{red}")
    return lines


# -- what happened: news, the fate of pushed points, a round in one line ------------------------
def news_lines(negotiator, since: int) -> list[str]:
    """What the scenario's events changed for the player after round `since` up to this
    one: the threshold their ratifying body needs."""
    domestic = negotiator.spec.domestic
    now = negotiator.model.steps
    events = [e for e in domestic.events if since < e.round <= now] if domestic else []
    if not events:
        return []
    needs, needed = apart(domestic.threshold_at(now), domestic.threshold_at(since))
    why = "; ".join(e.why for e in events)
    return [
        f"  News: from this round, your {domestic.body} needs {needs} (it needed {needed}): {why}."
    ]


def push_line(negotiator, pushed: tuple[str, ...], named: bool) -> str:
    """Which of the points the player's rejection pushed this round's text changed
    ("Of the points you pushed, the mediator changed Territory and left Sanctions as they
    were.")."""
    model = negotiator.model
    proposer = model.negotiators[model.proposer]
    who = "the mediator" if proposer is model.mediator else proposer.spec.name
    changed = [model.point_title(p) for p in pushed if p in model.changed]
    kept = [model.point_title(p) for p in pushed if p not in model.changed]
    did = [f"changed {joined(changed)}"] if changed else []
    if kept:
        did.append(f"left {joined(kept)} as {'it was' if len(kept) == 1 else 'they were'}")
    whose = "you pushed" if named else "pushed for you (your largest gains)"
    return f"  Of the points {whose}, {who} {' and '.join(did)}."


def round_line(negotiator) -> str:
    """A round the player was not asked, in one line: the text, its utility to the player
    (and no deal's), who accepted it."""
    model = negotiator.model
    text = "first text" if model.steps == 1 else "new text" if model.changed else "text stands"
    utility, reservation = apart(negotiator.utility, negotiator.reservation)
    names = ["you" if s is negotiator else s.spec.name for s in model.signatories if s.accepted]
    mine = "" if negotiator.accepted else f"; you rejected it ({negotiator.why})"
    return (
        f"  Round {model.steps}/{model.deadline}: {text}, {utility} to you "
        f"(no deal {reservation}); accepted by {', '.join(names) or 'nobody'}{mine}."
    )


# -- reading answers -----------------------------------------------------------------------
def by_number_or_id(token: str, ids: list[str], unknown: str) -> int:
    """The index that `token` names, as a number in the list (from 1) or as an id; an
    `InvalidAnswer` saying `unknown` when it names none."""
    if token.isdigit() and 1 <= int(token) <= len(ids):
        return int(token) - 1
    if token.lower() in ids:
        return ids.index(token.lower())
    raise InvalidAnswer(unknown)


def point_index(token: str, scenario: Scenario) -> int:
    """A point by its number in the list (from 1) or its id."""
    ids = [p.id for p in scenario.points]
    unknown = (
        f"No point '{token}'{did_you_mean(token.lower(), ids)}: give its number "
        f"(1-{len(ids)}) or its id (such as {ids[0]})."
    )
    return by_number_or_id(token, ids, unknown)


def option_index(token: str, scenario: Scenario, index: int) -> int:
    """An option of point `index` by its number in the point's list (from 1) or its id."""
    point = scenario.points[index]
    ids = [o.id for o in point.options]
    unknown = (
        f"{point.title} has no option '{token}': give 1-{len(ids)} or one of {', '.join(ids)}."
    )
    return by_number_or_id(token, ids, unknown)


def words(line: str) -> list[str]:
    return line.replace(",", " ").split()


def parse_answer(line: str, turn: Turn) -> Answer:
    """a/accept, r/reject [points to push], q/quit (raises LeaveTable)."""
    tokens = words(line)
    head = tokens[0].lower() if tokens else ""
    if head in ("q", "quit"):
        raise LeaveTable
    if head in ("a", "accept"):
        if len(tokens) > 1:
            raise InvalidAnswer("Accept takes no points: answer a, or r followed by points.")
        if turn.crossed:
            raise InvalidAnswer(
                f"You cannot accept: the text crosses your red line on "
                f"{', '.join(map(turn.title, turn.crossed))}, and a party never accepts a "
                f"text across its red line. Reject it (r) and push that point."
            )
        return Answer(True)
    if head in ("r", "reject"):
        points = [turn.scenario.points[point_index(t, turn.scenario)].id for t in tokens[1:]]
        return Answer(False, tuple(dict.fromkeys(points)))
    said = f"'{line.strip()}' is not an answer" if tokens else "Please answer"
    example = f"r {len(turn.scenario.points)} {turn.scenario.points[0].id}"
    raise InvalidAnswer(f"{said}: a = accept, r = reject (e.g. {example}), q = quit.")


def parse_reply(line: str, turn: Turn) -> Answer | FastForward:
    """At the terminal: an answer as `parse_answer` reads it, or `a N` (accept for N rounds)
    or `auto` (the party's own rules play on)."""
    tokens = words(line)
    head = tokens[0].lower() if tokens else ""
    if head == "auto" and len(tokens) == 1:
        return FastForward(None)
    if head in ("a", "accept") and len(tokens) == 2 and tokens[1].isdigit():
        rounds = int(tokens[1])
        if rounds < 1:
            raise InvalidAnswer("a N accepts for N rounds from this one: give N from 1.")
        answer = parse_answer(head, turn)  # red lines bind as for a single `a`
        return answer if rounds == 1 else FastForward(rounds)
    return parse_answer(line, turn)


def parse_counter(line: str, turn: Turn, space) -> np.ndarray | None:
    """POINT=OPTION changes to the standing text (None for no change); the result must
    keep every link and leave fixed points alone."""
    tokens = words(line)
    if tokens and tokens[0].lower() in ("q", "quit"):
        raise LeaveTable
    scenario = turn.scenario
    text = np.array(turn.text)
    for token in tokens:
        point, sep, option = token.partition("=")
        if not (sep and point and option):
            last = scenario.points[-1]
            raise InvalidAnswer(
                f"'{token}': write POINT=OPTION with numbers or ids, e.g. 1=2 or "
                f"{last.id}={last.options[0].id}; Enter keeps the standing text."
            )
        index = point_index(point, scenario)
        if scenario.points[index].id in turn.locked:
            raise InvalidAnswer(f"{scenario.points[index].title} is fixed by the protocol.")
        text[index] = option_index(option, scenario, index)
    if (text == np.array(turn.text)).all():
        return None
    broken = space.broken_links(text)
    if len(broken):
        raise InvalidAnswer(f"That text breaks a link: {link_sentence(scenario, int(broken[0]))}")
    return text


def link_sentence(scenario: Scenario, index: int) -> str:
    """'if Foreign troops is 'X', How guarantees are enforced must be 'Y' or 'Z'.'"""
    link = scenario.links[index]
    if_point = scenario.points[scenario.point_index(link.if_point)]
    then_point = scenario.points[scenario.point_index(link.then_point)]
    allowed = [f"'{then_point.options[then_point.option_index(o)].label}'" for o in link.allowed]
    condition = if_point.options[if_point.option_index(link.if_option)].label
    return (
        f"if {if_point.title} is '{condition}', {then_point.title} must be {' or '.join(allowed)}."
    )


def parse_yes(line: str) -> bool:
    head = line.strip().lower()
    if head in ("q", "quit"):
        raise LeaveTable
    if head in ("y", "yes", "n", "no"):
        return head.startswith("y")
    raise InvalidAnswer("Answer y (table it), n (change it again) or q (quit).")
