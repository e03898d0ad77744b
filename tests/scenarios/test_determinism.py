"""A scene is a pure function of (scenario, condition, sample_index, base seed)."""

import json
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import pytest

from scenarios import get_scenario, list_scenarios

NAMES = [s.name for s in list_scenarios()]


def scene_json(name: str, condition: str | None, index: int, seed: int) -> str:
    scenario = get_scenario(name)
    return json.dumps(scenario.sample(condition, index, seed).to_dict(), sort_keys=True)


@pytest.mark.parametrize("name", NAMES)
def test_sample_137_is_the_same_first_last_alone_or_in_a_batch(name: str) -> None:
    scenario = get_scenario(name)
    alone = scene_json(name, None, 137, 5)
    batch = scenario.sample_many(None, 200, base_seed=5)
    backwards = [scenario.sample(None, i, 5) for i in reversed(range(130, 140))]
    assert json.dumps(batch[137].to_dict(), sort_keys=True) == alone
    assert json.dumps(backwards[2].to_dict(), sort_keys=True) == alone
    shifted = scenario.sample_many(None, 5, base_seed=5, start=135)
    assert json.dumps(shifted[2].to_dict(), sort_keys=True) == alone


@pytest.mark.parametrize("name", NAMES)
def test_seeds_and_indices_give_different_scenes(name: str) -> None:
    scenes = {scene_json(name, None, i, 0) for i in range(20)}
    assert len(scenes) == 20
    assert scene_json(name, None, 3, 0) != scene_json(name, None, 3, 1)


def test_same_scene_in_other_processes_and_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    # Spawned workers import this module by name: put the repo root on their sys.path.
    monkeypatch.syspath_prepend(str(Path(__file__).parents[2]))
    jobs = [(name, None, i, 11) for name in NAMES for i in (0, 137)]
    expected = [scene_json(*job) for job in jobs]
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        in_workers = list(pool.map(scene_json, *zip(*reversed(jobs), strict=True)))
    assert list(reversed(in_workers)) == expected
    code = (
        "import json,sys; from scenarios import get_scenario;"
        "scene = get_scenario('right_turn').sample(None, 137, 11);"
        "print(json.dumps(scene.to_dict(), sort_keys=True))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "999", "PATH": ""},
    )
    assert out.stdout.strip() == scene_json("right_turn", None, 137, 11)


def test_conditions_differing_in_weather_share_the_layout() -> None:
    scenario = get_scenario("right_turn")
    for index in range(20):
        clear = scenario.sample("weather=ClearNoon,control=light_red", index, 3)
        rain = scenario.sample("weather=HardRainNoon,control=light_red", index, 3)
        assert clear.weather.name == "ClearNoon" and rain.weather.name == "HardRainNoon"
        assert (clear.agents, clear.ego, clear.road) == (rain.agents, rain.ego, rain.road)
