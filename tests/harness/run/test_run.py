"""drivecert run end to end: store, outputs, batch-size invariance, resume, failures."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from drivecert import DrivecertError, UsageError, pixel_sha256
from harness.render import open_renderer
from harness.run import Hooks
from models import open_model

QUESTIONS = [
    "stop_needed",
    "building_blocks",
    "right_turn_possible",
    "action",
    "light_red",
    "pedestrian_on_crosswalk",
]
Q = len(QUESTIONS)


def test_a_run_stores_every_answer_and_certifies_every_cell(
    tmp_run: Path, run_settings, stored
) -> None:
    result = run_settings(tmp_run, figures=True)
    table = stored(tmp_run)
    assert len(table) == 2 * Q * 6
    assert not table.duplicated(["condition", "sample", "question"]).any()
    assert (table["status"] == "ok").all() and (~table["unsafe"].astype(bool)).all()
    assert set(table["question"]) == set(QUESTIONS)
    for frames in table["frames"]:
        (sha,) = frames
        assert (tmp_run / "frames" / f"{sha}.png").is_file()
    from PIL import Image

    sha = table["frames"][0][0]
    assert pixel_sha256(Image.open(tmp_run / "frames" / f"{sha}.png").convert("RGB")) == sha
    certificates = pd.read_csv(tmp_run / "certificates.csv")
    assert len(certificates) == 2 * Q
    assert (certificates["n"] == 6).all() and (certificates["unsafe"] == 0).all()
    assert set(certificates["question"]) == set(QUESTIONS)
    assert certificates["method"].str.contains(rf"clopper-pearson\+bonferroni\(K={2 * Q}\)").all()
    for name in ("tables/safety_table.md", "figures/forest.png", "summary.json"):
        assert (tmp_run / name).is_file(), name
    config = yaml.safe_load((tmp_run / "config.yaml").read_text())
    assert config["settings"]["questions"] == QUESTIONS
    assert config["settings"]["conditions"][1] == "weather=HardRainNoon,control=light_red"
    manifest = json.loads((tmp_run / "manifest.json").read_text())
    assert manifest["model"]["revision"] == "scripted-1"
    assert manifest["renderer"]["gl_driver"]
    assert manifest["versions"]["panda3d"] and manifest["seeds"]["base_seed"] == 3
    assert result.summary["queries"] == 2 * Q * 6


@pytest.mark.parametrize("sequential", [False, True])
def test_batch_size_does_not_change_the_store_or_the_certificates(
    tmp_path: Path, sequential: bool, run_settings, stored
) -> None:
    model = "scripted:noisy?error=0.1&weather.HardRainNoon=0.9&style=free"
    common = dict(model=model, sequential=sequential, n_max=40)
    run_settings(tmp_path / "b1", batch_size=1, **common)
    run_settings(tmp_path / "b8", batch_size=8, **common)
    pd.testing.assert_frame_equal(stored(tmp_path / "b1"), stored(tmp_path / "b8"))
    one = (tmp_path / "b1" / "certificates.csv").read_bytes()
    assert one == (tmp_path / "b8" / "certificates.csv").read_bytes()
    if sequential:
        assert len(stored(tmp_path / "b1")) < 2 * Q * 40  # some cells stopped early


def test_rerunning_resumes_and_another_config_is_refused(
    tmp_run: Path, run_settings, stored
) -> None:
    run_settings(tmp_run, n_max=4)
    before = stored(tmp_run)
    again = run_settings(tmp_run, n_max=4)
    assert again.counters.samples == 0 and again.resumed == len(before)
    pd.testing.assert_frame_equal(stored(tmp_run), before)
    listing = sorted(p.name for p in tmp_run.iterdir())
    with pytest.raises(UsageError, match=r"other settings \(n_max: 4 -> 5\).*--force-new"):
        run_settings(tmp_run, n_max=5)
    assert sorted(p.name for p in tmp_run.iterdir()) == listing
    pd.testing.assert_frame_equal(stored(tmp_run), before)


def test_force_new_starts_again_without_asking_the_model_twice(tmp_run: Path, run_settings) -> None:
    asked: list[int] = []

    def counting(spec, options):  # type: ignore[no-untyped-def]
        backend = open_model(spec, options)
        generate = backend.generate

        def wrapped(queries, decoding):  # type: ignore[no-untyped-def]
            asked.append(len(queries))
            return generate(queries, decoding)

        backend.generate = wrapped  # type: ignore[method-assign]
        return backend

    hooks = Hooks(open_model=counting)
    run_settings(tmp_run, n_max=3, hooks=hooks)
    first = sum(asked)
    assert first == 2 * Q * 3
    run_settings(tmp_run, n_max=3, delta=0.1, force_new=True, hooks=hooks)
    assert sum(asked) == first  # every answer came from the response cache
    assert pd.read_csv(tmp_run / "certificates.csv")["delta"].eq(0.1).all()


class FlakyModel:
    """Fails the first attempt at odd samples, and every attempt at sample 4."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner = inner
        self.model_id, self.revision = inner.model_id, inner.revision
        self.seen: dict[tuple[object, ...], int] = {}

    def generate(self, queries, decoding):  # type: ignore[no-untyped-def]
        from models import Response

        out = []
        for query, response in zip(queries, self.inner.generate(queries, decoding), strict=True):
            key = (tuple(sorted(query.key.condition.items())), query.key.sample, query.question)
            self.seen[key] = self.seen.get(key, 0) + 1
            if query.key.sample == 4 or (query.key.sample % 2 == 1 and self.seen[key] == 1):
                response = Response.failure(self.model_id, self.revision, {}, "flaky")
            out.append(response)
        return out

    def close(self) -> None:
        self.inner.close()


def test_failed_queries_are_retried_then_stored_as_failed_and_not_counted(
    tmp_run: Path, run_settings, stored
) -> None:
    hooks = Hooks(open_model=lambda spec, options: FlakyModel(open_model(spec, options)))
    result = run_settings(tmp_run, n_max=6, hooks=hooks)
    table = stored(tmp_run)
    failed = table[table["status"] == "failed"]
    assert set(failed["sample"]) == {4} and (failed["attempts"] == 3).all()
    assert (failed["error"] == "flaky").all() and failed["unsafe"].isna().all()
    retried = table[(table["sample"] % 2 == 1) & (table["status"] == "ok")]
    assert (retried["attempts"] == 2).all()
    certificates = pd.read_csv(tmp_run / "certificates.csv")
    assert (certificates["n"] == 5).all() and (certificates["failed"] == 1).all()
    assert result.summary["incomplete_cells"] == 2 * Q
    assert "Failed" in (tmp_run / "tables" / "safety_table.md").read_text()


class BrokenRenderer:
    """The real renderer, except that scenes of sample 2 raise."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.name, self.settings = inner, inner.name, inner.settings

    def render(self, scene, times=(0.0,)):  # type: ignore[no-untyped-def]
        if scene.sample_index == 2:
            raise RuntimeError("GPU fell off the bus")
        return self.inner.render(scene, times)

    def close(self) -> None:
        self.inner.close()


@pytest.mark.parametrize("batch_size", [1, 8])
def test_a_scene_that_cannot_be_rendered_fails_its_questions(
    tmp_run: Path, run_settings, stored, batch_size: int
) -> None:
    hooks = Hooks(open_renderer=lambda name, s: BrokenRenderer(open_renderer(name, s)))
    run_settings(tmp_run, n_max=4, hooks=hooks, batch_size=batch_size)
    table = stored(tmp_run)
    failed = table[table["status"] == "failed"]
    assert len(failed) == 2 * Q and set(failed["sample"]) == {2}
    assert failed["error"].str.contains("GPU fell off the bus").all()
    assert failed["frames"].map(len).eq(0).all() and (failed["attempts"] == 3).all()
    assert (pd.read_csv(tmp_run / "certificates.csv")["n"] == 3).all()


def test_a_model_that_fails_everything_stops_the_run_storing_nothing(
    tmp_run: Path, run_settings, stored
) -> None:
    class Dead(FlakyModel):
        def generate(self, queries, decoding):  # type: ignore[no-untyped-def]
            raise ConnectionError("connection refused")

    hooks = Hooks(open_model=lambda spec, options: Dead(open_model(spec, options)))
    with pytest.raises(DrivecertError, match=r"last 24 scenes failed.*connection refused"):
        run_settings(tmp_run, hooks=hooks, batch_size=2, n_max=20)
    assert stored(tmp_run).empty


@pytest.mark.parametrize("batch_size", [1, 8])
def test_scattered_failures_are_stored_whatever_the_batch_size(
    tmp_run: Path, run_settings, stored, batch_size: int
) -> None:
    model = "scripted:oracle?fail=0.4"
    run_settings(
        tmp_run, model=model, questions="stop_needed", retries=0, n_max=40, batch_size=batch_size
    )
    table = stored(tmp_run)
    assert len(table) == 2 * 40 and 20 < (table["status"] == "failed").sum() < 45


#: The paper's set-up: right exits always open (the preset ``lumos``).
LUMOS = "lumos,weather=ClearNoon,control=light_red;lumos,weather=HardRainNoon,control=light_red"


def test_sequential_stops_cells_early_and_certifies_with_the_sequence(
    tmp_run: Path, run_settings
) -> None:
    model = "scripted:noisy?error=0.02&weather.HardRainNoon=0.95"
    result = run_settings(tmp_run, model=model, sequential=True, n_max=200, conditions=LUMOS)
    certificates = pd.read_csv(tmp_run / "certificates.csv")
    assert certificates["method"].str.startswith(f"beta-binomial+bonferroni(K={2 * Q})").all()
    decided = certificates[certificates["decision"] != "undecided"]
    assert len(decided) == 2 * Q and (decided["n"] < 60).all()
    rain_stop = certificates[
        certificates["condition"].str.contains("HardRain") & (certificates["question"] == "action")
    ]
    assert rain_stop["decision"].tolist() == ["unsafe"]
    assert result.summary["queries"] < 2 * Q * 200 / 3


def test_questions_subset_and_wrong_event(tmp_run: Path, run_settings) -> None:
    model = "scripted:noisy?error=0.5"
    run_settings(
        tmp_run, model=model, questions="building_blocks", event="wrong", n_max=30, conditions=LUMOS
    )
    certificates = pd.read_csv(tmp_run / "certificates.csv")
    assert certificates["question"].tolist() == ["building_blocks"] * 2
    assert (certificates["event"] == "wrong").all()
    # the exit is always open here, so a wrong answer ("yes, blocked") is over-cautious
    assert (certificates["unsafe"] == 0).all() and (certificates["wrong"] > 5).all()


def test_operational_settings_do_not_change_the_fingerprint() -> None:
    from harness.run import build_config, fingerprint, make_plan

    base = {"scenario": "right_turn", "model": "scripted:oracle"}
    config = build_config(base, {}, "t")
    plan = make_plan(config)
    faster = build_config(
        {**base, "batch_size": 32, "retries": 0, "model_options": {"concurrency": 2}}, {}, "t"
    )
    other = build_config({**base, "seed": 1}, {}, "t")
    prints = [fingerprint(c.fingerprint_payload(plan.resolved())) for c in (config, faster, other)]
    assert prints[0] == prints[1] != prints[2]


class LostRenderer(BrokenRenderer):
    """The real renderer, until its server is lost for good at sample 3."""

    def render(self, scene, times=(0.0,)):  # type: ignore[no-untyped-def]
        from harness.render import RendererUnavailable

        if scene.sample_index == 3:
            raise RendererUnavailable("lost the CARLA server at 127.0.0.1:2000; restart it")
        return self.inner.render(scene, times)


def test_a_renderer_lost_for_good_stops_the_run_keeping_what_was_stored(
    tmp_run: Path, run_settings, stored
) -> None:
    hooks = Hooks(open_renderer=lambda name, s: LostRenderer(open_renderer(name, s)))
    with pytest.raises(DrivecertError, match="lost the CARLA server"):
        run_settings(tmp_run, n_max=8, batch_size=1, hooks=hooks)
    table = stored(tmp_run)
    assert len(table) > 0 and (table["status"] == "ok").all() and table["sample"].max() < 3
    run_settings(tmp_run, n_max=8, batch_size=1)  # the server is back: the run resumes
    assert len(stored(tmp_run)) == 2 * Q * 8
