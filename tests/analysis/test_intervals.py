"""Fixed-n intervals: agreement with statsmodels and scipy, edges and one-line errors."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from analysis import EXACT_METHODS, binomial_bounds, binomial_interval
from drivecert import UsageError

STATSMODELS_NAME = {"clopper-pearson": "beta", "wilson": "wilson", "jeffreys": "jeffreys"}
# statsmodels' "larger" alternative reports [0, upper]; "smaller" reports [lower, 1]
STATSMODELS_SIDE = {"two-sided": "two-sided", "upper": "larger", "lower": "smaller"}


@pytest.mark.parametrize("method", sorted(STATSMODELS_NAME))
@pytest.mark.parametrize("side", sorted(STATSMODELS_SIDE))
@pytest.mark.parametrize("delta", [0.01, 0.05, 0.2])
def test_agrees_with_statsmodels(method: str, side: str, delta: float) -> None:
    worst = 0.0
    for n in (1, 2, 3, 7, 20, 50, 200, 1000):
        counts = np.arange(n + 1)
        lower, upper = binomial_bounds(counts, n, delta, method, side)  # type: ignore[arg-type]
        ref_lower, ref_upper = proportion_confint(
            counts, n, delta, STATSMODELS_NAME[method], alternative=STATSMODELS_SIDE[side]
        )
        if method == "jeffreys":  # the ends are exact, as for Clopper-Pearson (statsmodels'
            ref_lower = np.where(counts == 0, 0.0, ref_lower)  # are 1e-5 away at 0/50)
            ref_upper = np.where(counts == n, 1.0, ref_upper)
        worst = max(worst, float(np.abs(lower - ref_lower).max()))
        worst = max(worst, float(np.abs(upper - ref_upper).max()))
    assert worst < 1e-9


@pytest.mark.parametrize(
    ("method", "scipy_name"), [("clopper-pearson", "exact"), ("wilson", "wilson")]
)
def test_agrees_with_scipy_binomtest(method: str, scipy_name: str) -> None:
    for k, n in [(0, 10), (3, 20), (17, 17), (50, 200), (1, 1000)]:
        ours = binomial_interval(k, n, 0.05, method)
        ref = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method=scipy_name)
        assert ours.lower == pytest.approx(ref.low, abs=1e-9)
        assert ours.upper == pytest.approx(ref.high, abs=1e-9)


def test_jeffreys_ends_are_exact_like_clopper_pearsons() -> None:
    for method in ("clopper-pearson", "jeffreys"):
        assert binomial_interval(0, 50, method=method).lower == 0.0
        assert binomial_interval(50, 50, method=method).upper == 1.0
        assert binomial_interval(0, 50, method=method).upper < 0.1


def test_one_sided_bounds_are_tighter_than_two_sided() -> None:
    two = binomial_interval(7, 50)
    lower = binomial_interval(7, 50, side="lower")
    upper = binomial_interval(7, 50, side="upper")
    assert lower.upper == 1.0 and upper.lower == 0.0
    assert two.lower < lower.lower < 7 / 50 < upper.upper < two.upper
    # a one-sided bound at delta is the two-sided bound at 2 delta
    assert upper.upper == pytest.approx(binomial_interval(7, 50, 0.10).upper, abs=1e-12)


def test_clopper_pearson_edges() -> None:
    none = binomial_interval(0, 200)
    assert none.lower == 0.0
    # the rule of three: with 0 of n the 95% upper bound is about 3/n (one-sided)
    assert binomial_interval(0, 200, side="upper").upper == pytest.approx(3 / 200, rel=0.01)
    every = binomial_interval(200, 200)
    assert every.upper == 1.0 and every.lower > 0.98


def test_no_data_is_the_vacuous_interval() -> None:
    for method in ("clopper-pearson", "wilson", "jeffreys"):
        interval = binomial_interval(0, 0, method=method)
        assert (interval.lower, interval.upper) == (0.0, 1.0)


def test_only_clopper_pearson_is_exact() -> None:
    assert {"clopper-pearson"} == EXACT_METHODS
    assert binomial_interval(1, 10).exact
    assert not binomial_interval(1, 10, method="wilson").exact
    assert not binomial_interval(1, 10, method="jeffreys").exact


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((11, 10), "unsafe=11 is more than n=10"),
        ((-1, 10), "unsafe=-1 is negative"),
        ((1, -3), "n=-3 is negative"),
        ((1.5, 10), "unsafe=1.5 is not a whole number"),
        ((1, 10, 0.0), "delta=0.0 is not in (0, 1)"),
        ((1, 10, 1.0), "delta=1.0 is not in (0, 1)"),
        ((1, 10, 0.05, "wald"), "unknown method 'wald'; choose one of clopper-pearson"),
        ((1, 10, 0.05, "wilson", "both"), "unknown side 'both'"),
    ],
)
def test_bad_input_is_one_line_error(args: tuple, message: str) -> None:
    with pytest.raises(UsageError) as error:
        binomial_interval(*args)
    assert message in str(error.value)
    assert "\n" not in str(error.value)
