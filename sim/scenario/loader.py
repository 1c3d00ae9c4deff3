"""Scenario files -> validated `Scenario` objects, with `extends:` and `--set` overrides.

Every problem is raised as one `ScenarioError` naming the file, the line and the dotted
path, so that a student who mistypes a key is told exactly where and what to fix.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from . import data as s
from .errors import did_you_mean
from .evidence import cited, evidence_base_ids
from .fields import Checker, kind
from .limits import (
    MAX_DEADLINE,
    MAX_LINK_STEPS,
    MAX_LINKS,
    MAX_OPTIONS,
    MAX_PARTIES,
    MAX_POINTS,
    MAX_SEED,
)
from .links import TooIntricate, nearest_valid
from .located_yaml import (
    KeyPath,
    Located,
    read_with_extends,
)
from .names import folder_name, id_problem
from .overrides import apply_overrides
from .parties import known_point, read_party

TOP_KEYS = {
    "name",
    "title",
    "description",
    "extends",
    "evidence_base",
    "seed",
    "deadline",
    "protocol",
    "points",
    "links",
    "parties",
}
POINT_KEYS = {"title", "options", "evidence", "assumption"}
OPTION_KEYS = {"label", "position"}
LINK_KEYS = {"if", "then", "evidence", "assumption"}
PROTOCOL_KEYS = {
    "name",
    "mediator",
    "bias",
    "belief_noise",
    "lambda_growth",
    "max_changes",
    "start",
    "fixed",
    "walkout_rounds",
    "learning",
    "exploration",
}


def load_scenario(path: str | Path, overrides=(), *, overrides_name="overrides") -> s.Scenario:
    """Read, merge (`extends:`), override and validate a scenario file. `overrides` are
    `path=value` texts (one or a list) or a mapping of dotted paths to values; their errors
    are placed at `overrides_name` (the CLI says `--set`)."""
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"load_scenario takes a file path, not {type(path).__name__}")
    located = read_with_extends(Path(path))
    if overrides:
        located = apply_overrides(located, overrides, overrides_name)
    return build_scenario(located, Path(path))


def build_scenario(located: Located, path: Path) -> s.Scenario:
    """Validate the merged data and build the immutable scenario."""
    check = Checker(located)
    check.mapping((), TOP_KEYS, {"points", "parties"})
    evidence_ids = evidence_base_ids(check)
    points = _points(check, evidence_ids)
    raw_parties = check.mapping(("parties",), set())
    at_most(check, ("parties",), raw_parties, MAX_PARTIES, "parties")
    for pid in raw_parties:
        identifier(check, ("parties", pid), pid)
    parties = tuple(read_party(check, pid, points, evidence_ids) for pid in raw_parties)
    if not parties:
        raise check.fail(("parties",), "no parties: a negotiation needs at least one signatory")
    party_ids = [p.id for p in parties]
    for party in parties:
        for link in party.influence:
            if link.target not in party_ids:
                hint = did_you_mean(link.target, party_ids)
                raise check.fail(
                    ("parties", party.id, "influence", link.target),
                    f"unknown party '{link.target}'{hint}",
                )
            if link.target == party.id:
                raise check.fail(
                    ("parties", party.id, "influence", link.target),
                    "a party cannot influence itself",
                )
    if not any(p.is_signatory for p in parties):
        raise check.fail(("parties",), "no party has role 'signatory'")
    deadline = check.number(("deadline",), 60, 1, MAX_DEADLINE, integer=True)
    links = _links(check, points, evidence_ids)
    protocol = _protocol(check, points, parties)
    _some_text_is_valid(check, points, links, protocol)
    return s.Scenario(
        name=check.name(("name",), folder_name(path.stem)),
        title=check.text(("title",), ""),
        description=check.text(("description",), ""),
        points=points,
        links=links,
        parties=parties,
        protocol=protocol,
        deadline=deadline,
        seed=check.number(("seed",), 0, 0, MAX_SEED, integer=True),
        source=str(path),
        # key order is kept: the order of points and options is part of the scenario
        digest=hashlib.sha256(json.dumps(located.data, default=str).encode()).hexdigest(),
    )


def _some_text_is_valid(check: Checker, points, links, protocol: s.Protocol) -> None:
    """Links (with the fixed points) must leave at least one valid text."""
    index = {p.id: i for i, p in enumerate(points)}
    rules = [
        (
            index[k.if_point],
            points[index[k.if_point]].option_index(k.if_option),
            index[k.then_point],
            frozenset(points[index[k.then_point]].option_index(o) for o in k.allowed),
        )
        for k in links
    ]
    fixed = dict(protocol.fixed)
    choices = [
        [p.option_index(fixed[p.id])] if p.id in fixed else list(range(len(p.options)))
        for p in points
    ]
    try:
        found = nearest_valid([c[0] for c in choices], choices, rules, MAX_LINK_STEPS)
    except TooIntricate:
        raise check.fail(
            ("links",),
            f"links too intricate: no valid text found within {MAX_LINK_STEPS:,} steps",
        ) from None
    if found is None:
        raise check.fail(
            ("links",),
            "empty proposal space: no text satisfies every link"
            + (" with the fixed points" if fixed else ""),
        )


def _points(check: Checker, evidence_ids) -> tuple[s.Point, ...]:
    raw = check.mapping(("points",), set())
    if not raw:
        raise check.fail(("points",), "empty proposal space: declare at least one point")
    at_most(check, ("points",), raw, MAX_POINTS, "points")
    points = []
    for pid in raw:
        base = ("points", pid)
        identifier(check, base, pid)
        check.mapping(base, POINT_KEYS, {"options"})
        options_raw = check.mapping((*base, "options"), set())
        at_most(check, (*base, "options"), options_raw, MAX_OPTIONS, "options")
        if len(options_raw) < 2:
            got = len(options_raw)
            raise check.fail(
                (*base, "options"),
                f"empty proposal space: a point needs at least 2 options, got {got}",
            )
        options = []
        for index, oid in enumerate(options_raw):
            opath = (*base, "options", oid)
            identifier(check, opath, oid)
            default_position = index / (len(options_raw) - 1)
            if isinstance(options_raw[oid], str):
                options.append(s.Option(oid, check.text(opath), default_position))
                continue
            check.mapping(opath, OPTION_KEYS)
            options.append(
                s.Option(
                    oid,
                    check.text((*opath, "label"), oid),
                    check.number((*opath, "position"), default_position, 0, 1),
                )
            )
        points.append(
            s.Point(
                pid,
                check.text((*base, "title"), pid),
                tuple(options),
                cited(check, (*base, "evidence"), evidence_ids),
                check.text((*base, "assumption"), ""),
            )
        )
    return tuple(points)


def identifier(check: Checker, path: KeyPath, text: str) -> None:
    """Ids of points, options and parties are slugs (`sim.scenario.names`)."""
    problem = id_problem(text)
    if problem:
        raise check.fail(path, problem)


def at_most(check: Checker, path: KeyPath, items, bound: int, what: str) -> None:
    if len(items) > bound:
        raise check.fail(path, f"at most {bound} {what} (sim/limits.py), got {len(items)}")


def _option_ids(check: Checker, path: KeyPath, point: s.Point) -> tuple[str, ...]:
    return check.names(path, [o.id for o in point.options], "option")


def _links(check: Checker, points, evidence_ids) -> tuple[s.Link, ...]:
    if not check.has(("links",)):
        return ()
    raw = check.value(("links",))
    if not isinstance(raw, list):
        raise check.fail(("links",), f"expected a list of links, got {kind(raw)}")
    at_most(check, ("links",), raw, MAX_LINKS, "links")
    by_id = {p.id: p for p in points}
    links = []
    for index in range(len(raw)):
        base = ("links", index)
        check.mapping(base, LINK_KEYS, {"if", "then"})
        cited(check, (*base, "evidence"), evidence_ids)
        sides = []
        for side in ("if", "then"):
            pair = check.mapping((*base, side), set())
            if len(pair) != 1:
                raise check.fail((*base, side), "expected exactly one 'point: option(s)' entry")
            (point_id,) = pair
            known_point(check, (*base, side, point_id), point_id, by_id)
            sides.append((point_id, _option_ids(check, (*base, side, point_id), by_id[point_id])))
        (if_point, if_options), (then_point, allowed) = sides
        if len(if_options) != 1:
            raise check.fail((*base, "if", if_point), "name exactly one option")
        links.append(s.Link(if_point, if_options[0], then_point, allowed))
    return tuple(links)


def _protocol(check, points, parties) -> s.Protocol:
    path = ("protocol",)
    if check.has(path):
        check.mapping(path, PROTOCOL_KEYS)
    by_id = {p.id: p for p in points}
    name = check.text((*path, "name"), "mediated", s.PROTOCOLS)
    mediators = [p.id for p in parties if p.role == "mediator"]
    mediator = check.text((*path, "mediator"), mediators[0] if len(mediators) == 1 else None)
    if mediator is not None and mediator not in mediators:
        raise check.fail((*path, "mediator"), f"'{mediator}' is not a party with role 'mediator'")
    if name == "mediated" and mediator is None:
        raise check.fail(
            path,
            "the mediated protocol needs exactly one party with role 'mediator'"
            " (or name it in protocol.mediator)",
        )
    texts = {}
    for key in ("start", "fixed"):
        pairs = []
        if check.has((*path, key)):
            for point_id in check.mapping((*path, key), set()):
                known_point(check, (*path, key, point_id), point_id, by_id)
                if not isinstance(check.value((*path, key, point_id)), str):
                    raise check.fail((*path, key, point_id), "expected one option id")
                (option,) = _option_ids(check, (*path, key, point_id), by_id[point_id])
                pairs.append((point_id, option))
        texts[key] = tuple(pairs)
    return s.Protocol(
        name=name,
        mediator=mediator,
        bias=check.number((*path, "bias"), 0.0, 0, 1),
        belief_noise=check.number((*path, "belief_noise"), 0.0, 0, 1),
        lambda_growth=check.number((*path, "lambda_growth"), 0.1, 0, 10),
        max_changes=check.number((*path, "max_changes"), 2, 0, MAX_POINTS, integer=True),
        start=texts["start"],
        fixed=texts["fixed"],
        walkout_rounds=check.number((*path, "walkout_rounds"), 3, 1, MAX_DEADLINE, integer=True),
        learning=check.flag((*path, "learning"), True),
        exploration=check.number((*path, "exploration"), 5.0, 0, 10),
    )
