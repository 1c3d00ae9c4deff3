"""Exact optimisation over every valid text, point by point: a sweep along the links.

Utilities add up point by point, so partial texts (options for the points decided so
far) can be pruned as the points are decided: one beaten by another stays beaten
whatever the open points take, provided both can be completed in the same ways. Links
decide that, so a partial text carries a *state*: for each link between a decided point
and an open one, whether its condition holds (or whether its requirement is met). Partial
texts are compared within a state only, and a link is checked as soon as both its points
are decided. Each connected component of the link graph is swept on its own, in an order
that keeps few links open (greedy), and closes before the next begins: chains, stars and
small clusters of links keep a handful of states; unlinked points come last. Options of
one point that behave alike on every link are pruned against each other first.

The work is about points x states x (partial texts kept per state) x options. Past
STATE_LIMIT states, or past WORK_LIMIT partial texts extended in all (about two seconds),
the sweep raises TooLarge and the caller falls back on integer programming
(`integer.py`). Within the scenario bounds the sweep stays exact for links forming chains
(100 points of 50 options, a link between each two neighbours: 3.6 M extensions, about a
second), stars and clusters of a few points; a hundred points tangled by hundreds of
links are left to the fallback.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..scenario.links import LinkRule
from .problem import Problem

STATE_LIMIT = 20_000  # states of the open points at any step
WORK_LIMIT = 5_000_000  # partial texts extended by an option, all steps together

Prune = Callable[[np.ndarray, np.ndarray], np.ndarray]
# (values (rows, parties), groups (rows,)) -> indices of the rows to keep, compared within
# a group only; a prune may carry `cost`, its time per row against the Pareto prune's


class TooLarge(Exception):
    """The links hold too many points together for the exact sweep."""


@dataclass(frozen=True)
class Step:
    """Deciding one point: which options it may take, which links to check against the
    open points, and the open points' states afterwards (mixed-radix codes)."""

    point: int
    options: np.ndarray  # (K,) the point's allowed options
    kinds: np.ndarray  # (K,) options alike on every link of the point share a kind
    sizes: np.ndarray  # classes of each open point before the step
    places: np.ndarray  # its place value in the state code before the step
    checks: tuple[tuple[int, np.ndarray, np.ndarray], ...]  # per link to an open point:
    # (its index among the open points, does the link bind it (per class), does this
    # option then break the link (per option))
    carried: tuple[tuple[int, np.ndarray, int], ...]  # open points still open after:
    # (index before, new class per old class, place value after)
    opens: tuple[np.ndarray, int] | None  # (class per option, place value) if it opens


@dataclass
class _Open:
    point: int
    classes: np.ndarray  # (width,) class of each option, -1 where not allowed
    representatives: np.ndarray  # (classes,) one option of each class
    place: int = 0


def prepare(problem: Problem, allowed: np.ndarray) -> tuple[np.ndarray, list[LinkRule]]:
    """The allowed options after links on a single point and arc consistency (an option
    whose link no allowed option can satisfy is dropped, to a fixed point), and the links
    between two points."""
    allowed = allowed.copy()
    rules = []
    for a, x, b, ok in problem.space.rules:
        if a == b:
            allowed[a, x] &= x in ok
        else:
            rules.append((a, x, b, ok))
    masks = [_mask(ok, allowed.shape[1]) for *_, ok in rules]
    watching: dict[int, list[int]] = {}
    for index, (a, _, b, _) in enumerate(rules):
        watching.setdefault(a, []).append(index)
        watching.setdefault(b, []).append(index)
    queue = deque(range(len(rules)))
    queued = set(queue)
    while queue:  # AC-3: look again at the links of a point whose options shrank
        index = queue.popleft()
        queued.discard(index)
        (a, x, b, _), ok = rules[index], masks[index]
        shrunk = []
        if allowed[a, x] and not (allowed[b] & ok).any():
            allowed[a, x] = False
            shrunk.append(a)
        elif allowed[a, x] and allowed[a].sum() == 1 and (allowed[b] & ~ok).any():
            allowed[b] &= ok  # a can only take x, so b must keep the link
            shrunk.append(b)
        for point in shrunk:
            for other in watching[point]:
                if other not in queued:
                    queued.add(other)
                    queue.append(other)
    return allowed, rules


def plan(
    allowed: np.ndarray, rules: list[LinkRule], groups: list[list[int]] | None = None
) -> list[Step]:
    """The steps of the sweep over these components of the link graph (default: all of
    them, by `components`), each in greedy order. TooLarge past STATE_LIMIT."""
    n_points, width = allowed.shape
    masks = [_mask(ok, width) for *_, ok in rules]
    touching: list[list[int]] = [[] for _ in range(n_points)]
    for index, (a, _, b, _) in enumerate(rules):
        touching[a].append(index)
        touching[b].append(index)

    def other(index: int, point: int) -> int:
        a, _, b, _ = rules[index]
        return b if point == a else a

    def classes(point: int, indices: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """Each allowed option's class: options answer alike every link listed."""
        options = np.flatnonzero(allowed[point])
        found = np.full(width, -1)
        if not indices:
            found[options] = 0
            return found, options[:1]
        bits = np.stack(
            [
                options == rules[i][1] if rules[i][0] == point else masks[i][options]
                for i in indices
            ],
            axis=1,
        )
        _, first, inverse = np.unique(bits, axis=0, return_index=True, return_inverse=True)
        found[options] = np.ravel(inverse)
        return found, options[first]

    steps = []
    decided = np.zeros(n_points, dtype=bool)
    opened: list[_Open] = []
    for component in components(n_points, rules) if groups is None else groups:
        for point in _greedy_order(component, rules, touching, allowed):
            pending_after = {
                p: [i for i in touching[p] if not decided[other(i, p)] and other(i, p) != point]
                for p in [o.point for o in opened] + [point]
            }
            kinds, _ = classes(point, touching[point])
            options = np.flatnonzero(allowed[point])
            sizes = np.array([len(o.representatives) for o in opened], dtype=np.int64)
            places = np.array([o.place for o in opened], dtype=np.int64)
            checks = []
            for index, o in enumerate(opened):
                for i in touching[point]:
                    if other(i, point) != o.point:
                        continue
                    a, x, _, _ = rules[i]
                    if a == o.point:  # o takes x -> this point must be allowed
                        binds = o.representatives == x
                        breaks = ~masks[i][options]
                    else:  # this point takes x -> o must be allowed
                        binds = ~masks[i][o.representatives]
                        breaks = options == x
                    checks.append((index, binds, breaks))
            after: list[_Open] = []
            carried = []
            for index, o in enumerate(opened):
                if pending_after[o.point]:
                    new, reps = classes(o.point, pending_after[o.point])
                    after.append(_Open(o.point, new, reps))
                    carried.append((index, new[o.representatives]))
            if pending_after[point]:
                new, reps = classes(point, pending_after[point])
                after.append(_Open(point, new, reps))
            place = 1
            for o in after:
                o.place = place
                place *= len(o.representatives)
                if place > STATE_LIMIT:
                    raise TooLarge(
                        f"{len(component)} points joined by links would need more than "
                        f"{STATE_LIMIT} states"
                    )
            opens = None
            if pending_after[point]:
                opens = (after[-1].classes[options], after[-1].place)
            steps.append(
                Step(
                    point=point,
                    options=options,
                    kinds=kinds[options],
                    sizes=sizes,
                    places=places,
                    checks=tuple(checks),
                    carried=tuple(
                        (index, remap, o.place)
                        for (index, remap), o in zip(carried, after, strict=False)
                    ),
                    opens=opens,
                )
            )
            decided[point] = True
            opened = after
    return steps


def run(utility: np.ndarray, steps: list[Step], prune: Prune):
    """Sweep the steps: (sums of the texts kept at the end (rows, parties), history of
    (parent row, option) per step), or None if no valid text exists."""
    sums = np.zeros((1, utility.shape[2]))
    code = np.zeros(1, dtype=np.int64)
    history = []
    work = 0
    for step in steps:
        values = utility[step.point, step.options]
        usable = prune(values, step.kinds)  # an option beaten by a like one is never needed
        options, values = step.options[usable], values[usable]
        work += len(sums) * len(options) * getattr(prune, "cost", 1.0)
        if work > WORK_LIMIT:
            raise TooLarge(f"the exact sweep would extend more than {WORK_LIMIT:,} partial texts")
        classes = [
            (code // place) % size for place, size in zip(step.places, step.sizes, strict=True)
        ]
        valid = np.ones((len(sums), len(options)), dtype=bool)
        for index, binds, breaks in step.checks:
            valid &= ~(binds[classes[index]][:, None] & breaks[usable][None, :])
        after = np.zeros((len(sums), len(options)), dtype=np.int64)
        for index, remap, place in step.carried:
            after += (remap[classes[index]] * place)[:, None]
        if step.opens is not None:
            opens, place = step.opens
            after += (opens[usable] * place)[None, :]
        rows, picks = np.nonzero(valid)
        if len(rows) == 0:
            return None
        merged = sums[rows] + values[picks]
        codes = after[rows, picks]
        keep = prune(merged, codes)
        history.append((rows[keep], options[picks[keep]]))
        sums, code = merged[keep], codes[keep]
    return sums, history


def packages(steps: list[Step], history, rows: np.ndarray, n_points: int) -> np.ndarray:
    """The texts of the given final rows, read back through the history."""
    found = np.zeros((len(rows), n_points), dtype=int)
    for step, (parents, picks) in zip(reversed(steps), reversed(history), strict=True):
        found[:, step.point] = picks[rows]
        rows = parents[rows]
    return found


def optimise(problem: Problem, columns: list[int], allowed: np.ndarray, prune: Prune):
    """(utilities (rows, parties), texts (rows, points)) of the valid texts among
    `allowed` that the prune keeps, or None if there is no valid text. TooLarge when the
    links are too intricate."""
    allowed, rules = prepare(problem, allowed)
    if not allowed.any(axis=1).all():
        return None
    return sweep_points(problem.utility[..., columns], allowed, rules, None, prune)


def sweep_points(utility, allowed, rules, groups, prune):
    """`optimise` over the given components only (texts are zero on the other points)."""
    steps = plan(allowed, rules, groups)
    found = run(utility, steps, prune)
    if found is None:
        return None
    sums, history = found
    return sums, packages(steps, history, np.arange(len(sums)), allowed.shape[0])


def _mask(allowed: frozenset[int], width: int) -> np.ndarray:
    mask = np.zeros(width, dtype=bool)
    mask[sorted(allowed)] = True
    return mask


def components(n_points: int, rules: list[LinkRule]) -> list[list[int]]:
    """Connected components of the link graph, most links first, then each unlinked point
    on its own."""
    parent = list(range(n_points))

    def root(p: int) -> int:
        while parent[p] != p:
            parent[p] = parent[parent[p]]
            p = parent[p]
        return p

    for a, _, b, _ in rules:
        parent[root(a)] = root(b)
    links = [0] * n_points
    for a, _, _, _ in rules:
        links[root(a)] += 1
    groups: dict[int, list[int]] = {}
    for p in range(n_points):
        groups.setdefault(root(p), []).append(p)
    return sorted(groups.values(), key=lambda g: (-links[root(g[0])], g[0]))


def _greedy_order(component, rules, touching, allowed):
    """Points of one component, one at a time, in an order that keeps the open states few:
    each next point (among those linked to the decided ones) is the one after which the
    fewest states remain, estimated as 2 ** (open links) per open point, capped by its
    options. A generator, so that a plan past STATE_LIMIT stops early."""
    if len(component) == 1:
        yield component[0]
        return
    n_allowed = allowed.sum(axis=1)
    between: dict[int, dict[int, int]] = {p: {} for p in component}
    for a, _, b, _ in rules:
        if a in between:  # then b is in the component too
            between[a][b] = between[a].get(b, 0) + 1
            between[b][a] = between[b].get(a, 0) + 1
    pending = {p: len(touching[p]) for p in component}  # links to undecided points
    decided: set[int] = set()
    opened: set[int] = set()

    def bits(point: int, count: int) -> float:
        return 0.0 if count <= 0 else min(count, math.log2(max(int(n_allowed[point]), 1)))

    while len(decided) < len(component):
        near = {q for p in opened for q in between[p] if q not in decided}
        near = near or {p for p in component if p not in decided}
        best = None
        for q in sorted(near):
            # the states' growth if q is decided next: q opens, its neighbours may close
            change = bits(q, pending[q] - sum(n for p, n in between[q].items() if p in decided))
            for p, n in between[q].items():
                if p in opened:
                    change += bits(p, pending[p] - n) - bits(p, pending[p])
            if best is None or change < best[0]:
                best = (change, q)
        q = best[1]
        for p, n in between[q].items():
            if p in decided:
                pending[p] -= n
                pending[q] -= n
        decided.add(q)
        opened = {p for p in (opened | {q}) if pending[p] > 0}
        yield q
