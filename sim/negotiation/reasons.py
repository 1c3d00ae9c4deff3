"""The sentences that say why a run ended and why a party rejected a text, built from
plain facts so that the Mesa model and the batch engine say the same thing."""

from __future__ import annotations

from collections.abc import Sequence

from .tolerance import apart


def rejection(verdict: str, crossed_titles: Sequence[str], body: str | None) -> str:
    """A verdict as the sentence recorded in `why` ('' for an acceptance)."""
    if verdict == "red_line":
        return f"red line on {', '.join(crossed_titles)}"
    if verdict == "ratification":
        return f"the {body} would not ratify it"
    return {"accept": "", "reservation": "below its reservation value"}.get(
        verdict, "below its aspiration"
    )


def agreement(round: int, latest: int, last: Sequence[str], changed_title: str | None) -> str:
    """All accepted: who came round last (`last`, rejecting in round `latest`) and after
    which change of this round's text."""
    if latest == 0:
        return f"All signatories accepted the first text in round {round}."
    together = " together" if len(last) > 1 else ""
    changed = f" after {changed_title} was revised" if changed_title else ""
    return (
        f"All signatories accepted the text in round {round}; "
        f"{' and '.join(last)} came round last{together}{changed}."
    )


def escalation(party: str, option: str, point: str, rounds: int) -> str:
    return (
        f"{party} escalated: the text kept '{option}' on {point}, across its red line, "
        f"for {rounds} rounds."
    )


def walkout(party: str, best: float, reservation: float, rounds: int, top: str) -> str:
    """A party with no text worth more than no deal walked out; `top` weighs most for it."""
    shown_best, shown_reservation = apart(best, reservation)
    cause = (
        f"even its best possible text ({shown_best}) stayed below what no deal is "
        f"worth to it ({shown_reservation})"
        if best >= 0
        else "every text the fixed points allow crosses one of its red lines"
    )
    return f"{party} walked out: {cause} for {rounds} rounds; {top} weighs most for it."


def no_deal(deadline: int, holdouts: Sequence[str], point: str, why: str) -> str:
    """The deadline passed; the first holdout objected most to `point`."""
    return (
        f"The deadline of {deadline} rounds passed with {' and '.join(holdouts)} still "
        f"rejecting; {holdouts[0]} objected most to {point} ({why})."
    )
