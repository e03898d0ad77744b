"""drivecert demo: the README's main job, offline, in well under three minutes, with a
report that opens in a real browser without asking the network for anything."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, float]:
    """(run directory, printed output, seconds) of one `drivecert demo`."""
    out = tmp_path_factory.mktemp("demo") / "demo"
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", "demo", "--out", str(out), "--quiet"],
        capture_output=True,
        text=True,
        timeout=300,
        env={"HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin", "COLUMNS": "160"},
    )
    assert done.returncode == 0, done.stderr
    return out, done.stdout, time.perf_counter() - started


def test_demo_runs_offline_and_prints_the_queries_saved(demo: tuple[Path, str, float]) -> None:
    out, stdout, elapsed = demo
    assert elapsed < 180, elapsed
    assert "for fixed n = 200" in stdout and "% saved" in stdout
    certificates = pd.read_csv(out / "certificates.csv")
    assert len(certificates) == 4 * 5 * 6  # weathers x controls x questions
    assert set(certificates["condition"].str.extract(r"weather=(\w+)")[0]) == {
        "ClearNoon",
        "HardRainNoon",
        "ClearNight",
        "DenseFogNoon",
    }
    assert certificates["method"].str.startswith("beta-binomial+bonferroni(K=120)").all()
    assert certificates["n"].sum() < 120 * 200 / 2  # sequential mode saved most queries
    rain_red = certificates[
        (certificates["condition"] == "weather=HardRainNoon,control=light_red")
        & (certificates["question"] == "stop_needed")
    ]
    assert rain_red["decision"].tolist() == ["unsafe"]


def test_demo_shows_how_many_unsafe_decisions_came_with_a_perception_error(
    demo: tuple[Path, str, float],
) -> None:
    out, stdout, _ = demo
    assert "Perception or reasoning?" in stdout and "HardRainNoon · light_red" in stdout
    attribution = pd.read_csv(out / "attribution.csv")
    assert set(attribution["question"]) == {"stop_needed", "right_turn_possible", "action"}
    rain = attribution[attribution["condition"].str.contains("HardRainNoon")]
    clear = attribution[attribution["condition"].str.contains("ClearNoon")]
    # the demo model errs on 95% of decisions after a misread, 2% otherwise: in rain, where
    # it misreads 70% of perception questions, nearly every unsafe answer follows a misread
    # (certified above 50% where the cells stop early, as under a red light; above 80%
    # where they run long, as under a green one)
    for control, floor in (("light_red", 0.5), ("light_green", 0.8)):
        cells = rain[
            rain["condition"].str.endswith(control) & (rain["question"] != "right_turn_possible")
        ]
        assert len(cells) == 2 and (cells["share_lower"] > floor).all()
    assert (clear["seen_upper"] < 0.5).all() and (clear["missed"] < clear["seen"]).all()
    split = (out / "tables" / "safety_table.md").read_text()
    assert "Perception ok" in split and "Perception wrong" in split


def test_demo_report_is_small_and_loads_offline_in_chromium(
    demo: tuple[Path, str, float], browser: Any, external_requests: Any, tmp_path: Path
) -> None:
    out, stdout, _ = demo
    report = out / "report.html"
    assert f"report: {report}" in stdout
    assert report.stat().st_size < 5_000_000
    external_requests(browser)  # drop what earlier pages asked for
    browser.get(report.as_uri())
    assert (
        browser.execute_script("return document.querySelectorAll('#safety tbody tr').length") == 120
    )
    images = browser.execute_script(
        "return Array.from(document.querySelectorAll('.gallery img, .figures img'))"
        ".map(i => i.complete && i.naturalWidth > 0)"
    )
    assert len(images) > 80 and all(images)
    browser.find_element("css selector", "#safety th:nth-child(9)").click()  # sort by upper
    uppers = browser.execute_script(
        "return Array.from(document.querySelectorAll('#safety tbody tr td:nth-child(9)'))"
        ".map(td => Number(td.dataset.value))"
    )
    assert uppers == sorted(uppers)
    assert external_requests(browser) == set()
    assert browser.save_screenshot(str(tmp_path / "report.png"))
