"""Play a party: a player takes a signatory's chair; the other parties are the model's agents.

    chair = LineChair(read=input, write=print)
    result = play(scenario, "ukraine", chair, seed=1)

`play` runs the model with the chair in the party's seat (see `sim.negotiation.chair`). `LineChair`
is the player at a terminal, or a script of lines: each round it shows the text and
where it leaves the player, reads an answer, and re-asks until the answer is valid. With
`a N` or `auto` the player lets rounds pass unasked, each told in one line.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..negotiation.agents import ModelChair
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
    FastForward,
    InvalidAnswer,
    Turn,
    influence_line,
    news_lines,
    options_lines,
    parse_counter,
    parse_reply,
    parse_yes,
    point_index,
    points_lines,
    push_line,
    ratification_line,
    round_line,
    standing_lines,
    text_lines,
    turn_of,
    utility_line,
    words,
)
from .terminal import terminal_width, wrap

RULE_WIDTH = 78  # the rule above and below a round's heading, at most


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
    """Negotiate with `chair` deciding for `party`. After every round the chair's
    `round_over(negotiator)` is called, if it has one."""
    check_playable(scenario, party)
    model = NegotiationModel(scenario, seed, chairs={party: chair})
    round_over = getattr(chair, "round_over", None)
    while model.running:
        model.step()
        if round_over is not None:
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
    raises EOFError at the end of input or KeyboardInterrupt on Ctrl-C (either leaves the
    table); `write(text)` shows text, which is wrapped to `width` columns (by default the
    terminal's, looked up at each write)."""

    def __init__(
        self, read: Callable[[str], str], write: Callable[[str], None], width: int | None = None
    ):
        self.read, self.out, self.width = read, write, width
        self.seen: tuple[int, ...] | None = None  # the text last shown
        self.shown_round = 0  # the round whose text was shown last
        self.tabled_round = 0  # the round in which the player tabled a text of their own
        self.accepted = False  # the player's last answer
        self.heard: list[str] = []  # what happened last round
        self.told_round = 1  # news up to this round has been told (round 1's is in its text)
        self.pushed: tuple[str, ...] = ()  # the points the player's rejection last round pushed
        self.named = False  # whether the player named them (else the party's own ranking did)
        self.accept_until = 0  # `a N`: accept, unasked, every text up to this round
        self.unasked_round = 0  # the latest round answered without asking the player
        self.stand_in: ModelChair | None = None  # `auto`: the party's own rules answer

    # the Chair protocol --------------------------------------------------------------------
    def respond(self, negotiator) -> Answer:
        turn = turn_of(negotiator, negotiator.model.text)
        if self.stand_in is not None:
            return self.unasked(negotiator, self.stand_in.respond(negotiator))
        if self.tabled_round == turn.round:
            self.write("  You tabled this text: you accept it.")
            return self.remember(Answer(True))
        if self.accept_until >= turn.round:
            if not turn.crossed:
                return self.unasked(negotiator, Answer(True))
            self.accept_until = 0
            self.write(f"\n  Round {turn.round}: the text crosses your red line; you answer it.")
        if self.shown_round != turn.round or self.seen != turn.text:
            self.show(negotiator, turn, self.heading(negotiator, turn))
        reply = self.ask(ANSWER_PROMPT, lambda line: parse_reply(line, turn), negotiator)
        if isinstance(reply, FastForward):
            return self.fast_forward(negotiator, reply)
        self.named = bool(reply.objections)
        return self.remember(reply)

    def propose(self, negotiator, standing: np.ndarray) -> np.ndarray | None:
        if self.stand_in is not None:
            self.unasked(negotiator)
            return self.stand_in.propose(negotiator, standing)
        turn = turn_of(negotiator, standing)
        if self.accept_until >= turn.round:  # accepting on: the standing text stays
            self.unasked(negotiator)
            return None
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
        """Remember what the others said, whether the player's acceptance stood and what
        their rejection pushed; a round the player was not asked is told in one line."""
        unasked = self.unasked_round == negotiator.model.steps
        if unasked:
            self.write(round_line(negotiator))
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
        self.pushed = () if unasked or self.accepted else negotiator.objections

    # helpers -------------------------------------------------------------------------------------
    def write(self, text: str) -> None:
        self.out(wrap(text, self.columns()))

    def columns(self) -> int:
        return self.width or terminal_width()

    def remember(self, answer: Answer) -> Answer:
        self.accepted = answer.accept
        return answer

    def unasked(self, negotiator, answer: Answer | None = None) -> Answer | None:
        """Answer (or propose) without asking the player, who still hears the round's news."""
        self.unasked_round = negotiator.model.steps
        if news := self.news(negotiator):
            self.write("\n".join(news))
        return None if answer is None else self.remember(answer)

    def fast_forward(self, negotiator, reply: FastForward) -> Answer:
        """`a N` accepts this text and the next N - 1 unasked; `auto` hands the chair to the
        party's own rules (`ModelChair`) for the rest of the game."""
        if reply.rounds is None:
            self.stand_in = ModelChair()
            self.write("  Your party's own rules (the model's agent) answer from now on.")
            return self.unasked(negotiator, self.stand_in.respond(negotiator))
        model = negotiator.model
        self.accept_until = min(model.steps + reply.rounds - 1, model.deadline)
        self.write(
            f"  You accept every text up to round {self.accept_until} that crosses none of "
            "your red lines. Each round in one line: its text, your utility of it (and of no "
            "deal), who accepted it."
        )
        return self.unasked(negotiator, Answer(True))

    def news(self, negotiator) -> list[str]:
        """This round's news, if not told yet: each is told once, in the round it comes."""
        lines = news_lines(negotiator, self.told_round)
        self.told_round = negotiator.model.steps
        return lines

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
        rule = "-" * min(RULE_WIDTH, self.columns())
        lines = ["", rule, heading, rule]
        if self.heard:
            lines.append("  Last round: " + " ".join(self.heard))
        if self.pushed and negotiator.model.proposer != negotiator.party:
            lines.append(push_line(negotiator, self.pushed, self.named))
        self.pushed = ()
        lines += self.news(negotiator)
        if abs(negotiator.influence_received) > 1e-12:
            lines.append("  " + influence_line(negotiator))
        lines += text_lines(turn, self.seen) + standing_lines(turn)
        self.write("\n".join(lines))
        self.seen, self.shown_round = turn.text, turn.round

    def ask(self, prompt: str, parse: Callable[[str], object], negotiator):
        """Read until `parse` accepts a line; `?` lists the points, `? POINT` a point's
        options; end of input or Ctrl-C leaves the table."""
        while True:
            try:
                line = self.read(wrap(prompt, self.columns()))
            except EOFError:
                self.write("\n  (end of input: you leave the table)")
                raise LeaveTable from None
            except KeyboardInterrupt:
                self.write("\n  (Ctrl-C: you leave the table)")
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
        if not indices:
            self.write("\n".join(points_lines(negotiator)))
            return
        self.write("\n".join(options_lines(negotiator, [scenario.points[i].id for i in indices])))
