"""Bounded-mean certification: closed forms, coverage, anytime coverage, soundness of [lb, ub]."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import (
    BOUNDED_MEAN_METHODS,
    BoundedMeanSequence,
    bounded_mean_interval,
    bounded_mean_rejects,
)
from drivecert import UsageError

DELTA = 0.1
SHAPES = [(0.2, 0.2), (1.0, 1.0), (2.0, 5.0), (20.0, 20.0)]


def beta_values(shape: tuple[float, float], size: tuple[int, int], seed: int) -> np.ndarray:
    return np.random.default_rng(seed).beta(*shape, size=size)


def widen(p: np.ndarray, width: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Sound bounds around p: lb <= p <= ub, each side at most ``width`` away."""
    rng = np.random.default_rng(seed)
    lb = np.clip(p - width * rng.random(p.shape), 0.0, 1.0)
    ub = np.clip(p + width * rng.random(p.shape), 0.0, 1.0)
    return lb, ub


def test_hoeffding_width_is_the_closed_form() -> None:
    for n, delta in [(100, 0.05), (37, 0.01), (1000, 0.2)]:
        lower, upper = bounded_mean_interval(np.full(n, 0.5), delta, "hoeffding")
        half = np.sqrt(np.log(2 / delta) / (2 * n))
        assert lower == pytest.approx(0.5 - half, abs=1e-12)
        assert upper == pytest.approx(0.5 + half, abs=1e-12)


def test_empirical_bernstein_is_maurer_pontil() -> None:
    x = np.random.default_rng(0).beta(2, 2, 150)
    a = 0.05 / 2
    log_term = np.log(2 / a)
    half = np.sqrt(2 * x.var(ddof=1) * log_term / x.size) + 7 * log_term / (3 * (x.size - 1))
    lower, upper = bounded_mean_interval(x, 0.05, "empirical-bernstein")
    assert lower == pytest.approx(x.mean() - half) and upper == pytest.approx(x.mean() + half)
    # with little variance and large n, empirical Bernstein beats Hoeffding (its point)
    tight = np.random.default_rng(1).beta(50, 50, 5000)
    eb = bounded_mean_interval(tight, 0.05, "empirical-bernstein")
    hoeffding = bounded_mean_interval(tight, 0.05, "hoeffding")
    assert eb[1] - eb[0] < 0.5 * (hoeffding[1] - hoeffding[0])


def test_betting_is_tighter_than_the_closed_forms() -> None:
    # WSR (2010.09686, Fig. 4-5): the hedged-capital CI is never much wider than EB or
    # Hoeffding and much narrower at low variance
    for shape in [(1.0, 1.0), (20.0, 20.0)]:
        x = beta_values(shape, (1, 300), 2)[0]
        widths = {
            m: np.subtract(*bounded_mean_interval(x, 0.05, m)[::-1]) for m in BOUNDED_MEAN_METHODS
        }
        assert widths["betting-mean"] < min(widths["hoeffding"], widths["empirical-bernstein"])
        lower, upper = bounded_mean_interval(x, 0.05, "betting-mean")
        assert lower <= x.mean() <= upper


def test_degenerate_inputs() -> None:
    for method in BOUNDED_MEAN_METHODS:
        assert bounded_mean_interval([], 0.05, method) == (0.0, 1.0)
        lower, upper = bounded_mean_interval(np.full(200, 0.3), 0.05, method)
        assert 0.0 <= lower < 0.3 < upper <= 1.0
        assert bounded_mean_interval(np.zeros(50), 0.05, method)[0] == 0.0
        assert bounded_mean_interval(np.ones(50), 0.05, method)[1] == 1.0
    assert bounded_mean_interval([0.4], 0.05, "empirical-bernstein") == (0.0, 1.0)
    with pytest.raises(UsageError, match=r"lb=0\.6 > ub=0\.5"):
        bounded_mean_interval([[0.1, 0.2], [0.6, 0.5]])
    for bad in ([0.2, 1.5], [-0.1], [np.nan], [[0.1, 0.2, 0.3]]):
        with pytest.raises(UsageError):
            bounded_mean_interval(bad)
    with pytest.raises(UsageError, match="unknown bounded-mean method"):
        bounded_mean_interval([0.5], 0.05, "wilson")
    with pytest.raises(UsageError):
        BoundedMeanSequence(0.05).update(0.7, 0.2)


@pytest.mark.parametrize("shape", SHAPES)
def test_fixed_n_coverage(shape: tuple[float, float]) -> None:
    reps, n = 300, 150
    p = beta_values(shape, (reps, n), 3)
    mu = shape[0] / sum(shape)
    for method in ("hoeffding", "empirical-bernstein"):
        covered = [bounded_mean_interval(row, DELTA, method) for row in p]
        miss = np.mean([not lo <= mu <= hi for lo, hi in covered])
        assert miss <= DELTA, (method, miss)
    # the betting CI at its horizon, exactly at mu (no grid), vectorised over repetitions
    miss = bounded_mean_rejects(p, None, mu, DELTA, horizon=n)[:, -1].mean()
    assert miss <= DELTA + 0.03, miss


def test_betting_interval_agrees_with_the_rejection_test() -> None:
    x = beta_values((2.0, 2.0), (1, 120), 4)[0]
    lower, upper = bounded_mean_interval(x, 0.05, "betting-mean")
    for m, expected in [(lower, True), (upper, True), (lower + 2e-3, False), (upper - 2e-3, False)]:
        assert bool(bounded_mean_rejects(x, None, m, 0.05, horizon=120)[0, -1]) is expected


def test_anytime_coverage_over_whole_paths() -> None:
    paths, steps = 300, 500
    for shape in [(0.2, 0.2), (2.0, 2.0), (2.0, 5.0)]:
        p = beta_values(shape, (paths, steps), 5)
        mu = shape[0] / sum(shape)
        ever = bounded_mean_rejects(p, None, mu, DELTA).any(axis=1).mean()
        assert ever <= DELTA + 0.03, (shape, ever)
        lb, ub = widen(p, 0.2, 6)
        ever = bounded_mean_rejects(lb, ub, mu, DELTA).any(axis=1).mean()
        assert ever <= DELTA + 0.03, (shape, ever)


def test_sequence_matches_fixed_rejections_and_is_valid_early() -> None:
    x = beta_values((1.0, 3.0), (1, 200), 7)[0]
    sequence = BoundedMeanSequence(0.05)
    assert sequence.interval() == (0.0, 1.0)
    for value in x:
        sequence.update(float(value))
    lower, upper = sequence.interval()
    assert sequence.n == 200 and lower <= x.mean() <= upper
    assert bool(bounded_mean_rejects(x, None, lower, 0.05)[0, -1])
    assert not bool(bounded_mean_rejects(x, None, lower + 2e-3, 0.05)[0, -1])
    below, above = sequence.pvalues(0.5)
    assert below <= 0.025 and above == 1.0  # mean 0.25: clearly below 0.5


def test_pairs_cover_and_widen_with_the_bounds() -> None:
    reps, n, shape = 200, 150, (2.0, 2.0)
    p = beta_values(shape, (reps, n), 8)
    widths = []
    for width in (0.0, 0.1, 0.3):
        lb, ub = widen(p, width, 9)
        for method in ("hoeffding", "empirical-bernstein"):
            bounds = [
                bounded_mean_interval(np.c_[lo, hi], DELTA, method)
                for lo, hi in zip(lb, ub, strict=True)
            ]
            assert np.mean([not lo <= 0.5 <= hi for lo, hi in bounds]) <= DELTA
        assert bounded_mean_rejects(lb, ub, 0.5, DELTA, horizon=n)[:, -1].mean() <= DELTA + 0.03
        pairs = np.c_[lb[0], ub[0]]
        widths.append(
            [
                np.subtract(*bounded_mean_interval(pairs, DELTA, m)[::-1])
                for m in BOUNDED_MEAN_METHODS
            ]
        )
    assert np.all(np.diff(np.array(widths), axis=0) > 0)


def test_lower_uses_lb_only_and_upper_ub_only() -> None:
    p = beta_values((2.0, 5.0), (1, 200), 10)[0]
    lb, ub = widen(p, 0.1, 11)
    wider = np.clip(ub + 0.3, 0.0, 1.0)
    lower_lb = np.clip(lb - 0.2, 0.0, 1.0)
    for method in BOUNDED_MEAN_METHODS:
        base = bounded_mean_interval(np.c_[lb, ub], 0.05, method)
        moved_ub = bounded_mean_interval(np.c_[lb, wider], 0.05, method)
        moved_lb = bounded_mean_interval(np.c_[lower_lb, ub], 0.05, method)
        assert moved_ub[0] == base[0] and moved_ub[1] > base[1], method
        assert moved_lb[1] == base[1] and moved_lb[0] < base[0], method
    exact = BoundedMeanSequence(0.05)
    loose = BoundedMeanSequence(0.05)
    for low, high, far in zip(lb, ub, wider, strict=True):
        exact.update(float(low), float(high))
        loose.update(float(low), float(far))
    assert exact.interval()[0] == loose.interval()[0]
    assert exact.interval()[1] < loose.interval()[1]
