"""A seeded mutator of the library's scenario and sweep files (the fuzz suite of issue 9).

    write_library(root)                  # a copy of the library files under root
    mutant = scenario_mutant(17)         # same seed (and library), same files
    entry = mutant.write(root)           # the file to load

A mutant is the text of a library file changed at the YAML-tree level (keys deleted,
renamed, retyped; huge, special and negative numbers; odd strings and paths; many points,
options, parties; deep nesting; alias bombs; merge keys) or at the text level (truncation,
random bytes, duplicated lines, tabs, encodings, deep flow nesting, billion laughs), plus
the files it needs: a mutated parent or evidence base, an `extends:` chain, odd file names.
`@LIB@` and `@OUTSIDE@` in a mutant stand for the library copy and a sandbox beside it,
so that an absolute path that escapes still lands in the test's folder.

    python tests/fuzz.py scenario 17 /tmp/fuzz_repro/s17   # write one mutant to look at
"""

from __future__ import annotations

import copy
import functools
import math
import posixpath
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from sim.scenario import limits

REPO = Path(__file__).resolve().parent.parent
LIBRARY_GLOBS = (
    "scenarios/*.yaml",
    "scenarios/sweeps/*.yaml",
    "tests/scenarios/*.yaml",
    "tests/broken/*.yaml",
    "seeds/positions.yaml",
)
TINY = "tests/scenarios/tiny.yaml"
BASELINE = "scenarios/baseline.yaml"
TINY_SWEEP = "tests/sweeps/tiny_sweep.yaml"  # made here: a sweep as cheap to check as tiny
TINY_EVIDENCE = "tests/broken/tiny_evidence.yaml"  # tiny citing tests/broken/positions.yaml

TINY_SWEEP_TEXT = """\
name: tiny_sweep
base: ../scenarios/tiny.yaml
parameters:
  parties.a.reservation: {range: [0.1, 0.5]}
  deadline: {range: [5, 30]}
  protocol.name: {values: [mediated, alternating]}
  parties.b.reservation: {distribution: truncnormal, mean: 0.3, sd: 0.05, low: 0.1, high: 0.5}
design: {method: lhs, samples: 8}
seed: 1
outputs: [agreement, round, utility.a]
"""

NAN, INF = math.nan, math.inf
NUMBERS = [10**400, -(10**400), 1e308, -1e308, 5e-324, -0.0, NAN, INF, -INF, -1, -0.5, 0, 2]
NUMBERS += [1.0000001, 10**8, 2**63, 2**64, -(2**63), 1e12 + 1, 1e15, 1001, 101, 51]
NUMBERS += [limits.MAX_DEADLINE + 1, limits.MAX_NUMBER * 1.5, limits.MAX_SEED + 1]
TEXTS = ["", " ", " padded ", "a/b", "../x", "../../../../escaped", "..", ".", "-", "-rf"]
TEXTS += ["~", "a\x00b", "a\nb", "a\r\nb", "a,b", "a;b", "a b", "a.b", "a:b", "a|b", "*"]
TEXTS += ["$HOME", "%s%n", "{x}", "Україна", "東京", "emoji 🙂", "\u202eRTL", "\u200b", "\ud800"]
TEXTS += ["x\udcff", "\x1b[31mred", "@OUTSIDE@/abs", "/etc/passwd", "/", "C:\\Windows", "null"]
TEXTS += ["true", "1e5", "NaN", "x" * 20_000, "é" * 5000, "a" * 65, "A" * 64]
PATHS = ["@OUTSIDE@/x.yaml", "@OUTSIDE@", "@LIB@/tests/scenarios/tiny.yaml", "/etc/passwd"]
PATHS += ["/dev/null", "/", "..", "../..", "../../../../../../../../etc/passwd", "./", ""]
PATHS += ["nope.yaml", "a\x00b.yaml", "\ud800.yaml", "x" * 5000, "a/" * 600 + "b.yaml", "~/x"]
PATHS += ["sub/../../scenarios/tiny.yaml", "file:///etc/passwd", "tiny.yaml\n", " tiny.yaml"]
PATHS += ["positions.yaml", "sweeps", "../seeds/positions.yaml", "baseline.yaml", "a\nb"]
WRONG = [[1, 2], {"a": 1}, "text", True, False, 0, 1.5, [], {}, [[]], [{"a": None}], None]
LITERALS = ["9" * 5000, "-" + "9" * 400, "1.0e+400", "1e400", ".nan", ".NaN", "-.inf", ".inf"]
LITERALS += ["-0.0", "0x" + "f" * 300, "0b" + "1" * 1000, "0o777", "190:20:30", "1_000_000"]
LITERALS += ["~", "''", "[]", "{}", "!!binary aGVsbG8=", "!!python/object/apply:os.system [id]"]
LITERALS += ["!custom x", "!!set {a, b}", "2025-01-01", "2025-01-01 10:00:00", "!!float 1"]
LITERALS += ["!!str 0.5", "yes", "off", "*undefined", "&a x", "'unterminated", '"open', "[open"]
LITERALS += ["{open", "@at", "`tick", "%pc", "? complex", "- item", "a: b: c", "!!int x", "<<"]
LITERALS += ["!!float x", "!!bool x", "!!timestamp x", "2025-13-45", "2025-02-30", "!!null x"]
LITERALS += ["0x" + "f" * 3600, "0b" + "1" * 15000, "1" + ":59" * 3000, "0" + "7" * 5000]
SETTINGS = ["no_equals", "=1", "=[open", "a..b=1", ".=1", "points.=1", "deadline=", "\n=1"]
SETTINGS += ["deadline==3", " =1", "=", "==", ".=[", "..=x: y: z"]
SETTINGS += ["parties.a.reservation=0.5=1", "deadline.x=1", "points.0=1", "parties=[]", "x" * 5000]
SETTINGS += ["extends=@OUTSIDE@/x.yaml", "evidence_base=/etc/passwd", "name=../../escaped"]
PARAMETER_PATHS = ["", ".", "..", "deadline.x", "points", "parties", "parties.a", "parties.0"]
PARAMETER_PATHS += ["parties.a.reservation.x", "name", "extends", "evidence_base", "seed"]
PARAMETER_PATHS += ["parties.nobody.reservation", "protocol.fixed.border", "links.0.if"]
PARAMETER_PATHS += ["a" * 5000, "x" + ".y" * 2000, "deadline", "protocol", "parties.a.salience"]
KEY_LINE = re.compile(rb"^([ \t-]*)([^#\s:][^:\n]*):( |$)", re.M)
VALUE_LINE = re.compile(rb"^([ \t-]*[^#\s:][^:\n]*: +)([^\s#{\[&*!|>][^\n]*)$", re.M)


@dataclass
class Mutant:
    """Files to write under the library copy and the one to load (`entry`)."""

    kind: str  # "scenario" or "sweep"
    seed: int
    source: str  # the library file it was made from
    entry: str  # relative to the library root; may be missing, or a folder
    files: dict[str, bytes] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)  # symlink -> target
    operators: list[str] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)  # `--set` overrides, as path=value

    def describe(self) -> str:
        return f"{self.kind} mutant {self.seed} of {self.source}: {'; '.join(self.operators)}"

    def overrides(self, root: Path) -> list[str]:
        outside = str(root.parent / "outside")
        return [s.replace("@LIB@", str(root)).replace("@OUTSIDE@", outside) for s in self.settings]

    def write(self, root: Path) -> Path:
        """Write the mutant's files into the library copy at `root`; the entry's path."""
        lib, outside = str(root).encode(), str(root.parent / "outside").encode()
        for rel, data in self.files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data.replace(b"@LIB@", lib).replace(b"@OUTSIDE@", outside))
        for rel, target in self.links.items():
            (root / rel).unlink(missing_ok=True)
            (root / rel).symlink_to(target)
        return root / self.entry


@functools.cache
def library() -> dict[str, bytes]:
    """The library's files by path relative to the repository, plus two made here."""
    files = {}
    for pattern in LIBRARY_GLOBS:
        for path in sorted(REPO.glob(pattern)):
            files[path.relative_to(REPO).as_posix()] = path.read_bytes()
    tiny = yaml.safe_load(files[TINY])
    tiny["evidence_base"] = "positions.yaml"
    tiny["points"]["border"]["evidence"] = ["a-1"]
    files[TINY_EVIDENCE] = dump(tiny)
    files[TINY_SWEEP] = TINY_SWEEP_TEXT.encode()
    return files


def write_library(root: Path) -> list[Path]:
    """Copy the library under `root` (relative paths between its files keep working)."""
    written = []
    for rel, data in library().items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
        written.append(root / rel)
    return written


@functools.cache
def _tree(rel: str):
    """The parsed library file, or None for the broken files that are not YAML."""
    try:
        return yaml.load(library()[rel], Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return None


def dump(data) -> bytes:
    """YAML text of a tree; shared lists and mappings come out as anchors and aliases."""
    try:
        text = yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True)
    except (UnicodeEncodeError, yaml.YAMLError, ValueError):  # libyaml refuses lone surrogates
        text = yaml.dump(data, Dumper=yaml.SafeDumper, sort_keys=False, allow_unicode=True)
    return text.replace("'<<':", "<<:").encode("utf-8", "surrogatepass")


# -- tree-level operators: each changes `data` in place and says what it did, or None -----


def _paths(data) -> list[tuple]:
    paths, seen, stack = [], set(), [((), data)]
    while stack:
        path, node = stack.pop()
        if path:
            paths.append(path)
        if isinstance(node, dict | list) and id(node) not in seen:
            seen.add(id(node))
            items = node.items() if isinstance(node, dict) else enumerate(node)
            stack.extend(((*path, k), v) for k, v in items)
    return paths


def _is_tree(node) -> bool:
    """No list or mapping in `node` is reached twice (no aliases, no cycles)."""
    seen, stack = set(), [node]
    while stack:
        node = stack.pop()
        if isinstance(node, dict | list):
            if id(node) in seen:
                return False
            seen.add(id(node))
            stack.extend(node.values() if isinstance(node, dict) else node)
    return True


def _at(data, path):
    for key in path:
        data = data[key]
    return data


def _set(data, path, value):
    _at(data, path[:-1])[path[-1]] = value


def _rename(data, path, new):
    parent = _at(data, path[:-1])
    renamed = {(new if k == path[-1] else k): v for k, v in parent.items()}
    parent.clear()
    parent.update(renamed)


def _pick(data, rng, keys_only=False, containers=False):
    paths = _paths(data)
    if keys_only:
        paths = [p for p in paths if isinstance(_at(data, p[:-1]), dict)]
    if containers:
        paths = [p for p in paths if isinstance(_at(data, p), dict | list)]
    if rng.random() < 0.3:  # the top-level keys and ids matter most
        paths = [p for p in paths if len(p) <= 2 or (p[0] == "parties" and len(p) <= 3)] or paths
    return rng.choice(paths) if paths else None


def op_delete(data, rng):
    if (path := _pick(data, rng)) is not None:
        del _at(data, path[:-1])[path[-1]]
        return f"delete {path}"


def op_typo(data, rng):
    if (path := _pick(data, rng, keys_only=True)) is not None and isinstance(path[-1], str):
        key, i = path[-1], rng.randrange(len(path[-1]) + 1)
        new = rng.choice([key[:i] + key[i + 1 :], key[:i] + "x" + key[i:], key.upper(), key + " "])
        _rename(data, path, new)
        return f"rename {path} to {new!r}"


def op_odd_key(data, rng):
    if (path := _pick(data, rng, keys_only=True)) is not None:
        new = rng.choice([*TEXTS, 1, True, None, 1.5, -0.0])
        _rename(data, path, new)
        return f"rename {path} to {new!r:.40}"


def op_value(data, rng):
    if (path := _pick(data, rng)) is not None:
        pool = rng.choice([WRONG, NUMBERS, TEXTS])
        value = rng.choice(pool)
        _set(data, path, value)
        return f"set {path} to {value!r:.40}"


def op_path(data, rng):
    key = rng.choice(["name", "extends", "evidence_base", "base"])
    value = rng.choice([*PATHS, *TEXTS[:12]])
    data[key] = value
    return f"set {key} to {value!r:.40}"


def op_deadline(data, rng):
    bound = limits.MAX_DEADLINE
    data["deadline"] = value = rng.choice([10**8, 10**400, bound + 1, bound, 0, -1, 2.5, 10**12])
    return f"deadline {value!r:.20}"


def op_many(data, rng):
    k = rng.choice([2, 10, 49, 51, 99, 101, 150, 200, 600, limits.MAX_POINTS])
    what, points = rng.choice(["points", "options", "parties", "links"]), data.get("points")
    if what == "links" and isinstance(points, dict) and len(points) >= 2:
        (a, pa), (b, pb) = list(points.items())[:2]
        try:
            link = {"if": {a: next(iter(pa["options"]))}, "then": {b: list(pb["options"])}}
        except (TypeError, KeyError, StopIteration):
            return None
        data["links"] = [copy.deepcopy(link) for _ in range(k)]
    elif what in ("points", "parties") and isinstance(data.get(what), dict) and data[what]:
        pid, item = rng.choice(list(data[what].items()))
        # shared copies come out as aliases; a merge may have made `item` hold the whole
        # tree, which copies of copies would double k times
        share = rng.random() < 0.5 or not _is_tree(item)
        for i in range(k):
            data[what][f"{pid}_{i}"] = item if share else copy.deepcopy(item)
    elif what == "options" and isinstance(points, dict) and points:
        point = rng.choice(list(points.values()))
        if not isinstance(point, dict) or not isinstance(point.get("options"), dict):
            return None
        point["options"].update({f"o{i}": f"option {i}" for i in range(k)})
    else:
        return None
    return f"{k} more {what}"


def op_nest(data, rng):
    if (path := _pick(data, rng)) is not None:
        depth, value = rng.choice([39, 40, 41, 60, 100]), _at(data, path)
        for _ in range(depth):
            value = [value] if rng.random() < 0.5 else {"k": value}
        _set(data, path, value)
        return f"nest {path} {depth} deep"


def op_bomb(data, rng):
    """Billion laughs as shared lists: w**depth values once the aliases are expanded."""
    width = rng.randint(4, 10)
    depth = math.ceil(math.log(300_000) / math.log(width))
    value = ["lol"] * width
    for _ in range(depth - 1):
        value = [value] * width
    path = _pick(data, rng) if rng.random() < 0.7 else ("lol",)
    _set(data, path or ("lol",), value)
    return f"alias bomb {width}**{depth} at {path}"


def op_merge(data, rng):
    maps = [p for p in _paths(data) if isinstance(_at(data, p), dict)]
    if len(maps) >= 2:
        a, b = rng.sample(maps, 2)
        _at(data, b)["<<"] = rng.choice([_at(data, a), [_at(data, a)], "scalar"])
        return f"merge {a} into {b}"


def op_swap(data, rng):
    a, b = _pick(data, rng), _pick(data, rng)
    if a and b and a[: len(b)] != b and b[: len(a)] != a:
        _set(data, a, copy.deepcopy(_at(data, b)))
        return f"copy {b} over {a}"


def op_parameter(data, rng):
    """Sweep files: a parameter with an odd path or range, or many parameters."""
    params = data.get("parameters")
    if not isinstance(params, dict):
        return None
    low, high = rng.choice(NUMBERS), rng.choice(NUMBERS)
    spec = rng.choice(
        [
            {"range": [low, high]},
            {"values": rng.sample([*WRONG, *NUMBERS[:9], *TEXTS[:20]], rng.randint(0, 4))},
            {"distribution": rng.choice(["normal", "truncnormal", "triangular", "x"])},
            {"distribution": "triangular", "low": low, "high": high, "peak": rng.choice(NUMBERS)},
            {"distribution": "normal", "mean": low, "sd": high},
        ]
    )
    if rng.random() < 0.2:
        params.update({f"parties.a.reservation{'.x' * i}": spec for i in range(200)})
        return "200 parameters"
    path = rng.choice([*PARAMETER_PATHS, *params])
    params[path] = spec
    return f"parameter {path!r:.40}: {spec!r:.60}"


def op_design(data, rng):
    data["design"] = design = {
        "method": rng.choice(["grid", "lhs", "sobol", "morris", "x", None, 1]),
        "samples": rng.choice([*NUMBERS, 2**30, 1]),
        rng.choice(["levels", "second_order", "replications"]): rng.choice([*NUMBERS, True]),
    }
    return f"design {design!r:.60}"


TREE_OPS = [op_delete, op_typo, op_odd_key, op_value, op_value, op_path, op_deadline, op_many]
TREE_OPS += [op_nest, op_bomb, op_merge, op_swap]
SWEEP_OPS = [*TREE_OPS, op_parameter, op_parameter, op_design]


# -- text-level operators: bytes in, bytes out ---------------------------------------------


def text_truncate(data: bytes, rng):
    cut = rng.randrange(len(data) + 1)
    return data[:cut], f"truncate at byte {cut}"


def text_bytes(data: bytes, rng):
    at = rng.randrange(len(data) + 1)
    junk = bytes(rng.choice([0, 9, 13, 27, 0x85, 0xFE, 0xFF, rng.randrange(256)]) for _ in "xxxx")
    return data[:at] + junk + data[at:], f"bytes {junk!r} at {at}"


def text_duplicate(data: bytes, rng):
    lines = data.splitlines(keepends=True)
    keyed = [i for i, line in enumerate(lines) if KEY_LINE.match(line)]
    if keyed:
        i = rng.choice(keyed)
        return b"".join([*lines[: i + 1], lines[i], *lines[i + 1 :]]), f"duplicate line {i + 1}"


def text_literal(data: bytes, rng):
    matches = list(VALUE_LINE.finditer(data))
    if matches:
        m, literal = rng.choice(matches), rng.choice(LITERALS).encode()
        edited = data[: m.start(2)] + literal + data[m.end(2) :]
        line = data.count(b"\n", 0, m.start()) + 1
        return edited, f"value on line {line} -> {literal[:30]!r}"


def text_deep(data: bytes, rng):
    depth = rng.choice([41, 100, 600, 1000, 3000])
    deep = rng.choice(
        [
            "[" * depth + "1" + "]" * depth,
            "{a: " * depth + "1" + "}" * depth,
            "\n" + "- " * depth + "1",
            "".join(f"\n{' ' * (i + 1)}k{i}:" for i in range(min(depth, 700))) + " 1",
        ]
    )
    key = rng.choice([b"deadline", b"points", b"lol", b"parameters"])
    return data.rstrip(b"\n") + b"\n" + key + b": " + deep.encode() + b"\n", f"nest {depth} deep"


def text_bomb(data: bytes, rng):
    width, depth = rng.randint(5, 10), rng.randint(6, 9)
    lines = [f"lol0: &l0 [{', '.join(['lol'] * width)}]"]
    lines += [f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, depth)]
    bomb = "\n".join(lines).encode()
    where = rng.choice(["end", "start"])
    joined = data + b"\n" + bomb + b"\n" if where == "end" else bomb + b"\n" + data
    return joined, f"billion laughs {width}**{depth} at the {where}"


def text_recursive(data: bytes, rng):
    """An alias inside the collection it names: a cycle, not a tree."""
    cycle = rng.choice(["[*r]", "{a: *r}", "{<<: *r}", "[1, [2, *r]]", "{a: [*r], b: 1}"])
    return data.rstrip(b"\n") + f"\nlol: &r {cycle}\n".encode(), f"recursive alias {cycle}"


def text_whitespace(data: bytes, rng):
    lines = data.splitlines(keepends=True)
    i = rng.randrange(len(lines)) if lines else 0
    how = rng.choice(["tab indent", "tab after colon", "crlf", "cr", "bom", "u2028", "nel"])
    if how == "tab indent" and lines:
        lines[i] = b"\t" + lines[i].lstrip(b" ")
    elif how == "tab after colon" and lines:
        lines[i] = lines[i].replace(b": ", b":\t", 1)
    elif how == "crlf":
        return data.replace(b"\n", b"\r\n"), how
    elif how == "cr":
        return data.replace(b"\n", b"\r"), how
    elif how == "bom":
        return b"\xef\xbb\xbf" + data, how
    elif lines:
        lines[i] = lines[i].rstrip(b"\n") + ("\u2028" if how == "u2028" else "\x85").encode()
    return b"".join(lines), f"{how} on line {i + 1}"


def text_document(data: bytes, rng):
    how = rng.choice(["utf-16", "latin-1", "two documents", "huge", "directive", "empty"])
    if how == "utf-16":
        return data.decode("utf-8", "replace").encode("utf-16"), how
    if how == "latin-1":
        return data.decode("utf-8", "replace").encode("latin-1", "replace") + b"\xe9", how
    if how == "two documents":
        return b"---\n" + data + b"\n---\nname: second\n", how
    if how == "huge":  # past MAX_FILE_BYTES
        return data + b"#" + b"x" * 2_500_000 + b"\n", how
    if how == "directive":
        return b"%YAML 1.2\n%TAG ! tag:x,2000:\n---\n" + data, how
    return rng.choice([b"", b"# only a comment\n", b"---\n", b"null\n", b"[]\n", b"42\n"]), how


TEXT_OPS = [text_truncate, text_truncate, text_bytes, text_duplicate, text_literal]
TEXT_OPS += [text_literal, text_deep, text_bomb, text_whitespace, text_document, text_recursive]


def mutate(rel: str, rng: random.Random, tree_ops=TREE_OPS) -> tuple[bytes, list[str]]:
    """The text of a library file mutated by one to three operators."""
    roll, done = rng.random(), []
    if roll < 0.7 and isinstance(_tree(rel), dict):
        data = copy.deepcopy(_tree(rel))
        while not done or (rng.random() < 0.3 and len(done) < 3):
            for _ in range(5):  # an operator may not apply (no mapping to merge into, ...)
                if what := rng.choice(tree_ops)(data, rng):
                    done.append(what)
                    break
            else:
                done.append("(no change)")
        text = dump(data)
    else:
        text = library()[rel]
    if roll > 0.55 or not done:
        while (step := rng.choice(TEXT_OPS)(text, rng)) is None:
            pass
        text, what = step
        done.append(what)
    return text, done


# -- mutants -------------------------------------------------------------------------------


def _sources(prefix: str) -> list[str]:
    return [rel for rel in library() if rel.startswith(prefix) and "positions" not in rel]


# the families of scenario mutants and their weights (the baseline takes ten times
# tiny's time to read, so it and what extends it are used less)
FAMILIES = {"tiny": 22, "small": 10, "broken": 14, "baseline": 4, "variant": 4, "evidence": 6}
FAMILIES |= {"parent": 6, "chain": 8, "odd": 10, "set": 6, "limits": 3}


def scenario_mutant(seed: int) -> Mutant:
    """One scenario mutant: mostly a mutated library file, sometimes files it names."""
    rng = random.Random(f"scenario:{seed}")
    # first in their chunks of the test, so that their run folders are written
    if seed % 1000 == 0:
        return _at_limits(seed, rng, exactly=DIMENSIONS)
    if seed % 1000 == 500:  # many points under many links: the hardest to repair
        return _at_limits(seed, rng, exactly=("points", "links"))
    family = rng.choices(list(FAMILIES), weights=list(FAMILIES.values()))[0]
    if family in ("tiny", "small", "broken", "baseline", "variant"):
        files = [r for r in _sources("scenarios/") if Path(r).parent.name == "scenarios"]
        small = [r for r in files if b"extends:" not in library()[r]]
        source = {
            "tiny": TINY,
            "small": rng.choice([s for s in small if s != BASELINE]),
            "broken": rng.choice(_sources("tests/broken/")),
            "baseline": BASELINE,
            "variant": rng.choice([s for s in files if s not in small]),
        }[family]
        text, done = mutate(source, rng)
        entry = f"{Path(source).parent}/m{seed}.yaml"
        return Mutant("scenario", seed, source, entry, {entry: text}, operators=done)
    if family == "evidence":  # a mutated evidence base under a scenario that cites it
        base, parent = rng.choice(
            [
                ("seeds/positions.yaml", "../scenarios/baseline.yaml"),
                *[("tests/broken/positions.yaml", "tiny_evidence.yaml")] * 3,
            ]
        )
        text, done = mutate(base, rng)
        folder = Path(base).parent
        child = f"extends: {parent}\nevidence_base: m{seed}_positions.yaml\n".encode()
        files = {f"{folder}/m{seed}_positions.yaml": text, f"{folder}/m{seed}.yaml": child}
        return Mutant("scenario", seed, base, f"{folder}/m{seed}.yaml", files, operators=done)
    if family == "parent":  # an unchanged variant of a mutated parent
        source = rng.choice([TINY, TINY, TINY, BASELINE])
        text, done = mutate(source, rng)
        folder = Path(source).parent
        child = f"extends: m{seed}_parent.yaml\ntitle: a variant\ndeadline: 7\n".encode()
        files = {f"{folder}/m{seed}_parent.yaml": text, f"{folder}/m{seed}.yaml": child}
        return Mutant("scenario", seed, source, f"{folder}/m{seed}.yaml", files, operators=done)
    if family == "chain":
        return _chain(seed, rng)
    if family == "set":
        return _settings(seed, rng)
    if family == "limits":
        return _at_limits(seed, rng)
    return _odd_entry(seed, rng)


def _settings(seed: int, rng: random.Random) -> Mutant:
    """A library file loaded with `--set` overrides of odd paths and values."""
    source = rng.choice([TINY, TINY, "scenarios/first_lesson.yaml", BASELINE])
    mutant = Mutant("scenario", seed, source, source)
    count = rng.choice([1, 1, 1, 2, 3, 60])
    for _ in range(count):
        path = _pick(_tree(source), rng)
        key = ".".join(map(str, path)) if path else ""
        if rng.random() < 0.2:
            key = rng.choice([*PARAMETER_PATHS, *TEXTS[:25]])
        value = rng.choice([*LITERALS, *_flow_values()])
        if count < 10 and rng.random() < 0.04:  # past the recursion limit, and MAX_DEPTH
            value = "[" * 1100 + "]" * 1100
        if count < 10 and rng.random() < 0.04:  # 6 * 4**9 values once expanded
            value = "[&a0 [lol, lol, lol, lol, lol, lol], "
            value += ", ".join(
                f"&a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 10)
            )
            value += "]"
        mutant.settings.append(rng.choice(SETTINGS) if rng.random() < 0.25 else f"{key}={value}")
    mutant.operators = [f"set {len(mutant.settings)}: {mutant.settings[0][:60]!r}"]
    return mutant


@functools.cache
def _flow_values() -> tuple[str, ...]:
    """NUMBERS, WRONG and TEXTS as YAML flow text (`--set` values)."""
    return tuple(
        yaml.dump(value, default_flow_style=True, allow_unicode=True).strip()
        for value in NUMBERS + WRONG + TEXTS[:30]
    )


DIMENSIONS = ("points", "options", "parties", "links", "deadline", "ids", "text", "label")


def _at_limits(seed: int, rng: random.Random, exactly: tuple[str, ...] = ()) -> Mutant:
    """A made-up scenario at, or one past, one or two of the bounds of sim.scenario.limits (or
    exactly at the bounds of `exactly`: a scenario that must load, run and report)."""
    dims = exactly or rng.sample(DIMENSIONS, 2)[: rng.choice([1, 1, 2])]

    def size(dim, near, small):
        if dim not in dims:
            return small
        return near if exactly else rng.choice([near - 1, near, near, near + 1])

    n_points = size("points", limits.MAX_POINTS, rng.randint(2, 5))
    n_options = size("options", limits.MAX_OPTIONS, 3)
    n_parties = size("parties", limits.MAX_PARTIES, 3)
    n_links = size("links", limits.MAX_LINKS, rng.randint(0, 3))
    width = size("ids", limits.MAX_ID_CHARS, 4)  # characters of each id
    text = "t" * size("text", limits.MAX_TEXT_CHARS, 5)
    ident = lambda prefix, i: (f"{prefix}{i}_" + "x" * width)[:width]  # noqa: E731
    points = {
        ident("p", i): {"options": {ident("o", k): f"option {k}" for k in range(n_options)}}
        for i in range(n_points)
    }
    first, last = points[ident("p", 0)], points[ident("p", n_points - 1)]
    first["title"], first["options"][ident("o", 0)] = text, {"label": text}
    label = "t" * size("label", limits.MAX_TEXT_CHARS, 5)  # given as the option's text
    last["options"][ident("o", n_options - 1)] = label
    pids, oids = list(points), [ident("o", k) for k in range(n_options)]
    parties = {}
    for j in range(n_parties):
        role = "signatory" if j < 2 else "mediator" if j == 2 else "stakeholder"
        party = {"role": role, "position": round(rng.random(), 3), "name": text if j else "a"}
        party["salience"] = {p: rng.randint(1, 5) for p in rng.sample(pids, min(3, n_points))}
        if role == "signatory":
            party["reservation"] = round(rng.uniform(0.05, 0.3), 3)
        parties[ident("a", j)] = party
    links = []
    for _ in range(n_links if n_points > 1 else 0):
        a, b = rng.sample(pids, 2)
        links.append({"if": {a: rng.choice(oids)}, "then": {b: oids[: rng.randint(1, n_options)]}})
    data = {"name": f"limits_{seed}", "title": text}
    data["deadline"] = size("deadline", limits.MAX_DEADLINE, 30)
    data |= {"points": points, "links": links, "parties": parties}
    entry = f"tests/scenarios/m{seed}.yaml"
    shown = f"{n_points} points, {n_options} options, {n_parties} parties, {n_links} links"
    shown += f", ids of {width}, text of {len(text)}, a label of {len(label)}"
    shown += f", deadline {data['deadline']}"
    return Mutant("scenario", seed, "(made up)", entry, {entry: dump(data)}, operators=[shown])


def _chain(seed: int, rng: random.Random) -> Mutant:
    """An `extends:` chain: long, circular, or through itself."""
    source = rng.choice([TINY, TINY, TINY, BASELINE])
    length = rng.choice([2, 2, 19, 20, 21, 21, 25, 60, 1100])
    folder = Path(source).parent
    how = rng.choice(["long", "long", "circular", "self"])
    files = {}
    for i in range(length):
        parent = f"m{seed}_c{i - 1}.yaml" if i else Path(source).name
        if how == "circular" and i == 0:
            parent = f"m{seed}_c{length - 1}.yaml"
        if how == "self" and i == length - 1:
            parent = f"m{seed}_c{i}.yaml"
        files[f"{folder}/m{seed}_c{i}.yaml"] = f"extends: {parent}\ntitle: link {i}\n".encode()
    entry = f"{folder}/m{seed}_c{length - 1}.yaml"
    return Mutant("scenario", seed, source, entry, files, operators=[f"{how} chain of {length}"])


def _odd_entry(seed: int, rng: random.Random) -> Mutant:
    """Odd things to load: a folder, a missing file, a symlink loop, odd file names."""
    how = rng.choice(["folder", "missing", "loop", "symlink", "name", "name", "name", "name"])
    mutant = Mutant("scenario", seed, TINY, f"tests/scenarios/m{seed}.yaml", operators=[how])
    if how == "folder":
        mutant.entry = rng.choice(["tests/scenarios", "scenarios/sweeps", "."])
    elif how == "loop":
        a, b = f"tests/scenarios/m{seed}.yaml", f"tests/scenarios/m{seed}_b.yaml"
        mutant.links = {a: Path(b).name, b: Path(a).name}
    elif how == "symlink":
        mutant.links = {mutant.entry: "tiny.yaml"}
    elif how == "name":
        stem = rng.choice(
            [" space", ",a;b", "-Україна", "\n", "\udcff", "x" * 200, "..", "$(id)", "*", "%n"]
        )
        name = rng.choice([f"m{seed}{stem}.yaml", f".m{seed}{stem}.yaml", f"m{seed}{stem}"])
        mutant.entry = f"tests/scenarios/{name}"
        text, done = mutate(TINY, rng) if rng.random() < 0.4 else (library()[TINY], [])
        mutant.files = {mutant.entry: text}
        mutant.operators += [f"file {name!r}", *done]
    return mutant


def sweep_mutant(seed: int) -> Mutant:
    """One sweep-file mutant, or a sweep file over a mutated base scenario."""
    rng = random.Random(f"sweep:{seed}")
    source = rng.choice([*[TINY_SWEEP] * 6, *_sources("scenarios/sweeps/")])
    folder = Path(source).parent
    if rng.random() < 0.2:
        base_rel = TINY if source == TINY_SWEEP else BASELINE
        text, done = mutate(base_rel, rng)
        mutated = f"{Path(base_rel).parent}/m{seed}_base.yaml"
        sweep = copy.deepcopy(_tree(source))
        sweep["base"] = posixpath.relpath(mutated, folder.as_posix())
        files = {mutated: text, f"{folder}/m{seed}.yaml": dump(sweep)}
        return Mutant("sweep", seed, source, f"{folder}/m{seed}.yaml", files, operators=done)
    text, done = mutate(source, rng, SWEEP_OPS)
    entry = f"{folder}/m{seed}.yaml"
    return Mutant("sweep", seed, source, entry, {entry: text}, operators=done)


if __name__ == "__main__":
    kind, seed, out = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    write_library(out / "lib")
    made = (scenario_mutant if kind == "scenario" else sweep_mutant)(seed)
    print(made.describe())
    print(made.write(out / "lib"))
