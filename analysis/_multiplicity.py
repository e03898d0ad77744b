"""Family-wise error control across the K conditions certified together.

- ``bonferroni`` (default): every interval is built at delta / K, so all K intervals hold at
  once with probability at least 1 - delta, and every decision read from them is right with
  that probability.
- ``holm``: the intervals stay at delta / K (simultaneous), but decisions come from Holm's
  step-down procedure over the 2K one-sided hypotheses ("rate >= threshold" rejected means
  safe, "rate <= threshold" rejected means unsafe): sort the p-values, reject the j-th
  smallest while it is <= delta / (2K - j + 1). Holm controls the family-wise error at delta
  for any dependence. For the fixed-n methods and the betting CS its decisions include every
  Bonferroni decision (the first step is exactly Bonferroni's) and often more.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, get_args

import numpy as np

from analysis._spec import Decision

Multiplicity = Literal["bonferroni", "holm"]
MULTIPLICITIES: tuple[Multiplicity, ...] = get_args(Multiplicity)


def per_condition_delta(delta: float, conditions: int) -> float:
    """delta / K: the level of each of K simultaneous intervals."""
    return delta / max(conditions, 1)


def holm_reject(pvalues: Sequence[float], delta: float) -> list[bool]:
    """Holm's step-down rejections at family-wise level ``delta``."""
    values = np.asarray(pvalues, dtype=np.float64)
    order = np.argsort(values, kind="stable")
    rejected = [False] * values.size
    for rank, index in enumerate(order):
        if values[index] > delta / (values.size - rank):
            break
        rejected[int(index)] = True
    return rejected


def holm_decisions(pvalues: Sequence[tuple[float, float]], delta: float) -> list[Decision]:
    """Decisions from per-condition (p_below, p_above) one-sided p-values by Holm over 2K.

    ``p_below`` tests "rate >= threshold" (rejecting it certifies safe); ``p_above`` tests
    "rate <= threshold" (rejecting it certifies unsafe).
    """
    flat = [p for pair in pvalues for p in pair]
    rejected = holm_reject(flat, delta)
    out: list[Decision] = []
    for k in range(len(pvalues)):
        safe, unsafe = rejected[2 * k], rejected[2 * k + 1]
        out.append(
            "safe" if safe and not unsafe else "unsafe" if unsafe and not safe else "undecided"
        )
    return out


def correction_for(multiplicity: Multiplicity, conditions: int) -> Multiplicity | None:
    """The correction K cells need: ``multiplicity``, or None for a single cell."""
    return multiplicity if conditions > 1 else None


def method_label(method: str, correction: str | None, conditions: int) -> str:
    """``clopper-pearson`` without a correction, ``clopper-pearson+bonferroni(K=12)`` with one.

    Derived at the edge (certificates.csv, relational.csv) from typed fields; never parsed
    back.
    """
    return method if correction is None else f"{method}+{correction}(K={conditions})"
