"""Scenes needed when a model reports its probability of answering unsafely, versus 0/1 verdicts.

Per-scene probabilities p_i are drawn from a Beta shape; the 0/1 stream of the same scenes is
Bernoulli(p_i) (what one sampled answer per scene gives). Both have mean mu = E[p], so both
certify the same quantity at the same delta. For each shape the script prints the median
number of scenes until the anytime interval excludes the threshold (a decision), with the
probabilities (``betting-mean-cs``), with sound bounds [p - 0.05, p + 0.05] (clipped) in
their place, with the 0/1 draws (the same betting CS, and the project's beta-binomial CS),
and the ratios of 0/1 to probabilities; then the median scenes until the betting CS is
narrower than a target width. Target: at Beta(2, 2)-like spread, at least 2x fewer scenes
with probabilities.

    .venv/bin/python scripts/bench/probability.py [--paths 200] [--max-n 4000] [--width 0.1]
"""

from __future__ import annotations

import argparse

import numpy as np
from numpy.typing import NDArray

from analysis import bounded_mean_rejects
from analysis._betting import BettingState
from analysis._confseq import beta_binomial_log_evidence

DELTA = 0.05
CASES = (  # (a, b, threshold): symmetric shapes have mean 0.5, so they are tested against 0.4
    (0.2, 0.2, 0.4),
    (1.0, 1.0, 0.4),
    (2.0, 2.0, 0.4),
    (20.0, 20.0, 0.4),
    (2.0, 5.0, 0.5),
)
WIDTH_GRID = 400  # grid steps for the width part (conservative by at most 1/400 a side)


def first_hit(hits: NDArray[np.bool_]) -> NDArray[np.float64]:
    """1-based index of the first True in each row, inf where there is none."""
    found = hits.any(axis=1)
    return np.where(found, hits.argmax(axis=1) + 1.0, np.inf)


def median_text(steps: NDArray[np.float64], max_n: int) -> str:
    median = float(np.median(steps))
    return f">{max_n}" if np.isinf(median) else f"{median:.0f}"


def ratio_text(slow: NDArray[np.float64], fast: NDArray[np.float64]) -> str:
    a, b = float(np.median(slow)), float(np.median(fast))
    return "-" if np.isinf(a) or np.isinf(b) else f"{a / b:.1f}x"


def widths_reached(xs: NDArray[np.float64], width: float) -> NDArray[np.float64]:
    """Scenes until the betting CS (on a grid) is at most ``width`` wide, per path (rows)."""
    grid = np.linspace(0.0, 1.0, WIDTH_GRID + 1)[:, None]
    state = BettingState.start(grid, DELTA, paths=(xs.shape[0],))
    level = np.log(2.0 / DELTA)
    reached = np.zeros(xs.shape, dtype=bool)
    for t in range(xs.shape[1]):
        state.step(xs[:, t])
        first = np.argmax(state.log_up < level, axis=0)  # K+ falls with m: accepted above
        last = WIDTH_GRID - np.argmax((state.log_down < level)[::-1], axis=0)
        lower = np.where(first > 0, grid[np.maximum(first - 1, 0), 0], 0.0)
        upper = grid[np.minimum(last + 1, WIDTH_GRID), 0]
        reached[:, t] = upper - lower <= width
    return first_hit(reached)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=200)
    parser.add_argument("--max-n", type=int, default=4000)
    parser.add_argument("--width", type=float, default=0.1)
    parser.add_argument("--width-paths", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    print(f"delta={DELTA}, {args.paths} paths of up to {args.max_n} scenes; median scenes")
    print("to a decision (the anytime CS excludes the threshold)\n")
    print(
        "| shape | mean | threshold | probabilities | [p-0.05, p+0.05] | 0/1 betting | ratio "
        "| 0/1 beta-binomial | ratio |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    streams = {}
    for a, b, threshold in CASES:
        p = rng.beta(a, b, size=(args.paths, args.max_n))
        ones = (rng.random(p.shape) < p).astype(np.float64)
        streams[(a, b)] = (p, ones)
        with_p = first_hit(bounded_mean_rejects(p, None, threshold, DELTA))
        lb, ub = np.clip(p - 0.05, 0.0, 1.0), np.clip(p + 0.05, 0.0, 1.0)
        with_pairs = first_hit(bounded_mean_rejects(lb, ub, threshold, DELTA))
        with_01 = first_hit(bounded_mean_rejects(ones, None, threshold, DELTA))
        n = np.arange(1, args.max_n + 1)
        evidence = beta_binomial_log_evidence(np.cumsum(ones, axis=1), n, threshold)
        with_bb = first_hit(evidence >= np.log(1.0 / DELTA))
        print(
            f"| Beta({a:g},{b:g}) | {a / (a + b):.3f} | {threshold} | "
            f"{median_text(with_p, args.max_n)} | {median_text(with_pairs, args.max_n)} | "
            f"{median_text(with_01, args.max_n)} | {ratio_text(with_01, with_p)} | "
            f"{median_text(with_bb, args.max_n)} | {ratio_text(with_bb, with_p)} |"
        )
    print(f"\nmedian scenes until the betting CS is at most {args.width} wide", end="")
    print(f" ({args.width_paths} paths, grid 1/{WIDTH_GRID})\n")
    print("| shape | probabilities | 0/1 draws | ratio |")
    print("|---|---|---|---|")
    for (a, b), (p, ones) in streams.items():
        with_p = widths_reached(p[: args.width_paths], args.width)
        with_01 = widths_reached(ones[: args.width_paths], args.width)
        print(
            f"| Beta({a:g},{b:g}) | {median_text(with_p, args.max_n)} | "
            f"{median_text(with_01, args.max_n)} | {ratio_text(with_01, with_p)} |"
        )


if __name__ == "__main__":
    main()
