"""drivecert run from the command line: flags, YAML, and one-line errors that touch nothing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from harness.cli import main

SMALL = ["--conditions", "weather=ClearNoon,control=light_red", "--n-max", "3", "--no-figures"]


def cli(args: list[str], capsys) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


@pytest.fixture
def small_yaml(tmp_path: Path) -> Path:
    path = tmp_path / "run.yaml"
    path.write_text(
        "scenario: right_turn\nmodel: scripted:oracle\nn_max: 3\nquestions: [action]\n"
        "conditions: weather=ClearNoon,control=light_red\nrender: {width: 64, height: 36}\n"
        "figures: false\n"
    )
    return path


def test_run_prints_the_safety_table_and_the_queries(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "run"
    args = ["run", "right_turn", "--model", "scripted:oracle", *SMALL, "--out", str(out)]
    code, stdout, _ = cli([*args, "--quiet"], capsys)
    assert code == 0
    assert "stop_needed" in stdout and "safe" in stdout
    assert "queries: 18 stored against 18 for fixed n = 3" in stdout
    assert (out / "certificates.csv").is_file()


def test_yaml_config_with_flags_overriding_it(small_yaml: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "run"
    code, _, _ = cli(
        ["run", "--config", str(small_yaml), "--n-max", "2", "--out", str(out), "--quiet"], capsys
    )
    assert code == 0
    certificates = pd.read_csv(out / "certificates.csv")
    assert certificates["n"].tolist() == [2] and certificates["question"].tolist() == ["action"]
    again = tmp_path / "again"
    code, _, _ = cli(
        ["run", "--config", str(out / "config.yaml"), "--out", str(again), "--quiet"], capsys
    )
    assert code == 0
    assert (again / "certificates.csv").read_bytes() == (out / "certificates.csv").read_bytes()


BAD = [
    (["run", "rigth_turn", "--model", "scripted:oracle"], "unknown scenario 'rigth_turn'"),
    (
        ["run", "right_turn", "--model", "scripted:oracle", "--questions", "stop"],
        "no question 'stop'",
    ),
    (
        ["run", "right_turn", "--model", "scripted:oracle", "--conditions", "weather=Sunny"],
        "weather has no value 'Sunny'",
    ),
    (["run", "right_turn", "--model", "gpt:4"], "unknown model spec 'gpt:4'"),
    (["run", "right_turn", "--model", "scripted:oracle", "--n-max", "0"], "n_max 0"),
    (["run", "right_turn", "--model", "scripted:oracle", "--delta", "1.5"], "delta 1.5"),
    (["run", "right_turn", "--model", "scripted:oracle", "--spec", "<=2"], "threshold=2.0"),
    (
        ["run", "right_turn", "--model", "scripted:oracle", "--sequential", "--method", "wilson"],
        "use --method beta-binomial or betting",
    ),
    (["run", "right_turn", "--model", "scripted:oracle", "--event", "bad"], "event 'bad'"),
    (
        [
            "run",
            "right_turn",
            "--model",
            "scripted:oracle",
            "--sequential",
            "--multiplicity",
            "holm",
        ],
        "use --multiplicity bonferroni, or --method betting with holm",
    ),
    (["run", "right_turn"], "model is required"),
    (
        ["run", "right_turn", "--model", "scripted:oracle", "--judge", "rule"],
        "unknown judge 'rule' (did you mean 'rules'?)",
    ),
    (
        ["run", "right_turn", "--model", "scripted:oracle", "--judge", "scripted:shyness=1"],
        "'shyness=1' is not a scripted judge option",
    ),
    (
        ["run", "right_turn", "--model", "scripted:oracle", "--judge", "model:gpt:4"],
        "unknown model spec 'gpt:4'",
    ),
    (
        ["run", "right_turn", "--model", "scripted:oracle", "--judge-labels", "nowhere.jsonl"],
        "no labelled replies at nowhere.jsonl",
    ),
]


@pytest.mark.parametrize(("args", "message"), BAD)
def test_bad_input_is_one_line_exit_2_and_touches_nothing(
    args: list[str],
    message: str,
    tmp_path: Path,
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    out = tmp_path / "run"
    code, _, err = cli([*args, "--out", str(out), "--quiet"], capsys)
    assert code == 2, err
    assert message in err and len(err.strip().splitlines()) == 1, err
    assert not out.exists()


def test_unknown_yaml_key_names_the_key_and_the_allowed_ones(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "run.yaml"
    path.write_text("scenario: right_turn\nmodel: scripted:oracle\nn_mx: 3\n")
    code, _, err = cli(["run", "--config", str(path), "--out", str(tmp_path / "r")], capsys)
    assert code == 2
    assert "unknown key 'n_mx' (did you mean 'n_max'?); allowed: scenario, model" in err


def test_out_that_is_a_file_or_unwritable(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "file"
    target.write_text("keep me")
    args = ["run", "right_turn", "--model", "scripted:oracle", *SMALL, "--quiet"]
    code, _, err = cli([*args, "--out", str(target)], capsys)
    assert code == 2 and "is a file" in err and target.read_text() == "keep me"
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code, _, err = cli([*args, "--out", str(locked / "run")], capsys)
    finally:
        locked.chmod(0o700)
    import os

    if os.geteuid() != 0:  # root may write anywhere
        assert code == 2 and "not writable" in err


def test_a_stored_run_is_untouched_by_a_refused_rerun(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "run"
    args = ["run", "right_turn", "--model", "scripted:oracle", *SMALL, "--out", str(out), "--quiet"]
    assert cli(args, capsys)[0] == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    for bad in (["--delta", "0.2"], ["--questions", "nope"], ["--model", "scripted:nope"]):
        code, _, err = cli([*args, *bad], capsys)
        assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_certify_reads_a_run_directory_with_other_settings(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "run"
    model = "scripted:noisy?error=0.3"
    args = ["run", "right_turn", "--model", model, *SMALL, "--out", str(out), "--quiet"]
    assert cli(args, capsys)[0] == 0
    again = tmp_path / "again"
    code, _, err = cli(["certify", str(out), "--out", str(again), "--spec", "<=0.3"], capsys)
    assert code == 0, err
    run_certs = pd.read_csv(out / "certificates.csv").sort_values(["condition", "question"])
    re_certs = pd.read_csv(again / "certificates.csv").sort_values(["condition", "question"])
    columns = ["condition", "question", "n", "unsafe", "wrong", "lower", "upper"]
    pd.testing.assert_frame_equal(
        run_certs[columns].reset_index(drop=True), re_certs[columns].reset_index(drop=True)
    )
    assert (re_certs["threshold"] == 0.3).all()
    code, _, err = cli(["certify", str(tmp_path / "nothing"), "--out", str(again)], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_certify_of_a_sequential_run_keeps_its_method_and_refuses_fixed_n(
    tmp_path: Path,
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    out = tmp_path / "run"
    model = "scripted:noisy?error=0.05"
    args = ["run", "right_turn", "--model", model, *SMALL, "--sequential", "--out", str(out)]
    assert cli([*args, "--quiet"], capsys)[0] == 0
    again = tmp_path / "again"
    code, _, err = cli(["certify", str(out), "--out", str(again)], capsys)
    assert code == 0, err
    certificates = pd.read_csv(again / "certificates.csv")
    assert certificates["method"].str.startswith("beta-binomial").all()
    assert (again / "certificates.csv").read_bytes() != b""
    code, _, err = cli(["certify", str(out), "--out", str(again), "--method", "wilson"], capsys)
    assert code == 2 and "use --method beta-binomial or betting" in err
