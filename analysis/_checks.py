"""Input checks shared by the certifiers: one-line errors that name the bad value and the fix."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from drivecert import UsageError

T = TypeVar("T", bound=str)


def check_delta(delta: float) -> float:
    """``delta`` as a float in (0, 1), or a UsageError."""
    if not isinstance(delta, int | float) or not 0.0 < float(delta) < 1.0:
        raise UsageError(
            f"delta={delta!r} is not in (0, 1); give the miscoverage, e.g. 0.05 for 95% confidence"
        )
    return float(delta)


def check_counts(unsafe: int, n: int) -> tuple[int, int]:
    """``(unsafe, n)`` as whole numbers with 0 <= unsafe <= n, or a UsageError."""
    for name, value in (("unsafe", unsafe), ("n", n)):
        if isinstance(value, bool) or not float(value).is_integer():
            raise UsageError(f"{name}={value!r} is not a whole number; give a count of scenes")
        if value < 0:
            raise UsageError(f"{name}={value!r} is negative; counts of scenes are 0 or more")
    if unsafe > n:
        raise UsageError(
            f"unsafe={unsafe} is more than n={n}; unsafe counts scenes among the n observed"
        )
    return int(unsafe), int(n)


def check_threshold(threshold: float) -> float:
    """``threshold`` as a float in (0, 1), or a UsageError."""
    if not isinstance(threshold, int | float) or not 0.0 < float(threshold) < 1.0:
        raise UsageError(
            f"threshold={threshold!r} is not in (0, 1); give a rate such as 0.1 (10% unsafe)"
        )
    return float(threshold)


def check_choice(kind: str, value: str, choices: Iterable[T]) -> T:
    """``value`` if it is one of ``choices``, else a UsageError listing them."""
    options = tuple(choices)
    for option in options:
        if value == option:
            return option
    raise UsageError(f"unknown {kind} {value!r}; choose one of {', '.join(options)}")
