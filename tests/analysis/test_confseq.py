"""Confidence sequences: bounds, their agreement with the martingales, p-values."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate

from analysis import BetaBinomialSequence, BettingSequence, open_sequence, sequence_bounds
from analysis._confseq import (
    BettingState,
    beta_binomial_bounds,
    beta_binomial_log_evidence,
    beta_binomial_rejects,
    betting_rejects,
)
from drivecert import UsageError


def test_beta_binomial_evidence_is_the_mixture_integral() -> None:
    # M_t(m) = integral of q^S (1-q)^(t-S) dq / (m^S (1-m)^(t-S)) under a uniform prior
    for ones, n, m in [(3, 10, 0.5), (0, 20, 0.1), (17, 40, 0.3), (40, 40, 0.9)]:
        marginal, _ = integrate.quad(lambda q, s=ones, t=n: q**s * (1 - q) ** (t - s), 0, 1)
        expected = np.log(marginal) - ones * np.log(m) - (n - ones) * np.log1p(-m)
        assert float(beta_binomial_log_evidence(ones, n, m)) == pytest.approx(expected, rel=1e-9)


def test_beta_binomial_bounds_are_the_level_set() -> None:
    delta = 0.05
    for ones, n in [(0, 1), (0, 30), (5, 30), (29, 30), (30, 30), (120, 1000)]:
        lower, upper = (float(v) for v in beta_binomial_bounds(ones, n, delta))
        assert lower <= ones / n <= upper
        level = np.log(1 / delta)
        for end, inward in ((lower, 1e-9), (upper, -1e-9)):
            if end in (0.0, 1.0):
                continue
            assert beta_binomial_log_evidence(ones, n, end) >= level - 1e-12  # rounded outwards
            assert beta_binomial_log_evidence(ones, n, end + inward * 1e3) < level


def test_no_data_gives_vacuous_bounds() -> None:
    for method in ("beta-binomial", "betting"):
        assert open_sequence(method, 0.05).interval() == (0.0, 1.0)


@pytest.mark.parametrize("method", ["beta-binomial", "betting"])
def test_stream_class_matches_path_functions(method: str) -> None:
    rng = np.random.default_rng(3)
    xs = (rng.random(150) < 0.2).astype(float)
    lower, upper = sequence_bounds(xs, method, 0.05)
    sequence = open_sequence(method, 0.05)
    for t, x in enumerate(xs):
        sequence.update(x)
        assert sequence.interval() == pytest.approx((lower[t], upper[t]))
    assert sequence.n == 150
    # the interval narrows around the truth as data arrive
    assert upper[-1] - lower[-1] < 0.5 * (upper[20] - lower[20])
    assert lower[-1] < 0.2 < upper[-1]


@pytest.mark.parametrize(
    ("method", "rejects"), [("beta-binomial", beta_binomial_rejects), ("betting", betting_rejects)]
)
def test_bounds_agree_with_the_exact_rejection_test(method: str, rejects: object) -> None:
    rng = np.random.default_rng(4)
    xs = (rng.random(400) < 0.3).astype(float)
    lower, upper = sequence_bounds(xs, method, 0.05)
    slack = 1 / 2000 if method == "betting" else 1e-9
    for m in (0.1, 0.2, 0.25, 0.35, 0.45):
        excluded = rejects(xs[None, :], m, 0.05)[0]  # type: ignore[operator]
        outside = (m < lower - slack) | (m > upper + slack)
        inside = (lower + slack < m) & (m < upper - slack)
        assert not (outside & ~excluded).any(), f"bounds exclude {m} that the test keeps"
        assert not (inside & excluded).any(), f"bounds keep {m} that the test excludes"


def test_betting_handles_bounded_non_binary_data() -> None:
    rng = np.random.default_rng(5)
    xs = rng.beta(2, 5, size=500)  # mean 2/7
    lower, upper = sequence_bounds(xs, "betting", 0.05)
    assert lower[-1] < 2 / 7 < upper[-1]
    assert upper[-1] - lower[-1] < 0.12


def test_betting_state_is_vectorised_over_paths() -> None:
    rng = np.random.default_rng(6)
    paths = (rng.random((3, 50)) < 0.4).astype(float)
    together = betting_rejects(paths, 0.4, 0.05)
    for row in range(3):
        assert (betting_rejects(paths[row : row + 1], 0.4, 0.05)[0] == together[row]).all()
    state = BettingState(np.asarray([0.4]), 0.05, log_up=np.zeros(1), log_down=np.zeros(1))
    for x in paths[0]:
        state.step(x)
    assert state.n == 50


@pytest.mark.parametrize("sequence_type", [BetaBinomialSequence, BettingSequence])
def test_pvalues_are_anytime_valid_at_the_boundary(sequence_type: type) -> None:
    # Under mean = threshold both nulls hold; each p-value, watched after every sample,
    # must fall to delta at some step in at most a delta share of streams.
    rng = np.random.default_rng(7)
    delta, threshold, trials, steps = 0.1, 0.3, 400, 150
    hits_below = hits_above = 0
    for _ in range(trials):
        sequence = sequence_type(delta)
        seen_below = seen_above = False
        for x in rng.random(steps) < threshold:
            sequence.update(float(x))
            if sequence.n % 10 == 0:
                below, above = sequence.pvalues(threshold)
                seen_below |= below <= delta
                seen_above |= above <= delta
        hits_below += seen_below
        hits_above += seen_above
    assert hits_below / trials <= delta + 3 * np.sqrt(delta * (1 - delta) / trials)
    assert hits_above / trials <= delta + 3 * np.sqrt(delta * (1 - delta) / trials)


@pytest.mark.parametrize("sequence_type", [BetaBinomialSequence, BettingSequence])
def test_pvalues_point_the_way_the_data_lean(sequence_type: type) -> None:
    sequence = sequence_type(0.05)
    for x in [0] * 30:
        sequence.update(x)
    below, above = sequence.pvalues(0.5)
    assert below < 1e-4 and above == 1.0
    assert sequence.interval()[1] < 0.5


def test_bad_input() -> None:
    with pytest.raises(UsageError, match="unknown sequential method 'robbins'"):
        open_sequence("robbins", 0.05)
    with pytest.raises(UsageError, match="delta=2"):
        BetaBinomialSequence(2)
    with pytest.raises(ValueError, match="0/1 observations"):
        BetaBinomialSequence().update(0.5)
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        BettingSequence().update(1.5)
