"""Run-loop benchmark: throughput, overhead, pipelining and memory of `drivecert run`.

Prints:
1. end-to-end scenes (samples) per second with scripted:oracle, and the share of wall time
   the loop spends outside rendering and the model (judging, storing, scheduling);
2. the pipelining figure: with scripted:oracle?latency_ms=L, L set so that the model's
   time per batch equals the measured render time per batch, wall time divided by
   max(render time, model time) (1.0 is perfect overlap, 2.0 is none);
3. resident memory every 500 scenes over a long run, and its growth from scene 1,000 to
   the end.

    .venv/bin/python scripts/bench/pipeline.py                  # 600 + 600 + 5,000 scenes
    .venv/bin/python scripts/bench/pipeline.py --long 2000 --short 300
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from harness.run import RunResult, build_config, run

SCENARIO = "right_turn"


def rss_mib() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def settings(model: str, scenes: int, batch_size: int) -> dict[str, object]:
    """Fixed n over the 20 default conditions of right_turn, all four questions."""
    conditions = 20
    return {
        "scenario": SCENARIO,
        "model": model,
        "n_max": max(1, scenes // conditions),
        "batch_size": batch_size,
        "seed": 7,
    }


def one_run(model: str, scenes: int, batch_size: int, on_batch=None) -> RunResult:  # type: ignore[no-untyped-def]
    config = build_config({}, settings(model, scenes, batch_size), "bench")
    with tempfile.TemporaryDirectory() as folder:
        return run(config, Path(folder) / "run", on_batch=on_batch)


def describe(result: RunResult) -> str:
    """Throughput and where the loop's time went.

    "Outside rendering and the model" is the main thread's own work in the loop: the loop's
    wall time minus the time it waited for frames and the time inside the model (judging,
    storing, scheduling, building queries). Start-up and the final certification are
    reported apart.
    """
    c = result.counters
    outside = result.loop_s - c.wait_s - result.model_s
    return (
        f"{c.samples} scenes, {c.queries} queries; loop {result.loop_s:.2f} s = "
        f"{c.samples / result.loop_s:.1f} scenes/s (whole command {result.wall_s:.2f} s incl. "
        f"start-up and certification); render busy {result.render_s:.2f} s, model "
        f"{result.model_s:.2f} s, waiting for frames {c.wait_s:.2f} s, commits "
        f"{c.commit_s:.2f} s; outside rendering and the model: {outside:.2f} s = "
        f"{100 * outside / result.loop_s:.1f}% of the loop's wall time"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", type=int, default=600, help="scenes in runs 1 and 2")
    parser.add_argument("--long", type=int, default=5000, help="scenes in the memory run")
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args()

    print(f"{SCENARIO}: 20 conditions x 4 questions, fixed n, batch {args.batch_size}, 800x450")
    oracle = one_run("scripted:oracle", args.short, args.batch_size)
    print("1. scripted:oracle:", describe(oracle))

    batches = oracle.counters.samples / args.batch_size
    render_per_batch_ms = 1000.0 * oracle.render_s / batches
    latency = max(1, round(render_per_batch_ms))
    paced = one_run(f"scripted:oracle?latency_ms={latency}", args.short, args.batch_size)
    bottleneck = max(paced.render_s, paced.model_s)
    print(
        f"2. latency_ms={latency} (render {render_per_batch_ms:.1f} ms per batch):",
        describe(paced),
    )
    print(
        f"   pipelining figure: loop wall {paced.loop_s:.2f} s / max(render "
        f"{paced.render_s:.2f} s, model {paced.model_s:.2f} s) = {paced.loop_s / bottleneck:.3f}"
    )

    marks: list[tuple[int, float]] = []
    progress = {"next": 500}

    def record(result_counters) -> None:  # type: ignore[no-untyped-def]
        if result_counters.samples >= progress["next"]:
            marks.append((result_counters.samples, rss_mib()))
            progress["next"] += 500

    long = one_run("scripted:oracle", args.long, args.batch_size, on_batch=record)
    print("3. memory:", describe(long))
    print("   scenes  RSS MiB")
    for scenes, rss in marks:
        print(f"   {scenes:6d}  {rss:7.1f}")
    base = next((rss for scenes, rss in marks if scenes >= 1000), None)
    if base is not None and marks:
        print(f"   growth from scene 1,000 to {marks[-1][0]:,}: {marks[-1][1] - base:+.1f} MiB")


if __name__ == "__main__":
    main()
