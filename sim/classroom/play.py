"""Play a party: a player takes a signatory's chair; the other parties are the model's agents.

    chair = LineChair(read=input, write=print)
    result = play(scenario, "ukraine", chair, seed=1)

`play` runs the model with the chair in the party's seat (see `sim.negotiation.chair`). `LineChair`
is the player at a terminal, or a script of lines: each round it shows the text and
where it leaves the player, reads an answer, and re-asks until the answer is valid.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..negotiation.chair import Answer, Chair, LeaveTable
from ..negotiation.model import NegotiationModel
from ..negotiation.outcome import Outcome
from ..negotiation.runner import RunResult
from ..reporting.run_folder import run_folder, write_run
from ..scenario.data import Scenario
from ..scenario.errors import did_you_mean
from .player_turn import (
    ANSWER_PROMPT,
    CONFIRM_PROMPT,
    COUNTER_PROMPT,
    InvalidAnswer,
    Turn,
    influence_line,
    options_lines,
    parse_answer,
    parse_counter,
    parse_yes,
    point_index,
    ratification_line,
    standing_lines,
    text_lines,
    turn_of,
    utility_line,
    words,
)

RULE = "-" * 78


class NotPlayable(ValueError):
    """The party named cannot be played (only signatories can)."""


def check_playable(scenario: Scenario, party: str) -> None:
    """Only a signatory's chair can be taken: the mediator and stakeholders do not vote."""
    signatories = [p.id for p in scenario.signatories]
    if party in signatories:
        return
    what = (
        f"{party} is not a signatory"
        if party in [p.id for p in scenario.parties]
        else (f"no party '{party}'{did_you_mean(party, signatories)}")
    )
    raise NotPlayable(f"--as: {what} of {scenario.name}; play one of {', '.join(signatories)}")


def play(scenario: Scenario, party: str, chair: Chair, seed: int | None = None) -> RunResult:
    """Negotiate with `chair` deciding for `party`. After every round but the last the
    chair's `round_over(negotiator)` is called, if it has one."""
    check_playable(scenario, party)
    model = NegotiationModel(scenario, seed, chairs={party: chair})
    round_over = getattr(chair, "round_over", None)
    while model.running:
        model.step()
        if model.running and round_over is not None:
            round_over(model.negotiators[party])
    return RunResult(Outcome.of(model), model)


def play_folder(result: RunResult, party: str, results_root: Path) -> Path:
    """results/<scenario>/play-<party>-seed-<seed>-<digest>: never a model run's folder."""
    folder = run_folder(result, results_root)
    return folder.with_name(f"play-{party}-{folder.name}")


def save_game(
    result: RunResult, party: str, results_root: Path, command_line: list[str]
) -> tuple[Path, OSError | None]:
    """Write the game under `results_root` or, if that fails, under a new temporary
    folder, so that a finished game is never lost: where it went, and why not there."""
    try:
        return write_run(result, play_folder(result, party, results_root), command_line), None
    except OSError as err:
        spare = Path(tempfile.mkdtemp(prefix="negsim-play-"))
        return write_run(result, play_folder(result, party, spare), command_line), err


# -- the player at a terminal -----------------------------------------------------------------
class LineChair:
    """A player who reads the text and types answers: `read(prompt)` returns one line and
    raises EOFError at the end of input (which leaves the table), `write(text)` shows text."""

    def __init__(self, read: Callable[[str], str], write: Callable[[str], None]):
        self.read, self.write = read, write
        self.seen: tuple[int, ...] | None = None  # the text last shown
        self.shown_round = 0  # the round whose text was shown last
        self.tabled_round = 0  # the round in which the player tabled a text of their own
        self.accepted = False  # the player's last answer
        self.heard: list[str] = []  # what happened last round

    # the Chair protocol --------------------------------------------------------------------
    def respond(self, negotiator) -> Answer:
        turn = turn_of(negotiator, negotiator.model.text)
        if self.tabled_round == turn.round:
            self.write("  You tabled this text: you accept it.")
            return self.remember(Answer(True))
        if self.shown_round != turn.round or self.seen != turn.text:
            self.show(negotiator, turn, self.heading(negotiator, turn))
        answer = self.ask(ANSWER_PROMPT, lambda line: parse_answer(line, turn), negotiator)
        return self.remember(answer)

    def propose(self, negotiator, standing: np.ndarray) -> np.ndarray | None:
        turn = turn_of(negotiator, standing)
        self.show(negotiator, turn, f"Round {turn.round} of {turn.deadline}: your turn to propose")
        space = negotiator.model.space
        while True:
            text = self.ask(
                COUNTER_PROMPT, lambda line: parse_counter(line, turn, space), negotiator
            )
            if text is None:
                self.write("  You table the standing text again.")
                return None
            offer = turn_of(negotiator, text)
            if offer.crossed:
                self.write(
                    f"  That text crosses your own red line on "
                    f"{', '.join(map(offer.title, offer.crossed))}: you could never accept it."
                )
                continue
            changed = [
                p for p, a, b in zip(turn.scenario.points, turn.text, text, strict=True) if a != b
            ]
            self.write("  Your text changes:")
            self.write("\n".join(f"    {p.title}: {offer.label(p.id)}" for p in changed))
            self.write(utility_line(offer))
            if offer.ratification is not None:
                self.write(ratification_line(offer))
            if self.ask(CONFIRM_PROMPT, parse_yes, negotiator):
                self.tabled_round = turn.round
                return text

    # between rounds -------------------------------------------------------------------------
    def round_over(self, negotiator) -> None:
        """Remember what the others said and whether the player's acceptance stood."""
        self.heard = []
        for other in negotiator.model.signatories:
            if other is negotiator:
                continue
            if other.accepted:
                self.heard.append(f"{other.spec.name} accepted.")
                continue
            pushed = ", ".join(map(negotiator.model.point_title, other.objections))
            pushing = f"; it pushed {pushed}" if pushed else ""
            self.heard.append(f"{other.spec.name} rejected ({other.why}{pushing}).")
        if self.accepted and not negotiator.accepted:
            self.heard.append(f"Your acceptance did not stand: {negotiator.why}.")

    # helpers -------------------------------------------------------------------------------------
    def remember(self, answer: Answer) -> Answer:
        self.accepted = answer.accept
        return answer

    def heading(self, negotiator, turn: Turn) -> str:
        model = negotiator.model
        proposer = model.negotiators[model.proposer].spec.name if model.proposer else "?"
        if self.seen is None:
            news = f"the first text, tabled by {proposer}"
        elif self.seen != turn.text:
            news = f"{proposer} changed the text (* marks the changes)"
        else:
            news = "the text stands"
        return f"Round {turn.round} of {turn.deadline}: {news}"

    def show(self, negotiator, turn: Turn, heading: str) -> None:
        lines = ["", RULE, heading, RULE]
        if self.heard:
            lines.append("  Last round: " + " ".join(self.heard))
        if abs(negotiator.influence_received) > 1e-12:
            lines.append("  " + influence_line(negotiator))
        lines += text_lines(turn, self.seen) + standing_lines(turn)
        self.write("\n".join(lines))
        self.seen, self.shown_round = turn.text, turn.round

    def ask(self, prompt: str, parse: Callable[[str], object], negotiator):
        """Read until `parse` accepts a line; `?` lists options; end of input leaves."""
        while True:
            try:
                line = self.read(prompt)
            except EOFError:
                self.write("\n  (end of input: you leave the table)")
                raise LeaveTable from None
            if line.strip().startswith("?"):
                self.help(line.strip()[1:], negotiator)
                continue
            try:
                return parse(line)
            except InvalidAnswer as err:
                self.write(f"  {err}")

    def help(self, line: str, negotiator) -> None:
        scenario = negotiator.model.spec
        try:
            indices = [point_index(t, scenario) for t in words(line)]
        except InvalidAnswer as err:
            self.write(f"  {err}")
            return
        points = [scenario.points[i].id for i in indices] or [p.id for p in scenario.points]
        self.write("\n".join(options_lines(negotiator, points)))
