"""Conditions: fixed assignments of a scenario's condition variables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from drivecert import UsageError


@dataclass(frozen=True)
class Condition:
    """A fixed assignment of scene variables, e.g. weather=HardRainNoon,maneuver=right_turn.

    Variables keep the order they were given in, so labels are stable. The empty
    condition means "every variable drawn from the scenario's own distribution".

    Attributes:
        values: variable name -> value.
    """

    values: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        clean: dict[str, str] = {}
        for key, value in dict(self.values).items():
            if not isinstance(key, str) or not key or not isinstance(value, str) or not value:
                raise UsageError(
                    f"condition entry {key!r}={value!r}: names and values must be non-empty text"
                )
            clean[key] = value
        object.__setattr__(self, "values", MappingProxyType(clean))

    @property
    def label(self) -> str:
        """``weather=HardRainNoon,maneuver=right_turn``; ``all`` for the empty condition."""
        if not self.values:
            return "all"
        return ",".join(f"{k}={v}" for k, v in self.values.items())

    def get(self, name: str) -> str | None:
        """The fixed value of ``name``, or None when it is not fixed."""
        return self.values.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self.values

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.values.items())))

    def __bool__(self) -> bool:
        return bool(self.values)

    def to_dict(self) -> dict[str, str]:
        """JSON-ready dict (ordered)."""
        return dict(self.values)

    @classmethod
    def from_dict(cls, data: Mapping[str, str]) -> Condition:
        """Inverse of :meth:`to_dict`."""
        return cls(dict(data))

    @classmethod
    def parse(cls, text: str | None) -> Condition:
        """Parse ``"weather=HardRainNoon,maneuver=right_turn"`` (``""``/``"all"`` = empty).

        Raises:
            UsageError: on an entry without ``=`` or a variable given twice.
        """
        if text is None or text.strip() in ("", "all"):
            return cls()
        values: dict[str, str] = {}
        for part in text.split(","):
            key, sep, value = part.partition("=")
            key, value = key.strip(), value.strip()
            if not sep or not key or not value:
                raise UsageError(
                    f"bad condition entry {part.strip()!r}; write name=value pairs separated "
                    "by commas, e.g. weather=HardRainNoon,maneuver=right_turn"
                )
            if key in values:
                raise UsageError(f"condition names {key!r} twice; give each variable once")
            values[key] = value
        return cls(values)
