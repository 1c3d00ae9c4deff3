"""The EMA workbench's PRIM, run once on a sweep's rows: a yardstick for negsim's own PRIM.

Reads the Parquet part files in SWEEP_FOLDER/runs, takes the five parameter columns as x and
a case as y (`status=agreement`: `status == "agreement"`; `territory=freeze_line`:
`point.territory == "freeze_line"`), runs `ema_workbench.analysis.prim.Prim(...).find_box()`
and prints as JSON the settings, the peeling and pasting trajectory (coverage, density, mass,
restricted parameters per step) and the box chosen as negsim chooses: the densest box on the
trajectory with coverage >= 0.5, with its limits and quasi-p-values.

    python3.12 -m venv .venv-ema && .venv-ema/bin/pip install ema_workbench pyarrow pandas
    .venv-ema/bin/python benchmarks/ema_prim.py SWEEP_FOLDER --case status=agreement

Not a dependency of negsim, nor imported by it: the EMA workbench needs Python 3.12 and its own
stack (matplotlib, seaborn, statsmodels, SALib, ...), so it lives in a virtualenv of its own
(as above). ema_workbench 2.x takes a required `threshold`
(a final box less dense than it is swapped for the whole space); 3.x has none, and
`--threshold` is then not passed.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
from pathlib import Path

import ema_workbench
import pandas as pd
from ema_workbench.analysis import prim

PARAMETERS = [
    "parties.usa.influence.ukraine.strength",
    "parties.europe.influence.ukraine.strength",
    "parties.russia.reservation",
    "parties.ukraine.domestic.threshold",
    "protocol.bias",
]
MIN_COVERAGE = 0.5


def restricted(box, i: int) -> list[str]:
    lims, init = box.box_lims[i], box.box_lims[0]
    return [c for c in PARAMETERS if (lims[c] != init[c]).any()]


def quasi_p(value) -> float | None:
    return None if value is None or value == -1 or value != value else float(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--case", default="status=agreement", help="status=X or territory=X")
    parser.add_argument("--threshold", type=float, default=0.8)
    args = parser.parse_args()
    key, value = args.case.split("=", 1)
    column = "status" if key == "status" else f"point.{key}"

    rows = pd.read_parquet(args.folder / "runs", columns=[*PARAMETERS, column])
    x = rows[PARAMETERS].astype(float).reset_index(drop=True)
    y = (rows[column] == value).to_numpy(dtype=bool)
    settings = {"peel_alpha": 0.05, "paste_alpha": 0.05, "mass_min": 0.05}
    if "threshold" in inspect.signature(prim.Prim).parameters:
        settings["threshold"] = args.threshold
    alg = prim.Prim(x, y, **settings)
    box = alg.find_box()

    trajectory = [
        {
            "id": int(step["id"]),
            "coverage": float(step["coverage"]),
            "density": float(step["density"]),
            "mass": float(step["mass"]),
            "restricted": restricted(box, i),
        }
        for i, step in box.peeling_trajectory.reset_index(drop=True).iterrows()
    ]
    eligible = [s for s in trajectory if s["coverage"] >= MIN_COVERAGE]
    best = max(eligible, key=lambda s: s["density"])  # first of the densest: the widest
    box.select(best["id"])
    qp = (box.p_values if hasattr(box, "p_values") else box.qp)[best["id"]]
    chosen = {
        "id": best["id"],
        "coverage": float(box.coverage),
        "density": float(box.density),
        "mass": float(box.mass),
        "limits": {c: [float(v) for v in box.box_lims[best["id"]][c]] for c in best["restricted"]},
        "quasi_p": {c: [quasi_p(v) for v in qp[c]] for c in best["restricted"]},
    }
    report = {
        "ema_workbench": ema_workbench.__version__,
        "python": sys.version.split()[0],
        "folder": str(args.folder),
        "case": args.case,
        "runs": len(y),
        "cases": int(y.sum()),
        "base_density": float(y.mean()),
        "settings": settings | {"threshold_passed": "threshold" in settings},
        "selection": f"densest trajectory box with coverage >= {MIN_COVERAGE}",
        "trajectory": trajectory,
        "chosen": chosen,
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
