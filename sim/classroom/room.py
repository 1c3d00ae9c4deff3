"""A room: one negotiation whose chairs students take from their own browsers.

The model runs in a thread of its own. Every signatory's chair (and, under the mediated
protocol, the mediator's) is a `RoomChair`: while no student sits in it, it answers as
the party's own rules would (`ModelChair`); while one does, it asks the room, which
waits until that student has answered or the teacher's round timer has run out. A round
closes when every seated student has answered. The model still applies what binds any
party: red lines and ratification bind students as they bind agents.

Pages never touch the running model: the model's thread writes what each seat is shown
(`sim.classroom.room_views`) under the room's lock, and the pages read those copies.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from ..negotiation.agents import ModelChair
from ..negotiation.chair import Answer, LeaveTable
from ..negotiation.model import NegotiationModel
from ..negotiation.outcome import Outcome
from ..negotiation.runner import RunResult
from ..scenario.data import Scenario
from . import room_views as views
from .player_turn import InvalidAnswer, parse_answer, parse_counter, turn_of

WAIT = 0.1  # seconds between looks at the clock while a chair waits for its student
NAME_LENGTH = 40
AGENT = object()  # what `Room.ask` returns when no student is asked: the agent decides


class RoomReset(Exception):
    """The teacher reset the room: unwinds the running round of the old game."""


@dataclass
class Seat:
    """One chair of the table and the student in it ("" while the party's agent sits)."""

    party: str
    name: str  # the party's name
    role: str  # "signatory" or "mediator"
    student: str = ""
    token: str = ""  # the student's key to the seat, kept by their browser
    answer: tuple | None = None  # (round, kind, value) of the student's latest answer
    last_answer: Answer | None = None  # kept when the round timer runs out
    tabled_round: int = 0  # the round in which the student tabled a counter-text
    # (round, "accept" | "reject" | "draft", the points pushed or changed) per answer
    answers: list[tuple[int, str, tuple[str, ...]]] = field(default_factory=list)

    def public(self) -> dict:
        return {"party": self.party, "name": self.name, "role": self.role, "student": self.student}


@dataclass
class Question:
    """What the table waits for: `kind` is "answer" (every seated signatory responds to the
    text), "counter" (a signatory proposes, alternating offers) or "draft" (the mediator)."""

    round: int
    kind: str
    asked: tuple[str, ...]  # the parties whose students are asked
    turns: dict  # party -> Turn, the view each was given
    deadline: float | None  # time.monotonic() when the timer ends, None without a timer
    answered: set[str] = field(default_factory=set)


class Room:
    """A game of one scenario at one seed, with its seats, its timer and its record."""

    def __init__(self, scenario: Scenario, code: str, seed: int = 1, timer: float | None = None):
        self.scenario, self.code, self.seed, self.timer = scenario, code, seed, timer
        self.lock = threading.Condition()
        self.seats = {p.id: Seat(p.id, p.name, "signatory") for p in scenario.signatories}
        mediator = scenario.protocol.mediator
        if mediator and scenario.protocol.name == "mediated":
            self.seats[mediator] = Seat(mediator, scenario.party(mediator).name, "mediator")
        self.generation = 0  # a reset starts the next one
        self.reset_state()

    def reset_state(self) -> None:
        """A game not yet started: its model built (the opening text, each party's values)
        and every seat's answers forgotten."""
        chairs = {party: RoomChair(self, party, self.generation) for party in self.seats}
        self.model = NegotiationModel(self.scenario, self.seed, chairs=chairs)
        self.values = {p.id: views.own_values(self.model, p.id) for p in self.scenario.parties}
        self.phase = "waiting"  # waiting -> playing -> ended
        self.paused = False
        self.paused_at = 0.0
        self.revealed = False
        self.question: Question | None = None
        self.table = views.table_view(self.model)  # the text as the pages show it
        self.history: list[dict] = []  # one entry per closed round (room_views.round_entry)
        self.result: RunResult | None = None
        self.debrief_html: str | None = None
        for seat in self.seats.values():
            seat.answer, seat.last_answer, seat.answers, seat.tabled_round = None, None, [], 0

    # -- the teacher ----------------------------------------------------------------------
    def start(self) -> None:
        with self.lock:
            if self.phase != "waiting":
                raise InvalidAnswer("The game has already started: reset it to play again.")
            self.phase = "playing"
            game = (self.model, self.generation)
        threading.Thread(target=self.play, args=game, daemon=True).start()

    def pause(self, paused: bool) -> None:
        with self.lock:
            if paused and not self.paused:
                self.paused_at = time.monotonic()
            elif not paused and self.paused and self.question and self.question.deadline:
                self.question.deadline += time.monotonic() - self.paused_at
            self.paused = paused
            self.lock.notify_all()

    def reset(self) -> None:
        """A new game on the same seats, waiting for the teacher's start."""
        with self.lock:
            self.generation += 1
            self.reset_state()
            self.lock.notify_all()

    def reveal(self) -> None:
        with self.lock:
            if self.phase != "ended":
                raise InvalidAnswer("Each party's values are revealed after the game.")
            self.revealed = True

    # -- the students ---------------------------------------------------------------------
    def take_seat(self, party: str, student: str) -> str:
        """Seat a student in an empty chair; their key to it."""
        student = " ".join(student.split())[:NAME_LENGTH]
        with self.lock:
            seat = self.seats.get(party)
            if seat is None:
                raise InvalidAnswer(f"No seat '{party}' at this table.")
            if seat.student:
                raise InvalidAnswer(f"{seat.name}'s seat is taken by {seat.student}.")
            if not student:
                raise InvalidAnswer("Please give your name.")
            seat.student, seat.token = student, secrets.token_urlsafe(12)
            self.lock.notify_all()
            return seat.token

    def seat_of(self, token: str) -> Seat | None:
        return next((s for s in self.seats.values() if token and s.token == token), None)

    def answer(self, token: str, kind: str, points=(), changes=None) -> None:
        """A student's answer to the question their seat is asked; `InvalidAnswer` says
        why one cannot be taken (the same checks, and words, as `negsim play`)."""
        with self.lock:
            seat = self.seat_of(token)
            question = self.question
            if seat is None:
                raise InvalidAnswer("That seat is no longer yours: pick a seat again.")
            if question is None or seat.party not in question.asked:
                raise InvalidAnswer("Nothing to answer now: wait for the next text.")
            turn = question.turns[seat.party]
            if kind == "leave":
                value = None
            elif question.kind == "answer":
                line = "a" if kind == "accept" else "r " + " ".join(points)
                value = parse_answer(line, turn)
            else:
                value = self.counter_text(turn, question.kind, changes or {})
            seat.answer = (question.round, kind, value)
            question.answered.add(seat.party)
            self.lock.notify_all()

    def counter_text(self, turn, kind: str, changes: dict) -> np.ndarray | None:
        line = " ".join(f"{point}={option}" for point, option in changes.items())
        text = parse_counter(line, turn, self.model.space)
        if text is not None and kind == "counter":
            crossed = views.crossed_by(self.scenario, self.model.red, turn.party, text)
            if crossed:
                raise InvalidAnswer(
                    f"That text crosses your own red line on {', '.join(crossed)}: "
                    "you could never accept it."
                )
        return text

    # -- what the pages show -------------------------------------------------------------
    def state(self, token: str = "") -> dict:
        """The room as the page of the student holding `token` shows it (without a
        token: as the teacher's page and the seat picker show it)."""
        with self.lock:
            question, seat = self.question, self.seat_of(token)
            asked = question.asked if question else ()
            answered = question.answered if question else set()
            seats = [
                s.public() | {"asked": s.party in asked, "answered": s.party in answered}
                for s in self.seats.values()
            ]
            state = {
                "code": self.code,
                "title": self.scenario.title or self.scenario.name,
                "phase": self.phase,
                "paused": self.paused,
                "seed": self.seed,
                "timer": self.timer,
                "left": self.time_left(),
                "seats": seats,
                "table": self.table,
                "rounds": [views.round_sentence(e) for e in reversed(self.history)],
                "revealed": list(self.values.values()) if self.revealed else [],
            }
            if self.phase == "ended":
                state["outcome"] = {"status": self.table["status"], "reason": self.table["reason"]}
            if seat is not None:
                state["seat"] = seat.public() | {"values": self.values.get(seat.party)}
                if seat.party in asked and seat.party not in answered:
                    turn = question.turns[seat.party]
                    state["question"] = views.question_view(turn, question.kind)
            return state

    def time_left(self) -> float | None:
        question = self.question
        if question is None or question.deadline is None:
            return None
        now = self.paused_at if self.paused else time.monotonic()
        return max(0.0, round(question.deadline - now, 1))

    # -- the game, in its own thread ------------------------------------------------------
    def play(self, model: NegotiationModel, generation: int) -> None:
        """Step the game's model to its end (the room's own thread)."""
        try:
            while model.running:
                self.wait_while_paused(generation)
                model.step()
                self.close_round(model, generation)
        except RoomReset:
            return
        except Exception as err:  # a fault of negsim's: say so on every page, not silently
            with self.lock:
                self.phase = "ended"
                self.table = self.table | {"status": "stopped", "reason": f"negsim failed: {err}"}
                self.lock.notify_all()
            raise  # and into the server's log, with its traceback
        with self.lock:
            if generation == self.generation:
                self.result = RunResult(Outcome.of(model), model)
                self.phase = "ended"
                self.lock.notify_all()

    def wait_while_paused(self, generation: int) -> None:
        with self.lock:
            while self.paused and generation == self.generation:
                self.lock.wait(WAIT)
            if generation != self.generation:
                raise RoomReset

    def close_round(self, model: NegotiationModel, generation: int) -> None:
        with self.lock:
            if generation != self.generation:
                raise RoomReset
            self.question = None
            self.table = views.table_view(model)
            self.history.append(views.round_entry(model, self.seats))
            for seat in self.seats.values():
                negotiator = model.negotiators[seat.party]
                if not seat.student:
                    continue
                if seat.role == "mediator":
                    seat.answers.append((model.steps, "draft", model.changed))
                elif negotiator.accepted:
                    seat.answers.append((model.steps, "accept", ()))
                else:
                    seat.answers.append((model.steps, "reject", tuple(negotiator.objections)))
            self.lock.notify_all()

    def ask(self, negotiator, kind: str, generation: int):
        """Wait for the seated student's answer to `kind` this round: their Answer (or
        text, for a counter-text or a draft); on the timer's end, what `kept` keeps."""
        model = negotiator.model
        with self.lock:
            question = self.question
            if question is None or (question.round, question.kind) != (model.steps, kind):
                self.question = question = self.open_question(model, kind, negotiator)
            seat = self.seats[negotiator.party]
            if kind == "answer" and seat.tabled_round == model.steps:
                return Answer(True)  # the student tabled this text: they accept it
            if seat.party not in question.asked:
                return AGENT  # seated after the question was put: from the next one
            while True:
                if generation != self.generation:
                    raise RoomReset
                taken = seat.answer
                if not self.paused and taken and taken[:1] == (model.steps,):
                    seat.answer = None
                    return self.taken(seat, taken[1], taken[2])
                if not self.paused and question.deadline and time.monotonic() > question.deadline:
                    return self.kept(seat, kind)
                self.lock.wait(WAIT)

    def open_question(self, model, kind: str, negotiator) -> Question:
        if kind == "answer":  # a proposer accepts its own text unasked, as in `negsim play`
            asked = tuple(
                party
                for party, seat in self.seats.items()
                if seat.student and seat.role == "signatory" and seat.tabled_round != model.steps
            )
        else:
            asked = (negotiator.party,) if self.seats[negotiator.party].student else ()
        turns = {party: turn_of(model.negotiators[party], model.text) for party in asked}
        self.table = views.table_view(model)
        deadline = time.monotonic() + self.timer if self.timer else None
        self.lock.notify_all()
        return Question(model.steps, kind, asked, turns, deadline)

    def taken(self, seat: Seat, kind: str, value):
        if kind == "leave":
            raise LeaveTable
        if isinstance(value, Answer):
            seat.last_answer = value
        elif value is not None and seat.role == "signatory":
            seat.tabled_round = self.model.steps
        return value

    def kept(self, seat: Seat, kind: str):
        """The timer ran out: a signatory keeps its last answer (a rejection pushing its
        own ranking before it has given one); a proposer keeps the standing text."""
        if kind != "answer":
            return None
        return seat.last_answer or Answer(False)


class RoomChair:
    """A chair of the room: the seated student's answers, or the party's own rules."""

    def __init__(self, room: Room, party: str, generation: int):
        self.room, self.party, self.generation = room, party, generation

    def respond(self, negotiator) -> Answer:
        answer = self.room.ask(negotiator, "answer", self.generation)
        return ModelChair().respond(negotiator) if answer is AGENT else answer

    def propose(self, negotiator, standing: np.ndarray) -> np.ndarray | None:
        kind = "draft" if self.room.seats[self.party].role == "mediator" else "counter"
        text = self.room.ask(negotiator, kind, self.generation)
        return ModelChair().propose(negotiator, standing) if text is AGENT else text
