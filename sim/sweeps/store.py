"""Where a sweep's rows live: part files under <folder>/runs/, each written whole.

A part is written to a temporary name and renamed when complete, so killing the sweep
loses only the runs in flight, and the run indices in the parts say what is done.
Parquet (pyarrow) when installed, CSV otherwise; a folder keeps the format it began with.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd


def default_format() -> str:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return "csv"
    return "parquet"


class RunStore:
    """The rows of one sweep, appended a part at a time."""

    def __init__(self, folder: Path):
        self.folder = Path(folder) / "runs"
        existing = {p.suffix.lstrip(".") for p in self.parts()}
        self.format = existing.pop() if len(existing) == 1 else default_format()

    def parts(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(p for p in self.folder.iterdir() if p.suffix in (".csv", ".parquet"))

    def write(self, rows: list[dict]) -> None:
        """Add the rows of finished runs as one new part file."""
        if not rows:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        frame = pd.DataFrame(rows)
        name = f"part-{rows[0]['run']:09d}-{rows[-1]['run']:09d}.{self.format}"
        temporary = self.folder / f".{name}.{os.getpid()}.tmp"
        if self.format == "parquet":
            frame.to_parquet(temporary, index=False)
        else:
            frame.to_csv(temporary, index=False)
        temporary.replace(self.folder / name)

    def done(self) -> set[int]:
        """Indices of the runs already stored."""
        done: set[int] = set()
        for part in self.parts():
            done.update(self._read(part, columns=["run"])["run"].tolist())
        return done

    def read(self) -> pd.DataFrame:
        """All rows, ordered by run index."""
        parts = self.parts()
        if not parts:
            return pd.DataFrame()
        if all(part.suffix == ".parquet" for part in parts):
            import pyarrow as pa
            import pyarrow.parquet as pq

            # one Arrow table, converted once: far lighter than a DataFrame per part
            frame = pa.concat_tables([pq.read_table(part) for part in parts]).to_pandas(
                strings_to_categorical=True
            )
        else:
            frame = pd.concat([self._read(part) for part in parts], ignore_index=True)
        return frame.sort_values("run", ignore_index=True)

    def _read(self, part: Path, columns=None) -> pd.DataFrame:
        if part.suffix == ".parquet":
            return pd.read_parquet(part, columns=columns)
        return pd.read_csv(part, usecols=columns)
