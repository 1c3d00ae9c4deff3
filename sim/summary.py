"""Plain-text summary of a run for the terminal."""

from __future__ import annotations

from .outcome import Outcome
from .scenario import Scenario


def summary(outcome: Outcome, scenario: Scenario) -> str:
    """Status, round, reason, each party's utility against its reservation, and the text."""
    lines = [
        f"{scenario.title or scenario.name}: {outcome.status.upper()} in round "
        f"{outcome.round} (seed {outcome.seed}, {outcome.protocol} protocol)",
        f"  {outcome.reason}",
        "",
        "  party                utility  reservation",
    ]
    for party in scenario.parties:
        utility, reservation = outcome.utilities[party.id], outcome.reservations[party.id]
        mark = "" if not party.is_signatory else ("  below!" if utility < reservation else "")
        lines.append(
            f"  {party.name[:20]:<20} {utility:7.3f}  {reservation:11.3f}  ({party.role}){mark}"
        )
    lines += ["", "  the final text:" if outcome.status == "agreement" else "  the last text:"]
    for number, point in enumerate(scenario.points, start=1):
        option = point.options[point.option_index(outcome.package[point.id])]
        lines.append(f"  {number:2d}. {point.title[:38]:<38} {option.label}")
    return "\n".join(lines)
