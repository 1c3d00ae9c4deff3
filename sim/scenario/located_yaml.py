"""Safe YAML reading that remembers where every value came from (file and line)."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from .errors import ScenarioError
from .limits import MAX_DEPTH, MAX_EXTENDS, MAX_FILE_BYTES, MAX_INTEGER, MAX_NODES, MAX_PATH_CHARS

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
    """Load one YAML file with the safe loader, recording key lines; reject duplicate keys,
    and files too big, too deep or expanding (through aliases) past the bounds."""
    where: dict[KeyPath, Location] = {(): (shown_as, 1)}
    data = parse_yaml(_read_text(path, shown_as), shown_as, where)
    return Located(data, where, shown_as)


def parse_yaml(text: str, file: str, where: dict[KeyPath, Location] | None = None):
    """The data of one YAML document (files and `--set` values alike), read with the safe
    loader within the bounds; every problem is a ScenarioError at its line."""
    try:
        _check_shape(text, file)
        loader = yaml.SafeLoader(text)  # rejects unprintable characters at once
        try:
            node = loader.get_single_node()
            if node is None:
                return None
            # before construction, which flattens merge keys
            _walk(node, (), {} if where is None else where, file, yaml.SafeLoader(""))
            try:
                data = loader.construct_document(node)
            except (ValueError, KeyError, AttributeError, TypeError, OverflowError):
                raise _bad_scalar(node, file) from None
        finally:
            loader.dispose()
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        position = getattr(err, "position", None)  # a ReaderError has a position, not a mark
        line = mark.line + 1 if mark else text.count("\n", 0, position or 0) + 1
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ScenarioError(file, line, "(syntax)", f"invalid YAML: {problem}") from None
    return data


def _bad_scalar(root, file: str) -> ScenarioError:
    """The error for the first value the constructor cannot build (`!!int x`,
    `2025-02-30`, an integer of thousands of digits), found by building each one alone."""
    builder = yaml.SafeLoader("")
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            try:
                builder.construct_object(node)
            except (ValueError, KeyError, AttributeError, TypeError, OverflowError):
                shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
                tag = node.tag.rsplit(":", 1)[-1]
                return ScenarioError(
                    file, node.start_mark.line + 1, "(syntax)", f"not a valid {tag}: '{shown}'"
                )
        elif isinstance(node, yaml.MappingNode):
            stack.extend(item for pair in reversed(node.value) for item in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
    return ScenarioError(file, root.start_mark.line + 1, "(syntax)", "a value cannot be read")


def _read_text(path: Path, shown_as: str) -> str:
    """The file's text, whole (so that a bad byte has a line), within the size bound."""
    try:
        with open(path, "rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError(shown_as, 1, "(file)", "no such file") from None
    except IsADirectoryError:
        raise ScenarioError(shown_as, 1, "(file)", "is a folder, not a file") from None
    except OSError as err:
        raise ScenarioError(shown_as, 1, "(file)", f"cannot read: {err.strerror}") from None
    except ValueError:  # a NUL in the name
        raise ScenarioError(shown_as, 1, "(file)", "not a usable file name") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(
            shown_as, 1, "(file)", f"larger than {MAX_FILE_BYTES:,} bytes: not a scenario"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = err.object.count(b"\n", 0, err.start) + 1
        raise ScenarioError(shown_as, line, "(file)", "not UTF-8 text") from None


def _check_shape(text: str, file: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH and documents that expand, through aliases,
    past MAX_NODES values, from the event stream (flat, so neither can exhaust the stack
    or memory before it is refused)."""
    open_nodes: list[int] = []  # values inside each open collection, itself included
    sizes: dict[str, int] = {}  # anchor -> values it expands to
    anchors: list[str | None] = []
    total = 0  # every value once, and an alias as the values it repeats
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            if len(open_nodes) >= MAX_DEPTH:
                raise ScenarioError(
                    file, event.start_mark.line + 1, "(syntax)", f"nested deeper than {MAX_DEPTH}"
                )
            open_nodes.append(1)
            anchors.append(event.anchor)
            total += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            count = open_nodes.pop()
            anchor = anchors.pop()
            if anchor:
                sizes[anchor] = count
            if open_nodes:
                open_nodes[-1] += count
        elif isinstance(event, yaml.AliasEvent | yaml.ScalarEvent):
            if isinstance(event, yaml.AliasEvent) and event.anchor in anchors:
                raise ScenarioError(
                    file, event.start_mark.line + 1, "(syntax)", "an alias inside what it names"
                )
            count = sizes.get(event.anchor, 1) if isinstance(event, yaml.AliasEvent) else 1
            if isinstance(event, yaml.ScalarEvent) and event.anchor:
                sizes[event.anchor] = 1
            total += count
            if open_nodes:
                open_nodes[-1] += count
        if total > MAX_NODES:
            raise ScenarioError(
                file,
                event.start_mark.line + 1,
                "(syntax)",
                f"expands to more than {MAX_NODES:,} values (aliases repeat what they name)",
            )


def _walk(node, path: KeyPath, where: dict[KeyPath, Location], file: str, builder) -> None:
    """Record the line of every key and item; keys given twice in one mapping are an error,
    but a key given beside a merge (`<<: *base`) overrides the merged one. Whole numbers
    past MAX_INTEGER are refused here, at their path (an octal or sexagesimal literal can
    hold thousands of digits, which no message could even print)."""
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                merged = (
                    value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
                )
                for source in merged:
                    _walk(source, path, where, file, builder)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise ScenarioError(
                    file, key_node.start_mark.line + 1, dotted(path), "keys must be names"
                )
            key = key_node.value
            if key in seen:
                raise ScenarioError(
                    file, key_node.start_mark.line + 1, dotted((*path, key)), "duplicate key"
                )
            seen.add(key)
            where[(*path, key)] = (file, key_node.start_mark.line + 1)
            _walk(value_node, (*path, key), where, file, builder)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            where[(*path, index)] = (file, item.start_mark.line + 1)
            _walk(item, (*path, index), where, file, builder)
    elif node.tag == "tag:yaml.org,2002:int" and len(node.value) > 18:
        try:
            too_large = abs(builder.construct_object(node)) > MAX_INTEGER
        except ValueError:  # a decimal of thousands of digits; reported by the constructor
            return
        if too_large:
            raise ScenarioError(
                file, node.start_mark.line + 1, dotted(path), "a whole number too large"
            )


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


def read_with_extends(path: Path, _chain: tuple[Path, ...] = ()) -> Located:
    """The file's data merged onto the file it `extends:` (recursively, at most
    MAX_EXTENDS files deep)."""
    located = read_located(path, str(path))
    data = located.data
    if data is None:
        raise located.error((), "the file is empty: a scenario is a mapping of keys to values")
    if not isinstance(data, dict):
        raise located.error((), "a scenario file must be a mapping of keys to values")
    if "extends" not in data:
        return located
    parent = named_file(located, ("extends",))
    chain = (*_chain, path.resolve())
    if parent.resolve() in chain:
        raise located.error(("extends",), f"circular extends through '{data['extends']}'")
    if len(chain) >= MAX_EXTENDS:
        raise located.error(("extends",), f"a chain of more than {MAX_EXTENDS} files")
    base = read_with_extends(parent, chain)
    base.data.pop("name", None)  # a variant is its own scenario unless it names itself
    merged = merge(base, located)
    merged.data.pop("extends")
    return merged


def named_file(located: Located, key: KeyPath) -> Path:
    """The existing file a value names (`extends:`, `base:`, `evidence_base:`), relative
    to the file that gives it; a located error for a blank, odd or missing name."""
    value = located.data
    for part in key:
        value = value[part]
    if not isinstance(value, str) or not value.strip():
        raise located.error(key, "expected a file name (relative to this file)")
    if len(value) > MAX_PATH_CHARS:
        raise located.error(key, f"a file name has at most {MAX_PATH_CHARS} characters")
    if "\0" in value or not value.isprintable():
        raise located.error(key, "a file name holds no control characters")
    named_in, _ = located.locate(key)
    path = Path(named_in).parent / value
    try:
        os.fsencode(path)
        found = path.is_file()
    except (OSError, UnicodeError, ValueError):
        found = False
    if not found:
        raise located.error(key, f"file not found: '{value}'")
    return path


def has_key(node, key) -> bool:
    if isinstance(node, dict):
        return key in node
    return isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)
