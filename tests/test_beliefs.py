"""A mediator that listens (issue 11): beliefs move as a Bayesian posterior would, only from
what parties say, and a listening mediator finds the one acceptable text of a thin ZOPA."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm

import sim
from sim.negotiation.beliefs import VERDICT_SD
from sim.negotiation.model import NegotiationModel

SCENARIOS = Path(__file__).parent / "scenarios"
THIN = {"margin 0.01": SCENARIOS / "thin_zopa.yaml", "margin 0": SCENARIOS / "thin_zopa_tight.yaml"}
ACCEPTABLE = {"border": "middle", "troops": "peacekeepers", "aid": "loans", "timing": "open_ended"}
SEEDS = range(1, 51)


def model(noise=0.05, **settings) -> NegotiationModel:
    overrides = {"protocol.belief_noise": noise, **settings}
    return NegotiationModel(sim.load_scenario(THIN["margin 0.01"], overrides), seed=1)


def reached(path: Path, overrides: dict, seed: int) -> bool:
    """Did the run end in agreement on the scenario's one acceptable text?"""
    result = sim.run(sim.load_scenario(path, overrides), seed=seed)
    return result.outcome.status == "agreement" and result.outcome.package == ACCEPTABLE


# -- the update is the moment-matched posterior ----------------------------------------------


def posterior_by_quadrature(prior_means, prior_sds, coefficients, bound, holds):
    """Mean and variance of each value under prior x probit likelihood, by brute force on a
    grid (the oracle for the closed-form update)."""
    axes = [
        np.linspace(m - 8 * s, m + 8 * s, 801) for m, s in zip(prior_means, prior_sds, strict=True)
    ]
    grid = np.meshgrid(*axes, indexing="ij")
    density = np.ones_like(grid[0])
    for x, m, s in zip(grid, prior_means, prior_sds, strict=True):
        density *= norm.pdf(x, m, s)
    margin = sum(c * x for c, x in zip(coefficients, grid, strict=True)) - bound
    density *= norm.cdf((margin if holds else -margin) / VERDICT_SD)
    density /= density.sum()
    means = [float((x * density).sum()) for x in grid]
    variances = [float(((x - m) ** 2 * density).sum()) for x, m in zip(grid, means, strict=True)]
    return np.array(means), np.array(variances)


@settings(max_examples=25, deadline=None)
@given(
    surprise=st.floats(-3, 3),
    holds=st.booleans(),
    weights=st.tuples(st.floats(0.2, 1.0), st.floats(-1.0, 1.0)),
    noise=st.floats(0.02, 0.15),
)
def test_one_verdict_moves_a_belief_to_the_moment_matched_posterior(
    surprise, holds, weights, noise
):
    beliefs = model(noise).beliefs
    party, listener = 1, 2  # b, as the mediator hears it
    points, options = np.array([0, 1]), np.array([1, 2])
    means = beliefs.mean[party, listener, points, options].copy()
    sds = np.sqrt(beliefs.variance[party, listener, points, options])
    spread = np.sqrt((np.array(weights) ** 2 * sds**2).sum())
    bound = float(np.dot(weights, means) + surprise * spread)  # within 3 sds of the belief
    beliefs.learn(
        np.array([party]), points[None], options[None], np.array([weights]), [bound], [holds]
    )
    expected_means, expected_variances = posterior_by_quadrature(means, sds, weights, bound, holds)
    # factorised: each value keeps its own Gaussian, moved to the posterior's marginal moments
    grid_step = 16 * sds.max() / 800  # the oracle is good to a fraction of its grid step
    found = beliefs.mean[party, listener, points, options]
    assert found == pytest.approx(expected_means, abs=0.05 * grid_step)
    assert beliefs.variance[party, listener, points, options] == pytest.approx(
        expected_variances, rel=0.02, abs=1e-7
    )


def test_a_party_knows_its_own_values_and_nobody_learns_without_noise():
    noisy, exact = model(0.05), model(0.0)
    parties = np.arange(noisy.beliefs.mean.shape[0])
    assert not noisy.beliefs.variance[parties, parties].any()  # its own values are certain
    options = noisy.space.exists
    assert noisy.beliefs.variance[1, 0][options].all()  # a's belief about b's values is not
    before = exact.beliefs.tables.copy()
    text = exact.text
    exact.beliefs.hear(text, [(1, "reservation", 0, (0.9, None))])
    assert (exact.beliefs.tables == before).all()


@pytest.mark.parametrize("verdict", ["accept", "aspiration", "reservation"])
def test_a_verdict_moves_the_believed_utility_of_its_text_the_way_it_says(verdict):
    m = model(0.1)
    mediator, party = m.mediator.row, 1
    before, spread = m.beliefs.of_text(mediator, m.text)
    reservation = float(before[party])  # the belief sits exactly on the threshold
    m.beliefs.hear(m.text, [(party, verdict, None, (reservation, None))])
    after, narrower = m.beliefs.of_text(mediator, m.text)
    if verdict == "reservation":
        assert after[party] < before[party]
    else:
        assert after[party] > before[party]
    assert narrower[party] < spread[party]
    assert after[0] == before[0]  # another party's values are untouched


def test_learning_off_is_a_mediator_that_never_listens():
    deaf = NegotiationModel(sim.load_scenario(THIN["margin 0.01"], {"protocol.learning": False}), 3)
    start = deaf.beliefs.tables.copy()
    while deaf.running:
        deaf.step()
    assert (deaf.beliefs.tables == start).all()
    listening = NegotiationModel(sim.load_scenario(THIN["margin 0.01"]), 3)
    while listening.running:
        listening.step()
    assert not (listening.beliefs.tables == start).all()


def test_what_the_mediator_believes_closes_on_the_truth():
    """Over seeds, the mediator's error about the signatories' utility of the standing text
    is smaller in the last rounds than in the first, with learning on; not with it off."""

    def error(learning: bool, rounds: slice) -> float:
        gaps = []
        for seed in range(1, 21):
            scenario = sim.load_scenario(THIN["margin 0.01"], {"protocol.learning": learning})
            table = sim.run(scenario, seed=seed).rounds
            table = table[table.party.isin(["a", "b"])]
            picked = table[table["round"].isin(range(60)[rounds])]
            gaps.append((picked.believed_utility - picked.utility).abs().mean())
        return float(np.mean(gaps))

    late = error(True, slice(50, 60))
    assert late < 0.85 * error(True, slice(1, 4))
    assert late < 0.75 * error(False, slice(50, 60))


# -- the thin ZOPA: the acceptance figures of issue 11 ---------------------------------------


@pytest.mark.parametrize("noise", [0.05, 0.1])
@pytest.mark.parametrize("case", list(THIN))
def test_a_listening_mediator_finds_the_one_acceptable_text(case, noise):
    listening = sum(reached(THIN[case], {"protocol.belief_noise": noise}, s) for s in SEEDS)
    deaf = sum(
        reached(THIN[case], {"protocol.belief_noise": noise, "protocol.learning": False}, s)
        for s in SEEDS
    )
    assert listening >= 0.9 * len(SEEDS)
    assert deaf < listening


def test_exploration_is_what_finds_it_when_beliefs_start_far_off():
    """Without the benefit of the doubt the listening mediator settles on a text it
    believes best and is stuck there more often."""
    path, noisy = THIN["margin 0.01"], {"protocol.belief_noise": 0.1}
    bold = sum(reached(path, noisy, s) for s in SEEDS)
    timid = sum(reached(path, {**noisy, "protocol.exploration": 0}, s) for s in SEEDS)
    assert timid < bold


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("protocol.learning", "sometimes", "expected true or false"),
        ("protocol.exploration", -1, "exploration"),
        ("protocol.exploration", 11, "exploration"),
    ],
)
def test_learning_settings_are_checked(setting, value, message):
    with pytest.raises(sim.ScenarioError, match=message):
        sim.load_scenario(THIN["margin 0.01"], {setting: value})
