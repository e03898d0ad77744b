"""Kill and resume: SIGKILL a run at random moments, resume, and get the same certificates.

The run is killed while it loads, renders, asks, judges and commits (the moments are drawn
over the whole length of an uninterrupted run). Resuming must lose nothing, count nothing
twice and end with certificates.csv byte-identical to the uninterrupted run's.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from harness.store import Store

ARGS = [
    "run",
    "right_turn",
    "--model",
    "scripted:noisy?error=0.1&weather.HardRainNoon=0.7&style=free&latency_ms=15",
    "--conditions",
    "weather=ClearNoon;weather=HardRainNoon",
    "--n-max",
    "60",
    "--batch-size",
    "4",
    "--seed",
    "11",
    "--quiet",
    "--no-figures",
]


#: A sweep of two models on two scenarios (killed across the change of model too).
SWEEP = """
models: ["scripted:noisy?error=0.1&weather.HardRainNoon=0.7&latency_ms=15", scripted:oracle]
scenarios:
  - {name: right_turn, conditions: weather=ClearNoon;weather=HardRainNoon, questions: all}
  - {name: obstacle_ahead, conditions: weather=HardRainNoon, questions: stop_needed}
n_max: 24
batch_size: 4
seed: 11
figures: false
"""


def command(out: Path, mode: str) -> list[str]:
    if mode == "sweep":
        config = out.parent / "sweep.yaml"
        config.write_text(SWEEP)
        args = ["sweep", str(config), "--quiet"]
    elif mode == "search":  # the search picks each batch from the answers stored so far
        small = out.parent / "search.yaml"
        small.write_text("render: {width: 96, height: 54}\nreport: false\n")
        args = [
            "search",
            "--config",
            str(small),
            "right_turn",
            "--model",
            "scripted:noisy?error=0.05&weather.HardRainNight=0.9&latency_ms=40",
            "--space",
            "weather=ClearNoon,HardRainNoon,HardRainNight;control=light_red,stop_sign",
            "--top",
            "2",
            "--batch-size",
            "4",
            "--seed",
            "11",
            "--quiet",
        ]
    elif mode == "observed":  # reply trees, each branch judged, stopped by a betting CS
        observed = ["--observe", "bounds", "--branch-budget", "1", "--questions", "stop_needed"]
        args = [*ARGS, "--sequential", *observed]
    else:
        args = [*ARGS, "--sequential" if mode == "sequential" else "--fixed-n"]
    return [sys.executable, "-m", "harness.cli", *args, "--out", str(out)]


def run_to_end(out: Path, mode: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(command(out, mode), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return time.perf_counter() - started


@pytest.mark.parametrize("mode", ["fixed", "sequential", "sweep", "observed", "search"])
def test_sigkill_at_random_moments_then_resume_gives_identical_certificates(
    tmp_path: Path, mode: str
) -> None:
    reference = tmp_path / "reference"
    length = run_to_end(reference, mode)
    rng = np.random.default_rng(20261130 + len(mode))
    killed = tmp_path / "killed"
    kills = attempts = 0
    wanted = 4  # per mode: 20 kills over the five modes
    while kills < wanted and attempts < 40:
        attempts += 1
        moment = rng.uniform(0.2, length)
        process = subprocess.Popen(
            command(killed, mode), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        time.sleep(moment)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            kills += 1
        process.wait(timeout=60)
    assert kills >= wanted
    run_to_end(killed, mode)
    with Store.open(killed / "results.duckdb") as store:
        assert store.duplicates() == 0
        rows = store.count()
    with Store.open(reference / "results.duckdb") as store:
        assert rows == store.count()
    assert (killed / "certificates.csv").read_bytes() == (
        reference / "certificates.csv"
    ).read_bytes()
    if mode == "search":
        for name in ("top.csv", "arms.csv", "marginals.csv"):
            assert (killed / "search" / name).read_bytes() == (
                reference / "search" / name
            ).read_bytes()
