"""A sweep's fast scenarios: for every parameter path and value, the scenario made on the
built base equals the loader's (digest included), or both refuse the value alike."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_sweep_run import TINY

from sim.scenario.errors import ScenarioError
from sim.sweeps.design import ParameterSets, parameter_set
from sim.sweeps.spec import load_sweep
from sim.sweeps.variants import (
    DOMESTIC,
    ESCALATION,
    INFLUENCE,
    PARTY,
    PROTOCOL,
    TACTIC,
    TOP,
    Variants,
    lever,
)

ROOT = Path(__file__).parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SWEEP_FILES = sorted((ROOT / "scenarios" / "sweeps").glob("*.yaml"))
OTHER_PATHS = [  # derived or cross-checked values: the loader's path
    "parties.ukraine.salience.territory",
    "parties.russia.position",
    "parties.usa.ideal.elections",
    "parties.usa.influence.ukraine.kind",
    "parties.europe.influence.usa.strength",  # a new link
    "points.territory.options.freeze_line.position",
    "protocol.mediator",
    "protocol.start.territory",
    "parties.ukraine.domestic.events.0.shift",
    "parties.nobody.reservation",
    "name",
]


def lever_paths(base) -> list[str]:
    """Every path `lever` takes on the fast path for this base scenario."""
    paths = [*TOP, *(f"protocol.{field}" for field in PROTOCOL)]
    for party in base.parties:
        at = f"parties.{party.id}"
        paths += [f"{at}.{rest}" for rest in PARTY]
        paths += [f"{at}.tactic.{field}" for field in TACTIC]
        for link in party.influence:
            paths += [f"{at}.influence.{link.target}.{field}" for field in INFLUENCE]
        if party.domestic is not None:
            paths += [f"{at}.domestic.{field}" for field in DOMESTIC]
        if party.escalation is not None:
            paths += [f"{at}.escalation.{field}" for field in ESCALATION]
    return paths


BASES = {name: Variants(path, ()) for name, path in (("baseline", BASELINE), ("tiny", TINY))}
LEVERS = {name: lever_paths(v.base) for name, v in BASES.items()}

PROBES = [  # every bound of the loader's rules, and just either side of it
    *(-1.5, -1, -0.5, -1e-9, 0, 1e-9, 0.005, 0.01, 0.3, 0.5, 1 - 1e-9, 1, 1 + 1e-9, 1.5, 2),
    *(5, 9.5, 10, 10.5, 50, 60, 61, 99.9, 100, 100.5, 499, 500, 501, 2**63 - 1, 2**63),
    *(-1.0, 0.0, 1.0, 3.0, 60.0, float("nan"), float("inf"), -float("inf"), None),
    *(True, False, "mediated", "alternating", "tit_for_tat", "time_dependent"),
    *("reservation", "concession", "Mediated", "", [0.5], {"a": 1}),
]
VALUES = st.one_of(
    st.floats(-2, 2),
    st.floats(0, 120),
    st.integers(-3, 600),
    st.sampled_from([0, 1, 0.01, 100, 10, 2**63, float("nan"), float("inf"), None, True]),
    st.sampled_from(["mediated", "alternating", "tit_for_tat", "time_dependent", "concession"]),
    st.sampled_from(["reservation", "Mediated", "", [0.5], {"a": 1}]),
)


def made(variants: Variants, values: dict, fast: bool):
    """The scenario, or the error's text, by the fast path or the loader's."""
    try:
        return (variants.build if fast else variants.slow)(values)
    except ScenarioError as err:
        return str(err)


def test_every_path_of_the_table_is_a_lever_of_its_base():
    for name, variants in BASES.items():
        assert all(lever(variants.base, path) for path in LEVERS[name])
        assert not any(lever(variants.base, path) for path in OTHER_PATHS)


@pytest.mark.parametrize("name", sorted(BASES))
def test_fast_scenarios_equal_the_loaders_at_and_past_every_bound(name):
    for path in LEVERS[name]:
        variants = Counted(BASES[name].path, (path,))
        for value in PROBES:
            values = {path: value}
            expected = made(variants, values, fast=False)
            variants.loaders = 0
            assert made(variants, values, fast=True) == expected, values
            # a value the loader takes is set on the fast path
            assert isinstance(expected, str) or not variants.loaders, values


class Counted(Variants):
    """Variants that count the scenarios left to the loader's path."""

    loaders = 0

    def slow(self, values):
        self.loaders += 1
        return super().slow(values)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), name=st.sampled_from(sorted(BASES)))
def test_fast_scenarios_equal_the_loaders_for_every_lever_and_value(data, name):
    paths = data.draw(st.lists(st.sampled_from(LEVERS[name]), min_size=1, max_size=6, unique=True))
    values = {path: data.draw(VALUES, label=path) for path in paths}
    variants = Variants(BASES[name].path, tuple(paths))
    assert variants.levers is not None
    assert made(variants, values, fast=True) == made(variants, values, fast=False)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_other_paths_take_the_loaders_path_with_its_result(data):
    paths = data.draw(
        st.lists(
            st.sampled_from(OTHER_PATHS + LEVERS["baseline"]), min_size=1, max_size=4, unique=True
        )
    )
    values = {path: data.draw(VALUES, label=path) for path in paths}
    variants = Variants(BASELINE, tuple(paths))
    assert made(variants, values, fast=True) == made(variants, values, fast=False)


@pytest.mark.parametrize("file", SWEEP_FILES, ids=lambda f: f.stem)
def test_the_runs_of_every_sweep_file_are_built_fast_and_equal_the_loaders(file, monkeypatch):
    sweep = load_sweep(file)
    variants = Variants(sweep.base, tuple(p.path for p in sweep.parameters))
    sets = ParameterSets(sweep)
    samples = np.random.default_rng(0).choice(len(sets), 25, replace=False)
    runs = [parameter_set(sweep, row) for row in sets.rows(np.sort(samples))]
    expected = [variants.slow(values) for values in runs]
    monkeypatch.setattr(variants, "slow", lambda values: pytest.fail(f"slow path: {values}"))
    for values, scenario in zip(runs, expected, strict=True):
        built = variants.build(values)
        assert built == scenario and built.digest == scenario.digest


def test_a_value_the_loader_refuses_is_refused_with_its_located_error():
    variants = Variants(BASELINE, ("parties.russia.reservation", "protocol.bias"))
    with pytest.raises(ScenarioError, match=r"parties\.russia\.reservation: 1\.2 is outside"):
        variants.build({"parties.russia.reservation": 1.2, "protocol.bias": 0.1})


def test_a_new_key_gets_the_digest_the_loader_gives():
    variants = Variants(TINY, ("protocol.bias", "parties.m.tactic.beta", "parties.a.deadline"))
    values = {"protocol.bias": 0.25, "parties.m.tactic.beta": 2.5, "parties.a.deadline": 12}
    built = variants.build(values)
    assert built == variants.slow(values) and built.digest == variants.slow(values).digest
    assert built.digest != variants.base.digest
