"""What a sweep varies and measures, named as a reader would say it: parties by their
names, influence by its kind and target, points and options by their titles and labels.

    parameter_label(scenario, "parties.usa.influence.ukraine.strength")
    -> "United States pressure on Ukraine"

Pure functions of the base scenario and a dotted path (or id). Without a scenario (a
folder whose base file has moved), ids stand for the names and the labels still read.
"""

from __future__ import annotations

from ..scenario.data import Scenario

# below `parties.<id>.`: what the field is, after the party's possessive
PARTY_FIELDS = {
    "reservation": "reservation value",
    "batna_drift.trend": "reservation drift per round",
    "batna_drift.noise": "reservation noise per round",
    "deadline": "own deadline (rounds)",
    "position": "position",
    "tactic.beta": "concession beta",
    "tactic.reciprocity": "reciprocity",
    "tactic.name": "tactic",
    "escalation.rounds": "rounds before escalating",
}
# below `protocol.`: the mediator's own settings, after its possessive (named, or not)
MEDIATOR_FIELDS = {
    "bias": ("bias as mediator", "bias"),
    "belief_noise": ("error about the parties' values",) * 2,
    "exploration": ("benefit of the doubt (sds)",) * 2,
}
PROTOCOL_FIELDS = {
    "name": "protocol",
    "lambda_growth": "Nash weight gained per rejection",
    "max_changes": "points changed per round, at most",
    "walkout_rounds": "rounds without an acceptable text before a walkout",
    "learning": "parties learn from the verdicts",
}
TOP_FIELDS = {"deadline": "deadline (rounds)", "seed": "scenario seed"}
PREPOSITIONS = {"pressure": "on", "support": "for"}


def parameter_label(scenario: Scenario | None, path: str) -> str:
    """A varied parameter as a reader would say it: `parties.russia.reservation` ->
    "Russia's reservation value", `protocol.bias` -> "United States' bias as mediator"."""
    keys = path.split(".")
    match keys:
        case [field] if field in TOP_FIELDS:
            return TOP_FIELDS[field]
        case ["protocol", field] if field in PROTOCOL_FIELDS:
            return PROTOCOL_FIELDS[field]
        case ["protocol", field] if field in MEDIATOR_FIELDS:
            named, unnamed = MEDIATOR_FIELDS[field]
            mediator = scenario.protocol.mediator if scenario is not None else None
            if mediator is None:
                return f"the mediator's {unnamed}"
            return f"{possessive(_party_name(scenario, mediator))} {named}"
        case ["parties", party, *rest] if rest:
            return _party_label(scenario, party, rest)
    return _readable(scenario, keys[-2:])


def parameter_labels(scenario: Scenario | None, paths) -> dict[str, str]:
    """Each path's label; paths whose labels would coincide are spelt out whole instead,
    so that no two parameters read alike."""
    labels = {path: parameter_label(scenario, path) for path in paths}
    taken = list(labels.values())
    return {
        path: label if taken.count(label) == 1 else _readable(scenario, path.split("."))
        for path, label in labels.items()
    }


def output_label(scenario: Scenario | None, output: str) -> str:
    """An analysed output: a status (a 0/1 indicator), `round`, or `utility.<party>`."""
    party, sep, rest = output.partition(".")
    if party == "utility" and sep:
        return f"{possessive(_party_name(scenario, rest))} utility"
    if output == "round":
        return "rounds played"
    return status_label(output)


def point_label(scenario: Scenario | None, point_id: str) -> str:
    """A point's title (its id when the scenario does not know it)."""
    point = _point(scenario, point_id)
    return point.title if point is not None else point_id


def option_label(scenario: Scenario | None, point_id: str, option_id: str) -> str:
    """An option's label (its id when the scenario does not know it)."""
    point = _point(scenario, point_id)
    found = [o.label for o in point.options if o.id == option_id] if point is not None else []
    return found[0] if found else option_id


def status_label(status: str) -> str:
    """How a run ended, in words: `no_deal` -> "no deal"."""
    return status.replace("_", " ")


def possessive(name: str) -> str:
    """The name's possessive: Ukraine's, and United States' for a name ending in s."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _party_label(scenario: Scenario | None, party_id: str, rest: list[str]) -> str:
    name = _party_name(scenario, party_id)
    field = ".".join(rest)
    if field in PARTY_FIELDS:
        return f"{possessive(name)} {PARTY_FIELDS[field]}"
    match rest:
        case ["influence", target, what]:
            return _influence_label(scenario, party_id, target, what)
        case ["domestic", "threshold"]:
            party = _party(scenario, party_id)
            body = party.domestic.body if party is not None and party.domestic else "ratification"
            return f"{possessive(name)} {body} threshold"
        case ["salience", point]:
            return f"{possessive(name)} salience of {point_label(scenario, point)}"
        case ["ideal", point]:
            return f"{possessive(name)} ideal position on {point_label(scenario, point)}"
    return f"{possessive(name)} {_readable(scenario, rest[-2:])}"


def _influence_label(scenario: Scenario | None, party_id: str, target_id: str, what: str) -> str:
    """The label of an influence link's setting: its strength is the link itself,
    "United States pressure on Ukraine"."""
    party = _party(scenario, party_id)
    kinds = [i.kind for i in party.influence if i.target == target_id] if party else []
    kind = kinds[0] if kinds else "influence"
    target = _party_name(scenario, target_id)
    link = f"{_party_name(scenario, party_id)} {kind} {PREPOSITIONS.get(kind, 'on')} {target}"
    return {
        "strength": link,
        "cost": f"cost of {link}",
        "channel": f"channel of {link}",
        "while_rejecting": f"{link} only while {target} rejects",
    }.get(what, f"{link}: {what.replace('_', ' ')}")


def _readable(scenario: Scenario | None, keys: list[str]) -> str:
    """Dotted keys as words: parties and points by their names, `_` as spaces."""
    return " ".join(_key_word(scenario, key) for key in keys)


def _key_word(scenario: Scenario | None, key: str) -> str:
    if _party(scenario, key) is not None:
        return _party_name(scenario, key)
    if _point(scenario, key) is not None:
        return point_label(scenario, key)
    return key.replace("_", " ")


def _party_name(scenario: Scenario | None, party_id: str) -> str:
    party = _party(scenario, party_id)
    return party.name if party is not None else party_id


def _party(scenario: Scenario | None, party_id: str):
    if scenario is None:
        return None
    return next((p for p in scenario.parties if p.id == party_id), None)


def _point(scenario: Scenario | None, point_id: str):
    if scenario is None:
        return None
    return next((p for p in scenario.points if p.id == point_id), None)
