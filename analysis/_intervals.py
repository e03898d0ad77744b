"""Fixed-n confidence intervals for a binomial proportion: Clopper-Pearson, Wilson, Jeffreys.

Valid only when n is fixed before looking at the data. Re-checking one of these after every
sample and stopping when it looks decided breaks its coverage; use the confidence sequences
in :mod:`analysis._confseq` for that.

Formulas (k unsafe among n, a = delta/2 for two-sided intervals, a = delta for one side):

- Clopper-Pearson (exact): lower = Beta.ppf(a; k, n-k+1), 0 when k = 0;
  upper = Beta.ppf(1-a; k+1, n-k), 1 when k = n. Coverage is at least 1 - delta for every p.
- Jeffreys: the a and 1-a quantiles of the Beta(k+1/2, n-k+1/2) posterior, with lower = 0
  when k = 0 and upper = 1 when k = n (Brown, Cai & DasGupta 2001; statsmodels leaves the
  quantiles there, e.g. 0.00001 at 0/50). Approximate.
- Wilson: the score interval (c + z^2/2n)/(1 + z^2/n) -+ z sqrt(c(1-c)/n + z^2/4n^2)/(1 + z^2/n)
  with c = k/n and z = Phi^-1(1-a). Approximate.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from analysis._checks import check_choice, check_counts, check_delta

Method = Literal["clopper-pearson", "wilson", "jeffreys"]
Side = Literal["two-sided", "lower", "upper"]

METHODS: tuple[Method, ...] = get_args(Method)
SIDES: tuple[Side, ...] = get_args(Side)
#: Methods whose coverage is at least 1 - delta for every p and n.
EXACT_METHODS: frozenset[str] = frozenset({"clopper-pearson"})


@dataclass(frozen=True)
class Interval:
    """A confidence interval for a proportion.

    Attributes:
        lower: lower bound (0 for an upper one-sided bound).
        upper: upper bound (1 for a lower one-sided bound).
        method: the method that made it.
        delta: its miscoverage; the confidence is 1 - delta.
        side: ``two-sided``, ``lower`` (only the lower bound is informative) or ``upper``.
    """

    lower: float
    upper: float
    method: str
    delta: float
    side: Side = "two-sided"

    @property
    def exact(self) -> bool:
        """Whether coverage is guaranteed at least 1 - delta (not an approximation)."""
        return self.method in EXACT_METHODS

    @property
    def width(self) -> float:
        """upper - lower."""
        return self.upper - self.lower

    def contains(self, p: float) -> bool:
        """Whether ``p`` lies in the closed interval."""
        return self.lower <= p <= self.upper

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


def binomial_bounds(
    unsafe: ArrayLike,
    n: ArrayLike,
    delta: float = 0.05,
    method: Method = "clopper-pearson",
    side: Side = "two-sided",
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Vectorised bounds for arrays of counts (no input checks; see :func:`binomial_interval`).

    ``n == 0`` gives the vacuous interval [0, 1].
    """
    k = np.asarray(unsafe, dtype=np.float64)
    total = np.asarray(n, dtype=np.float64)
    k, total = np.broadcast_arrays(k, total)
    a = delta / 2.0 if side == "two-sided" else delta
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "clopper-pearson":
            lower = np.where(k > 0, stats.beta.ppf(a, k, total - k + 1.0), 0.0)
            upper = np.where(k < total, stats.beta.isf(a, k + 1.0, total - k), 1.0)
        elif method == "jeffreys":  # with the ends Brown, Cai & DasGupta (2001) fix at 0 and 1
            lower = np.where(k > 0, stats.beta.ppf(a, k + 0.5, total - k + 0.5), 0.0)
            upper = np.where(k < total, stats.beta.isf(a, k + 0.5, total - k + 0.5), 1.0)
        else:
            z = float(stats.norm.isf(a))
            share = k / total
            shrink = 1.0 + z * z / total
            centre = (share + z * z / (2.0 * total)) / shrink
            half = z * np.sqrt(share * (1.0 - share) / total + z * z / (4.0 * total**2)) / shrink
            lower, upper = centre - half, centre + half
    empty = total == 0
    lower = np.clip(np.where(empty, 0.0, lower), 0.0, 1.0)
    upper = np.clip(np.where(empty, 1.0, upper), 0.0, 1.0)
    if side == "lower":
        upper = np.ones_like(upper)
    elif side == "upper":
        lower = np.zeros_like(lower)
    return lower, upper


def binomial_interval(
    unsafe: int,
    n: int,
    delta: float = 0.05,
    method: str = "clopper-pearson",
    side: str = "two-sided",
) -> Interval:
    """Confidence interval for P(unsafe) from ``unsafe`` unsafe answers among ``n`` scenes.

    Args:
        unsafe: number of unsafe observations.
        n: number of observations (scenes), fixed in advance.
        delta: miscoverage; the confidence is 1 - delta.
        method: ``clopper-pearson`` (exact, the default), ``wilson`` or ``jeffreys``.
        side: ``two-sided``; ``lower`` for a one-sided lower bound at level 1 - delta;
            ``upper`` for a one-sided upper bound.

    Raises:
        UsageError: on impossible counts, delta outside (0, 1) or an unknown method or side.
    """
    k, total = check_counts(unsafe, n)
    level = check_delta(delta)
    chosen = check_choice("method", method, METHODS)
    chosen_side = check_choice("side", side, SIDES)
    lower, upper = binomial_bounds(k, total, level, chosen, chosen_side)
    return Interval(float(lower), float(upper), chosen, level, chosen_side)
