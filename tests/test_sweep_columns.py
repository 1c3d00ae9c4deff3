"""A big sweep's report in bounded memory: rows read from the store a column at a time
give the summary of the whole frame, and the Sobol bootstrap drawn in blocks gives the
indices of one block with intervals of the same size."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from test_sweep_summary import a_sweep, design_rows, ishigami, ishigami_rows

import sim.sweeps.indices
from sim.sweeps.indices import sensitivity
from sim.sweeps.spec import Design
from sim.sweeps.store import RunStore, StoredRows
from sim.sweeps.summary import summarize

FORMATS = ["csv", "parquet"]


def stored(tmp_path, rows: pd.DataFrame, kind: str, part: int = 37) -> RunStore:
    """The rows written in parts of `part` runs, as a sweep writes them."""
    store = RunStore(tmp_path / kind)
    store.format = kind
    records = rows.to_dict("records")
    for start in range(0, len(records), part):
        store.write(records[start : start + part])
    return store


@pytest.mark.parametrize("kind", FORMATS)
def test_stored_rows_read_column_by_column_are_the_rows_of_the_whole_frame(tmp_path, kind):
    store = stored(tmp_path, design_rows(a_sweep()), kind)
    whole = store.read()
    rows = store.rows(whole_up_to=0)
    assert isinstance(rows, StoredRows) and len(rows) == len(whole) == 160
    assert rows.columns == list(whole.columns)
    for name in whole.columns:
        assert rows[name].astype(str).tolist() == whole[name].astype(str).tolist(), name
    positions = np.array([0, 36, 37, 100, 159])
    taken = rows.take(positions).astype(str)
    assert taken.equals(whole.iloc[positions].reset_index(drop=True).astype(str))
    some = ["status", whole.columns[5]]
    assert rows.take(positions, some).astype(str).equals(taken[some])
    with pytest.raises(KeyError):
        rows["no.such.column"]


def test_small_stores_are_read_whole(tmp_path):
    store = stored(tmp_path, design_rows(a_sweep()), "parquet")
    assert isinstance(store.rows(), pd.DataFrame)
    assert isinstance(store.rows(whole_up_to=159), StoredRows)


@pytest.mark.parametrize("kind", FORMATS)
def test_the_summary_of_stored_rows_is_the_summary_of_the_whole_frame(tmp_path, kind):
    sweep = a_sweep()
    store = stored(tmp_path, design_rows(sweep), kind)
    from_columns = summarize(sweep, store.rows(whole_up_to=0))
    assert from_columns == summarize(sweep, store.read())
    assert from_columns["indices"]["outputs"]["round"]["ST"] is not None


def test_recorded_values_checked_a_block_of_sets_at_a_time_still_catch_an_edited_sweep(
    monkeypatch,
):
    monkeypatch.setattr(sim.sweeps.indices, "MISMATCH_BLOCK", 7)  # sets 0-6, 7-13, ...
    sweep = a_sweep()
    rows = design_rows(sweep)
    assert sensitivity(sweep, rows)["note"] is None
    assert "changed after the runs" in sensitivity(replace(sweep, seed=4), rows)["note"]
    path = [p.path for p in sweep.parameters if not (p.values or p.integer)][-1]
    rows.loc[rows["sample"] == 30, path] += 0.01  # in the fifth block
    assert f"{path} is" in sensitivity(sweep, rows)["note"]
    assert "parameter set 30 " in sensitivity(sweep, rows)["note"]


@pytest.mark.parametrize("second_order", [False, True])
def test_a_bootstrap_drawn_in_blocks_keeps_the_indices_and_the_size_of_their_intervals(
    monkeypatch, second_order
):
    sweep = replace(ishigami(), design=Design("sobol", 1024, second_order=second_order))
    rows = ishigami_rows(sweep)
    whole = sensitivity(sweep, rows)["outputs"]["y"]
    monkeypatch.setattr(sim.sweeps.indices, "BOOTSTRAP_CELLS", 1024 * 7)  # blocks of 7
    blocked = sensitivity(sweep, rows)["outputs"]["y"]
    keys = ["S1", "ST"] + (["S2"] if second_order else [])
    for key in keys:
        assert blocked[key] == whole[key]  # the estimates use every sample, not resamples
        intervals = np.array(blocked[f"{key}_conf"], dtype=float)
        expected = np.array(whole[f"{key}_conf"], dtype=float)
        assert not np.allclose(intervals, expected, rtol=1e-6, equal_nan=True)  # redrawn
        known = ~np.isnan(expected)
        ratio = intervals[known] / expected[known]
        assert ((ratio > 0.6) & (ratio < 1.6)).all(), (key, ratio)
