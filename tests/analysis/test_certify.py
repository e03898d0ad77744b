"""Certificates from a verdicts table: columns, coverage, multiplicity, one-observation rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import (
    CERTIFICATE_COLUMNS,
    Spec,
    binomial_interval,
    certificates_frame,
    certify,
    observations,
    write_certificates,
)
from analysis._multiplicity import holm_decisions, holm_reject
from analysis._spec import fixed_pvalues
from analysis._temporal import get_property
from drivecert import UsageError


def test_certificates_csv_has_exactly_the_contract_columns(verdicts, tmp_path) -> None:
    path = write_certificates(certify(verdicts, Spec(0.3)), tmp_path / "certificates.csv")
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header == (
        "scenario,model,question,condition,event,n,unsafe,wrong,unparseable,failed,lower,upper,"
        "delta,method,threshold,decision,observe,mean_lb,mean_ub"
    )
    assert tuple(header.split(",")) == CERTIFICATE_COLUMNS
    back = pd.read_csv(path)
    assert set(back["observe"]) == {"greedy"}
    assert np.allclose(back["mean_lb"], back["unsafe"] / back["n"])
    assert (back["mean_ub"] == back["mean_lb"]).all()
    assert len(back) == 12 and set(back["decision"]) <= {"safe", "unsafe", "undecided"}
    assert set(back["method"]) == {"clopper-pearson+bonferroni(K=12)"}
    assert set(back["event"]) == {"unsafe"} and set(back["question"]) == {"stop_needed"}


def test_counts_and_bounds_match_the_table(verdicts) -> None:
    certificates = certify(verdicts, Spec(0.3))
    assert len(certificates) == 12
    for cert in certificates:
        rows = verdicts[
            (verdicts.scenario == cert.scenario)
            & (verdicts.model == cert.model)
            & (verdicts.question == cert.question)
            & (verdicts.condition == cert.condition)
        ]
        assert cert.n == len(rows) == 120 and cert.failed == 0
        assert cert.unsafe == rows.unsafe.sum()
        assert cert.unparseable == rows.unparseable.sum()
        # Bonferroni: each interval at delta / K
        expected = binomial_interval(cert.unsafe, cert.n, 0.05 / 12)
        assert (cert.lower, cert.upper) == pytest.approx((expected.lower, expected.upper))
        assert cert.wrong == rows.wrong.sum() and cert.event == "unsafe"
        assert (cert.method, cert.correction, cert.conditions) == (
            "clopper-pearson",
            "bonferroni",
            12,
        )
        assert cert.method_label == "clopper-pearson+bonferroni(K=12)" and cert.delta == 0.05
        assert cert.decision == Spec(0.3).decide(cert.lower, cert.upper)


def test_single_condition_has_no_correction(make_verdicts) -> None:
    one = make_verdicts(50).query("scenario == 'right_turn' and model == 'qwen2-vl-7b'")
    certificates = certify(one[one.condition == "weather=ClearNoon"], Spec(0.5))
    (cert,) = certificates
    assert (cert.method, cert.correction, cert.conditions) == ("clopper-pearson", None, 1)
    assert cert.method_label == "clopper-pearson"


@pytest.mark.parametrize("method", ["clopper-pearson", "beta-binomial", "betting"])
def test_family_wise_coverage_of_the_true_rates(method: str, make_verdicts, true_rate) -> None:
    # 12 conditions with known rates; all 12 intervals must hold together in >= 1 - delta
    # of repeated experiments (delta = 0.2 so that a failure would show).
    reps, delta = 60 if method == "betting" else 150, 0.2
    held = 0
    for rep in range(reps):
        table = make_verdicts(60, seed=100 + rep)
        certificates = certify(table, Spec(0.3), delta=delta, method=method)
        held += all(
            c.lower
            <= true_rate(c.condition.split("=")[1], _maneuver(c.scenario), c.model)
            <= c.upper
            for c in certificates
        )
    assert held / reps >= 1 - delta - 3 * np.sqrt(delta * (1 - delta) / reps)


def _maneuver(scenario: str) -> str:
    return "right_turn" if scenario == "right_turn" else "straight"


def test_holm_decides_everything_bonferroni_does(make_verdicts) -> None:
    for seed in range(10):
        table = make_verdicts(80, seed=seed)
        bonferroni = certify(table, Spec(0.3))
        holm = certify(table, Spec(0.3), multiplicity="holm")
        for b, h in zip(bonferroni, holm, strict=True):
            assert (b.lower, b.upper) == (h.lower, h.upper)
            if b.decision != "undecided":
                assert h.decision == b.decision
        assert holm[0].method_label == "clopper-pearson+holm(K=12)"


def test_holm_can_decide_more(make_verdicts) -> None:
    # clearly decided conditions relax Holm's later thresholds: with these tables Holm
    # decides one more condition than Bonferroni for seeds 4, 6 and 9
    gained = 0
    for seed in (4, 6, 9):
        table = make_verdicts(120, seed=seed)
        counts = [
            sum(c.decision != "undecided" for c in certify(table, Spec(0.3), multiplicity=m))
            for m in ("bonferroni", "holm")
        ]
        gained += counts[1] > counts[0]
    assert gained == 3


def test_holm_controls_family_wise_error_near_the_threshold() -> None:
    rng = np.random.default_rng(5)
    threshold, delta, n, reps = 0.3, 0.1, 60, 3000
    rates = np.array([0.3, 0.3, 0.31, 0.29, 0.25, 0.35, 0.2, 0.4])
    wrong = 0
    for _ in range(reps):
        counts = rng.binomial(n, rates)
        pvalues = [fixed_pvalues(int(k), n, threshold, "clopper-pearson") for k in counts]
        decisions = holm_decisions(pvalues, delta)
        wrong += any(
            (d == "unsafe" and p <= threshold) or (d == "safe" and p > threshold)
            for d, p in zip(decisions, rates, strict=True)
        )
    assert wrong / reps <= delta


def test_holm_reject_is_the_textbook_step_down() -> None:
    # p-values sorted: 0.001 <= 0.05/4, 0.012 <= 0.05/3, 0.03 > 0.05/2 stops
    assert holm_reject([0.03, 0.001, 0.012, 0.04], 0.05) == [False, True, True, False]
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(0)
    for _ in range(50):
        values = rng.uniform(0, 0.1, size=8)
        expected = multipletests(values, alpha=0.05, method="holm")[0].tolist()
        assert holm_reject(values.tolist(), 0.05) == expected


def test_fixed_pvalues_invert_the_intervals() -> None:
    for k, n in [(0, 30), (3, 30), (12, 40), (40, 40)]:
        for method in ("clopper-pearson", "wilson", "jeffreys"):
            below, above = fixed_pvalues(k, n, 0.3, method)
            interval = binomial_interval(k, n, 0.1, method)
            assert (interval.upper < 0.3) == (below < 0.05)
            assert (interval.lower > 0.3) == (above < 0.05)


def test_frames_of_one_scene_are_refused_without_a_temporal_property() -> None:
    table = _sequences()
    with pytest.raises(UsageError, match="frames of one scene are one observation"):
        certify(table, Spec(0.5))


def test_temporal_property_folds_each_scene_into_one_observation() -> None:
    table = _sequences()
    folded = observations(table, get_property("always-safe"))
    assert len(folded) == 2 and folded["steps"].tolist() == [3, 3]
    assert folded["unsafe"].tolist() == [False, True]
    certificates = certify(table, Spec(0.5), temporal=get_property("always-safe"))
    assert certificates[0].n == 2 and certificates[0].unsafe == 1
    line = observations(table, get_property("stops-before-line"))
    assert line["unsafe"].tolist() == [False, True]


def _sequences() -> pd.DataFrame:
    # scene 0: safe throughout, stops before the line; scene 1: unsafe at step 2, stops late
    rows = []
    for sample, unsafe, answers, before in (
        (0, [0, 0, 0], ["proceed", "stop", "stop"], [1, 1, 0]),
        (1, [0, 1, 0], ["proceed", "proceed", "stop"], [1, 1, 0]),
    ):
        for step in range(3):
            rows.append(
                {
                    "scenario": "traffic_light",
                    "model": "m",
                    "condition": "light=red",
                    "sample": sample,
                    "step": step,
                    "unsafe": bool(unsafe[step]),
                    "unparseable": False,
                    "answer": answers[step],
                    "before_line": bool(before[step]),
                }
            )
    return pd.DataFrame(rows)


def test_bad_tables_and_options_are_one_line_errors(verdicts) -> None:
    with pytest.raises(UsageError, match="lacks column"):
        certify(verdicts.drop(columns=["unsafe"]), Spec(0.3))
    bad = verdicts.copy()
    bad["unsafe"] = bad["unsafe"].astype(object)
    bad.loc[3, "unsafe"] = "maybe"
    with pytest.raises(UsageError, match="row 3 is 'maybe'"):
        certify(bad, Spec(0.3))
    with pytest.raises(UsageError, match="unknown multiplicity 'sidak'"):
        certify(verdicts, Spec(0.3), multiplicity="sidak")
    with pytest.raises(UsageError, match="unknown method"):
        certify(verdicts, Spec(0.3), method="wald")
    with pytest.raises(UsageError, match="unknown temporal property"):
        get_property("allways-safe")
    with pytest.raises(UsageError, match="reads column"):
        certify(
            _sequences().drop(columns=["before_line"]),
            Spec(0.5),
            temporal=get_property("stops-before-line"),
        )


def test_frame_is_typed(verdicts) -> None:
    frame = certificates_frame(certify(verdicts, Spec(0.3)))
    assert frame["n"].dtype == np.int64 and frame["lower"].dtype == np.float64
