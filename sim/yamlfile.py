"""Safe YAML reading that remembers where every value came from (file and line)."""

from __future__ import annotations

from pathlib import Path

import yaml

from .errors import ScenarioError

Key = str | int
KeyPath = tuple[Key, ...]
Location = tuple[str, int]


def dotted(path: KeyPath) -> str:
    """`("parties", "ukraine", "red_lines")` -> `parties.ukraine.red_lines`; list items as `[i]`."""
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text or "(top)"


class Located:
    """Plain data read from YAML plus the (file, line) of every mapping key and list item."""

    def __init__(self, data, where: dict[KeyPath, Location], file: str):
        self.data = data
        self.where = where
        self.file = file

    def locate(self, path: KeyPath) -> Location:
        """The place of `path`, or of its nearest ancestor that has one."""
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.where:
                return self.where[path[:cut]]
        return (self.file, 1)

    def error(self, path: KeyPath, message: str) -> ScenarioError:
        file, line = self.locate(path)
        return ScenarioError(file, line, dotted(path), message)


def read_located(path: Path, shown_as: str) -> Located:
    """Load one YAML file with the safe loader, recording key lines; reject duplicate keys."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ScenarioError(shown_as, 0, "(file)", f"cannot read: {err.strerror}") from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        problem = getattr(err, "problem", None) or str(err)
        raise ScenarioError(shown_as, line, "(syntax)", f"invalid YAML: {problem}") from None
    finally:
        loader.dispose()
    where: dict[KeyPath, Location] = {(): (shown_as, 1)}
    if node is not None:
        _walk(node, (), where, shown_as)
    return Located(data, where, shown_as)


def _walk(node, path: KeyPath, where: dict[KeyPath, Location], file: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                raise ScenarioError(file, key_node.start_mark.line + 1, dotted((*path, key)),
                                    "duplicate key")
            seen.add(key)
            where[(*path, key)] = (file, key_node.start_mark.line + 1)
            _walk(value_node, (*path, key), where, file)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            where[(*path, index)] = (file, item.start_mark.line + 1)
            _walk(item, (*path, index), where, file)


def merge(base: Located, override: Located) -> Located:
    """Deep-merge `override` onto `base` (mappings merge key by key, anything else replaces)."""
    where = dict(base.where)

    def combine(old, new, path: KeyPath):
        if isinstance(old, dict) and isinstance(new, dict):
            merged = dict(old)
            for key, value in new.items():
                merged[key] = combine(old.get(key), value, (*path, key))
            return merged
        for key in [k for k in where if k[: len(path)] == path and len(k) > len(path)]:
            del where[key]
        where.update({k: v for k, v in override.where.items() if k[: len(path)] == path})
        return new

    data = combine(base.data, override.data, ())
    return Located(data, where, override.file)
