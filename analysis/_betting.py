"""The betting confidence sequence (Waudby-Smith & Ramdas, arXiv 2010.09686).

Hedged capital with predictable plug-in bets, for any [0, 1] data:
K_t(m) = max(K+_t(m), K-_t(m)) / 2 with K+-_t(m) = prod_i (1 +- lambda+-_i(m) (x_i - m)),
lambda_i = sqrt(2 log(2/delta) / (sigma2_{i-1} i log(1 + i))),
lambda+_i(m) = min(lambda_i, c/m), lambda-_i(m) = min(lambda_i, c/(1 - m)), c = 1/2,
mu_i = (1/2 + sum x) / (i + 1), sigma2_i = (1/4 + sum (x - mu)^2) / (i + 1).
C_t = {m : K_t(m) < 1/delta}, evaluated on a grid of m; reported bounds are the neighbouring
rejected grid points, so they are conservative by at most one grid step (1/2000).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis._checks import check_delta

Floats = NDArray[np.float64]

BETTING_GRID = 2000  # grid steps on [0, 1] for the betting CS
_BET_CAP = 0.5  # c: the largest fraction of wealth put on one outcome


@dataclass
class BettingState:
    """Wealth of the two betting strategies for every candidate mean in ``grid``.

    Arrays broadcast: ``grid`` may be a column of candidate means shared by many paths, or
    one mean per path for a coverage simulation.
    """

    grid: Floats
    delta: float
    log_up: Floats
    log_down: Floats
    horizon: int | None = None
    n: int = 0
    total: Floats | float = 0.0
    squares: Floats | float = 0.0

    @classmethod
    def start(
        cls, grid: ArrayLike, delta: float, paths: tuple[int, ...] = (), horizon: int | None = None
    ) -> BettingState:
        """Unit wealth for every candidate mean in ``grid`` (and every path of ``paths``)."""
        means = np.asarray(grid, dtype=np.float64)
        shape = np.broadcast_shapes(means.shape, paths)
        return cls(means, delta, np.zeros(shape), np.zeros(shape), horizon)

    def step(self, x: Floats | float) -> None:
        """Bet on observation ``x`` (shape broadcasting with ``grid``'s leading axes).

        With a ``horizon`` n fixed in advance the bets are tuned for that n,
        sqrt(2 log(2/delta) / (n sigma2)) (WSR's fixed-n choice): tighter at n, and valid
        only there, not under continuous monitoring.
        """
        t = self.n + 1
        variance = (0.25 + self.squares) / t  # sigma2_{t-1}
        spread = self.horizon if self.horizon is not None else t * np.log1p(t)
        bet = np.sqrt(2.0 * np.log(2.0 / self.delta) / (variance * spread))
        with np.errstate(divide="ignore"):
            bet_up = np.minimum(bet, _BET_CAP / self.grid)
            bet_down = np.minimum(bet, _BET_CAP / (1.0 - self.grid))
        gain = x - self.grid
        self.log_up = self.log_up + np.log1p(bet_up * gain)
        self.log_down = self.log_down + np.log1p(-bet_down * gain)
        self.total = self.total + x
        mean = (0.5 + self.total) / (t + 1)
        self.squares = self.squares + (x - mean) ** 2
        self.n = t

    def log_capital(self) -> Floats:
        """log K_t(m): the hedged capital, max of the two strategies, each with half the wealth."""
        return np.asarray(np.maximum(self.log_up, self.log_down) - np.log(2.0), dtype=np.float64)

    def rejected(self) -> NDArray[np.bool_]:
        """Candidate means the data have ruled out (K_t(m) >= 1/delta)."""
        return np.asarray(self.log_capital() >= np.log(1.0 / self.delta))

    def grid_bounds(self) -> tuple[float, float]:
        """Conservative CS ends on the grid: the rejected neighbours of the accepted run."""
        return _grid_bounds(self.grid, self.log_capital(), np.log(1.0 / self.delta))


def _grid_bounds(grid: Floats, log_capital: Floats, level: float) -> tuple[float, float]:
    accepted = np.flatnonzero(log_capital < level)
    if accepted.size == 0:  # the CS is narrower than a grid step
        best = int(np.argmin(log_capital))
        first = last = best
    else:
        first, last = int(accepted[0]), int(accepted[-1])
    lower = float(grid[first - 1]) if first > 0 else 0.0
    upper = float(grid[last + 1]) if last + 1 < grid.size else 1.0
    return lower, upper


@dataclass
class BettingSequence:
    """Waudby-Smith & Ramdas hedged betting CS for observations in [0, 1].

    With ``horizon`` set, the bets are tuned for that fixed n and the interval is valid at
    n = horizon only (a fixed-n interval, tighter there); without it, at every n.

    The observations are kept compactly (8 bytes each) and every threshold whose p-values
    were asked keeps its own wealth, stepped on each update: repeated :meth:`pvalues` calls
    cost O(1); a threshold's first call replays the stored observations once.
    """

    delta: float = 0.05
    grid_steps: int = BETTING_GRID
    horizon: int | None = None
    method: Literal["betting"] = field(default="betting", init=False)
    state: BettingState = field(init=False)
    _seen: array[float] = field(default_factory=lambda: array("d"), init=False, repr=False)
    _probes: dict[float, BettingState] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self.delta = check_delta(self.delta)
        grid = np.linspace(0.0, 1.0, self.grid_steps + 1)
        self.state = BettingState.start(grid, self.delta, horizon=self.horizon)

    @property
    def n(self) -> int:
        """Observations so far."""
        return self.state.n

    @property
    def observations(self) -> Floats:
        """Every observation so far, in order (a copy)."""
        return np.array(self._seen, dtype=np.float64)

    def update(self, x: float) -> None:
        """Add one observation in [0, 1]."""
        value = float(x)
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"the betting CS takes observations in [0, 1], got {x!r}")
        self.state.step(value)
        self._seen.append(value)
        for probe in self._probes.values():
            probe.step(value)

    def interval(self) -> tuple[float, float]:
        """The current bounds (conservative by at most one grid step)."""
        return self.state.grid_bounds()

    def pvalues(self, threshold: float) -> tuple[float, float]:
        """1/K-_t(threshold) and 1/K+_t(threshold), each strategy's wealth on its own.

        K-_t(threshold) is a nonnegative supermartingale under every mean >= threshold (the
        bets are predictable and nonnegative), so 1/K- is an anytime-valid p-value for that
        null; symmetrically for K+. The hedged CS excludes the threshold exactly when one of
        them is <= delta / 2. The wealth at ``threshold`` is exact: stepped with every
        observation since the threshold was first asked, and replayed before that.
        """
        probe = self._probes.get(float(threshold))
        if probe is None:
            probe = self._replay(float(threshold))
            self._probes[float(threshold)] = probe
        below = float(min(1.0, np.exp(-float(probe.log_down))))
        above = float(min(1.0, np.exp(-float(probe.log_up))))
        return below, above

    def _replay(self, threshold: float) -> BettingState:
        """The wealth at ``threshold`` after every stored observation."""
        probe = BettingState.start(threshold, self.delta, horizon=self.horizon)
        for x in self._seen:
            probe.step(x)
        return probe


def betting_rejects(paths: ArrayLike, m: float, delta: float) -> NDArray[np.bool_]:
    """Whether the betting CS excludes ``m`` after each step of each path (rows), exactly."""
    xs = np.atleast_2d(np.asarray(paths, dtype=np.float64))
    state = BettingState.start(m, delta, paths=(xs.shape[0],))
    out = np.empty(xs.shape, dtype=bool)
    for t in range(xs.shape[1]):
        state.step(xs[:, t])
        out[:, t] = state.rejected()
    return out
