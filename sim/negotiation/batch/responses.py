"""The signatories' answers to the text in every run, and what the others learn from them:
`Negotiator.respond`, `NegotiationModel.note_concessions` and `NegotiationModel.listen`
with a leading run axis."""

from __future__ import annotations

import numpy as np

from ..beliefs import HOLDOUT_ROUNDS
from ..tolerance import TOLERANCE, at_least, below
from . import search
from .memory import RATIFICATION as FAILED_RATIFICATION
from .memory import RESERVATION as FAILED_RESERVATION

ACCEPT, RED_LINE, RESERVATION, ASPIRATION, RATIFICATION = range(5)
VERDICTS = ("accept", "red_line", "reservation", "aspiration", "ratification")
MAX_OBJECTIONS = 3  # as `sim.negotiation.agents.MAX_OBJECTIONS`


class Responses:
    """Answering, conceding and listening; mixed into `BatchNegotiation`."""

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """(runs, signatories) reservation values and ratification thresholds (NaN for a
        signatory without a ratifying body), as `NegotiationModel.bounds`."""
        thresholds = np.full((len(self.index), len(self.signatories)), np.nan)
        now = self.thresholds()
        for i, row in enumerate(self.ratifiers):
            thresholds[:, self.signatories.index(row)] = now[:, i]
        return self.reservation[:, self.signatories], thresholds

    def respond(self, rows: np.ndarray) -> None:
        """Every signatory's verdict on the text (`Negotiator.verdict_on`, the tests in
        its order) and the points it objects to most (`Negotiator.objections_to`); `rows`
        (runs, points, parties) are the table's rows of the text."""
        runs = self.runs
        if self.ratifiers:  # what the ratifying bodies judge: the values of the text
            values_now = search.take(runs.values, self.text, self.index)  # (runs, points, parties)
            domestic_weights = self.beliefs.domestic_weights  # of the rows still talking
        thresholds = self.thresholds()
        for row in self.signatories:
            u, reservation = self.utility[:, row], self.reservation[:, row]
            verdict = np.full(len(self.index), ACCEPT)
            ratifies = np.ones(len(self.index), dtype=bool)
            if row in self.body_column:
                judged = ratification_utility(domestic_weights, values_now, row)
                ratifies = at_least(judged, thresholds[:, self.ratifiers.index(row)])
            verdict = np.select(
                [
                    self.crossed[:, :, row].any(axis=1),
                    below(u, reservation),
                    below(u, self.aspiration[:, row]),
                    ~ratifies,
                ],
                [RED_LINE, RESERVATION, ASPIRATION, RATIFICATION],
                ACCEPT,
            )
            self.verdict[:, row] = verdict
            accepted = verdict == ACCEPT
            self.accepted[:, row] = accepted
            self.rejections[:, row] += ~accepted
            self.last_rejected[:, row] = np.where(accepted, self.last_rejected[:, row], self.steps)
            self.objections(row, accepted, rows[:, :, row])

    def objections(self, row: int, accepted: np.ndarray, current: np.ndarray) -> None:
        """The first of the party's objections (-1: none) and the first it pushes, a point
        not across its red line (-1: none), as `listen` reads `objections_to`; `current`
        (runs, points) is what the text's option on each point gives the party."""
        gain = self.best_options[:, :, row] - current
        crossed = self.crossed[:, :, row]
        gain[crossed] = np.inf
        ranked, kept = top_gains(gain)
        pushable = kept & ~np.take_along_axis(crossed, ranked, axis=1)
        first_pushed = np.where(pushable.any(axis=1), pushable.argmax(axis=1), 0)
        self.objection[:, row] = np.where(~accepted & kept[:, 0], ranked[:, 0], -1)
        pushed = np.take_along_axis(ranked, first_pushed[:, None], axis=1)[:, 0]
        self.pushed[:, row] = np.where(~accepted & pushable.any(axis=1), pushed, -1)

    def note_concessions(self) -> None:
        """`NegotiationModel.note_concessions`: what each party saw the other signatories
        concede, for tit-for-tat."""
        before = self.shown.copy()
        for row in self.signatories:
            accepted = self.accepted[:, row]
            if accepted.any():
                believed = self.beliefs.of_text(self.text, row)  # (runs, listener)
                lower = np.minimum(self.shown[:, :, row], believed)
                self.shown[:, :, row] = np.where(accepted[:, None], lower, self.shown[:, :, row])
        revealed = before - self.shown  # (runs, listener, party)
        rows, listeners = self.signatories, self.beliefs.listeners
        is_signatory = self.is_signatory[listeners]
        own = np.where(is_signatory, revealed[:, np.arange(len(listeners)), listeners], 0.0)
        others = len(rows) - is_signatory
        # signatory by signatory, in order, as the model's `revealed[:, rows].sum(axis=1)`
        seen = np.ascontiguousarray(np.moveaxis(revealed[:, :, rows], -1, 0)).sum(axis=0) - own
        self.concessions[:, listeners] = np.divide(
            seen, others, out=np.zeros(seen.shape), where=np.broadcast_to(others > 0, seen.shape)
        )

    def listen(self) -> None:
        """`NegotiationModel.listen`: every party learns from each signatory's verdict,
        and a lone holdout is believed to want more than the text gives it."""
        beliefs, memory, sig = self.beliefs, self.memory, self.signatories
        verdict, pushed = self.verdict[:, sig], self.pushed[:, sig]
        reservation, threshold = self.bounds()
        noted_threshold = np.nan_to_num(threshold, nan=0.0)  # "None" in the model's records
        code = memory.code(self.text)
        for i, row in enumerate(sig):
            beliefs.demand[:, :, row] = np.where(
                (verdict[:, i] == ACCEPT)[:, None], 0.0, beliefs.demand[:, :, row]
            )
        kinds = np.select(
            [verdict == RESERVATION, verdict == RATIFICATION],
            [FAILED_RESERVATION, FAILED_RATIFICATION],
            0,
        )
        said = np.where(verdict == RESERVATION, reservation, threshold)
        memory.fail(code, kinds, said)
        fresh = (verdict != RED_LINE) & beliefs.listening[:, None]
        fresh &= ~memory.heard_before(code, verdict, pushed, reservation, noted_threshold)
        memory.hear(code, verdict, pushed, reservation, noted_threshold, fresh)
        parties = np.array(sig)
        beliefs.learn_sums(
            self.text,
            beliefs.salience,
            parties,
            reservation,
            verdict != RESERVATION,
            fresh,
        )
        has_body = np.isin(parties, self.ratifiers)[None, :]
        judged = fresh & has_body & ((verdict == ACCEPT) | (verdict == RATIFICATION))
        beliefs.learn_sums(
            self.text,
            beliefs.domestic_weights,
            parties,
            threshold,
            verdict == ACCEPT,
            judged,
        )
        beliefs.objections(self.text, parties, pushed, fresh & (pushed >= 0) & (verdict != ACCEPT))
        self.hold_outs(verdict)

    def hold_outs(self, verdict: np.ndarray) -> None:
        """A signatory rejecting for more, alone, for HOLDOUT_ROUNDS rounds is believed to
        want more than the text gives it (`Beliefs.holds_out`)."""
        accepted = self.accepted[:, self.signatories]
        for i, row in enumerate(self.signatories):
            alone = np.delete(accepted, i, axis=1).all(axis=1)
            holding = (verdict[:, i] == ASPIRATION) & alone
            self.holdout[:, row] = np.where(holding, self.holdout[:, row] + 1, 0)
            out = self.holdout[:, row] >= HOLDOUT_ROUNDS
            if out.any():
                demand = self.beliefs.of_text(self.text, row)
                self.beliefs.demand[:, :, row] = np.where(
                    out[:, None], demand, self.beliefs.demand[:, :, row]
                )


def top_gains(gain: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first MAX_OBJECTIONS points of each run's stable sort by falling gain (runs,
    points), and which of them gain more than TOLERANCE: the model's `argsort(-gain,
    kind="stable")[:MAX_OBJECTIONS]`, one argmax at a time (it takes the first of equals).
    Once only points gaining nothing are left, the picks may repeat; none of them is kept."""
    runs = np.arange(len(gain))
    count = min(MAX_OBJECTIONS, gain.shape[1])
    ranked = np.empty((len(gain), count), dtype=np.int64)
    kept = np.empty((len(gain), count), dtype=bool)
    for k in range(count):
        ranked[:, k] = best = gain.argmax(axis=1)
        kept[:, k] = gain[runs, best] > TOLERANCE
        gain[runs, best] = -np.inf
    return ranked, kept


def ratification_utility(weights: np.ndarray, values: np.ndarray, row: int) -> np.ndarray:
    """(runs,) `Negotiator.ratification_utility`: the party's ratifying body's weights
    (runs, points, parties) times its values of the text (runs, points, parties), taken
    as the model takes them (a column of the weights, a contiguous pick of the values),
    for BLAS adds strided and contiguous vectors differently."""
    column = weights[:, :, row]
    own = np.ascontiguousarray(values[:, :, row])
    return np.matmul(column[:, None, :], own[:, :, None])[:, 0, 0]
