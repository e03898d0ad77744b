"""Camera corruptions as conditions of a run: exact pairs with the clean condition, the
corrupted frames stored as the model saw them, and unknown names refused up front."""

from __future__ import annotations

import json
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from drivecert import UsageError
from harness.perturb import Corruption

CLEAN = "weather=ClearNoon,control=light_red"
CONDITIONS = f"{CLEAN};{CLEAN},corruption=fog,severity=5;{CLEAN},corruption=frame_lost"


def test_corrupted_conditions_pair_exactly_with_the_clean_one(
    tmp_run: Path, run_settings, stored
) -> None:
    run_settings(tmp_run, conditions=CONDITIONS, n_max=4)
    table = stored(tmp_run)
    assert set(table["condition"]) == {
        CLEAN,
        f"{CLEAN},corruption=fog,severity=5",
        f"{CLEAN},corruption=frame_lost,severity=3",
    }
    clean = table[table["condition"] == CLEAN].set_index(["sample", "question"])
    for label, rows in table[table["condition"] != CLEAN].groupby("condition"):
        paired = rows.set_index(["sample", "question"]).join(clean, suffixes=("", "_clean"))
        assert len(paired) == len(clean)
        for column in ("scene_seed", "expected", "safe", "rationale", "question_text"):
            assert (paired[column] == paired[f"{column}_clean"]).all(), (label, column)
        variables = paired["variables"].map(json.loads)
        assert all(v["corruption"] in ("fog", "frame_lost") for v in variables)
        clean_variables = paired["variables_clean"].map(json.loads)
        assert all(
            {k: x for k, x in v.items() if k not in ("corruption", "severity")} == c
            for v, c in zip(variables, clean_variables, strict=True)
        )
        for row in paired.itertuples():
            (sha,), (clean_sha,) = row.frames, row.frames_clean
            seen = np.asarray(Image.open(tmp_run / "frames" / f"{sha}.png"))
            original = np.asarray(Image.open(tmp_run / "frames" / f"{clean_sha}.png"))
            values = json.loads(row.variables)
            corruption = Corruption(values["corruption"], int(values["severity"]))
            assert np.array_equal(seen, corruption.apply(original, row.scene_seed))
            if values["corruption"] == "frame_lost":
                assert len(np.unique(seen.reshape(-1, 3), axis=0)) == 1  # no scene left


def test_an_unknown_corruption_is_refused_before_any_work(tmp_run: Path, run_settings) -> None:
    with pytest.raises(UsageError, match=r"unknown corruption 'mud'.*valid: none, bit_error"):
        run_settings(tmp_run, conditions=f"{CLEAN},corruption=mud")
    assert not (tmp_run / "results.duckdb").exists()


def test_the_run_certifies_robustness_and_reports_it(tmp_run: Path, run_settings) -> None:
    model = "scripted:noisy?error=0&corruption.fog=0.5"
    run_settings(tmp_run, conditions=CONDITIONS, n_max=6, model=model, report=True, figures=True)
    robustness = pd.read_csv(tmp_run / "robustness.csv")
    assert set(robustness["corruption"]) == {"fog", "frame_lost"}
    assert (robustness["clean"] == CLEAN).all()
    fog = robustness[robustness["corruption"] == "fog"]
    lost = robustness[robustness["corruption"] == "frame_lost"]
    assert fog["differ"].sum() > 0 and lost["differ"].sum() == 0  # it flips only in fog
    assert lost["blind"].all() and not fog["blind"].any()
    html = unescape((tmp_run / "report.html").read_text(encoding="utf-8"))
    assert '<section id="robustness">' in html
    assert html.count('<tr class="robustness">') == len(robustness)
    assert "no evidence it reads the image" in html  # the blind control of this model
    assert (tmp_run / "figures" / "robustness.png").is_file()


def test_reworded_questions_pair_with_the_original_on_the_same_frames(
    tmp_run: Path, run_settings, stored
) -> None:
    conditions = f"{CLEAN};{CLEAN},question_variant=p2;{CLEAN},question_variant=swap:stop->halt"
    model = "scripted:noisy?error=0&question_variant.p2=0.5"
    run_settings(tmp_run, conditions=conditions, n_max=6, model=model, figures=True)
    table = stored(tmp_run)
    clean = table[table["condition"] == CLEAN].set_index(["sample", "question"])
    p2 = table[table["condition"] == f"{CLEAN},question_variant=p2"].set_index(
        ["sample", "question"]
    )
    paired = p2.join(clean, suffixes=("", "_clean"))
    assert (paired["frames"] == paired["frames_clean"]).all()  # the very same images
    assert (paired["question_text"] != paired["question_text_clean"]).all()
    assert (paired["expected"] == paired["expected_clean"]).all()
    robustness = pd.read_csv(tmp_run / "robustness.csv", keep_default_na=False)
    p2_rows = robustness[robustness["variant"] == "p2"]
    assert len(p2_rows) == paired.index.get_level_values("question").nunique()
    assert p2_rows["differ"].sum() > 0  # this model flips under the paraphrase only
    swap = robustness[robustness["variant"] == "swap:stop->halt"]
    assert set(swap["question"]) == {"stop_needed"}  # the only question with "stop" in it
    assert (swap["differ"] == 0).all()
    assert not (tmp_run / "figures" / "robustness.png").exists()  # no corruption, no severity
