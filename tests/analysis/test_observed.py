"""Certificates from per-scene probabilities (observe probability / bounds): the mean of
P(event | scene) certified with bounded-mean methods, lower side from lb, upper from ub."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import Spec, certify
from analysis._bounded_mean import bounded_mean_interval, bounded_mean_pvalues
from analysis._report import AnalysisOptions, write_analysis
from analysis._sequential import SequentialCertifier, StopRule
from drivecert import UsageError


def observed_table(lb: np.ndarray, ub: np.ndarray, observe: str = "probability") -> pd.DataFrame:
    n = len(lb)
    return pd.DataFrame(
        {
            "scenario": "s",
            "model": "m",
            "question": "q",
            "condition": "weather=rain",
            "sample": np.arange(n),
            "unsafe": lb >= 0.5,
            "unparseable": False,
            "wrong": lb >= 0.5,
            "observe": observe,
            "unsafe_lb": lb,
            "unsafe_ub": ub,
            "wrong_lb": lb,
            "wrong_ub": ub,
        }
    )


@pytest.fixture
def spread() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(3)
    p = rng.beta(2, 2, size=150)
    gap = rng.uniform(0, 0.05, size=150)
    return np.clip(p - gap, 0, 1), np.clip(p + gap, 0, 1)


@pytest.mark.parametrize("method", ["betting-mean", "hoeffding", "empirical-bernstein"])
def test_a_cell_of_probabilities_is_certified_by_its_bounded_mean_interval(spread, method) -> None:
    lb, ub = spread
    (cert,) = certify(observed_table(lb, ub, "bounds"), Spec(0.3), method=method)
    expected = bounded_mean_interval(np.column_stack([lb, ub]), 0.05, method)
    assert (cert.lower, cert.upper) == pytest.approx(expected)
    assert cert.observe == "bounds" and cert.n == 150
    assert cert.mean_lb == pytest.approx(lb.mean()) and cert.mean_ub == pytest.approx(ub.mean())
    assert cert.rate == pytest.approx((lb.mean() + ub.mean()) / 2)
    assert cert.lower <= lb.mean() and cert.upper >= ub.mean()
    assert not cert.approximate


def test_lower_side_reads_lb_only_and_upper_side_ub_only(spread) -> None:
    lb, ub = spread
    (wide,) = certify(observed_table(lb, np.ones_like(ub)), Spec(0.3), method="betting-mean")
    (tight,) = certify(observed_table(lb, ub), Spec(0.3), method="betting-mean")
    assert wide.lower == pytest.approx(tight.lower) and wide.upper > tight.upper


def test_a_method_for_zero_one_answers_is_refused_on_probabilities(spread) -> None:
    with pytest.raises(UsageError, match="betting-mean"):
        certify(observed_table(*spread), Spec(0.3))  # clopper-pearson by default


def test_greedy_answers_may_use_a_bounded_mean_method() -> None:
    flags = np.random.default_rng(5).permutation(np.r_[np.ones(30), np.zeros(70)])
    table = observed_table(flags, flags, "greedy").drop(columns=["observe"])
    table = table.drop(columns=["unsafe_lb", "unsafe_ub", "wrong_lb", "wrong_ub"])
    (cert,) = certify(table, Spec(0.5), method="betting-mean-cs")
    assert cert.observe == "greedy" and cert.mean_lb == pytest.approx(0.3)
    assert cert.lower < 0.3 < cert.upper < 0.5 and cert.decision == "safe"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.assign(unsafe_lb=t["unsafe_ub"] + 0.01), "give lb <= ub"),
        (lambda t: t.assign(unsafe_ub=1.5), "in \\[0, 1\\]"),
        (lambda t: t.assign(unsafe_lb=np.nan), "in \\[0, 1\\]"),
        (lambda t: t.drop(columns=["unsafe_ub"]), "without unsafe_ub"),
        (lambda t: t.assign(observe="sampled"), "observe at row 0"),
        (
            lambda t: t.drop(columns=["unsafe_lb", "unsafe_ub", "wrong_lb", "wrong_ub"]),
            "no unsafe_lb/unsafe_ub",
        ),
        (lambda t: t.assign(observe=["greedy"] + ["probability"] * (len(t) - 1)), "mixes"),
    ],
)
def test_bad_probability_columns_are_named(spread, change, message) -> None:
    lb, ub = spread
    with pytest.raises(UsageError, match=message):
        certify(change(observed_table(lb[:10], ub[:10])), Spec(0.3), method="betting-mean")


def test_failed_rows_need_no_probabilities(spread) -> None:
    lb, ub = spread
    table = observed_table(lb[:20], ub[:20])
    table["status"] = ["failed"] + ["ok"] * 19
    table.loc[0, ["unsafe_lb", "unsafe_ub"]] = np.nan
    (cert,) = certify(table, Spec(0.3), method="betting-mean")
    assert cert.n == 19 and cert.failed == 1


@pytest.mark.parametrize("method", ["betting-mean", "hoeffding", "empirical-bernstein"])
def test_pvalues_agree_with_the_interval(spread, method) -> None:
    lb, ub = spread
    pairs = np.column_stack([lb, ub])
    for threshold in (0.3, 0.45, 0.55, 0.7):
        below, above = bounded_mean_pvalues(pairs, threshold, 0.05, method)
        for delta in (0.01, 0.05, 0.2):
            lower, upper = bounded_mean_interval(pairs, delta, method)
            assert (upper < threshold) == (below < delta / 2), (threshold, delta)
            assert (lower > threshold) == (above < delta / 2), (threshold, delta)


def test_holm_decides_observed_cells(spread) -> None:
    lb, ub = spread
    table = pd.concat(
        [observed_table(lb, ub), observed_table(lb * 0.2, ub * 0.2).assign(condition="clear")]
    )
    certs = certify(table, Spec(0.3), method="betting-mean", multiplicity="holm")
    assert {c.condition: c.decision for c in certs} == {
        "weather=rain": "unsafe",
        "clear": "safe",
    }


def test_coverage_of_the_scene_averaged_probability_by_simulation() -> None:
    """Per-scene p from Beta(0.5, 2) (mean 0.2), bounds [p - u, p + u'] around it: the
    certified interval covers 0.2 in at least 1 - delta of 300 runs, for each method."""
    rng = np.random.default_rng(11)
    misses = dict.fromkeys(("betting-mean", "hoeffding", "empirical-bernstein"), 0)
    for _ in range(300):
        p = rng.beta(0.5, 2.0, size=60)
        lb = np.clip(p - rng.uniform(0, 0.1, 60), 0, 1)
        ub = np.clip(p + rng.uniform(0, 0.1, 60), 0, 1)
        for method in misses:
            lower, upper = bounded_mean_interval(np.column_stack([lb, ub]), 0.1, method)
            misses[method] += not lower <= 0.2 <= upper
    assert all(m <= 0.1 * 300 for m in misses.values()), misses


def test_sequential_certifier_takes_bounds_with_betting_mean_cs() -> None:
    certifier = SequentialCertifier(Spec(0.5), 0.05, "betting-mean-cs", StopRule(n_max=500))
    rng = np.random.default_rng(1)
    while True:
        p = float(rng.beta(8, 2))
        if certifier.observe((0.9 * p, p)):
            break
    assert certifier.stopped == "decided" and certifier.decision == "unsafe"
    assert certifier.n < 60
    zero_one = SequentialCertifier(Spec(0.5), 0.05, "beta-binomial")
    with pytest.raises(UsageError, match="betting-mean-cs"):
        zero_one.observe((0.1, 0.2))


def test_analysis_of_observed_scenes_leaves_out_what_reads_answers(spread, tmp_path) -> None:
    lb, ub = spread
    table = observed_table(lb, ub)
    options = AnalysisOptions(spec=Spec(0.3), method="betting-mean", figures=False)
    written = write_analysis(table, tmp_path, options)
    frame = pd.read_csv(written["certificates"])
    assert list(frame["observe"]) == ["probability"]
    assert frame["method"].iloc[0] == "betting-mean"
    paired = AnalysisOptions(
        spec=Spec(0.3), method="betting-mean", pair=("weather=rain", "weather=rain")
    )
    with pytest.raises(UsageError, match="relational pairs compare 0/1 answers"):
        write_analysis(table, tmp_path / "paired", paired)
    assert (tmp_path / "certificates.csv").is_file()
