"""negsim: multi-party negotiations as Mesa agents over a proposal space of points.

    import sim
    scenario = sim.load_scenario("scenarios/baseline.yaml")
    result = sim.run(scenario, seed=1)  # or sim.run("scenarios/baseline.yaml", seed=1)
    result.outcome.status, result.rounds
    sim.mix("scenarios/baseline.yaml", seeds=range(1, 1001), jobs=2).counts
    sim.sweep("scenarios/sweeps/baseline_sobol.yaml", jobs=2).indices

Heavy modules (Mesa, numpy, plotly) load on first use so that the CLI starts fast.
"""

from .scenario.errors import ScenarioError
from .scenario.loader import load_scenario

__all__ = ["RunResult", "ScenarioError", "discover", "load_scenario", "mix", "run", "sweep"]


def __getattr__(name: str):
    if name in ("run", "RunResult"):
        from .negotiation import runner

        return getattr(runner, name)
    if name == "mix":
        from .reporting.mix import mix

        return mix
    if name == "sweep":
        from .sweeps import sweep

        return sweep
    if name == "discover":
        from .sweeps.discovery import discover

        return discover
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
