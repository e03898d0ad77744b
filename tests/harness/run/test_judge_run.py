"""The run's judge (--judge): it decides the stored answers, is recorded per row and in the
manifest, is part of the fingerprint (old runs keep theirs), caches a model judge's
judgements in the run directory, and is the judge calibrated with --judge-labels."""

from __future__ import annotations

import json
import multiprocessing
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from drivecert import UsageError
from harness.judge import Judge, open_judge
from harness.judge._accuracy import ACCURACY_FILE, calibrate_reader, judge_accuracy, load_labelled
from harness.judge.judges.model import JUDGE_PROMPT_REVISION
from harness.judge.judges.rules import RULES_REVISION
from harness.report._judge_section import judge_section
from harness.run import Hooks, build_config, fingerprint, make_plan, run
from harness.run._export import run_rows
from harness.store import Store

from ..store.test_schema_migration import write_v2
from .conftest import settings

CONDITIONS = "weather=ClearNoon,control=light_red"
DATA = Path(__file__).resolve().parents[2] / "data"


def judged(out: Path) -> pd.DataFrame:
    with Store.open(out / "results.duckdb") as store:
        return store.frame(
            ["sample", "question", "status", "answer", "unsafe", "judge", "judge_revision"]
        )


def test_the_run_judge_decides_the_stored_answers_and_is_recorded(
    tmp_path: Path, run_settings
) -> None:
    common = dict(conditions=CONDITIONS, n_max=3, model="scripted:oracle?fail=0.3", retries=0)
    run_settings(tmp_path / "rules", **common)
    run_settings(tmp_path / "shy", judge="scripted:shy=1", **common)
    rules, shy = judged(tmp_path / "rules"), judged(tmp_path / "shy")
    ok = rules["status"] == "ok"
    assert ok.any() and not ok.all()  # some failed rows, judged columns too
    assert rules["answer"][ok].notna().all() and not rules["unsafe"][ok].astype(bool).any()
    assert shy["answer"].isna().all() and shy["unsafe"][ok].astype(bool).all()  # all null
    assert set(zip(rules["judge"], rules["judge_revision"], strict=True)) == {
        ("rules", RULES_REVISION)
    }
    assert set(shy["judge"]) == {"scripted:shy=1"} and set(shy["judge_revision"]) == {
        "scripted-judge-1"
    }
    certificates = pd.read_csv(tmp_path / "shy" / "certificates.csv")
    assert (certificates["unsafe"] > 0).all()
    manifest = json.loads((tmp_path / "shy" / "manifest.json").read_text())
    assert manifest["judge"] == {
        "spec": "scripted:shy=1",
        "id": "scripted:shy=1",
        "revision": "scripted-judge-1",
        "labels": None,
    }
    config = (tmp_path / "shy" / "config.yaml").read_text()
    assert "judge: scripted:shy=1" in config
    assert "judge" not in (tmp_path / "rules" / "config.yaml").read_text()


def test_the_default_judge_keeps_the_fingerprints_of_earlier_runs() -> None:
    from harness.run._config import validate
    from harness.run._sweep import SweepConfig, resolved_scenarios, sweep_plan

    base = {"scenario": "right_turn", "model": "scripted:oracle"}
    prints = []
    for extra in ({}, {"judge": "rules"}, {"judge": "scripted:shy=0.1"}):
        config = build_config({**base, **extra}, {}, "t")
        prints.append(fingerprint(config.fingerprint_payload(make_plan(config).resolved())))
    assert prints[0] == prints[1] == "e523cb39187abb93" != prints[2]  # as before --judge
    sweep = validate(SweepConfig, {"models": ["scripted:oracle"], "scenarios": ["right_turn"]}, "t")
    payload = sweep.fingerprint_payload(resolved_scenarios(sweep_plan(sweep, "t")))
    assert fingerprint(payload) == "b38131c4a6d8b9d0" and "judge" not in payload


def test_resuming_with_another_judge_is_refused_in_one_line(tmp_run: Path, run_settings) -> None:
    run_settings(tmp_run, conditions=CONDITIONS, n_max=2)
    before = {p: p.read_bytes() for p in tmp_run.rglob("*") if p.is_file()}
    pattern = (
        r'other settings \(judge: \(default\) -> "scripted:bold=1"\).*another --out.*--force-new'
    )
    with pytest.raises(UsageError, match=pattern) as error:
        run_settings(tmp_run, conditions=CONDITIONS, n_max=2, judge="scripted:bold=1")
    assert "\n" not in str(error.value)
    assert {p: p.read_bytes() for p in tmp_run.rglob("*") if p.is_file()} == before
    other = tmp_run.parent / "other"
    run_settings(other, conditions=CONDITIONS, n_max=2, judge="scripted:bold=1")
    with pytest.raises(UsageError, match=r'judge: "scripted:bold=1" -> \(default\)'):
        run_settings(other, conditions=CONDITIONS, n_max=2)
    again = run_settings(other, conditions=CONDITIONS, n_max=2, judge="scripted:bold=1")
    assert again.counters.samples == 0  # the same judge resumes


class Stop(Exception):
    """Stops a run after its first batch (what is judged is kept)."""


def _stop(counters: Any) -> None:
    raise Stop


def test_a_schema_2_run_is_migrated_and_resumes_with_the_rules(tmp_run: Path) -> None:
    config = build_config(settings(conditions=CONDITIONS, n_max=4, batch_size=1), {}, "t")
    with pytest.raises(Stop):
        run(config, tmp_run, on_batch=_stop)
    store = tmp_run / "results.duckdb"
    with Store.open(store) as opened:
        first = opened.count()
        meta = {key: opened.meta(key) for key in ("fingerprint", "model:scripted:oracle")}
    assert 0 < first < 24
    shutil.move(store, tmp_run / "v3.duckdb")
    write_v2(store, tmp_run / "v3.duckdb", {k: v for k, v in meta.items() if v is not None})
    result = run(config, tmp_run)  # the same settings: resumes, the store brought to schema 3
    assert result.resumed == first and result.counters.samples > 0
    table = judged(tmp_run)
    assert len(table) == 24 and (table["judge"] == "rules").all()
    revisions = table.groupby("judge_revision").size().to_dict()
    assert revisions == {"rules-legacy": first, RULES_REVISION: 24 - first}
    with Store.open(store) as opened:
        assert opened.meta("schema_version") == "4"


def test_judge_labels_calibrate_the_runs_own_judge(tmp_path: Path, run_settings, capsys) -> None:
    from harness.cli import main

    out = tmp_path / "run"
    spec = "scripted:shy=0.2"
    labels = str(DATA / "judge_realworld_holdout.jsonl")
    run_settings(out, conditions=CONDITIONS, n_max=3, judge=spec, judge_labels=labels)
    corrected = pd.read_csv(out / "judge_corrected.csv")
    replies, sha = load_labelled(Path(labels))
    own = calibrate_reader(replies, sha, open_judge(spec).read).rates(0.05 / 2)
    rules = calibrate_reader(replies, sha, open_judge("rules").read).rates(0.05 / 2)
    assert own != rules
    for column, rate in zip(("sensitivity", "specificity"), own, strict=True):
        assert corrected[column].tolist() == pytest.approx([rate] * len(corrected), abs=1e-9)
    assert (corrected["calibration_fingerprint"] == sha).all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["judge"]["labels"] == {
        "path": labels,
        "sha256": sha,
        "replies": len(replies),
    }
    # certify on the run directory: the run's labels by default, read by the run's judge
    with pytest.raises(SystemExit) as exit_info:
        main(["certify", str(out), "--out", str(tmp_path / "again")])
    assert exit_info.value.code == 0, capsys.readouterr().err
    again = tmp_path / "again"
    assert (again / "judge_corrected.csv").read_bytes() == (
        out / "judge_corrected.csv"
    ).read_bytes()
    assert (again / "certificates.csv").read_bytes() == (out / "certificates.csv").read_bytes()
    # the judge's measured accuracy, kept for the report's judge section
    measured = judge_accuracy(replies, open_judge(spec).read)
    kept = json.loads((out / ACCURACY_FILE).read_text())
    assert (kept["agreed"], kept["replies"], kept["nulls"], kept["opposite"]) == (
        measured.agreed,
        measured.replies,
        measured.nulls,
        measured.opposite,
    )
    assert kept["source"].startswith(labels) and sha[:12] in kept["source"]
    assert json.loads((again / ACCURACY_FILE).read_text()) == kept
    section = judge_section(out, run_rows(out), {"judge": spec})
    assert section.accuracy == kept and section.source == kept["source"]


def _judge_runs(out: str, spec: str) -> tuple[int, int]:
    """A run judged by ``spec``, then the same again from scratch (another delta, so
    --force-new): how many judgements each session's judge asked the model (cache hits
    aside). Runs in a fresh process: there the run loads the judge before the renderer,
    and torch loaded after the GL driver of llvmpipe crashes (as it would after another
    test's renders in this one)."""
    opened: list[Judge] = []

    def keep(spec: str, cache: Path | None) -> Judge:
        opened.append(open_judge(spec, cache))
        return opened[-1]

    overrides = dict(conditions=CONDITIONS, n_max=2, questions=["stop_needed", "action"])
    asked = []
    for delta in (0.05, 0.1):
        config = build_config(settings(**overrides, judge=spec, delta=delta), {}, "t")
        run(config, Path(out), force_new=delta == 0.1, hooks=Hooks(open_judge=keep))
        asked.append(int(opened[-1].backend.queried))  # type: ignore[attr-defined]
        if delta == 0.05:
            first = judged(Path(out))
    pd.testing.assert_frame_equal(judged(Path(out)), first)  # the same judgements
    return asked[0], asked[1]


def test_a_model_judge_is_cached_in_the_run_directory(tmp_path: Path, tiny_spec: str) -> None:
    spec, out = f"model:{tiny_spec}", tmp_path / "run"
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        first, again = pool.apply(_judge_runs, (str(out), spec))
    assert first > 0 and again == 0  # the repeated run asked the judge model nothing
    assert (out / "cache" / "judge" / "judge.sqlite").is_file()
    table = judged(out)
    (judge_id,) = set(table["judge"])  # the model judge's id: model: and the model's id
    assert judge_id.startswith("model:") and judge_id.endswith("qwen2-vl")
    assert table["judge_revision"].str.startswith(JUDGE_PROMPT_REVISION + "+").all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["judge"]["spec"] == spec and manifest["judge"]["id"] == judge_id
    assert manifest["judge"]["revision"] == table["judge_revision"][0]


def test_sweep_takes_the_judge_from_its_yaml_or_the_flag(tmp_path: Path, capsys) -> None:
    from harness.cli import main

    from .test_sweep import write_sweep

    path = write_sweep(tmp_path, models=["scripted:oracle"], n_max=2, judge="scripted:bold=1")
    out = tmp_path / "sweep"
    with pytest.raises(SystemExit) as exit_info:
        main(["sweep", str(path), "--out", str(out), "--judge", "scripted:shy=1", "--quiet"])
    assert exit_info.value.code == 0, capsys.readouterr().err
    table = judged(out)
    assert set(table["judge"]) == {"scripted:shy=1"} and table["answer"].isna().all()
    with pytest.raises(SystemExit) as exit_info:  # the YAML's judge: another run's settings
        main(["sweep", str(path), "--out", str(out), "--quiet"])
    assert exit_info.value.code == 2
    assert 'judge: "scripted:shy=1" -> "scripted:bold=1"' in capsys.readouterr().err
