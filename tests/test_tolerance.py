"""One tolerance for every utility-versus-threshold verdict (issue 9, item 8).

A text worth exactly a party's reservation value, or a ratifying body's threshold, in
decimal may be worth one ulp less in binary floating point (0.5 * 0.7 + 0.5 * 0.834 is
0.7669999999999999). It must count as reaching the threshold everywhere: the ZOPA, the
bargaining solutions, the ratification test, acceptance and the walkout test of a run,
and the summary's marks; and a number shown beside a threshold it falls short of must
never look equal to it.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

import sim
from sim.analysis import Problem, analyze, run_efficiency, zopa
from sim.analysis.zopa import ratified
from sim.negotiation.tolerance import TOLERANCE, apart, at_least, below
from sim.reporting.terminal_summary import summary
from sim.scenario.data import Domestic, Option, Party, Point, Protocol, Scenario

HERE = Path(__file__).parent
EXACT = HERE / "scenarios" / "exact_reservation.yaml"
THOUSANDTHS = st.integers(100, 1000)
UNIT = st.floats(0, 1)


def decimal_half_sum(first: int, second: int) -> float:
    """(first + second) / 2000, rounded once from the exact decimal."""
    return float(Decimal(first + second) / Decimal(2000))


def at_threshold(west: tuple[int, int], east: tuple[int, int]) -> Scenario:
    """Two points of two options. West values (firm, firm) at the mean of its two values
    in thousandths, and that is its reservation value in decimal; it values every other
    text below it. East's referendum judges both points and needs exactly what East
    values (firm, firm) at. East prefers the soft options but gains from any text."""

    def party(pid: str, name: str, firm: tuple[int, int], soft: float, **extra) -> Party:
        return Party(
            id=pid,
            name=name,
            role="signatory",
            salience=(0.5, 0.5),
            values=((firm[0] / 1000, soft), (firm[1] / 1000, soft)),
            red_lines=(),
            **extra,
        )

    options = (Option("firm", "Firm", 0.0), Option("soft", "Soft", 1.0))
    return Scenario(
        name="at_threshold",
        title="",
        points=(Point("border", "Border", options), Point("aid", "Aid", options)),
        parties=(
            party("west", "West", west, 0.0, reservation=decimal_half_sum(*west)),
            party(
                "east",
                "East",
                east,
                1.0,
                reservation=0.0,
                domestic=Domestic("referendum", ("border", "aid"), decimal_half_sum(*east)),
            ),
            Party("broker", "Broker", "mediator", (0.5, 0.5), ((0.5, 0.5), (0.5, 0.5)), (), 0.0),
        ),
        protocol=Protocol(mediator="broker"),
        deadline=8,
        seed=1,
    )


@settings(max_examples=40, deadline=None)
@given(THOUSANDTHS, THOUSANDTHS, THOUSANDTHS, THOUSANDTHS)
@example(700, 834, 410, 690)  # 0.7669999999999999 and 0.5499999999999999 in floating point
@example(150, 950, 940, 160)
def test_a_text_worth_a_threshold_in_decimal_reaches_it_everywhere(w1, w2, e1, e2):
    scenario = at_threshold((w1, w2), (e1, e2))
    problem = Problem.from_scenario(scenario)
    firm = np.array([0, 0])
    assert at_least(problem.utilities(firm, [0])[0], problem.reservations[0])

    found = zopa(problem)
    assert found.exists and found.witness.tolist() == [0, 0]
    assert ratified(problem, firm) == {"east": True}
    analysis = analyze(problem)
    assert analysis["ks"]["package"] == {"border": "firm", "aid": "firm"}
    assert analysis["ks"]["ratified"] == {"east": True}
    assert analysis["nash"]["package"] is None  # West gains nothing: no positive product

    result = sim.run(scenario)
    assert result.outcome.status == "agreement"
    assert result.outcome.package == {"border": "firm", "aid": "firm"}
    assert run_efficiency(result)["dominated"] is False
    assert "below!" not in summary(result.outcome, scenario, run_efficiency(result))
    reasons = set(result.rounds["why"])
    assert "below its reservation value" not in reasons
    assert "the referendum would not ratify it" not in reasons


def test_the_issue_scenario_has_a_zopa_and_ends_in_agreement():
    """Before: 'ZOPA: NO' while the KS package was that very text, and a walkout because
    'best possible text (0.77) stayed below what no deal is worth to it (0.77)'."""
    scenario = sim.load_scenario(EXACT)
    problem = Problem.from_scenario(scenario)
    assert problem.utilities(np.array([0, 0]), [0])[0] == 0.7669999999999999
    assert zopa(problem).exists
    result = sim.run(scenario)
    assert result.outcome.status == "agreement"


@settings(max_examples=300)
@given(UNIT, UNIT)
@example(0.7669999999999999, 0.767)
@example(0.7665, 0.767)
@example(0.5499999999999999, 0.55)
@example(0.767 - 2 * TOLERANCE, 0.767)
def test_a_number_shown_below_a_threshold_never_looks_equal_to_it(value, threshold):
    shown, needed = apart(value, threshold)
    assert below(value, threshold) != at_least(value, threshold)
    if below(value, threshold):
        assert shown != needed
        assert float(shown) < float(needed)
    if abs(value - threshold) <= TOLERANCE:
        assert shown == needed


def test_shown_numbers_take_the_decimals_they_need_and_no_more():
    assert apart(0.7669999999999999, 0.767) == ("0.77", "0.77")
    assert apart(0.7665, 0.767) == ("0.766", "0.767")
    assert apart(0.7672, 0.767) == ("0.7672", "0.7670")
    assert apart(0.52, 0.61, 3) == ("0.520", "0.610")
    assert apart(0.76499999999, 0.765) == ("0.77", "0.77")  # equal ones round alike
