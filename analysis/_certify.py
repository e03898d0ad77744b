"""Certificates: one per (scenario, model, question, condition) of a verdicts table."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from analysis._certificate import CERTIFY_METHODS, Certificate
from analysis._checks import check_choice, check_delta
from analysis._confseq import ConfidenceSequence, SequenceMethod, open_sequence
from analysis._intervals import METHODS, Method, binomial_interval
from analysis._multiplicity import (
    MULTIPLICITIES,
    Multiplicity,
    correction_for,
    holm_decisions,
    per_condition_delta,
)
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
    method: Method | SequenceMethod,
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
        lower, upper, cell_pvalues = cell_bounds(ok[event].to_numpy(dtype=bool), spec, each, method)
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
            )
        )
    if correction == "holm":
        decisions = holm_decisions(pvalues, family_delta)
        certificates = [
            replace(c, decision=d) for c, d in zip(certificates, decisions, strict=True)
        ]
    return certificates


def cell_bounds(
    outcomes: NDArray[np.bool_], spec: Spec, delta: float, method: Method | SequenceMethod
) -> Bounds:
    """One cell's interval at level ``delta`` and its one-sided p-values at the threshold."""
    k, n = int(outcomes.sum()), int(outcomes.size)
    if method in METHODS:
        lower, upper = outcome_bounds(outcomes, delta, method)
        return lower, upper, fixed_pvalues(k, n, spec.threshold, method)
    sequence = fed_sequence(outcomes, delta, method)
    lower, upper = sequence.interval()
    return lower, upper, sequence.pvalues(spec.threshold)


def outcome_bounds(
    outcomes: NDArray[np.bool_], delta: float, method: Method | SequenceMethod
) -> tuple[float, float]:
    """An interval on the mean of 0/1 outcomes in order at level ``delta``: the fixed-n
    interval, or the confidence sequence at its last observation."""
    if method in METHODS:
        interval = binomial_interval(int(outcomes.sum()), int(outcomes.size), delta, method)
        return interval.lower, interval.upper
    return fed_sequence(outcomes, delta, method).interval()


def fed_sequence(
    outcomes: NDArray[np.bool_], delta: float, method: SequenceMethod | str
) -> ConfidenceSequence:
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
