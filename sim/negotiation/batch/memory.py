"""What every run's parties have said so far, kept round by round as arrays: the verdicts
listeners have heard (`Beliefs.heard`) and the texts a party said fall short of a bound
(`Beliefs.failures`, the listening mediator's tabu list)."""

from __future__ import annotations

import numpy as np

from ..outcome_space import OutcomeSpace

RESERVATION, RATIFICATION = 1, 2  # the kinds of shortfall a failure records


class Rounds:
    """Arrays of the same shapes, one a round, their runs on the last axis, stacked along a
    first axis that grows (its room doubled when full), so that each round reads all the
    rounds before in one call."""

    def __init__(self):
        self.stacks: list[np.ndarray] = []
        self.count = 0

    def add(self, *arrays: np.ndarray) -> None:
        if not self.stacks:
            self.stacks = [np.empty((8, *a.shape), dtype=a.dtype) for a in arrays]
        elif self.count == len(self.stacks[0]):
            self.stacks = [np.concatenate([stack, np.empty_like(stack)]) for stack in self.stacks]
        for stack, array in zip(self.stacks, arrays, strict=True):
            stack[self.count] = array
        self.count += 1

    def all(self) -> list[np.ndarray]:
        """The rounds added so far, one (rounds, ..., runs) array per kind."""
        return [stack[: self.count] for stack in self.stacks]

    def keep(self, runs: np.ndarray) -> None:
        """Keep only these runs."""
        self.stacks = [stack[: self.count, ..., runs] for stack in self.stacks]


class Memory:
    """Each round's verdicts and shortfalls of every run, stacked round after round, held
    (signatories, runs) so that the runs are the long inner axis of every comparison."""

    def __init__(self, space: OutcomeSpace):
        points, width = space.exists.shape
        # a text as one whole number where the options of all points fit in 62 bits
        self.powers = width ** np.arange(points, dtype=object)
        self.packed = width**points < 2**62
        self.powers = self.powers.astype(np.int64) if self.packed else None
        # the verdicts heard: codes, verdicts, points pushed, bounds, and whether heard
        self.heard = Rounds()
        # the shortfalls said: codes, kinds and bounds
        self.failures = Rounds()

    def code(self, texts: np.ndarray) -> np.ndarray:
        """(runs,) exact codes of texts (runs, points), or the texts themselves (points,
        runs) when they do not fit."""
        return texts @ self.powers if self.packed else np.ascontiguousarray(texts.T)

    def same(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Whether text codes are the same text, code by code (codes broadcast)."""
        return a == b if self.packed else (a == b).all(axis=-2)

    def keep(self, runs: np.ndarray) -> None:
        """Keep only these runs."""
        self.heard.keep(runs)
        self.failures.keep(runs)

    def heard_before(self, code, verdict, pushed, reservation, threshold) -> np.ndarray:
        """(runs, signatories): the same verdict was heard before on the same terms."""
        if not self.heard.count:
            return np.zeros(verdict.shape, dtype=bool)
        past_code, past_verdict, past_pushed, past_res, past_threshold, added = self.heard.all()
        seen = added & self.same(past_code, code)[:, None]  # (rounds, signatories, runs)
        seen &= past_verdict == verdict.T
        seen &= past_pushed == pushed.T
        seen &= past_res == reservation.T
        seen &= past_threshold == threshold.T
        return seen.any(axis=0).T

    def hear(self, code, verdict, pushed, reservation, threshold, added) -> None:
        """Record the verdicts (runs, signatories) heard this round, and on what terms."""
        self.heard.add(code, *(a.T for a in (verdict, pushed, reservation, threshold, added)))

    def fail(self, code, kinds, bounds) -> None:
        """Record the shortfalls (kinds (runs, signatories), 0 for none) said this round."""
        if kinds.any():
            self.failures.add(code, kinds.T, bounds.T)

    def known_to_fail(self, texts: np.ndarray, now, rows=None) -> np.ndarray:
        """(runs,) has a signatory said the run's text falls short of a bound (`now`:
        reservation values and thresholds, (runs, signatories)) that has not fallen since?
        `rows`: the rows of the batch the texts are for (all by default)."""
        failing = np.zeros(len(texts), dtype=bool)
        if not self.failures.count:
            return failing
        codes, kinds, bounds = self.failures.all()
        if rows is not None:
            codes = codes[..., rows]
        code = self.code(texts)
        said, run = np.nonzero(self.same(codes, code[None]))  # the same text, said before
        at = run if rows is None else rows[run]
        kinds, bounds = kinds[said, :, at], bounds[said, :, at]  # (said, signatories)
        held = ((kinds == RESERVATION) & (now[0][run] >= bounds)) | (
            (kinds == RATIFICATION) & (now[1][run] >= bounds)
        )
        failing[run[held.any(axis=1)]] = True
        return failing
