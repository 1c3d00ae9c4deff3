"""Where a sweep's rows live: part files under <folder>/runs/, each holding one block of
run indices, written whole, and checked when read.

`part-000000100-000000149.parquet` holds exactly runs 100 to 149. Blocks are fixed by the
sweep's size, not by the number of jobs, so however a sweep is chunked, killed and
resumed, a run is stored in one part. A part is written to a temporary name and renamed
when complete; reading checks that it parses, has the row columns without gaps and holds
exactly the runs its name says, and a part that does not is *damaged*: reported, left
out of the rows, and re-run on --resume. One writer at a time holds the folder's lock.
Parquet (pyarrow) when installed, CSV otherwise; a folder keeps the format it began with.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from ..scenario.errors import ScenarioError

REQUIRED = ("run", "sample", "replication", "seed", "status", "round")  # every row has them
PART_NAME = re.compile(r"part-(\d{9})-(\d{9})\.(parquet|csv)")
LOCK_NAME = ".sweep.lock"
WHOLE_ROWS = 131_072  # runs whose rows are read whole (some 70 MB), not a column at a time
DAMAGED = ".damaged"  # suffix a damaged part is renamed with before its runs are re-run


def default_format() -> str:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return "csv"
    return "parquet"


def write_atomic(path: Path, data: bytes | str | Iterable[str]) -> None:
    """Write a file whole or not at all: a temporary file beside it, flushed to disk, then
    renamed over it, so a kill leaves the old file or the new one, never part of one.
    `data` may be text in pieces, written one after another."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pieces = [data] if isinstance(data, bytes | str) else data
    try:
        with open(temporary, "wb") as file:
            for piece in pieces:
                file.write(piece.encode("utf-8") if isinstance(piece, str) else piece)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def remove_temporaries(folder: Path) -> None:
    """What killed writers left behind (call only while holding the folder's lock)."""
    for where in (Path(folder), Path(folder) / "runs"):
        if where.is_dir():
            for leftover in where.glob(".*.tmp"):
                leftover.unlink(missing_ok=True)


class FolderLock:
    """The sweep folder's write lock, an flock on <folder>/.sweep.lock held while a sweep
    writes. The system releases it when its holder ends, even by SIGKILL, so a killed
    sweep never blocks its own --resume. The file stays (deleting it would race)."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / LOCK_NAME
        self._file = None

    def __enter__(self) -> FolderLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        file = open(self.path, "a+", encoding="utf-8")  # held until __exit__
        if not _try_lock(file):
            file.seek(0)
            holder = file.read().strip()
            file.close()
            who = f"another sweep (pid {holder})" if holder.isdigit() else "another sweep"
            raise ScenarioError(
                str(self.path.parent),
                0,
                "(results)",
                f"{who} is writing this folder: wait until it ends, or use another --out",
            )
        file.seek(0)
        file.truncate()
        file.write(f"{os.getpid()}\n")
        file.flush()
        self._file = file
        return self

    def __exit__(self, *exc) -> None:
        if self._file is not None:
            self._file.close()  # closing the file releases the lock
            self._file = None


def _try_lock(file) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt

        try:
            msvcrt.locking(file.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def part_name(first: int, last: int, kind: str) -> str:
    return f"part-{first:09d}-{last:09d}.{kind}"


class RunStore:
    """The rows of one sweep, a part file per block of runs; `runs`, when known, is the
    sweep's run count (a part holding a run at or past it is damaged); `kind`, when
    known, the parts' format (else that of the parts found, or the default)."""

    def __init__(self, folder: Path, runs: int | None = None, kind: str | None = None):
        self.folder = Path(folder) / "runs"
        self.runs = runs
        self.damaged: dict[Path, str] = {}  # part -> what is wrong with it, as last read
        if kind is None:
            existing = {p.suffix.lstrip(".") for p in self.parts()}
            kind = existing.pop() if len(existing) == 1 else default_format()
        self.format = kind

    def parts(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(p for p in self.folder.iterdir() if p.suffix in (".csv", ".parquet"))

    def write(self, rows: list[dict]) -> None:
        """Store the rows of consecutive finished runs as one part file."""
        if not rows:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        frame = pd.DataFrame(rows)
        name = part_name(rows[0]["run"], rows[-1]["run"], self.format)
        if self.format == "parquet":
            buffer = io.BytesIO()
            frame.to_parquet(buffer, index=False)
            data = buffer.getvalue()
        else:
            data = frame.to_csv(index=False).encode("utf-8")
        write_atomic(self.folder / name, data)

    def done(self) -> np.ndarray:
        """Indices of the runs stored in sound parts, sorted, each once (`damaged` lists
        the others): 8 bytes a run, not a set's 60 or so."""
        found = [runs for _, _, runs in self._sound(REQUIRED)]
        return np.unique(np.concatenate(found)) if found else np.array([], dtype=np.int64)

    def read(self) -> pd.DataFrame:
        """All rows of the sound parts, one per run, ordered by run index."""
        loaded = [data for _, data, _ in self._sound()]
        if not loaded:
            return pd.DataFrame()
        if self.format == "parquet" and all(isinstance(d, _Table) for d in loaded):
            import pyarrow as pa

            # one Arrow table, converted once and freed as it is (texts are read as
            # dictionaries: a million runs make 170 MB of frame)
            table = pa.concat_tables(loaded)
            del loaded
            frame = table.to_pandas(self_destruct=True, split_blocks=True)
            del table
            pa.default_memory_pool().release_unused()  # what the conversion freed, to the
            # system: the summary's arrays (SALib's bootstrap) need it next
        else:
            frame = pd.concat([_frame(d) for d in loaded], ignore_index=True)
        runs = frame["run"].to_numpy()
        if (np.diff(runs) > 0).all():  # sound parts in name order: already one row a run
            return frame
        frame = frame.sort_values("run", kind="stable", ignore_index=True)
        # parts written before runs were stored by block may overlap: keep one row a run
        return frame.drop_duplicates("run", ignore_index=True)

    def rows(self, whole_up_to: int = WHOLE_ROWS) -> StoredRows | pd.DataFrame:
        """The rows of the sound parts: up to `whole_up_to` runs (or where parts written
        before runs were stored by block overlap) the whole frame (`read`), past it
        `StoredRows`, read a column at a time when asked for."""
        named = [PART_NAME.fullmatch(part.name) for part in self.parts()]
        if sum(int(name[2]) - int(name[1]) + 1 for name in named if name) <= whole_up_to:
            return self.read()  # one pass: the names tell the size before any part is read
        sound = [(part, runs) for part, _, runs in self._sound(REQUIRED)]
        runs = np.concatenate([r for _, r in sound]) if sound else np.array([], np.int64)
        if (np.diff(runs) <= 0).any():
            return self.read()
        return StoredRows([part for part, _ in sound], len(runs))

    def set_aside_damaged(self) -> list[tuple[Path, str]]:
        """Rename each damaged part that the last `done()` or `read()` found to
        `<name>.damaged` (kept for inspection), so that its runs are re-run; call only
        while holding the folder's lock."""
        moved = list(self.damaged.items())
        for part, _ in moved:
            part.replace(part.with_name(part.name + DAMAGED))
        self.damaged = {}
        return moved

    def _sound(self, columns=None):
        """(part, data, runs) of each sound part; each unsound one goes to `damaged`."""
        self.damaged = {}
        for part in self.parts():
            try:
                data, runs = self._load(part, columns)
            except _Damaged as problem:
                self.damaged[part] = str(problem)
            else:
                yield part, data, runs

    def _load(self, part: Path, columns):
        named = PART_NAME.fullmatch(part.name)
        if named is None:
            raise _Damaged("not a part file's name (part-FIRST-LAST)")
        first, last = int(named[1]), int(named[2])
        if self.runs is not None and last >= self.runs:
            raise _Damaged(f"holds run {last}, but the sweep has runs 0 to {self.runs - 1}")
        try:
            data = _read_part(part, columns)
        except Exception as err:  # any failure to parse is damage
            raise _Damaged(f"unreadable ({_first_line(err)})") from None
        names = data.column_names if isinstance(data, _Table) else list(data.columns)
        missing = [c for c in REQUIRED if c not in names]
        if missing:
            raise _Damaged(f"no column {', '.join(missing)}")
        gaps = [c for c in REQUIRED if _nulls(data, c)]
        if gaps:
            raise _Damaged(f"missing values in column {', '.join(gaps)}")
        runs = _column(data, "run")
        if not np.array_equal(runs, np.arange(first, last + 1)):
            raise _Damaged(f"holds {len(runs)} rows, not runs {first} to {last} each once")
        return data, runs


class StoredRows:
    """A sweep's rows, one per run in run order, left in their part files and read a
    column at a time: `rows[name]` (a Series), `rows.take(positions)` (a frame of those
    runs), `len(rows)`, `rows.columns`, as a DataFrame answers them. A million runs'
    rows are some 550 MB whole; one column is 7 MB (a text column, 1 MB of codes)."""

    def __init__(self, parts: list[Path], count: int):
        self.parts, self.count = parts, count
        self._parquet = bool(parts) and parts[0].suffix == ".parquet"
        self.columns: list[str] = []  # the first part's, read from its footer or header
        if self._parquet:  # footers are parsed as each column is read (a fifth of a
            import pyarrow.parquet as pq  # millisecond each): held, 200 take 21 MB

            self.columns = pq.read_schema(parts[0]).names
        elif parts:
            self.columns = list(pd.read_csv(parts[0], nrows=0).columns)

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, name: str) -> pd.Series:
        if name not in self.columns:
            raise KeyError(name)
        if not self._parquet:
            return pd.concat(
                [pd.read_csv(part, usecols=[name])[name] for part in self.parts],
                ignore_index=True,
            )
        import pyarrow.parquet as pq

        # part by part into one array (codes and categories for a text), so that only a
        # part's worth of Arrow memory is ever held, and no chunked copy is made
        values, categories, start = None, {}, 0
        for part in self.parts:
            with pq.ParquetFile(part, read_dictionary=[name]) as file:
                for chunk in file.read(columns=[name]).column(0).chunks:
                    if hasattr(chunk, "dictionary"):  # a text: its codes, made global
                        texts = chunk.dictionary.to_pylist()
                        known = [categories.setdefault(t, len(categories)) for t in texts]
                        codes = np.array([*known, -1], dtype=np.int32)
                        chunk = codes[chunk.indices.fill_null(-1).to_numpy()]
                    else:
                        chunk = chunk.to_numpy(zero_copy_only=False)
                    if values is None:
                        values = np.empty(self.count, dtype=chunk.dtype)
                    elif np.result_type(values, chunk) != values.dtype:
                        values = values.astype(np.result_type(values, chunk))
                    values[start : start + len(chunk)] = chunk
                    start += len(chunk)
        if categories:
            values = pd.Categorical.from_codes(values, list(categories))
        return pd.Series(values, name=name)

    def take(self, positions: np.ndarray, columns: list[str] | None = None) -> pd.DataFrame:
        """The rows at the sorted `positions` (0 is the first run), read part by part;
        only the `columns` given, if given."""
        frames, start = [], 0
        for part in self.parts:
            data = _read_part(part, columns)
            size = data.num_rows if isinstance(data, _Table) else len(data)
            inside = positions[(positions >= start) & (positions < start + size)] - start
            frames.append(data.take(inside) if isinstance(data, _Table) else data.iloc[inside])
            start += size
        if self._parquet:
            import pyarrow as pa

            taken = pa.concat_tables(frames).to_pandas()
        else:
            taken = pd.concat(frames, ignore_index=True)
        return taken if columns is None else taken[columns]  # in the order asked for


Rows = pd.DataFrame | StoredRows  # one row per run: a frame, or read column by column


def take_runs(rows: Rows, positions: np.ndarray, columns: list[str]) -> pd.DataFrame:
    """The runs at the sorted `positions`, with the `columns` given only."""
    if isinstance(rows, StoredRows):
        return rows.take(positions, columns)
    return rows.iloc[positions][columns].reset_index(drop=True)


def in_run_order(rows: Rows) -> Rows:
    """The rows sorted by run (a frame handed over in another order is copied sorted; a
    store's rows are in run order already)."""
    if isinstance(rows, pd.DataFrame) and len(rows) and not rows["run"].is_monotonic_increasing:
        return rows.sort_values("run", ignore_index=True)
    return rows


class _Damaged(Exception):
    pass


try:
    from pyarrow import Table as _Table
except ImportError:  # no pyarrow: every part is CSV

    class _Table:  # type: ignore[no-redef]
        pass


def _read_part(part: Path, columns):
    if part.suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        # texts (status, options, listed values) as dictionaries: categoricals in pandas,
        # 4 bytes a row instead of a string
        texts = [
            c.name
            for c in pq.read_schema(part)
            if pa.types.is_string(c.type) or pa.types.is_large_string(c.type)
        ]
        return pq.read_table(
            part, columns=list(columns) if columns else None, read_dictionary=texts
        )
    data = part.read_bytes()
    if not data.endswith(b"\n"):  # every row ends with one: the file was cut short
        raise ValueError("the last row is cut short")
    return pd.read_csv(io.BytesIO(data), usecols=list(columns) if columns else None)


def _nulls(data, column: str) -> bool:
    if isinstance(data, _Table):
        return data.column(column).null_count > 0
    return bool(data[column].isna().any())


def _column(data, column: str) -> np.ndarray:
    values = data.column(column).to_numpy() if isinstance(data, _Table) else data[column]
    return np.asarray(values)


def _frame(data) -> pd.DataFrame:
    return data.to_pandas() if isinstance(data, _Table) else data


def _first_line(err: Exception) -> str:
    text = str(err).strip().splitlines()
    return (text[0] if text else type(err).__name__)[:120]
