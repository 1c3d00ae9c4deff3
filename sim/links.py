"""Link satisfaction in plain Python: find a valid text near a given one.

A link (a, x, b, allowed) says: if point a takes option x, point b must take an option in
`allowed`. Kept free of numpy so that `negsim validate` can check links quickly.
"""

from __future__ import annotations

from collections.abc import Sequence

LinkRule = tuple[int, int, int, frozenset[int]]


def breaks(rule: LinkRule, text: Sequence[int]) -> bool:
    a, x, b, allowed = rule
    return text[a] == x and text[b] not in allowed


def nearest_valid(
    text: Sequence[int], choices: Sequence[Sequence[int]], rules: Sequence[LinkRule]
) -> list[int] | None:
    """A text that breaks no rule, keeping `text` where possible: backtracking over the
    linked points only, each trying its options in the order `choices` gives (the current
    option should come first). None if no valid text exists."""
    text = list(text)
    linked = sorted({p for a, _, b, _ in rules for p in (a, b)})
    position = {point: index for index, point in enumerate(linked)}

    def consistent(depth: int) -> bool:
        # check only the rules whose points are both decided (unlinked points are fixed)
        return not any(
            breaks(rule, text)
            for rule in rules
            if position[rule[0]] <= depth and position[rule[2]] <= depth
        )

    def assign(depth: int) -> bool:
        if depth == len(linked):
            return True
        point = linked[depth]
        for option in choices[point]:
            text[point] = option
            if consistent(depth) and assign(depth + 1):
                return True
        return False

    return text if assign(0) else None
