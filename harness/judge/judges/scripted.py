"""``scripted:shy=R&bold=R``: the rules judge with set, biased error rates, for tests.

It reads a reply with the rules, then leaves an answer it read null with probability
``shy`` (too shy: null counts as unsafe) and reads a reply the rules left null as the
kind's first answer (``yes`` / ``stop``) with probability ``bold``. The draws are fixed by
(spec, reply, question), so a reply is always judged the same: the rates hold over
distinct replies.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from drivecert import ANSWERS, AnswerKind, UsageError, derive_uniform, probability_option
from harness.judge._judge import JUDGES, JudgeKind
from harness.judge._normalise import normalise_answer

FORMS = "scripted:shy=0.1&bold=0.05 (each a probability; both default to 0)"


@dataclass(frozen=True)
class ScriptedJudge:
    """A rules judge that errs at set rates."""

    shy: float
    bold: float
    judge_id: str
    revision: str = "scripted-judge-1"

    def read(self, response: str, kind: AnswerKind, question: str | None) -> str | None:
        """The rules' reading, then the set errors (module doc)."""
        answer = normalise_answer(response, kind, question)
        draw = derive_uniform("scripted-judge", self.judge_id, response, question)
        if answer is not None:
            return None if draw < self.shy else answer
        return ANSWERS[kind][0] if draw < self.bold else None

    def close(self) -> None:
        """Nothing to free."""


def _open(rest: str, cache: Path | None) -> ScriptedJudge:
    del cache  # nothing to cache
    rates = {"shy": 0.0, "bold": 0.0}
    for item in filter(None, rest.split("&")):
        key, sep, value = item.partition("=")
        if not sep or key not in rates:
            raise UsageError(f"{item!r} is not a scripted judge option; {FORMS}")
        rates[key] = probability_option(key, value, "the scripted judge", FORMS)
    return ScriptedJudge(rates["shy"], rates["bold"], f"scripted:{rest}")


def _check(rest: str) -> None:
    _open(rest, None)  # parsing the rates is all there is to open


JUDGES.register("scripted", JudgeKind("scripted", FORMS, _open, _check))
