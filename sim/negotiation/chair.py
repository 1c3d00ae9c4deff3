"""A signatory's decisions from outside the model: the chair a player sits in.

`NegotiationModel(scenario, seed, chairs={"ukraine": chair})` asks `chair` instead of the
party's own rules when the party responds to a text and, under alternating offers, when
it proposes one. The model still applies what binds any party (MODEL.md section 3): a
text across the party's red line is rejected, and an acceptance must pass its ratifying
body. A chair that raises `LeaveTable` ends the talks as the party's walkout.

Under the mediated protocol the mediator's chair can be taken too: from round 2 its
`propose` drafts each revision of the text (None keeps the standing text); a mediator's
player who leaves the table leaves the text as it stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import mesa
import numpy as np

PLAYER_REJECTS = "its player's decision"  # `why` of a rejection the chair gave no reason for
LEFT_TABLE = "left the table"  # `why` of a party whose player has quit


class LeaveTable(Exception):
    """The player leaves the table (quit or end of input): the talks end in a walkout."""


@dataclass(frozen=True)
class Answer:
    """A response to the standing text: accept, or reject pushing some points (ids).
    Without objections the party's own ranking is used (`Negotiator.objections_to`)."""

    accept: bool
    objections: tuple[str, ...] = ()
    why: str = ""  # the reason recorded for a rejection ("" -> PLAYER_REJECTS)
    verdict: str = "player"  # its kind, when given by the party's own rules (`verdict_on`)


class Chair(Protocol):
    """What the model asks a player; `negotiator` is the party's own agent
    (`sim.negotiation.agents.Negotiator`), for what it knows and would do."""

    def respond(self, negotiator: mesa.Agent) -> Answer:
        """Answer the standing text `negotiator.model.text` (already evaluated)."""

    def propose(self, negotiator: mesa.Agent, standing: np.ndarray) -> np.ndarray | None:
        """A counter-text (a valid package that leaves fixed points alone), or None to
        table the standing text again."""
