"""The negotiators: one Mesa agent per party, its decisions as short named methods."""

from __future__ import annotations

import mesa
import numpy as np

from ..scenario.data import Party
from . import reasons
from . import text_search as search
from .chair import LEFT_TABLE, PLAYER_REJECTS, Answer, Chair, LeaveTable
from .tactics import Situation, aspiration
from .tolerance import TOLERANCE, at_least, below

MAX_OBJECTIONS = 3


class Negotiator(mesa.Agent):
    """A party at (or around) the table: signatory, mediator or stakeholder."""

    def __init__(self, model: mesa.Model, spec: Party, row: int):
        """`model` is the `NegotiationModel` whose tables hold this party's row."""
        super().__init__(model)
        self.spec = spec
        self.party = spec.id
        self.role = spec.role
        self.row = row  # this party's row in the model's utility tables
        self.reservation = spec.reservation
        self.aspiration = 1.0
        self.time_boost = 0.0  # share of the deadline added by pressure on concession
        self.utility = 0.0  # utility of the standing text
        self.accepted = False
        self.rejections = 0
        self.last_rejected = 0  # the last round in which this party rejected the text
        self.why = ""  # why the last text was rejected ("" when accepted)
        self.verdict = ""  # its kind: accept, red_line, reservation, aspiration, ratification
        self.believed_utility = 0.0  # the text's utility for this party, as its author believes
        self.belief_sd = 0.0  # how unsure the author is of it (standard deviation)
        self.objections: tuple[str, ...] = ()
        self.crossed: tuple[str, ...] = ()  # red lines the standing text crosses
        self.holdout_rounds = 0  # rounds in a row it alone rejected the text, for more
        self.hopeless_rounds = 0  # rounds in a row with no text worth more than no deal
        self.threat_rounds = 0  # rounds in a row the text has crossed an escalation red line
        self.influence_received = 0.0  # net change applied to this party this round
        self.influence_cost = 0.0  # what applying influence has cost this party so far
        self.chair: Chair | None = None  # a player deciding for this party (sim.negotiation.chair)
        self.left_table = False  # the player has quit: the talks end in its walkout

    # -- 1. influence -------------------------------------------------------------------
    def exert_influence(self) -> None:
        """Apply each pressure/support link to its target (pressure bites on rejecters)."""
        for link in self.spec.influence:
            target = self.model.negotiators[link.target]
            if link.while_rejecting and not (self.model.steps > 1 and not target.accepted):
                continue
            sign = -1.0 if link.kind == "pressure" else 1.0
            # influence_received: the change actually made, negative for pressure
            if link.channel == "reservation":
                before = target.reservation
                target.reservation = min(1.0, max(0.0, before + sign * link.strength))
                target.influence_received += target.reservation - before
            else:
                before = target.time_boost
                target.time_boost = max(0.0, before - sign * link.strength)
                target.influence_received += before - target.time_boost
            self.influence_cost += link.cost
            self.reservation = max(0.0, self.reservation - link.cost)

    def drift_reservation(self) -> None:
        """BATNA drift: the cost of no deal changes with the war (trend plus a seeded shock)."""
        shock = (
            self.spec.reservation_noise * self.model.rng.standard_normal()
            if self.spec.reservation_noise
            else 0.0
        )
        self.reservation = min(
            1.0, max(0.0, self.reservation + self.spec.reservation_trend + shock)
        )

    def update_aspiration(self, others_concession: float) -> None:
        deadline = self.spec.deadline or self.model.deadline
        self.aspiration = aspiration(
            self.spec.tactic,
            Situation(
                time=self.model.steps / deadline + self.time_boost,
                reservation=self.reservation,
                previous_aspiration=self.aspiration,
                others_concession=others_concession,
            ),
        )

    # -- 2. proposal (alternating offers) -----------------------------------------------
    def propose(self, standing: np.ndarray) -> np.ndarray:
        """This party's offer, or its player's counter-text when someone sits in its chair."""
        return self.offer(standing) if self.chair is None else self.counter_from_chair(standing)

    def offer(self, standing: np.ndarray) -> np.ndarray:
        """The text best for the others (as believed) that still meets this party's own
        aspiration and, where it has one, its ratifying body's threshold."""
        model = self.model
        table = model.beliefs.tables[self.row]
        nash = search.nash_score(*model.veto_players(exclude=self))
        columns, floors = [self.row], [self.aspiration]
        if self in model.ratifiers:
            columns.append(len(model.negotiators_by_row) + model.ratifiers.index(self))
            floors.append(model.ratification_threshold(self))

        def score(u: np.ndarray) -> np.ndarray:
            shortfall = np.minimum(0.0, u[..., columns] - floors).sum(axis=-1)
            return nash(u) + shortfall / search.FLOOR

        own = search.own_best_text(model.space, table[..., self.row], standing, model.locked)
        starts = [standing] if own is None else [standing, own]
        climbed = [search.hill_climb(model.space, table, score, s, model.locked) for s in starts]
        return max(climbed, key=lambda text: float(score(search.utilities(table, text))))

    def counter_from_chair(self, standing: np.ndarray) -> np.ndarray:
        """The player's text (None keeps the standing one); it must keep every link and
        leave the protocol's fixed points alone."""
        text = None
        if not self.left_table:
            try:
                text = self.chair.propose(self, standing)
            except LeaveTable:
                self.left_table = True
        if text is None:
            return standing
        text = np.asarray(text, dtype=standing.dtype)
        model = self.model
        if (
            text.shape != standing.shape
            or ((text < 0) | (text >= model.space.n_options)).any()
            or not model.space.is_valid(text)
            or (text != standing)[model.locked].any()
        ):
            raise ValueError(f"the chair of {self.party} proposed an invalid text: {text}")
        return text

    # -- 3. response ----------------------------------------------------------------------
    def evaluate(self) -> None:
        """Record this party's utility of the standing text and the red lines it crosses."""
        model = self.model
        self.utility = float(model.text_utilities[self.row])
        self.believed_utility = float(model.believed_utilities[self.row])
        self.belief_sd = float(model.belief_sds[self.row])
        crossed = model.text_crossings[:, self.row]
        self.crossed = (
            tuple(model.point_ids[i] for i in np.flatnonzero(crossed)) if crossed.any() else ()
        )

    def respond(self, text: np.ndarray) -> None:
        """Accept or reject the text (by this party's rules, or its player's answer) and
        name the points to change."""
        pushed: tuple[str, ...] = ()
        if self.chair is None:
            self.verdict = self.verdict_on(text)
            self.why = self.reason(self.verdict)
        else:
            self.verdict, self.why, pushed = self.answer_from_chair(text)
        self.accepted = not self.why
        if not self.accepted:
            self.rejections += 1
            self.last_rejected = self.model.steps
        self.objections = () if self.accepted else (pushed or self.objections_to(text))

    def verdict_on(self, text: np.ndarray) -> str:
        """The first test the text fails, or 'accept': it accepts iff no red line is crossed,
        U >= reservation, U >= aspiration and the domestic ratification test passes (each
        >= within `sim.negotiation.tolerance.TOLERANCE`)."""
        if self.crossed:
            return "red_line"
        if below(self.utility, self.reservation):
            return "reservation"
        if below(self.utility, self.aspiration):
            return "aspiration"
        if not self.ratifies(text):
            return "ratification"
        return "accept"

    def reason(self, verdict: str) -> str:
        """A verdict as the sentence recorded in `why` ('' for an acceptance)."""
        titles = [self.model.point_title(p) for p in self.crossed] if verdict == "red_line" else ()
        return reasons.rejection(verdict, titles, self.spec.domestic and self.spec.domestic.body)

    def answer_from_chair(self, text: np.ndarray) -> tuple[str, str, tuple[str, ...]]:
        """The verdict, its reason and the pushed points of the player's answer; its red
        lines and its ratifying body still bind it (MODEL.md: a party never accepts a text
        across its red line)."""
        answer = None
        if not self.left_table:
            try:
                answer = self.chair.respond(self)
            except LeaveTable:
                self.left_table = True
        if answer is None:
            return "player", LEFT_TABLE, ()
        if self.crossed:
            return "red_line", self.red_line_reason(), answer.objections
        if not answer.accept:
            return answer.verdict, answer.why or PLAYER_REJECTS, answer.objections
        if not self.ratifies(text):
            return "ratification", self.ratification_reason(), ()
        return "accept", "", ()

    def red_line_reason(self) -> str:
        return self.reason("red_line")

    def ratification_reason(self) -> str:
        return self.reason("ratification")

    def ratifies(self, text: np.ndarray) -> bool:
        """Two-level game: the ratifying body's utility of its points reaches the threshold."""
        domestic = self.spec.domestic
        if domestic is None:
            return True
        return at_least(self.ratification_utility(text), self.model.ratification_threshold(self))

    def ratification_utility(self, text: np.ndarray) -> float:
        model = self.model
        return float(model.domestic_weights[:, self.row] @ model.values[model.rows, text, self.row])

    def objections_to(self, text: np.ndarray) -> tuple[str, ...]:
        """Points whose best change would raise this party's utility most (red lines first)."""
        model = self.model
        gain = model.best_option_values[:, self.row] - model.table[model.rows, text, self.row]
        gain[model.text_crossings[:, self.row]] = np.inf
        ranked = [
            i for i in np.argsort(-gain, kind="stable")[:MAX_OBJECTIONS] if gain[i] > TOLERANCE
        ]
        return tuple(model.point_ids[i] for i in ranked)

    @property
    def objections_code(self) -> str:
        return ";".join(self.objections)

    @property
    def crossed_code(self) -> str:
        return ";".join(self.crossed)

    # -- 4. end tests ---------------------------------------------------------------------
    def check_hope(self) -> None:
        """Count rounds in which even this party's best valid text is worth less than no deal."""
        hopeless = below(self.model.best_attainable[self.row], self.reservation)
        self.hopeless_rounds = self.hopeless_rounds + 1 if hopeless else 0

    def check_threat(self) -> None:
        """Count rounds in which the text keeps crossing a red line this party threatened over."""
        threat = self.spec.escalation
        if threat is None:
            return
        triggered = any(point in threat.points for point in self.crossed)
        self.threat_rounds = self.threat_rounds + 1 if triggered else 0


class Mediator(Negotiator):
    """Drafts and revises the single negotiating text (Raiffa)."""

    def objective(self) -> search.Score:
        """(1 - bias) * weighted log Nash product over the veto players (signatories and their
        ratifying bodies) + bias * log of the mediator's own utility."""
        columns, reservations, weights = self.model.veto_players()
        bias = self.model.spec.protocol.bias
        return search.log_score(
            [*columns, self.row],
            np.append(reservations, 0.0),
            np.append((1 - bias) * weights / weights.sum(), bias),
        )

    def revise_text(self, text: np.ndarray) -> np.ndarray:
        """Change at most `max_changes` points of the text, each change raising the objective.
        A mediator that listens gives untried options the benefit of the doubt and never
        tables again a text a party has said falls short of its reservation value: from
        one, it makes the best change that leads elsewhere. A player in the mediator's chair
        drafts instead (`counter_from_chair`: links and fixed points still bind)."""
        if self.chair is not None:
            return self.counter_from_chair(text)
        return self.own_revision(text)

    def own_revision(self, text: np.ndarray) -> np.ndarray:
        """The revision by the mediator's own rules (`revise_text` without a player)."""
        model = self.model
        protocol = model.spec.protocol
        if not protocol.learning:
            table = model.beliefs.tables[self.row]
        else:
            doubt = protocol.exploration * max(0.0, 1 - model.steps / model.deadline)
            table = model.beliefs.hopeful_table(self.row, doubt)
        score = self.objective()
        revised = search.hill_climb(
            model.space, table, score, text, model.locked, protocol.max_changes
        )
        if protocol.learning and model.known_to_fail(revised):
            way_out = search.best_change_avoiding(
                model.space, table, score, revised, model.locked, model.known_to_fail
            )
            return revised if way_out is None else way_out
        return revised

    def draft_text(self, start: np.ndarray) -> np.ndarray:
        """A whole first draft: the best text found from the start and every party's ideal."""
        model = self.model
        return search.best_text(
            model.space, model.beliefs.tables[self.row], self.objective(), [start], model.locked
        )


class ModelChair:
    """Answers exactly as the party's own rules would: a run with this chair is the run
    without one, bit for bit (the check that the hook changes nothing else)."""

    def respond(self, negotiator: Negotiator) -> Answer:
        text = negotiator.model.text
        verdict = negotiator.verdict_on(text)
        why = negotiator.reason(verdict)
        return Answer(not why, negotiator.objections_to(text) if why else (), why, verdict)

    def propose(self, negotiator: Negotiator, standing: np.ndarray) -> np.ndarray:
        if isinstance(negotiator, Mediator):
            return negotiator.own_revision(standing)
        return negotiator.offer(standing)
