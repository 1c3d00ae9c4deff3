"""Plain-text summary of a run for the terminal."""

from __future__ import annotations

from ..negotiation.outcome import Outcome
from ..negotiation.tolerance import apart, below
from ..scenario.data import Scenario


def summary(outcome: Outcome, scenario: Scenario, efficiency: dict | None = None) -> str:
    """Status, round, reason, each party's utility against its reservation, the text, and
    how efficient it is."""
    lines = [
        f"{scenario.title or scenario.name}: {outcome.status.upper()} in round "
        f"{outcome.round} (seed {outcome.seed}, {outcome.protocol} protocol)",
        f"  {outcome.reason}",
        "",
        "  party                utility  reservation",
    ]
    for party in scenario.parties:
        utility, reservation = outcome.utilities[party.id], outcome.reservations[party.id]
        mark = "  below!" if party.is_signatory and below(utility, reservation) else ""
        shown, worth = apart(utility, reservation, 3)
        lines.append(f"  {party.name[:20]:<20} {shown:>7}  {worth:>11}  ({party.role}){mark}")
    lines += ["", "  the final text:" if outcome.status == "agreement" else "  the last text:"]
    for number, point in enumerate(scenario.points, start=1):
        option = point.options[point.option_index(outcome.package[point.id])]
        lines.append(f"  {number:2d}. {point.title[:38]:<38} {option.label}")
    if efficiency is not None:
        lines += ["", "  " + efficiency_line(efficiency, scenario)]
    return "\n".join(lines)


def efficiency_line(efficiency: dict, scenario: Scenario) -> str:
    verdict = (
        "Pareto-dominated: another text is better for"
        if efficiency["dominated"]
        else ("Pareto-efficient for")
    )
    exact = "" if efficiency["exact"] else " (approximate)"
    share = efficiency["nash_share"]
    nash = "no Nash package" if share is None else f"Nash product {share:.0%} of the maximum"
    names = " and ".join(scenario.party(p).name for p in efficiency["parties"])
    return f"efficiency: {verdict} {names}{exact}; {nash}"


def analysis_summary(analysis: dict, scenario: Scenario) -> str:
    """The ZOPA verdict, the frontier's size and ends, the Nash and KS packages."""
    zopa, pareto = analysis["zopa"], analysis["pareto"]
    names = {p.id: p.name for p in scenario.parties}
    a, b = pareto["parties"]
    lines = [
        f"{scenario.title or scenario.name}: analysis",
        f"  ZOPA: {'yes' if zopa['exists'] else 'NO'} - {zopa['reason']}",
        f"  Pareto frontier of {names[a]} and {names[b]}: {len(pareto['points'])} texts",
    ]
    if pareto["points"]:
        best_a, best_b = pareto["points"][0], pareto["points"][-1]
        lines.append(
            f"    from ({best_a[0]:.3f}, {best_a[1]:.3f}) to ({best_b[0]:.3f}, "
            f"{best_b[1]:.3f}); reservation values {pareto['reservations'][a]:.2f}, "
            f"{pareto['reservations'][b]:.2f}"
        )
    for key, title in (("nash", "Nash package"), ("ks", "Kalai-Smorodinsky package")):
        found = analysis[key]
        if found["package"] is None:
            lines.append(f"  {title}: none (no text gives both a gain)")
            continue
        u = found["utilities"]
        lines.append(f"  {title}: {names[a]} {u[a]:.3f}, {names[b]} {u[b]:.3f}")
        for point in scenario.points:
            option = point.options[point.option_index(found["package"][point.id])]
            lines.append(f"      {point.title[:36]:<36} {option.label}")
        for party, passes in (found["ratified"] or {}).items():
            if not passes:
                lines.append(f"    ({names[party]}'s ratifying body would not pass it)")
    return "\n".join(lines)
