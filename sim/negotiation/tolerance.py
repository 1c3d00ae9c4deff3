"""When a utility reaches a threshold: one tolerance for every verdict, and numbers shown
so that a reader can see why.

Utilities are sums of at most MAX_POINTS products of numbers written in decimal, and
binary floating point rounds each term: 0.5 * 0.7 + 0.5 * 0.834 is 0.7669999999999999,
not 0.767. Every utility-versus-threshold test (acceptance against the reservation value
and the aspiration, the ratification test, the walkout test, the ZOPA, the frontier's
ties, the bargaining solutions) goes through `at_least` / `below`, so that a text worth
a threshold in decimal meets it everywhere. TOLERANCE = 1e-9 is far above the rounding
of such sums (100 terms of at most 1 each: below 1e-13) and far below any difference
a scenario means (its numbers are written with a few decimals, reports show 2 to 4).
"""

from __future__ import annotations

TOLERANCE = 1e-9  # utilities closer than this are equal
MAX_DECIMALS = 10  # enough to show two numbers apart once they differ by TOLERANCE


def at_least(utility, threshold):
    """utility >= threshold within TOLERANCE (numbers or numpy arrays)."""
    return utility >= threshold - TOLERANCE


def below(utility, threshold):
    """utility < threshold by more than TOLERANCE: exactly `not at_least`."""
    return utility < threshold - TOLERANCE


def same(a: float, b: float) -> bool:
    return abs(a - b) <= TOLERANCE


def apart(value: float, threshold: float, decimals: int = 2) -> tuple[str, str]:
    """Both numbers with `decimals` decimals, or with as many more as it takes to tell them
    apart (0.7672 and 0.767 as '0.7672', '0.7670'); numbers equal within TOLERANCE are
    both shown as the threshold is, so that no sentence reads '0.77 below 0.77'."""
    if same(value, threshold):
        shown = f"{threshold:.{decimals}f}"
        return shown, shown
    while decimals < MAX_DECIMALS and f"{value:.{decimals}f}" == f"{threshold:.{decimals}f}":
        decimals += 1
    return f"{value:.{decimals}f}", f"{threshold:.{decimals}f}"
