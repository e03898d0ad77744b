"""Failure search vs a uniform sweep: queries to a certified top K on a 500-cell grid.

Grid: 5 bad cells at p ~ U[0.8, 0.9] among 495 at p ~ U[0, 0.2] (one grid per seed), K = 5,
epsilon = 0.1, delta = 0.05. The search is `TopKSearch` (LUCB, beta-binomial CS per cell at
delta/500) driven in batches; the uniform sweep is `uniform_queries`: round-robin over every
cell with the same CSs and the same stop rule, checked after every round, i.e. the cheapest
non-adaptive allocation that reaches the same certificate. The issue's baseline, a uniform
sweep that certifies every cell at the same delta, is round-robin until every cell's CS (at
delta/cells) is at most epsilon/2 wide: then the empirical top K is within epsilon of the
true one, and every cell has its certificate (Lumos-style). Then the cost of the search on
20,000 cells.

    .venv/bin/python scripts/bench/search.py [--seeds 20] [--batch 16]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from analysis import SearchConfig, TopKSearch, simulate_search, uniform_queries
from analysis._confseq import beta_binomial_bounds

CELLS, BAD, K, EPSILON, DELTA = 500, 5, 5, 0.1, 0.05


def grid(seed: int, cells: int = CELLS, bad: int = BAD) -> np.ndarray:
    """Known rates: ``bad`` cells in [0.8, 0.9], the rest in [0, 0.2], shuffled."""
    rng = np.random.default_rng(seed)
    rates = np.concatenate([rng.uniform(0.8, 0.9, bad), rng.uniform(0.0, 0.2, cells - bad)])
    rng.shuffle(rates)
    return rates


def width_sweep(rates: np.ndarray, seed: int) -> int:
    """Queries of round-robin until every cell's CS (at delta/cells) has width <= epsilon/2:
    then for a returned cell j and a missed true top-K cell i, p_j >= L_j >= rate_j - w >=
    rate_i - w >= U_i - 2w >= p_i - epsilon, the search's guarantee."""
    rng = np.random.default_rng(seed)
    horizon, step = 16_000, 200
    ones = np.cumsum(rng.random((rates.size, horizon)) < rates[:, None], axis=1, dtype=np.int32)

    def done(n: int) -> bool:
        lower, upper = beta_binomial_bounds(ones[:, n - 1], n, DELTA / rates.size)
        return bool(np.all(upper - lower <= EPSILON / 2))

    coarse = next(n for n in range(step, horizon + 1, step) if done(n))
    return rates.size * next(n for n in range(coarse - step + 1, coarse + 1) if done(n))


def compare(seeds: int, batch: int, certify_every_cell: bool = False) -> None:
    config = SearchConfig(k=K, epsilon=EPSILON, delta=DELTA)
    search, sweep, correct, ratios, widths = [], [], 0, [], []
    started = time.perf_counter()
    for seed in range(seeds):
        rates = grid(seed)
        run = simulate_search(
            TopKSearch(CELLS, config), rates, np.random.default_rng(1000 + seed), batch=batch
        )
        base = uniform_queries(rates, config, np.random.default_rng(2000 + seed))
        assert run.result.certified and base.result.certified
        search.append(run.queries)
        sweep.append(base.queries)
        ratios.append(base.queries / run.queries)
        correct += run.correct
        if certify_every_cell:
            widths.append(width_sweep(rates, 3000 + seed) / run.queries)
    spent = time.perf_counter() - started
    print(
        f"batch {batch:>3}  search median {np.median(search):>8,.0f}  max {max(search):>7,}"
        f"   uniform median {np.median(sweep):>8,.0f}  max {max(sweep):>7,}"
        f"   ratio median {np.median(ratios):.2f} (min {min(ratios):.2f})"
        f"   correct top-K {correct}/{seeds}   ({spent:.1f} s)"
    )
    if widths:
        print(
            f"against a uniform sweep that certifies every cell (each cell's CS at delta/{CELLS} "
            f"at most {EPSILON / 2} wide, so the empirical top K is within epsilon): the search "
            f"spends {np.median(widths):.0f}x fewer queries (median; min {min(widths):.0f}x) "
            f"over the same {seeds} seeds"
        )


def timing(cells: int, observations: int, batch: int) -> float:
    """Seconds per 1,000 observations after a first pass over every cell."""
    rng = np.random.default_rng(0)
    rates = grid(0, cells=cells, bad=20)
    search = TopKSearch(cells, SearchConfig(k=K, epsilon=EPSILON, delta=DELTA))
    search.observe_many(np.arange(cells), rng.random(cells) < rates)
    search.bounds()
    started = time.perf_counter()
    while search.queries < cells + observations and not search.stopped:
        arms = np.asarray(search.next_arms(batch))
        search.observe_many(arms, rng.random(arms.size) < rates[arms])
    return 1000 * (time.perf_counter() - started) / (search.queries - cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--batch", type=int, default=16)
    args = parser.parse_args()
    print(
        f"{CELLS} cells ({BAD} at p in [0.8, 0.9], the rest in [0, 0.2]), K = {K}, "
        f"epsilon = {EPSILON}, delta = {DELTA}, {args.seeds} seeds; queries to a certified top K"
    )
    compare(args.seeds, args.batch, certify_every_cell=True)
    compare(min(args.seeds, 5), 2)
    widths = [width_sweep(grid(seed), 3000 + seed) for seed in range(3)]
    print(
        f"the sweep certifying every cell: median {np.median(widths):,.0f} queries (3 seeds); "
        f"Lumos's 200 scenes per cell: {200 * CELLS:,} (and no top-K guarantee)"
    )
    for batch in (1, 10):
        per = timing(20_000, 3000, batch)
        print(f"20,000 cells, batch {batch}: {per:.2f} s per 1,000 observations")


if __name__ == "__main__":
    main()
