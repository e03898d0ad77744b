"""Anytime-valid confidence sequences for the mean of [0, 1] observations.

A confidence sequence (CS) is a sequence of intervals C_1, C_2, ... with
P(p in C_t for every t) >= 1 - delta, so it stays valid however sampling is stopped: after
every sample, at a width, or when the bounds cross a threshold. Both CSs here invert a
nonnegative (super)martingale M_t(m) with M_0 = 1 and use Ville's inequality,
P(sup_t M_t(p) >= 1/delta) <= delta, so C_t = {m : M_t(m) < 1/delta}.

- ``beta-binomial`` (Robbins 1970): for 0/1 data, the Beta(a, b) mixture of likelihood ratios,
  M_t(m) = B(a + S_t, b + t - S_t) / B(a, b) / (m^S_t (1 - m)^(t - S_t)), S_t the number of ones.
  log M_t is convex in m, so C_t is an interval around S_t / t; its ends are found by bisection
  and rounded outwards. Closed form in (t, S_t): vectorises over any number of paths.
- ``betting`` (Waudby-Smith & Ramdas, arXiv 2010.09686, hedged capital with predictable plug-in
  bets): for any [0, 1] data, K_t(m) = max(K+_t(m), K-_t(m)) / 2 with
  K+-_t(m) = prod_i (1 +- lambda+-_i(m) (x_i - m)),
  lambda_i = sqrt(2 log(2/delta) / (sigma2_{i-1} i log(1 + i))),
  lambda+_i(m) = min(lambda_i, c/m), lambda-_i(m) = min(lambda_i, c/(1 - m)), c = 1/2,
  mu_i = (1/2 + sum x) / (i + 1), sigma2_i = (1/4 + sum (x - mu)^2) / (i + 1).
  Evaluated on a grid of m; reported bounds are the neighbouring rejected grid points, so they
  are conservative by at most one grid step (1/2000).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import betainc, betaln

from analysis._checks import check_choice, check_delta
from analysis._paths import along_paths

SequenceMethod = Literal["beta-binomial", "betting"]
SEQUENCE_METHODS: tuple[SequenceMethod, ...] = get_args(SequenceMethod)

Floats = NDArray[np.float64]

_BISECTION_STEPS = 60
BETTING_GRID = 2000  # grid steps on [0, 1] for the betting CS
_BET_CAP = 0.5  # c: the largest fraction of wealth put on one outcome


class ConfidenceSequence(Protocol):
    """An anytime-valid CS updated one observation at a time."""

    method: SequenceMethod
    delta: float

    @property
    def n(self) -> int:
        """Observations so far."""

    def update(self, x: float) -> None:
        """Add one observation in [0, 1]."""

    def interval(self) -> tuple[float, float]:
        """The current (lower, upper) bounds."""

    def pvalues(self, threshold: float) -> tuple[float, float]:
        """One-sided anytime-valid p-values for the nulls mean >= threshold and mean <= threshold.

        The first is small when the data say the mean is below ``threshold``. Each is valid
        at any stopping time (Ville), so Holm's procedure may combine them across conditions.
        """


# -- beta-binomial mixture ---------------------------------------------------------------


def _log_likelihood(ones: Floats, zeros: Floats, m: ArrayLike) -> Floats:
    """S log m + F log(1 - m), with 0 log 0 = 0."""
    mm = np.asarray(m, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_m = np.where(ones > 0, ones * np.log(mm), 0.0)
        log_1m = np.where(zeros > 0, zeros * np.log1p(-mm), 0.0)
    return np.asarray(log_m + log_1m, dtype=np.float64)


def _log_marginal(ones: Floats, zeros: Floats, a: float, b: float) -> Floats:
    """log of the Beta(a, b) mixture's marginal likelihood, B(a + S, b + F) / B(a, b)."""
    return np.asarray(betaln(a + ones, b + zeros) - betaln(a, b), dtype=np.float64)


def beta_binomial_log_evidence(
    ones: ArrayLike, n: ArrayLike, m: ArrayLike, a: float = 1.0, b: float = 1.0
) -> Floats:
    """log M_t(m) of Robbins' Beta(a, b) mixture, vectorised over ones, n and m."""
    s = np.asarray(ones, dtype=np.float64)
    zeros = np.asarray(n, dtype=np.float64) - s
    return _log_marginal(s, zeros, a, b) - _log_likelihood(s, zeros, m)


def beta_binomial_bounds(
    ones: ArrayLike, n: ArrayLike, delta: float, a: float = 1.0, b: float = 1.0
) -> tuple[Floats, Floats]:
    """Bounds of the beta-binomial CS for arrays of (ones, n); n = 0 gives [0, 1]."""
    s = np.asarray(ones, dtype=np.float64)
    t = np.asarray(n, dtype=np.float64)
    s, t = np.broadcast_arrays(s, t)
    zeros = t - s
    # m is in the CS while log L(m) > log marginal - log(1/delta): a level set of a concave
    # function, so an interval around the maximum-likelihood S/t
    floor = _log_marginal(s, zeros, a, b) - np.log(1.0 / delta)
    centre = np.divide(s, t, out=np.full(s.shape, 0.5), where=t > 0)

    def outer_end(inside: Floats, outside: Floats) -> Floats:
        # bisection between an accepted point and an end of [0, 1]; returns the rejected side
        for _ in range(_BISECTION_STEPS):
            mid = 0.5 * (inside + outside)
            rejected = _log_likelihood(s, zeros, mid) <= floor
            outside = np.where(rejected, mid, outside)
            inside = np.where(rejected, inside, mid)
        return outside

    zero_in = _log_likelihood(s, zeros, 0.0) > floor
    one_in = _log_likelihood(s, zeros, 1.0) > floor
    lower = np.where(zero_in, 0.0, outer_end(centre.copy(), np.zeros_like(centre)))
    upper = np.where(one_in, 1.0, outer_end(centre.copy(), np.ones_like(centre)))
    return lower, upper


def beta_binomial_rejects(paths: ArrayLike, m: float, delta: float) -> NDArray[np.bool_]:
    """Whether the beta-binomial CS excludes ``m`` after each step of each 0/1 path (rows)."""
    level = np.log(1.0 / delta)
    (rejected,) = along_paths(
        paths, lambda ones, n: (beta_binomial_log_evidence(ones, n, m) >= level,)
    )
    return np.asarray(rejected, dtype=bool)


@dataclass
class BetaBinomialSequence:
    """Robbins' beta-binomial mixture CS for 0/1 observations (uniform prior by default)."""

    delta: float = 0.05
    a: float = 1.0
    b: float = 1.0
    n: int = 0
    ones: int = 0
    method: SequenceMethod = field(default="beta-binomial", init=False)

    def __post_init__(self) -> None:
        self.delta = check_delta(self.delta)

    def update(self, x: float) -> None:
        """Add one 0/1 observation."""
        if x not in (0, 1):
            raise ValueError(f"the beta-binomial CS takes 0/1 observations, got {x!r}")
        self.n += 1
        self.ones += int(x)

    def interval(self) -> tuple[float, float]:
        """The current bounds."""
        lower, upper = beta_binomial_bounds(self.ones, self.n, self.delta, self.a, self.b)
        return float(lower), float(upper)

    def pvalues(self, threshold: float) -> tuple[float, float]:
        """1/M-_t and 1/M+_t: the mixture with its prior cut to [0, threshold] or [threshold, 1].

        With the prior on alternatives above the threshold only, M+_t(threshold) is a
        nonnegative supermartingale under every mean <= threshold, so 1/M+ is an anytime-valid
        p-value for that composite null (and symmetrically for M-).
        """
        s, f, a, b = self.ones, self.n - self.ones, self.a, self.b
        evidence = beta_binomial_log_evidence(s, self.n, threshold, a, b)  # log M_t
        with np.errstate(divide="ignore"):
            below = np.log(betainc(a + s, b + f, threshold)) - np.log(betainc(a, b, threshold))
            above = np.log(betainc(b + f, a + s, 1.0 - threshold)) - np.log(
                betainc(b, a, 1.0 - threshold)
            )
        return (
            float(min(1.0, np.exp(-(evidence + below)))),
            float(min(1.0, np.exp(-(evidence + above)))),
        )


# -- betting (hedged capital, predictable plug-in) --------------------------------------------


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
    """

    delta: float = 0.05
    grid_steps: int = BETTING_GRID
    horizon: int | None = None
    method: SequenceMethod = field(default="betting", init=False)
    state: BettingState = field(init=False)
    observations: list[float] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self.delta = check_delta(self.delta)
        grid = np.linspace(0.0, 1.0, self.grid_steps + 1)
        self.state = BettingState.start(grid, self.delta, horizon=self.horizon)

    @property
    def n(self) -> int:
        """Observations so far."""
        return self.state.n

    def update(self, x: float) -> None:
        """Add one observation in [0, 1]."""
        if not 0.0 <= float(x) <= 1.0:
            raise ValueError(f"the betting CS takes observations in [0, 1], got {x!r}")
        self.state.step(float(x))
        self.observations.append(float(x))

    def interval(self) -> tuple[float, float]:
        """The current bounds (conservative by at most one grid step)."""
        return self.state.grid_bounds()

    def pvalues(self, threshold: float) -> tuple[float, float]:
        """1/K-_t(threshold) and 1/K+_t(threshold), each strategy's wealth on its own.

        K-_t(threshold) is a nonnegative supermartingale under every mean >= threshold (the
        bets are predictable and nonnegative), so 1/K- is an anytime-valid p-value for that
        null; symmetrically for K+. The hedged CS excludes the threshold exactly when one of
        them is <= delta / 2. The wealth at ``threshold`` is replayed exactly from the stored
        observations.
        """
        probe = BettingState.start(threshold, self.delta, horizon=self.horizon)
        for x in self.observations:
            probe.step(x)
        below = float(min(1.0, np.exp(-float(probe.log_down))))
        above = float(min(1.0, np.exp(-float(probe.log_up))))
        return below, above


def betting_rejects(paths: ArrayLike, m: float, delta: float) -> NDArray[np.bool_]:
    """Whether the betting CS excludes ``m`` after each step of each path (rows), exactly."""
    xs = np.atleast_2d(np.asarray(paths, dtype=np.float64))
    state = BettingState.start(m, delta, paths=(xs.shape[0],))
    out = np.empty(xs.shape, dtype=bool)
    for t in range(xs.shape[1]):
        state.step(xs[:, t])
        out[:, t] = state.rejected()
    return out


def open_sequence(method: str, delta: float) -> ConfidenceSequence:
    """A fresh confidence sequence by name (``beta-binomial`` or ``betting``)."""
    chosen = check_choice("sequential method", method, SEQUENCE_METHODS)
    if chosen == "beta-binomial":
        return BetaBinomialSequence(delta)
    return BettingSequence(delta)


def sequence_bounds(
    xs: ArrayLike, method: str = "beta-binomial", delta: float = 0.05
) -> tuple[Floats, Floats]:
    """Lower and upper bounds after each observation of one stream (for convergence plots)."""
    values = np.asarray(xs, dtype=np.float64).ravel()
    chosen = check_choice("sequential method", method, SEQUENCE_METHODS)
    level = check_delta(delta)
    if chosen == "beta-binomial":
        return beta_binomial_bounds(np.cumsum(values), np.arange(1, values.size + 1), level)
    sequence = BettingSequence(level)
    lower = np.empty(values.size)
    upper = np.empty(values.size)
    for t, x in enumerate(values):
        sequence.update(float(x))
        lower[t], upper[t] = sequence.interval()
    return lower, upper
