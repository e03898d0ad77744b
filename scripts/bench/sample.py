"""Benchmark: scene sampling throughput per scenario (single process).

    .venv/bin/python scripts/bench/sample.py [--n 5000]

Prints scenes per second, microseconds per scene and mean rejection attempts, for the
unconditioned distribution and for the hardest default condition of each scenario.
"""

from __future__ import annotations

import argparse
import time

from scenarios import list_scenarios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=5000, help="scenes per measurement")
    args = parser.parse_args()
    print(f"{'scenario':22} {'condition':44} {'scenes/s':>9} {'us/scene':>9} {'attempts':>9}")
    for scenario in list_scenarios():
        hardest = max(
            scenario.default_conditions(),
            key=lambda c: sum(s.attempts for s in scenario.sample_many(c, 50, base_seed=99)),
        )
        for condition in (None, hardest):
            start = time.perf_counter()
            scenes = scenario.sample_many(condition, args.n, base_seed=1)
            elapsed = time.perf_counter() - start
            attempts = sum(s.attempts for s in scenes) / len(scenes)
            label = scenes[0].condition.label
            print(
                f"{scenario.name:22} {label:44} {args.n / elapsed:9.0f} "
                f"{elapsed / args.n * 1e6:9.1f} {attempts:9.2f}"
            )


if __name__ == "__main__":
    main()
