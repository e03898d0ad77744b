"""Judge-corrected certificates: the formula, the calibration bounds and coverage by
simulation against a judge that is biased (too shy: it leaves safe answers null)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import beta

from analysis import binomial_interval
from analysis._judge_correction import calibrate, corrected_bounds


def test_a_perfect_judge_changes_nothing_and_the_formula_inverts_the_bias() -> None:
    assert corrected_bounds((0.2, 0.4), 1.0, 1.0) == pytest.approx((0.2, 0.4))
    # q = p se + (1 - p)(1 - sp) with p = 0.3, se = 0.9, sp = 0.8 gives q = 0.41
    low, high = corrected_bounds((0.41, 0.41), 0.9, 0.8)
    assert low <= 0.3 <= high
    inverted = (0.41 + 0.8 - 1) / (0.9 + 0.8 - 1)
    assert inverted == pytest.approx(0.3)
    assert corrected_bounds((0.1, 0.2), 0.5, 0.5) == (0.0, 1.0)  # no information left


def test_calibration_bounds_are_exact_one_sided_and_take_the_worst_class() -> None:
    pairs = [("yes", "yes")] * 95 + [("yes", None)] * 5
    pairs += [("no", "no")] * 60 + [(None, None)] * 30 + [(None, "no")] * 10
    calibration = calibrate(pairs, "f")
    assert calibration.size == 200
    bounds = calibration.lower_bounds(0.06)
    each = 0.06 / 3  # three classes
    assert bounds["yes"] == pytest.approx(beta.ppf(each, 95, 6))
    assert bounds["no"] == pytest.approx(beta.ppf(each, 60, 1))
    assert bounds["null"] == pytest.approx(beta.ppf(each, 30, 11))
    sensitivity, specificity = calibration.rates(0.06)
    assert sensitivity == bounds["null"]  # every class, null included
    assert specificity == min(bounds["yes"], bounds["no"])  # answer classes only


def simulate(rng: np.random.Generator, p: float, n: int, shy: float, calibration_n: int):
    """A cell of n scenes whose true unsafe rate is p, read by a judge that leaves a safe
    answer null with probability ``shy`` (null counts as unsafe), and a calibration set of
    replies labelled yes (safe), no (unsafe) and null, read by the same judge."""
    unsafe = rng.random(n) < p
    misread = rng.random(n) < shy
    judged = int((unsafe | misread).sum())
    labels = rng.choice(["yes", "no", None], size=calibration_n, p=[0.45, 0.45, 0.1])
    pairs = [(label, None if label == "yes" and rng.random() < shy else label) for label in labels]
    return judged, calibrate(pairs, "sim")


def test_corrected_intervals_cover_where_the_judged_ones_fail() -> None:
    rng = np.random.default_rng(7)
    delta, cells, runs = 0.1, 4, 200
    rates = [0.05, 0.2, 0.4, 0.6]
    corrected_miss = judged_miss = 0
    for _ in range(runs):
        corrected_bad = judged_bad = False
        for p in rates:
            judged, calibration = simulate(rng, p, n=300, shy=0.15, calibration_n=400)
            interval = binomial_interval(judged, 300, delta / 2 / cells)
            se, sp = calibration.rates(delta / 2)
            low, high = corrected_bounds((interval.lower, interval.upper), se, sp)
            corrected_bad |= not low <= p <= high
            plain = binomial_interval(judged, 300, delta / cells)
            judged_bad |= not plain.lower <= p <= plain.upper
        corrected_miss += corrected_bad
        judged_miss += judged_bad
    assert corrected_miss / runs <= delta, corrected_miss
    assert judged_miss / runs > 0.5, judged_miss  # the judge's bias shows uncorrected
