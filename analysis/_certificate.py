"""The certificate record: typed fields, with its method label derived only at the edge."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from analysis._bounded_mean import (
    BOUNDED_MEAN_METHODS,
    BOUNDED_MEAN_SEQUENCE_METHODS,
    BoundedMeanMethod,
    BoundedMeanSequenceMethod,
)
from analysis._checks import check_choice
from analysis._confseq import SEQUENCE_METHODS, SequenceMethod
from analysis._intervals import EXACT_METHODS, METHODS, Method
from analysis._multiplicity import MULTIPLICITIES, Multiplicity, method_label
from analysis._observed import OBSERVES, Observe
from analysis._spec import DECISIONS, EVENTS, Decision, Event
from drivecert import UsageError, write_atomic

CertifyMethod = Method | SequenceMethod | BoundedMeanMethod | BoundedMeanSequenceMethod
#: Every interval method a certificate can use: for 0/1 answers fixed-n then anytime-valid,
#: then for per-scene probabilities in [0, 1] (or 0/1) fixed-n then anytime-valid.
CERTIFY_METHODS: tuple[CertifyMethod, ...] = (
    *METHODS,
    *SEQUENCE_METHODS,
    *BOUNDED_MEAN_METHODS,
    *BOUNDED_MEAN_SEQUENCE_METHODS,
)
#: The methods that certify a mean of per-scene probabilities (they also take 0/1 answers).
MEAN_METHODS: tuple[CertifyMethod, ...] = (*BOUNDED_MEAN_METHODS, *BOUNDED_MEAN_SEQUENCE_METHODS)
#: The anytime-valid methods (sampling may stop on the data).
ANYTIME_METHODS: frozenset[str] = frozenset({*SEQUENCE_METHODS, *BOUNDED_MEAN_SEQUENCE_METHODS})

#: The columns of certificates.csv, in order (``method`` holds :attr:`Certificate.method_label`).
CERTIFICATE_COLUMNS: tuple[str, ...] = (
    "scenario",
    "model",
    "question",
    "condition",
    "event",
    "n",
    "unsafe",
    "wrong",
    "unparseable",
    "failed",
    "lower",
    "upper",
    "delta",
    "method",
    "threshold",
    "decision",
    "observe",
    "mean_lb",
    "mean_ub",
)


@dataclass(frozen=True)
class Certificate:
    """A certified bound on P(event | condition) for one scenario, model, question and condition.

    ``lower``/``upper`` hold for all certificates of one call at once with probability at
    least 1 - ``delta``; each interval is at delta / K when ``correction`` is set.

    Attributes:
        scenario, model, question, condition: the cell certified (``question`` is ``any``
            when the verdicts had no question column).
        event: ``unsafe`` (bounds P(unsafe)) or ``wrong`` (bounds P(answer not in the safe
            set)).
        n: scenes counted: the ok samples (failed ones are in ``failed``, never in n).
        unsafe: unsafe answers among the n (unparseable answers count as unsafe).
        wrong: answers not in the safe set among the n; None when the verdicts had no
            ``wrong`` column.
        unparseable: unparseable answers among the n.
        failed: samples whose model or renderer call failed; a cell with failures is
            incomplete.
        lower, upper: the certified bounds.
        delta: family-wise miscoverage of the call.
        method: the interval method, e.g. ``clopper-pearson`` or ``beta-binomial``.
        correction: ``bonferroni`` or ``holm`` across the K cells; None when K = 1.
        conditions: K, the number of cells certified together.
        threshold: the spec's threshold.
        decision: ``safe``, ``unsafe`` or ``undecided``.
        observe: what each scene gave: ``greedy`` (one 0/1 answer; ``unsafe``/``wrong``
            count them), or the model's own probabilities, ``probability`` (answer
            distributions) or ``bounds`` (explored reply trees); then the certificate
            bounds the scene-averaged E_scene[P(event | scene)] under the run's sampling,
            and ``unsafe``/``wrong`` count scenes whose most likely reply was the event.
        mean_lb, mean_ub: the scenes' average lower and upper bound on P(event | scene)
            (both the observed rate for greedy answers); None when n = 0 or not computed.
    """

    scenario: str
    model: str
    question: str
    condition: str
    event: Event
    n: int
    unsafe: int
    wrong: int | None
    unparseable: int
    failed: int
    lower: float
    upper: float
    delta: float
    method: CertifyMethod
    correction: Multiplicity | None
    conditions: int
    threshold: float
    decision: Decision
    observe: Observe = "greedy"
    mean_lb: float | None = None
    mean_ub: float | None = None

    def __post_init__(self) -> None:
        check_choice("event", self.event, EVENTS)
        check_choice("method", self.method, CERTIFY_METHODS)
        check_choice("decision", self.decision, DECISIONS)
        check_choice("observe", self.observe, OBSERVES)
        if self.observe != "greedy" and self.method not in MEAN_METHODS:
            raise UsageError(
                f"method {self.method} certifies 0/1 answers, not per-scene probabilities "
                f"({self.observe}); use one of {', '.join(MEAN_METHODS)}"
            )
        if self.correction is not None:
            check_choice("correction", self.correction, MULTIPLICITIES)
        if self.event == "wrong" and self.wrong is None:
            raise UsageError(
                "a certificate of event 'wrong' needs its wrong count; add a wrong column"
            )

    @property
    def count(self) -> int:
        """The certified count: ``unsafe`` or ``wrong`` according to ``event``."""
        if self.event == "wrong":
            assert self.wrong is not None  # checked in __post_init__
            return self.wrong
        return self.unsafe

    @property
    def rate(self) -> float:
        """The observed share of the event (nan when n = 0); for per-scene probabilities,
        the middle of [mean_lb, mean_ub]."""
        if not self.n:
            return float("nan")
        if self.observe != "greedy" and self.mean_lb is not None and self.mean_ub is not None:
            return (self.mean_lb + self.mean_ub) / 2
        return self.count / self.n

    @property
    def method_label(self) -> str:
        """``clopper-pearson+bonferroni(K=12)``, or just ``clopper-pearson`` for K = 1."""
        return method_label(self.method, self.correction, self.conditions)

    @property
    def approximate(self) -> bool:
        """Whether the method's coverage can fall below 1 - delta (Wilson, Jeffreys)."""
        return (
            self.method not in EXACT_METHODS
            and self.method not in ANYTIME_METHODS
            and self.method not in MEAN_METHODS
        )

    @property
    def incomplete(self) -> bool:
        """Whether some samples of this cell failed and were not counted."""
        return self.failed > 0

    def to_dict(self) -> dict[str, Any]:
        """Every typed field, JSON-ready (:meth:`from_dict` reads it back)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Certificate:
        """The certificate :meth:`to_dict` wrote."""
        return cls(**data)

    def to_row(self) -> dict[str, Any]:
        """The certificates.csv row: :data:`CERTIFICATE_COLUMNS`, ``method`` as its label."""
        fields = self.to_dict()
        fields["method"] = self.method_label
        return {column: fields[column] for column in CERTIFICATE_COLUMNS}


def common_event(certificates: Sequence[Certificate]) -> Event:
    """The event all ``certificates`` bound (``unsafe`` when there are none).

    Raises:
        UsageError: when they mix events.
    """
    events = sorted({c.event for c in certificates})
    if len(events) > 1:
        raise UsageError(
            f"the certificates mix events {', '.join(events)}; show one event at a time"
        )
    return events[0] if events else "unsafe"


def certificates_frame(certificates: list[Certificate]) -> pd.DataFrame:
    """Certificates as a DataFrame with exactly the certificates.csv columns."""
    frame = pd.DataFrame([c.to_row() for c in certificates], columns=list(CERTIFICATE_COLUMNS))
    return frame.astype({"n": int, "unsafe": int, "wrong": "Int64", "unparseable": int})


def write_certificates(certificates: list[Certificate], path: Path) -> Path:
    """Write certificates.csv (:data:`CERTIFICATE_COLUMNS`; ``wrong`` empty when not
    counted), full float precision."""
    frame = certificates_frame(certificates).astype({"failed": int})
    return write_atomic(path, frame.to_csv(index=False, float_format="%.10g"))
