"""What every run's parties have said so far, kept round by round as arrays: the verdicts
listeners have heard (`Beliefs.heard`) and the texts a party said fall short of a bound
(`Beliefs.failures`, the listening mediator's tabu list)."""

from __future__ import annotations

import numpy as np

from ..outcome_space import OutcomeSpace

RESERVATION, RATIFICATION = 1, 2  # the kinds of shortfall a failure records


class Memory:
    """Each round's verdicts and shortfalls of every run, one array per round."""

    def __init__(self, space: OutcomeSpace):
        points, width = space.exists.shape
        # a text as one whole number where the options of all points fit in 62 bits
        self.powers = width ** np.arange(points, dtype=object)
        self.packed = width**points < 2**62
        self.powers = self.powers.astype(np.int64) if self.packed else None
        self.heard: list[tuple[np.ndarray, ...]] = []
        # the shortfalls said, stacked round after round: codes, kinds and bounds
        self.failures: tuple[np.ndarray, ...] | None = None

    def code(self, texts: np.ndarray) -> np.ndarray:
        """(runs,) exact codes of texts, or the texts themselves when they do not fit."""
        return texts @ self.powers if self.packed else texts.copy()

    def same(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Whether text codes are the same text, code by code (codes broadcast)."""
        return a == b if self.packed else (a == b).all(axis=-1)

    def keep(self, runs: np.ndarray) -> None:
        """Keep only these runs."""
        self.heard = [tuple(a[runs] for a in said) for said in self.heard]
        if self.failures is not None:
            self.failures = tuple(a[:, runs] for a in self.failures)

    def heard_before(self, code, verdict, pushed, reservation, threshold) -> np.ndarray:
        """(runs, signatories): the same verdict was heard before on the same terms."""
        seen = np.zeros(verdict.shape, dtype=bool)
        for past_code, past_verdict, past_pushed, past_res, past_threshold, added in self.heard:
            seen |= (
                added
                & self.same(past_code, code)[:, None]
                & (past_verdict == verdict)
                & (past_pushed == pushed)
                & (past_res == reservation)
                & (past_threshold == threshold)
            )
        return seen

    def hear(self, code, verdict, pushed, reservation, threshold, added) -> None:
        self.heard.append((code, verdict, pushed, reservation, threshold, added))

    def fail(self, code, kinds, bounds) -> None:
        """Record the shortfalls (kinds (runs, signatories), 0 for none) said this round."""
        if not kinds.any():
            return
        said = (code[None], kinds[None], bounds[None])
        if self.failures is None:
            self.failures = said
        else:
            self.failures = tuple(
                np.concatenate(pair) for pair in zip(self.failures, said, strict=True)
            )

    def known_to_fail(self, texts: np.ndarray, now, rows=None) -> np.ndarray:
        """(runs,) has a signatory said the run's text falls short of a bound (`now`:
        reservation values and thresholds, (runs, signatories)) that has not fallen since?
        `rows`: the rows of the batch the texts are for (all by default)."""
        failing = np.zeros(len(texts), dtype=bool)
        if self.failures is None:
            return failing
        codes, kinds, bounds = self.failures
        if rows is not None:
            codes = codes[:, rows]
        code = self.code(texts)
        said, run = np.nonzero(self.same(codes, code[None]))  # the same text, said before
        at = run if rows is None else rows[run]
        kinds, bounds = kinds[said, at], bounds[said, at]
        held = ((kinds == RESERVATION) & (now[0][run] >= bounds)) | (
            (kinds == RATIFICATION) & (now[1][run] >= bounds)
        )
        failing[run[held.any(axis=1)]] = True
        return failing
