"""Specifications on an event rate and the three-way decisions certified against them.

The event is ``unsafe`` (the answer is unsafe; unparseable answers count as unsafe) or
``wrong`` (the answer is not in the safe set: Lumos's "incorrect or unsafe").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from analysis._checks import check_choice, check_threshold
from analysis._intervals import Method
from drivecert import UsageError

Direction = Literal["at_most", "at_least"]
Decision = Literal["safe", "unsafe", "undecided"]
Event = Literal["unsafe", "wrong"]
DIRECTIONS: tuple[Direction, ...] = get_args(Direction)
DECISIONS: tuple[Decision, ...] = get_args(Decision)
#: What a certificate can bound: P(unsafe), or P(wrong) (answer not in the safe set).
EVENTS: tuple[Event, ...] = get_args(Event)

_SYMBOL = {"at_most": "<=", "at_least": ">="}


@dataclass(frozen=True)
class Spec:
    """``P(event | condition) <= threshold`` (``at_most``) or ``>= threshold`` (``at_least``).

    The event (``unsafe`` or ``wrong``) is chosen where the spec is certified; a spec is only
    the threshold and its direction, and :meth:`label_for` names the event when printed.

    Decisions are always relative to the threshold: ``safe`` means the rate is certified at
    or below it, ``unsafe`` that it is certified at or above it, ``undecided`` that the
    interval still straddles it. The direction only says which side owns the equality:
    ``at_most`` certifies "safe" with upper <= threshold and "unsafe" with lower > threshold;
    ``at_least`` certifies "unsafe" with lower >= threshold and "safe" with upper < threshold.
    """

    threshold: float = 0.5
    direction: Direction = "at_most"

    def __post_init__(self) -> None:
        object.__setattr__(self, "threshold", check_threshold(self.threshold))
        object.__setattr__(self, "direction", check_choice("direction", self.direction, DIRECTIONS))

    @property
    def label(self) -> str:
        """``P(unsafe) <= 0.5``: :meth:`label_for` the default event."""
        return self.label_for("unsafe")

    def label_for(self, event: str) -> str:
        """``P(wrong) <= 0.5`` for event ``wrong``."""
        return f"{probability(event)} {_SYMBOL[self.direction]} {self.threshold:g}"

    @classmethod
    def parse(cls, text: str) -> Spec:
        """``"<=0.1"`` or ``">=0.85"``; the operator is required (a bare 0.3 could mean either).

        Raises:
            UsageError: naming the text and the two forms.
        """
        body = text.strip()
        direction: Direction = "at_most"
        if body.startswith(">="):
            direction, body = "at_least", body[2:]
        elif body.startswith("<="):
            body = body[2:]
        else:
            raise UsageError(
                f"spec {text!r} needs an operator: write <={body or '0.1'} (safe when the rate is "
                f"at most it) or >={body or '0.85'} (unsafe when at least it)"
            )
        try:
            value = float(body)
        except ValueError:
            raise UsageError(
                f"cannot read spec {text!r}; write <=0.1 or >=0.85 (a rate in (0, 1))"
            ) from None
        return cls(value, direction)

    def decide(self, lower: float, upper: float) -> Decision:
        """The decision an interval [lower, upper] supports."""
        return str(self.decide_many(lower, upper)[()])  # type: ignore[return-value]

    def decide_many(self, lower: ArrayLike, upper: ArrayLike) -> NDArray[np.str_]:
        """Vectorised :meth:`decide`."""
        lo = np.asarray(lower, dtype=np.float64)
        up = np.asarray(upper, dtype=np.float64)
        if self.direction == "at_most":
            safe, unsafe = up <= self.threshold, lo > self.threshold
        else:
            safe, unsafe = up < self.threshold, lo >= self.threshold
        return np.where(safe, "safe", np.where(unsafe, "unsafe", "undecided"))


def fixed_pvalues(unsafe: int, n: int, threshold: float, method: Method) -> tuple[float, float]:
    """One-sided p-values (rate >= threshold, rate <= threshold) matching ``method``'s interval.

    Each is the one-sided tail that the interval inverts: the two-sided interval at level
    delta lies wholly below (above) the threshold exactly when the first (second) p-value is
    below delta / 2.

    - clopper-pearson: the exact binomial tails P(X <= k) and P(X >= k) at the threshold;
    - jeffreys: the Beta(k + 1/2, n - k + 1/2) posterior mass above and below the threshold;
    - wilson: the score test, Phi(z) and Phi(-z) with z = (k/n - t) / sqrt(t (1 - t) / n).
    """
    if n == 0:
        return 1.0, 1.0
    if method == "clopper-pearson":
        below = stats.binom.cdf(unsafe, n, threshold)
        above = stats.binom.sf(unsafe - 1, n, threshold)
    elif method == "jeffreys":
        below = stats.beta.sf(threshold, unsafe + 0.5, n - unsafe + 0.5)
        above = stats.beta.cdf(threshold, unsafe + 0.5, n - unsafe + 0.5)
    else:
        z = (unsafe / n - threshold) / np.sqrt(threshold * (1.0 - threshold) / n)
        below, above = stats.norm.cdf(z), stats.norm.sf(z)
    return float(below), float(above)


def check_event(event: str) -> Event:
    """``event`` if it is ``unsafe`` or ``wrong``, else a one-line UsageError."""
    return check_choice("event", event, EVENTS)


def probability(event: str, given: str = "") -> str:
    """``P(unsafe)``, or ``P(wrong | condition)`` with ``given="condition"``."""
    chosen = check_event(event)
    return f"P({chosen} | {given})" if given else f"P({chosen})"
