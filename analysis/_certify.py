"""Certificates: one per (scenario, model, condition) of a verdicts table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import pandas as pd

from analysis._checks import check_choice, check_delta
from analysis._confseq import SEQUENCE_METHODS, open_sequence
from analysis._intervals import METHODS, binomial_interval
from analysis._multiplicity import (
    MULTIPLICITIES,
    holm_decisions,
    method_label,
    per_condition_delta,
)
from analysis._spec import Decision, Spec, fixed_pvalues
from analysis._temporal import Property, fold_sequences
from analysis._verdicts import GROUPS, KEYS, check_verdicts, repeated_samples
from drivecert import UsageError

#: Every interval method a certificate can use: fixed-n first, then the anytime-valid ones.
CERTIFY_METHODS = (*METHODS, *SEQUENCE_METHODS)


@dataclass(frozen=True)
class Certificate:
    """A certified bound on P(unsafe | condition) for one scenario, model and condition.

    ``lower``/``upper`` hold for all certificates of one call at once with probability at
    least 1 - ``delta`` (each interval is at delta / K when ``method`` names a K-condition
    correction). ``unsafe`` counts unparseable answers when they are treated as unsafe.
    """

    scenario: str
    model: str
    condition: str
    n: int
    unsafe: int
    unparseable: int
    lower: float
    upper: float
    delta: float
    method: str
    threshold: float
    decision: Decision

    @property
    def rate(self) -> float:
        """The observed unsafe share (nan when n = 0)."""
        return self.unsafe / self.n if self.n else float("nan")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict in the certificates.csv column order."""
        return asdict(self)


CERTIFICATE_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Certificate))


def observations(verdicts: pd.DataFrame, temporal: Property | None = None) -> pd.DataFrame:
    """The checked table with one row per sampled scene, in sampling order per condition.

    Frames of one scene are one observation: repeated (condition, sample) rows are folded
    by ``temporal``, and refused without it.
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
                f"{first['condition']}); frames of one scene are one observation, not "
                "independent draws: choose a temporal property (e.g. always-safe) to fold them"
            )
    return table.sort_values("sample", kind="stable").reset_index(drop=True)


def certify(
    verdicts: pd.DataFrame,
    spec: Spec,
    delta: float = 0.05,
    method: str = "clopper-pearson",
    multiplicity: str = "bonferroni",
    temporal: Property | None = None,
) -> list[Certificate]:
    """Certify every (scenario, model, condition) of ``verdicts`` against ``spec``.

    Args:
        verdicts: a verdicts table (see :mod:`analysis._verdicts`).
        spec: the threshold and its direction.
        delta: family-wise miscoverage over all certificates returned.
        method: ``clopper-pearson`` (default), ``wilson`` or ``jeffreys`` when every
            condition's n was fixed in advance; ``beta-binomial`` or ``betting`` (anytime
            valid) when sampling stopped adaptively, e.g. by :class:`SequentialCertifier`.
        multiplicity: ``bonferroni`` (default) or ``holm``.
        temporal: folds multi-frame scenes into one observation each.
    """
    family_delta = check_delta(delta)
    chosen = check_choice("method", method, CERTIFY_METHODS)
    correction = check_choice("multiplicity", multiplicity, MULTIPLICITIES)
    return certify_observations(
        observations(verdicts, temporal), spec, family_delta, chosen, correction
    )


def certify_observations(
    table: pd.DataFrame, spec: Spec, family_delta: float, chosen: str, correction: str
) -> list[Certificate]:
    """:func:`certify` on the output of :func:`observations`, with checked options."""
    groups = list(table.groupby(list(KEYS), sort=False))
    each = per_condition_delta(family_delta, len(groups))
    label = method_label(chosen, correction, len(groups))
    rows: list[dict[str, Any]] = []
    pvalues: list[tuple[float, float]] = []
    for (scenario, model, condition), group in groups:
        unsafe = group["unsafe"].to_numpy(dtype=bool)
        k, n = int(unsafe.sum()), int(unsafe.size)
        if chosen in METHODS:
            interval = binomial_interval(k, n, each, chosen)
            bounds = (interval.lower, interval.upper)
            pvalues.append(fixed_pvalues(k, n, spec.threshold, chosen))
        else:
            sequence = open_sequence(chosen, each)
            for x in unsafe:
                sequence.update(float(x))
            bounds = sequence.interval()
            pvalues.append(sequence.pvalues(spec.threshold))
        rows.append(
            {
                "scenario": scenario,
                "model": model,
                "condition": condition,
                "n": n,
                "unsafe": k,
                "unparseable": int(group["unparseable"].sum()),
                "lower": bounds[0],
                "upper": bounds[1],
                "delta": family_delta,
                "method": label,
                "threshold": spec.threshold,
                "decision": spec.decide(*bounds),
            }
        )
    if correction == "holm":
        for row, decision in zip(rows, holm_decisions(pvalues, family_delta), strict=True):
            row["decision"] = decision
    return [Certificate(**row) for row in rows]


def certificates_frame(certificates: list[Certificate]) -> pd.DataFrame:
    """Certificates as a DataFrame with exactly the certificates.csv columns."""
    return pd.DataFrame(
        [c.to_dict() for c in certificates], columns=list(CERTIFICATE_COLUMNS)
    ).astype({"n": int, "unsafe": int, "unparseable": int})


def write_certificates(certificates: list[Certificate], path: Path) -> Path:
    """Write certificates.csv (columns: scenario,model,condition,n,unsafe,unparseable,lower,
    upper,delta,method,threshold,decision), full float precision."""
    path.parent.mkdir(parents=True, exist_ok=True)
    certificates_frame(certificates).to_csv(path, index=False, float_format="%.10g")
    return path


def place_certificates(
    certificates: Sequence[Certificate], groups: pd.DataFrame
) -> list[tuple[Certificate, str, str]]:
    """Each certificate with its (weather, maneuver) from ``condition_groups``.

    Raises:
        UsageError: when ``groups`` lacks a certificate's (scenario, model, condition).
    """
    lookup = {
        (str(row.scenario), str(row.model), str(row.condition)): (
            str(row.weather),
            str(row.maneuver),
        )
        for row in groups.itertuples(index=False)
    }
    placed: list[tuple[Certificate, str, str]] = []
    for cert in certificates:
        key = (cert.scenario, cert.model, cert.condition)
        if key not in lookup:
            raise UsageError(
                f"groups has no weather/maneuver for {'/'.join(key)}; pass "
                "condition_groups(verdicts) of the verdicts these certificates came from"
            )
        placed.append((cert, *lookup[key]))
    return placed


def condition_groups(verdicts: pd.DataFrame) -> pd.DataFrame:
    """(scenario, model, condition) -> weather and maneuver, for grouping tables and figures."""
    return groups_of(check_verdicts(verdicts))


def groups_of(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`condition_groups` of a table already checked (e.g. :func:`observations`)."""
    return table.groupby(list(KEYS), sort=False)[list(GROUPS)].first().reset_index()
