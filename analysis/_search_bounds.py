"""Cached beta-binomial bounds and an O(m) ordered selection, for :mod:`analysis._search`."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from analysis._confseq import beta_binomial_bounds

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]

ROW_BLOCK = 64  # values of n bisected together by BoundsTable
ROW_LIMIT = 1023  # largest n kept as whole rows (about 8 MB at most)


def first_by(values: Floats, rank: Ints, count: int) -> Ints:
    """Positions of the ``count`` smallest ``values``, ties by ``rank``, in that order: O(len)."""
    size = values.size
    if count <= 0 or size == 0:
        return np.zeros(0, dtype=np.int64)
    if count < size:
        cut = np.partition(values, count - 1)[count - 1]
        idx = np.flatnonzero(values <= cut)
    else:
        idx = np.arange(size)
    order = np.lexsort((rank[idx], values[idx]))
    return idx[order][:count].astype(np.int64)


@lru_cache(maxsize=8)
def table_at(level: float) -> BoundsTable:
    """One shared table per level: pure values, so simulated searches reuse them."""
    return BoundsTable(level)


@dataclass
class BoundsTable:
    """Beta-binomial CS bounds at one level, cached: they depend on (ones, n) only.

    For n <= ``ROW_LIMIT`` whole blocks of ``ROW_BLOCK`` values of n (every ones count) are
    bisected in one vectorised call when first needed; larger n are cached per (ones, n).
    Bisection is elementwise, so a cached value equals the one computed alone.
    """

    level: float
    blocks: dict[int, tuple[Floats, Floats]] = field(default_factory=dict)
    pairs: dict[tuple[int, int], tuple[float, float]] = field(default_factory=dict)

    def bounds(self, ones: Ints, n: Ints) -> tuple[Floats, Floats]:
        """(lower, upper) for each (ones, n)."""
        lower, upper = np.empty(n.size), np.empty(n.size)
        small = n <= ROW_LIMIT
        block = n // ROW_BLOCK
        for b in np.unique(block[small]).tolist():
            rows = small & (block == b)
            low, high = self._block(b)
            lower[rows] = low[n[rows] - b * ROW_BLOCK, ones[rows]]
            upper[rows] = high[n[rows] - b * ROW_BLOCK, ones[rows]]
        big = np.flatnonzero(~small)
        keys = list(zip(ones[big].tolist(), n[big].tolist(), strict=True))
        missing = sorted({key for key in keys if key not in self.pairs})
        if missing:
            s, t = np.asarray(missing, dtype=np.float64).T
            low, high = beta_binomial_bounds(s, t, self.level)
            found = zip(low.tolist(), high.tolist(), strict=True)
            self.pairs.update(zip(missing, found, strict=True))
        for i, key in zip(big.tolist(), keys, strict=True):
            lower[i], upper[i] = self.pairs[key]
        return lower, upper

    def _block(self, b: int) -> tuple[Floats, Floats]:
        if b not in self.blocks:
            n = np.arange(b * ROW_BLOCK, (b + 1) * ROW_BLOCK)[:, None]
            ones = np.arange((b + 1) * ROW_BLOCK)[None, :]
            self.blocks[b] = beta_binomial_bounds(np.minimum(ones, n), n, self.level)
        return self.blocks[b]
