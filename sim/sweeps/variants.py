"""Each run's scenario, made fast: the base file is read and validated once, and a run's
values are set on the built base with `dataclasses.replace`, each value checked by the
loader's rule for its field. The result equals `build_scenario(with_values(...))`, digest
included (tests/test_sweep_variants.py). A path that does not land unchanged in one field
(a salience, an ideal, an option's position...) or a value its rule refuses takes the
loader's own path, which builds the scenario or raises its located error.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

from ..scenario import data as s
from ..scenario.data import Scenario
from ..scenario.errors import ScenarioError
from ..scenario.fields import Checker
from ..scenario.limits import MAX_DEADLINE, MAX_POINTS, MAX_SEED
from ..scenario.loader import build_scenario
from ..scenario.located_yaml import Located, read_with_extends
from ..scenario.overrides import with_values


def _number(low, high, integer=False):
    return lambda check: check.number(("v",), None, low, high, integer=integer)


def _choice(choices):  # a function: tactics registered later count too
    return lambda check: check.text(("v",), None, choices())


def _flag(check: Checker):
    return check.flag(("v",), False)


# The loader's rules (loader.py, parties.py) for the values stored as given, by the
# field they land in; a value is kept only if the same check accepts it.
TOP = {"deadline": _number(1, MAX_DEADLINE, True), "seed": _number(0, MAX_SEED, True)}
PROTOCOL = {
    "name": _choice(lambda: s.PROTOCOLS),
    "bias": _number(0, 1),
    "belief_noise": _number(0, 1),
    "lambda_growth": _number(0, 10),
    "max_changes": _number(0, MAX_POINTS, True),
    "walkout_rounds": _number(1, MAX_DEADLINE, True),
    "learning": _flag,
    "exploration": _number(0, 10),
}
PARTY = {  # path below the party -> (field, rule)
    "reservation": ("reservation", _number(0, 1)),
    "batna_drift.trend": ("reservation_trend", _number(-1, 1)),
    "batna_drift.noise": ("reservation_noise", _number(0, 1)),
    "deadline": ("deadline", _number(1, MAX_DEADLINE, True)),
}
TACTIC = {
    "name": _choice(lambda: tuple(sorted(s.TACTIC_NAMES))),
    "beta": _number(0.01, 100),
    "reciprocity": _number(0, 10),
}
INFLUENCE = {  # not `kind`: it also sets while_rejecting's default
    "strength": _number(0, 1),
    "cost": _number(0, 1),
    "channel": _choice(lambda: s.INFLUENCE_CHANNELS),
    "while_rejecting": _flag,
}
DOMESTIC = {"threshold": _number(0, 1)}
ESCALATION = {"rounds": _number(1, MAX_DEADLINE, True)}


def lever(base: Scenario, path: str):
    """(steps, rule) of a dotted path: the attribute names and tuple indices that lead
    from the scenario to the one field its value is stored in as given, and the loader's
    rule for that value; None if the path is not one of those."""
    keys = path.split(".")
    if any(key.isdecimal() for key in keys):  # list items: the loader's path
        return None
    ids = [party.id for party in base.parties]
    match keys:
        case [field] if field in TOP:
            return (field,), TOP[field]
        case ["protocol", field] if field in PROTOCOL:
            # without a mediator only `alternating` is valid; leave that to the loader
            if field == "name" and base.protocol.mediator is None:
                return None
            return ("protocol", field), PROTOCOL[field]
        case ["parties", pid, *rest] if pid in ids:
            i = ids.index(pid)
            return _party_lever(base.parties[i], i, rest)
    return None


def _party_lever(party: s.Party, i: int, rest: list[str]):
    targets = [link.target for link in party.influence]
    match rest:
        case _ if ".".join(rest) in PARTY:
            field, rule = PARTY[".".join(rest)]
            return ("parties", i, field), rule
        case ["tactic", field] if field in TACTIC:
            return ("parties", i, "tactic", field), TACTIC[field]
        case ["influence", target, field] if field in INFLUENCE and target in targets:
            return ("parties", i, "influence", targets.index(target), field), INFLUENCE[field]
        case ["domestic", field] if field in DOMESTIC and party.domestic is not None:
            return ("parties", i, "domestic", field), DOMESTIC[field]
        case ["escalation", field] if field in ESCALATION and party.escalation is not None:
            return ("parties", i, "escalation", field), ESCALATION[field]
    return None


class Variants:
    """The scenarios of one base file with the dotted `paths` set to each run's values."""

    def __init__(self, base: str | Path, paths: tuple[str, ...]):
        self.path = Path(base)
        self.paths = tuple(paths)
        self.located = read_with_extends(self.path)
        self.base = build_scenario(self.located, self.path)
        levers = [lever(self.base, p) for p in self.paths]
        self.levers = levers if all(levers) else None
        self._pieces = _digest_template(self.located, self.paths) if self.levers else None

    def build(self, values: dict[str, object]) -> Scenario:
        """The scenario with `values` (a value for each of `paths`, in their order) set."""
        if tuple(values) != self.paths or self._pieces is None:
            return self.slow(values)
        changes: dict = {}
        for (steps, rule), value in zip(self.levers, values.values(), strict=True):
            try:
                rule(Checker(Located({"v": value}, {}, "")))
            except ScenarioError:  # the loader's path says where and why
                return self.slow(values)
            node = changes
            for step in steps[:-1]:
                node = node.setdefault(step, {})
            node[steps[-1]] = _Leaf(value)
        pieces, order = self._pieces
        text = [pieces[0]]
        for slot, piece in zip(order, pieces[1:], strict=True):
            text += [json.dumps(values[self.paths[slot]], default=str), piece]
        changes["digest"] = _Leaf(hashlib.sha256("".join(text).encode()).hexdigest())
        return _assign(self.base, changes)

    def slow(self, values: dict[str, object]) -> Scenario:
        """The loader's path: set the values on the file's data and validate it all."""
        return build_scenario(with_values(self.located, values), self.path)


@dataclasses.dataclass(frozen=True)
class _Leaf:
    value: object


def _assign(obj, changes: dict):
    """`obj` (a frozen dataclass or a tuple) with the nested `changes` made, each object
    on their paths rebuilt once."""
    made = {
        key: change.value if isinstance(change, _Leaf) else _assign(_get(obj, key), change)
        for key, change in changes.items()
    }
    if isinstance(obj, tuple):
        return tuple(made.get(i, item) for i, item in enumerate(obj))
    return dataclasses.replace(obj, **made)


def _get(obj, key):
    return obj[key] if isinstance(obj, tuple) else getattr(obj, key)


def _digest_template(located: Located, paths: tuple[str, ...]):
    """The merged data's JSON (what the digest hashes) cut at each path's value, so that
    a run's digest costs a join and a hash, not a dump of the file: (pieces, which
    path's value goes in each cut); None if a path's value cannot be placed."""
    marks = {path: f"\0negsim sweep value {i}\0" for i, path in enumerate(paths)}
    try:
        text = json.dumps(with_values(located, marks).data, default=str)
    except ScenarioError:  # a path through a plain value
        return None
    found = []
    for i, mark in enumerate(marks.values()):
        encoded = json.dumps(mark)
        if text.count(encoded) != 1:
            return None
        found.append((text.index(encoded), len(encoded), i))
    pieces, order, start = [], [], 0
    for at, width, i in sorted(found):
        pieces.append(text[start:at])
        order.append(i)
        start = at + width
    pieces.append(text[start:])
    return pieces, order
