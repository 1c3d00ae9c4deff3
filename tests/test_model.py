"""The negotiation model: end statuses, red lines, links, influence, domestic test."""

from pathlib import Path

import numpy as np
import pytest

import sim
from sim.negotiation.model import NegotiationModel

HERE = Path(__file__).parent
TINY = HERE / "scenarios" / "tiny.yaml"
SCENARIOS = HERE.parent / "scenarios"


def variant(tmp_path, text: str) -> sim.scenario.data.Scenario:
    """tiny.yaml with the given YAML merged on top."""
    path = tmp_path / "variant.yaml"
    path.write_text(f"extends: {TINY.resolve()}\n{text}", encoding="utf-8")
    return sim.load_scenario(path)


def test_tiny_scenario_reaches_agreement_inside_the_zopa():
    result = sim.run(sim.load_scenario(TINY), seed=1)
    outcome = result.outcome
    assert outcome.status == "agreement"
    assert outcome.round < 20
    for party in ("a", "b"):
        assert outcome.utilities[party] >= outcome.reservations[party]
        assert outcome.red_lines_crossed[party] == []
    assert "accepted" in outcome.reason


def test_no_deal_when_reservations_leave_no_common_text(tmp_path):
    scenario = variant(tmp_path, "parties: {a: {reservation: 0.75}, b: {reservation: 0.75}}")
    outcome = sim.run(scenario, seed=1).outcome
    assert outcome.status == "no_deal"
    assert outcome.round == scenario.deadline
    assert "deadline" in outcome.reason


def test_walkout_when_no_deal_beats_every_valid_text(tmp_path):
    # a's red line on the west line leaves it 0.75 at best
    scenario = variant(
        tmp_path,
        (
            "protocol: {walkout_rounds: 2}\n"
            "parties: {a: {reservation: 0.9, batna_drift: {trend: 0.05},"
            " red_lines: {border: [west, east]}}}\n"
        ),
    )
    result = sim.run(scenario, seed=1)
    outcome = result.outcome
    assert outcome.status == "walkout"
    assert outcome.ended_by == "a"
    assert "walked out" in outcome.reason
    best = result.model.best_attainable[0]
    rows = result.rounds[result.rounds.party == "a"]
    hopeless = (rows.reservation > best).to_numpy()
    assert hopeless[-2:].all() and outcome.round == len(rows)
    assert "(0.75) stayed below what no deal is worth to it (1.00)" in outcome.reason


def test_no_walkout_when_no_deal_is_worth_exactly_the_best_text(tmp_path):
    """a's best text is worth 1 in decimal (0.9999999999999999 in floating point) and its
    reservation value drifts up to 1: no deal is not worth more than that text."""
    scenario = variant(
        tmp_path,
        (
            "protocol: {walkout_rounds: 2}\n"
            "parties: {a: {reservation: 0.9, batna_drift: {trend: 0.05}}}\n"
        ),
    )
    result = sim.run(scenario, seed=1)
    assert result.model.best_attainable[0] != 1.0  # the rounding this test is about
    assert result.outcome.status == "no_deal"
    assert "walked out" not in result.outcome.reason


def test_escalation_when_a_threatened_red_line_stays_in_the_text(tmp_path):
    scenario = variant(
        tmp_path,
        (
            "protocol: {fixed: {troops: force}}\n"
            "parties: {b: {escalation: {points: [troops], rounds: 2}}}\n"
        ),
    )
    outcome = sim.run(scenario, seed=1).outcome
    assert outcome.status == "escalation"
    assert outcome.round == 2
    assert outcome.ended_by == "b"
    assert "Armed force" in outcome.reason
    assert outcome.package["troops"] == "force"


def test_same_seed_same_run_and_seeds_matter():
    scenario = sim.load_scenario(SCENARIOS / "baseline.yaml")
    first, again = sim.run(scenario, seed=7), sim.run(scenario, seed=7)
    assert first.outcome == again.outcome
    assert first.rounds.equals(again.rounds)
    others = {tuple(sim.run(scenario, seed=s).rounds.reservation.round(9)) for s in range(3)}
    assert len(others) == 3


@pytest.mark.parametrize(
    "name", ["baseline", "strong_us_pressure", "europe_united", "peacekeepers_in_text"]
)
@pytest.mark.parametrize("protocol", ["mediated", "alternating"])
def test_no_agreement_crosses_a_red_line_or_a_reservation_value(name, protocol):
    scenario = sim.load_scenario(SCENARIOS / f"{name}.yaml", [f"protocol.name={protocol}"])
    seeds = range(1, 51) if protocol == "mediated" else range(1, 11)
    for seed in seeds:
        result = sim.run(scenario, seed=seed)
        model, outcome = result.model, result.outcome
        for text in result.rounds.drop_duplicates("round")[model.point_ids].to_numpy():
            package = np.array(
                [p.option_index(o) for p, o in zip(scenario.points, text, strict=True)]
            )
            assert model.space.is_valid(package), "a text broke a link"
        if outcome.status != "agreement":
            continue
        for party in scenario.signatories:
            assert outcome.red_lines_crossed[party.id] == []
            assert outcome.utilities[party.id] >= outcome.reservations[party.id]
        for negotiator in model.ratifiers:
            assert negotiator.ratifies(model.text)


def test_red_line_points_come_first_among_objections(tmp_path):
    scenario = variant(tmp_path, "protocol: {start: {border: east}}\n")
    model = NegotiationModel(scenario, 1)
    model.step()
    a = model.negotiators["a"]
    text = model.text.copy()
    text[0] = 2  # border: east, across a's red line
    model.text_crossings = model.red[model.rows, text]
    model.text_utilities = sim.negotiation.text_search.utilities(model.table, text)
    a.evaluate()
    a.respond(text)
    assert not a.accepted
    assert a.why.startswith("red line on border")
    assert a.objections[0] == "border"


def test_pressure_bites_only_on_a_rejecting_target_and_support_always(tmp_path):
    scenario = variant(
        tmp_path,
        (
            "parties:\n"
            "  m:\n"
            "    influence:\n"
            "      a: {kind: pressure, strength: 0.05}\n"
            "      b: {kind: support, strength: 0.02, cost: 0.01}\n"
        ),
    )
    model = NegotiationModel(scenario, 1)
    a, b, m = (model.negotiators[k] for k in "abm")
    m.exert_influence()  # round 0: nobody has rejected yet
    assert a.reservation == pytest.approx(0.3)
    assert b.reservation == pytest.approx(0.32)
    assert m.influence_cost == pytest.approx(0.01)
    model.steps = 2
    a.accepted = False
    m.exert_influence()
    assert a.reservation == pytest.approx(0.25)
    a.accepted, a.reservation = True, 0.3
    m.exert_influence()
    assert a.reservation == pytest.approx(0.3)


def test_pressure_on_concession_speeds_the_targets_aspiration_fall(tmp_path):
    scenario = variant(
        tmp_path,
        (
            "parties: {m: {influence: {a: {kind: pressure, strength: 0.1, channel: concession,"
            " while_rejecting: false}}}}\n"
        ),
    )
    model = NegotiationModel(scenario, 1)
    model.step()
    a, b = model.negotiators["a"], model.negotiators["b"]
    assert a.time_boost == pytest.approx(0.1)
    assert a.aspiration < b.aspiration


def test_domestic_ratification_blocks_a_text_the_body_rejects(tmp_path):
    scenario = variant(
        tmp_path,
        (
            "parties:\n"
            "  a:\n"
            "    domestic:\n"
            "      body: referendum\n"
            "      points: [border]\n"
            "      threshold: 0.6\n"
            "      events: [{round: 3, shift: 0.3, why: an election}]\n"
        ),
    )
    model = NegotiationModel(scenario, 1)
    a = model.negotiators["a"]
    west, middle = np.array([0, 0, 0]), np.array([1, 0, 0])
    model.steps = 1
    assert a.ratifies(west) and not a.ratifies(middle)  # border values 1.0 and 0.5
    model.steps = 3
    assert model.ratification_threshold(a) == pytest.approx(0.9)
    assert a.ratifies(west)
    for seed in range(1, 6):
        rounds = sim.run(scenario, seed=seed).rounds
        accepted = rounds[(rounds.party == "a") & rounds.accepted & (rounds["round"] >= 3)]
        assert (accepted.border == "west").all()
        refused = rounds[
            (rounds.party == "a") & (rounds.why == "the referendum would not ratify it")
        ]
        assert (refused.border != "west").all()


def test_links_are_kept_in_every_text(tmp_path):
    scenario = variant(
        tmp_path, ("links:\n  - if: {troops: monitors}\n    then: {money: [lots]}\n")
    )
    for seed in range(1, 6):
        result = sim.run(scenario, seed=seed)
        texts = result.rounds.drop_duplicates("round")
        assert not ((texts.troops == "monitors") & (texts.money != "lots")).any()


def test_variants_shift_the_outcome_mix_as_documented():
    def mix(name):
        scenario = sim.load_scenario(SCENARIOS / f"{name}.yaml")
        outcomes = [sim.run(scenario, seed=seed).outcome for seed in range(1, 31)]
        agreements = [o for o in outcomes if o.status == "agreement"]
        ukraine = sum(o.utilities["ukraine"] for o in agreements) / max(len(agreements), 1)
        return {o.status for o in outcomes}, len(agreements), ukraine

    _, baseline, ukraine_base = mix("baseline")
    _, pressed, ukraine_pressed = mix("strong_us_pressure")
    _, united, ukraine_united = mix("europe_united")
    statuses, _, _ = mix("peacekeepers_in_text")
    assert pressed > baseline > united > 0
    assert ukraine_pressed < ukraine_base < ukraine_united
    assert statuses == {"escalation"}


def test_a_finished_run_is_freed_once_dropped():
    import gc
    import weakref

    result = sim.run(sim.load_scenario(TINY), seed=1)
    model = weakref.ref(result.model)
    del result
    gc.collect()
    assert model() is None  # nothing (such as Mesa 3.3's agent id counters) keeps it
