"""Certificates: one per (scenario, model, question, condition) of a verdicts table."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from analysis._bounded_mean import (
    BOUNDED_MEAN_SEQUENCE_METHODS,
    BoundedMeanSequence,
    bounded_mean_interval,
    bounded_mean_pvalues,
    bounded_pairs,
)
from analysis._certificate import CERTIFY_METHODS, MEAN_METHODS, Certificate, CertifyMethod
from analysis._checks import check_choice, check_delta
from analysis._confseq import ConfidenceSequence, open_sequence
from analysis._intervals import METHODS, binomial_interval
from analysis._multiplicity import (
    MULTIPLICITIES,
    Multiplicity,
    correction_for,
    holm_decisions,
    per_condition_delta,
)
from analysis._observed import Observe, cell_observe, event_bounds
from analysis._spec import EVENTS, Event, Spec, fixed_pvalues
from analysis._temporal import Property, fold_sequences
from analysis._verdicts import KEYS, check_verdicts, repeated_samples
from drivecert import UsageError

Bounds = tuple[float, float, tuple[float, float]]  # lower, upper, (p_below, p_above)


def scenes(verdicts: pd.DataFrame, temporal: Property | None = None) -> pd.DataFrame:
    """The checked table with one row per sampled scene, in sampling order per cell.

    Failed scenes keep their row (``status`` ``failed``) so that their cell is still
    certified and the failure counted; :func:`observations` drops them. Frames of one scene
    are one observation: repeated (cell, sample) rows are folded by ``temporal``, and
    refused without it.
    """
    table = check_verdicts(verdicts)
    if temporal is not None:
        table = fold_sequences(table, temporal)
    else:
        repeats = repeated_samples(table)
        if not repeats.empty:
            first = repeats.iloc[0]
            raise UsageError(
                f"{len(repeats)} rows repeat a scene (e.g. sample {first['sample']} of "
                f"{first['condition']}, question {first['question']}); frames of one scene "
                "are one observation, not independent draws: choose a temporal property "
                "(e.g. always-safe) to fold them"
            )
    return table.sort_values("sample", kind="stable").reset_index(drop=True)


def observations(verdicts: pd.DataFrame, temporal: Property | None = None) -> pd.DataFrame:
    """The counted observations: :func:`scenes` without the failed ones."""
    return ok_rows(scenes(verdicts, temporal))


def ok_rows(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of a checked table whose status is ``ok``."""
    return table[table["status"] == "ok"].reset_index(drop=True)


def certify(
    verdicts: pd.DataFrame,
    spec: Spec,
    delta: float = 0.05,
    method: str = "clopper-pearson",
    multiplicity: str = "bonferroni",
    temporal: Property | None = None,
    event: str = "unsafe",
) -> list[Certificate]:
    """Certify every (scenario, model, question, condition) of ``verdicts`` against ``spec``.

    Args:
        verdicts: a verdicts table (see :mod:`analysis._verdicts`).
        spec: the threshold and its direction.
        delta: family-wise miscoverage over all certificates returned.
        method: ``clopper-pearson`` (default), ``wilson`` or ``jeffreys`` when every
            cell's n was fixed in advance; ``beta-binomial`` or ``betting`` (anytime
            valid) when sampling stopped adaptively, e.g. by :class:`SequentialCertifier`.
            Scenes observed by their probabilities (``observe``, see
            :mod:`analysis._observed`) need a bounded-mean method: ``betting-mean``,
            ``hoeffding`` or ``empirical-bernstein`` (fixed n), ``betting-mean-cs`` (anytime).
        multiplicity: ``bonferroni`` (default) or ``holm``.
        temporal: folds multi-frame scenes into one observation each.
        event: ``unsafe`` (default) certifies P(unsafe) from the unsafe column; ``wrong``
            certifies P(answer not in the safe set) from the wrong column.

    Raises:
        UsageError: on a bad table or option, or event ``wrong`` without a wrong column.
    """
    family_delta = check_delta(delta)
    chosen = check_choice("method", method, CERTIFY_METHODS)
    correction = check_choice("multiplicity", multiplicity, MULTIPLICITIES)
    counted = check_choice("event", event, EVENTS)
    return certify_scenes(
        scenes(verdicts, temporal), spec, family_delta, chosen, correction, counted
    )


def certify_scenes(
    table: pd.DataFrame,
    spec: Spec,
    family_delta: float,
    method: CertifyMethod,
    multiplicity: Multiplicity,
    event: Event,
) -> list[Certificate]:
    """:func:`certify` on the output of :func:`scenes`, with checked options.

    Every cell counts in K, the family size, even one whose samples all failed (n = 0,
    bounds [0, 1], undecided).
    """
    check_event_column(table, event)
    cells = list(table.groupby(list(KEYS), sort=False))
    each = per_condition_delta(family_delta, len(cells))
    correction = correction_for(multiplicity, len(cells))
    has_wrong = "wrong" in table.columns
    certificates: list[Certificate] = []
    pvalues: list[tuple[float, float]] = []
    for (scenario, model, question, condition), cell in cells:
        ok = cell[cell["status"] == "ok"]
        where = f"cell {question}@{condition} of {scenario} ({model})"
        observe = cell_observe(ok, where)
        lb, ub = event_bounds(ok, event, observe)
        lower, upper, cell_pvalues = cell_bounds(lb, ub, spec, each, method, observe)
        pvalues.append(cell_pvalues)
        certificates.append(
            Certificate(
                scenario=str(scenario),
                model=str(model),
                question=str(question),
                condition=str(condition),
                event=event,
                n=len(ok),
                unsafe=int(ok["unsafe"].sum()),
                wrong=int(ok["wrong"].sum()) if has_wrong else None,
                unparseable=int(ok["unparseable"].sum()),
                failed=len(cell) - len(ok),
                lower=lower,
                upper=upper,
                delta=family_delta,
                method=method,
                correction=correction,
                conditions=len(cells),
                threshold=spec.threshold,
                decision=spec.decide(lower, upper),
                observe=observe,
                mean_lb=float(lb.mean()) if lb.size else None,
                mean_ub=float(ub.mean()) if ub.size else None,
            )
        )
    if correction == "holm":
        decisions = holm_decisions(pvalues, family_delta)
        certificates = [
            replace(c, decision=d) for c, d in zip(certificates, decisions, strict=True)
        ]
    return certificates


def cell_bounds(
    lb: NDArray[np.float64],
    ub: NDArray[np.float64],
    spec: Spec,
    delta: float,
    method: CertifyMethod,
    observe: Observe = "greedy",
) -> Bounds:
    """One cell's interval at level ``delta`` and its one-sided p-values at the threshold,
    from per-scene bounds on P(event) in order (lb = ub = the 0/1 answers when greedy).

    Raises:
        UsageError: when per-scene probabilities are given to a method for 0/1 answers.
    """
    if method in MEAN_METHODS:
        pairs = np.column_stack([lb, ub])
        lower, upper = mean_bounds(pairs, delta, method)
        return lower, upper, bounded_mean_pvalues(pairs, spec.threshold, delta, method)
    if observe != "greedy":
        raise UsageError(
            f"method {method} certifies 0/1 answers, but these scenes were observed by "
            f"{observe} (per-scene probabilities); use --method betting-mean, hoeffding or "
            "empirical-bernstein (fixed n), or betting-mean-cs (anytime)"
        )
    outcomes = lb.astype(bool)
    k, n = int(outcomes.sum()), int(outcomes.size)
    if method in METHODS:
        lower, upper = outcome_bounds(outcomes, delta, method)
        return lower, upper, fixed_pvalues(k, n, spec.threshold, method)
    sequence = fed_sequence(outcomes, delta, method)
    lower, upper = sequence.interval()
    return lower, upper, sequence.pvalues(spec.threshold)


def mean_bounds(pairs: ArrayLike, delta: float, method: CertifyMethod) -> tuple[float, float]:
    """A bounded-mean method's interval on per-scene values or [lb, ub] rows, in order."""
    if method in BOUNDED_MEAN_SEQUENCE_METHODS:
        sequence = BoundedMeanSequence(delta)
        lb, ub = bounded_pairs(pairs)
        for low, high in zip(lb, ub, strict=True):
            sequence.update(float(low), float(high))
        return sequence.interval()
    return bounded_mean_interval(pairs, delta, method)


def outcome_bounds(
    outcomes: NDArray[np.bool_], delta: float, method: CertifyMethod
) -> tuple[float, float]:
    """An interval on the mean of 0/1 outcomes in order at level ``delta``: the fixed-n
    interval, or the confidence sequence at its last observation."""
    if method in METHODS:
        interval = binomial_interval(int(outcomes.sum()), int(outcomes.size), delta, method)
        return interval.lower, interval.upper
    if method in MEAN_METHODS:
        return mean_bounds(outcomes.astype(np.float64), delta, method)
    return fed_sequence(outcomes, delta, method).interval()


def fed_sequence(outcomes: NDArray[np.bool_], delta: float, method: str) -> ConfidenceSequence:
    """A confidence sequence of ``method`` that has observed ``outcomes`` in order."""
    sequence = open_sequence(method, delta)
    for x in outcomes:
        sequence.update(float(x))
    return sequence


def check_event_column(table: pd.DataFrame, event: str) -> None:
    """Refuse event ``wrong`` on a table without a ``wrong`` column."""
    if event == "wrong" and "wrong" not in table.columns:
        raise UsageError(
            "event 'wrong' counts answers not in the safe set, but the verdicts table has no "
            "wrong column; add a boolean wrong column, or certify event unsafe"
        )
