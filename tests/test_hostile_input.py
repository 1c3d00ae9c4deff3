"""Inputs written to break the loader: blanks, odd ids and names, resource bombs, odd file
names, sizes past sim.scenario.limits. Each gets one located line (issue 9, items 1-4, 7, 10)."""

import itertools
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sim
from sim.scenario import limits
from sim.scenario.links import TooIntricate, breaks, nearest_valid

ROOT = Path(__file__).parent.parent
TINY = ROOT / "tests/scenarios/tiny.yaml"
LINE = re.compile(r"^[^\n]+:[1-9]\d*: [^\n]+: [^\n]+$")

# a mediator with one influence link and a signatory with a domestic test and an event
RICH = """
name: rich
points:
  border: {options: {west: West, east: East}}
  money: {options: {none: None, lots: Lots}}
parties:
  a:
    role: signatory
    position: 0.0
    reservation: 0.2
    domestic:
      threshold: 0.3
      points: [border]
      events: [{round: 4, shift: 0.1}]
  b: {role: signatory, position: 1.0, reservation: 0.2}
  m:
    role: mediator
    influence:
      a: {kind: pressure, strength: 0.01}
"""


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    file = tmp_path / name
    file.write_text(text, encoding="utf-8", errors="surrogatepass")
    return file


def refused(file, overrides=()) -> sim.ScenarioError:
    """The error loading `file` raises: always a ScenarioError of one located line."""
    with pytest.raises(sim.ScenarioError) as caught:
        sim.load_scenario(file, overrides)
    assert LINE.match(str(caught.value)), str(caught.value)
    return caught.value


@pytest.mark.parametrize(
    ("given", "path"),
    [
        ("strength: 0.01", "parties.m.influence.a.strength"),
        ("kind: pressure", "parties.m.influence.a.kind"),
        ("threshold: 0.3", "parties.a.domestic.threshold"),
        ("round: 4", "parties.a.domestic.events[0].round"),
        ("shift: 0.1", "parties.a.domestic.events[0].shift"),
        ("reservation: 0.2\n    domestic", "parties.a.reservation"),
    ],
)
def test_a_blank_value_is_a_located_error_not_a_default(tmp_path, given, path):
    assert sim.load_scenario(write(tmp_path, RICH)).party("m").influence  # as written: fine
    key, rest = given.split(": ", 1)
    blank = f"{key}: " + rest[len(rest.split()[0]) :]  # the value removed, the key kept
    err = refused(write(tmp_path, RICH.replace(given, blank)))
    assert err.path == path
    assert "no value given" in err.message


def test_a_blank_override_is_a_located_error():
    err = refused(TINY, ["parties.a.reservation="])
    assert (err.file, err.path) == ("overrides", "parties.a.reservation")


@pytest.mark.parametrize("bad", ["a,b", "a;b", "a.b", "a b", "", "x" * 65, "ü"])
@pytest.mark.parametrize("where", ["point", "option", "party"])
def test_ids_are_slugs(tmp_path, bad, where):
    text = TINY.read_text()
    quoted = f"'{bad}'"
    if where == "point":
        text = text.replace("  money:\n", f"  {quoted}:\n")
        text = text.replace("money: 1}", "}")
    elif where == "option":
        text = text.replace("lots: Large fund", f"{quoted}: Large fund")
    else:
        text = text.replace("  m:\n    role: mediator", f"  {quoted}:\n    role: mediator")
    err = refused(write(tmp_path, text))
    assert "an id" in err.message


@pytest.mark.parametrize(
    "name", ["../../escaped", "/tmp/abs", "", ".", "..", "a\nb", "a\0b", "x" * 300, "a/b"]
)
def test_a_name_that_is_not_a_folder_name_is_refused(tmp_path, name):
    err = refused(TINY, {"name": name})
    assert err.path == "name"
    assert "\n" not in str(err)


def test_a_file_stem_that_is_not_a_name_gives_a_safe_default_name(tmp_path):
    file = write(tmp_path, TINY.read_text().replace("name: tiny\n", ""), "my scenario (2).yaml")
    assert sim.load_scenario(file).name == "my_scenario_2_"


def alias_bomb(levels: int) -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for level in range(1, levels + 1):
        text += (
            f"l{level}: &l{level} ["
            + ",".join([f"*{'a' if level == 1 else f'l{level - 1}'}"] * 9)
            + "]\n"
        )
    return text


def test_an_alias_inside_what_it_names_is_refused(tmp_path):
    err = refused(write(tmp_path, "points: &p {a: [*p]}\n"))
    assert "an alias inside what it names" in err.message


@pytest.mark.parametrize("levels", [6, 8, 30])
def test_an_alias_bomb_is_refused_before_it_expands(tmp_path, levels):
    err = refused(write(tmp_path, alias_bomb(levels)))
    assert "expands to more than" in err.message


def tactic_of_b(used_as: str) -> str:
    """The tiny scenario with party a's tactic anchored as `t` and b's written `used_as`."""
    tactic = "tactic: {name: time_dependent, beta: 1.0}"
    text = TINY.read_text().replace(tactic, tactic.replace("tactic:", "tactic: &t"), 1)
    return text.replace(tactic, f"tactic: {used_as}")


def test_aliases_within_the_bound_still_work(tmp_path):
    text = tactic_of_b("*t")
    assert sim.load_scenario(write(tmp_path, text)).party("b").tactic.beta == 1.0


@pytest.mark.parametrize("depth", [limits.MAX_DEPTH + 1, 600, 5000])
def test_deep_nesting_is_refused_without_recursion_error(tmp_path, depth):
    err = refused(write(tmp_path, "points: " + "[" * depth + "]" * depth + "\n"))
    assert "nested deeper than" in err.message


def test_a_long_extends_chain_is_refused(tmp_path):
    (tmp_path / "f0.yaml").write_text(TINY.read_text())
    for index in range(1, limits.MAX_EXTENDS + 5):
        (tmp_path / f"f{index}.yaml").write_text(f"extends: f{index - 1}.yaml\ndeadline: 5\n")
    sim.load_scenario(tmp_path / f"f{limits.MAX_EXTENDS - 1}.yaml")  # within the bound
    err = refused(tmp_path / f"f{limits.MAX_EXTENDS + 4}.yaml")
    assert "a chain of more than" in err.message


@pytest.mark.parametrize("key", ["extends", "evidence_base"])
@pytest.mark.parametrize(
    "named", ["x" * 5000, "a\\0b", "\\udcff\\ud800.yaml", "", "/", "..", "nowhere.yaml"]
)
def test_an_odd_file_name_is_a_located_error(tmp_path, key, named):
    text = TINY.read_text() + f'{key}: "{named}"\n'
    err = refused(write(tmp_path, text))
    assert err.path == key


def test_a_huge_number_is_refused(tmp_path):
    text = TINY.read_text().replace("border: 3, troops: 2", "border: 3" + "0" * 400 + ", troops: 2")
    err = refused(write(tmp_path, text))
    assert err.path == "parties.a.salience.border"


@pytest.mark.parametrize(
    ("setting", "path"),
    [
        ("deadline=100000000", "deadline"),
        ("parties.a.deadline=5000", "parties.a.deadline"),
        ("protocol.walkout_rounds=100000", "protocol.walkout_rounds"),
        (f"seed={limits.MAX_SEED + 1}", "seed"),
    ],
)
def test_sizes_past_the_bounds_are_refused(setting, path):
    err = refused(TINY, [setting])
    assert err.path == path


def test_too_many_points_options_parties_or_links_are_refused(tmp_path):
    options = {f"o{k}": f"option {k}" for k in range(limits.MAX_OPTIONS + 1)}
    err = refused(TINY, {"points.money.options": options})
    assert err.path == "points.money.options"
    points = {f"p{k}": {"options": {"a": "A", "b": "B"}} for k in range(limits.MAX_POINTS + 1)}
    assert refused(TINY, {"points": points}).path == "points"
    link = {"if": {"money": "none"}, "then": {"border": ["west", "middle"]}}
    assert refused(TINY, {"links": [link] * (limits.MAX_LINKS + 1)}).path == "links"
    parties = {f"q{k}": {"role": "stakeholder"} for k in range(limits.MAX_PARTIES + 1)}
    assert refused(TINY, {"parties": parties}).path == "parties"


def chain_with_contradiction(n: int) -> list[tuple]:
    """n two-option points in a chain of links that restrict nothing, and a contradiction
    between the first and the last point: whatever the first takes, the last must take 0,
    and a last point at 0 leaves the first no option. Backtracking point by point meets
    it only at the last point, after every combination of the middle ones."""
    chain = [(i, 0, i + 1, frozenset({0, 1})) for i in range(n - 1)]
    return [
        *chain,
        (0, 0, n - 1, frozenset({0})),
        (0, 1, n - 1, frozenset({0})),
        (n - 1, 0, 0, frozenset()),
    ]


def test_a_contradiction_after_a_long_chain_of_links_is_found_without_search():
    n = 24  # plain backtracking tries about 2**22 texts
    assert nearest_valid([1] * n, [[1, 0]] * n, chain_with_contradiction(n), max_steps=100) is None


def test_links_too_intricate_for_the_step_bound_raise():
    # 2-colouring an odd cycle of points with 3 options each where option 2 is excluded late:
    # arc consistency cannot settle it, so the search runs out of steps
    n = 15
    rules = []
    for i in range(n):
        j = (i + 1) % n
        rules += [(i, c, j, frozenset({0, 1, 2} - {c})) for c in (0, 1, 2)]
    with pytest.raises(TooIntricate):
        nearest_valid(
            [0] * n, [[0, 1, 2]] * n, [*rules, *[(i, 2, i, frozenset()) for i in range(n)]], 5
        )


def first_valid_by_brute_force(text, choices, rules):
    """The first valid text in the order the choices give, enumerating every combination."""
    linked = sorted({p for a, _, b, _ in rules for p in (a, b)})
    for combo in itertools.product(*[choices[p] for p in linked]):
        candidate = list(text)
        for point, option in zip(linked, combo, strict=True):
            candidate[point] = option
        if not any(breaks(rule, candidate) for rule in rules):
            return candidate
    return None


@st.composite
def link_problems(draw):
    sizes = draw(st.lists(st.integers(2, 4), min_size=1, max_size=6))
    n = len(sizes)
    rules = draw(
        st.lists(
            st.tuples(
                st.integers(0, n - 1),
                st.integers(0, 3),
                st.integers(0, n - 1),
                st.sets(st.integers(0, 3)),
            ),
            max_size=8,
        )
    )
    rules = [(a, x % sizes[a], b, frozenset(o for o in s if o < sizes[b])) for a, x, b, s in rules]
    text = [draw(st.integers(0, s - 1)) for s in sizes]
    choices = []
    for point, size in enumerate(sizes):
        rest = draw(st.permutations([o for o in range(size) if o != text[point]]))
        locked = draw(st.booleans()) and draw(st.booleans())  # a fixed point keeps its option
        choices.append([text[point]] if locked else [text[point], *rest])
    return text, choices, rules


@settings(max_examples=400, deadline=None)
@given(link_problems())
def test_nearest_valid_is_the_first_valid_text_brute_force_finds(problem):
    text, choices, rules = problem
    assert nearest_valid(text, choices, rules) == first_valid_by_brute_force(text, choices, rules)


def test_a_missing_or_empty_file_gets_a_plain_line(tmp_path):
    assert str(refused(tmp_path / "nope.yaml")).endswith(":1: (file): no such file")
    assert "is a folder" in str(refused(tmp_path))
    assert "the file is empty" in str(refused(write(tmp_path, "")))
    assert "the file is empty" in str(refused(write(tmp_path, "# only a comment\n")))


def test_overrides_from_python_may_be_one_text_or_a_mapping():
    assert sim.load_scenario(TINY, "deadline=7").deadline == 7
    assert sim.load_scenario(TINY, {"deadline": 8, "parties.a.reservation": 0.25}).deadline == 8
    err = refused(TINY, {"parties.a.reservaton": 0.5})
    assert (err.file, err.line) == ("overrides", 1)


def test_load_scenario_refuses_what_is_not_a_path():
    with pytest.raises(TypeError, match="file path"):
        sim.load_scenario(42)


def test_an_empty_list_of_ratified_points_is_refused():
    err = refused(TINY, ["parties.a.domestic={threshold: 0.2, points: []}"])
    assert err.path == "parties.a.domestic.points"


def test_a_merge_key_may_be_overridden_beside_it(tmp_path):
    text = tactic_of_b("{<<: *t, beta: 2.0}")
    assert sim.load_scenario(write(tmp_path, text)).party("b").tactic.beta == 2.0
    twice = text.replace("beta: 2.0}", "beta: 2.0, beta: 3.0}")
    assert refused(write(tmp_path, twice)).message == "duplicate key"


def test_values_with_newlines_or_control_characters_give_one_line():
    err = refused(TINY, {"protocol.name": "alter\nnating\x1b[31m"})
    assert "\n" not in str(err) and "\x1b" not in str(err)
    assert "alter\\nnating" in str(err)


@pytest.mark.parametrize(
    "value", ["!!int x", "!!float x", "!!bool x", "2025-02-30", "!!timestamp x", "0" + "7" * 5000]
)
def test_a_value_the_yaml_constructor_cannot_build_is_located(tmp_path, value):
    text = TINY.read_text().replace("reservation: 0.3", f"reservation: {value}", 1)
    err = refused(write(tmp_path, text))
    assert err.line == 18
    err = refused(TINY, [f"parties.a.reservation={value}"])
    assert (err.file, err.line, err.path) == ("overrides", 1, "parties.a.reservation")


def test_a_setting_is_read_within_the_same_bounds_as_a_file():
    deep = "[" * 600 + "]" * 600
    assert "nested deeper than" in refused(TINY, [f"parties.a.reservation={deep}"]).message
    assert "duplicate key" in refused(TINY, ["parties.a.tactic={beta: 1, beta: 2}"]).message


@pytest.mark.parametrize("named", ["x" * 5000, "a\\0b", "", "/", "nowhere.yaml"])
def test_an_odd_base_of_a_sweep_is_a_located_error(tmp_path, named):
    from sim.sweeps import load_sweep

    file = write(
        tmp_path, f'name: s\nbase: "{named}"\nparameters: {{deadline: {{range: [5, 9]}}}}\n'
    )
    with pytest.raises(sim.ScenarioError) as caught:
        load_sweep(file)
    assert (caught.value.line, caught.value.path) == (2, "base")


def expanded_size(data) -> int:
    """Values in plain data with aliases expanded: each collection, key and scalar once."""
    if isinstance(data, dict):
        return 1 + sum(1 + expanded_size(value) for value in data.values())
    if isinstance(data, list):
        return 1 + sum(expanded_size(item) for item in data)
    return 1


@pytest.mark.parametrize(
    "text",
    [
        "a: [1, 2, {b: 3}]\n",
        "x: &x [1, [2, 3]]\ny: [*x, *x]\nz: {k: *x}\n",
        "- 1\n- [2, [3, [4]]]\n- &s text\n- *s\n",
        TINY.read_text(),
    ],
)
def test_the_value_bound_counts_each_value_once(monkeypatch, tmp_path, text):
    import yaml

    import sim.scenario.located_yaml

    size = expanded_size(yaml.safe_load(text))
    file = write(tmp_path, text)
    monkeypatch.setattr(sim.scenario.located_yaml, "MAX_NODES", size)
    sim.scenario.located_yaml.read_located(file, "f.yaml")  # exactly at the bound: read
    monkeypatch.setattr(sim.scenario.located_yaml, "MAX_NODES", size - 1)
    with pytest.raises(sim.ScenarioError, match="expands to more than"):
        sim.scenario.located_yaml.read_located(file, "f.yaml")


def test_an_option_label_given_as_text_keeps_the_length_bound():
    err = refused(TINY, {"points.money.options.lots": "x" * (limits.MAX_TEXT_CHARS + 1)})
    assert err.path == "points.money.options.lots"


@pytest.mark.parametrize("setting", ["=[open", " =1", "a..b=[open", "=", "parties.=1"])
def test_a_setting_without_a_path_names_the_setting(setting):
    err = refused(TINY, [setting])
    assert err.message == "expected path=value"
