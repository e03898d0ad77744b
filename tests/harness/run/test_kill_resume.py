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


def command(out: Path, sequential: bool) -> list[str]:
    return [
        sys.executable,
        "-m",
        "harness.cli",
        *ARGS,
        "--sequential" if sequential else "--fixed-n",
        "--out",
        str(out),
    ]


def run_to_end(out: Path, sequential: bool) -> float:
    started = time.perf_counter()
    done = subprocess.run(command(out, sequential), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return time.perf_counter() - started


@pytest.mark.parametrize("sequential", [False, True])
def test_sigkill_at_random_moments_then_resume_gives_identical_certificates(
    tmp_path: Path, sequential: bool
) -> None:
    reference = tmp_path / "reference"
    length = run_to_end(reference, sequential)
    rng = np.random.default_rng(20261130 + sequential)
    killed = tmp_path / "killed"
    kills = attempts = 0
    while kills < 10 and attempts < 40:
        attempts += 1
        moment = rng.uniform(0.2, length)
        process = subprocess.Popen(
            command(killed, sequential), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        time.sleep(moment)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            kills += 1
        process.wait(timeout=60)
    assert kills >= 10
    run_to_end(killed, sequential)
    with Store.open(killed / "results.duckdb") as store:
        assert store.duplicates() == 0
        rows = store.count()
    with Store.open(reference / "results.duckdb") as store:
        assert rows == store.count()
    assert (killed / "certificates.csv").read_bytes() == (
        reference / "certificates.csv"
    ).read_bytes()
