"""The probabilistic scenario language: seeded draws, conditions and ``require``.

A scenario program is a plain Python function ``program(s: SampleContext) -> T``. It
draws named random choices from ``s`` (``s.var``, ``s.choose``, ``s.bernoulli``,
``s.uniform``, ``s.normal``) and states constraints with ``s.require``. Sampling runs the
program until every constraint and the condition hold (rejection sampling), within a
bounded number of attempts.

Randomness is counter-based: every draw is addressed by (scene seed, attempt, choice
name), hashed with BLAKE2b into one uniform number. So a scene is a pure function of its
seed, the same sample is the same scene whatever else was drawn before it, and two
conditions that differ only in a fixed-prior variable (such as weather) share every
other choice: sample *i* under ClearNoon and under HardRainNoon is the same layout.
"""

from __future__ import annotations

import bisect
import hashlib
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, Generic, TypeVar

from drivecert import DrivecertError, UsageError
from scenarios._condition import Condition
from scenarios._graph import Node

T = TypeVar("T")

DEFAULT_MAX_ATTEMPTS = 2000
_STANDARD_NORMAL = NormalDist()


@dataclass(frozen=True)
class Variable:
    """A condition variable of a scenario: a categorical choice with a declared prior.

    Attributes:
        name: e.g. ``"weather"``.
        values: the possible values, in display order.
        weights: prior weights (normalised on use); None means uniform.
        description: one line for ``drivecert scenarios``.
        derived: True when the value is computed from other draws (``s.observe``) rather
            than drawn from ``weights``; conditioning on it is then by rejection.
    """

    name: str
    values: tuple[str, ...]
    weights: tuple[float, ...] | None = None
    description: str = ""
    derived: bool = False

    def __post_init__(self) -> None:
        if not self.values or len(set(self.values)) != len(self.values):
            raise DrivecertError(f"variable {self.name!r} needs distinct values, got {self.values}")
        if self.weights is not None:
            if len(self.weights) != len(self.values) or any(w < 0 for w in self.weights):
                raise DrivecertError(
                    f"variable {self.name!r}: one non-negative weight per value is needed"
                )
            if sum(self.weights) <= 0:
                raise DrivecertError(f"variable {self.name!r}: weights sum to zero")

    @property
    def probabilities(self) -> tuple[float, ...]:
        """The prior as probabilities summing to one."""
        weights = self.weights or tuple(1.0 for _ in self.values)
        total = float(sum(weights))
        return tuple(w / total for w in weights)


class RandomStream:
    """A counter-based random stream: uniform numbers addressed by name.

    ``uniform01(address)`` is a pure function of (seed, address): draws do not depend on
    the order in which they are made.
    """

    def __init__(self, seed: int) -> None:
        if not 0 <= seed < 2**64:
            raise DrivecertError(f"seed {seed} must be a 64-bit unsigned integer")
        self.seed = seed
        self._key = seed.to_bytes(8, "little")

    def uniform01(self, address: str) -> float:
        """A uniform number in the open interval (0, 1) for ``address``."""
        digest = hashlib.blake2b(address.encode("utf-8"), digest_size=8, key=self._key).digest()
        bits = int.from_bytes(digest, "little") >> 11  # 53 bits
        return (bits + 0.5) / 9007199254740992.0  # 2**53


class Rejected(Exception):
    """Raised inside a program when a constraint fails; the sampler retries."""

    def __init__(self, constraint: str) -> None:
        super().__init__(constraint)
        self.constraint = constraint


class UnsatisfiableCondition(UsageError):
    """No scene satisfied the constraints and the condition within the attempt budget."""


class SampleContext:
    """What a scenario program draws from: one attempt at one scene.

    Args:
        stream: the scene's random stream.
        attempt: the attempt number (part of every draw's address).
        condition: values fixed for condition variables.
        variables: the scenario's condition variables by name.
    """

    def __init__(
        self,
        stream: RandomStream,
        attempt: int,
        condition: Condition,
        variables: Mapping[str, Variable],
    ) -> None:
        self._stream = stream
        self._attempt = attempt
        self._condition = condition
        self._variables = variables
        self.trace: dict[str, Any] = {}

    # draws ---------------------------------------------------------------------------
    def _u(self, name: str) -> float:
        if name in self.trace:
            raise DrivecertError(f"choice {name!r} is drawn twice in one scene; give each a name")
        return self._stream.uniform01(f"{self._attempt}/{name}")

    def var(self, name: str) -> str:
        """The condition variable ``name``: its fixed value, else a draw from its prior."""
        variable = self._variable(name)
        if variable.derived:
            raise DrivecertError(f"variable {name!r} is derived: set it with s.observe()")
        u = self._u(name)
        fixed = self._condition.get(name)
        value = fixed if fixed is not None else _pick(variable.values, variable.probabilities, u)
        self.trace[name] = value
        return value

    def choose(self, name: str, options: Sequence[T], weights: Sequence[float] | None = None) -> T:
        """One of ``options`` (nodes or values), uniformly or by ``weights``.

        When ``name`` is a condition variable fixed by the condition, a draw that differs
        from the fixed value rejects the attempt (exact conditioning).
        """
        if not options:
            raise Rejected(f"{name}: no option available")
        if weights is None:
            probs: Sequence[float] = [1.0 / len(options)] * len(options)
        else:
            if len(weights) != len(options) or any(w < 0 for w in weights) or sum(weights) <= 0:
                raise DrivecertError(f"choice {name!r}: need one non-negative weight per option")
            total = float(sum(weights))
            probs = [w / total for w in weights]
        value = _pick(options, probs, self._u(name))
        self._record(name, _label(value))
        return value

    def bernoulli(self, name: str, p: float) -> bool:
        """True with probability ``p``."""
        if not 0.0 <= p <= 1.0:
            raise DrivecertError(f"bernoulli {name!r}: p={p} must lie in [0, 1]")
        value = self._u(name) < p
        self._record(name, value)
        return value

    def uniform(self, name: str, low: float, high: float) -> float:
        """A uniform number in [low, high]."""
        if not high >= low:
            raise DrivecertError(f"uniform {name!r}: high={high} < low={low}")
        value = low + (high - low) * self._u(name)
        self.trace[name] = value
        return value

    def normal(
        self,
        name: str,
        mean: float,
        std: float,
        low: float = -math.inf,
        high: float = math.inf,
    ) -> float:
        """A normal draw, truncated to [low, high] exactly (inverse CDF, no rejection)."""
        if std <= 0 or not high > low:
            raise DrivecertError(f"normal {name!r}: need std > 0 and high > low")
        a = _STANDARD_NORMAL.cdf((low - mean) / std) if low > -math.inf else 0.0
        b = _STANDARD_NORMAL.cdf((high - mean) / std) if high < math.inf else 1.0
        if not b > a:
            raise DrivecertError(f"normal {name!r}: [low, high] holds no probability mass")
        p = min(max(a + (b - a) * self._u(name), 1e-16), 1 - 1e-16)
        value = min(max(mean + std * _STANDARD_NORMAL.inv_cdf(p), low), high)
        self.trace[name] = value
        return value

    # constraints ---------------------------------------------------------------------
    def require(self, holds: bool, name: str) -> None:
        """State a constraint; when it does not hold the attempt is rejected."""
        if not holds:
            raise Rejected(name)

    def observe(self, name: str, value: str) -> str:
        """Record a derived condition variable; a fixed condition must match it."""
        variable = self._variable(name)
        if value not in variable.values:
            raise DrivecertError(f"derived {name}={value!r} is not one of {variable.values}")
        self._record(name, value)
        return value

    # helpers -------------------------------------------------------------------------
    def _variable(self, name: str) -> Variable:
        try:
            return self._variables[name]
        except KeyError:
            raise DrivecertError(
                f"{name!r} is not a declared condition variable; declared: "
                f"{', '.join(self._variables)}"
            ) from None

    def _record(self, name: str, value: Any) -> None:
        self.trace[name] = value
        fixed = self._condition.get(name)
        if fixed is not None and str(value) != fixed:
            raise Rejected(f"{name}={fixed}")


@dataclass(frozen=True)
class Draw(Generic[T]):
    """The outcome of running a program: its value, its trace and the attempts it took."""

    value: T
    trace: dict[str, Any]
    attempts: int


def run_program(
    program: Callable[[SampleContext], T],
    *,
    stream: RandomStream,
    condition: Condition,
    variables: Mapping[str, Variable],
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    what: str = "scenario",
) -> Draw[T]:
    """Run ``program`` until its constraints and ``condition`` hold.

    Raises:
        UnsatisfiableCondition: after ``max_attempts`` rejections, naming the condition
            and the constraints that failed most often.
    """
    failures: Counter[str] = Counter()
    for attempt in range(max_attempts):
        ctx = SampleContext(stream, attempt, condition, variables)
        try:
            value = program(ctx)
            for name, fixed in condition.values.items():
                if name not in ctx.trace:
                    raise Rejected(f"{name}={fixed} (never drawn)")
        except Rejected as rejected:
            failures[rejected.constraint] += 1
            continue
        return Draw(value=value, trace=ctx.trace, attempts=attempt + 1)
    worst = ", ".join(f"{c!r} x{n}" for c, n in failures.most_common(3))
    raise UnsatisfiableCondition(
        f"{what}: condition {condition.label} could not be met in {max_attempts} attempts "
        f"(failed most: {worst}); choose values that can occur together "
        "(see `drivecert scenarios`)"
    )


def _pick(options: Sequence[T], probs: Sequence[float], u: float) -> T:
    cumulative: list[float] = []
    total = 0.0
    for p in probs:
        total += p
        cumulative.append(total)
    index = bisect.bisect_right(cumulative, u * total)
    return options[min(index, len(options) - 1)]


def _label(value: Any) -> Any:
    return value.id if isinstance(value, Node) else value
