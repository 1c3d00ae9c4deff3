"""The analysis on linked spaces of any size the loader accepts (issue 9, item 2).

Small random spaces tangled by many links (several per pair of points, links on a single
point, fixed points) are checked against brute force over every valid text: the exact
sweep, the weighted optima, the integer-programming fallback and the move masks the
climbers use. Large ones, near the scenario bounds, must be analysed in seconds without
raising, exactly where the sweep can and with the reason given where it cannot.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from random_scenarios import assert_moves_match_brute_force, random_link, random_scenario
from test_analysis import TIE, brute, dominates, free_of_red_lines, non_dominated

import sim
from sim.analysis import Problem, analyze, pareto_frontier, supported_frontier, zopa
from sim.analysis import link_sweep as sweep
from sim.analysis.frontier import best_weighted_packages
from sim.cli import main
from sim.negotiation.outcome_space import OutcomeSpace
from sim.scenario.data import Link, Option, Party, Point, Protocol, Scenario

HERE = Path(__file__).parent
MANY_LINKS = HERE / "scenarios" / "many_links.yaml"
SEEDS = st.integers(0, 2**32 - 1)
SECONDS = 30  # for one analysis near the bounds (measured 4-8 s on two busy cores)


def tangled(seed: int, n_links: int = 8, **options) -> Scenario:
    """A random small scenario with up to `n_links` random links, some on a single point."""
    rng = np.random.default_rng(seed)
    scenario = random_scenario(rng, n_points=(3, 5), links=False, fixed=True, **options)
    points = scenario.points
    links = []
    for _ in range(int(rng.integers(1, n_links + 1))):
        a, b = (int(i) for i in rng.integers(len(points), size=2))
        links.append(random_link(rng, points, a, b, len(points[b].options)))
    return replace(scenario, links=tuple(links))


def tangled_setup(seed: int, **options):
    scenario = tangled(seed, **options)
    texts = brute(scenario)
    assume(len(texts.packages) > 0)  # the loader rejects scenarios without a valid text
    return scenario, Problem.from_scenario(scenario), texts


def assert_frontier_is_brute_force(problem, texts, frontier, columns):
    utility = texts.utility[free_of_red_lines(texts, columns)][:, columns]
    expected = non_dominated(utility)
    got = frontier.utilities[np.argsort(-frontier.utilities[:, 0], kind="stable")]
    assert got.shape == expected.shape
    assert np.allclose(got, expected, atol=TIE, rtol=0)
    for package in frontier.packages:
        assert problem.space.is_valid(package)


@settings(max_examples=150, deadline=None)
@given(SEEDS, st.booleans())
def test_exact_frontier_of_a_tangled_space_is_the_brute_force_non_dominated_set(seed, grid):
    _, problem, texts = tangled_setup(seed, grid=grid)
    columns = problem.signatories[:2]
    frontier = pareto_frontier(problem, columns)
    assert frontier.exact and frontier.why == ""
    assert_frontier_is_brute_force(problem, texts, frontier, columns)


@settings(max_examples=100, deadline=None)
@given(SEEDS)
def test_weighted_optima_of_a_tangled_space_are_the_brute_force_maxima(seed):
    _, problem, texts = tangled_setup(seed, n_signatories=(3, 3))
    columns = problem.signatories
    weights = np.random.default_rng(seed).dirichlet(np.ones(len(columns)), size=6)
    utility = texts.utility[free_of_red_lines(texts, columns)][:, columns]
    found = best_weighted_packages(problem, columns, weights)
    for w, package in zip(weights, found, strict=True):
        if len(utility) == 0:
            assert package is None
            continue
        assert problem.space.is_valid(package)
        assert problem.utilities(package, columns) @ w == pytest.approx(
            (utility @ w).max(), abs=1e-12
        )


@settings(max_examples=60, deadline=None)
@given(SEEDS)
def test_fallback_frontier_is_flagged_and_holds_only_pareto_optimal_texts_with_both_ends(seed):
    _, problem, texts = tangled_setup(seed)
    columns = problem.signatories[:2]
    found = supported_frontier(problem, columns, "forced")
    assert not found.exact and found.why.startswith("forced: ")
    utility = texts.utility[free_of_red_lines(texts, columns)][:, columns]
    assert (len(found.utilities) == 0) == (len(utility) == 0)
    for package, point in zip(found.packages, found.utilities, strict=True):
        assert problem.space.is_valid(package)
        assert not dominates(utility, point).any()
    if len(utility):
        exact = non_dominated(utility)
        for end in (exact[0], exact[-1]):  # each party's best text is found
            assert np.isclose(found.utilities, end, atol=TIE, rtol=0).all(axis=1).any()


def test_sweep_falls_back_with_its_reason_when_the_states_would_be_too_many(monkeypatch):
    scenario = sim.load_scenario(MANY_LINKS)
    problem = Problem.from_scenario(scenario)
    exact = analyze(problem)
    monkeypatch.setattr(sweep, "STATE_LIMIT", 1)
    approximate = analyze(problem)
    assert exact["pareto"]["exact"] and exact["pareto"]["why"] == ""
    assert not approximate["pareto"]["exact"]
    assert "would need more than 1 states" in approximate["pareto"]["why"]
    assert "integer programs" in approximate["pareto"]["why"]
    assert approximate["nash"]["method"].startswith("best found")
    assert approximate["ks"]["method"].startswith("approximate")
    # the supported points are among the exact frontier's
    assert set(map(tuple, approximate["pareto"]["points"])) <= set(
        map(tuple, exact["pareto"]["points"])
    )


@settings(max_examples=80, deadline=None)
@given(SEEDS)
@example(5)
def test_move_masks_of_a_tangled_space_match_brute_force_validity(seed):
    scenario = tangled(seed)
    space = OutcomeSpace.from_scenario(scenario)
    valid = space.all_packages()
    assume(len(valid) > 0)
    package = valid[seed % len(valid)]
    assert_moves_match_brute_force(space, package)


# --- issue 9, item 2: eight points of five options, four links -----------------------


def every_package(space: OutcomeSpace) -> np.ndarray:
    """All packages of a space of a few hundred thousand, as an array (links ignored)."""
    grids = np.meshgrid(*[np.arange(n) for n in space.n_options], indexing="ij")
    return np.stack([g.ravel() for g in grids], axis=1)


def test_eight_linked_points_of_five_options_get_the_exact_frontier():
    """Before: ValueError, more than 200000 combinations of linked points."""
    problem = Problem.from_scenario(sim.load_scenario(MANY_LINKS))
    columns = problem.signatories
    frontier = pareto_frontier(problem, columns)
    assert frontier.exact
    packages = every_package(problem.space)
    triggered = packages[:, problem.space.link_if] == problem.space.link_if_option
    allowed = problem.space.link_allowed[
        np.arange(len(problem.space.link_then)), packages[:, problem.space.link_then]
    ]
    packages = packages[~(triggered & ~allowed).any(axis=1)]
    utility = problem.utility[np.arange(problem.space.n_points), packages][..., columns].sum(1)
    for point in frontier.utilities:  # no valid text dominates a frontier point ...
        assert not dominates(utility, point).any()
    covered = np.zeros(len(utility), dtype=bool)  # ... and a frontier point matches each
    for point in frontier.utilities:
        covered |= (point >= utility - TIE).all(axis=1)
    assert covered.all()


def test_run_and_analyze_commands_finish_on_eight_linked_points(tmp_path):
    runner = CliRunner()
    ran = runner.invoke(main, ["run", str(MANY_LINKS), "--out", str(tmp_path)])
    assert ran.exit_code == 0, ran.output
    (folder,) = (tmp_path / "many_links").iterdir()
    assert {p.name for p in folder.iterdir()} >= {"outcome.json", "report.html"}
    analysed = runner.invoke(main, ["analyze", str(MANY_LINKS), "--json"])
    assert analysed.exit_code == 0, analysed.output
    assert '"exact": true' in analysed.output


# --- near the bounds ------------------------------------------------------------------


def large(seed: int, n_points: int, n_options: int, n_links: int, span: int | None, n_sig=2):
    """Random values and saliences, red lines, and links between random points (within
    `span` of each other along the list, if given), all kept by one hidden text."""
    rng = np.random.default_rng(seed)
    points = tuple(
        Point(
            f"p{i}",
            f"point {i}",
            tuple(Option(f"o{k}", f"option {k}", k / (n_options - 1)) for k in range(n_options)),
        )
        for i in range(n_points)
    )
    hidden = rng.integers(n_options, size=n_points)
    links = []
    for _ in range(n_links):
        a = int(rng.integers(n_points))
        b = int((a + rng.integers(1, span + 1)) % n_points) if span else int(rng.integers(n_points))
        allowed = set(rng.choice(n_options, size=int(rng.integers(1, 4)), replace=False).tolist())
        links.append(
            Link(
                f"p{a}",
                f"o{int(rng.integers(n_options))}",
                f"p{b}",
                tuple(f"o{k}" for k in sorted(allowed | {int(hidden[b])})),
            )
        )
    parties = []
    for j in range(n_sig + 1):
        weights = rng.random(n_points) + 0.05
        lines = ()
        if j < n_sig:
            at = rng.choice(n_points, size=min(5, n_points), replace=False)
            lines = tuple(
                (f"p{p}", tuple(f"o{k}" for k in rng.choice(n_options, 2) if k != hidden[p]))
                for p in at
            )
        parties.append(
            Party(
                id=f"s{j}" if j < n_sig else "m",
                name=f"Party {j}",
                role="signatory" if j < n_sig else "mediator",
                salience=tuple(float(w) for w in weights / weights.sum()),
                values=tuple(tuple(float(v) for v in rng.random(n_options)) for _ in points),
                red_lines=tuple(line for line in lines if line[1]),
                reservation=0.4 if j < n_sig else 0.0,
            )
        )
    return Scenario(
        name="large",
        title="",
        points=points,
        parties=tuple(parties),
        protocol=Protocol(mediator="m"),
        deadline=20,
        seed=seed,
        links=tuple(links),
    )


@pytest.mark.parametrize(
    ("shape", "exact"),
    [
        ({"n_points": 100, "n_options": 50, "n_links": 500, "span": None}, False),
        ({"n_points": 60, "n_options": 20, "n_links": 60, "span": 1}, True),
        ({"n_points": 40, "n_options": 10, "n_links": 120, "span": 2, "n_sig": 3}, False),
    ],
    ids=["100x50-500-random-links", "chain-of-60", "three-signatories"],
)
def test_analysis_near_the_bounds_finishes_in_seconds_and_says_when_it_is_approximate(shape, exact):
    problem = Problem.from_scenario(large(1, **shape))
    begin = time.perf_counter()
    if len(problem.signatories) == 2:
        found = analyze(problem)
        pareto = found["pareto"]
        assert pareto["exact"] is exact
        assert bool(pareto["why"]) is not exact
        assert found["zopa"]["exists"] in (True, False)
        texts = [
            np.array([p.option_index(package[p.id]) for p in problem.scenario.points])
            for package in pareto["packages"]
        ]
    else:
        frontier = sim.analysis.signatory_frontier(problem)
        sim.analysis.nash_solution(problem, frontier)
        assert not frontier.exact and frontier.why
        texts = list(frontier.packages)
    assert time.perf_counter() - begin < SECONDS
    assert texts and all(problem.space.is_valid(t) for t in texts)
    assert zopa(problem).witness is None or problem.space.is_valid(zopa(problem).witness)
