"""The evidence base: the file of stated positions a scenario cites (`evidence_base:`),
each record with its actor, claim and seed file, and the ids a value may cite."""

from __future__ import annotations

import functools
from pathlib import Path

from .fields import Checker
from .located_yaml import KeyPath, named_file, read_located

RECORD_KEYS = {"id", "actor", "claim", "source", "quote"}
MAX_QUOTE_WORDS = 12  # a record says a claim in its own words, quoting a few at most


def cited(check: Checker, path: KeyPath, evidence_ids) -> tuple[str, ...]:
    """The evidence ids a point, link or party value cites at `path` (none when absent)."""
    if not check.has(path):
        return ()
    if evidence_ids is None:
        raise check.fail(path, "evidence ids need an 'evidence_base' file at the top level")
    return check.names(path, evidence_ids, "evidence id")


def evidence_base_ids(check: Checker) -> set[str] | None:
    """Ids of the evidence base's records, or None when the scenario names no base."""
    if not check.has(("evidence_base",)):
        return None
    base_path = named_file(check.located, ("evidence_base",))
    stat = base_path.stat()
    return _evidence_base_ids(str(base_path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _evidence_base_ids(path: str, _mtime_ns: int, _size: int) -> frozenset[str]:
    """The checked record ids of one evidence base file, read once per version of it
    (a sweep builds thousands of scenarios on the same base)."""
    return frozenset(_record_ids(Checker(read_located(Path(path), path))))


def _record_ids(check: Checker) -> set[str]:
    """Check the evidence base's records (id, actor, claim, source file(s), at most a short
    quote) and return their ids."""
    check.mapping((), {"positions"}, {"positions"})
    if not isinstance(check.value(("positions",)), list):
        raise check.fail(("positions",), "expected a list of position records")
    ids = set()
    for index in range(len(check.value(("positions",)))):
        path = ("positions", index)
        check.mapping(path, RECORD_KEYS, RECORD_KEYS - {"quote"})
        record_id = check.text((*path, "id"))
        if record_id in ids:
            raise check.fail((*path, "id"), f"duplicate record id '{record_id}'")
        ids.add(record_id)
        check.text((*path, "actor"))
        check.text((*path, "claim"))
        check.names((*path, "source"), what="seed file name")
        quote = check.text((*path, "quote"), "")
        if len(quote.split()) > MAX_QUOTE_WORDS:
            raise check.fail(
                (*path, "quote"),
                f"quote at most {MAX_QUOTE_WORDS} words; put the rest in your own words in 'claim'",
            )
    return ids
