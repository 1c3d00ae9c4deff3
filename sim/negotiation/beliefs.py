"""What each party believes about the others' option values, and how it learns from what
they say at the table (docs/model.md, "A mediator that listens").

A belief is a Gaussian per option value. Its prior is the noisy reading the party starts
with (`belief_noise`), with that noise's variance. Each verdict at the table is a noisy
test of a linear inequality on the speaker's values:
- an acceptance says U(text) >= its reservation value;
- a rejection below the reservation value says U(text) < it;
- an objection says another option on that point is worth more.

After each one, every listener moves its belief to the Gaussian closest to the belief
weighted by the verdict's probit likelihood. This is assumed-density filtering: moments
are matched and the belief is kept one independent Gaussian per value, as in TrueSkill.
Red lines, reservation values and ratification thresholds are public statements, and a
party knows its own values, so neither needs learning.
"""

from __future__ import annotations

import numpy as np
from scipy.special import log_ndtr

from .outcome_space import RED_LINE_VALUE, weighted

LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)
VERDICT_SD = 0.01  # how far a listener may be off the threshold a speaker applies
MIN_SHARE = 1e-6  # of the prior variance: listening alone never makes a belief certain


class Beliefs:
    """Every party's belief about every party's option values, as means and variances
    (speaker, listener, point, option), and the tables the listeners search texts with."""

    def __init__(self, model, noise: float):
        """Drawn from the model's seeded rng: the same seed gives the same beliefs."""
        values, self.salience, self.red = model.values, model.salience, model.red
        self.domestic_weights = model.domestic_weights
        first_body = len(model.negotiators_by_row)
        self.body_column = {n.row: first_body + i for i, n in enumerate(model.ratifiers)}
        self.exists = model.space.exists
        self.failures: dict[bytes, list[tuple[int, str, float]]] = {}
        self.heard: set[tuple] = set()  # a verdict said again on the same terms says nothing new
        n = values.shape[-1]
        # what each listener believes each party holds out for now, beyond its reservation
        self.demand = np.zeros((n, n))
        readings = np.broadcast_to(values, (n, *values.shape)).copy()  # listener first
        variance = np.zeros_like(readings)
        if noise:
            readings += noise * model.rng.standard_normal(readings.shape)
            variance[:] = noise**2 * self.exists[None, :, :, None]
            own = np.arange(n)
            readings[own, :, :, own] = values.transpose(2, 0, 1)
            variance[own, :, :, own] = 0.0
        self.mean = np.ascontiguousarray(readings.transpose(3, 0, 1, 2))  # speaker first
        self.variance = np.ascontiguousarray(variance.transpose(3, 0, 1, 2))
        self.floor = MIN_SHARE * self.variance
        self.offsets = np.arange(n)[:, None] * self.exists.size  # a listener's flat block
        self.flat = [(self.mean[s].ravel(), self.variance[s].ravel()) for s in range(n)]
        self.tables = self.table_of(readings)

    def table_of(self, values: np.ndarray) -> np.ndarray:
        """(listener, point, option, column) weighted values, red lines folded in; columns
        are the parties, then the ratifying body of each party with a domestic constraint."""
        values = np.clip(values, 0, 1)
        owners = list(self.body_column)
        bodies = weighted(
            values[..., owners], self.domestic_weights[:, owners], self.red[..., owners]
        )
        return np.concatenate([weighted(values, self.salience, self.red), bodies], axis=-1)

    def hopeful_table(self, listener: int, doubt: float) -> np.ndarray:
        """The listener's table with every value raised by `doubt` standard deviations:
        an option nobody has spoken to keeps the benefit of the doubt, one tested has lost
        it (optimism in the face of uncertainty, as in a bandit's upper confidence bound)."""
        if not doubt:
            return self.tables[listener]
        raised = self.mean[:, listener] + doubt * np.sqrt(self.variance[:, listener])
        return self.table_of(raised.transpose(1, 2, 0)[None])[0]

    def of_text(self, listener: int, text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every party's utility of the text as the listener believes it (as `utility` is
        measured: red lines are not folded in), and how unsure the listener is of each (a
        standard deviation)."""
        rows = np.arange(len(text))
        values = np.clip(self.mean[:, listener, rows, text], 0, 1).T  # (point, party)
        spread = self.variance[:, listener, rows, text].T
        return (self.salience * values).sum(axis=0), np.sqrt(
            (self.salience**2 * spread).sum(axis=0)
        )

    def hear(self, party: int, text: np.ndarray, verdict: str, pushed, bounds) -> None:
        """Learn from one party's verdict on the text. `bounds` is its reservation value
        and its ratification threshold (or None); `pushed` is the index of the point it
        objected to most, or None. The tests come in `Negotiator.verdict_on`'s order: red
        lines, reservation value, aspiration, ratification."""
        reservation, threshold = bounds
        rows = np.arange(len(text))
        if verdict == "accept":
            self.demand[:, party] = 0.0
        if verdict in ("reservation", "ratification"):
            failed = self.failures.setdefault(text.tobytes(), [])
            failed.append((party, verdict, reservation if verdict == "reservation" else threshold))
        said = (party, verdict, text.tobytes(), pushed, bounds)
        if verdict == "red_line" or said in self.heard or not self.variance[party].any():
            return  # red lines are public: a rejection over one says nothing new
        self.heard.add(said)
        if verdict != "player":  # a player's own reason for a rejection states no bound
            holds = verdict != "reservation"
            self.learn(party, rows, text, self.salience[:, party], reservation, holds)
        if threshold is not None and verdict in ("accept", "ratification"):
            weights = self.domestic_weights[:, party]
            self.learn(party, rows, text, weights, threshold, verdict == "accept")
        if pushed is not None and verdict != "accept":
            self.objection(party, text, pushed)
        self.refresh(party)

    def holds_out(self, party: int, text: np.ndarray) -> None:
        """A party that keeps rejecting, for more than it gets, a text every other party
        accepts wants more than the text gives it (as each listener believes it), until it
        accepts a text."""
        rows = np.arange(len(text))
        self.demand[:, party] = self.tables[:, rows, text, party].sum(axis=1)

    def known_to_fail(self, text: np.ndarray, bounds: dict[int, tuple]) -> bool:
        """Has a party said the text falls short of a bound that has not fallen since?
        `bounds` maps a party's row to its reservation value and ratification threshold."""
        for party, verdict, said in self.failures.get(text.tobytes(), ()):
            now = bounds[party][0 if verdict == "reservation" else 1]
            if now >= said:
                return True
        return False

    def objection(self, party: int, text: np.ndarray, point: int) -> None:
        """The party pushed `point`: the option each listener believes it likes best there
        is worth more to it than the text's option."""
        mean = self.mean[party, :, point]  # (listener, option)
        allowed = self.exists[point] & ~self.red[point, :, party]
        allowed[text[point]] = False
        best = np.where(allowed, mean, -np.inf).argmax(axis=1)
        options = np.stack([best, np.full_like(best, text[point])], axis=1)
        self.learn(party, np.array([point, point]), options, np.array([1.0, -1.0]), 0.0, True)

    def learn(self, party, points, options, coefficients, bound: float, holds: bool) -> None:
        """Moment-match every listener's belief to it times the probit likelihood of
        `sum(c * values) >= bound` (of `<` when not `holds`) over the (points, options)
        given; `options` may differ by listener (listener, term)."""
        at = self.offsets + (points * self.exists.shape[1] + options)
        means, variances = self.flat[party]
        mean, variance = means.take(at), variances.take(at)  # (listener, term)
        known = variance @ coefficients**2
        if not known.any():
            return
        sign = 1.0 if holds else -1.0
        spread = known + VERDICT_SD**2
        s = np.sqrt(spread)
        z = sign * (mean @ coefficients - bound) / s
        mills = np.exp(-0.5 * z**2 - LOG_SQRT_2PI - log_ndtr(z))  # phi(z) / Phi(z)
        step = (sign * mills / s)[:, None] * coefficients
        shrink = (mills * (mills + z) / spread)[:, None] * coefficients**2
        means.put(at, mean + variance * step)
        floor = self.floor[party].ravel().take(at)
        variances.put(at, np.maximum(variance * (1 - variance * shrink), floor))

    def refresh(self, party: int) -> None:
        """Rebuild the party's columns of every listener's table from the new means."""
        values = np.clip(self.mean[party], 0, 1)  # (listener, point, option)
        red = self.red[..., party]
        self.tables[..., party] = np.where(
            red, RED_LINE_VALUE, values * self.salience[:, party, None]
        )
        if party in self.body_column:
            body = values * self.domestic_weights[:, party, None]
            self.tables[..., self.body_column[party]] = np.where(red, RED_LINE_VALUE, body)
