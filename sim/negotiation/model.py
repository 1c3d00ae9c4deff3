"""The negotiation as a Mesa model: one step is one round (MODEL.md section 3).

influence -> reservation drift -> aspirations -> proposal -> responses -> end test

Utility tables are (points, options, parties) arrays of salience-weighted option values,
so that a package's utilities are one row per point summed (see `sim.negotiation.text_search`).
"""

from __future__ import annotations

from collections.abc import Mapping

import mesa
import numpy as np

from ..scenario.data import Scenario
from . import reasons
from . import text_search as search
from .agents import Mediator, Negotiator
from .beliefs import HOLDOUT_ROUNDS, Beliefs
from .chair import Chair
from .outcome_space import OutcomeSpace, party_tables, ratification_weights, weighted
from .protocol_texts import fixed_text, start_text


class NegotiationModel(mesa.Model):
    """Parties negotiate one text over the scenario's points until an end condition holds.
    `chairs` seats players in signatories' chairs, or in the mediator's when it drafts
    (party id -> `sim.negotiation.chair.Chair`)."""

    def __init__(
        self, scenario: Scenario, seed: int | None = None, chairs: Mapping[str, Chair] | None = None
    ):
        self.seed = scenario.seed if seed is None else int(seed)
        super().__init__(rng=self.seed)
        self.spec = scenario
        self.deadline = scenario.deadline
        self.space = OutcomeSpace.from_scenario(scenario)
        width = self.space.exists.shape[1]
        self.point_ids = [p.id for p in scenario.points]
        self.rows = np.arange(len(scenario.points))
        self.values, self.salience, self.red = party_tables(scenario, width)
        self.table = weighted(self.values, self.salience)
        self.domestic_weights = ratification_weights(scenario)

        protocol = scenario.protocol
        self.negotiators: dict[str, Negotiator] = {}
        for row, spec in enumerate(scenario.parties):
            kind = Mediator if spec.id == protocol.mediator else Negotiator
            self.negotiators[spec.id] = kind(self, spec, row)
        self.negotiators_by_row = list(self.negotiators.values())
        forget_agent_counter(self)
        self.signatories = [n for n in self.negotiators_by_row if n.spec.is_signatory]
        self.signatory_rows = [n.row for n in self.signatories]
        self.mediator = self.negotiators.get(protocol.mediator) if protocol.mediator else None
        for party, chair in (chairs or {}).items():
            playable = party in self.negotiators and (
                self.negotiators[party].spec.is_signatory
                or (party == protocol.mediator and protocol.name == "mediated")
            )
            if not playable:
                raise ValueError(f"only a signatory or the drafting mediator, not {party!r}")
            self.negotiators[party].chair = chair
        self.ratifiers = [n for n in self.signatories if n.spec.domestic]
        self.beliefs = Beliefs(self, protocol.belief_noise)
        n = len(self.negotiators_by_row)
        # lowest utility each party believes each other party has accepted (tit-for-tat)
        self.shown = np.ones((n, n))
        self.revealed = np.zeros((n, n))  # what each party saw the others concede last round
        self.concessions = np.zeros(n)
        self.is_signatory = np.array([spec.is_signatory for spec in scenario.parties])
        self.locked = np.zeros(len(self.point_ids), dtype=bool)
        self.locked[[self.point_ids.index(p) for p, _ in protocol.fixed]] = True
        self.best_attainable = self.own_best_utilities()
        self.best_option_values = np.where(
            self.red | ~self.space.exists[..., None], -np.inf, self.table
        ).max(axis=1)  # (points, parties)
        self.proposers = [
            self.negotiators_by_row[i]
            for i in self.rng.permutation([n.row for n in self.proposing_parties()])
        ]

        self.status = "running"
        self.reason = ""
        self.ended_by: str | None = None  # the party whose move ended the talks
        self.proposer = ""
        self.text = self.opening_text()
        self.changed: tuple[str, ...] = ()  # points the latest revision changed
        self.text_code = ""  # the standing text as `option,option,...` in point order
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "proposer": "proposer",
                "text": "text_code",
                "changed": "changed_code",
                "status": "status",
            },
            agent_reporters={
                "party": "party",
                "role": "role",
                "utility": "utility",
                "aspiration": "aspiration",
                "reservation": "reservation",
                "accepted": "accepted",
                "why": "why",
                "objections": "objections_code",
                "red_lines_crossed": "crossed_code",
                "influence": "influence_received",
                "believed_utility": "believed_utility",
                "belief_sd": "belief_sd",
            },
        )

    # -- set-up --------------------------------------------------------------------------
    def own_best_utilities(self) -> np.ndarray:
        """Each party's best utility over valid texts that cross none of its red lines."""
        start = self.fixed_text(np.zeros(len(self.point_ids), dtype=int))
        table = weighted(self.values, self.salience, self.red)
        best = []
        for row in range(table.shape[2]):
            own = table[..., row : row + 1]
            text = search.own_best_text(self.space, own[..., 0], start, self.locked)
            text = search.hill_climb(
                self.space, own, lambda u: u[..., 0], start if text is None else text, self.locked
            )
            best.append(float(search.utilities(own, text)[0]))
        return np.array(best)

    def fixed_text(self, text: np.ndarray) -> np.ndarray:
        """The text with the protocol's fixed points set and links repaired."""
        return fixed_text(self.spec, self.space, self.locked, text)

    def opening_text(self) -> np.ndarray:
        """The protocol's start text (without one: the mediator's first draft)."""
        start = start_text(self.spec, self.space, self.locked)
        if self.mediator is not None and not self.spec.protocol.start:
            return self.mediator.draft_text(start)
        return start

    def proposing_parties(self) -> list[Negotiator]:
        """Who takes turns under alternating offers: the signatories, then the mediator."""
        return self.signatories + ([self.mediator] if self.mediator else [])

    def veto_players(self, exclude: Negotiator | None = None):
        """Table columns, reservation values and Nash weights of everyone who can block a
        text: each signatory (lambda_j = 1 + growth * rejections_j) and its ratifying body.
        A listening party (`learning`) counts a signatory's gain above what it believes
        the signatory demands now, never below its reservation value."""
        growth = self.spec.protocol.lambda_growth
        listener = (exclude or self.mediator).row
        demand = self.beliefs.demand[listener] if self.spec.protocol.learning else None
        players = [
            (n.row, n.reservation if demand is None else max(n.reservation, demand[n.row]), n)
            for n in self.signatories
            if n is not exclude
        ]
        players += [
            (len(self.negotiators_by_row) + i, self.ratification_threshold(n), n)
            for i, n in enumerate(self.ratifiers)
            if n is not exclude
        ]
        columns = [column for column, _, _ in players]
        reservations = np.array([r for _, r, _ in players])
        weights = np.array([1.0 + growth * n.rejections for _, _, n in players])
        return columns, reservations, weights

    # -- one round -----------------------------------------------------------------------
    def step(self) -> None:
        for negotiator in self.negotiators_by_row:
            negotiator.influence_received = 0.0
        self.agents.do("exert_influence")
        self.agents.do("drift_reservation")
        for negotiator in self.negotiators_by_row:
            negotiator.update_aspiration(float(self.concessions[negotiator.row]))
        self.propose()
        author = self.negotiators[self.proposer].row
        self.believed_utilities, self.belief_sds = self.beliefs.of_text(author, self.text)
        self.text_utilities = search.utilities(self.table, self.text)
        self.text_crossings = self.red[self.rows, self.text]  # (points, parties)
        self.agents.do("evaluate")
        for negotiator in self.signatories:
            negotiator.respond(self.text)
        self.note_concessions()
        if self.spec.protocol.learning:
            self.listen()
        self.check_end()
        self.datacollector.collect(self)

    def note_concessions(self) -> None:
        """Each signatory that accepted the text has shown it would settle for what every
        party believes the text gives it (under alternating offers, a proposer accepts its
        own text): the concessions tit-for-tat returns."""
        before = self.shown.copy()
        for negotiator in self.signatories:
            if negotiator.accepted:
                believed = self.beliefs.tables[:, self.rows, self.text, negotiator.row].sum(axis=1)
                np.minimum(
                    self.shown[:, negotiator.row], believed, out=self.shown[:, negotiator.row]
                )
        self.revealed = before - self.shown
        # what each party saw the other signatories concede, on average (tit-for-tat's c)
        rows = self.signatory_rows
        own = np.where(self.is_signatory, np.diag(self.revealed), 0.0)
        others = len(rows) - self.is_signatory
        seen = self.revealed[:, rows].sum(axis=1) - own
        self.concessions = np.divide(seen, others, out=np.zeros(len(seen)), where=others > 0)

    def known_to_fail(self, text: np.ndarray) -> bool:
        """Has a signatory said the text falls short of its reservation value (or its
        ratifying body's threshold), which has not fallen since?"""
        return self.beliefs.known_to_fail(
            text, lambda row: self.bounds(self.negotiators_by_row[row])
        )

    def bounds(self, negotiator: Negotiator) -> tuple[float, float | None]:
        """The negotiator's reservation value and its ratifying body's threshold (or None)."""
        domestic = negotiator.spec.domestic
        return negotiator.reservation, self.ratification_threshold(negotiator) if domestic else None

    def listen(self) -> None:
        """Every party learns from each signatory's verdict on the text (beliefs.py), a
        player's as any other: what a party says is all the others can go by."""
        verdicts = []
        for negotiator in self.signatories:
            pushed = [p for p in negotiator.objections if p not in negotiator.crossed]
            top = self.point_ids.index(pushed[0]) if pushed else None
            verdicts.append((negotiator.row, negotiator.verdict, top, self.bounds(negotiator)))
        self.beliefs.hear(self.text, verdicts)
        for negotiator in self.signatories:
            alone = all(n.accepted for n in self.signatories if n is not negotiator)
            holding_out = negotiator.verdict == "aspiration" and alone
            negotiator.holdout_rounds = negotiator.holdout_rounds + 1 if holding_out else 0
            if negotiator.holdout_rounds >= HOLDOUT_ROUNDS:
                self.beliefs.holds_out(negotiator.row, self.text)

    def propose(self) -> None:
        """Mediated: the mediator revises the standing text. Alternating: the next party in
        turn proposes a text of its own."""
        before = self.text
        if self.spec.protocol.name == "mediated":
            self.proposer = self.mediator.party
            if self.steps > 1:
                self.text = self.mediator.revise_text(self.text)
        else:
            proposer = self.proposers[(self.steps - 1) % len(self.proposers)]
            self.proposer = proposer.party
            self.text = proposer.propose(self.text)
        self.changed = tuple(self.point_ids[i] for i in np.flatnonzero(before != self.text))
        if self.changed or self.steps == 1:
            self.text_code = ",".join(
                point.options[k].id for point, k in zip(self.spec.points, self.text, strict=True)
            )

    def ratification_threshold(self, negotiator: Negotiator) -> float:
        return negotiator.spec.domestic.threshold_at(self.steps)

    # -- end test ------------------------------------------------------------------------
    def check_end(self) -> None:
        """Agreement if every signatory accepts; else escalation, walkout or the deadline."""
        for negotiator in self.negotiators_by_row:
            negotiator.check_hope()
            negotiator.check_threat()
        protocol = self.spec.protocol
        threats = [
            n
            for n in self.negotiators_by_row
            if n.spec.escalation and n.threat_rounds >= n.spec.escalation.rounds
        ]
        walkers = [n for n in self.signatories if n.hopeless_rounds >= protocol.walkout_rounds]
        leavers = [n for n in self.signatories if n.left_table]
        if leavers:
            self.end("walkout", leavers[0], self.left_table_reason(leavers[0]))
        elif all(n.accepted for n in self.signatories):
            self.end("agreement", *self.agreement_reason())
        elif threats:
            party = threats[0]
            point = next(p for p in party.crossed if p in party.spec.escalation.points)
            option, title = self.option_label(point), self.point_title(point)
            self.end(
                "escalation",
                party,
                reasons.escalation(party.spec.name, option, title, party.threat_rounds),
            )
        elif walkers:
            party = walkers[0]
            top = self.point_ids[int(np.argmax(self.salience[:, party.row]))]
            reason = reasons.walkout(
                party.spec.name,
                self.best_attainable[party.row],
                party.reservation,
                party.hopeless_rounds,
                self.point_title(top),
            )
            self.end("walkout", party, reason)
        elif self.steps >= self.deadline:
            holdouts = [n for n in self.signatories if not n.accepted]
            party = holdouts[0]
            point = party.objections[0] if party.objections else self.point_ids[0]
            names = [n.spec.name for n in holdouts]
            reason = reasons.no_deal(self.deadline, names, self.point_title(point), party.why)
            self.end("no_deal", party, reason)

    def agreement_reason(self) -> tuple[Negotiator, str]:
        """Who came round last (the latest to have rejected) and after which change."""
        latest = max(n.last_rejected for n in self.signatories)
        last = [n for n in self.signatories if n.last_rejected == latest]
        changed = self.point_title(self.changed[0]) if self.changed else None
        names = [n.spec.name for n in last]
        return last[0], reasons.agreement(self.steps, latest, names, changed)

    def left_table_reason(self, party: Negotiator) -> str:
        """A player quit: name the party, the round and the point that weighs most for it."""
        top = self.point_ids[int(np.argmax(self.salience[:, party.row]))]
        return (
            f"{party.spec.name} walked out in round {self.steps}: its player left the table "
            f"with {self.point_title(top)} at '{self.option_label(top)}'."
        )

    def end(self, status: str, party: Negotiator, reason: str) -> None:
        self.status, self.ended_by, self.reason = status, party.party, reason
        self.running = False

    # -- reporting helpers ---------------------------------------------------------------
    def point_title(self, point_id: str) -> str:
        return self.spec.points[self.point_ids.index(point_id)].title

    def option_label(self, point_id: str) -> str:
        index = self.point_ids.index(point_id)
        return self.spec.points[index].options[self.text[index]].label

    @property
    def changed_code(self) -> str:
        return ";".join(self.changed)

    def package(self) -> dict[str, str]:
        return dict(zip(self.point_ids, self.text_code.split(","), strict=True))


def forget_agent_counter(model: mesa.Model) -> None:
    """Mesa 3.3 numbers agents through a class-level dict keyed by model, which keeps every
    model alive: a sweep's worker would grow by each run. Once our agents exist the
    counter is not needed. (Mesa 3.5 keeps the counter on the model.)"""
    counters = getattr(mesa.Agent, "_ids", None)
    if isinstance(counters, dict):
        counters.pop(model, None)
