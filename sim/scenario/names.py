"""Ids and names: what a point, option or party id and a scenario or sweep name may hold.

Ids are joined into dotted paths (`parties.ukraine.reservation`) and table cells, and
names become folder names under `--out`, so both are slugs: letters, digits, `_` and `-`
(names may also hold `.` after the first character). Nothing else can escape a folder or
break a separator.
"""

from __future__ import annotations

import re

from .limits import MAX_ID_CHARS

ID_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def id_problem(text: str) -> str | None:
    """Why `text` is not a valid id, or None."""
    return _problem(text, ID_PATTERN, "an id", "letters, digits, '_' and '-'")


def name_problem(text: str) -> str | None:
    """Why `text` is not a valid scenario or sweep name (a folder name), or None."""
    return _problem(text, NAME_PATTERN, "a name", "letters, digits, '_', '-' and '.' (not first)")


def folder_name(text: str) -> str:
    """A safe folder name made from free text such as a file's stem: every run of other
    characters becomes '_' (`my scenario (2)` -> `my_scenario_2_`)."""
    slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", text).lstrip(".-")[:MAX_ID_CHARS]
    return slug or "scenario"


def _problem(text: str, pattern: re.Pattern, what: str, allowed: str) -> str | None:
    if len(text) > MAX_ID_CHARS:
        return f"{what} has at most {MAX_ID_CHARS} characters, got {len(text)}"
    if not pattern.fullmatch(text):
        shown = text if text.isprintable() else repr(text)
        return f"{what} holds only {allowed}, got '{shown}'"
    return None
