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
    summary = json.loads((out / "summary.json").read_text())
    assert summary["observe"] == "probability" and summary["sampling"]["temperature"] == 1.0


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
    """P(unsafe) spread around 0.3 against the spec <= 0.42: over four seeds, the betting CS
    on per-scene probabilities decides with far fewer scenes than the beta-binomial CS on
    0/1 answers (scripts/bench/probability.py measures it over 200 paths)."""
    common = dict(
        model="scripted:noisy?error=0.3",
        conditions=CONDITION,
        questions="stop_needed",
        spec="<=0.42",
        n_max=600,
        sequential=True,
        batch_size=8,
    )
    scenes = {"greedy": 0, "probability": 0}
    for seed in range(4):
        for observe in scenes:
            out = tmp_path / f"{observe}-{seed}"
            run_settings(out, seed=seed, observe=observe, **common)
            cert = certificates(out).iloc[0]
            assert cert["decision"] == "safe"
            scenes[observe] += int(cert["n"])
    assert certificates(out)["method"].iloc[0] == "betting-mean-cs"
    assert scenes["probability"] * 1.8 < scenes["greedy"], scenes  # 158 vs 360


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
    values = settings(**{"observe": "probability", **overrides})
    with pytest.raises(UsageError, match=message):
        build_config(values, {}, "test")


def test_a_backend_without_probabilities_is_refused_before_rendering(
    tmp_path, run_settings
) -> None:
    out = tmp_path / "run"
    with pytest.raises(UsageError, match=r"cannot explore its reply tree; backends that can: hf:"):
        run_settings(out, model="openai:m@http://127.0.0.1:9/v1", observe="bounds")
    assert not list(out.glob("frames/*.png"))  # refused before any scene was rendered


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


def test_a_tiny_checkpoint_is_observed_end_to_end(tiny_spec: str, tmp_path: Path) -> None:
    """The real transformers backend through the run loop: answer distributions and reply
    trees of rendered scenes, stored with their bounds (in a fresh process, as the other
    end-to-end checkpoint tests)."""
    import multiprocessing

    with multiprocessing.get_context("spawn").Pool(1) as pool:
        tables = pool.apply(_observe_tiny, (tiny_spec, tmp_path))
    probability, bounds = tables
    assert set(probability["observe"]) == {"probability"} and len(probability) == 3
    assert (probability["unsafe_lb"] <= probability["unsafe_ub"]).all()
    assert (probability["unsafe_ub"] - probability["unsafe_lb"] > 0.5).all()  # random words
    for record, low, high in zip(
        bounds["observation"], bounds["unsafe_lb"], bounds["unsafe_ub"], strict=True
    ):
        tree = json.loads(record)
        assert 1 <= tree["expanded"] <= 6 and tree["branches"]
        judged_unsafe = sum(
            b["probability"] for b in tree["branches"] if b["outcome"] in ("unsafe", "unparseable")
        )
        assert low == pytest.approx(judged_unsafe)
        assert high == pytest.approx(min(1.0, low + tree["unexplored"]))


def _observe_tiny(tiny_spec: str, tmp_path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    from harness.run import run

    out = []
    for observe in ("probability", "bounds"):
        values = settings(
            model=tiny_spec,
            conditions=CONDITION,
            questions="stop_needed",
            n_max=3,
            observe=observe,
            token_budget=6,
            decoding={"temperature": 1.0, "top_p": 0.5, "max_new_tokens": 2},
        )
        run(build_config(values, {}, "test"), tmp_path / observe)
        out.append(stored(tmp_path / observe))
    return out[0], out[1]


def test_the_report_says_what_was_observed() -> None:
    from harness.report._render import observed_label

    assert observed_label({}).startswith("greedy: one reply per scene")
    label = observed_label(
        {
            "observe": "bounds",
            "sampling": {"temperature": 1.0, "top_p": 0.9, "token_budget": 64, "branch_budget": 8},
        }
    )
    assert label.startswith("bounds: the model's reply tree per scene")
    assert label.endswith("(temperature 1.0, top p 0.9, token budget 64, branch budget 8)")
