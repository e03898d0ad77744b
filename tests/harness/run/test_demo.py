"""drivecert demo: the README's main job, offline, in well under three minutes."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pandas as pd


def test_demo_runs_offline_and_prints_the_queries_saved(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", "demo", "--out", str(out), "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
        env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin", "COLUMNS": "160"},
    )
    elapsed = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    assert elapsed < 180, elapsed
    assert "for fixed n = 200" in done.stdout and "% saved" in done.stdout
    certificates = pd.read_csv(out / "certificates.csv")
    assert len(certificates) == 4 * 5 * 4  # weathers x controls x questions
    assert set(certificates["condition"].str.extract(r"weather=(\w+)")[0]) == {
        "ClearNoon",
        "HardRainNoon",
        "ClearNight",
        "DenseFogNoon",
    }
    assert certificates["method"].str.startswith("beta-binomial+bonferroni(K=80)").all()
    assert certificates["n"].sum() < 80 * 200 / 3  # sequential mode saved most queries
    rain_red = certificates[
        (certificates["condition"] == "weather=HardRainNoon,control=light_red")
        & (certificates["question"] == "stop_needed")
    ]
    assert rain_red["decision"].tolist() == ["unsafe"]
