"""drivecert sweep: models x scenarios in one store, certified as one family, resumable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from analysis import per_condition_delta
from harness.cli import main, optional_value
from harness.run import Hooks, build_config, run
from harness.run._export import run_rows
from harness.run._session import execute
from harness.run._sweep import certify_defaults, read_sweep, resolved_scenarios, sweep_plan
from harness.store import Store
from models import open_model

from .conftest import SMALL

MODELS = ["scripted:oracle", "scripted:noisy?error=0.4&style=free"]
SWEEP: dict[str, Any] = {
    "models": MODELS,
    "scenarios": [
        {
            "name": "right_turn",
            "conditions": "weather=ClearNoon;weather=HardRainNoon",
            "questions": ["stop_needed", "right_turn_possible"],
        },
        {"name": "obstacle_ahead", "conditions": ["weather=ClearNoon"], "questions": "stop_needed"},
    ],
    "n_max": 8,
    "seed": 5,
    "batch_size": 3,
    **SMALL,
}


def write_sweep(folder: Path, **overrides: Any) -> Path:
    path = folder / "sweep.yaml"
    path.write_text(yaml.safe_dump({**SWEEP, **overrides}))
    return path


def run_sweep(path: Path, out: Path, **kwargs: Any) -> Any:
    config = read_sweep(path)
    plan = sweep_plan(config, str(path))
    return execute(plan, config.fingerprint_payload(resolved_scenarios(plan)), out, **kwargs)


def stored(out: Path) -> pd.DataFrame:
    with Store.open(out / "results.duckdb") as store:
        return store.frame().drop(columns=["latency_s", "time"])


def test_one_store_holds_every_model_and_scenario_and_one_family_covers_them(
    tmp_path: Path,
) -> None:
    result = run_sweep(write_sweep(tmp_path, report=True), tmp_path / "sweep")
    table = stored(tmp_path / "sweep")
    pairs = set(zip(table["scenario"], table["model"], strict=True))
    assert pairs == {(s, m) for s in ("right_turn", "obstacle_ahead") for m in MODELS}
    assert len(table) == 2 * (2 * 2 + 1) * 8  # models x cells x n_max
    certificates = pd.read_csv(tmp_path / "sweep" / "certificates.csv")
    assert len(certificates) == 10
    assert set(certificates["method"]) == {"clopper-pearson+bonferroni(K=10)"}
    assert result.sweep.family == 10
    side = (tmp_path / "sweep" / "tables" / "side_by_side.md").read_text()
    assert all(model.split("?")[0] in side for model in MODELS)
    report = (tmp_path / "sweep" / "report.html").read_text()
    assert 'id="side-by-side"' in report and "obstacle_ahead" in report
    summary = result.summary
    assert summary["models"] == MODELS and len(summary["cells"]) == 10


def test_each_plan_stores_exactly_what_its_own_run_would(tmp_path: Path) -> None:
    run_sweep(write_sweep(tmp_path), tmp_path / "sweep")
    table = stored(tmp_path / "sweep")
    for model in MODELS:
        config = build_config(
            {
                **SMALL,
                "scenario": "right_turn",
                "model": model,
                "conditions": "weather=ClearNoon;weather=HardRainNoon",
                "questions": "stop_needed,right_turn_possible",
                "n_max": 8,
                "seed": 5,
            },
            {},
            "test",
        )
        out = tmp_path / model.split("?")[0].replace(":", "_")
        run(config, out)
        alone = stored(out)
        mine = table[(table["scenario"] == "right_turn") & (table["model"] == model)]
        pd.testing.assert_frame_equal(
            mine.reset_index(drop=True), alone.reset_index(drop=True), check_dtype=False
        )


def test_rerunning_a_sweep_resumes_without_loading_finished_models(tmp_path: Path) -> None:
    path = write_sweep(tmp_path)
    first = run_sweep(path, tmp_path / "sweep")
    before = (tmp_path / "sweep" / "certificates.csv").read_bytes()
    loaded: list[str] = []

    def counting(spec: str, options: Any) -> Any:
        loaded.append(spec)
        return open_model(spec, options)

    again = run_sweep(path, tmp_path / "sweep", hooks=Hooks(open_model=counting))
    assert loaded == []  # not even the first model
    assert again.counters.samples == 0 and again.resumed == first.summary["queries"]
    assert (tmp_path / "sweep" / "certificates.csv").read_bytes() == before
    defaults = certify_defaults(tmp_path / "sweep")
    assert defaults["delta"] == 0.05 and defaults["method"] == "clopper-pearson"
    rows = run_rows(tmp_path / "sweep")
    assert list(dict.fromkeys(rows["scenario"])) == ["right_turn", "obstacle_ahead"]


def test_certify_of_a_sweep_folder_gives_its_own_certificates(tmp_path: Path) -> None:
    run_sweep(write_sweep(tmp_path), tmp_path / "sweep")
    with pytest.raises(SystemExit) as exit_info:
        main(["certify", str(tmp_path / "sweep"), "--out", str(tmp_path / "again")])
    assert exit_info.value.code == 0
    assert (tmp_path / "again" / "certificates.csv").read_bytes() == (
        tmp_path / "sweep" / "certificates.csv"
    ).read_bytes()


def test_sequential_sweep_stops_cells_at_the_sweeps_family_level(tmp_path: Path) -> None:
    path = write_sweep(tmp_path, sequential=True, n_max=200, spec="<=0.5")
    result = run_sweep(path, tmp_path / "sweep")
    certificates = pd.read_csv(tmp_path / "sweep" / "certificates.csv")
    assert set(certificates["method"]) == {"beta-binomial+bonferroni(K=10)"}
    oracle = certificates[certificates["model"] == "scripted:oracle"]
    assert (oracle["decision"] == "safe").all() and (oracle["n"] < 200).all()
    assert per_condition_delta(0.05, result.sweep.family) == pytest.approx(0.005)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("models: [scripted:oracle]\nscenarios: [right_turn]\nn_mx: 3\n", "unknown key 'n_mx'"),
        (
            "models: [scripted:oracle]\nscenarios: [{name: right_turn, condition: x}]\n",
            "unknown key 'scenarios.condition'",
        ),
        ("models: [gpt:oracle]\nscenarios: [right_turn]\n", "unknown model spec 'gpt:oracle'"),
        ("models: ['scripted:nosy']\nscenarios: [right_turn]\n", "unknown scripted model"),
        ("models: []\nscenarios: [right_turn]\n", "models"),
        ("models: [scripted:oracle]\nscenarios: []\n", "scenarios"),
        (
            "models: [scripted:oracle]\nscenarios: [{name: right_turn, conditions: []}]\n",
            "no conditions given",
        ),
        ("models: [scripted:oracle]\nscenarios: [right_turns]\n", "right_turns"),
        ("models: [scripted:oracle, scripted:oracle]\nscenarios: [right_turn]\n", "twice"),
        ("scenarios: [right_turn]\n", "models is required"),
        ("models: [scripted:oracle]\nscenarios: [right_turn, ' right_turn']\n", "twice"),
        ("models: [scripted:oracle, 'scripted:oracle ']\nscenarios: [right_turn]\n", "twice"),
        ("models: [scripted:oracle]\nscenarios: ['  ']\n", "must not be empty"),
        ("models: [scripted:oracle]\nscenarios: [right_turn]\nname: ../x\n", "folder name"),
    ],
)
def test_a_malformed_sweep_is_one_line_and_exit_2_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, expected: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    out = tmp_path / "never"
    with pytest.raises(SystemExit) as exit_info:
        main(["sweep", str(path), "--out", str(out), "--quiet"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and expected in err and str(path) in err
    assert not out.exists()


def test_ray_flags_without_ray_are_refused(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = write_sweep(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["sweep", str(path), "--out", str(tmp_path / "x"), "--workers", "2"])
    assert exit_info.value.code == 2 and "add --ray" in capsys.readouterr().err


def test_ray_alone_means_a_local_cluster() -> None:
    assert optional_value(["sweep", "a.yaml", "--ray"], "--ray", "local")[-1] == "local"
    assert optional_value(["sweep", "--ray", "a.yaml"], "--ray", "local")[2] == "local"
    assert optional_value(["sweep", "a.yaml", "--ray", "--quiet"], "--ray", "local")[3] == "local"
    assert optional_value(["sweep", "a.yaml", "--ray", "auto"], "--ray", "local")[3] == "auto"


def test_compare_refuses_a_sweep_folder(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    run_sweep(write_sweep(tmp_path, n_max=2), tmp_path / "sweep")
    with pytest.raises(SystemExit) as exit_info:
        main(["compare", str(tmp_path / "sweep"), str(tmp_path / "sweep")])
    assert exit_info.value.code == 2 and "is a sweep" in capsys.readouterr().err


def test_an_unreachable_ray_cluster_is_one_line_within_seconds(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    pytest.importorskip("ray")
    path = write_sweep(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["sweep", str(path), "--out", str(tmp_path / "x"), "--ray", "127.0.0.1:9"])
    err = capsys.readouterr().err.strip()
    assert exit_info.value.code == 2 and "no Ray cluster answers at 127.0.0.1:9" in err
    assert err.count("\n") == 0 and not (tmp_path / "x").exists()
