"""A batch's runs as arrays: the numbers each run's scenario gives, stacked with a leading
run axis, and the random numbers each run's own generator draws in the Mesa model's order.

Runs in one batch share a structure (`structure_of`): the points, links, parties and
their roles, red lines, tactics and influence links, the protocol's kind and text. Every
number may differ from run to run.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ...scenario.data import Scenario
from ..outcome_space import OutcomeSpace, party_tables, ratification_weights, value_matrix
from ..protocol_texts import start_text


def structure_of(scenario: Scenario) -> tuple:
    """What runs of one batch must share: everything but the numbers."""
    parties = tuple(
        (
            p.id,
            p.role,
            p.red_lines,
            p.tactic.name,
            tuple((k.target, k.kind, k.channel, k.while_rejecting) for k in p.influence),
            (p.domestic.body, p.domestic.points) if p.domestic else None,
            p.escalation.points if p.escalation else None,
        )
        for p in scenario.parties
    )
    protocol = scenario.protocol
    return (
        tuple((p.id, tuple(o.id for o in p.options)) for p in scenario.points),
        scenario.links,
        parties,
        (protocol.name, protocol.mediator, protocol.start, protocol.fixed, protocol.learning),
    )


class RunSet:
    """The per-run numbers of a batch (`scenarios[i]` run with `seeds[i]`)."""

    def __init__(self, scenarios: Sequence[Scenario], seeds: Sequence[int]):
        first = scenarios[0]
        self.scenarios, self.seeds = list(scenarios), [int(s) for s in seeds]
        self.space = OutcomeSpace.from_scenario(first)
        points, width = self.space.exists.shape
        self.point_ids = [p.id for p in first.points]
        self.party_ids = [p.id for p in first.parties]
        parties = first.parties
        self.signatories = [i for i, p in enumerate(parties) if p.is_signatory]
        self.ratifiers = [i for i in self.signatories if parties[i].domestic]
        protocol = first.protocol
        self.mediator = self.party_ids.index(protocol.mediator) if protocol.mediator else None
        self.mediated = protocol.name == "mediated"  # else alternating offers
        self.locked = np.zeros(points, dtype=bool)
        self.locked[[first.point_index(p) for p, _ in protocol.fixed]] = True
        self.start = start_text(first, self.space, self.locked)
        matrices: dict[int, np.ndarray] = {}  # a sweep's runs share most value tables

        def matrix(party) -> np.ndarray:
            if id(party.values) not in matrices:
                matrices[id(party.values)] = value_matrix(party, width)
            return matrices[id(party.values)]

        self.values = np.stack([np.stack([matrix(p) for p in s.parties], -1) for s in scenarios])
        self.salience = np.array([[p.salience for p in s.parties] for s in scenarios])
        self.salience = self.salience.transpose(0, 2, 1)  # (runs, points, parties)
        self.red = party_tables(first, width)[2]
        weights: dict[tuple, np.ndarray] = {}  # the model's own, once per set of saliences
        for scenario in scenarios:
            key = tuple(id(p.salience) for p in scenario.parties)
            if key not in weights:
                weights[key] = ratification_weights(scenario)
        self.domestic_weights = np.stack(
            [weights[tuple(id(p.salience) for p in s.parties)] for s in scenarios]
        )
        self.deadline = self.numbers(lambda s: s.deadline)
        self.party_deadline = self.each_party(lambda s, p: p.deadline or s.deadline)
        self.reservation = self.each_party(lambda s, p: p.reservation)
        self.trend = self.each_party(lambda s, p: p.reservation_trend)
        self.shock_sd = self.each_party(lambda s, p: p.reservation_noise)
        self.beta = self.each_party(lambda s, p: p.tactic.beta)
        self.reciprocity = self.each_party(lambda s, p: p.tactic.reciprocity)
        self.links = [
            (row, self.party_ids.index(k.target), k.kind, k.channel, k.while_rejecting)
            for row, p in enumerate(parties)
            for k in p.influence
        ]
        every_link = lambda s: [k for p in s.parties for k in p.influence]  # noqa: E731
        self.strength = self.numbers(lambda s: [k.strength for k in every_link(s)], len(self.links))
        self.cost = self.numbers(lambda s: [k.cost for k in every_link(s)], len(self.links))
        self.escalating = [i for i, p in enumerate(parties) if p.escalation]
        self.escalation_rounds = self.numbers(
            lambda s: [s.parties[i].escalation.rounds for i in self.escalating],
            len(self.escalating),
        )
        self.walkout_rounds = self.numbers(lambda s: s.protocol.walkout_rounds)
        self.bias = self.numbers(lambda s: s.protocol.bias)
        self.belief_noise = self.numbers(lambda s: s.protocol.belief_noise)
        self.growth = self.numbers(lambda s: s.protocol.lambda_growth)
        self.max_changes = self.numbers(lambda s: s.protocol.max_changes).astype(np.int64)
        self.exploration = self.numbers(lambda s: s.protocol.exploration)
        self.thresholds = self.threshold_table()

    def numbers(self, of, width: int | None = None) -> np.ndarray:
        """(runs,) or (runs, width) array of a number read off each run's scenario."""
        array = np.array([of(s) for s in self.scenarios], dtype=float)
        return array if width is None else array.reshape(len(self.scenarios), width)

    def each_party(self, of) -> np.ndarray:
        """(runs, parties) array of a number read off each party of each run."""
        return np.array([[of(s, p) for p in s.parties] for s in self.scenarios], dtype=float)

    def threshold_table(self) -> np.ndarray:
        """(runs, ratifiers, rounds + 1): each ratifying body's threshold in every round
        (`Domestic.threshold_at`, the same sums)."""
        last = int(self.deadline.max())
        table = np.zeros((len(self.scenarios), len(self.ratifiers), last + 1))
        for run, scenario in enumerate(self.scenarios):
            for column, row in enumerate(self.ratifiers):
                domestic = scenario.parties[row].domestic
                changes = sorted({0, *(e.round for e in domestic.events if e.round <= last)})
                for start, end in zip(changes, [*changes[1:], last + 1], strict=True):
                    table[run, column, start:end] = domestic.threshold_at(start)
        return table

    def draws(self, listeners: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each run's random numbers in the Mesa model's order: belief noise (runs,
        listener, points, options, parties; of the `listeners` only, all drawn), the order
        of proposers (runs, proposers) and the reservation shocks (runs, rounds, parties),
        zero where nothing is drawn or what is drawn is never used."""
        runs, n = len(self.seeds), len(self.party_ids)
        shape = (n, *self.values.shape[1:])
        beliefs = np.zeros((runs, len(listeners), *shape[1:]))
        proposing = self.signatories + ([self.mediator] if self.mediator is not None else [])
        order = np.zeros((runs, len(proposing)), dtype=np.int64)
        shocks = np.zeros((runs, int(self.deadline.max()), n))
        for run, seed in enumerate(self.seeds):
            rng = np.random.default_rng(seed)
            if self.belief_noise[run]:
                beliefs[run] = rng.standard_normal(shape)[listeners]
            noisy = np.flatnonzero(self.shock_sd[run])
            if not self.mediated or len(noisy):  # unused by a mediator, unless it moves the shocks
                order[run] = rng.permutation(proposing)
            rounds = int(self.deadline[run])
            shocks[run, :rounds, noisy] = rng.standard_normal((rounds, len(noisy))).T
        return beliefs, order, shocks
