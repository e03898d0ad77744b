"""The report's judge section: which judge read the replies, how often it errs on labelled
replies, and what a model judge read where the rules leave a reply null.

The measured error comes from ``judge_accuracy.json`` in the run (written when the run or
``certify`` was given ``--judge-labels``). Without it, the rules judge (deterministic and
quick) is measured on the project's own labelled sets when the source checkout has them; a
model judge is not run again for the report, so its error is then reported as unmeasured.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from drivecert import UsageError
from harness.judge import normalise_answer
from harness.judge._accuracy import ACCURACY_FILE, judge_accuracy, load_labelled

MAX_RESCUED = 200


@dataclass(frozen=True)
class RescuedReply:
    """A reply the rules leave null that the run's judge read as an answer."""

    scenario: str
    model: str
    condition: str
    question: str
    sample: int
    response: str
    answer: str


@dataclass(frozen=True)
class JudgeSection:
    """What the report says of the judge.

    Attributes:
        judge: the judge spec the run used (``rules``, ``rules+model:SPEC`` ...).
        revisions: the judge revisions stored with the rows.
        replies: answered replies (status ok).
        unread: of those, how many the judge left null.
        accuracy: the judge's accuracy on labelled replies (``JudgeAccuracy.to_dict``
            without its disagreements), or None when not measured.
        source: what it was measured on.
        note: why it is not measured, when it is not.
        rescued: replies the rules leave null and the judge read (a model judge only).
        rescued_total: how many there are in all (only ``MAX_RESCUED`` are listed).
    """

    judge: str
    revisions: tuple[str, ...]
    replies: int
    unread: int
    accuracy: dict[str, Any] | None
    source: str = ""
    note: str = ""
    rescued: list[RescuedReply] = field(default_factory=list)
    rescued_total: int = 0

    @property
    def uses_model(self) -> bool:
        """Whether a model reads some replies (``model:`` or ``rules+model:``)."""
        return self.judge != "rules" and not self.judge.startswith("scripted")


def judge_section(root: Path, rows: pd.DataFrame, settings: dict[str, Any]) -> JudgeSection:
    """The judge section of the run in ``root`` with stored ``rows``."""
    spec = str(settings.get("judge") or "rules")
    answered = rows[rows["status"] == "ok"]
    revisions = (
        tuple(sorted({str(r) for r in answered["judge_revision"].dropna()}))
        if "judge_revision" in answered
        else ()
    )
    accuracy, source, note = _accuracy(root, spec)
    section = JudgeSection(
        judge=spec,
        revisions=revisions,
        replies=len(answered),
        unread=int(answered["answer"].isna().sum()),
        accuracy=accuracy,
        source=source,
        note=note,
    )
    if not section.uses_model:
        return section
    rescued = _rescued(answered)
    return replace(section, rescued=rescued[:MAX_RESCUED], rescued_total=len(rescued))


def _accuracy(root: Path, spec: str) -> tuple[dict[str, Any] | None, str, str]:
    """(accuracy, what it was measured on, why not) for the run's judge."""
    stored = root / ACCURACY_FILE
    if stored.is_file():
        data = json.loads(stored.read_text(encoding="utf-8"))
        return data, str(data.get("source", "labelled replies")), ""
    if spec != "rules":
        return None, "", "not measured for this run: give --judge-labels to measure it"
    try:
        replies, fingerprint = load_labelled(Path("default"))
    except UsageError as error:
        return None, "", f"not measured: {error}"
    measured = judge_accuracy(replies, normalise_answer).to_dict()
    measured.pop("disagreements", None)
    source = f"the project's labelled sets ({len(replies)} replies, sha256 {fingerprint[:12]})"
    return measured, source, ""


def _rescued(answered: pd.DataFrame) -> list[RescuedReply]:
    """The answered replies the rules leave null, with the answer the run's judge read."""
    found = []
    for row in answered[answered["answer"].notna()].itertuples(index=False):
        if normalise_answer(str(row.response), row.kind, row.question_text) is not None:
            continue
        found.append(
            RescuedReply(
                scenario=row.scenario,
                model=row.model,
                condition=row.condition,
                question=row.question,
                sample=int(row.sample),
                response=str(row.response),
                answer=str(row.answer),
            )
        )
    return found
