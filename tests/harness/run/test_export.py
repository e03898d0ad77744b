"""drivecert export: Parquet and CSV that certify back to the run's own certificates."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from harness.cli import main
from harness.store import COLUMNS


def cli(args: list[str], capsys) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


@pytest.mark.parametrize("sequential", [False, True])
def test_parquet_and_csv_certify_back_to_the_runs_certificates(
    tmp_path: Path,
    capsys,
    run_settings,
    sequential: bool,  # type: ignore[no-untyped-def]
) -> None:
    run = tmp_path / "run"
    model = "scripted:noisy?error=0.2&weather.HardRainNoon=0.7&fail=0.05"
    run_settings(run, model=model, sequential=sequential, n_max=30, retries=0)
    method = "beta-binomial" if sequential else "clopper-pearson"
    for fmt in ("parquet", "csv"):
        target = tmp_path / f"rows.{fmt}"
        code, out, err = cli(["export", str(run), "--format", fmt, "--out", str(target)], capsys)
        assert code == 0 and str(target) in out, err
        again = tmp_path / f"again-{fmt}"
        args = ["certify", str(target), "--out", str(again), "--method", method]
        code, _, err = cli(args, capsys)
        assert code == 0, err
        assert (again / "certificates.csv").read_bytes() == (run / "certificates.csv").read_bytes()
    rows = pd.read_parquet(tmp_path / "rows.parquet")
    assert (rows["status"] == "failed").any() and len(rows.columns) == len(COLUMNS)
    assert not rows.duplicated(["condition", "sample", "question"]).any()


def test_export_errors_are_one_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli(["export", str(tmp_path), "--format", "parquet"], capsys)
    assert code == 2 and "holds no drivecert run" in err
    code, _, err = cli(["export", str(tmp_path), "--format", "xlsx"], capsys)
    assert code == 2 and "unknown export format 'xlsx'" in err
