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
  bets): for any [0, 1] data; formulas in :mod:`analysis._betting`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import betainc, betaln

from analysis._betting import BETTING_GRID, BettingSequence, BettingState, betting_rejects
from analysis._checks import check_choice, check_delta
from analysis._paths import along_paths

__all__ = [
    "BETTING_GRID",
    "SEQUENCE_METHODS",
    "BetaBinomialSequence",
    "BettingSequence",
    "BettingState",
    "ConfidenceSequence",
    "SequenceMethod",
    "beta_binomial_bounds",
    "beta_binomial_log_evidence",
    "beta_binomial_rejects",
    "betting_rejects",
    "open_sequence",
    "sequence_bounds",
]

SequenceMethod = Literal["beta-binomial", "betting"]
SEQUENCE_METHODS: tuple[SequenceMethod, ...] = get_args(SequenceMethod)

Floats = NDArray[np.float64]

_BISECTION_STEPS = 60


class ConfidenceSequence(Protocol):
    """An anytime-valid CS updated one observation at a time."""

    delta: float

    @property
    def method(self) -> SequenceMethod:
        """``beta-binomial`` or ``betting``."""

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


def _log_marginal(ones: Floats, zeros: Floats, a: ArrayLike, b: ArrayLike) -> Floats:
    """log of the Beta(a, b) mixture's marginal likelihood, B(a + S, b + F) / B(a, b)."""
    prior_a, prior_b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return np.asarray(
        betaln(prior_a + ones, prior_b + zeros) - betaln(prior_a, prior_b), dtype=np.float64
    )


def beta_binomial_log_evidence(
    ones: ArrayLike, n: ArrayLike, m: ArrayLike, a: float = 1.0, b: float = 1.0
) -> Floats:
    """log M_t(m) of Robbins' Beta(a, b) mixture, vectorised over ones, n and m."""
    s = np.asarray(ones, dtype=np.float64)
    zeros = np.asarray(n, dtype=np.float64) - s
    return _log_marginal(s, zeros, a, b) - _log_likelihood(s, zeros, m)


def _floor(ones: Floats, zeros: Floats, delta: ArrayLike, a: ArrayLike, b: ArrayLike) -> Floats:
    """The level log L(m) must exceed for m to stay in the CS: log marginal - log(1/delta)."""
    level = np.log(1.0 / np.asarray(delta, dtype=np.float64))
    return np.asarray(_log_marginal(ones, zeros, a, b) - level, dtype=np.float64)


def _inside(ones: Floats, zeros: Floats, m: ArrayLike, floor: Floats) -> NDArray[np.bool_]:
    """Whether m is in the CS: the one test every bound and :meth:`accepts` apply."""
    return np.asarray(_log_likelihood(ones, zeros, m) > floor)


def beta_binomial_bounds(
    ones: ArrayLike, n: ArrayLike, delta: ArrayLike, a: ArrayLike = 1.0, b: ArrayLike = 1.0
) -> tuple[Floats, Floats]:
    """Bounds of the beta-binomial CS for arrays of (ones, n); n = 0 gives [0, 1].

    ``delta``, ``a`` and ``b`` broadcast too, so CSs at different levels are bounded in one
    call. Each end is a point the CS rejects (or 0 / 1), found by bisection from the
    accepted maximum-likelihood point S/t: the CS rounded outwards.
    """
    s = np.asarray(ones, dtype=np.float64)
    t = np.asarray(n, dtype=np.float64)
    s, t = np.broadcast_arrays(s, t)
    zeros = t - s
    # m is in the CS while log L(m) > floor: a level set of a concave function, so an
    # interval around the maximum-likelihood S/t (which is inside: L(S/t) >= marginal)
    floor = np.broadcast_to(_floor(s, zeros, delta, a, b), s.shape)
    centre = np.divide(s, t, out=np.full(s.shape, 0.5), where=t > 0)

    def outer_end(inside: Floats, outside: Floats) -> Floats:
        # bisection between an accepted point and an end of [0, 1]; returns the rejected side
        for _ in range(_BISECTION_STEPS):
            mid = 0.5 * (inside + outside)
            rejected = ~_inside(s, zeros, mid, floor)
            outside = np.where(rejected, mid, outside)
            inside = np.where(rejected, inside, mid)
        return outside

    zero_in = _inside(s, zeros, 0.0, floor)
    one_in = _inside(s, zeros, 1.0, floor)
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
    method: Literal["beta-binomial"] = field(default="beta-binomial", init=False)

    def __post_init__(self) -> None:
        self.delta = check_delta(self.delta)

    def update(self, x: float) -> None:
        """Add one 0/1 observation."""
        if x not in (0, 1):
            raise ValueError(f"the beta-binomial CS takes 0/1 observations, got {x!r}")
        self.n += 1
        self.ones += int(x)

    def interval(self) -> tuple[float, float]:
        """The current bounds (bisection: about 60 evaluations of the likelihood)."""
        lower, upper = beta_binomial_bounds(self.ones, self.n, self.delta, self.a, self.b)
        return float(lower), float(upper)

    def accepts(self, m: float, margin: float = 0.0) -> bool:
        """Whether ``m`` is in the CS now, in O(1).

        The same floating-point test :func:`beta_binomial_bounds` applies at every point it
        tries, log L(m) > log marginal - log(1/delta); with ``margin`` > 0, by at least that
        much.
        """
        return bool(_inside(*self._counts(), m, self._floor() + margin))

    def surely_accepts(self, m: float) -> bool:
        """:meth:`accepts` with a margin far above rounding error: when True, the bounds of
        :meth:`interval` satisfy lower < m < upper, so m's decision is ``undecided``.

        Why: log L is concave with its maximum at S/t, so every point between m and S/t has
        log L at least log L(m). Bisection returns, for each end, a point it found rejected
        (or 0 / 1 when those are accepted); with every point between m and S/t accepted,
        those rejected points lie beyond m. The margin (1e-9 times the size of the terms,
        about 10^6 times their rounding error) makes "accepted" hold for the computed values
        too, not only the exact ones. A False answer decides nothing: compute the interval.
        """
        if not 0.0 < m < 1.0:
            return False
        centre = self.ones / self.n if self.n else 0.5
        low, high = min(m, centre), max(m, centre)
        size = 1.0 + abs(float(self._floor()))
        if self.ones:
            size += self.ones * abs(np.log(low)) if low > 0.0 else np.inf
        if self.n - self.ones:
            size += (self.n - self.ones) * abs(np.log1p(-high)) if high < 1.0 else np.inf
        return bool(np.isfinite(size)) and self.accepts(m, margin=1e-9 * size)

    def _counts(self) -> tuple[Floats, Floats]:
        """(S, F) as the float64 values :func:`beta_binomial_bounds` computes with."""
        ones = np.asarray(self.ones, dtype=np.float64)
        return ones, np.asarray(self.n, dtype=np.float64) - ones

    def _floor(self) -> Floats:
        return _floor(*self._counts(), self.delta, self.a, self.b)

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
