"""Settings on top of a scenario file: `--set path=value` texts, a mapping of dotted
paths (the Python API), and the plain values a sweep sets on each of its variants."""

from __future__ import annotations

from collections.abc import Mapping

from .errors import ScenarioError, did_you_mean
from .located_yaml import KeyPath, Located, has_key, parse_yaml


def apply_overrides(located: Located, overrides, label: str = "--set") -> Located:
    """Apply settings on top of the file's data: `path=value` texts (the value read as
    YAML) or a mapping of dotted paths to values. Errors name `label` and the setting's
    number as their place."""
    for number, (key_text, value) in enumerate(_settings(overrides, label), start=1):
        keys: KeyPath = tuple(int(k) if k.isdecimal() else k for k in key_text.split("."))
        node = located.data
        for depth, key in enumerate(keys[:-1]):
            child = node[key] if has_key(node, key) else None
            if child is None and isinstance(node, dict):
                _known_id(node, keys[:depth], key, key_text, label, number)
                child = node[key] = {}
                located.where[keys[: depth + 1]] = (label, number)
            if not isinstance(child, dict | list):
                raise ScenarioError(
                    label,
                    number,
                    key_text,
                    f"'{'.'.join(map(str, keys[: depth + 1]))}' holds no keys",
                )
            node = child
        if isinstance(node, list) and not has_key(node, keys[-1]):
            raise ScenarioError(label, number, key_text, "no such list item")
        if not isinstance(node, dict | list):
            raise ScenarioError(label, number, key_text, "holds no keys")
        node[keys[-1]] = value
        for key in [k for k in located.where if k[: len(keys)] == keys]:
            del located.where[key]
        located.where[keys] = (label, number)
    return located


def _settings(overrides, label: str) -> list[tuple[str, object]]:
    """(dotted path, value) pairs from `path=value` texts, one such text, or a mapping."""
    if isinstance(overrides, Mapping):
        pairs = [(str(key), value) for key, value in overrides.items()]
    else:
        texts = [overrides] if isinstance(overrides, str) else list(overrides)
        pairs = []
        for number, text in enumerate(texts, start=1):
            if not isinstance(text, str):
                raise ScenarioError(label, number, "(setting)", "expected 'path=value' text")
            key_text, sep, value_text = text.partition("=")
            key_text = key_text.strip()
            if not sep or not key_text or "" in key_text.split("."):
                raise ScenarioError(label, number, key_text or "(setting)", "expected path=value")
            try:
                value = parse_yaml(value_text, label)
            except ScenarioError as err:
                raise ScenarioError(label, number, key_text, f"value: {err.message}") from None
            pairs.append((key_text, value))
    for number, (key_text, _) in enumerate(pairs, start=1):
        if not key_text or "" in key_text.split("."):
            raise ScenarioError(label, number, key_text or "(setting)", "expected path=value")
    return pairs


ID_COLLECTIONS = {("parties",): "party", ("points",): "point"}


def _known_id(node: dict, parent: KeyPath, key, key_text: str, label: str, number: int) -> None:
    """A setting may add keys, but not a new party or point: that is a misspelt id."""
    what = ID_COLLECTIONS.get(parent)
    if what is None and len(parent) == 3 and parent[0] == "points" and parent[2] == "options":
        what = "option"
    if what is not None:
        hint = did_you_mean(str(key), [str(k) for k in node])
        raise ScenarioError(label, number, key_text, f"unknown {what} '{key}'{hint}")


def with_values(located: Located, values: dict[str, object]) -> Located:
    """A copy of the data with dotted paths set to plain values, copying only the mappings
    and lists on those paths (a sweep builds thousands of variants of one file)."""
    data = dict(located.data)
    for text, value in values.items():
        keys = [int(k) if k.isdecimal() else k for k in text.split(".")]
        node = data
        for depth, key in enumerate(keys[:-1]):
            child = node[key] if has_key(node, key) else None
            if child is None and isinstance(node, dict):
                child = {}
            elif isinstance(child, dict | list):
                child = type(child)(child)
            else:
                where = ".".join(map(str, keys[: depth + 1]))
                raise ScenarioError(located.file, 1, text, f"'{where}' holds no keys")
            node[key] = child
            node = child
        if isinstance(node, list) and not has_key(node, keys[-1]):
            raise ScenarioError(located.file, 1, text, "no such list item")
        node[keys[-1]] = value
    return Located(data, located.where, located.file)
