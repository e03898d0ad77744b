"""Cells of a verdicts table: the question key, failed samples, the event, typed fields."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis import (
    CERTIFICATE_COLUMNS,
    Certificate,
    Spec,
    binomial_interval,
    certify,
    certify_pairs,
    observations,
    read_verdicts,
    scenes,
    write_certificates,
)
from analysis._synthetic import example_rate, synthetic_verdicts
from analysis._temporal import get_property
from drivecert import UsageError

SPEC = Spec(0.3)


def two_questions(n: int = 40, seed: int = 0) -> pd.DataFrame:
    """One scenario and model, 3 weathers, 2 questions asked of every scene."""
    return synthetic_verdicts(
        n,
        seed,
        scenarios={"right_turn": "right_turn"},
        models=("qwen2-vl-7b",),
        questions=("stop_needed", "safe_action"),
    )


def test_two_questions_of_one_scene_are_two_cells_not_repeats() -> None:
    table = two_questions()
    assert table.duplicated(["condition", "sample"]).any()  # same scene, two questions
    certificates = certify(table, SPEC)
    assert len(certificates) == 6
    assert {c.question for c in certificates} == {"stop_needed", "safe_action"}
    assert all(c.conditions == 6 and c.n == 40 for c in certificates)
    # without the question column the same rows repeat a scene
    with pytest.raises(UsageError, match="repeat a scene"):
        certify(table.drop(columns=["question"]), SPEC)


def test_family_wise_coverage_with_question_as_a_key() -> None:
    # 2 questions x 3 conditions with known rates; all 6 intervals together must miss
    # in at most delta of repeated experiments
    reps, delta, missed = 200, 0.2, 0
    for rep in range(reps):
        certificates = certify(two_questions(50, seed=500 + rep), SPEC, delta=delta)
        assert len(certificates) == 6
        missed += not all(
            c.lower
            <= example_rate(c.condition.split("=")[1], "right_turn", c.model, c.question)
            <= c.upper
            for c in certificates
        )
    assert missed / reps <= delta


def with_failures(table: pd.DataFrame) -> pd.DataFrame:
    """Samples 0-4 of the first cell and every sample of the ClearNight/safe_action cell
    failed, with their verdict cells empty."""
    out = table.astype({"unsafe": object, "unparseable": object, "wrong": object})
    first = (out.condition == "weather=ClearNoon") & (out.question == "stop_needed")
    gone = (out.condition == "weather=ClearNight") & (out.question == "safe_action")
    failed = (first & (out["sample"] < 5)) | gone
    out["status"] = np.where(failed, "failed", "ok")
    out.loc[failed, ["unsafe", "unparseable", "wrong"]] = None
    return out


def test_failed_samples_are_counted_not_observed() -> None:
    table = with_failures(two_questions())
    certificates = {(c.question, c.condition): c for c in certify(table, SPEC)}
    assert len(certificates) == 6 and all(c.conditions == 6 for c in certificates.values())
    partial = certificates[("stop_needed", "weather=ClearNoon")]
    kept = table[
        (table.condition == "weather=ClearNoon")
        & (table.question == "stop_needed")
        & (table.status == "ok")
    ]
    assert (partial.n, partial.failed) == (35, 5) and partial.incomplete
    assert partial.unsafe == kept.unsafe.astype(bool).sum()
    expected = binomial_interval(partial.unsafe, 35, 0.05 / 6)
    assert (partial.lower, partial.upper) == (expected.lower, expected.upper)
    empty = certificates[("safe_action", "weather=ClearNight")]
    assert (empty.n, empty.failed, empty.unsafe, empty.wrong) == (0, 40, 0, 0)
    assert (empty.lower, empty.upper, empty.decision) == (0.0, 1.0, "undecided")
    assert np.isnan(empty.rate)
    assert all(c.failed == 0 for k, c in certificates.items() if c not in (partial, empty))
    assert len(observations(table)) == len(table) - 45
    assert len(scenes(table)) == len(table)


@pytest.mark.parametrize("method", ["beta-binomial", "betting"])
def test_all_failed_cell_is_vacuous_with_sequences_and_holm(method: str) -> None:
    table = with_failures(two_questions(20))
    empty = next(c for c in certify(table, SPEC, method=method, multiplicity="holm") if c.n == 0)
    assert (empty.lower, empty.upper, empty.decision, empty.correction) == (
        0.0,
        1.0,
        "undecided",
        "holm",
    )


def test_failed_rows_read_from_csv_with_empty_cells(tmp_path) -> None:
    path = tmp_path / "verdicts.csv"
    with_failures(two_questions(10)).to_csv(path, index=False)
    text = path.read_text(encoding="utf-8")
    assert text.count(",failed\n") == 15 and ",,,," in text
    table = read_verdicts(path)
    assert (table.status == "failed").sum() == 15
    assert sum(c.failed for c in certify(table, SPEC)) == 15


def test_bad_status_and_bad_ok_cells_are_one_line_errors() -> None:
    table = two_questions(5).assign(status="ok")
    table.loc[3, "status"] = "crashed"
    with pytest.raises(UsageError, match="status at row 3 is 'crashed'; use ok, or failed"):
        certify(table, SPEC)
    ok_but_empty = two_questions(5).astype({"unsafe": object})
    ok_but_empty.loc[2, "unsafe"] = None
    with pytest.raises(UsageError, match="column 'unsafe' row 2 is None"):
        certify(ok_but_empty, SPEC)


def test_temporal_fold_fails_a_scene_with_a_failed_step() -> None:
    rows = []
    for sample, statuses in ((0, ["ok", "ok"]), (1, ["ok", "failed"])):
        for step, status in enumerate(statuses):
            rows.append(
                {
                    "scenario": "s",
                    "model": "m",
                    "condition": "c",
                    "sample": sample,
                    "step": step,
                    "status": status,
                    "unsafe": False if status == "ok" else None,
                    "unparseable": False if status == "ok" else None,
                    "wrong": step == 1 if status == "ok" else None,
                }
            )
    (cert,) = certify(pd.DataFrame(rows), Spec(0.5), temporal=get_property("always-safe"))
    assert (cert.n, cert.failed, cert.unsafe, cert.wrong) == (1, 1, 0, 1)


def test_event_wrong_certifies_the_wrong_column() -> None:
    table = two_questions()
    unsafe = certify(table, SPEC)
    wrong = certify(table, SPEC, event="wrong")
    for u, w in zip(unsafe, wrong, strict=True):
        assert (w.event, u.event) == ("wrong", "unsafe")
        assert w.wrong == u.wrong and w.unsafe == u.unsafe and w.count == w.wrong >= w.unsafe
        expected = binomial_interval(w.wrong, w.n, 0.05 / 6)
        assert (w.lower, w.upper) == (expected.lower, expected.upper)
        assert w.rate == w.wrong / w.n and u.rate == u.unsafe / u.n
    assert any(w.wrong > w.unsafe for w in wrong)


def test_event_wrong_without_the_column_says_to_add_it() -> None:
    with pytest.raises(UsageError, match="no wrong column; add a boolean wrong column"):
        certify(two_questions().drop(columns=["wrong"]), SPEC, event="wrong")
    with pytest.raises(UsageError, match="unknown event 'incorrect'"):
        certify(two_questions(), SPEC, event="incorrect")
    (cert, *_) = certify(two_questions().drop(columns=["wrong"]), SPEC)
    assert cert.wrong is None and cert.count == cert.unsafe


def test_spec_label_names_the_event() -> None:
    assert Spec(0.5).label_for("wrong") == "P(wrong) <= 0.5"
    assert Spec.parse(">=0.85").label_for("wrong") == "P(wrong) >= 0.85"
    assert Spec.parse(">=0.85").label == "P(unsafe) >= 0.85"


def test_typed_fields_and_the_derived_label(tmp_path) -> None:
    (cert, *_) = certify(two_questions(), SPEC, method="beta-binomial", multiplicity="holm")
    assert (cert.method, cert.correction, cert.conditions) == ("beta-binomial", "holm", 6)
    assert cert.method_label == "beta-binomial+holm(K=6)"
    assert Certificate.from_dict(json.loads(json.dumps(cert.to_dict()))) == cert
    path = write_certificates(certify(two_questions(), SPEC), tmp_path / "c.csv")
    back = pd.read_csv(path)
    assert tuple(back.columns) == CERTIFICATE_COLUMNS
    assert set(back["method"]) == {"clopper-pearson+bonferroni(K=6)"}
    assert "correction" not in back.columns and "conditions" not in back.columns
    no_wrong = write_certificates(
        certify(two_questions().drop(columns=["wrong"]), SPEC), tmp_path / "d.csv"
    )
    assert pd.read_csv(no_wrong)["wrong"].isna().all()
    with pytest.raises(UsageError, match="unknown correction 'sidak'"):
        Certificate(**{**cert.to_dict(), "correction": "sidak"})


def test_pairs_are_matched_per_question_and_skip_failed_samples() -> None:
    table = with_failures(two_questions())
    paired = certify_pairs(table, "weather=ClearNoon", "weather=HardRainNoon")
    by_question = {p.question: p for p in paired}
    assert set(by_question) == {"stop_needed", "safe_action"}
    assert by_question["stop_needed"].pairs == 35 and by_question["safe_action"].pairs == 40
    assert paired[0].method == "clopper-pearson+bonferroni(K=4)"
