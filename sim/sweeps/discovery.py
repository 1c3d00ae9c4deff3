"""Scenario discovery (Bryant and Lempert 2010): in which regions of the parameters a case
of interest happens, found by PRIM (`prim.py`), told in a sentence, with a tree's rules
and each parameter's feature score (`trees.py`):

    found = discover(rows, "status=agreement", scenario)
    found.sentence   # "agreement in 87% of runs (covering 71% of all agreements) when ..."

Pure functions of a sweep's rows; `discovery_summary` is what summary.json and sweep.html
hold for each case.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..scenario.data import Scenario
from .cases import Case, parse_case
from .labels import parameter_labels
from .prim import Box, Peeling, box_of, covering, quasi_p_values
from .store import REQUIRED

DEFAULT_CASES = ("status=agreement",)  # a sweep file without `cases:`
PRIM_ROWS = 100_000  # runs PRIM reads at most (a fixed-seed sample of a larger sweep)
SEED = 0
ALPHA = 0.05  # the share of the box's runs each peel removes
MIN_MASS = 0.05  # the smallest box, as a share of the runs
BOXES = 2  # boxes found by covering, one after another
P_DROP = 0.05  # a limit with a larger quasi-p-value is no more telling than chance: dropped
PLURALS = {"agreement": "agreements", "no deal": "no-deal runs", "walkout": "walkouts"}
PLURALS["escalation"] = "escalations"


@dataclass(frozen=True)
class FoundBox:
    """A box of the covering: PRIM's chosen box (`trajectory[chosen]`) with the limits no
    more telling than chance dropped (`box`), and the quasi-p-values of those kept."""

    box: Box
    quasi_p: dict
    trajectory: tuple[Box, ...]
    chosen: int


def simplified(x: pd.DataFrame, y: np.ndarray, peelings: list[Peeling]) -> list[FoundBox]:
    """Each box of the covering, on the runs the earlier boxes left, without the limits
    whose quasi-p-value exceeds `P_DROP` (the largest dropped first, then the rest
    re-tested): the box inspection an analyst does by hand in the EMA workbench."""
    left = np.ones(len(x), dtype=bool)
    found = []
    for peeling in peelings:
        x_left, y_left = x.loc[left], y[left]
        box, quasi_p = peeling.box, dict(peeling.quasi_p)
        while quasi_p and max(quasi_p.values()) > P_DROP:
            worst = max(quasi_p, key=quasi_p.get)
            box = box_of(x_left, y_left, {p: v for p, v in box.limits.items() if p != worst})
            quasi_p = quasi_p_values(x_left, y_left, box)
        found.append(FoundBox(box, quasi_p, peeling.trajectory, peeling.chosen))
        left[np.flatnonzero(left)[peeling.box.contains(x_left)]] = False
    return found


@dataclass(frozen=True)
class Discovery:
    """What scenario discovery found for one case over a sweep's rows."""

    case: Case
    runs: int  # the runs PRIM read
    of_runs: int  # the sweep's runs (more when PRIM read a sample)
    cases: int  # runs among `runs` where the case holds
    boxes: tuple[FoundBox, ...]  # by covering: the first, then the next on the runs left
    ranges: dict  # parameter -> (min, max) over the runs, or the sorted values of a set
    labels: dict  # parameter -> its name as a reader says it
    rules: tuple = ()  # trees.Rule, densest first (empty without scikit-learn)
    scores: dict | None = None  # parameter -> feature score (None without scikit-learn)

    @property
    def sentence(self) -> str:
        return box_sentence(self, self.boxes[0].box) if self.boxes else self.no_box()

    def no_box(self) -> str:
        share = self.cases / self.runs if self.runs else 0.0
        if self.cases == 0:
            return f"No run ends with {self.case.words}."
        if self.cases == self.runs:
            return f"Every run ends with {self.case.words}."
        return (
            f"{self.case.words.capitalize()} in {share:.0%} of runs; no region of the "
            "parameters holds it markedly more often."
        )


def parameter_columns(rows) -> list[str]:
    """A sweep's parameters: every column of its rows that is neither bookkeeping nor an
    output (status, round, utility.*, point.*)."""
    return [
        c for c in rows.columns if c not in REQUIRED and not c.startswith(("utility.", "point."))
    ]


def discover(
    rows,
    case: str | Case,
    scenario: Scenario | None = None,
    parameters: list[str] | None = None,
    alpha: float = ALPHA,
    min_mass: float = MIN_MASS,
    boxes: int = BOXES,
    with_trees: bool = True,
) -> Discovery:
    """Scenario discovery of `case` over the rows of a sweep (a DataFrame, or the rows a
    sweep folder holds): PRIM boxes by covering, and, with scikit-learn, CART rules and
    feature scores. `scenario` checks the case and names parameters as a reader would."""
    case = case if isinstance(case, Case) else parse_case(case, scenario, list(rows.columns))
    parameters = parameters or parameter_columns(rows)
    y = np.asarray(case.holds(rows), dtype=bool)
    total, keep = len(y), None
    if total > PRIM_ROWS:
        keep = np.sort(np.random.default_rng(SEED).choice(total, PRIM_ROWS, replace=False))
        y = y[keep]
    # a column at a time, each cut to the sample as it is read: a million runs' twelve
    # parameters whole would be some 90 MB, twice over while a frame is made of them
    x = pd.DataFrame({p: sampled(rows[p], keep) for p in parameters})
    mixed = 0 < y.sum() < len(y)  # with no case, or only cases, there is no region to find
    peelings = covering(x, y, boxes=boxes, alpha=alpha, min_mass=min_mass) if mixed else []
    found = simplified(x, y, peelings)
    rules, scores = (), None
    if with_trees and mixed:
        try:
            from .trees import feature_scores, tree_rules
        except ImportError:  # scikit-learn is in the sweep extra
            pass
        else:
            rules, scores = tuple(tree_rules(x, y)), feature_scores(x, y)
    return Discovery(
        case,
        len(x),
        total,
        int(y.sum()),
        tuple(found),
        {p: value_range(x[p]) for p in parameters},
        parameter_labels(scenario, parameters) if scenario else {p: p for p in parameters},
        rules,
        scores,
    )


def sampled(column: pd.Series, keep: np.ndarray | None) -> pd.Series:
    return (
        column.reset_index(drop=True) if keep is None else column.iloc[keep].reset_index(drop=True)
    )


def value_range(column: pd.Series):
    if is_numeric(column):
        return float(column.min()), float(column.max())
    return sorted(column.astype(str).unique())


def is_numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def number(value: float, span: float) -> str:
    """A limit rounded to the range's second significant digit (0.58 in a range of 0.4,
    0.0021 in one of 0.004): what a reader can act on, not the run's last decimal."""
    digits = max(0, 1 - math.floor(math.log10(span))) if span > 0 else 3
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def limit_phrase(label: str, limit, whole) -> str:
    """'Ukraine's referendum threshold is below 0.58', 'protocol is mediated'."""
    if isinstance(limit, frozenset):
        kept = sorted(limit)
        return f"{label} is {kept[0]}" if len(kept) == 1 else f"{label} is one of {', '.join(kept)}"
    low, high = limit
    span = whole[1] - whole[0]
    if low > whole[0] and high < whole[1]:
        return f"{label} is between {number(low, span)} and {number(high, span)}"
    if high < whole[1]:
        return f"{label} is below {number(high, span)}"
    return f"{label} is above {number(low, span)}"


def box_sentence(found: Discovery, box: Box, later: bool = False) -> str:
    """'agreement in 87% of runs (covering 71% of all agreements) when Ukraine's referendum
    threshold is below 0.58 and European allies' support on Ukraine is below 0.002'. A
    `later` box of the covering is told against the cases the earlier boxes left."""
    words = found.case.words
    plural = PLURALS.get(words, "such runs")
    plural = f"the {plural} the first box leaves out" if later else f"all {plural}"
    phrases = [
        limit_phrase(found.labels.get(p, p), limit, found.ranges[p])
        for p, limit in box.limits.items()
    ]
    if not phrases:
        return found.no_box()
    when = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
    return (
        f"{words[:1].upper() + words[1:]} in {box.density:.0%} of runs (covering "
        f"{box.coverage:.0%} of {plural}) when {when}."
    )


def box_record(found: Discovery, peeling: FoundBox, later: bool = False) -> dict:
    """One box as summary.json holds it: limits, its statistics, the sentence, the peeling
    trajectory (coverage, density, mass of every box) and which one was chosen (before
    the limits no more telling than chance were dropped)."""
    box = peeling.box
    return {
        "limits": {p: limit_record(limit) for p, limit in box.limits.items()},
        "coverage": round(box.coverage, 6),
        "density": round(box.density, 6),
        "mass": round(box.mass, 6),
        "runs": box.count,
        "cases": box.cases,
        "quasi_p": {p: float(f"{v:.3g}") for p, v in peeling.quasi_p.items()},
        "sentence": box_sentence(found, box, later),
        "chosen": peeling.chosen,
        "trajectory": [
            {
                "coverage": round(b.coverage, 6),
                "density": round(b.density, 6),
                "mass": round(b.mass, 6),
                "limits": {p: limit_record(limit) for p, limit in b.limits.items()},
            }
            for b in peeling.trajectory
        ],
    }


def limit_record(limit) -> dict:
    if isinstance(limit, frozenset):
        return {"values": sorted(limit)}
    return {"low": float(limit[0]), "high": float(limit[1])}


def discovery_summary(found: Discovery) -> dict:
    """What summary.json holds for one case of interest."""
    rules = [
        {
            "conditions": [list(c) for c in rule.conditions],
            "text": rule_text(rule, found.labels, found.ranges),
            "runs": rule.count,
            "density": round(rule.density, 6),
        }
        for rule in found.rules
    ]
    return {
        "case": found.case.text,
        "words": found.case.words,
        "runs": found.runs,
        "of_runs": found.of_runs,
        "cases": found.cases,
        "sentence": found.sentence,
        "boxes": [box_record(found, p, later=k > 0) for k, p in enumerate(found.boxes)],
        "ranges": {p: list(r) for p, r in found.ranges.items()},
        "labels": found.labels,
        "rules": rules,
        "feature_scores": None
        if found.scores is None
        else {p: round(s, 6) for p, s in found.scores.items()},
    }


def rule_text(rule, labels: dict, ranges: dict) -> str:
    """'Ukraine's referendum threshold <= 0.65 and protocol is mediated', cuts rounded as
    box limits are."""
    said = []
    for parameter, operator, value in rule.conditions:
        whole = ranges.get(parameter)
        numeric = isinstance(value, float) and whole and not isinstance(whole[0], str)
        shown = number(value, whole[1] - whole[0]) if numeric else value
        said.append(f"{labels.get(parameter, parameter)} {operator} {shown}")
    return " and ".join(said)


def sweep_discoveries(sweep, rows, scenario: Scenario | None) -> list[dict]:
    """summary.json's "discovery": one entry per case of interest of the sweep (by default
    agreement), over the sweep's parameters; without the base scenario, named by ids."""
    parameters = [p.path for p in sweep.parameters]
    return [
        discovery_summary(
            discover(rows, parse_case(text, scenario, rows.columns), scenario, parameters)
        )
        for text in sweep.cases or DEFAULT_CASES
    ]
