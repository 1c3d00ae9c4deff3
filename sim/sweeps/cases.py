"""Cases of interest: the runs of a sweep that show the outcome a question is about, named
as in a sweep file's `cases:` or `negsim discover --case`:

    status=agreement                          an ending
    territory=freeze_line                     an option on a point (its `point.` column)
    utility.ukraine>=0.6                      a threshold on an output (>=, <=, >, <, =, !=)
    status=agreement & utility.ukraine>=0.6   all of several (also written `and`)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..reporting.narrative import STATUS_WORDS
from ..scenario.data import Scenario
from ..scenario.errors import did_you_mean

STATUSES = tuple(STATUS_WORDS)  # agreement, no_deal, walkout, escalation
CONDITION = re.compile(r"\s*([A-Za-z_][\w.]*)\s*(>=|<=|!=|==|>|<|=)\s*(\S+)\s*$")


class CaseError(ValueError):
    """A case that names no output, point, option or status of the sweep's scenario."""


@dataclass(frozen=True)
class Condition:
    """`column operator value` on one column of the sweep's rows."""

    column: str  # status | round | utility.<party> | point.<point>
    operator: str  # >=, <=, >, <, = or !=
    value: str | float

    def holds(self, values: pd.Series) -> np.ndarray:
        if isinstance(self.value, str):
            equal = values.eq(self.value).to_numpy(dtype=bool)  # no copy of a million texts
            return ~equal if self.operator == "!=" else equal
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            return {
                ">=": numbers >= self.value,
                "<=": numbers <= self.value,
                ">": numbers > self.value,
                "<": numbers < self.value,
                "=": numbers == self.value,
                "!=": numbers != self.value,
            }[self.operator]


@dataclass(frozen=True)
class Case:
    """A case of interest: all of its conditions hold. `text` is as written."""

    text: str
    conditions: tuple[Condition, ...]
    words: str  # the case as the page says it: "agreement", "Territory at 'Frozen line'"

    @property
    def columns(self) -> list[str]:
        return list(dict.fromkeys(c.column for c in self.conditions))

    def holds(self, rows) -> np.ndarray:
        """Where the case holds, one boolean per row (`rows[column]` gives a Series)."""
        mask = None
        for condition in self.conditions:
            holds = condition.holds(rows[condition.column])
            mask = holds if mask is None else mask & holds
        return mask


def parse_case(text: str, scenario: Scenario | None = None, columns=()) -> Case:
    """A case from its text, checked against the scenario's statuses, points, options and
    parties (without a scenario, against the rows' `columns`, any option allowed); a
    `CaseError` says what is wrong and what would be right."""
    parts = [p for p in re.split(r"\s*&\s*|\s+and\s+", text.strip()) if p]
    if not parts:
        raise CaseError("an empty case: write e.g. status=agreement or territory=freeze_line")
    known = Known.of(scenario, columns)
    said = [_condition(part, known) for part in parts]
    return Case(text.strip(), tuple(c for c, _ in said), " and ".join(w for _, w in said))


@dataclass(frozen=True)
class Known:
    """What a case may name: points (id -> title and option labels, None for any option)
    and parties (id -> name)."""

    points: dict
    parties: dict

    @classmethod
    def of(cls, scenario: Scenario | None, columns) -> Known:
        if scenario is not None:
            points = {p.id: (p.title, {o.id: o.label for o in p.options}) for p in scenario.points}
            return cls(points, {p.id: p.name for p in scenario.parties})
        points = {c[6:]: (c[6:], None) for c in columns if c.startswith("point.")}
        return cls(points, {c[8:]: c[8:] for c in columns if c.startswith("utility.")})


def _condition(text: str, known: Known) -> tuple[Condition, str]:
    found = CONDITION.match(text)
    if not found:
        raise CaseError(
            f"'{text}': write NAME=VALUE or NAME>=NUMBER, e.g. status=agreement, "
            "territory=freeze_line or utility.ukraine>=0.6"
        )
    name, operator, value = found.groups()
    operator = "=" if operator == "==" else operator
    if name == "status":
        if value not in STATUSES or operator not in ("=", "!="):
            raise CaseError(
                f"'{text}': status is =, or != one of {', '.join(STATUSES)}"
                + did_you_mean(value, list(STATUSES))
            )
        said = STATUS_WORDS[value] if operator == "=" else f"no {STATUS_WORDS[value]}"
        return Condition("status", operator, value), said
    point_id = name.removeprefix("point.")
    if point_id in known.points:
        title, options = known.points[point_id]
        if (options is not None and value not in options) or operator not in ("=", "!="):
            listed = ", ".join(options or ())
            raise CaseError(
                f"'{text}': {point_id} is =, or != one of its options {listed}"
                + did_you_mean(value, list(options or ()))
            )
        label = options[value] if options else value
        verb = "at" if operator == "=" else "not at"
        return Condition(f"point.{point_id}", operator, value), f"{title} {verb} '{label}'"
    if name == "round" or (name.startswith("utility.") and name[8:] in known.parties):
        try:
            number = float(value)
        except ValueError:
            raise CaseError(f"'{text}': {name} is compared with a number") from None
        who = "the round" if name == "round" else f"{known.parties[name[8:]]}'s utility"
        return Condition(name, operator, number), f"{who} {operator} {value}"
    names = ["status", "round", *known.points, *(f"utility.{p}" for p in known.parties)]
    raise CaseError(
        f"'{text}': no output or point '{name}'{did_you_mean(name, names)}; use status, "
        "round, utility.PARTY or a point's id"
    )
