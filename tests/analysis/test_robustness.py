"""Robustness certificates: flip rates and paired differences between each corrupted
condition and its clean partner, covering the rate a scripted model flips at."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import (
    AnalysisOptions,
    certify_robustness,
    observation_entries,
    read_robustness,
    write_analysis,
)
from analysis._certify import scenes
from models import AnswerKey, Decoding, ModelQuery, open_model

YES_NO = dict(kind="yes_no", safe=("no",), unsafe=("yes",), choices=("yes", "no"))
CLEAN = "weather=ClearNoon"
FOG = f"{CLEAN},corruption=fog,severity=3"
LOST = f"{CLEAN},corruption=frame_lost,severity=3"


def scripted_table(spec: str, n: int, base_seed: int, conditions: dict[str, dict[str, str]]):
    """Verdicts of a scripted model over n scenes seen under each condition: the same scene
    seed per sample (exact pairs), the corruption in the query key."""
    model = open_model(spec)
    rows = []
    for label, observed in conditions.items():
        keys = [
            AnswerKey(
                **YES_NO,
                condition={"weather": "ClearNoon", **observed},
                seed=base_seed + i,
                sample=i,
            )
            for i in range(n)
        ]
        answers = model.generate([ModelQuery.ask([], "Stop?", key=k) for k in keys], Decoding())
        for i, response in enumerate(answers):
            rows.append(
                {
                    "scenario": "s",
                    "model": spec,
                    "question": "stop",
                    "condition": label,
                    "sample": i,
                    "answer": response.text,
                    "unsafe": response.text == "yes",
                    "unparseable": False,
                    "status": "ok",
                }
            )
    return scenes(pd.DataFrame(rows))


def test_labels_split_into_the_clean_partner_and_what_the_camera_did() -> None:
    assert observation_entries(FOG) == (CLEAN, {"corruption": "fog", "severity": "3"})
    assert observation_entries("corruption=fog,severity=2") == (
        "all",
        {"corruption": "fog", "severity": "2"},
    )
    assert observation_entries(CLEAN) == (CLEAN, {})


@pytest.mark.parametrize("method", ["clopper-pearson", "beta-binomial"])
def test_the_certified_flip_rate_covers_the_rate_set(method: str) -> None:
    rate, delta, runs, n = 0.3, 0.1, 200, 60
    spec = f"scripted:noisy?error=0&corruption.fog={rate}"
    covered = covered_difference = 0
    for run in range(runs):
        table = scripted_table(
            spec, n, 10_000 * run, {CLEAN: {}, FOG: {"corruption": "fog", "severity": "3"}}
        )
        (cert,) = certify_robustness(table, delta, method)
        covered += cert.differ_lower <= rate <= cert.differ_upper
        covered_difference += cert.difference_lower <= rate <= cert.difference_upper
        assert cert.pairs == n and cert.events_clean == 0 and cert.differ == cert.events_corrupted
    assert covered / runs >= 1 - delta and covered_difference / runs >= 1 - delta


def test_a_model_that_ignores_the_image_shows_in_the_blind_control() -> None:
    table = scripted_table(
        "scripted:noisy?error=0.2",  # the same answer with or without an image
        300,
        1,
        {CLEAN: {}, LOST: {"corruption": "frame_lost", "severity": "3"}},
    )
    (cert,) = certify_robustness(table, 0.05, "clopper-pearson")
    assert cert.blind and cert.differ == 0 and cert.differ_upper < 0.03


def test_corrupted_conditions_without_a_clean_partner_or_answers_give_nothing() -> None:
    table = scripted_table("scripted:oracle", 20, 1, {FOG: {"corruption": "fog", "severity": "3"}})
    assert certify_robustness(table, 0.05, "clopper-pearson") == []
    both = scripted_table(
        "scripted:oracle", 20, 1, {CLEAN: {}, FOG: {"corruption": "fog", "severity": "3"}}
    )
    assert certify_robustness(both.drop(columns=["answer"]), 0.05, "clopper-pearson") == []


def test_one_family_over_every_pair(tmp_path: Path) -> None:
    conditions = {
        CLEAN: {},
        FOG: {"corruption": "fog", "severity": "3"},
        LOST: {"corruption": "frame_lost", "severity": "3"},
    }
    table = scripted_table("scripted:noisy?error=0.1&corruption.fog=0.4", 40, 5, conditions)
    written = write_analysis(table, tmp_path, AnalysisOptions(figures=True))
    certs = read_robustness(written["robustness"])
    assert {c.condition for c in certs} == {FOG, LOST}
    assert all(c.method.endswith("bonferroni over 4") for c in certs)
    assert (tmp_path / "figures" / "robustness.png").stat().st_size > 5_000
    md = (tmp_path / "tables" / "robustness.md").read_text()
    assert "frame_lost (blind control)" in md and "flip rate" in md
    fog = next(c for c in certs if c.corruption == "fog")
    assert fog.differ == int(
        np.sum(
            table[table["condition"] == FOG]["answer"].to_numpy()
            != table[table["condition"] == CLEAN]["answer"].to_numpy()
        )
    )
