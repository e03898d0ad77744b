"""A small generic registry with a type check, freezing and "did you mean" errors."""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

from drivecert._errors import DrivecertError, UsageError

T = TypeVar("T")


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


class Registry(Generic[T]):
    """Named entries of one kind, e.g. every scenario or every model backend.

    Entries register themselves (``registry.register(name, obj)``) from their own module,
    so adding one is one file. When ``discover`` names a package, every module in it is
    imported on first lookup: there is no second list to edit.

    Args:
        kind: what the entries are, for messages ("scenario", "model backend").
        base: entries must be instances of this type.
        discover: dotted name of a package whose modules register entries.
    """

    def __init__(self, kind: str, base: type[T], discover: str | None = None) -> None:
        self._kind = kind
        self._base = base
        self._discover = discover
        self._discovered = discover is None
        self._entries: dict[str, T] = {}
        self._frozen = False

    def register(self, name: str, entry: T) -> T:
        """Add ``entry`` under ``name`` and return it (usable as a decorator helper)."""
        if self._frozen:
            raise DrivecertError(f"{self._kind} registry is frozen; cannot add {name!r}")
        if not isinstance(entry, self._base):
            raise DrivecertError(
                f"{self._kind} {name!r} must be a {self._base.__name__}, got {type(entry).__name__}"
            )
        if name in self._entries and self._entries[name] is not entry:
            raise DrivecertError(f"{self._kind} {name!r} is registered twice")
        self._entries[name] = entry
        return entry

    def decorator(self, name: str) -> Callable[[T], T]:
        """Return a decorator that registers its argument under ``name``."""

        def wrap(entry: T) -> T:
            return self.register(name, entry)

        return wrap

    def freeze(self) -> None:
        """Refuse further registrations."""
        self._ensure_discovered()
        self._frozen = True

    def get(self, name: str) -> T:
        """Look up ``name``; an unknown name raises ``UsageError`` with suggestions."""
        self._ensure_discovered()
        try:
            return self._entries[name]
        except KeyError:
            raise UsageError(self.unknown_message(name)) from None

    def unknown_message(self, name: str) -> str:
        """One line: the unknown name, close matches, and every valid name."""
        names = self.names()
        return (
            f"unknown {self._kind} {name!r}{did_you_mean(name, names)}; valid: {', '.join(names)}"
        )

    def names(self) -> list[str]:
        """Every registered name, sorted."""
        self._ensure_discovered()
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        self._ensure_discovered()
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self.names())

    def _ensure_discovered(self) -> None:
        if self._discovered or self._discover is None:
            return
        self._discovered = True
        package = importlib.import_module(self._discover)
        for module in pkgutil.iter_modules(package.__path__):
            if not module.name.startswith("_"):
                importlib.import_module(f"{self._discover}.{module.name}")
