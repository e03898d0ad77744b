"""``--observe probability|bounds``: scenes observed by the model's own probabilities are
stored with sound per-scene bounds, certified as a scene-averaged probability, stop sooner
than 0/1 answers when sequential, and resume like any run."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from drivecert import UsageError
from harness.run import build_config
from harness.store import Store

from .conftest import settings

CONDITION = "weather=ClearNoon,control=light_red"
#: The scripted model errs on each scene with a probability drawn from Beta around 0.3.
NOISY = "scripted:noisy?error=0.3"


def stored(out: Path) -> pd.DataFrame:
    with Store.open(out / "results.duckdb") as store:
        return store.frame()


def certificates(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "certificates.csv")


def test_probability_runs_store_each_scenes_answer_distribution(tmp_path, run_settings) -> None:
    out = tmp_path / "run"
    run_settings(
        out,
        model=NOISY,
        conditions=CONDITION,
        questions="stop_needed",
        n_max=40,
        observe="probability",
        decoding={"temperature": 1.0},
    )
    table = stored(out)
    assert set(table["observe"]) == {"probability"} and len(table) == 40
    assert (table["unsafe_lb"] == table["unsafe_ub"]).all()  # no mass off the answers
    spread = table["unsafe_lb"]
    assert spread.std() > 0.05 and 0.15 < spread.mean() < 0.45  # per-scene, around 0.3
    record = json.loads(table["observation"].iloc[0])
    assert set(record) == {"probabilities", "other"}
    assert record["probabilities"]["no"] == pytest.approx(table["unsafe_lb"].iloc[0])
    modal = table["unsafe_lb"] > 0.5
    assert (table["unsafe"].astype(bool) == modal).all()  # verdicts read the likeliest answer
    (cert,) = certificates(out).to_dict("records")
    assert cert["observe"] == "probability" and cert["method"] == "betting-mean"
    assert cert["mean_lb"] == pytest.approx(spread.mean())
    assert cert["lower"] < spread.mean() < cert["upper"]
    assert cert["lower"] < 0.3 < cert["upper"]
    config = (out / "config.yaml").read_text()
    assert "observe: probability" in config and "temperature: 1.0" in config


def test_bounds_runs_judge_every_reply_of_the_tree(tmp_path, run_settings) -> None:
    out = tmp_path / "run"
    run_settings(
        out,
        model=NOISY + "&style=free",
        conditions=CONDITION,
        questions="stop_needed",
        n_max=12,
        observe="bounds",
        branch_budget=1,
    )
    table = stored(out)
    assert set(table["observe"]) == {"bounds"}
    record = json.loads(table["observation"].iloc[0])
    assert len(record["branches"]) == 1 and record["unexplored"] > 0
    branch = record["branches"][0]
    assert table["response"].iloc[0] == branch["text"]  # the likeliest reply, judged
    assert branch["outcome"] == table["outcome"].iloc[0]
    width = table["unsafe_ub"] - table["unsafe_lb"]
    assert np.allclose(width, [json.loads(r)["unexplored"] for r in table["observation"]])
    (cert,) = certificates(out).to_dict("records")
    assert cert["observe"] == "bounds" and cert["mean_ub"] - cert["mean_lb"] > 0.05


def test_probabilities_reach_a_decision_in_fewer_scenes_than_answers(
    tmp_path, run_settings
) -> None:
    """P(unsafe) spread around 0.3 against the spec <= 0.5: the betting CS on per-scene
    probabilities decides with fewer scenes than the beta-binomial CS on 0/1 answers."""
    common = dict(
        model="scripted:noisy?error=0.3",
        conditions=CONDITION,
        questions="stop_needed",
        n_max=300,
        sequential=True,
        batch_size=4,
    )
    run_settings(tmp_path / "greedy", **common)
    run_settings(tmp_path / "probability", observe="probability", **common)
    greedy = certificates(tmp_path / "greedy").iloc[0]
    probability = certificates(tmp_path / "probability").iloc[0]
    assert greedy["decision"] == probability["decision"] == "safe"
    assert probability["method"] == "betting-mean-cs"
    assert probability["n"] * 1.5 < greedy["n"], (probability["n"], greedy["n"])


def test_an_observed_run_resumes_to_the_same_certificates(tmp_path, run_settings) -> None:
    common = dict(
        model=NOISY,
        conditions=CONDITION,
        n_max=30,
        observe="probability",
        sequential=True,
    )
    run_settings(tmp_path / "whole", **common)
    partial = tmp_path / "partial"
    run_settings(partial, **{**common, "n_max": 10})
    with pytest.raises(UsageError):  # a different n_max is another configuration
        run_settings(partial, **common)
    run_settings(tmp_path / "again", **common)
    run_settings(tmp_path / "again", **common)  # resumed: nothing new to ask
    whole = certificates(tmp_path / "whole")
    again = certificates(tmp_path / "again")
    pd.testing.assert_frame_equal(whole, again)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"method": "clopper-pearson"}, "method clopper-pearson certifies 0/1 answers"),
        ({"judge_labels": "default"}, "judge_labels corrects 0/1 verdicts"),
        ({"observe": "sampled"}, "observe"),
        ({"token_budget": 0}, "token_budget"),
    ],
)
def test_bad_observe_settings_are_one_line_errors(overrides, message) -> None:
    values = settings(observe="probability", **{k: v for k, v in overrides.items()})
    with pytest.raises(UsageError, match=message):
        build_config(values, {}, "test")


def test_a_backend_without_probabilities_is_refused_before_rendering(
    tmp_path, run_settings
) -> None:
    out = tmp_path / "run"
    with pytest.raises(UsageError, match="cannot .*; backends that can: hf:, .*scripted:"):
        run_settings(out, model="openai:m@http://127.0.0.1:9/v1", observe="bounds")
    assert not list((out / "frames").glob("*.png")) if (out / "frames").exists() else True


def test_greedy_runs_keep_their_fingerprint(tmp_path) -> None:
    from harness.run import fingerprint, make_plan

    config = build_config(settings(), {}, "test")
    payload = config.fingerprint_payload(make_plan(config).resolved())
    assert not {"observe", "token_budget", "branch_budget"} & set(payload)
    assert "top_p" not in payload["decoding"]
    observed = build_config(settings(observe="bounds", decoding={"top_p": 0.9}), {}, "test")
    other = observed.fingerprint_payload(make_plan(observed).resolved())
    assert other["observe"] == "bounds" and other["decoding"]["top_p"] == 0.9
    assert fingerprint(other) != fingerprint(payload)
