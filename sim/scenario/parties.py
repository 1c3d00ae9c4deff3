"""Reading one party of a scenario file: utilities, red lines, reservation value and
drift, tactic, influence, domestic constraint, escalation threat and evidence."""

from __future__ import annotations

from . import data as s
from .errors import did_you_mean
from .evidence import cited
from .fields import Checker, kind
from .limits import MAX_DEADLINE
from .located_yaml import KeyPath

PARTY_KEYS = {
    "name",
    "role",
    "position",
    "ideal",
    "values",
    "loss",
    "salience",
    "red_lines",
    "reservation",
    "batna_drift",
    "tactic",
    "deadline",
    "influence",
    "domestic",
    "escalation",
    "evidence",
}
RED_LINE_KEYS = {"options", "above", "below"}
DRIFT_KEYS = {"trend", "noise"}
TACTIC_KEYS = {"name", "beta", "reciprocity"}
INFLUENCE_KEYS = {"kind", "strength", "channel", "cost", "while_rejecting"}
DOMESTIC_KEYS = {"body", "points", "threshold", "events"}
EVENT_KEYS = {"round", "shift", "why"}
ESCALATION_KEYS = {"points", "rounds"}
LOSSES = ("linear", "quadratic")


def known_point(check: Checker, path: KeyPath, point_id, points_by_id) -> None:
    if point_id not in points_by_id:
        raise check.fail(path, f"unknown point '{point_id}'{did_you_mean(point_id, points_by_id)}")


def read_party(check: Checker, pid: str, points, evidence_ids) -> s.Party:
    base = ("parties", pid)
    check.mapping(base, PARTY_KEYS, {"role"})
    by_id = {p.id: p for p in points}
    salience = _salience(check, base, points, by_id)
    values = _values(check, base, points, by_id)
    red_lines = []
    if check.has((*base, "red_lines")):
        for point_id in check.mapping((*base, "red_lines"), set()):
            rpath = (*base, "red_lines", point_id)
            known_point(check, rpath, point_id, by_id)
            red_lines.append((point_id, _red_line_options(check, rpath, by_id[point_id])))
    drift = (*base, "batna_drift")
    if check.has(drift):
        check.mapping(drift, DRIFT_KEYS)
    tactic_path = (*base, "tactic")
    if check.has(tactic_path):
        check.mapping(tactic_path, TACTIC_KEYS)
    tactic = s.Tactic(
        name=check.text((*tactic_path, "name"), "time_dependent", tuple(sorted(s.TACTIC_NAMES))),
        beta=check.number((*tactic_path, "beta"), 1.0, 0.01, 100),
        reciprocity=check.number((*tactic_path, "reciprocity"), 1.0, 0, 10),
    )
    citations = []
    if check.has((*base, "evidence")):
        for parameter in check.mapping((*base, "evidence"), set()):
            target = tuple(parameter.split("."))
            if not check.has((*base, *target)):
                raise check.fail(
                    (*base, "evidence", parameter),
                    f"'{parameter}' is not a parameter of this party",
                )
            ids = cited(check, (*base, "evidence", parameter), evidence_ids)
            citations.append((parameter, ids))
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
        deadline=check.number((*base, "deadline"), None, 1, MAX_DEADLINE, integer=True),
        influence=_influence(check, base),
        domestic=_domestic(check, base, by_id),
        escalation=_escalation(check, base, by_id),
        evidence=tuple(citations),
    )


def _salience(check, base, points, by_id) -> tuple[float, ...]:
    path = (*base, "salience")
    if not check.has(path):
        return tuple(1 / len(points) for _ in points)
    for point_id in check.mapping(path, set()):
        known_point(check, (*path, point_id), point_id, by_id)
    weights = [check.number((*path, p.id), 0, low=0) for p in points]
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
        known_point(
            check,
            (*base, "ideal" if point_id in ideal_raw else "values", point_id),
            point_id,
            by_id,
        )
    table = []
    for point in points:
        ideal = check.number((*base, "ideal", point.id), default_ideal, 0, 1)
        row = []
        direct = check.mapping((*base, "values", point.id), set()) if point.id in given else {}
        for option_id in direct:
            if option_id not in [o.id for o in point.options]:
                raise check.fail(
                    (*base, "values", point.id, option_id),
                    f"unknown option '{option_id}'"
                    f"{did_you_mean(option_id, [o.id for o in point.options])}",
                )
        for option in point.options:
            distance = abs(option.position - ideal)
            derived = 1 - (distance if loss == "linear" else distance**2)
            row.append(
                check.number((*base, "values", point.id, option.id), derived, 0, 1)
                if option.id in direct
                else derived
            )
        table.append(tuple(row))
    return tuple(table)


def _red_line_options(check, path, point: s.Point) -> tuple[str, ...]:
    """Forbidden options, listed by id or as a position bound (`above:`/`below:`)."""
    option_ids = [o.id for o in point.options]
    value = check.value(path)
    if not isinstance(value, dict):
        return check.names(path, option_ids, "option")
    check.mapping(path, RED_LINE_KEYS)
    listed = (
        set(check.names((*path, "options"), option_ids, "option"))
        if check.has((*path, "options"))
        else set()
    )
    above = check.number((*path, "above"), None, 0, 1)
    below = check.number((*path, "below"), None, 0, 1)
    return tuple(
        o.id
        for o in point.options
        if o.id in listed
        or (above is not None and o.position > above)
        or (below is not None and o.position < below)
    )


def _influence(check, base) -> tuple[s.Influence, ...]:
    path = (*base, "influence")
    if not check.has(path):
        return ()
    links = []
    for target in check.mapping(path, set()):
        lpath = (*path, target)
        check.mapping(lpath, INFLUENCE_KEYS, {"kind", "strength"})
        kind = check.text((*lpath, "kind"), None, s.INFLUENCE_KINDS)
        links.append(
            s.Influence(
                target=target,
                kind=kind,
                strength=check.number((*lpath, "strength"), None, 0, 1),
                channel=check.text((*lpath, "channel"), "reservation", s.INFLUENCE_CHANNELS),
                cost=check.number((*lpath, "cost"), 0.0, 0, 1),
                # pressure bites on a party that keeps rejecting; support is given throughout
                while_rejecting=check.flag((*lpath, "while_rejecting"), kind == "pressure"),
            )
        )
    return tuple(links)


def _domestic(check, base, by_id) -> s.Domestic | None:
    path = (*base, "domestic")
    if not check.has(path):
        return None
    check.mapping(path, DOMESTIC_KEYS, {"threshold"})
    events = []
    if check.has((*path, "events")):
        raw = check.value((*path, "events"))
        if not isinstance(raw, list):
            raise check.fail((*path, "events"), f"expected a list of events, got {kind(raw)}")
        for index in range(len(raw)):
            epath = (*path, "events", index)
            check.mapping(epath, EVENT_KEYS, {"round", "shift"})
            events.append(
                s.DomesticEvent(
                    check.number((*epath, "round"), None, 1, MAX_DEADLINE, integer=True),
                    check.number((*epath, "shift"), None, -1, 1),
                    check.text((*epath, "why"), "a domestic event"),
                )
            )
    point_ids = (
        check.names((*path, "points"), by_id, "point")
        if check.has((*path, "points"))
        else tuple(by_id)
    )
    if not point_ids:
        raise check.fail((*path, "points"), "name at least one point the body ratifies")
    return s.Domestic(
        check.text((*path, "body"), "parliament"),
        point_ids,
        check.number((*path, "threshold"), None, 0, 1),
        tuple(events),
    )


def _escalation(check, base, by_id) -> s.Escalation | None:
    path = (*base, "escalation")
    if not check.has(path):
        return None
    check.mapping(path, ESCALATION_KEYS, {"points"})
    point_ids = check.names((*path, "points"), by_id, "point")
    red = check.get((*base, "red_lines")) if check.has((*base, "red_lines")) else {}
    for point_id in point_ids:
        if point_id not in red:
            raise check.fail(
                (*path, "points"),
                f"'{point_id}' has no red line of this party to trigger escalation",
            )
    return s.Escalation(
        point_ids, check.number((*path, "rounds"), 3, 1, MAX_DEADLINE, integer=True)
    )
