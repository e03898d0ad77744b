"""The judge as an extension point: reply and question in, normalised answer out.

A judge spec picks the implementation: ``rules`` (the rule-based reader), ``scripted:...``
(a rules judge with set error rates, for tests of the correction), ``model:SPEC`` (any
model, with a fixed prompt) and ``rules+model:SPEC`` (the model only where the rules leave
a reply null). Each implementation is
one file in ``harness/judge/judges/`` that registers a :class:`JudgeKind` in
:data:`JUDGES`; nothing else lists them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from drivecert import AnswerKind, Registry, UsageError

#: What reads a reply: ``(response, kind, question) -> answer or None`` (a judge's ``read``).
Reader = Callable[[str, AnswerKind, str | None], str | None]


class Judge(Protocol):
    """Reads a free-text reply to a question as a canonical answer, or None (null)."""

    @property
    def judge_id(self) -> str:
        """The spec that names this judge, e.g. ``rules``."""
        ...

    @property
    def revision(self) -> str:
        """What version of the judge read the replies (recorded beside the answers)."""
        ...

    def read(self, response: str, kind: AnswerKind, question: str | None) -> str | None:
        """The canonical answer of ``response`` (yes/no, stop/yield/proceed) or None."""
        ...

    def close(self) -> None:
        """Free what the judge holds (a model); nothing for the rules."""


@dataclass(frozen=True)
class JudgeKind:
    """One registered judge implementation.

    Attributes:
        name: the spec's prefix (``rules``, ``scripted``).
        forms: the spec forms it takes, for error messages.
        open: builds the judge from what follows ``name:`` (empty for none) and a cache
            folder for judges that call a model (None: no cache).
        check: checks what follows ``name:`` without loading anything (raises UsageError).
    """

    name: str
    forms: str
    open: Callable[[str, Path | None], Judge]
    check: Callable[[str], None]


JUDGES: Registry[JudgeKind] = Registry("judge", JudgeKind, discover="harness.judge.judges")


def open_judge(spec: str, cache: Path | None = None) -> Judge:
    """The judge a spec names: ``rules``, ``scripted:shy=0.1&bold=0.05``, ``model:SPEC`` or
    ``rules+model:SPEC`` (judgements cached in the folder ``cache`` when given).

    Raises:
        UsageError: one line naming the unknown judge and the valid forms.
    """
    kind, rest = _kind(spec)
    return kind.open(rest, cache)


def check_judge(spec: str) -> None:
    """Check a judge spec as far as possible without loading a model (what a run does
    before any work starts).

    Raises:
        UsageError: the one line :func:`open_judge` would raise for a bad spec.
    """
    kind, rest = _kind(spec)
    kind.check(rest)


def _kind(spec: str) -> tuple[JudgeKind, str]:
    """The registered kind a spec names, and what follows its ``name:``."""
    name, _, rest = spec.strip().partition(":")
    if not name:
        raise UsageError(f"empty judge spec {spec!r}; valid: {', '.join(JUDGES.names())}")
    return JUDGES.get(name), rest
