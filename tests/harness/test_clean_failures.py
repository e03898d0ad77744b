"""Every command fails in one line and leaves earlier outputs as they were (issue 11's table).

Each test is one row of the table of what a new user ran into: a traceback, a misleading
message, or an output folder left half-rewritten or mixing two runs.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from analysis._synthetic import synthetic_verdicts
from harness.cli import main


def cli(args: list[str], capsys) -> tuple[int, str, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def one_line(code: int, err: str) -> None:
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def verdicts_csv(tmp_path: Path) -> Path:
    path = tmp_path / "verdicts.csv"
    synthetic_verdicts(n=20, seed=1).to_csv(path, index=False)
    return path


@pytest.fixture
def replies(tmp_path: Path) -> Path:
    path = tmp_path / "replies.jsonl"
    path.write_text('{"kind": "yes_no", "response": "Yes."}\n', encoding="utf-8")
    return path


def test_an_out_path_under_a_file_is_one_line_for_every_command(
    tmp_path: Path,
    capsys,
    verdicts_csv: Path,
    replies: Path,  # type: ignore[no-untyped-def]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    bad = str(blocker / "sub" / "out")
    for args in (
        ["sample", "right_turn", "--n", "1", "-o", bad],
        ["judge", str(replies), "-o", bad],
        ["certify", str(verdicts_csv), "--out", bad],
        ["render", "right_turn", "--n", "1", "--width", "32", "--height", "18", "--out", bad],
    ):
        code, _, err = cli(args, capsys)
        one_line(code, err)
        assert str(blocker) in err
    assert blocker.read_text() == "not a folder"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", "", "is empty"),
        ("quote.csv", 'scenario,model,condition,sample,unsafe,unparseable\nr,m,"c,0,1,0\n', "CSV"),
        ("bad.jsonl", '{"scenario": "r"}\n{"scenario": \n', "bad.jsonl:2: not valid JSON"),
        (
            "nocond.csv",
            "scenario,model,condition,sample,unsafe,unparseable\nr,m,,0,1,0\n",
            "condition at row 0 is empty",
        ),
        ("empty.jsonl", "", "is empty"),
        ("blank.jsonl", "\n\n", "holds no rows"),
    ],
)
def test_certify_on_a_broken_table_is_one_line(
    tmp_path: Path,
    capsys,
    name: str,
    content: str,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    code, _, err = cli(["certify", str(path), "--out", str(tmp_path / "out")], capsys)
    one_line(code, err)
    assert message in err
    assert not (tmp_path / "out" / "certificates.csv").exists()


def test_a_failed_certify_leaves_the_earlier_outputs_whole(
    tmp_path: Path,
    capsys,
    verdicts_csv: Path,  # type: ignore[no-untyped-def]
) -> None:
    out = tmp_path / "out"
    pair = ["--pair-a", "weather=ClearNoon", "--pair-b", "weather=HardRainNoon"]
    code, _, err = cli(["certify", str(verdicts_csv), "--out", str(out), *pair], capsys)
    assert code == 0, err
    before = snapshot(out)
    bad_pair = ["--pair-a", "weather=ClearNoon", "--pair-b", "weather=Nope"]
    code, _, err = cli(
        ["certify", str(verdicts_csv), "--out", str(out), "--spec", "<=0.2", *bad_pair], capsys
    )
    one_line(code, err)
    assert snapshot(out) == before
    code, _, err = cli(["certify", str(verdicts_csv), "--out", str(out)], capsys)
    assert code == 0, err
    assert not (out / "relational.csv").exists()  # a new analysis leaves no stale outputs


def test_judge_with_a_bad_line_further_down_keeps_the_old_output(
    tmp_path: Path,
    capsys,
    replies: Path,  # type: ignore[no-untyped-def]
) -> None:
    out = tmp_path / "judged.jsonl"
    assert cli(["judge", str(replies), "-o", str(out)], capsys)[0] == 0
    before = out.read_bytes()
    broken = tmp_path / "broken.jsonl"
    broken.write_text(replies.read_text() * 3 + "{not json\n", encoding="utf-8")
    code, _, err = cli(["judge", str(broken), "-o", str(out)], capsys)
    one_line(code, err)
    assert "broken.jsonl:4" in err and out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"kind": "yes_no", "response": None}, "response"),
        ({"kind": "yes_no", "response": 3}, "response"),
    ],
)
def test_judge_names_the_bad_field(
    tmp_path: Path,
    capsys,
    record: dict,
    field: str,  # type: ignore[no-untyped-def]
) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(record) + "\n")
    code, _, err = cli(["judge", str(path)], capsys)
    one_line(code, err)
    assert f"{field} must be" in err and "kind must" not in err


RENDER = ["render", "right_turn", "--n", "2", "--width", "32", "--height", "18"]


def test_rendering_twice_into_one_folder_indexes_each_frame_once(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "frames"
    assert cli([*RENDER, "--out", str(out)], capsys)[0] == 0
    code, stdout, _ = cli([*RENDER, "--n", "3", "--out", str(out)], capsys)
    assert code == 0 and "1 new frames of 3 scenes" in stdout and "3 frames in all" in stdout
    lines = (out / "index.jsonl").read_text().splitlines()
    keys = [(json.loads(x)["sample_index"], json.loads(x)["time_s"]) for x in lines]
    assert len(keys) == len(set(keys)) == 3


def test_other_render_settings_need_force(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "frames"
    assert cli([*RENDER, "--out", str(out)], capsys)[0] == 0
    before = snapshot(out)
    code, _, err = cli([*RENDER, "--width", "64", "--out", str(out)], capsys)
    one_line(code, err)
    assert "width: 32 -> 64" in err and "--force" in err and snapshot(out) == before
    code, stdout, _ = cli([*RENDER, "--width", "64", "--out", str(out), "--force"], capsys)
    assert code == 0 and "2 frames in all" in stdout
    assert json.loads((out / "render.json").read_text())["width"] == 64


def test_a_half_written_index_line_is_dropped_before_adding(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "frames"
    assert cli([*RENDER, "--out", str(out)], capsys)[0] == 0
    index = out / "index.jsonl"
    index.write_bytes(index.read_bytes()[:-40])  # a render killed mid-line
    assert cli([*RENDER, "--out", str(out)], capsys)[0] == 0
    records = [json.loads(line) for line in index.read_text().splitlines()]
    assert sorted(r["sample_index"] for r in records) == [0, 1]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--renderer", "carla3d"], "unknown renderer 'carla3d' (did you mean 'carla'?)"),
        (["--backend", "vulkan"], "unknown GL backend 'vulkan'"),
    ],
)
def test_bad_renderer_choices_exit_2(
    tmp_path: Path,
    capsys,
    extra: list[str],
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    code, _, err = cli([*RENDER, *extra, "--out", str(tmp_path / "f")], capsys)
    one_line(code, err)
    assert message in err and not (tmp_path / "f").exists()


def test_render_help_offers_no_renderer_that_is_not_there(capsys) -> None:  # type: ignore[no-untyped-def]
    code, stdout, _ = cli(["render", "--help"], capsys)
    assert code == 0 and "carla" not in stdout.lower()


def test_spec_needs_an_operator(tmp_path: Path, capsys, verdicts_csv: Path) -> None:  # type: ignore[no-untyped-def]
    code, _, err = cli(
        ["certify", str(verdicts_csv), "--out", str(tmp_path / "o"), "--spec", "0.3"], capsys
    )
    one_line(code, err)
    assert "needs an operator: write <=0.3" in err


def test_a_read_only_run_directory_is_one_line_and_unchanged(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "run"
    args = [
        "run",
        "right_turn",
        "--model",
        "scripted:oracle",
        "--n-max",
        "2",
        "--no-figures",
        "--conditions",
        "weather=ClearNoon",
        "--questions",
        "action",
        "--quiet",
        "--out",
        str(out),
    ]
    assert cli(args, capsys)[0] == 0
    before = snapshot(out)
    mode = out.stat().st_mode
    out.chmod(stat.S_IMODE(mode) & ~0o222)
    try:
        code, _, err = cli(args, capsys)
    finally:
        out.chmod(stat.S_IMODE(mode))
    one_line(code, err)
    assert "read-only" in err and snapshot(out) == before


def test_a_bug_shows_its_traceback_and_asks_for_a_report(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    import harness.cli as cli_module

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ZeroDivisionError("oops")

    monkeypatch.setattr(cli_module, "list_scenarios", broken)
    with pytest.raises(SystemExit) as exit_info:
        main(["scenarios"])
    _, err = capsys.readouterr()
    assert exit_info.value.code == 1
    assert "Traceback" in err and "please report it" in err


def test_judge_on_bytes_that_are_not_utf8_names_the_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(
        b'{"kind": "yes_no", "response": "Yes"}\n{"kind": "yes_no", "response": "\xe9"}\n'
    )
    code, _, err = cli(["judge", str(path)], capsys)
    one_line(code, err)
    assert "latin1.jsonl:2: not UTF-8" in err


def test_a_corrupt_render_index_is_one_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "frames"
    assert cli([*RENDER, "--out", str(out)], capsys)[0] == 0
    (out / "index.jsonl").write_bytes(b"\xff\xfe not json\n")
    code, _, err = cli([*RENDER, "--out", str(out)], capsys)
    one_line(code, err)
    assert "index.jsonl:1 is not a frame record" in err and "--force" in err
