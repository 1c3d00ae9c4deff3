"""Writing a run's folder: outcome.json, rounds.csv, manifest.json, report.html.

Files are written to a temporary folder beside the target and moved into place at the
end, so a failed run never leaves a partial or corrupt results folder.
"""

from __future__ import annotations

import json
import platform
import shutil
import tempfile
from importlib import metadata
from pathlib import Path

from .runner import RunResult

PACKAGES = (
    "negsim",
    "mesa",
    "numpy",
    "pandas",
    "plotly",
    "pyyaml",
    "click",
    "scipy",
    "salib",
    "distributed",
    "pyarrow",
)


def run_folder(result: RunResult, results_root: Path) -> Path:
    """results/<scenario>/seed-<seed>-<digest>: the same scenario and seed reuse it."""
    scenario = result.model.spec
    return results_root / scenario.name / f"seed-{result.outcome.seed}-{scenario.digest[:10]}"


def outcome_record(result: RunResult) -> dict:
    """outcome.json: the outcome and the efficiency of its final text."""
    return {**result.outcome.as_dict(), "efficiency": result.efficiency}


def versions() -> dict[str, str | None]:
    """Python's and the relevant packages' versions, for manifests."""
    found = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    return found


def manifest(result: RunResult, command_line: list[str]) -> dict:
    """What is needed to reproduce the run: scenario hash, seed, versions, command."""
    return {
        "scenario": result.model.spec.name,
        "scenario_file": result.model.spec.source,
        "scenario_sha256": result.model.spec.digest,
        "seed": result.outcome.seed,
        "versions": versions(),
        "command_line": command_line,
    }


def write_run(result: RunResult, folder: Path, command_line: list[str]) -> Path:
    """Write the four files of a run into `folder` (replacing it whole)."""
    from .report import write_report

    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; results are meant to be shared
    try:
        (staging / "outcome.json").write_text(
            json.dumps(outcome_record(result), indent=2) + "\n", encoding="utf-8"
        )
        result.rounds.to_csv(staging / "rounds.csv", index=False, float_format="%.6f")
        (staging / "manifest.json").write_text(
            json.dumps(manifest(result, command_line), indent=2) + "\n",
            encoding="utf-8",
        )
        write_report(result, staging / "report.html")
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder
