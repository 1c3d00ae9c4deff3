"""How each run of a batch ends (`NegotiationModel.check_end`) and the outcome it records,
with the Mesa model's sentences (`sim.negotiation.reasons`)."""

from __future__ import annotations

import numpy as np

from .. import reasons
from ..outcome import Outcome
from ..tolerance import below
from .responses import VERDICTS

KEEP_SHARE = 0.9  # drop ended runs' rows once fewer than this share of the rows still run


class Endings:
    """The end test of every run and the record of the ones that end; mixed into
    `BatchNegotiation`."""

    ROW_STATE = (
        "index", "done", "reservation", "time_boost", "aspiration", "accepted", "rejections",
        "last_rejected", "hopeless", "threat", "holdout", "shown", "concessions", "verdict",
        "objection", "pushed", "utility", "text", "changed", "crossed", "proposers",
        "shocks", "table", "best_options", "best_attainable",
    )  # fmt: skip

    def check_end(self) -> None:
        """Agreement if every signatory accepts; else escalation, walkout or the deadline."""
        runs, sig = self.runs, self.signatories
        hopeless = below(self.best_attainable, self.reservation)
        self.hopeless = np.where(hopeless, self.hopeless + 1, 0)
        threats = np.zeros((len(self.index), len(runs.escalating)), dtype=bool)
        for i, row in enumerate(runs.escalating):
            points = [
                runs.point_ids.index(p) for p in runs.scenarios[0].parties[row].escalation.points
            ]
            triggered = self.crossed[:, points, row].any(axis=1)
            self.threat[:, row] = np.where(triggered, self.threat[:, row] + 1, 0)
            threats[:, i] = self.threat[:, row] >= runs.escalation_rounds[self.index, i]
        walkers = self.hopeless[:, sig] >= runs.walkout_rounds[self.index][:, None]
        agreement = ~self.done & self.accepted[:, sig].all(axis=1)
        escalation = ~self.done & ~agreement & threats.any(axis=1)
        walkout = ~agreement & ~escalation & walkers.any(axis=1)
        deadline = (
            ~self.done & ~agreement & ~escalation & ~walkout
            & (self.steps >= runs.deadline[self.index])
        )  # fmt: skip
        rows = np.flatnonzero(agreement)
        self.record(rows, "agreement", self.agreements(rows))
        rows = np.flatnonzero(escalation)
        self.record(rows, "escalation", [self.escalation(row, threats[row]) for row in rows])
        rows = np.flatnonzero(walkout)
        self.record(rows, "walkout", [self.walkout(row, walkers[row]) for row in rows])
        rows = np.flatnonzero(deadline)
        self.record(rows, "no_deal", [self.no_deal(row) for row in rows])
        self.done |= agreement | escalation | walkout | deadline
        if self.done.mean() > 1 - KEEP_SHARE:
            self.keep(np.flatnonzero(~self.done))

    def keep(self, rows: np.ndarray) -> None:
        """Drop the rows of runs that have ended."""
        for name in self.ROW_STATE:
            setattr(self, name, getattr(self, name)[rows])
        self.beliefs.keep(rows)
        self.memory.keep(rows)

    @property
    def finished(self) -> bool:
        return bool(self.done.all())

    # -- the sentences -------------------------------------------------------------------
    def name(self, row: int) -> str:
        return self.runs.scenarios[0].parties[row].name

    def title(self, point: int) -> str:
        return self.runs.scenarios[0].points[point].title

    def agreements(self, rows: np.ndarray) -> list[tuple[int, str]]:
        """Who ends each agreement of `rows`, and why: the signatories that came round
        last, after the first point of the text changed this round."""
        last_rejected = self.last_rejected[rows][:, self.signatories]
        latest = last_rejected.max(axis=1)
        came_last = (last_rejected == latest[:, None]).tolist()
        changed = self.changed[rows]
        first_changed = np.where(changed.any(axis=1), changed.argmax(axis=1), -1).tolist()
        ends = []
        for when, flags, point in zip(latest.tolist(), came_last, first_changed, strict=True):
            last = [s for s, flag in zip(self.signatories, flags, strict=True) if flag]
            title = self.title(point) if point >= 0 else None
            names = [self.name(s) for s in last]
            ends.append((last[0], reasons.agreement(self.steps, when, names, title)))
        return ends

    def escalation(self, row: int, threats: np.ndarray) -> tuple[int, str]:
        party = self.runs.escalating[int(np.argmax(threats))]
        spec = self.runs.scenarios[0].parties[party]
        crossed = np.flatnonzero(self.crossed[row, :, party])
        point = next(p for p in crossed if self.runs.point_ids[p] in spec.escalation.points)
        option = self.runs.scenarios[0].points[point].options[self.text[row, point]].label
        rounds = int(self.threat[row, party])
        return party, reasons.escalation(spec.name, option, self.title(point), rounds)

    def walkout(self, row: int, walkers: np.ndarray) -> tuple[int, str]:
        party = self.signatories[int(np.argmax(walkers))]
        run = self.index[row]
        top = int(np.argmax(self.runs.salience[run, :, party]))
        reason = reasons.walkout(
            self.name(party),
            float(self.best_attainable[row, party]),
            float(self.reservation[row, party]),
            int(self.hopeless[row, party]),
            self.title(top),
        )
        return party, reason

    def no_deal(self, row: int) -> tuple[int, str]:
        holdouts = [s for s in self.signatories if not self.accepted[row, s]]
        party = holdouts[0]
        objection = int(self.objection[row, party])
        point = objection if objection >= 0 else 0
        verdict = VERDICTS[self.verdict[row, party]]
        crossed = [self.title(p) for p in np.flatnonzero(self.crossed[row, :, party])]
        domestic = self.runs.scenarios[0].parties[party].domestic
        why = reasons.rejection(verdict, crossed, domestic and domestic.body)
        deadline = int(self.runs.deadline[self.index[row]])
        names = [self.name(s) for s in holdouts]
        return party, reasons.no_deal(deadline, names, self.title(point), why)

    # -- the record ----------------------------------------------------------------------
    def record(self, rows: np.ndarray, status: str, ends: list[tuple[int, str]]) -> None:
        """Keep what `Outcome.of` reads off the model for the runs of `rows`, ending now
        with `status`; `ends` holds each one's party and reason."""
        texts, utilities = self.text[rows], self.utility[rows]
        reservations, crossed = self.reservation[rows], self.crossed[rows]
        for k, (run, (party, reason)) in enumerate(
            zip(self.index[rows].tolist(), ends, strict=True)
        ):
            self.ended[run] = (
                status,
                self.steps,
                reason,
                self.runs.party_ids[party],
                texts[k],
                utilities[k],
                reservations[k],
                crossed[k],
            )

    def outcomes(self) -> list[Outcome]:
        """The runs' outcomes in the order of the batch."""
        runs, first = self.runs, self.runs.scenarios[0]
        parties = first.parties
        found = []
        for run, scenario in enumerate(runs.scenarios):
            status, last_round, reason, ended_by, text, utility, reservation, crossed = self.ended[
                run
            ]
            found.append(
                Outcome(
                    scenario=scenario.name,
                    seed=runs.seeds[run],
                    protocol=scenario.protocol.name,
                    status=status,
                    round=last_round,
                    reason=reason,
                    ended_by=ended_by,
                    package={
                        point.id: point.options[k].id
                        for point, k in zip(first.points, text, strict=True)
                    },
                    utilities={p.id: round_(u) for p, u in zip(parties, utility, strict=True)},
                    reservations={
                        p.id: round_(r) for p, r in zip(parties, reservation, strict=True)
                    },
                    red_lines_crossed={
                        p.id: [first.points[i].id for i in np.flatnonzero(crossed[:, j])]
                        for j, p in enumerate(parties)
                        if p.red_lines
                    },
                )
            )
        return found


def round_(value) -> float:
    return round(float(value), 6)
