"""The package layout is the architecture (docs/architecture.md): each stage imports only
the stages before it, no modules import each other in a circle, and no module grows past
~400 lines. Every import counts, including those under TYPE_CHECKING or inside functions."""

import ast
import graphlib
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sim"
# a stage may import its own modules and those of earlier stages; sweeps and classroom
# share a rank, so neither may import the other
STAGE_RANK = {
    "scenario": 0,
    "negotiation": 1,
    "analysis": 2,
    "reporting": 3,
    "sweeps": 4,
    "classroom": 4,
}
TOP_RANK = 5  # sim/__init__.py (the public API) and sim/cli.py
MAX_LINES = 400


def package_sources() -> dict[str, str]:
    """Dotted module name -> source, for every module of the package."""
    sources = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ("sim", *path.relative_to(PACKAGE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        sources[".".join(parts)] = path.read_text(encoding="utf-8")
    return sources


def is_package(module: str, sources: dict[str, str]) -> bool:
    return any(other.startswith(module + ".") for other in sources)


def imported_modules(module: str, source: str, sources: dict[str, str]) -> set[str]:
    """The package's modules that `module` imports anywhere in its source."""
    found = set()
    here = module.split(".") if is_package(module, sources) else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = here[: len(here) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            # `from . import data` imports a module; `from .data import Scenario` a name
            modules = [f"{base}.{alias.name}" for alias in node.names]
            targets = modules if all(m in sources for m in modules) else [base, *modules]
        else:
            continue
        found.update(t for t in targets if t in sources and t != module)
    return found


def stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGE_RANK else None


def rank(module: str) -> int:
    return TOP_RANK if stage(module) is None else STAGE_RANK[stage(module)]


def backward_imports(sources: dict[str, str]) -> list[str]:
    """Each import of a later stage, or of another stage of the same rank, as a sentence."""
    wrong = []
    for module, source in sources.items():
        for target in sorted(imported_modules(module, source, sources)):
            same_stage = stage(module) == stage(target)
            if rank(target) > rank(module) or (rank(target) == rank(module) and not same_stage):
                wrong.append(f"{module} imports {target}")
    return wrong


def import_cycle(sources: dict[str, str]) -> list[str] | None:
    """A circle of modules importing each other, or None."""
    graph = {m: imported_modules(m, s, sources) for m, s in sources.items()}
    try:
        tuple(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as cycle:
        return list(cycle.args[1])
    return None


def test_every_import_goes_to_an_earlier_stage():
    wrong = backward_imports(package_sources())
    assert not wrong, "backward imports: " + "; ".join(wrong)


def test_no_modules_import_each_other_in_a_circle():
    cycle = import_cycle(package_sources())
    assert cycle is None, "modules in a circle: " + " -> ".join(cycle or ())


@pytest.mark.parametrize(
    ("module", "added", "target"),
    [
        (
            "sim.scenario.loader",
            "from ..reporting.report import write_report\n",
            "reporting.report",
        ),
        (
            "sim.scenario.loader",
            "def f():\n    from ..negotiation import runner\n",
            "negotiation.runner",
        ),
        ("sim.negotiation.model", "if TYPE_CHECKING:\n    import sim.cli\n", "cli"),
        ("sim.analysis.zopa", "from ..reporting import narrative\n", "reporting.narrative"),
        ("sim.sweeps.spec", "from ..classroom.play import play\n", "classroom.play"),
        ("sim.classroom.page", "from ..sweeps import spec\n", "sweeps.spec"),
    ],
    ids=["at the top", "in a function", "for typing", "analysis to reporting", "sideways", "back"],
)
def test_a_backward_import_is_caught_wherever_it_hides(module, added, target):
    sources = package_sources()
    broken = {**sources, module: sources[module] + added}
    assert backward_imports(broken) == [f"{module} imports sim.{target}"]


def test_a_circle_within_a_stage_is_caught():
    sources = package_sources()
    circular = {
        **sources,
        "sim.scenario.names": sources["sim.scenario.names"] + "from . import loader\n",
    }
    assert backward_imports(circular) == []  # same stage: only the circle is wrong
    cycle = import_cycle(circular)
    assert cycle is not None and "sim.scenario.names" in cycle


@pytest.mark.parametrize("sub_package", sorted(STAGE_RANK))
def test_each_stage_says_what_it_holds_and_may_import(sub_package):
    docstring = ast.get_docstring(ast.parse((PACKAGE / sub_package / "__init__.py").read_text()))
    assert docstring and "import" in docstring.lower()


def test_no_module_is_longer_than_a_reader_can_hold():
    long = {m: s.count("\n") for m, s in package_sources().items() if s.count("\n") > MAX_LINES}
    assert long == {}
