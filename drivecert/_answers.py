"""The answer vocabulary every layer shares: answer kinds, their answers and the options.

Scenarios state ground truth in these words, models' answer keys carry them, and the
judge normalises free text to them. They are written here once.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final, Literal

AnswerKind = Literal["yes_no", "action"]
"""The kinds of question: a yes/no question, or the stop / yield / proceed choice."""

ANSWERS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "yes_no": ("yes", "no"),
        # most cautious first: this order defines "over-cautious" versus "unsafe"
        "action": ("stop", "yield", "proceed"),
    }
)
"""Every valid answer of each kind (action answers most cautious first)."""

ACTION_OPTIONS: Final[Mapping[str, str]] = MappingProxyType(
    {"A": "stop", "B": "yield", "C": "proceed"}
)
"""The lettered options of the action question and the answer each stands for."""

ACTION_CHOICES_TEXT: Final = "(A) Stop (B) Slow down and yield (C) Proceed"
"""The options as a model reads them, after the action question."""
