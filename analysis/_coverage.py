"""Coverage of the interval methods, exactly and by simulation (vectorised, seeded).

``fixed_coverage`` checks a fixed-n interval the way it is meant to be used: n fixed in
advance, one look. ``monitored_miscoverage`` checks continuous monitoring: the chance that
p falls outside the bounds at *some* step up to n_max. Confidence sequences keep that below
delta; a fixed-n interval re-checked after every sample does not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from analysis._confseq import beta_binomial_rejects, betting_rejects
from analysis._intervals import METHODS, Method, binomial_bounds
from analysis._paths import along_paths


@dataclass(frozen=True)
class Coverage:
    """Coverage of one method at one (p, n).

    Attributes:
        p: true proportion.
        n: sample size.
        method: interval method.
        exact: coverage computed from the binomial pmf.
        simulated: share of ``trials`` simulated intervals that contained p.
        trials: number of simulated samples.
    """

    p: float
    n: int
    method: str
    exact: float
    simulated: float
    trials: int


def fixed_coverage(
    p: float, n: int, method: Method, delta: float, trials: int, rng: np.random.Generator
) -> Coverage:
    """Exact and simulated two-sided coverage of ``method`` at (p, n)."""
    counts = np.arange(n + 1)
    lower, upper = binomial_bounds(counts, n, delta, method)
    covers = (lower <= p) & (p <= upper)
    exact = float(stats.binom.pmf(counts, n, p)[covers].sum())
    draws = rng.binomial(n, p, size=trials)
    return Coverage(p, n, method, exact, float(covers[draws].mean()), trials)


def coverage_grid(
    ps: list[float],
    ns: list[int],
    delta: float = 0.05,
    methods: tuple[Method, ...] = METHODS,
    trials: int = 20_000,
    seed: int = 0,
) -> list[Coverage]:
    """Coverage of every method over the grid ps x ns (one seeded generator per cell)."""
    out: list[Coverage] = []
    for i, p in enumerate(ps):
        for j, n in enumerate(ns):
            for method in methods:
                rng = np.random.default_rng([seed, i, j])
                out.append(fixed_coverage(p, n, method, delta, trials, rng))
    return out


#: The grid the coverage tests and docs/statistics.md use.
COVERAGE_PS = (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995)
COVERAGE_NS = (10, 20, 50, 100, 200, 500, 1000)


def coverage_dips_markdown(grid: list[Coverage], delta: float) -> str:
    """A Markdown table of every cell where a method's exact coverage is below 1 - delta."""
    lines = [
        f"| method | p | n | exact coverage | simulated ({grid[0].trials:,} draws) |",
        "|---|---:|---:|---:|---:|",
    ]
    dips = sorted((c for c in grid if c.exact < 1 - delta), key=lambda c: (c.method, c.p, c.n))
    lines += [f"| {c.method} | {c.p:g} | {c.n} | {c.exact:.4f} | {c.simulated:.4f} |" for c in dips]
    for method in sorted({c.method for c in grid}):
        cells = [c for c in grid if c.method == method]
        worst = min(cells, key=lambda c: c.exact)
        share = sum(c.exact < 1 - delta for c in cells) / len(cells)
        lines.append(
            f"\n{method}: lowest exact coverage {worst.exact:.4f} at p={worst.p:g}, n={worst.n}; "
            f"below {1 - delta:g} in {share:.0%} of {len(cells)} cells."
        )
    return "\n".join(lines) + "\n"


def recheck_rejects(paths: NDArray[np.float64], p: float, delta: float) -> NDArray[np.bool_]:
    """Whether a fixed-n Clopper-Pearson interval, recomputed after each step, excludes p."""

    def excluded(ones: NDArray[np.float64], n: NDArray[np.float64]) -> tuple[NDArray[np.bool_]]:
        lower, upper = binomial_bounds(ones, n, delta)
        return ((lower > p) | (upper < p),)

    return np.asarray(along_paths(paths, excluded)[0], dtype=bool)


MONITORED = {
    "beta-binomial": beta_binomial_rejects,
    "betting": betting_rejects,
    "clopper-pearson re-checked": recheck_rejects,
}


def monitored_miscoverage(
    p: float, n_max: int, method: str, delta: float = 0.05, trials: int = 20_000, seed: int = 0
) -> float:
    """Share of simulated 0/1 streams whose bounds exclude p at some step up to ``n_max``."""
    rng = np.random.default_rng([seed, round(p * 1e6), n_max])
    paths = (rng.random((trials, n_max)) < p).astype(np.float64)
    return float(MONITORED[method](paths, p, delta).any(axis=1).mean())
