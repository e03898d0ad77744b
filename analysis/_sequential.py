"""Sequential certification: sample a condition until its confidence sequence decides.

Stop rule: stop as soon as the CS lies wholly on one side of the threshold (a decision), or
its width reaches epsilon, or n reaches n_max. Because the bounds form a confidence
sequence, the interval at the stopping time keeps its 1 - delta coverage however the stop
was chosen; so the chance of a wrong decision is at most delta.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from analysis._bounded_mean import BOUNDED_MEAN_SEQUENCE_METHODS, BoundedMeanSequence
from analysis._checks import check_delta
from analysis._confseq import (
    BetaBinomialSequence,
    ConfidenceSequence,
    beta_binomial_bounds,
    open_sequence,
)
from analysis._paths import along_paths
from analysis._spec import Decision, Spec
from drivecert import UsageError

StopReason = Literal["decided", "width", "n_max"]


@dataclass(frozen=True)
class StopRule:
    """When to stop sampling one condition.

    Attributes:
        n_max: the most scenes to spend on it.
        epsilon: also stop once upper - lower <= epsilon (None: only on a decision or n_max).
    """

    n_max: int = 1000
    epsilon: float | None = None

    def __post_init__(self) -> None:
        if isinstance(self.n_max, bool) or not isinstance(self.n_max, int) or self.n_max < 1:
            raise UsageError(f"n_max={self.n_max!r} must be a whole number of scenes, 1 or more")
        if self.epsilon is not None and not 0.0 < self.epsilon <= 1.0:
            raise UsageError(f"epsilon={self.epsilon!r} must be a width in (0, 1], or None")

    def reason(self, decision: Decision, lower: float, upper: float, n: int) -> StopReason | None:
        """Why to stop now, or None to keep sampling."""
        if decision != "undecided":
            return "decided"
        if self.epsilon is not None and upper - lower <= self.epsilon:
            return "width"
        if n >= self.n_max:
            return "n_max"
        return None


@dataclass
class SequentialCertifier:
    """Feed one condition's 0/1 observations (unsafe, or wrong) until the stop rule fires.

    For K conditions sampled side by side, give each ``per_condition_delta(delta, K)``
    (Bonferroni) so that all K stopped intervals hold together with 1 - delta.

    With ``beta-binomial`` and no width rule, :meth:`observe` is O(1) while the threshold is
    surely inside the CS (:meth:`BetaBinomialSequence.surely_accepts`: then the decision is
    ``undecided``, exactly as the bounds would say); the bounds are bisected only when the
    threshold may be rejected, when the rule has an epsilon, or when ``lower``/``upper`` are
    read (once per n: they are cached).
    """

    spec: Spec
    delta: float = 0.05
    method: str = "beta-binomial"
    rule: StopRule = field(default_factory=StopRule)
    sequence: ConfidenceSequence | BoundedMeanSequence = field(init=False)
    stopped: StopReason | None = field(default=None, init=False)
    _bounds: tuple[int, float, float] = field(default=(0, 0.0, 1.0), init=False, repr=False)
    _decision: tuple[int, Decision] = field(default=(0, "undecided"), init=False, repr=False)

    def __post_init__(self) -> None:
        self.delta = check_delta(self.delta)
        if self.method in BOUNDED_MEAN_SEQUENCE_METHODS:
            self.sequence = BoundedMeanSequence(self.delta)
        else:
            self.sequence = open_sequence(self.method, self.delta)

    @property
    def n(self) -> int:
        """Observations so far."""
        return self.sequence.n

    @property
    def lower(self) -> float:
        """The CS's current lower bound (computed on first read at each n)."""
        return self.bounds()[0]

    @property
    def upper(self) -> float:
        """The CS's current upper bound (computed on first read at each n)."""
        return self.bounds()[1]

    def bounds(self) -> tuple[float, float]:
        """(lower, upper) now: the sequence's interval, computed once per n."""
        at, lower, upper = self._bounds
        if at != self.n:
            lower, upper = self.sequence.interval()
            self._bounds = (self.n, lower, upper)
        return lower, upper

    @property
    def decision(self) -> Decision:
        """The decision the current interval supports."""
        at, decision = self._decision
        if at != self.n:
            decision = self.spec.decide(*self.bounds())
            self._decision = (self.n, decision)
        return decision

    def observe(self, unsafe: bool | float | tuple[float, float]) -> bool:
        """Add one observation (a 0/1 answer, a probability, or sound bounds (lb, ub) on
        it, for ``betting-mean-cs``); True once the condition should stop sampling.

        Raises:
            UsageError: when called after the stop rule has fired, or given bounds for a
                method of 0/1 or single values.
        """
        if self.stopped is not None:
            raise UsageError(
                f"this condition already stopped ({self.stopped} at n={self.n}); "
                "start a new certifier to sample more"
            )
        if isinstance(self.sequence, BoundedMeanSequence):
            low, high = unsafe if isinstance(unsafe, tuple) else (unsafe, unsafe)
            self.sequence.update(float(low), float(high))
        elif isinstance(unsafe, tuple):
            raise UsageError(
                f"method {self.method} takes one value per scene, not bounds; certify per-scene "
                "bounds with betting-mean-cs"
            )
        else:
            self.sequence.update(float(unsafe))
        if self._surely_undecided():
            self._decision = (self.n, "undecided")
            self.stopped = "n_max" if self.n >= self.rule.n_max else None
        else:
            lower, upper = self.bounds()
            self.stopped = self.rule.reason(self.decision, lower, upper, self.n)
        return self.stopped is not None

    def _surely_undecided(self) -> bool:
        """True only when the bounds would straddle the threshold and no width is watched."""
        return (
            self.rule.epsilon is None
            and isinstance(self.sequence, BetaBinomialSequence)
            and self.sequence.surely_accepts(self.spec.threshold)
        )


def certifier_bounds(
    certifiers: Sequence[SequentialCertifier],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Every certifier's current (lower, upper), as two arrays.

    The beta-binomial bounds not yet cached are bisected together in one vectorised
    :func:`beta_binomial_bounds` call and cached in their certifiers, so the values equal
    what each certifier's ``lower``/``upper`` give. Cheap enough for a live display.
    """
    stale = [
        (c, c.sequence)
        for c in certifiers
        if isinstance(c.sequence, BetaBinomialSequence) and c._bounds[0] != c.n
    ]
    if stale:
        sequences = [s for _, s in stale]
        lower, upper = beta_binomial_bounds(
            [s.ones for s in sequences],
            [s.n for s in sequences],
            np.asarray([s.delta for s in sequences]),
            np.asarray([s.a for s in sequences]),
            np.asarray([s.b for s in sequences]),
        )
        for (certifier, _), low, high in zip(stale, lower, upper, strict=True):
            certifier._bounds = (certifier.n, float(low), float(high))
    pairs = [c.bounds() for c in certifiers]
    return (
        np.asarray([p[0] for p in pairs], dtype=np.float64),
        np.asarray([p[1] for p in pairs], dtype=np.float64),
    )


@dataclass(frozen=True)
class SimulatedStops:
    """Where simulated streams stopped.

    Attributes:
        n: observations used by each stream.
        decision: the decision at the stop.
        reason: why each stream stopped.
    """

    n: NDArray[np.int64]
    decision: NDArray[np.str_]
    reason: NDArray[np.str_]


def simulate_beta_binomial_stops(
    paths: NDArray[np.bool_] | NDArray[np.float64], spec: Spec, delta: float, rule: StopRule
) -> SimulatedStops:
    """Run the beta-binomial certifier on many 0/1 streams (rows, at least n_max long) at once.

    The CS bounds depend only on (n, ones), so they are tabulated once for n <= n_max and
    looked up; the stop rule is then the same as :class:`SequentialCertifier`'s.
    """
    xs = np.asarray(paths, dtype=np.float64)[:, : rule.n_max]
    if xs.shape[1] < rule.n_max:
        raise ValueError(f"streams have {xs.shape[1]} steps; the rule needs n_max={rule.n_max}")
    lower, upper = along_paths(xs, lambda ones, n: beta_binomial_bounds(ones, n, delta))
    decision = spec.decide_many(lower, upper)
    stop = decision != "undecided"
    if rule.epsilon is not None:
        stop |= upper - lower <= rule.epsilon
    stop[:, -1] = True
    first = stop.argmax(axis=1)
    rows = np.arange(xs.shape[0])
    final = decision[rows, first]
    width = (upper - lower)[rows, first]
    reason = np.where(
        final != "undecided",
        "decided",
        np.where((rule.epsilon is not None) & (width <= (rule.epsilon or 0.0)), "width", "n_max"),
    )
    return SimulatedStops(first.astype(np.int64) + 1, final, reason)
