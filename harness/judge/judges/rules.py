"""``rules``: the rule-based reader (docs/judge_policy.md)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from drivecert import AnswerKind, UsageError
from harness.judge._judge import JUDGES, JudgeKind
from harness.judge._normalise import normalise_answer

#: Bumped whenever a rule changes what a reply reads as.
RULES_REVISION = "rules-2026-11-30"


@dataclass(frozen=True)
class RulesJudge:
    """The rule-based judge."""

    judge_id: str = "rules"
    revision: str = RULES_REVISION

    def read(self, response: str, kind: AnswerKind, question: str | None) -> str | None:
        """:func:`harness.judge.normalise_answer`."""
        return normalise_answer(response, kind, question)

    def close(self) -> None:
        """Nothing to free."""


def _check(rest: str) -> None:
    if rest:
        raise UsageError(f"the rules judge takes no options, got {rest!r}; write --judge rules")


def _open(rest: str, cache: Path | None) -> RulesJudge:
    del cache  # nothing to cache
    _check(rest)
    return RulesJudge()


JUDGES.register("rules", JudgeKind("rules", "rules", _open, _check))
