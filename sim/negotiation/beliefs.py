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

from .outcome_space import weighted

LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)
VERDICT_SD = 0.01  # how far a listener may be off the threshold a speaker applies
MIN_SHARE = 1e-6  # of the prior variance: listening alone never makes a belief certain
HOLDOUT_ROUNDS = 2  # rounds a lone party rejects a text for more before the mediator yields


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
        self.failures: dict[bytes, set[tuple[int, str, float]]] = {}  # text -> shortfalls said
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

    def hear(self, text: np.ndarray, verdicts) -> None:
        """Learn from the signatories' verdicts on the text: `verdicts` holds, per party,
        (its row, its verdict, the index of the point it objected to most or None, its
        reservation value and ratification threshold or None). The tests come in
        `Negotiator.verdict_on`'s order: red lines, reservation value, aspiration,
        ratification. Different parties' values are learnt in one pass."""
        fresh = []
        for party, verdict, pushed, (reservation, threshold) in verdicts:
            if verdict == "accept":
                self.demand[:, party] = 0.0
            if verdict in ("reservation", "ratification"):
                bound = reservation if verdict == "reservation" else threshold
                self.failures.setdefault(text.tobytes(), set()).add((party, verdict, bound))
            said = (party, verdict, text.tobytes(), pushed, reservation, threshold)
            if verdict == "red_line" or said in self.heard or not self.variance[party].any():
                continue  # red lines are public: a rejection over one says nothing new
            self.heard.add(said)
            fresh.append((party, verdict, pushed, reservation, threshold))
        # a player's own reason for a rejection states no bound
        stated = [(p, r, v != "reservation") for p, v, _, r, _ in fresh if v != "player"]
        self.learn_sums(text, self.salience, stated)
        ratified = ("accept", "ratification")
        judged = [
            (p, th, v == "accept") for p, v, _, _, th in fresh if th is not None and v in ratified
        ]
        self.learn_sums(text, self.domestic_weights, judged)
        pushes = [(p, point) for p, v, point, _, _ in fresh if point is not None and v != "accept"]
        if pushes:
            self.objections(text, pushes)
        for party in {p for p, *_ in fresh}:
            self.refresh(party)

    def learn_sums(self, text: np.ndarray, weights: np.ndarray, said) -> None:
        """Each (party, bound, holds) of `said`: the weighted sum of the party's values on
        the text reaches the bound (or does not, when not `holds`)."""
        if not said:
            return
        parties, bounds, holds = (np.array(column) for column in zip(*said, strict=True))
        rows = np.arange(len(text))
        self.learn(parties, rows[None], text[None], weights[:, parties].T, bounds, holds)

    def objections(self, text: np.ndarray, pushes) -> None:
        """Each (party, point) of `pushes`: the option each listener believes the party
        likes best on that point is worth more to it than the text's option."""
        parties = np.array([party for party, _ in pushes])
        points = np.array([point for _, point in pushes])
        best = []
        for party, point in pushes:
            mean = self.mean[party, :, point]  # (listener, option)
            allowed = self.exists[point] & ~self.red[point, :, party]
            allowed[text[point]] = False
            best.append(np.where(allowed, mean, -np.inf).argmax(axis=1))
        best = np.array(best)  # (party, listener)
        options = np.stack([best, np.broadcast_to(text[points][:, None], best.shape)], axis=-1)
        coefficients = np.broadcast_to([1.0, -1.0], (len(pushes), 2))
        zeros, holds = np.zeros(len(pushes)), np.ones(len(pushes), dtype=bool)
        self.learn(
            parties, np.stack([points, points], axis=-1), options, coefficients, zeros, holds
        )

    def holds_out(self, party: int, text: np.ndarray) -> None:
        """A party that keeps rejecting, for more than it gets, a text every other party
        accepts wants more than the text gives it (as each listener believes it), until it
        accepts a text."""
        rows = np.arange(len(text))
        self.demand[:, party] = self.tables[:, rows, text, party].sum(axis=1)

    def known_to_fail(self, text: np.ndarray, bounds_of) -> bool:
        """Has a party said the text falls short of a bound that has not fallen since?
        `bounds_of(row)` is a party's reservation value and ratification threshold now."""
        for party, verdict, said in self.failures.get(text.tobytes(), ()):
            if bounds_of(party)[0 if verdict == "reservation" else 1] >= said:
                return True
        return False

    def learn(self, parties, points, options, coefficients, bounds, holds) -> None:
        """Moment-match every listener's belief about each party to it times the probit
        likelihood of `sum(c * values) >= bound` (of `<` where not `holds`) over the
        (points, options) given, for each party its own row: `points` is (party, term),
        `options` (party, term) or (party, listener, term), `coefficients` (party, term)."""
        listeners = self.mean.shape[1]
        points, options = np.asarray(points), np.asarray(options)
        if options.ndim == 2:
            options = options[:, None, :]
        at = (
            parties[:, None, None] * listeners * self.exists.size
            + self.offsets[None]
            + points[:, None, :] * self.exists.shape[1]
            + options
        )  # (party, listener, term)
        means, variances = self.mean.reshape(-1), self.variance.reshape(-1)
        mean, variance = means.take(at), variances.take(at)
        c = np.asarray(coefficients)[:, None, :]
        sign = np.where(holds, 1.0, -1.0)[:, None]
        spread = (variance * c**2).sum(axis=-1) + VERDICT_SD**2  # (party, listener)
        s = np.sqrt(spread)
        z = sign * ((mean * c).sum(axis=-1) - np.asarray(bounds)[:, None]) / s
        mills = np.exp(-0.5 * z**2 - LOG_SQRT_2PI - log_ndtr(z))  # phi(z) / Phi(z)
        step = (sign * mills / s)[..., None] * c
        shrink = (mills * (mills + z) / spread)[..., None] * c**2
        means.put(at, mean + variance * step)
        floor = self.floor.reshape(-1).take(at)
        variances.put(at, np.maximum(variance * (1 - variance * shrink), floor))

    def refresh(self, party: int) -> None:
        """Rebuild the party's columns of every listener's table from the new means."""
        values = np.clip(self.mean[party], 0, 1)[..., None]  # (listener, point, option, 1)
        red = self.red[..., party : party + 1]
        self.tables[..., party : party + 1] = weighted(values, self.salience[:, [party]], red)
        if party in self.body_column:
            body = weighted(values, self.domestic_weights[:, [party]], red)
            self.tables[..., self.body_column[party] : self.body_column[party] + 1] = body
