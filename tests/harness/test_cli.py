"""The drivecert command line: scenarios, sample and judge."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from harness.cli import main
from scenarios import get_scenario


def run(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_scenarios_lists_every_scenario_with_variables(capsys) -> None:
    code, out, _ = run(["scenarios", "--json"], capsys)
    assert code == 0
    listing = {s["name"]: s for s in json.loads(out)}
    assert set(listing) == {
        "obstacle_ahead",
        "right_turn",
        "pedestrian_crossing",
        "traffic_light",
        "unprotected_left",
        "cyclist_lane_change",
    }
    assert listing["right_turn"]["variables"]["control"]["values"][0] == "light_red"
    assert "HardRainNoon" in listing["obstacle_ahead"]["variables"]["weather"]["values"]
    observed = listing["right_turn"]["observation_variables"]
    assert (
        observed["corruption"][:2] == ["none", "bit_error"]
        and "frame_lost" in observed["corruption"]
    )
    assert observed["severity"] == ["1", "2", "3", "4", "5"]
    code, out, _ = run(["scenarios"], capsys)
    assert code == 0 and "unprotected_left" in out and "every scenario also takes" in out
    code, out, _ = run(["scenarios", "traffic_light"], capsys)
    assert "Ground truth" in out


def test_sample_writes_one_scene_per_line(tmp_path: Path, capsys) -> None:
    target = tmp_path / "scenes.jsonl"
    args = ["sample", "right_turn", "--condition", "weather=HardRainNoon,control=light_red"]
    code, _, _ = run([*args, "--n", "4", "--seed", "3", "-o", str(target)], capsys)
    assert code == 0
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert len(lines) == 4
    first = lines[0]
    assert first["scene"]["weather"]["name"] == "HardRainNoon"
    assert first["scene"]["traffic_control"]["state"] == "red"
    ids = [q["id"] for q in first["questions"]]
    assert ids == [
        "stop_needed",
        "building_blocks",
        "right_turn_possible",
        "action",
        "light_red",
        "pedestrian_on_crosswalk",
    ]
    assert first["questions"][0]["ground_truth"]["expected"] == "yes"
    expected = get_scenario("right_turn").sample("weather=HardRainNoon,control=light_red", 2, 3)
    assert lines[2]["scene"] == json.loads(json.dumps(expected.to_dict()))
    code, out, _ = run(["sample", "obstacle_ahead", "--n", "3"], capsys)
    assert code == 0 and len(out.splitlines()) == 3
    assert json.loads(out.splitlines()[0])["scene"]["condition"] == {}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["sample", "rigth_turn"],
            "unknown scenario 'rigth_turn' (did you mean 'right_turn'?); valid:",
        ),
        (
            ["sample", "right_turn", "--condition", "wether=x"],
            "has no variable 'wether' (did you mean 'weather'?); valid: weather, control",
        ),
        (
            ["sample", "right_turn", "--condition", "weather=Sunny"],
            "weather has no value 'Sunny'; valid: ClearNoon",
        ),
        (["scenarios", "nope"], "unknown scenario 'nope'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, message, capsys) -> None:
    code, out, err = run(args, capsys)
    assert code == 2
    assert out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_judge_adds_answer_and_keeps_other_fields(tmp_path: Path, capsys) -> None:
    source = tmp_path / "in.jsonl"
    rows = [
        {
            "kind": "yes_no",
            "response": "Yes, because the light is red.",
            "id": 1,
            "extra": {"a": [1]},
        },
        {"kind": "action", "response": "Final answer: (B)", "id": 2},
        {"kind": "yes_no", "response": "I cannot tell from this image.", "id": 3},
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    code, out, _ = run(["judge", str(source)], capsys)
    assert code == 0
    judged = [json.loads(line) for line in out.splitlines()]
    assert [j["answer"] for j in judged] == ["yes", "yield", None]
    for row, result in zip(rows, judged, strict=True):
        assert {k: v for k, v in result.items() if k != "answer"} == row
    target = tmp_path / "out.jsonl"
    code, _, _ = run(["judge", str(source), "-o", str(target)], capsys)
    assert code == 0 and len(target.read_text().splitlines()) == 3


def test_judge_rejects_bad_lines(tmp_path: Path, capsys) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_text('{"kind": "yes_no", "response": "Yes"}\n{"kind": "essay", "response": "x"}\n')
    code, _, err = run(["judge", str(source)], capsys)
    assert code == 2 and "bad.jsonl:2: kind must be one of yes_no, action" in err
    code, _, err = run(["judge", str(tmp_path / "missing.jsonl")], capsys)
    assert code == 2 and "no such file" in err


def test_console_script_is_installed() -> None:
    exe = shutil.which("drivecert") or str(
        Path(__file__).parents[2] / ".venv" / "bin" / "drivecert"
    )
    done = subprocess.run(
        [exe, "sample", "traffic_light", "--n", "2"], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 2
    bad = subprocess.run(
        [exe, "sample", "traffic_light", "--n", "0"], capture_output=True, text=True
    )
    assert bad.returncode == 2
