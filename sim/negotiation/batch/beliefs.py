"""Every run's beliefs at once: `sim.negotiation.beliefs` with a leading run axis (means
and variances (runs, speaker, listener, point, option), tables (runs, listener, point,
option, column)), updated by the same assumed-density filter in the same order."""

from __future__ import annotations

import numpy as np
from scipy.special import log_ndtr

from ..beliefs import LOG_SQRT_2PI, MIN_SHARE, VERDICT_SD
from ..outcome_space import RED_LINE_VALUE

EVERY_RUN = slice(None)


class BatchBeliefs:
    """What each party believes of every party's option values, in every run. Tables are
    built when asked for, from the means, as the Mesa model's `Beliefs.tables` would
    hold them then (each of its columns is rebuilt from the means they learn)."""

    def __init__(
        self, values, salience, red, domestic_weights, bodies, exists, noise, draws, listeners
    ):
        """`values` (runs, points, options, parties); `salience` and `domestic_weights`
        (runs, points, parties), kept here for the rows still talking; `noise` (runs,) the
        belief noise; `draws` (runs, listener, points, options, parties) each run's
        standard normals for the `listeners` (zeros where a run has no noise); `bodies`
        the party rows with a ratifying body;
        `listeners` the parties whose beliefs can change what happens (a listener's
        beliefs never depend on another's, so the others' need not be kept)."""
        runs, _, _, n = values.shape
        self.salience, self.red, self.domestic_weights = salience, red, domestic_weights
        self.bodies, self.exists = bodies, exists
        self.red_cells = [np.flatnonzero(red[..., party]) for party in range(n)]  # (point, option)
        # each table column's weights spread over the options (runs, column, point, option):
        # numpy multiplies a whole block many times faster than one broadcast along options
        weights = [salience[..., party] for party in range(n)]
        weights += [domestic_weights[..., party] for party in bodies]
        self.cell_weights = np.repeat(np.stack(weights, axis=1)[..., None], exists.shape[1], axis=3)
        self.listeners = np.array(listeners)
        self.position = {row: i for i, row in enumerate(listeners)}
        count = len(listeners)
        readings = np.broadcast_to(values[:, None], (runs, count, *values.shape[1:])).copy()
        noisy = noise != 0
        readings[noisy] += noise[noisy, None, None, None, None] * draws[noisy]
        self.prior = np.where(noisy, noise**2, 0.0)  # (runs,) the prior variance
        variance = np.zeros_like(readings)
        variance[noisy] = self.prior[noisy, None, None, None, None] * exists[None, :, :, None]
        mine = np.arange(count)
        readings[:, mine, :, :, self.listeners] = values.transpose(3, 0, 1, 2)[self.listeners]
        variance[:, mine, :, :, self.listeners] = 0.0
        self.mean = np.ascontiguousarray(readings.transpose(0, 4, 1, 2, 3))
        self.variance = np.ascontiguousarray(variance.transpose(0, 4, 1, 2, 3))
        self.listening = noisy & (n > 1)  # a run whose beliefs can still move
        self.demand = np.zeros((runs, count, n))  # (run, listener, party)

    def keep(self, runs: np.ndarray) -> None:
        """Keep only these runs."""
        kept = ("salience", "domestic_weights", "cell_weights", "mean", "variance", "prior")
        kept += ("listening",)
        for name in kept:
            setattr(self, name, getattr(self, name)[runs])
        self.demand = self.demand[runs]

    def table(self, listener: int, runs=EVERY_RUN, columns=None) -> np.ndarray:
        """(runs, point, option, column): the listener's table (`Beliefs.tables[listener]`),
        or only the `columns` given, in their order."""
        return np.stack(self.columns(listener, runs, columns), axis=-1)

    def columns(self, listener: int, runs=EVERY_RUN, columns=None) -> list[np.ndarray]:
        """The listener's table as one (runs, point, option) array per column."""
        at = self.position[listener]
        if columns is None:
            columns = range(self.mean.shape[1] + len(self.bodies))
        return self.columns_of(
            lambda party: np.clip(self.mean[runs, party, at], 0, 1), runs, columns
        )

    def hopeful_columns(self, listener: int, doubt: np.ndarray, columns) -> list[np.ndarray]:
        """`Beliefs.hopeful_table` for every run's doubt: one (runs, point, option) array
        per column given."""
        at, doubt = self.position[listener], doubt[:, None, None]

        def raised(party: int) -> np.ndarray:
            value = np.sqrt(self.variance[:, party, at])
            value *= doubt
            value += self.mean[:, party, at]  # mean + doubt * sd, in place
            return np.clip(value, 0, 1, out=value)

        return self.columns_of(raised, EVERY_RUN, columns)

    def columns_of(self, values_of, runs, columns) -> list[np.ndarray]:
        """(runs, point, option) arrays of the given table columns (a party, or `parties
        + i` for the i-th ratifying body), each from `values_of(party)` (runs, point,
        option: a new array, clipped to [0, 1]), weighted in place as `Beliefs.table_of`
        weighs it."""
        parties = self.mean.shape[1]
        found = []
        for column in columns:
            party = column if column < parties else self.bodies[column - parties]
            value = values_of(party)
            value *= self.cell_weights[runs, column]
            value.reshape(len(value), -1)[:, self.red_cells[party]] = RED_LINE_VALUE
            found.append(value)
        return found

    def of_text(self, texts: np.ndarray, party: int) -> np.ndarray:
        """(runs, listener): what every listener believes the runs' texts give the party
        (`Beliefs.tables[:, rows, text, party].sum(axis=1)`). numpy lays that pick out
        point by point and adds the points in order; so does this."""
        points = np.arange(texts.shape[1])
        block = self.mean[:, party]  # (runs, listener, point, option)
        picked = np.take_along_axis(block, texts[:, None, :, None], axis=3)[..., 0]
        picked = np.ascontiguousarray(picked.transpose(0, 2, 1))  # (runs, point, listener)
        red = self.red[points, texts, party][:, :, None]  # (runs, point, 1)
        weights = self.salience[:, :, party][:, :, None]
        return np.where(red, RED_LINE_VALUE, np.clip(picked, 0, 1) * weights).sum(axis=1)

    def learn(self, runs, party, points, options, c, bounds, holds) -> None:
        """`Beliefs.learn` for (run, party) pairs: `points` and `options` (pairs, listener,
        term) of the terms, coefficients `c` (pairs, 1, term)."""
        _, speakers, listeners, rows, width = self.mean.shape
        block = (runs * speakers + party) * listeners  # (pairs,): the pair's first listener
        at = (
            (block[:, None, None] + np.arange(listeners)[None, :, None]) * rows + points
        ) * width + options  # (pairs, listener, term) flat positions
        means, variances = self.mean.reshape(-1), self.variance.reshape(-1)
        own = self.listeners[None, :, None] == party[:, None, None]
        floor = np.where(own, 0.0, MIN_SHARE * self.prior[runs][:, None, None])
        new_mean, new_variance = update(means.take(at), variances.take(at), floor, c, bounds, holds)
        means.put(at, new_mean)  # in term order: the later of two equal positions is kept
        variances.put(at, new_variance)

    def learn_sums(self, texts, weights, parties, bounds, holds, mask) -> None:
        """Where `mask` (runs, parties): the weighted sum of the party's values on the run's
        text reaches the bound (falls short of it where not `holds`)."""
        runs, speakers = np.nonzero(mask)
        if not len(runs):
            return
        party = parties[speakers]
        listeners = self.mean.shape[2]
        points = np.broadcast_to(np.arange(texts.shape[1]), (len(runs), listeners, texts.shape[1]))
        options = np.broadcast_to(texts[runs][:, None, :], points.shape)
        c = np.ascontiguousarray(weights[runs, :, party])[:, None, :]
        self.learn(runs, party, points, options, c, bounds[runs, speakers], holds[runs, speakers])

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
        options = np.stack([best, np.broadcast_to(current[:, None], best.shape)], axis=-1)
        at = np.broadcast_to(point[:, None, None], options.shape)
        c = np.broadcast_to([1.0, -1.0], (len(runs), 1, 2))
        zeros, holds = np.zeros(len(runs)), np.ones(len(runs), dtype=bool)
        self.learn(runs, party, at, options, c, zeros, holds)


def update(mean, variance, floor, c, bounds, holds):
    """`Beliefs.learn`'s moment matching on gathered terms: mean, variance and floor
    (pairs, listener, term), coefficients c (pairs, 1, term), bounds and holds (pairs,)."""
    sign = np.where(holds, 1.0, -1.0)[:, None]
    squared = c**2
    spread = (variance * squared).sum(axis=-1) + VERDICT_SD**2
    s = np.sqrt(spread)
    z = sign * ((mean * c).sum(axis=-1) - np.asarray(bounds)[:, None]) / s
    mills = np.exp(-0.5 * z**2 - LOG_SQRT_2PI - log_ndtr(z))
    step = (sign * mills / s)[..., None] * c
    step *= variance
    step += mean  # mean + variance * step, in place
    shrink = (mills * (mills + z) / spread)[..., None] * squared
    shrink *= variance
    np.subtract(1, shrink, out=shrink)
    shrink *= variance  # variance * (1 - variance * shrink), in place
    return step, np.maximum(shrink, floor, out=shrink)
