"""Report benchmark: size and build time of report.html, for the demo and a large run.

Prints, for `drivecert demo`'s settings and for a 2,000-scene run where half the answers
are wrong (every gallery full), the report's size in MB and the seconds it took to build.
Targets: under 5 MB for the demo, about 20 MB at most for a large run.

    .venv/bin/python scripts/bench/report.py [--scenes 2000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from harness.report import write_report
from harness.run import build_config, run
from harness.run._commands import DEMO_SETTINGS


def measure(name: str, settings: dict[str, object], folder: Path) -> None:
    out = folder / name
    run(build_config({**settings, "report": False}, {}, "bench"), out)
    started = time.perf_counter()
    report = write_report(out)
    seconds = time.perf_counter() - started
    size = report.stat().st_size / 1e6
    print(f"{name}: report.html {size:.2f} MB, built in {seconds:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=2000, help="scenes in the large run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure("demo", DEMO_SETTINGS, Path(folder))
        large = {
            "scenario": "right_turn",
            "model": "scripted:noisy?error=0.5&style=free",
            "n_max": max(1, args.scenes // 20),
        }
        measure(f"large ({args.scenes} scenes, 50% wrong)", large, Path(folder))


if __name__ == "__main__":
    main()
