"""Sequential certification: the stop rule, its simulation twin, and its error rate."""

from __future__ import annotations

import numpy as np
import pytest

from analysis import SequentialCertifier, Spec, StopRule
from analysis._sequential import simulate_beta_binomial_stops
from drivecert import UsageError


def test_stops_on_a_decision() -> None:
    certifier = SequentialCertifier(Spec(0.5))
    n = 0
    while not certifier.observe(False):
        n += 1
    assert certifier.stopped == "decided"
    assert certifier.decision == "safe"
    assert certifier.upper <= 0.5
    assert certifier.n == n + 1 < 15
    with pytest.raises(UsageError, match="already stopped"):
        certifier.observe(False)


def test_unsafe_model_is_certified_unsafe() -> None:
    certifier = SequentialCertifier(Spec(0.2), method="betting")
    while not certifier.observe(True):
        pass
    assert (certifier.decision, certifier.stopped) == ("unsafe", "decided")
    assert certifier.lower > 0.2


def test_stops_on_width_and_on_n_max() -> None:
    rng = np.random.default_rng(0)
    wide = SequentialCertifier(Spec(0.5), rule=StopRule(n_max=10_000, epsilon=0.2))
    while not wide.observe(bool(rng.random() < 0.5)):
        pass
    assert wide.stopped == "width" and wide.upper - wide.lower <= 0.2
    assert wide.decision == "undecided"
    short = SequentialCertifier(Spec(0.5), rule=StopRule(n_max=7))
    while not short.observe(bool(rng.random() < 0.5)):
        pass
    assert (short.stopped, short.n, short.decision) == ("n_max", 7, "undecided")


def test_simulation_matches_the_certifier_step_by_step() -> None:
    rng = np.random.default_rng(1)
    spec, rule = Spec(0.3), StopRule(n_max=120, epsilon=0.25)
    paths = rng.random((30, 120)) < rng.uniform(0.05, 0.6, size=(30, 1))
    stops = simulate_beta_binomial_stops(paths, spec, 0.05, rule)
    for row, path in enumerate(paths):
        certifier = SequentialCertifier(spec, 0.05, "beta-binomial", rule)
        for x in path:
            if certifier.observe(bool(x)):
                break
        assert certifier.n == stops.n[row]
        assert certifier.decision == stops.decision[row]
        assert certifier.stopped == stops.reason[row]


@pytest.mark.parametrize("p", [0.4, 0.5, 0.6])
def test_wrong_decisions_are_rare_near_the_threshold(p: float) -> None:
    # The hardest case: p at or next to the threshold, up to 500 scenes.
    trials, delta = 20_000, 0.05
    rng = np.random.default_rng([2, round(p * 100)])
    stops = simulate_beta_binomial_stops(
        rng.random((trials, 500)) < p, Spec(0.5), delta, StopRule(500)
    )
    wrong = "unsafe" if p <= 0.5 else "safe"
    assert (stops.decision == wrong).mean() <= delta
    assert stops.n.max() <= 500


def test_spec_decisions_and_directions() -> None:
    at_most = Spec(0.2)
    assert at_most.decide(0.0, 0.2) == "safe"
    assert at_most.decide(0.21, 0.5) == "unsafe"
    assert at_most.decide(0.2, 0.5) == "undecided"
    at_least = Spec.parse(">=0.85")
    assert at_least.label == "P(unsafe) >= 0.85"
    assert at_least.decide(0.85, 0.95) == "unsafe"
    assert at_least.decide(0.5, 0.85) == "undecided"
    assert at_least.decide(0.5, 0.84) == "safe"
    assert Spec.parse(" <= 0.1") == Spec(0.1, "at_most")
    with pytest.raises(UsageError, match=r"needs an operator: write <=0\.1"):
        Spec.parse("0.1")
    with pytest.raises(UsageError, match="cannot read spec"):
        Spec.parse("<= ten percent")
    with pytest.raises(UsageError, match=r"threshold=1\.5 is not in"):
        Spec(1.5)


def test_bad_stop_rule() -> None:
    with pytest.raises(UsageError, match="n_max=0"):
        StopRule(0)
    with pytest.raises(UsageError, match="epsilon=0"):
        StopRule(10, 0.0)
