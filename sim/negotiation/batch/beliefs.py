"""Every run's beliefs at once: `sim.negotiation.beliefs` with a leading run axis (means
and variances (runs, speaker, listener, point, option), tables (runs, listener, point,
option, column)), updated by the same assumed-density filter in the same order."""

from __future__ import annotations

import numpy as np
from scipy.special import log_ndtr

from ..beliefs import LOG_SQRT_2PI, MIN_SHARE, VERDICT_SD
from ..outcome_space import RED_LINE_VALUE


def weighted(values: np.ndarray, weights: np.ndarray, red: np.ndarray) -> np.ndarray:
    """`outcome_space.weighted` for (runs, ..., points, options, parties) values and
    (runs, points, parties) weights."""
    shape = (len(weights),) + (1,) * (values.ndim - 4) + (weights.shape[1], 1, weights.shape[2])
    return np.where(red, RED_LINE_VALUE, values * weights.reshape(shape))


class BatchBeliefs:
    """What each party believes of every party's option values, in every run."""

    def __init__(self, values, salience, red, domestic_weights, bodies, exists, noise, draws):
        """`values` (runs, points, options, parties); `noise` (runs,) the belief noise;
        `draws` (runs, listener, points, options, parties) each run's standard normals
        (zeros where a run has no noise); `bodies` the party rows with a ratifying body."""
        runs, _, _, n = values.shape
        self.salience, self.red, self.domestic_weights = salience, red, domestic_weights
        self.bodies, self.exists = bodies, exists
        readings = np.broadcast_to(values[:, None], (runs, n, *values.shape[1:])).copy()
        noisy = noise != 0
        readings[noisy] += noise[noisy, None, None, None, None] * draws[noisy]
        variance = np.zeros_like(readings)
        variance[noisy] = (noise[noisy] ** 2)[:, None, None, None, None] * exists[None, :, :, None]
        own = np.arange(n)
        readings[:, own, :, :, own] = values.transpose(3, 0, 1, 2)
        variance[:, own, :, :, own] = 0.0
        self.mean = np.ascontiguousarray(readings.transpose(0, 4, 1, 2, 3))
        self.variance = np.ascontiguousarray(variance.transpose(0, 4, 1, 2, 3))
        self.floor = MIN_SHARE * self.variance
        self.listening = noisy & (n > 1)  # a run whose beliefs can still move
        self.demand = np.zeros((runs, n, n))  # (run, listener, party)
        self.tables = self.table_of(readings)

    def table_of(self, values: np.ndarray, runs=slice(None)) -> np.ndarray:
        """(runs, listener, point, option, column) tables from (runs, listener, point,
        option, party) values, as `Beliefs.table_of` (for `runs` of the batch)."""
        values = np.clip(values, 0, 1)
        owners = self.bodies
        salience, domestic = self.salience[runs], self.domestic_weights[runs]
        bodies = weighted(values[..., owners], domestic[:, :, owners], self.red[..., owners])
        return np.concatenate([weighted(values, salience, self.red), bodies], axis=-1)

    def slice(self, runs: np.ndarray) -> None:
        """Keep only these runs."""
        for name in ("salience", "domestic_weights", "mean", "variance", "floor", "listening"):
            setattr(self, name, getattr(self, name)[runs])
        self.demand, self.tables = self.demand[runs], self.tables[runs]

    def hopeful_table(self, listener: int, doubt: np.ndarray) -> np.ndarray:
        """(runs, point, option, column): `Beliefs.hopeful_table` for every run's doubt."""
        raised = self.mean[:, :, listener] + doubt[:, None, None, None] * np.sqrt(
            self.variance[:, :, listener]
        )
        return self.table_of(raised.transpose(0, 2, 3, 1)[:, None])[:, 0]

    def of_text(self, texts: np.ndarray, column: int) -> np.ndarray:
        """(runs, listener): every listener's table total for the runs' texts, one column."""
        runs = np.arange(len(texts))[:, None]
        rows = np.arange(texts.shape[1])[None, :]
        picked = self.tables[runs, :, rows, texts, column]  # (runs, points, listener)
        return np.ascontiguousarray(picked.transpose(0, 2, 1)).sum(axis=-1)

    def learn_sums(self, texts, weights, parties, bounds, holds, mask) -> None:
        """Where `mask` (runs, parties): the weighted sum of the party's values on the run's
        text reaches the bound (falls short of it where not `holds`)."""
        runs, speakers = np.nonzero(mask)
        if not len(runs):
            return
        rows = np.arange(texts.shape[1])
        options = texts[runs]  # (pairs, points)
        rows_b = rows[None, :]
        party = parties[speakers]
        mean = self.mean[runs[:, None], party[:, None], :, rows_b, options]  # (pairs, points, L)
        variance = self.variance[runs[:, None], party[:, None], :, rows_b, options]
        floor = self.floor[runs[:, None], party[:, None], :, rows_b, options]
        c = weights[runs, :, party][:, None, :]  # (pairs, 1, points)
        new_mean, new_variance = update(
            np.ascontiguousarray(mean.transpose(0, 2, 1)),
            np.ascontiguousarray(variance.transpose(0, 2, 1)),
            np.ascontiguousarray(floor.transpose(0, 2, 1)),
            np.ascontiguousarray(c),
            bounds[runs, speakers],
            holds[runs, speakers],
        )
        self.mean[runs[:, None], party[:, None], :, rows_b, options] = new_mean.transpose(0, 2, 1)
        self.variance[runs[:, None], party[:, None], :, rows_b, options] = new_variance.transpose(
            0, 2, 1
        )

    def objections(self, texts, parties, points, mask) -> None:
        """Where `mask`: the option each listener believes the party likes best on the point
        (`points` (runs, parties)) is worth more to it than the text's option."""
        runs, speakers = np.nonzero(mask)
        if not len(runs):
            return
        party, point = parties[speakers], points[runs, speakers]
        current = texts[runs, point]
        mean = self.mean[runs, party, :, point]  # (pairs, listener, option)
        allowed = self.exists[point] & ~self.red[point, :, party]
        allowed[np.arange(len(runs)), current] = False
        best = np.where(allowed[:, None, :], mean, -np.inf).argmax(axis=2)  # (pairs, L)
        listeners = np.arange(mean.shape[1])[None, :]
        at = (runs[:, None], party[:, None], listeners, point[:, None])
        terms = [best, np.broadcast_to(current[:, None], best.shape)]
        means = np.stack([self.mean[(*at, option)] for option in terms], axis=-1)
        variances = np.stack([self.variance[(*at, option)] for option in terms], axis=-1)
        floors = np.stack([self.floor[(*at, option)] for option in terms], axis=-1)
        c = np.broadcast_to([1.0, -1.0], (len(runs), 2))[:, None, :]
        zeros, holds = np.zeros(len(runs)), np.ones(len(runs), dtype=bool)
        new_mean, new_variance = update(means, variances, floors, c, zeros, holds)
        for term, option in enumerate(terms):  # the text's option last, as `put` writes
            self.mean[(*at, option)] = new_mean[..., term]
            self.variance[(*at, option)] = new_variance[..., term]

    def refresh(self, fresh: np.ndarray, parties: np.ndarray) -> None:
        """Rebuild, where `fresh` (runs, parties), the party's columns of every listener's
        table from its new means (`Beliefs.refresh`)."""
        for i, party in enumerate(parties):
            runs = np.flatnonzero(fresh[:, i])
            if not len(runs):
                continue
            values = np.clip(self.mean[runs, party], 0, 1)  # (runs, listener, point, option)
            red = self.red[:, :, party]
            weights = self.salience[runs, :, party][:, None, :, None]
            self.tables[runs, ..., party] = np.where(red, RED_LINE_VALUE, values * weights)
            if party in self.bodies:
                column = self.mean.shape[1] + self.bodies.index(party)
                weights = self.domestic_weights[runs, :, party][:, None, :, None]
                self.tables[runs, ..., column] = np.where(red, RED_LINE_VALUE, values * weights)


def update(mean, variance, floor, c, bounds, holds):
    """`Beliefs.learn`'s moment matching on gathered terms: mean, variance and floor
    (pairs, listener, term), coefficients c (pairs, 1, term), bounds and holds (pairs,)."""
    sign = np.where(holds, 1.0, -1.0)[:, None]
    spread = (variance * c**2).sum(axis=-1) + VERDICT_SD**2
    s = np.sqrt(spread)
    z = sign * ((mean * c).sum(axis=-1) - np.asarray(bounds)[:, None]) / s
    mills = np.exp(-0.5 * z**2 - LOG_SQRT_2PI - log_ndtr(z))
    step = (sign * mills / s)[..., None] * c
    shrink = (mills * (mills + z) / spread)[..., None] * c**2
    return mean + variance * step, np.maximum(variance * (1 - variance * shrink), floor)
