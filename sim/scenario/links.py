"""Link satisfaction in plain Python: find a valid text near a given one.

A link (a, x, b, allowed) says: if point a takes option x, point b must take an option in
`allowed`. Kept free of numpy so that `negsim validate` can check links quickly.

Links can encode graph colouring, so deciding whether a valid text exists is NP-hard in
general; arc consistency (polynomial) first removes every option that no valid text can
hold, which settles chains and plain contradictions at once, and a depth-first search
with forward checking, bounded by `max_steps`, does the rest.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

LinkRule = tuple[int, int, int, frozenset[int]]


class TooIntricate(Exception):
    """The search for a valid text took more than its step bound."""


def breaks(rule: LinkRule, text: Sequence[int]) -> bool:
    a, x, b, allowed = rule
    return text[a] == x and text[b] not in allowed


def nearest_valid(
    text: Sequence[int],
    choices: Sequence[Sequence[int]],
    rules: Sequence[LinkRule],
    max_steps: int | None = None,
) -> list[int] | None:
    """A text that breaks no rule, keeping `text` where possible: the first valid text in
    the order that `choices` gives each linked point's options (the current option should
    come first), points taken in index order. None if no valid text exists; TooIntricate
    past `max_steps` assignments."""
    text = list(text)
    if not any(breaks(rule, text) for rule in rules):
        return text
    linked = sorted({p for a, _, b, _ in rules for p in (a, b)})
    kept = _consistent_options(tuple(rules), tuple(frozenset(choices[p]) for p in linked))
    if kept is None:
        return None
    domains = {
        p: [o for o in choices[p] if o in keep] for p, keep in zip(linked, kept, strict=True)
    }
    by_point: dict[int, list[LinkRule]] = {point: [] for point in linked}
    for rule in rules:
        by_point[rule[0]].append(rule)
        by_point[rule[2]].append(rule)
    steps = 0

    def assign(depth: int, domains: dict[int, list[int]]) -> bool:
        nonlocal steps
        if depth == len(linked):
            return True
        point = linked[depth]
        for option in domains[point]:
            steps += 1
            if max_steps is not None and steps > max_steps:
                raise TooIntricate
            text[point] = option
            narrowed = _forward(point, option, domains, by_point[point], linked[depth + 1 :])
            if narrowed is not None and assign(depth + 1, narrowed):
                return True
        return False

    return text if assign(0, domains) else None


@functools.lru_cache(maxsize=32)
def _consistent_options(rules: tuple, choices: tuple) -> tuple[frozenset[int], ...] | None:
    """The options of each linked point (in index order) that arc consistency keeps, or
    None: the same for any order of the choices, so one call serves every repair of a
    run (the mediator repairs many texts with the same choices)."""
    linked = sorted({p for a, _, b, _ in rules for p in (a, b)})
    domains = {p: sorted(options) for p, options in zip(linked, choices, strict=True)}
    if not _arc_consistent(domains, rules):
        return None
    return tuple(frozenset(domains[p]) for p in linked)


def _arc_consistent(domains: dict[int, list[int]], rules: Sequence[LinkRule]) -> bool:
    """Remove, to a fixed point, options that some rule leaves without support (AC-3);
    False if a point is left with none. Keeps each domain's order.

    A rule (a, x, b, allowed) supports every option of a but x, and x only while b can
    still take an allowed option; it supports b's allowed options, and the others only
    while a can still take something other than x."""
    for a, x, b, allowed in rules:
        if a == b:  # a rule on one point forbids its condition outside `allowed`
            domains[a] = [o for o in domains[a] if o != x or o in allowed]
    watching: dict[int, list[int]] = {}
    for index, (a, _, b, _) in enumerate(rules):
        if a != b:
            watching.setdefault(a, []).append(index)
            watching.setdefault(b, []).append(index)
    pending = [index for indices in watching.values() for index in indices]
    queued = set(pending)
    while pending:
        index = pending.pop()
        queued.discard(index)
        a, x, b, allowed = rules[index]
        changed = []
        if x in domains[a] and not any(o in allowed for o in domains[b]):
            domains[a] = [o for o in domains[a] if o != x]
            changed.append(a)
        if domains[a] == [x] and any(o not in allowed for o in domains[b]):
            domains[b] = [o for o in domains[b] if o in allowed]
            changed.append(b)
        for point in changed:
            if not domains[point]:
                return False
            for watcher in watching[point]:
                if watcher not in queued:
                    queued.add(watcher)
                    pending.append(watcher)
    return True


def _forward(point, option, domains, rules, later) -> dict[int, list[int]] | None:
    """The domains once `point` takes `option`: each of its rules whose other end is still
    undecided prunes that end (options that the earlier points ruled out are already gone,
    so the text so far keeps every rule). None if a later point is left with none."""
    undecided = set(later)
    narrowed = dict(domains)
    for a, x, b, allowed in rules:
        if a == point and option == x and b in undecided:
            narrowed[b] = [o for o in narrowed[b] if o in allowed]
            if not narrowed[b]:
                return None
        elif b == point and option not in allowed and a in undecided:
            narrowed[a] = [o for o in narrowed[a] if o != x]
            if not narrowed[a]:
                return None
    return narrowed
