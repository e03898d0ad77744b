"""``drivecert export``: a run's results as one Parquet or CSV file.

Rows come in the run's own order (condition, question, sample as planned), with every
column of the store (README documents them), so that ``drivecert certify`` on the file
gives the run's own certificates.csv.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Literal, get_args

import pandas as pd

from drivecert import UsageError, write_atomic
from harness.run._plan import Plan, SweepPlan
from harness.run._rundir import read_run_config
from harness.store import FILE_NAME, Store

ExportFormat = Literal["parquet", "csv"]
FORMATS: tuple[ExportFormat, ...] = get_args(ExportFormat)


def run_rows(root: Path, plan: SweepPlan | None = None) -> pd.DataFrame:
    """Every stored row of the run or sweep in ``root``, in its order (``plan``: its plans,
    when the caller has read them already).

    Raises:
        UsageError: when ``root`` holds no run or no store.
    """
    from harness.run._sweep import stored_plan

    if read_run_config(root) is None or not (root / FILE_NAME).is_file():
        raise UsageError(f"{root} holds no drivecert run with results; give a run directory")
    plan = plan or stored_plan(root)
    with Store.open(root / FILE_NAME) as store:
        return ordered_rows(store, plan)


def ordered_rows(store: Store, plan: Plan | SweepPlan) -> pd.DataFrame:
    """Every column of every stored row, in the plan's order (scenario, model, condition,
    question, sample)."""
    return plan.in_order(store.frame())


def export_run(root: Path, fmt: str, out: Path | None = None) -> Path:
    """Write the run's rows to ``out`` (default ``root/results.<fmt>``), atomically.

    Raises:
        UsageError: on an unknown format or a folder that holds no run.
    """
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    table = run_rows(root)
    target = out if out is not None else root / f"results.{fmt}"
    if target.is_dir():
        raise UsageError(f"--out {target} is a folder; give a file name")
    if fmt == "parquet":
        buffer = io.BytesIO()
        table.to_parquet(buffer, index=False)
        return write_atomic(target, buffer.getvalue())
    frames = table.assign(
        frames=table["frames"].map(lambda shas: " ".join(shas)),
        safe=table["safe"].map(lambda answers: " ".join(answers)),
    )
    return write_atomic(target, frames.to_csv(index=False))
