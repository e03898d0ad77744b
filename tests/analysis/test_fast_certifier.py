"""The fast paths give exactly what the slow ones give: O(1) observe, batched bounds,
streaming betting p-values."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import (
    BetaBinomialSequence,
    BettingSequence,
    SequentialCertifier,
    Spec,
    StopRule,
    certifier_bounds,
)
from analysis._betting import BettingState
from analysis._confseq import beta_binomial_bounds

THRESHOLDS = (0.05, 0.2, 0.37, 0.5, 0.5001, 0.63, 0.9)


@pytest.mark.parametrize("direction", ["at_most", "at_least"])
def test_fast_observe_decides_exactly_as_the_bounds_do(direction: str) -> None:
    rng = np.random.default_rng(11)
    streams = 0
    for threshold in THRESHOLDS:
        spec = Spec(threshold, direction)  # type: ignore[arg-type]
        for _ in range(6):
            # rates near the threshold, so that streams run long and cross the boundary
            p = float(np.clip(threshold + rng.normal(0.0, 0.08), 0.01, 0.99))
            delta = float(rng.choice([0.01, 0.05, 0.2]))
            rule = StopRule(n_max=int(rng.integers(50, 250)))
            fast = SequentialCertifier(spec, delta, "beta-binomial", rule)
            slow = BetaBinomialSequence(delta)
            for x in rng.random(rule.n_max) < p:
                stop = fast.observe(bool(x))
                slow.update(float(x))
                lower, upper = slow.interval()
                decision = spec.decide(lower, upper)
                assert fast.decision == decision, (threshold, direction, p, fast.n)
                assert fast.stopped == rule.reason(decision, lower, upper, slow.n)
                if fast.n % 17 == 0:  # reading the bounds computes them: the same values
                    assert (fast.lower, fast.upper) == (lower, upper)
                if stop:
                    break
            streams += 1
    assert streams == 6 * len(THRESHOLDS)


def test_observe_skips_the_bisection_while_the_threshold_is_inside(monkeypatch) -> None:
    calls = 0
    interval = BetaBinomialSequence.interval

    def counted(self: BetaBinomialSequence) -> tuple[float, float]:
        nonlocal calls
        calls += 1
        return interval(self)

    monkeypatch.setattr(BetaBinomialSequence, "interval", counted)
    certifier = SequentialCertifier(Spec(0.5), rule=StopRule(n_max=2000))
    rng = np.random.default_rng(3)
    while not certifier.observe(bool(rng.random() < 0.5)):
        pass
    assert certifier.n == 2000 and certifier.stopped == "n_max" and calls < 20
    lower, upper = certifier.lower, certifier.upper
    assert (certifier.lower, certifier.upper) == (lower, upper)  # cached: one more call
    assert calls < 21 and lower < 0.5 < upper


def test_a_width_rule_still_sees_the_bounds() -> None:
    rng = np.random.default_rng(0)
    certifier = SequentialCertifier(Spec(0.5), rule=StopRule(n_max=10_000, epsilon=0.2))
    while not certifier.observe(bool(rng.random() < 0.5)):
        pass
    assert certifier.stopped == "width" and certifier.upper - certifier.lower <= 0.2


def test_accepts_is_the_test_the_bounds_apply() -> None:
    rng = np.random.default_rng(5)
    grid = np.linspace(0.0, 1.0, 401)
    for _ in range(60):
        n = int(rng.integers(0, 400))
        sequence = BetaBinomialSequence(float(rng.choice([0.01, 0.05, 0.3])))
        for x in rng.random(n) < rng.random():
            sequence.update(float(x))
        lower, upper = sequence.interval()
        for m in grid:
            accepted = sequence.accepts(float(m))
            if m < lower or m > upper:
                assert not accepted, (sequence.ones, n, m)
            if accepted:
                assert (lower < m or lower == 0.0) and (m < upper or upper == 1.0)
            if sequence.surely_accepts(float(m)):
                assert accepted and lower < m < upper


def test_certifier_bounds_equal_each_certifiers_own() -> None:
    rng = np.random.default_rng(8)
    certifiers = []
    for i in range(40):
        method = "betting" if i % 5 == 0 else "beta-binomial"
        delta = float(rng.choice([0.001, 0.05 / 12, 0.05]))
        certifier = SequentialCertifier(Spec(0.3), delta, method, StopRule(n_max=10_000))
        for x in rng.random(int(rng.integers(0, 120))) < rng.random():
            if certifier.observe(bool(x)):
                break
        certifiers.append(certifier)
    lower, upper = certifier_bounds(certifiers)
    for certifier, low, high in zip(certifiers, lower, upper, strict=True):
        assert (certifier.lower, certifier.upper) == (low, high)
        fresh = certifier.sequence.interval()  # recomputed alone, uncached
        assert fresh == (low, high)
    again = certifier_bounds(certifiers)
    assert (again[0] == lower).all() and (again[1] == upper).all()
    assert certifier_bounds([])[0].shape == (0,)


def test_vectorised_bounds_equal_one_at_a_time() -> None:
    rng = np.random.default_rng(9)
    n = rng.integers(0, 500, size=200)
    ones = (rng.random(200) * (n + 1)).astype(int)
    delta = rng.choice([0.001, 0.01, 0.05], size=200)
    lower, upper = beta_binomial_bounds(ones, n, delta)
    for i in range(200):
        single = beta_binomial_bounds(int(ones[i]), int(n[i]), float(delta[i]))
        assert (float(single[0]), float(single[1])) == (lower[i], upper[i])


def replayed_pvalues(xs: list[float], threshold: float, delta: float) -> tuple[float, float]:
    """The p-values as they were computed before streaming: replay every observation."""
    probe = BettingState.start(threshold, delta)
    for x in xs:
        probe.step(x)
    return (
        float(min(1.0, np.exp(-float(probe.log_down)))),
        float(min(1.0, np.exp(-float(probe.log_up)))),
    )


def test_streaming_betting_pvalues_equal_replayed_ones() -> None:
    rng = np.random.default_rng(10)
    sequence = BettingSequence(0.05)
    seen: list[float] = []
    asked = [0.3]
    for t in range(1, 601):
        x = float(rng.random() < 0.35) if t % 3 else float(rng.beta(2, 5))
        sequence.update(x)
        seen.append(x)
        if t == 150:
            asked.append(0.5)  # a threshold asked late replays once, then streams
        if t % 50 == 0:
            for threshold in asked:
                assert sequence.pvalues(threshold) == replayed_pvalues(seen, threshold, 0.05)
    assert sequence.n == 600 and (sequence.observations == np.asarray(seen)).all()
    assert set(sequence._probes) == {0.3, 0.5}
    assert sequence._seen.itemsize == 8  # stored compactly, not as Python floats
