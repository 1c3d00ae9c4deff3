"""Writing a run's folder: outcome.json, rounds.csv, manifest.json, report.html.

Files are written to a temporary folder beside the target and moved into place at the
end, so a failed run never leaves a partial or corrupt results folder.
"""

from __future__ import annotations

import errno
import json
import os
import platform
import shutil
import tempfile
from importlib import metadata
from pathlib import Path

from ..analysis import run_efficiency
from ..negotiation.runner import RunResult

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
    return {**result.outcome.as_dict(), "efficiency": run_efficiency(result)}


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


def unwritable(results_root: Path) -> OSError | None:
    """Why no run can be written under `results_root`, when that shows before writing:
    the nearest existing folder of the path is a file, or cannot be written."""
    existing = results_root.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return NotADirectoryError(errno.ENOTDIR, "not a folder", str(existing))
    if not os.access(existing, os.W_OK | os.X_OK):
        return PermissionError(errno.EACCES, "not writable", str(existing))
    return None


def write_run(result: RunResult, folder: Path, command_line: list[str]) -> Path:
    """Write the four files of a run into `folder` (replacing it whole). If writing
    fails, nothing is left behind, not even the parent folders it made."""
    from .report import write_report

    made = [p for p in (folder.parent, *folder.parent.parents) if not p.exists()]
    staging = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
        staging.chmod(0o755)  # mkdtemp makes it private; results are meant to be shared
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
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        _remove_empty(made)
        raise
    return folder


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders made for a run that failed, deepest first, unless another run
    has written into one of them meanwhile."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return
