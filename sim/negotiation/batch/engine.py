"""Many runs of one scenario structure stepped together, round by round, as arrays with a
leading run axis: `NegotiationModel.step` in lockstep (MODEL.md section 3).

Every state the Mesa model keeps on its agents is a (runs, parties) array here; a run
that ends is recorded and its rows are dropped once enough runs have ended.
"""

from __future__ import annotations

import numpy as np

from ..outcome_space import weighted
from ..tactics import TACTICS, Situation
from . import search
from .beliefs import BatchBeliefs
from .endings import Endings
from .memory import Memory
from .moves import Moves
from .responses import Responses
from .runs import RunSet


class BatchNegotiation(Responses, Endings):
    """The runs of a `RunSet`, negotiated to their ends."""

    def __init__(self, runs: RunSet):
        self.runs = runs
        self.space, self.locked = runs.space, runs.locked
        self.moves = Moves(runs.space, runs.locked)
        count, n = runs.reservation.shape
        self.n = n
        self.index = np.arange(count)  # each row's run in `runs`
        self.signatories, self.ratifiers = runs.signatories, runs.ratifiers
        self.body_column = {row: n + i for i, row in enumerate(runs.ratifiers)}
        self.is_signatory = np.isin(np.arange(n), runs.signatories)
        self.learning = runs.scenarios[0].protocol.learning
        self.mediated = runs.mediated
        self.tactics = [p.tactic.name for p in runs.scenarios[0].parties]
        self.reciprocal = any(name != "time_dependent" for name in self.tactics)
        listeners = self.listeners()
        draws, self.proposers, self.shocks = runs.draws(listeners)
        self.table = weighted(runs.values, runs.salience)
        self.beliefs = BatchBeliefs(
            runs.values,
            runs.salience,
            runs.red,
            runs.domestic_weights,
            runs.ratifiers,
            runs.space.exists,
            runs.belief_noise,
            draws,
            listeners,
        )
        self.reservation = runs.reservation.copy()
        self.time_boost = np.zeros((count, n))
        self.aspiration = np.ones((count, n))
        self.accepted = np.zeros((count, n), dtype=bool)
        self.rejections = np.zeros((count, n), dtype=np.int64)
        self.last_rejected = np.zeros((count, n), dtype=np.int64)
        self.hopeless = np.zeros((count, n), dtype=np.int64)
        self.threat = np.zeros((count, n), dtype=np.int64)
        self.holdout = np.zeros((count, n), dtype=np.int64)
        self.shown = np.ones((count, len(self.beliefs.listeners), n))
        self.concessions = np.zeros((count, n))
        self.verdict = np.zeros((count, n), dtype=np.int64)
        self.objection = np.full((count, n), -1)  # the point each party objected to most
        self.pushed = np.full((count, n), -1)  # the first of those it pushes (listening)
        self.utility = np.zeros((count, n))
        self.memory = Memory(runs.space)
        exists = runs.space.exists[None, :, :, None]
        self.best_options = np.where(runs.red | ~exists, -np.inf, self.table).max(axis=2)
        self.best_attainable = self.own_best_utilities()
        self.steps = 0
        self.text = self.opening_text()
        self.changed = np.zeros(self.text.shape, dtype=bool)
        self.crossed = np.zeros((count, *runs.red.shape[::2]), dtype=bool)
        self.ended: dict[int, tuple] = {}  # run -> what its outcome records
        self.done = np.zeros(count, dtype=bool)  # rows whose run has ended

    # -- set-up --------------------------------------------------------------------------
    def own_best_utilities(self) -> np.ndarray:
        """`NegotiationModel.own_best_utilities` for every party of every run."""
        runs = self.runs
        count, points, width, n = runs.values.shape
        start = np.broadcast_to(runs.start, (count * n, points))
        table = weighted(runs.values, runs.salience, runs.red)
        own = np.ascontiguousarray(table.transpose(0, 3, 1, 2)).reshape(count * n, points, width)
        texts, found = search.own_best_texts(self.space, own, start, self.locked)
        texts = np.where(found[:, None], texts, start)
        climbed = search.hill_climb(
            self.moves, search.ColumnTable([own]), search.ColumnScore(), texts
        )
        return search.utilities(own[..., None], climbed)[:, 0].reshape(count, n)

    def opening_text(self) -> np.ndarray:
        """The start text, or (a mediator and no start text) the mediator's first draft."""
        runs = self.runs
        count = len(self.index)
        start = np.broadcast_to(runs.start, (count, len(runs.start))).copy()
        if runs.mediator is None or runs.scenarios[0].protocol.start:
            return start
        table = self.beliefs.table(runs.mediator)
        candidates = [start]
        usable = [np.ones(count, dtype=bool)]
        for column in range(table.shape[3]):
            own, found = search.own_best_texts(self.space, table[..., column], start, self.locked)
            candidates.append(own)
            usable.append(found)
        return search.best_of(
            self.moves,
            table,
            self.objective(),
            np.stack(candidates, axis=1),
            np.stack(usable, axis=1),
        )

    def listeners(self) -> list[int]:
        """The parties whose beliefs decide something: whoever drafts or proposes texts,
        and every party whose tactic answers the concessions it believes it saw."""
        runs = self.runs
        if self.mediated:
            deciding = {runs.mediator}
        else:
            deciding = set(runs.signatories) | ({runs.mediator} - {None})
        deciding |= {row for row, name in enumerate(self.tactics) if name != "time_dependent"}
        return sorted(deciding)

    # -- who can block a text ------------------------------------------------------------
    def thresholds(self) -> np.ndarray:
        """(rows, ratifiers) ratification thresholds this round."""
        return self.runs.thresholds[
            self.index, :, min(self.steps, self.runs.thresholds.shape[2] - 1)
        ]

    def veto_players(self, listener: int, exclude: int | None = None):
        """`NegotiationModel.veto_players` for one listener in every run."""
        growth = self.runs.growth[self.index][:, None]
        signatories = [row for row in self.signatories if row != exclude]
        ratifiers = [i for i, row in enumerate(self.ratifiers) if row != exclude]
        reservations = self.reservation[:, signatories]
        if self.learning:
            demand = self.beliefs.demand[:, self.beliefs.position[listener], signatories]
            reservations = np.maximum(reservations, demand)
        thresholds = self.thresholds()[:, ratifiers]
        columns = signatories + [self.n + i for i in ratifiers]
        rejections = self.rejections[:, signatories + [self.ratifiers[i] for i in ratifiers]]
        weights = 1.0 + growth * rejections
        return columns, np.concatenate([reservations, thresholds], axis=1), weights

    def objective(self) -> search.LogScore:
        """The mediator's score (`Mediator.objective`) in every run."""
        columns, reservations, weights = self.veto_players(self.runs.mediator)
        bias = self.runs.bias[self.index][:, None]
        share = (1 - bias) * weights / weights.sum(axis=1)[:, None]
        return search.LogScore(
            [*columns, self.runs.mediator],
            np.concatenate([reservations, np.zeros((len(bias), 1))], axis=1),
            np.concatenate([share, bias], axis=1),
        )

    # -- one round -----------------------------------------------------------------------
    def step(self) -> None:
        self.steps += 1
        self.exert_influence()
        self.drift_reservations()
        self.update_aspirations()
        before = self.text
        self.text = self.revise() if self.mediated else self.offers()
        self.changed = before != self.text
        rows = search.take(self.table, self.text)  # (runs, points, parties)
        self.utility = rows.sum(axis=1)
        points = np.arange(self.text.shape[1])[None, :]
        self.crossed = self.runs.red[points, self.text]  # (runs, points, parties)
        self.respond(rows)
        if self.reciprocal:
            self.note_concessions()
        if self.learning:
            self.listen()
        self.check_end()

    def run(self) -> list:
        """Step every run to its end; their outcomes in batch order."""
        while not self.finished:
            self.step()
        return self.outcomes()

    def exert_influence(self) -> None:
        """`Negotiator.exert_influence` of every party, link by link in the model's order."""
        for link, (source, target, kind, channel, while_rejecting) in enumerate(self.runs.links):
            applies = np.ones(len(self.index), dtype=bool)
            if while_rejecting:
                applies = np.full(len(self.index), self.steps > 1) & ~self.accepted[:, target]
            sign = -1.0 if kind == "pressure" else 1.0
            strength = self.runs.strength[self.index, link]
            if channel == "reservation":
                moved = np.minimum(
                    1.0, np.maximum(0.0, self.reservation[:, target] + sign * strength)
                )
                self.reservation[:, target] = np.where(applies, moved, self.reservation[:, target])
            else:
                moved = np.maximum(0.0, self.time_boost[:, target] - sign * strength)
                self.time_boost[:, target] = np.where(applies, moved, self.time_boost[:, target])
            paid = np.maximum(0.0, self.reservation[:, source] - self.runs.cost[self.index, link])
            self.reservation[:, source] = np.where(applies, paid, self.reservation[:, source])

    def drift_reservations(self) -> None:
        sd = self.runs.shock_sd[self.index]
        shock = np.where(sd != 0, sd * self.shocks[:, self.steps - 1], 0.0)
        drifted = self.reservation + self.runs.trend[self.index] + shock
        self.reservation = np.minimum(1.0, np.maximum(0.0, drifted))

    def update_aspirations(self) -> None:
        """Every party's tactic (`sim.negotiation.tactics`), with Python's own powers."""
        time = self.steps / self.runs.party_deadline[self.index] + self.time_boost
        for row, name in enumerate(self.tactics):
            r = self.reservation[:, row]
            if name == "time_dependent":
                base = np.minimum(time[:, row], 1.0).tolist()
                exponent = (1 / self.runs.beta[self.index, row]).tolist()
                power = np.array(list(map(pow, base, exponent)))
                self.aspiration[:, row] = r + (1 - r) * (1 - power)
            elif name == "tit_for_tat":
                reciprocity = self.runs.reciprocity[self.index, row]
                wanted = self.aspiration[:, row] - reciprocity * self.concessions[:, row]
                self.aspiration[:, row] = np.minimum(1.0, np.maximum(r, wanted))
            else:
                self.aspiration[:, row] = [
                    TACTICS[name](
                        self.runs.scenarios[run].parties[row].tactic,
                        Situation(
                            float(time[i, row]),
                            float(r[i]),
                            float(self.aspiration[i, row]),
                            float(self.concessions[i, row]),
                        ),
                    )
                    for i, run in enumerate(self.index)
                ]

    def revise(self) -> np.ndarray:
        """`Mediator.revise_text` in every run (the first round keeps the opening text)."""
        if self.steps == 1:
            return self.text
        runs, mediator = self.runs, self.runs.mediator
        score = self.objective()
        if self.learning:
            deadline = runs.deadline[self.index]
            doubt = runs.exploration[self.index] * np.maximum(0.0, 1 - self.steps / deadline)
            columns = self.beliefs.hopeful_columns(mediator, doubt, score.columns)
        else:
            columns = self.beliefs.columns(mediator, columns=score.columns)
        table = search.ColumnTable(columns)
        score = score.on_own_columns()
        revised = search.hill_climb(
            self.moves, table, score, self.text, runs.max_changes[self.index]
        )
        if self.learning:
            now = self.bounds()
            failing = np.flatnonzero(self.memory.known_to_fail(revised, now))
            if len(failing):

                def avoid(rows: np.ndarray, texts: np.ndarray) -> np.ndarray:
                    at = failing[rows]
                    return self.memory.known_to_fail(texts, (now[0][at], now[1][at]), at)

                revised[failing] = search.best_changes_avoiding(
                    self.moves, table.select(failing), score.slice(failing), revised[failing], avoid
                )
        return revised

    def offers(self) -> np.ndarray:
        """Alternating offers: in each run the party whose turn it is proposes
        (`Negotiator.offer`); runs are grouped by proposer."""
        turn = (self.steps - 1) % self.proposers.shape[1]
        proposer = self.proposers[:, turn]
        texts = self.text.copy()
        for row in np.unique(proposer):
            group = np.flatnonzero(proposer == row)
            texts[group] = self.offer(int(row), group)
        return texts

    def offer(self, row: int, group: np.ndarray) -> np.ndarray:
        """`Negotiator.offer` of one party in the runs of `group`, on a table of only the
        columns its score reads: the others' Nash product, then its own floors."""
        columns, reservations, weights = self.veto_players(row, exclude=row)
        share = weights / weights.sum(axis=1)[:, None]
        floors, own = [self.aspiration[:, [row]]], [row]
        if row in self.body_column:
            own.append(self.body_column[row])
            floors.append(self.thresholds()[:, [self.ratifiers.index(row)]])
        others = len(columns)
        nash = search.LogScore(list(range(others)), reservations, share)
        mine = list(range(others, others + len(own)))
        score = search.OfferScore(nash, mine, np.concatenate(floors, axis=1))
        table = self.beliefs.table(row, group, columns + own)
        standing = self.text[group]
        best, found = search.own_best_texts(self.space, table[..., others], standing, self.locked)
        candidates = np.stack([standing, best], axis=1)
        usable = np.stack([np.ones(len(group), dtype=bool), found], axis=1)
        return search.best_of(self.moves, table, score.slice(group), candidates, usable)
