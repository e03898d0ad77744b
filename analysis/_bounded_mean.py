"""Certified bounds on the scene-averaged mean mu = E_scene[p(scene)] of values in [0, 1].

Each scene gives a value x_i in [0, 1] (a model's probability of answering unsafely), or sound
bounds lb_i <= p_i <= ub_i on it. The lower confidence bound is computed from the lb values
only and the upper from the ub values only, each one-sided at level a = delta/2: since
E[lb_i] <= mu <= E[ub_i], each side keeps its guarantee, and together they cover mu with
probability at least 1 - delta. Exact values are the pairs lb_i = ub_i = x_i.

Fixed n (``BOUNDED_MEAN_METHODS``), the lower bound at one-sided level a (the upper is the
mirror image, 1 - the lower bound of 1 - ub):

- ``hoeffding`` (Hoeffding 1963): mean(lb) - sqrt(log(1/a) / (2n)).
- ``empirical-bernstein`` (Maurer & Pontil 2009, Theorem 4, n >= 2):
  mean(lb) - sqrt(2 V log(2/a) / n) - 7 log(2/a) / (3(n - 1)), V the sample variance with
  n - 1 in the denominator.
- ``betting-mean`` (Waudby-Smith & Ramdas, arXiv 2010.09686, hedged capital): the betting
  wealth of :mod:`analysis._betting` with bets tuned for the horizon n; valid at n only.

Anytime (``BOUNDED_MEAN_SEQUENCE_METHODS``): ``betting-mean-cs``, the same wealth with the
predictable plug-in bets of :class:`analysis._betting.BettingSequence`, valid at every n
(Ville's inequality), so sampling may stop when the interval excludes a threshold.

With the hedged capital K = max(K+, K-)/2 and the bound 1/delta, a mean m is rejected when
K+(m) >= 2/delta or K-(m) >= 2/delta: the two one-sided tests at delta/2 this module runs,
K+ on the lb stream (the lower bound) and K- on the ub stream (the upper bound).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray

from analysis._betting import BETTING_GRID, BettingSequence, BettingState, _grid_bounds
from analysis._checks import check_choice, check_delta
from drivecert import UsageError

BoundedMeanMethod = Literal["hoeffding", "empirical-bernstein", "betting-mean"]
BoundedMeanSequenceMethod = Literal["betting-mean-cs"]
BOUNDED_MEAN_METHODS: tuple[BoundedMeanMethod, ...] = get_args(BoundedMeanMethod)
BOUNDED_MEAN_SEQUENCE_METHODS: tuple[BoundedMeanSequenceMethod, ...] = get_args(
    BoundedMeanSequenceMethod
)

Floats = NDArray[np.float64]


def bounded_pairs(values_or_pairs: ArrayLike) -> tuple[Floats, Floats]:
    """(lb, ub) arrays from values in [0, 1] (lb = ub) or from rows [lb, ub], checked.

    Raises:
        UsageError: on a shape other than (n,) or (n, 2), a value outside [0, 1] (or NaN),
            or a pair with lb > ub.
    """
    data = np.asarray(values_or_pairs, dtype=np.float64)
    if data.ndim == 1:
        lb = ub = data
    elif data.ndim == 2 and data.shape[1] == 2:
        lb, ub = data[:, 0], data[:, 1]
    else:
        raise UsageError(
            f"got an array of shape {data.shape}; give n values in [0, 1] or n pairs [lb, ub]"
        )
    outside = ~((data >= 0.0) & (data <= 1.0))
    if outside.any():
        bad = float(data[outside].flat[0])
        raise UsageError(f"value {bad!r} is not in [0, 1]; give probabilities of an unsafe answer")
    crossed = np.flatnonzero(lb > ub)
    if crossed.size:
        i = int(crossed[0])
        raise UsageError(f"pair {i} has lb={float(lb[i])!r} > ub={float(ub[i])!r}; give lb <= ub")
    return lb, ub


def _hoeffding_lower(x: Floats, a: float) -> float:
    return float(x.mean() - np.sqrt(np.log(1.0 / a) / (2.0 * x.size)))


def _bernstein_lower(x: Floats, a: float) -> float:
    n = x.size
    if n < 2:
        return 0.0
    log_term = np.log(2.0 / a)
    spread = np.sqrt(2.0 * x.var(ddof=1) * log_term / n)
    return float(x.mean() - spread - 7.0 * log_term / (3.0 * (n - 1)))


def bounded_mean_interval(
    values_or_pairs: ArrayLike, delta: float = 0.05, method: str = "betting-mean"
) -> tuple[float, float]:
    """Fixed-n confidence interval (lower, upper) for the mean of values in [0, 1].

    Args:
        values_or_pairs: n values in [0, 1], or n rows [lb, ub] with lb <= p <= ub; n is
            fixed before looking at the data.
        delta: miscoverage; each side is one-sided at delta/2.
        method: ``betting-mean`` (the default, tightest), ``empirical-bernstein`` or
            ``hoeffding``.

    Returns:
        (lower, upper) in [0, 1]; (0, 1) when n = 0.

    Raises:
        UsageError: on bad values or pairs (see :func:`bounded_pairs`), delta outside (0, 1)
            or an unknown method.
    """
    lb, ub = bounded_pairs(values_or_pairs)
    level = check_delta(delta)
    chosen = check_choice("bounded-mean method", method, BOUNDED_MEAN_METHODS)
    if lb.size == 0:
        return 0.0, 1.0
    if chosen == "betting-mean":
        sequence = BoundedMeanSequence(level, horizon=lb.size)
        for low, high in zip(lb, ub, strict=True):
            sequence.update(float(low), float(high))
        return sequence.interval()
    side = _hoeffding_lower if chosen == "hoeffding" else _bernstein_lower
    lower, upper = side(lb, level / 2.0), 1.0 - side(1.0 - ub, level / 2.0)
    return float(np.clip(lower, 0.0, 1.0)), float(np.clip(upper, 0.0, 1.0))


@dataclass
class BoundedMeanSequence:
    """Betting confidence sequence for the mean of values (or [lb, ub] pairs) in [0, 1].

    Two :class:`BettingSequence` wealths: one fed lb, whose upward bets K+ give the lower
    bound, one fed ub, whose downward bets K- give the upper bound, each rejecting at
    2/delta. Without ``horizon`` valid at every n (``betting-mean-cs``); with it, the bets
    are tuned for that fixed n and the interval is valid there only (``betting-mean``).
    """

    delta: float = 0.05
    grid_steps: int = BETTING_GRID
    horizon: int | None = None
    method: BoundedMeanSequenceMethod | Literal["betting-mean"] = field(init=False)
    low: BettingSequence = field(init=False, repr=False)
    high: BettingSequence = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.delta = check_delta(self.delta)
        self.method = "betting-mean-cs" if self.horizon is None else "betting-mean"
        self.low = BettingSequence(self.delta, self.grid_steps, self.horizon)
        self.high = BettingSequence(self.delta, self.grid_steps, self.horizon)

    @property
    def n(self) -> int:
        """Scenes so far."""
        return self.low.n

    def update(self, lb: float, ub: float | None = None) -> None:
        """Add one scene: its value ``lb`` in [0, 1], or sound bounds lb <= p <= ub."""
        low, high = bounded_pairs([[lb, lb if ub is None else ub]])
        self.low.update(float(low[0]))
        self.high.update(float(high[0]))

    def interval(self) -> tuple[float, float]:
        """The current (lower, upper), conservative by at most one grid step."""
        level = np.log(2.0 / self.delta)
        lower, _ = _grid_bounds(self.low.state.grid, self.low.state.log_up, level)
        _, upper = _grid_bounds(self.high.state.grid, self.high.state.log_down, level)
        return lower, upper

    def pvalues(self, threshold: float) -> tuple[float, float]:
        """Anytime-valid p-values for the nulls mu >= threshold (from ub) and mu <= threshold
        (from lb); the interval excludes the threshold when one is <= delta/2."""
        below, _ = self.high.pvalues(threshold)
        _, above = self.low.pvalues(threshold)
        return below, above


def bounded_mean_rejects(
    lb_paths: ArrayLike,
    ub_paths: ArrayLike | None,
    m: float,
    delta: float,
    horizon: int | None = None,
) -> NDArray[np.bool_]:
    """Whether the betting interval excludes ``m`` after each step of each path (rows), exactly.

    ``ub_paths`` None means exact values (lb = ub). Vectorised over paths, for coverage
    simulations and benchmarks; :class:`BoundedMeanSequence` gives the same answer one
    path at a time, up to its grid.
    """
    lows = np.atleast_2d(np.asarray(lb_paths, dtype=np.float64))
    highs = lows if ub_paths is None else np.atleast_2d(np.asarray(ub_paths, dtype=np.float64))
    level = np.log(2.0 / delta)
    low = BettingState.start(m, delta, paths=(lows.shape[0],), horizon=horizon)
    high = low if ub_paths is None else BettingState.start(m, delta, (lows.shape[0],), horizon)
    out = np.empty(lows.shape, dtype=bool)
    for t in range(lows.shape[1]):
        low.step(lows[:, t])
        if high is not low:
            high.step(highs[:, t])
        out[:, t] = (low.log_up >= level) | (high.log_down >= level)
    return out


def bounded_mean_pvalues(
    values_or_pairs: ArrayLike, threshold: float, delta: float, method: str
) -> tuple[float, float]:
    """One-sided p-values (mean >= threshold, mean <= threshold) matching ``method``'s interval.

    The interval at level d lies wholly below (above) ``threshold`` exactly when the first
    (second) p-value is below d / 2, as :func:`analysis._spec.fixed_pvalues` for 0/1 data.
    ``betting-mean-cs`` gives the anytime p-values of its sequence run at ``delta`` (its bets
    depend on delta); the fixed-n methods are inverted in the level by bisection (each
    bound moves monotonically with it), to within 2**-40 in log10 of the level.
    """
    lb, ub = bounded_pairs(values_or_pairs)
    chosen = check_choice(
        "bounded-mean method", method, (*BOUNDED_MEAN_METHODS, *BOUNDED_MEAN_SEQUENCE_METHODS)
    )
    if lb.size == 0:
        return 1.0, 1.0
    if chosen == "betting-mean-cs":
        sequence = BoundedMeanSequence(check_delta(delta))
        for low, high in zip(lb, ub, strict=True):
            sequence.update(float(low), float(high))
        below, above = sequence.pvalues(threshold)
        return float(below), float(above)
    pairs = np.column_stack([lb, ub])

    def side_level(below: bool) -> float:
        """The least one-sided level at which that side excludes the threshold (1: none)."""

        def excludes(level: float) -> bool:
            lower, upper = bounded_mean_interval(pairs, min(2.0 * level, 1.0 - 1e-12), chosen)
            return upper < threshold if below else lower > threshold

        if not excludes(0.5 - 1e-12):
            return 1.0
        low, high = -40.0, float(np.log10(0.5 - 1e-12))  # excludes at 10**high, maybe not at low
        if excludes(10.0**low):
            return float(10.0**low)
        for _ in range(40):
            middle = (low + high) / 2.0
            low, high = (low, middle) if excludes(10.0**middle) else (middle, high)
        return float(10.0**high)

    return side_level(below=True), side_level(below=False)
