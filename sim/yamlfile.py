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
        text = path.read_bytes().decode("utf-8")  # whole, so that a bad byte has a line
    except OSError as err:
        raise ScenarioError(shown_as, 0, "(file)", f"cannot read: {err.strerror}") from None
    except UnicodeDecodeError as err:
        line = err.object.count(b"\n", 0, err.start) + 1
        raise ScenarioError(shown_as, line, "(file)", "not UTF-8 text") from None
    try:
        loader = yaml.SafeLoader(text)  # rejects unprintable characters at once
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        position = getattr(err, "position", None)  # a ReaderError has a position, not a mark
        line = mark.line + 1 if mark else text.count("\n", 0, position or 0) + 1
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ScenarioError(shown_as, line, "(syntax)", f"invalid YAML: {problem}") from None
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
                raise ScenarioError(
                    file, key_node.start_mark.line + 1, dotted((*path, key)), "duplicate key"
                )
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
            if path in override.where:  # a mapping both files give: point at the override
                where[path] = override.where[path]
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
        keys: KeyPath = tuple(int(k) if k.isdecimal() else k for k in key_text.strip().split("."))
        try:
            value = yaml.safe_load(value_text)
        except yaml.YAMLError:
            raise ScenarioError("--set", number, key_text, "value is not valid YAML") from None
        node = located.data
        for depth, key in enumerate(keys[:-1]):
            child = node[key] if has_key(node, key) else None
            if child is None and isinstance(node, dict):
                child = node[key] = {}
                located.where[keys[: depth + 1]] = ("--set", number)
            if not isinstance(child, dict | list):
                raise ScenarioError(
                    "--set",
                    number,
                    key_text,
                    f"'{'.'.join(map(str, keys[: depth + 1]))}' holds no keys",
                )
            node = child
        if isinstance(node, list) and not has_key(node, keys[-1]):
            raise ScenarioError("--set", number, key_text, "no such list item")
        node[keys[-1]] = value
        for key in [k for k in located.where if k[: len(keys)] == keys]:
            del located.where[key]
        located.where[keys] = ("--set", number)
    return located


def has_key(node, key) -> bool:
    if isinstance(node, dict):
        return key in node
    return isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)


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
