"""The records of a failure search: what to find (SearchConfig), what was found (SearchResult)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from analysis._checks import check_choice, check_delta
from analysis._confseq import SEQUENCE_METHODS, SequenceMethod
from drivecert import UsageError

SearchStop = Literal["identified", "classified", "budget"]
Allocation = Literal["lucb", "uniform"]
ALLOCATIONS: tuple[Allocation, ...] = get_args(Allocation)


@dataclass(frozen=True)
class SearchConfig:
    """What to find and how sure to be.

    Attributes:
        k: how many arms to return (top-K mode; ignored with ``above``).
        epsilon: the slack on rates, in (0, 1).
        delta: the chance, over the whole search, that any returned statement is wrong.
        method: the per-arm CS, ``beta-binomial`` (default) or ``betting``.
        above: a threshold T in (0, 1): return every arm above T instead of the top K.
        budget: the most queries (scenes) to spend; None for no limit.
    """

    k: int = 1
    epsilon: float = 0.1
    delta: float = 0.05
    method: SequenceMethod = "beta-binomial"
    above: float | None = None
    budget: int | None = None

    def __post_init__(self) -> None:
        if isinstance(self.k, bool) or not isinstance(self.k, int) or self.k < 1:
            raise UsageError(f"k={self.k!r} must be a whole number of arms, 1 or more (--top)")
        if not isinstance(self.epsilon, int | float) or not 0.0 < self.epsilon < 1.0:
            raise UsageError(
                f"epsilon={self.epsilon!r} is not in (0, 1); give the slack on rates, e.g. 0.1"
            )
        check_delta(self.delta)
        check_choice("sequential method", self.method, SEQUENCE_METHODS)
        if self.above is not None and (
            not isinstance(self.above, int | float) or not 0.0 < self.above < 1.0
        ):
            raise UsageError(
                f"above={self.above!r} is not in (0, 1); give a rate such as 0.5 (--above)"
            )
        if self.budget is not None and (
            isinstance(self.budget, bool) or not isinstance(self.budget, int) or self.budget < 1
        ):
            raise UsageError(f"budget={self.budget!r} must be a whole number of queries, 1 or more")


@dataclass(frozen=True)
class ArmBounds:
    """One arm's counts and interval (the interval holds jointly with every other arm's).

    Attributes:
        arm: index in 0..m-1.
        label: the arm's name (its condition label, or the index as text).
        n: scenes observed.
        unsafe: unsafe scenes among them.
        lower: lower end of its CS at level delta/m.
        upper: upper end.
    """

    arm: int
    label: str
    n: int
    unsafe: int
    lower: float
    upper: float

    @property
    def rate(self) -> float:
        """unsafe / n (NaN before the first scene)."""
        return self.unsafe / self.n if self.n else float("nan")


@dataclass(frozen=True, eq=False)
class SearchResult:
    """The search's answer now.

    Attributes:
        arms: the top K (or the above-T arms), highest empirical rate first.
        certified: True only when the stop rule holds: then the guarantee of the module
            docstring applies with probability >= 1 - delta. False while running or when
            the budget ran out.
        reason: why it stopped (``identified``, ``classified``, ``budget``), or None.
        queries: scenes spent.
        config: what was asked.
        intervals: every arm: arm, label, n, unsafe, rate, lower, upper, selected.
    """

    arms: tuple[ArmBounds, ...]
    certified: bool
    reason: SearchStop | None
    queries: int
    config: SearchConfig
    intervals: pd.DataFrame


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Every arm's state after ``queries`` scenes (for a figure of intervals narrowing)."""

    queries: int
    n: NDArray[np.int64]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
