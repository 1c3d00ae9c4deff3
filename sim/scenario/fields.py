"""Typed, located access to data read from YAML: each accessor raises a `ScenarioError`
naming the file, line and dotted path when a value has the wrong shape."""

from __future__ import annotations

import math

from .errors import ScenarioError, did_you_mean
from .limits import MAX_NUMBER, MAX_TEXT_CHARS
from .located_yaml import KeyPath, Located, has_key
from .names import name_problem


class Checker:
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

    def value(self, path: KeyPath):
        """The value at `path`; a key given with no value (`strength:`) is an error, not a
        default, because a blank usually means a value was forgotten."""
        value = self.get(path)
        if value is None:
            raise self.fail(path, "no value given: write one, or delete the key")
        return value

    def mapping(self, path: KeyPath, allowed: set[str], required: set[str] = frozenset()) -> dict:
        value = self.value(path)
        if not isinstance(value, dict):
            raise self.fail(path, f"expected a mapping, got {kind(value)}")
        for key in value:
            if not isinstance(key, str):
                raise self.fail(path, f"keys must be names, got {kind(key)} {key!r}")
            if allowed and key not in allowed:
                raise self.fail((*path, key), f"unknown key '{key}'{did_you_mean(key, allowed)}")
        for key in sorted(required - set(value)):
            raise self.fail(path, f"missing required key '{key}'")
        return value

    def number(self, path: KeyPath, default=None, low=None, high=None, integer=False):
        if not self.has(path):
            return default
        value = self.value(path)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(path, f"expected a number, got {kind(value)} {value!r}")
        if integer and not isinstance(value, int):
            raise self.fail(path, f"expected a whole number, got {value!r}")
        if isinstance(value, float) and not math.isfinite(value):  # .nan passes any comparison
            raise self.fail(path, f"expected a finite number, got {value!r}")
        if (low is None or high is None) and abs(value) > MAX_NUMBER:
            shown = (
                f"a {len(str(abs(value)))}-digit number" if isinstance(value, int) else f"{value:g}"
            )
            raise self.fail(
                path, f"expected a number of at most {MAX_NUMBER:g} in size, got {shown}"
            )
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"[{low}, {high if high is not None else 'inf'}]"
            raise self.fail(path, f"{value!r} is outside {bounds}")
        return value

    def text(self, path: KeyPath, default=None, choices=None) -> str:
        if not self.has(path):
            return default
        value = self.value(path)
        if not isinstance(value, str):
            raise self.fail(path, f"expected text, got {kind(value)} {value!r}")
        if len(value) > MAX_TEXT_CHARS:
            raise self.fail(path, f"text of at most {MAX_TEXT_CHARS:,} characters")
        if choices and value not in choices:
            raise self.fail(
                path,
                f"unknown value '{value}'{did_you_mean(value, choices)}; "
                f"choose from {', '.join(choices)}",
            )
        return value

    def name(self, path: KeyPath, default: str) -> str:
        """A scenario or sweep name: a slug, because it becomes a folder name."""
        value = self.text(path, default)
        problem = name_problem(value)
        if problem:
            raise self.fail(path, problem)
        return value

    def flag(self, path: KeyPath, default: bool) -> bool:
        if not self.has(path):
            return default
        value = self.value(path)
        if not isinstance(value, bool):
            raise self.fail(path, f"expected true or false, got {value!r}")
        return value

    def names(self, path: KeyPath, known=None, what="name") -> tuple[str, ...]:
        """A name or a list of names, each optionally checked against `known`."""
        value = self.value(path)
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise self.fail(path, f"expected a {what} or a list of them, got {kind(value)}")
        for index, item in enumerate(items):
            if known is not None and item not in known:
                where = path if isinstance(value, str) else (*path, index)
                raise self.fail(where, f"unknown {what} '{item}'{did_you_mean(item, known)}")
        return tuple(items)

    def has(self, path: KeyPath) -> bool:
        """Whether the key is given (with a value or blank)."""
        node = self.located.data
        for key in path:
            if not has_key(node, key):
                return False
            node = node[key]
        return True


def kind(value) -> str:
    names = {
        dict: "a mapping",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
        type(None): "nothing",
    }
    return names.get(type(value), type(value).__name__)
