"""Judge-corrected certificates: the true event rate, not the rate read through the judge.

Every verdict passes through a judge that turns a reply into an answer, and a judge that
misreads (leaves a clear answer null, or reads a null as an answer) biases the rate it
reports (arXiv 2511.21140, "How to Correctly Report LLM-as-a-Judge Evaluations"). With
sensitivity se = P(judged event | event) and specificity sp = P(judged no event | no
event), the judged rate is q = p se + (1 - p)(1 - sp), so the true rate is

    p = (q + sp - 1) / (se + sp - 1),   defined when se + sp > 1.

A calibration set of labelled replies (the answer a careful reader sees, or null) gives,
per answer class a, the judge's accuracy r_a = P(judged a | label a). Whether an answer is
unsafe depends on the scene, so the bounds on se and sp hold for any scene: reading the
answer right keeps its event status, hence se >= min over every class (answers and null)
of r_a and sp >= min over the answer classes of r_a. Each r_a gets an exact one-sided
(Clopper-Pearson) lower bound.

Coverage holds jointly over calibration and sampling by a Bonferroni split of delta: half
for the K cells' intervals on q (each at delta / 2K, whatever method the cells use), half
for the m classes' lower bounds (each at delta / 2m), shared by every cell. p is monotone
in each of q, se and sp when the other two are fixed, so its extremes over the box
[q_lo, q_hi] x [se_lo, 1] x [sp_lo, 1] are at its corners; those, clipped to [0, 1], are the
corrected bounds. When se_lo + sp_lo <= 1 the judge cannot be corrected and the bounds are
[0, 1].
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from analysis._certificate import Certificate
from analysis._intervals import binomial_interval
from analysis._spec import Spec
from drivecert import UsageError

NULL = "null"


@dataclass(frozen=True)
class JudgeCalibration:
    """How often a judge read each class of labelled reply right.

    Attributes:
        counts: per label (an answer, or ``null``): (replies, read as labelled).
        fingerprint: sha256 of the labelled set, to record with every certificate.
    """

    counts: tuple[tuple[str, int, int], ...]
    fingerprint: str

    @property
    def size(self) -> int:
        """How many labelled replies."""
        return sum(n for _, n, _ in self.counts)

    def lower_bounds(self, delta: float) -> dict[str, float]:
        """Per class, an exact one-sided lower bound on P(read as labelled | label), each
        at delta / m so that all m hold together with probability at least 1 - delta."""
        each = delta / len(self.counts)
        return {
            label: binomial_interval(right, n, each, side="lower").lower
            for label, n, right in self.counts
        }

    def rates(self, delta: float) -> tuple[float, float]:
        """(sensitivity, specificity) lower bounds valid for every scene (module doc)."""
        bounds = self.lower_bounds(delta)
        answers = [v for label, v in bounds.items() if label != NULL]
        if not answers:
            raise UsageError("the calibration set has no labelled answer, only nulls")
        return min(bounds.values()), min(answers)


def calibrate(pairs: Iterable[tuple[str | None, str | None]], fingerprint: str) -> JudgeCalibration:
    """A calibration from (label, judged) pairs; None is null.

    Raises:
        UsageError: when there are no pairs.
    """
    tally: dict[str, list[int]] = {}
    for label, judged in pairs:
        key = label if label is not None else NULL
        entry = tally.setdefault(key, [0, 0])
        entry[0] += 1
        entry[1] += int(judged == label)
    if not tally:
        raise UsageError("an empty calibration set; give labelled replies")
    counts = tuple((label, n, right) for label, (n, right) in sorted(tally.items()))
    return JudgeCalibration(counts, fingerprint)


def fingerprint_of(data: bytes) -> str:
    """The sha256 of a labelled set's bytes."""
    return hashlib.sha256(data).hexdigest()


def corrected_bounds(
    judged: tuple[float, float], sensitivity: float, specificity: float
) -> tuple[float, float]:
    """Bounds on the true rate from bounds on the judged rate and lower bounds on the
    judge's sensitivity and specificity (the box's corners, clipped to [0, 1])."""
    if sensitivity + specificity <= 1.0:
        return 0.0, 1.0
    values = [
        (q + sp - 1.0) / (se + sp - 1.0)
        for q, se, sp in itertools.product(judged, (sensitivity, 1.0), (specificity, 1.0))
    ]
    return max(0.0, min(values)), min(1.0, max(values))


@dataclass(frozen=True)
class CorrectedCertificate:
    """A cell's certificate before and after the judge correction.

    Attributes:
        scenario, model, question, condition, event, n, count: the cell and its judged
            count.
        judged_lower, judged_upper: bounds on the judged rate (at delta / 2K).
        lower, upper: bounds on the true rate, corrected for the judge.
        sensitivity, specificity: the lower bounds used (at delta / 2, over m classes).
        decision: the spec decided on the corrected bounds.
        calibration_size, calibration_fingerprint: the labelled set.
        delta: family-wise over every cell and the calibration together.
        method: the cells' interval method, then ``judge-corrected``.
    """

    scenario: str
    model: str
    question: str
    condition: str
    event: str
    n: int
    count: int
    judged_lower: float
    judged_upper: float
    lower: float
    upper: float
    sensitivity: float
    specificity: float
    decision: str
    calibration_size: int
    calibration_fingerprint: str
    delta: float
    method: str

    @property
    def width_cost(self) -> float:
        """How much wider the corrected interval is than the judged one."""
        return (self.upper - self.lower) - (self.judged_upper - self.judged_lower)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict, with the width cost."""
        return {**asdict(self), "width_cost": self.width_cost}


def judge_corrected(
    certificates: Sequence[Certificate],
    calibration: JudgeCalibration,
    spec: Spec,
    delta: float,
) -> list[CorrectedCertificate]:
    """Correct certificates that were certified at family-wise delta / 2 (their intervals
    on the judged rate) with the calibration's bounds at delta / 2: all corrected bounds
    hold together with probability at least 1 - ``delta``."""
    sensitivity, specificity = calibration.rates(delta / 2)
    out = []
    for cert in certificates:
        lower, upper = corrected_bounds((cert.lower, cert.upper), sensitivity, specificity)
        out.append(
            CorrectedCertificate(
                scenario=cert.scenario,
                model=cert.model,
                question=cert.question,
                condition=cert.condition,
                event=cert.event,
                n=cert.n,
                count=cert.count,
                judged_lower=cert.lower,
                judged_upper=cert.upper,
                lower=lower,
                upper=upper,
                sensitivity=sensitivity,
                specificity=specificity,
                decision=spec.decide(lower, upper),
                calibration_size=calibration.size,
                calibration_fingerprint=calibration.fingerprint,
                delta=delta,
                method=f"{cert.method_label}+judge-corrected",
            )
        )
    return out
