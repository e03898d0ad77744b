"""How well a judge reads replies: agreement with hand labels, the confusion matrix with
opposite answers apart from nulls, per-class sensitivity and specificity with exact
intervals, and every disagreement.

A labelled reply has ``kind``, ``question``, ``response`` and ``label`` (a canonical answer,
or null when a careful reader sees no clear answer). An *opposite* answer is a judged answer
that differs from a non-null label (the judge turned a yes into a no); a *null* is a judged
null where the label has an answer (too shy); an *over-read* is an answer where the label is
null. For each class c, sensitivity is P(judged c | label c) and specificity P(judged not c |
label not c), both with Clopper-Pearson intervals at the confidence asked (each interval on
its own, not family-wise).
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis import JudgeCalibration, binomial_interval, calibrate, fingerprint_of
from drivecert import ANSWERS, AnswerKind, UsageError, json_lines, write_atomic
from harness.judge._judge import Reader

NULL = "null"


@dataclass(frozen=True)
class LabelledReply:
    """One hand-labelled reply."""

    id: str
    kind: AnswerKind
    question: str | None
    response: str
    label: str | None


@dataclass(frozen=True)
class ClassRates:
    """Sensitivity and specificity of one class, with exact intervals."""

    answer: str
    positives: int
    detected: int
    sensitivity: float
    sensitivity_lower: float
    sensitivity_upper: float
    negatives: int
    rejected: int
    specificity: float
    specificity_lower: float
    specificity_upper: float


@dataclass(frozen=True)
class Disagreement:
    """A reply the judge read differently from its label."""

    id: str
    question: str | None
    response: str
    label: str | None
    judged: str | None

    @property
    def kind_of(self) -> str:
        """``opposite``, ``null`` (judge too shy) or ``over-read`` (label null)."""
        if self.label is None:
            return "over-read"
        return "null" if self.judged is None else "opposite"


@dataclass(frozen=True)
class JudgeAccuracy:
    """A judge's agreement with a labelled set.

    Attributes:
        replies: how many labelled replies.
        agreed: judged exactly as labelled (a null label judged null agrees).
        opposite: a non-null label judged as another answer.
        nulls: a non-null label judged null.
        over_read: a null label judged as an answer.
        classes: the labels and judgements, in order (the answers, then ``null``).
        confusion: counts by (label, judged), ``null`` for None.
        rates: per answer class.
        disagreements: every reply judged differently from its label.
        confidence: the confidence of each interval.
    """

    replies: int
    agreed: int
    opposite: int
    nulls: int
    over_read: int
    classes: tuple[str, ...]
    confusion: dict[tuple[str, str], int]
    rates: tuple[ClassRates, ...]
    disagreements: tuple[Disagreement, ...] = field(default=())
    confidence: float = 0.95

    @property
    def agreement(self) -> float:
        """The share of replies judged as labelled."""
        return self.agreed / self.replies if self.replies else float("nan")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (confusion as label -> judged -> count)."""
        return {
            "replies": self.replies,
            "agreed": self.agreed,
            "agreement": self.agreement,
            "opposite": self.opposite,
            "nulls": self.nulls,
            "over_read": self.over_read,
            "confidence": self.confidence,
            "confusion": {
                label: {judged: self.confusion.get((label, judged), 0) for judged in self.classes}
                for label in self.classes
            },
            "rates": [vars(r) for r in self.rates],
            "disagreements": [{**vars(d), "kind": d.kind_of} for d in self.disagreements],
        }


def read_labelled(records: Sequence[dict[str, Any]], where: str) -> list[LabelledReply]:
    """Labelled replies from parsed JSON lines.

    Raises:
        UsageError: naming the line and the missing or bad field.
    """
    out = []
    for number, record in enumerate(records, start=1):
        for key in ("kind", "response", "label"):
            if key not in record:
                raise UsageError(
                    f"{where}:{number}: a labelled reply needs kind, question, response and "
                    f"label; {key} is missing"
                )
        kind = record["kind"]
        if kind not in ANSWERS:
            raise UsageError(f"{where}:{number}: kind must be one of {', '.join(ANSWERS)}")
        label = record["label"]
        if label is not None and label not in ANSWERS[kind]:
            raise UsageError(
                f"{where}:{number}: label {label!r} is not a {kind} answer; use one of "
                f"{', '.join(ANSWERS[kind])} or null"
            )
        if not isinstance(record["response"], str):
            raise UsageError(f"{where}:{number}: response must be a string")
        question = record.get("question")
        out.append(
            LabelledReply(
                str(record.get("id", number)),
                kind,
                question if isinstance(question, str) else None,
                record["response"],
                label,
            )
        )
    if not out:
        raise UsageError(f"{where} has no labelled replies; give one JSON object per line")
    return out


def judge_accuracy(
    replies: Sequence[LabelledReply], read: Reader, confidence: float = 0.95
) -> JudgeAccuracy:
    """Judge every reply with ``read`` and compare with its label."""
    kinds = list(dict.fromkeys(r.kind for r in replies))
    answers = tuple(dict.fromkeys(a for k in kinds for a in ANSWERS[k]))
    classes = (*answers, NULL)
    confusion: dict[tuple[str, str], int] = {}
    judged_all = []
    disagreements = []
    for reply in replies:
        judged = read(reply.response, reply.kind, reply.question)
        judged_all.append(judged)
        key = (reply.label or NULL, judged or NULL)
        confusion[key] = confusion.get(key, 0) + 1
        if judged != reply.label:
            disagreements.append(
                Disagreement(reply.id, reply.question, reply.response, reply.label, judged)
            )
    delta = 1.0 - confidence
    rates = []
    for answer in answers:
        positives = [j for r, j in zip(replies, judged_all, strict=True) if r.label == answer]
        negatives = [
            j
            for r, j in zip(replies, judged_all, strict=True)
            if r.label != answer and answer in ANSWERS[r.kind]
        ]
        detected = sum(j == answer for j in positives)
        rejected = sum(j != answer for j in negatives)
        sens = binomial_interval(detected, len(positives), delta)
        spec = binomial_interval(rejected, len(negatives), delta)
        rates.append(
            ClassRates(
                answer,
                len(positives),
                detected,
                detected / len(positives) if positives else float("nan"),
                sens.lower,
                sens.upper,
                len(negatives),
                rejected,
                rejected / len(negatives) if negatives else float("nan"),
                spec.lower,
                spec.upper,
            )
        )
    return JudgeAccuracy(
        replies=len(replies),
        agreed=len(replies) - len(disagreements),
        opposite=sum(d.kind_of == "opposite" for d in disagreements),
        nulls=sum(d.kind_of == "null" for d in disagreements),
        over_read=sum(d.kind_of == "over-read" for d in disagreements),
        classes=classes,
        confusion=confusion,
        rates=tuple(rates),
        disagreements=tuple(disagreements),
        confidence=confidence,
    )


def accuracy_text(accuracy: JudgeAccuracy, shown: int = 50) -> str:
    """The report as plain text: summary, confusion matrix, per-class rates and up to
    ``shown`` disagreements."""
    a = accuracy
    level = f"{100 * a.confidence:g}%"
    lines = [
        f"agreement: {a.agreed}/{a.replies} = {100 * a.agreement:.1f}%; opposite answers: "
        f"{a.opposite}; nulls (an answer left unread): {a.nulls}; over-read (null label "
        f"read as an answer): {a.over_read}",
        "",
        "confusion (rows: label, columns: judged):",
        "label \\ judged".ljust(16) + "".join(c.rjust(9) for c in a.classes),
    ]
    for label in a.classes:
        counts = "".join(str(a.confusion.get((label, j), 0)).rjust(9) for j in a.classes)
        lines.append(label.ljust(16) + counts)
    lines += ["", f"per class ({level} Clopper-Pearson intervals, each on its own):"]
    for r in a.rates:
        lines.append(
            f"{r.answer}: sensitivity {r.detected}/{r.positives} = {_ratio(r.sensitivity)} "
            f"[{r.sensitivity_lower:.3f}, {r.sensitivity_upper:.3f}]; specificity "
            f"{r.rejected}/{r.negatives} = {_ratio(r.specificity)} "
            f"[{r.specificity_lower:.3f}, {r.specificity_upper:.3f}]"
        )
    lines += ["", f"disagreements ({len(a.disagreements)}):"]
    for d in a.disagreements[:shown]:
        reply = " ".join(d.response.split())
        lines.append(
            f"- {d.id} [{d.kind_of}] label {d.label or NULL}, judged {d.judged or NULL}: "
            f"{d.question or ''} -> {reply[:160]}"
        )
    if len(a.disagreements) > shown:
        lines.append(f"... and {len(a.disagreements) - shown} more (--json lists them all)")
    return "\n".join(lines) + "\n"


def _ratio(value: float) -> str:
    return "–" if value != value else f"{value:.3f}"


#: The project's own labelled sets, the calibration ``--judge-labels default`` uses: the
#: library's questions (two sets) and real-world ones (two sets; the adversarial set is
#: left out, its replies being made to trip the rules rather than drawn like real ones).
DEFAULT_LABELS = (
    "judge_cases.jsonl",
    "judge_heldout.jsonl",
    "judge_realworld.jsonl",
    "judge_realworld_holdout.jsonl",
)
_DATA = Path(__file__).resolve().parents[2] / "tests" / "data"


def load_labelled(path: Path) -> tuple[list[LabelledReply], str]:
    """The labelled replies in ``path`` (JSONL), or the project's own sets when ``path`` is
    ``default``, and the sha256 of their bytes.

    Raises:
        UsageError: naming a missing file or a bad line.
    """
    if str(path) == "default":
        files = [_DATA / name for name in DEFAULT_LABELS]
        missing = [f for f in files if not f.is_file()]
        if missing:
            raise UsageError(
                f"the default labelled sets ship with the source checkout ({missing[0]} is "
                "missing here); give --judge-labels FILE.jsonl"
            )
        data = b"".join(f.read_bytes().rstrip(b"\n") + b"\n" for f in files)
        where = "the default labelled sets"
    elif not path.is_file():
        raise UsageError(
            f"no labelled replies at {path} (no such file); give a JSONL file of labelled "
            "replies, or default for the project's own"
        )
    else:
        data, where = path.read_bytes(), str(path)
    records = [record for _, record in json_lines(io.BytesIO(data), where)]
    return read_labelled(records, where), fingerprint_of(data)


def judge_calibration(path: Path, read: Reader) -> JudgeCalibration:
    """The judge's calibration on the labelled replies of :func:`load_labelled`: each reply
    read by ``read`` and compared with its label; the bytes' sha256 is its fingerprint."""
    return calibrate_reader(*load_labelled(path), read)


#: The file of a run (or certify output) that keeps the judge's measured accuracy.
ACCURACY_FILE = "judge_accuracy.json"


def measure_judge(
    replies: Sequence[LabelledReply], fingerprint: str, read: Reader, out: Path, source: str
) -> JudgeCalibration:
    """Calibrate ``read`` on labelled replies (each read once) and keep its accuracy report
    in ``out/judge_accuracy.json`` (:data:`ACCURACY_FILE`, with ``source`` naming the set)
    for the report's judge section."""
    judged = [read(r.response, r.kind, r.question) for r in replies]
    answers = iter(judged)
    accuracy = judge_accuracy(replies, lambda *_: next(answers)).to_dict()
    accuracy.pop("disagreements")
    accuracy["source"] = f"{source} ({len(replies)} replies, sha256 {fingerprint[:12]})"
    write_atomic(out / ACCURACY_FILE, json.dumps(accuracy, indent=2) + "\n")
    return calibrate(zip((r.label for r in replies), judged, strict=True), fingerprint)


def calibrate_reader(
    replies: Sequence[LabelledReply], fingerprint: str, read: Reader
) -> JudgeCalibration:
    """The calibration of ``read`` on labelled replies already loaded (with their sha256)."""
    return calibrate(
        [(r.label, read(r.response, r.kind, r.question)) for r in replies], fingerprint
    )
