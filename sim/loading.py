"""Scenario files -> validated `Scenario` objects, with `extends:` and `--set` overrides.

Every problem is raised as one `ScenarioError` naming the file, the line and the dotted
path, so that a student who mistypes a key is told exactly where and what to fix.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from pathlib import Path

import yaml

from . import scenario as s
from .errors import ScenarioError
from .yamlfile import KeyPath, Located, merge, read_located

TOP_KEYS = {"name", "title", "description", "extends", "evidence_base", "seed", "deadline",
            "protocol", "points", "links", "parties"}
POINT_KEYS = {"title", "options", "evidence", "assumption"}
OPTION_KEYS = {"label", "position"}
LINK_KEYS = {"if", "then", "evidence", "assumption"}
PARTY_KEYS = {"name", "role", "position", "ideal", "values", "loss", "salience", "red_lines",
              "reservation", "batna_drift", "tactic", "deadline", "influence", "domestic",
              "escalation", "evidence"}
RED_LINE_KEYS = {"options", "above", "below"}
DRIFT_KEYS = {"trend", "noise"}
TACTIC_KEYS = {"name", "beta", "reciprocity"}
INFLUENCE_KEYS = {"kind", "strength", "channel", "cost", "while_rejecting"}
DOMESTIC_KEYS = {"body", "points", "threshold", "events"}
EVENT_KEYS = {"round", "shift", "why"}
ESCALATION_KEYS = {"points", "rounds"}
PROTOCOL_KEYS = {"name", "mediator", "bias", "belief_noise", "lambda_growth", "max_changes",
                 "start", "fixed", "walkout_rounds"}
LOSSES = ("linear", "quadratic")


def load_scenario(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> s.Scenario:
    """Read, merge (`extends:`), override (`path=value`) and validate a scenario file."""
    located = read_with_extends(Path(path))
    if overrides:
        located = apply_overrides(located, overrides)
    return build_scenario(located, Path(path))


def read_with_extends(path: Path, _seen: tuple[Path, ...] = ()) -> Located:
    """The file's data merged onto the file it `extends:` (recursively)."""
    located = read_located(path, str(path))
    data = located.data
    if not isinstance(data, dict):
        raise located.error((), "a scenario file must be a mapping of keys to values")
    parent = data.get("extends")
    if parent is None:
        return located
    if not isinstance(parent, str):
        raise located.error(("extends",), "must be a file name (relative to this file)")
    parent_path = (path.parent / parent).resolve()
    if parent_path in _seen or parent_path == path.resolve():
        raise located.error(("extends",), f"circular extends through '{parent}'")
    if not parent_path.is_file():
        raise located.error(("extends",), f"file not found: '{parent}'")
    base = read_with_extends(path.parent / parent, (*_seen, path.resolve()))
    base.data.pop("name", None)  # a variant is its own scenario unless it names itself
    merged = merge(base, located)
    merged.data.pop("extends")
    return merged


def apply_overrides(located: Located, overrides) -> Located:
    """Apply `dotted.path=value` settings (value parsed as YAML) on top of the file's data."""
    for number, text in enumerate(overrides, start=1):
        key_text, sep, value_text = text.partition("=")
        if not sep or not key_text.strip():
            raise ScenarioError("--set", number, text, "expected path=value")
        keys: KeyPath = tuple(int(k) if k.isdigit() else k for k in key_text.strip().split("."))
        try:
            value = yaml.safe_load(value_text)
        except yaml.YAMLError:
            raise ScenarioError("--set", number, key_text, "value is not valid YAML") from None
        node = located.data
        for depth, key in enumerate(keys[:-1]):
            child = node[key] if _has(node, key) else None
            if child is None and isinstance(node, dict):
                child = node[key] = {}
            if not isinstance(child, dict | list):
                raise ScenarioError("--set", number, key_text,
                                    f"'{'.'.join(map(str, keys[: depth + 1]))}' holds no keys")
            node = child
        if isinstance(node, list) and not _has(node, keys[-1]):
            raise ScenarioError("--set", number, key_text, "no such list item")
        node[keys[-1]] = value
        for key in [k for k in located.where if k[: len(keys)] == keys]:
            del located.where[key]
        located.where[keys] = ("--set", number)
    return located


def _has(node, key) -> bool:
    if isinstance(node, dict):
        return key in node
    return isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)


class _Checker:
    """Typed access to the located data: each accessor raises a located error on misuse."""

    def __init__(self, located: Located):
        self.located = located

    def fail(self, path: KeyPath, message: str) -> ScenarioError:
        return self.located.error(path, message)

    def get(self, path: KeyPath):
        node = self.located.data
        for key in path:
            node = node[key]
        return node

    def mapping(self, path: KeyPath, allowed: set[str], required: set[str] = frozenset()) -> dict:
        value = self.get(path)
        if not isinstance(value, dict):
            raise self.fail(path, f"expected a mapping, got {_kind(value)}")
        for key in value:
            if not isinstance(key, str):
                raise self.fail(path, f"keys must be names, got {_kind(key)} {key!r}")
            if allowed and key not in allowed:
                raise self.fail((*path, key), f"unknown key '{key}'{_did_you_mean(key, allowed)}")
        for key in sorted(required - set(value)):
            raise self.fail(path, f"missing required key '{key}'")
        return value

    def number(self, path: KeyPath, default=None, low=None, high=None, integer=False):
        if not self.has(path):
            return default
        value = self.get(path)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(path, f"expected a number, got {_kind(value)} {value!r}")
        if integer and not isinstance(value, int):
            raise self.fail(path, f"expected a whole number, got {value!r}")
        if low is not None and value < low or high is not None and value > high:
            raise self.fail(path, f"{value!r} is outside [{low}, {high if high is not None else 'inf'}]")
        return value

    def text(self, path: KeyPath, default=None, choices=None) -> str:
        if not self.has(path):
            return default
        value = self.get(path)
        if not isinstance(value, str):
            raise self.fail(path, f"expected text, got {_kind(value)} {value!r}")
        if choices and value not in choices:
            raise self.fail(path, f"unknown value '{value}'{_did_you_mean(value, choices)}; "
                                  f"choose from {', '.join(choices)}")
        return value

    def flag(self, path: KeyPath, default: bool) -> bool:
        if not self.has(path):
            return default
        value = self.get(path)
        if not isinstance(value, bool):
            raise self.fail(path, f"expected true or false, got {value!r}")
        return value

    def names(self, path: KeyPath, known=None, what="name") -> tuple[str, ...]:
        """A name or a list of names, each optionally checked against `known`."""
        value = self.get(path)
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise self.fail(path, f"expected a {what} or a list of them, got {_kind(value)}")
        for index, item in enumerate(items):
            if known is not None and item not in known:
                where = path if isinstance(value, str) else (*path, index)
                raise self.fail(where, f"unknown {what} '{item}'{_did_you_mean(item, known)}")
        return tuple(items)

    def has(self, path: KeyPath) -> bool:
        node = self.located.data
        for key in path:
            if not _has(node, key):
                return False
            node = node[key]
        return node is not None


def _kind(value) -> str:
    names = {dict: "a mapping", list: "a list", str: "text", bool: "true/false",
             int: "a number", float: "a number", type(None): "nothing"}
    return names.get(type(value), type(value).__name__)


def _did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def build_scenario(located: Located, path: Path) -> s.Scenario:
    """Validate the merged data and build the immutable scenario."""
    check = _Checker(located)
    check.mapping((), TOP_KEYS, {"points", "parties"})
    evidence_ids = _evidence_ids(check, path)
    points = _points(check, evidence_ids)
    parties = tuple(_party(check, pid, points, evidence_ids)
                    for pid in check.mapping(("parties",), set()))
    if not parties:
        raise check.fail(("parties",), "no parties: a negotiation needs at least one signatory")
    party_ids = [p.id for p in parties]
    for party in parties:
        for link in party.influence:
            if link.target not in party_ids:
                raise check.fail(("parties", party.id, "influence", link.target),
                                 f"unknown party '{link.target}'{_did_you_mean(link.target, party_ids)}")
            if link.target == party.id:
                raise check.fail(("parties", party.id, "influence", link.target),
                                 "a party cannot influence itself")
    if not any(p.is_signatory for p in parties):
        raise check.fail(("parties",), "no party has role 'signatory'")
    deadline = check.number(("deadline",), 60, 1, integer=True)
    return s.Scenario(
        name=check.text(("name",), path.stem),
        title=check.text(("title",), ""),
        description=check.text(("description",), ""),
        points=points,
        links=_links(check, points, evidence_ids),
        parties=parties,
        protocol=_protocol(check, points, parties),
        deadline=deadline,
        seed=check.number(("seed",), 0, 0, integer=True),
        source=str(path),
        digest=hashlib.sha256(
            json.dumps(located.data, sort_keys=True, default=str).encode()).hexdigest(),
    )


def _evidence_ids(check: _Checker, path: Path) -> set[str] | None:
    """Ids of the evidence base's records, or None when the scenario names no base."""
    base = check.text(("evidence_base",))
    if base is None:
        return None
    base_path = path.parent / base
    if not base_path.is_file():
        raise check.fail(("evidence_base",), f"file not found: '{base}'")
    records = read_located(base_path, str(base_path))
    positions = records.data.get("positions") if isinstance(records.data, dict) else None
    if not isinstance(positions, list):
        raise records.error(("positions",), "expected a list of position records")
    ids = set()
    for index, record in enumerate(positions):
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            raise records.error(("positions", index), "each record needs an 'id'")
        ids.add(record["id"])
    return ids


def _evidence(check: _Checker, path: KeyPath, evidence_ids) -> tuple[str, ...]:
    if not check.has(path):
        return ()
    if evidence_ids is None:
        raise check.fail(path, "evidence ids need an 'evidence_base' file at the top level")
    return check.names(path, evidence_ids, "evidence id")


def _points(check: _Checker, evidence_ids) -> tuple[s.Point, ...]:
    raw = check.mapping(("points",), set())
    if not raw:
        raise check.fail(("points",), "empty proposal space: declare at least one point")
    points = []
    for pid in raw:
        base = ("points", pid)
        check.mapping(base, POINT_KEYS, {"options"})
        options_raw = check.mapping((*base, "options"), set())
        if len(options_raw) < 2:
            raise check.fail((*base, "options"),
                             f"empty proposal space: a point needs at least 2 options, got {len(options_raw)}")
        options = []
        for index, oid in enumerate(options_raw):
            opath = (*base, "options", oid)
            default_position = index / (len(options_raw) - 1)
            if isinstance(options_raw[oid], str):
                options.append(s.Option(oid, options_raw[oid], default_position))
                continue
            check.mapping(opath, OPTION_KEYS)
            options.append(s.Option(oid, check.text((*opath, "label"), oid),
                                    check.number((*opath, "position"), default_position, 0, 1)))
        points.append(s.Point(pid, check.text((*base, "title"), pid), tuple(options),
                              _evidence(check, (*base, "evidence"), evidence_ids),
                              check.text((*base, "assumption"), "")))
    return tuple(points)


def _option_ids(check: _Checker, path: KeyPath, point: s.Point) -> tuple[str, ...]:
    return check.names(path, [o.id for o in point.options], "option")


def _known_point(check: _Checker, path: KeyPath, point_id, points_by_id) -> None:
    if point_id not in points_by_id:
        raise check.fail(path, f"unknown point '{point_id}'{_did_you_mean(point_id, points_by_id)}")


def _links(check: _Checker, points, evidence_ids) -> tuple[s.Link, ...]:
    if not check.has(("links",)):
        return ()
    raw = check.get(("links",))
    if not isinstance(raw, list):
        raise check.fail(("links",), f"expected a list of links, got {_kind(raw)}")
    by_id = {p.id: p for p in points}
    links = []
    for index in range(len(raw)):
        base = ("links", index)
        check.mapping(base, LINK_KEYS, {"if", "then"})
        _evidence(check, (*base, "evidence"), evidence_ids)
        sides = []
        for side in ("if", "then"):
            pair = check.mapping((*base, side), set())
            if len(pair) != 1:
                raise check.fail((*base, side), "expected exactly one 'point: option(s)' entry")
            (point_id,) = pair
            _known_point(check, (*base, side, point_id), point_id, by_id)
            sides.append((point_id, _option_ids(check, (*base, side, point_id), by_id[point_id])))
        (if_point, if_options), (then_point, allowed) = sides
        if len(if_options) != 1:
            raise check.fail((*base, "if", if_point), "name exactly one option")
        links.append(s.Link(if_point, if_options[0], then_point, allowed))
    return tuple(links)


def _party(check: _Checker, pid: str, points, evidence_ids) -> s.Party:
    base = ("parties", pid)
    check.mapping(base, PARTY_KEYS, {"role"})
    by_id = {p.id: p for p in points}
    salience = _salience(check, base, points, by_id)
    values = _values(check, base, points, by_id)
    red_lines = []
    if check.has((*base, "red_lines")):
        for point_id in check.mapping((*base, "red_lines"), set()):
            rpath = (*base, "red_lines", point_id)
            _known_point(check, rpath, point_id, by_id)
            red_lines.append((point_id, _red_line_options(check, rpath, by_id[point_id])))
    drift = (*base, "batna_drift")
    if check.has(drift):
        check.mapping(drift, DRIFT_KEYS)
    tactic_path = (*base, "tactic")
    if check.has(tactic_path):
        check.mapping(tactic_path, TACTIC_KEYS)
    from .tactics import TACTICS  # the registry decides which names are valid

    tactic = s.Tactic(
        name=check.text((*tactic_path, "name"), "time_dependent", tuple(TACTICS)),
        beta=check.number((*tactic_path, "beta"), 1.0, 0.01, 100),
        reciprocity=check.number((*tactic_path, "reciprocity"), 1.0, 0, 10),
    )
    evidence = []
    if check.has((*base, "evidence")):
        for parameter in check.mapping((*base, "evidence"), set()):
            target = tuple(parameter.split("."))
            if not check.has((*base, *target)):
                raise check.fail((*base, "evidence", parameter),
                                 f"'{parameter}' is not a parameter of this party")
            evidence.append((parameter, _evidence(check, (*base, "evidence", parameter), evidence_ids)))
    return s.Party(
        id=pid,
        name=check.text((*base, "name"), pid.replace("_", " ").title()),
        role=check.text((*base, "role"), None, s.ROLES),
        salience=salience,
        values=values,
        red_lines=tuple(red_lines),
        reservation=check.number((*base, "reservation"), 0.0, 0, 1),
        reservation_trend=check.number((*drift, "trend"), 0.0, -1, 1),
        reservation_noise=check.number((*drift, "noise"), 0.0, 0, 1),
        tactic=tactic,
        deadline=check.number((*base, "deadline"), None, 1, integer=True),
        influence=_influence(check, base),
        domestic=_domestic(check, base, by_id),
        escalation=_escalation(check, base, by_id),
        evidence=tuple(evidence),
    )


def _salience(check, base, points, by_id) -> tuple[float, ...]:
    path = (*base, "salience")
    if not check.has(path):
        return tuple(1 / len(points) for _ in points)
    raw = check.mapping(path, set())
    for point_id in raw:
        _known_point(check, (*path, point_id), point_id, by_id)
        check.number((*path, point_id), low=0)
    weights = [raw.get(p.id, 0) for p in points]
    total = sum(weights)
    if total <= 0:
        raise check.fail(path, "salience is zero on every point: give at least one point weight")
    return tuple(w / total for w in weights)


def _values(check, base, points, by_id) -> tuple[tuple[float, ...], ...]:
    """Each option's value: given directly, or 1 - distance to the ideal position."""
    default_ideal = check.number((*base, "position"), 0.5, 0, 1)
    loss = check.text((*base, "loss"), "linear", LOSSES)
    ideal_raw = check.mapping((*base, "ideal"), set()) if check.has((*base, "ideal")) else {}
    given = check.mapping((*base, "values"), set()) if check.has((*base, "values")) else {}
    for point_id in [*ideal_raw, *given]:
        _known_point(check, (*base, "ideal" if point_id in ideal_raw else "values", point_id),
                     point_id, by_id)
    table = []
    for point in points:
        ideal = check.number((*base, "ideal", point.id), default_ideal, 0, 1)
        row = []
        direct = check.mapping((*base, "values", point.id), set()) if point.id in given else {}
        for option_id in direct:
            if option_id not in [o.id for o in point.options]:
                raise check.fail((*base, "values", point.id, option_id),
                                 f"unknown option '{option_id}'"
                                 f"{_did_you_mean(option_id, [o.id for o in point.options])}")
        for option in point.options:
            distance = abs(option.position - ideal)
            derived = 1 - (distance if loss == "linear" else distance**2)
            row.append(check.number((*base, "values", point.id, option.id), derived, 0, 1)
                       if option.id in direct else derived)
        table.append(tuple(row))
    return tuple(table)


def _red_line_options(check, path, point: s.Point) -> tuple[str, ...]:
    """Forbidden options, listed by id or as a position bound (`above:`/`below:`)."""
    option_ids = [o.id for o in point.options]
    value = check.get(path)
    if not isinstance(value, dict):
        return check.names(path, option_ids, "option")
    check.mapping(path, RED_LINE_KEYS)
    listed = set(check.names((*path, "options"), option_ids, "option")) \
        if check.has((*path, "options")) else set()
    above = check.number((*path, "above"), None, 0, 1)
    below = check.number((*path, "below"), None, 0, 1)
    return tuple(o.id for o in point.options if o.id in listed
                 or (above is not None and o.position > above)
                 or (below is not None and o.position < below))


def _influence(check, base) -> tuple[s.Influence, ...]:
    path = (*base, "influence")
    if not check.has(path):
        return ()
    links = []
    for target in check.mapping(path, set()):
        lpath = (*path, target)
        check.mapping(lpath, INFLUENCE_KEYS, {"kind", "strength"})
        links.append(s.Influence(
            target=target,
            kind=check.text((*lpath, "kind"), None, s.INFLUENCE_KINDS),
            strength=check.number((*lpath, "strength"), None, 0, 1),
            channel=check.text((*lpath, "channel"), "reservation", s.INFLUENCE_CHANNELS),
            cost=check.number((*lpath, "cost"), 0.0, 0, 1),
            while_rejecting=check.flag((*lpath, "while_rejecting"), True),
        ))
    return tuple(links)


def _domestic(check, base, by_id) -> s.Domestic | None:
    path = (*base, "domestic")
    if not check.has(path):
        return None
    check.mapping(path, DOMESTIC_KEYS, {"threshold"})
    events = []
    if check.has((*path, "events")):
        raw = check.get((*path, "events"))
        if not isinstance(raw, list):
            raise check.fail((*path, "events"), f"expected a list of events, got {_kind(raw)}")
        for index in range(len(raw)):
            epath = (*path, "events", index)
            check.mapping(epath, EVENT_KEYS, {"round", "shift"})
            events.append(s.DomesticEvent(check.number((*epath, "round"), None, 1, integer=True),
                                          check.number((*epath, "shift"), None, -1, 1),
                                          check.text((*epath, "why"), "a domestic event")))
    point_ids = (check.names((*path, "points"), by_id, "point")
                 if check.has((*path, "points")) else tuple(by_id))
    return s.Domestic(check.text((*path, "body"), "parliament"), point_ids,
                      check.number((*path, "threshold"), None, 0, 1), tuple(events))


def _escalation(check, base, by_id) -> s.Escalation | None:
    path = (*base, "escalation")
    if not check.has(path):
        return None
    check.mapping(path, ESCALATION_KEYS, {"points"})
    point_ids = check.names((*path, "points"), by_id, "point")
    red = check.get((*base, "red_lines")) if check.has((*base, "red_lines")) else {}
    for point_id in point_ids:
        if point_id not in red:
            raise check.fail((*path, "points"),
                             f"'{point_id}' has no red line of this party to trigger escalation")
    return s.Escalation(point_ids, check.number((*path, "rounds"), 3, 1, integer=True))


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
        raise check.fail(path, "the mediated protocol needs exactly one party with role 'mediator'"
                               " (or name it in protocol.mediator)")
    texts = {}
    for key in ("start", "fixed"):
        pairs = []
        if check.has((*path, key)):
            for point_id in check.mapping((*path, key), set()):
                _known_point(check, (*path, key, point_id), point_id, by_id)
                if not isinstance(check.get((*path, key, point_id)), str):
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
        max_changes=check.number((*path, "max_changes"), 2, 0, integer=True),
        start=texts["start"],
        fixed=texts["fixed"],
        walkout_rounds=check.number((*path, "walkout_rounds"), 3, 1, integer=True),
    )
