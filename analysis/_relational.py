"""Relational specs over paired scenes: one sampled layout seen under two conditions.

Sample i of condition A and sample i of condition B share everything the scenario draws
except the condition's variables (ClearNoon vs HardRainNoon over the same junction, agents
and question). Per (scenario, model, question) this certifies:

- ``P(answers differ)``: the chance the model changes its answer when only the condition
  changes, a proportion over pairs (Clopper-Pearson by default);
- ``p_B - p_A``: the paired difference of the unsafe rates. Each pair gives
  d = unsafe_B - unsafe_A in {-1, 0, 1}; (d + 1) / 2 lies in [0, 1] with mean
  (1 + p_B - p_A) / 2, so the betting confidence sequence bounds it without assuming
  anything about how the two answers depend on each other, and exploits the pairing (a
  pair that is unsafe under both conditions adds no variance). The bets are tuned for the
  number of pairs, which, like every fixed-n method here, must be fixed in advance.

The two statements per (scenario, model, question) share the family: with M such groups
each interval is at delta / (2M), so all hold together with probability 1 - delta. Failed
samples (status ``failed``) have no verdict, so a pair needs both samples ok.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from analysis._checks import check_choice, check_delta
from analysis._confseq import BettingSequence
from analysis._intervals import METHODS, binomial_interval
from analysis._multiplicity import method_label
from analysis._verdicts import check_verdicts
from drivecert import UsageError

UNPARSEABLE = "<unparseable>"


@dataclass(frozen=True)
class PairedCertificate:
    """Certified relations between two conditions for one scenario, model and question.

    Attributes:
        pairs: scenes seen under both conditions.
        differ: pairs whose normalised answers differ (unparseable counts as its own answer).
        differ_lower, differ_upper: bounds on P(answers differ).
        unsafe_a, unsafe_b: unsafe answers among the pairs under each condition.
        difference: observed p_B - p_A.
        difference_lower, difference_upper: bounds on p_B - p_A.
        delta: family-wise miscoverage over every interval of the call.
        method: how the ``differ`` bounds were made (the difference always uses betting).
    """

    scenario: str
    model: str
    question: str
    condition_a: str
    condition_b: str
    pairs: int
    differ: int
    differ_lower: float
    differ_upper: float
    unsafe_a: int
    unsafe_b: int
    difference: float
    difference_lower: float
    difference_upper: float
    delta: float
    method: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return asdict(self)


def paired_difference_bounds(
    unsafe_a: list[bool], unsafe_b: list[bool], delta: float, anytime: bool = False
) -> tuple[float, float]:
    """Bounds on p_B - p_A from paired 0/1 outcomes.

    Betting on (d + 1) / 2 with bets tuned for the number of pairs, valid when that number
    was fixed in advance; with ``anytime`` the bets are the confidence sequence's own, so
    the bounds hold however the number of pairs came about (e.g. runs that stopped
    sequentially).
    """
    sequence = BettingSequence(delta, horizon=None if anytime else len(unsafe_a))
    for a, b in zip(unsafe_a, unsafe_b, strict=True):
        sequence.update((int(b) - int(a) + 1) / 2)
    lower, upper = sequence.interval()
    return 2.0 * lower - 1.0, 2.0 * upper - 1.0


PAIR_KEYS = ["scenario", "model", "question", "sample"]


def answered(table: pd.DataFrame) -> pd.DataFrame:
    """The ok rows of a checked table, an unparseable reply standing as its own answer."""
    ok = table[table["status"] == "ok"]
    return ok.assign(answer=ok["answer"].where(~ok["unparseable"].astype(bool), UNPARSEABLE))


def paired_rows(
    rows: pd.DataFrame, condition_a: str, condition_b: str, suffixes: tuple[str, str]
) -> pd.DataFrame:
    """Sample i of ``condition_a`` beside sample i of ``condition_b`` (same scenario, model
    and question), columns suffixed, in sample order.

    Raises:
        UsageError: when a condition repeats a scene (frames not folded).
    """
    sides = [rows[rows["condition"] == c] for c in (condition_a, condition_b)]
    for side, condition in zip(sides, (condition_a, condition_b), strict=True):
        if side.duplicated(PAIR_KEYS).any():
            raise UsageError(
                f"condition {condition} repeats a scene; fold frames with a temporal property first"
            )
    return sides[0].merge(sides[1], on=PAIR_KEYS, suffixes=suffixes).sort_values("sample")


def certify_pairs(
    verdicts: pd.DataFrame,
    condition_a: str,
    condition_b: str,
    delta: float = 0.05,
    method: str = "clopper-pearson",
) -> list[PairedCertificate]:
    """Certify P(answers differ) and p_B - p_A for every (scenario, model, question) seen
    under both conditions.

    Pairs are matched on (scenario, model, question, sample); samples seen under only one
    condition, or failed under either, are left out, and ``pairs`` says how many remained.

    Raises:
        UsageError: when a condition is absent, no sample is paired, or ``answer`` is missing.
    """
    table = check_verdicts(verdicts)
    level = check_delta(delta)
    chosen = check_choice("method", method, METHODS)
    if "answer" not in table.columns:
        raise UsageError(
            "relational specs compare answers: the verdicts table needs an answer column"
        )
    for condition in (condition_a, condition_b):
        if condition not in set(table["condition"]):
            known = ", ".join(sorted(set(table["condition"])))
            raise UsageError(
                f"condition {condition!r} is not in the verdicts table; it has {known}"
            )
    paired = paired_rows(answered(table), condition_a, condition_b, ("_a", "_b"))
    if paired.empty:
        raise UsageError(
            f"no ok sample of {condition_a} has a partner in {condition_b}; paired scenes "
            "share scenario, model, question and sample index"
        )
    groups = list(paired.groupby(["scenario", "model", "question"], sort=False))
    each = level / (2 * len(groups))
    out: list[PairedCertificate] = []
    for (scenario, model, question), group in groups:
        a = group["unsafe_a"].astype(bool).tolist()
        b = group["unsafe_b"].astype(bool).tolist()
        differ = int((group["answer_a"].astype(str) != group["answer_b"].astype(str)).sum())
        interval = binomial_interval(differ, len(group), each, chosen)
        low, high = paired_difference_bounds(a, b, each)
        out.append(
            PairedCertificate(
                scenario=str(scenario),
                model=str(model),
                question=str(question),
                condition_a=condition_a,
                condition_b=condition_b,
                pairs=len(group),
                differ=differ,
                differ_lower=interval.lower,
                differ_upper=interval.upper,
                unsafe_a=sum(a),
                unsafe_b=sum(b),
                difference=(sum(b) - sum(a)) / len(group),
                difference_lower=low,
                difference_upper=high,
                delta=level,
                method=method_label(chosen, "bonferroni", 2 * len(groups)),
            )
        )
    return out
