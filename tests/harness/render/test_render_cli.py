"""``drivecert render``: PNGs, the JSONL index and contact sheets."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from harness.cli import main
from harness.perturb import perturb
from scenarios import SceneGraph, get_scenario


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_render_writes_frames_and_an_index_linking_them_to_scenes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    condition = "weather=HardRainNoon,control=light_red"
    args = ["render", "right_turn", "--condition", condition, "--n", "2", "--seed", "5"]
    code, out, _ = run([*args, "--frames", "3", "--dt", "0.4", "--out", str(tmp_path)], capsys)
    assert code == 0 and "6 new frames of 2 scenes" in out
    lines = [json.loads(x) for x in (tmp_path / "index.jsonl").read_text().splitlines()]
    assert len(lines) == 6
    assert [r["time_s"] for r in lines[:3]] == [0.0, 0.4, 0.8]
    for record in lines:
        scene = SceneGraph.from_dict(record["scene"])
        expected = get_scenario("right_turn").sample(condition, record["sample_index"], 5)
        assert scene == expected
        image = np.asarray(Image.open(tmp_path / record["frame"]))
        assert image.shape == (450, 800, 3)
        assert record["sha256"] == Path(record["frame"]).stem
        assert record["renderer"] == "embedded/gl"
    settings = json.loads((tmp_path / "render.json").read_text())
    assert settings["width"] == 800 and settings["camera_z_m"] == 1.4


def test_render_with_a_corruption_writes_corrupted_frames_seeded_by_scene(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    condition = "weather=ClearNoon,control=light_red"
    args = ["render", "right_turn", "--condition", condition, "--n", "2", "--seed", "3"]
    small = ["--width", "320", "--height", "180"]
    clean_dir, foggy_dir = tmp_path / "clean", tmp_path / "fog"
    assert run([*args, *small, "--out", str(clean_dir)], capsys)[0] == 0
    damage = ["--corruption", "fog", "--severity", "4"]
    code, out, _ = run([*args, *small, *damage, "--out", str(foggy_dir)], capsys)
    assert code == 0 and "2 new frames of 2 scenes" in out
    clean = [json.loads(x) for x in (clean_dir / "index.jsonl").read_text().splitlines()]
    foggy = [json.loads(x) for x in (foggy_dir / "index.jsonl").read_text().splitlines()]
    for plain, fogged in zip(clean, foggy, strict=True):
        assert "corruption" not in plain
        assert fogged["corruption"] == {"name": "fog", "severity": 4}
        image = np.asarray(Image.open(clean_dir / plain["frame"]))
        expected = perturb(image, "fog", 4, fogged["scene_seed"])
        assert np.array_equal(np.asarray(Image.open(foggy_dir / fogged["frame"])), expected)
        assert fogged["sha256"] != plain["sha256"]
    recorded = json.loads((foggy_dir / "render.json").read_text())
    assert recorded["corruption"] == {"name": "fog", "severity": 4}
    code, _, err = run([*args, *small, "--corruption", "rain", "--out", str(foggy_dir)], capsys)
    assert code == 2 and "corruption" in err and "--force" in err


def test_contact_sheet_shows_every_default_condition(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, _ = run(
        [
            "render",
            "obstacle_ahead",
            "--contact-sheet",
            "--width",
            "320",
            "--height",
            "180",
            "--out",
            str(tmp_path),
        ],
        capsys,
    )
    assert code == 0
    scenario = get_scenario("obstacle_ahead")
    conditions = scenario.default_conditions()
    sheet = Image.open(tmp_path / "obstacle_ahead_contact_sheet.png")
    columns = len(scenario.default_grid["obstacle"])
    rows = len(conditions) // columns
    assert sheet.size[0] == columns * 400 and sheet.size[1] > rows * 225
    index = (tmp_path / "index.jsonl").read_text().splitlines()
    assert [json.loads(x)["condition"] for x in index] == [c.label for c in conditions]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["render", "right_turn", "--condition", "control=purple"], "control"),
        (["render", "right_trun"], "did you mean 'right_turn'"),
        (["render", "right_turn", "--contact-sheet", "--condition", "control=none"], "drop"),
        (["render", "right_turn", "--backend", "vulkan"], "valid: auto, gl, software"),
        (["render", "right_turn", "--corruption", "foggy"], "did you mean 'fog'"),
        (["render", "right_turn", "--corruption", "fog", "--severity", "6"], "use 1..5"),
        (["render", "right_turn", "--severity", "2"], "--severity needs a --corruption"),
    ],
)
def test_bad_render_input_is_one_line(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run([*args, "--out", str(tmp_path)], capsys)
    assert code in (1, 2)
    assert message in err and err.strip().count("\n") == 0
