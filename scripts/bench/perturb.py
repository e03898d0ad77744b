"""Camera-corruption benchmark: milliseconds per frame for every corruption at severity 5.

Renders one 800x450 frame with the embedded renderer, then times each corruption on it
(the median of --runs calls after one warm-up, each with a different seed) and prints a
table against the target of 5 ms per frame.

    .venv/bin/python scripts/bench/perturb.py [--runs 30] [--severity 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import cv2

from harness.perturb import corruption_names, perturb, reference_frame

TARGET_MS = 5.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed calls per corruption")
    parser.add_argument("--severity", type=int, default=5)
    args = parser.parse_args()
    frame, _ = reference_frame(800, 450)
    print(
        f"800x450 frame, severity {args.severity}, median of {args.runs} runs, "
        f"OpenCV {cv2.__version__} with {cv2.getNumThreads()} threads"
    )
    print(f"{'corruption':<16}{'ms/frame':>10}{'min ms':>9}  target < {TARGET_MS:g} ms")
    for name in corruption_names():
        perturb(frame, name, args.severity, 0)  # warm-up (caches, first-call costs)
        times = []
        for seed in range(1, args.runs + 1):
            start = time.perf_counter()
            perturb(frame, name, args.severity, seed)
            times.append(1000 * (time.perf_counter() - start))
        median = statistics.median(times)
        verdict = "ok" if median < TARGET_MS else "SLOW"
        print(f"{name:<16}{median:>10.2f}{min(times):>9.2f}  {verdict}")


if __name__ == "__main__":
    main()
