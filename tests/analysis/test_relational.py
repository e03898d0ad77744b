"""Relational specs: paired scenes under two conditions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis._relational import certify_pairs, paired_difference_bounds
from drivecert import UsageError


def paired_table(n: int, p_a: float, p_b: float, seed: int, flip: float = 0.0) -> pd.DataFrame:
    """Unsafe under A ~ p_a; under B, the same scene is unsafe with a shared latent."""
    rng = np.random.default_rng(seed)
    latent = rng.random(n)
    rows = []
    for condition, p in (("weather=ClearNoon", p_a), ("weather=HardRainNoon", p_b)):
        unsafe = latent < p  # comonotone: a scene unsafe in clear weather is unsafe in rain
        for sample in range(n):
            answer = "proceed" if unsafe[sample] else "stop"
            if rng.random() < flip:
                answer = "slow_down"
            rows.append(
                {
                    "scenario": "right_turn",
                    "model": "m",
                    "condition": condition,
                    "sample": sample,
                    "unsafe": bool(unsafe[sample]),
                    "unparseable": False,
                    "answer": answer,
                }
            )
    return pd.DataFrame(rows)


def test_counts_and_bounds() -> None:
    (cert,) = certify_pairs(
        paired_table(200, 0.1, 0.4, 0), "weather=ClearNoon", "weather=HardRainNoon"
    )
    assert cert.pairs == 200
    assert cert.unsafe_b - cert.unsafe_a == cert.differ  # comonotone: every change is a flip
    assert cert.differ_lower <= cert.differ / 200 <= cert.differ_upper
    assert cert.difference_lower <= cert.difference <= cert.difference_upper
    assert cert.difference_lower > 0.1  # rain is certified worse
    assert cert.method == "clopper-pearson+bonferroni(K=2)" and cert.question == "any"


def test_pairing_beats_two_independent_intervals() -> None:
    # Identical behaviour under both conditions: the paired difference is certified near 0,
    # far tighter than subtracting two separate intervals.
    from analysis import binomial_interval

    (cert,) = certify_pairs(
        paired_table(300, 0.3, 0.3, 1), "weather=ClearNoon", "weather=HardRainNoon"
    )
    assert cert.differ == 0 and cert.difference == 0
    separate = binomial_interval(cert.unsafe_a, 300, 0.025)
    assert cert.difference_upper - cert.difference_lower < 0.5 * 2 * separate.width


def test_difference_coverage_by_simulation() -> None:
    rng = np.random.default_rng(2)
    delta, reps, held = 0.1, 400, 0
    for _ in range(reps):
        a = rng.random(80) < 0.2
        b = np.where(rng.random(80) < 0.5, a, rng.random(80) < 0.5)  # p_b = 0.5*0.2 + 0.25
        low, high = paired_difference_bounds(a.tolist(), b.tolist(), delta)
        held += low <= 0.35 - 0.2 <= high
    assert held / reps >= 1 - delta


def test_errors() -> None:
    table = paired_table(20, 0.1, 0.2, 3)
    with pytest.raises(UsageError, match="is not in the verdicts table"):
        certify_pairs(table, "weather=ClearNoon", "weather=Fog")
    with pytest.raises(UsageError, match="needs an answer column"):
        certify_pairs(table.drop(columns=["answer"]), "weather=ClearNoon", "weather=HardRainNoon")
    shifted = table.assign(
        sample=np.where(
            table.condition == "weather=ClearNoon", table["sample"], table["sample"] + 100
        )
    )
    with pytest.raises(UsageError, match="has a partner"):
        certify_pairs(shifted, "weather=ClearNoon", "weather=HardRainNoon")


def test_unparseable_counts_as_its_own_answer() -> None:
    table = paired_table(10, 0.0, 0.0, 4)
    table.loc[table.index[-1], "unparseable"] = True
    (cert,) = certify_pairs(table, "weather=ClearNoon", "weather=HardRainNoon")
    assert cert.differ == 1
