"""The scenario language: draws, conditioning and require."""

import math

import numpy as np
import pytest
from scipy import stats

from drivecert import DrivecertError
from scenarios import (
    Condition,
    RandomStream,
    SampleContext,
    UnsatisfiableCondition,
    Variable,
    run_program,
)

COLOUR = Variable("colour", ("red", "green", "blue"), (0.5, 0.3, 0.2))
SIZE = Variable("size", ("small", "large"), derived=True)
VARIABLES = {"colour": COLOUR, "size": SIZE}


UNCONDITIONED = Condition()


def draws(program, n: int, condition: Condition = UNCONDITIONED, seed: int = 7) -> list:
    return [
        run_program(
            program, stream=RandomStream(seed + i), condition=condition, variables=VARIABLES
        ).value
        for i in range(n)
    ]


def test_stream_is_addressed_and_uniform() -> None:
    stream = RandomStream(3)
    assert stream.uniform01("0/a") == RandomStream(3).uniform01("0/a")
    assert stream.uniform01("0/a") != stream.uniform01("0/b")
    u = np.array([stream.uniform01(f"0/x{i}") for i in range(20000)])
    assert u.min() > 0 and u.max() < 1
    assert stats.kstest(u, "uniform").pvalue > 0.001


def test_var_follows_declared_prior() -> None:
    values = draws(lambda s: s.var("colour"), 6000)
    counts = [values.count(v) for v in COLOUR.values]
    expected = [p * len(values) for p in COLOUR.probabilities]
    assert stats.chisquare(counts, expected).pvalue > 0.001


def test_numeric_draws_match_their_distributions() -> None:
    def program(s: SampleContext) -> tuple[float, float, float, bool]:
        return (
            s.uniform("u", 2.0, 5.0),
            s.normal("n", 1.0, 2.0),
            s.normal("t", 0.0, 1.0, -0.5, 1.5),
            s.bernoulli("b", 0.3),
        )

    u, n, t, b = map(np.array, zip(*draws(program, 5000), strict=True))
    assert stats.kstest(u, stats.uniform(2, 3).cdf).pvalue > 0.001
    assert stats.kstest(n, stats.norm(1, 2).cdf).pvalue > 0.001
    assert t.min() >= -0.5 and t.max() <= 1.5
    assert stats.kstest(t, stats.truncnorm(-0.5, 1.5).cdf).pvalue > 0.001
    assert stats.binomtest(int(b.sum()), len(b), 0.3).pvalue > 0.001


def test_choose_over_nodes_with_weights() -> None:
    values = draws(lambda s: s.choose("pick", ["a", "b", "c"], [0, 1, 3]), 4000)
    assert values.count("a") == 0
    assert stats.binomtest(values.count("c"), len(values), 0.75).pvalue > 0.001


def test_fixed_variable_and_require_condition_exactly() -> None:
    # size is derived from a uniform draw; conditioning on it must give the
    # conditional distribution: x | x < 0.3 is uniform on (0, 0.3).
    def program(s: SampleContext) -> float:
        x = s.uniform("x", 0.0, 1.0)
        s.observe("size", "small" if x < 0.3 else "large")
        return x

    xs = np.array(draws(program, 3000, Condition({"size": "small"})))
    assert xs.max() < 0.3
    assert stats.kstest(xs, stats.uniform(0, 0.3).cdf).pvalue > 0.001


def test_conditioning_a_choice_with_varying_support_is_exact() -> None:
    # P(colour=red | branch) differs between branches, so fixing colour must reweight
    # the branch: P(branch=a | red) = 0.5*1 / (0.5*1 + 0.5*0.25) = 0.8.
    def program(s: SampleContext) -> str:
        branch = s.choose("branch", ["a", "b"])
        options = ["red"] if branch == "a" else ["red", "green", "blue", "blue"]
        s.choose("colour", options)
        return branch

    branches = draws(program, 4000, Condition({"colour": "red"}))
    assert stats.binomtest(branches.count("a"), len(branches), 0.8).pvalue > 0.001


def test_fixed_variable_never_drawn_is_rejected() -> None:
    def program(s: SampleContext) -> str:
        return s.var("colour") if s.bernoulli("draw_it", 0.25) else "none"

    values = draws(program, 50, Condition({"colour": "blue"}))
    assert values == ["blue"] * 50


def test_unsatisfiable_condition_names_the_constraint() -> None:
    def program(s: SampleContext) -> float:
        x = s.uniform("x", 0.0, 1.0)
        s.require(x > 2.0, "x exceeds two")
        return x

    with pytest.raises(UnsatisfiableCondition, match="'x exceeds two' x50"):
        run_program(
            program,
            stream=RandomStream(1),
            condition=Condition(),
            variables=VARIABLES,
            max_attempts=50,
        )


def test_programming_errors_are_reported() -> None:
    def twice(s: SampleContext) -> None:
        s.uniform("x", 0, 1)
        s.uniform("x", 0, 1)

    with pytest.raises(DrivecertError, match="drawn twice"):
        draws(twice, 1)
    with pytest.raises(DrivecertError, match="not a declared condition variable"):
        draws(lambda s: s.var("mood"), 1)
    with pytest.raises(DrivecertError, match=r"p=1.5 must lie in \[0, 1\]"):
        draws(lambda s: s.bernoulli("b", 1.5), 1)
    with pytest.raises(DrivecertError, match="derived"):
        draws(lambda s: s.var("size"), 1)
    assert math.isclose(sum(COLOUR.probabilities), 1.0)
