"""Pixel-level checks that the frames show what the scene graph says."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from harness.render._embedded import EmbeddedRenderer
from scenarios import WEATHER_PRESETS, Agent, SceneGraph, get_scenario


def scene_with(scenario: str, condition: str, want: str | None = None) -> SceneGraph:
    """The first sample of ``condition`` (whose agents include ``want`` if given)."""
    for index in range(200):
        scene = get_scenario(scenario).sample(condition, index, 0)
        if want is None or any(a.kind == want for a in scene.agents):
            return scene
    raise AssertionError(f"no {want} in 200 samples of {scenario} {condition}")


def luminance(image: np.ndarray) -> np.ndarray:
    return image.astype(np.float64) @ np.array([0.2126, 0.7152, 0.0722])


def changed(a: np.ndarray, b: np.ndarray, tolerance: int = 6) -> np.ndarray:
    return np.abs(a.astype(int) - b.astype(int)).max(axis=2) > tolerance


def test_pedestrian_pixels_fall_inside_their_projected_boxes(renderer: EmbeddedRenderer) -> None:
    scene = scene_with("pedestrian_crossing", "weather=ClearNoon,pedestrians=present")
    with_peds = renderer.render(scene)[0]
    without = renderer.render(replace(scene, agents=()))[0].image
    diff = changed(with_peds.image, without)
    inside = np.zeros_like(diff)
    for agent in scene.agents:
        box = with_peds.object(agent.id).box
        assert box is not None, f"{agent.id} should be in view"
        left, top, right, bottom = box
        assert diff[top:bottom, left:right].sum() >= 15, f"{agent.id} draws too few pixels"
        inside[max(top - 1, 0) : bottom + 1, max(left - 1, 0) : right + 1] = True
    assert diff.sum() > 0
    assert not (diff & ~inside).any(), "pedestrian pixels outside every projected box"


def far_contrast(renderer: EmbeddedRenderer, scene: SceneGraph, density: float) -> float:
    weather = replace(scene.weather, fog_density=density, fog_distance=0.0)
    image = renderer.render(replace(scene, weather=weather))[0].image
    h, w = image.shape[:2]
    band = luminance(image[int(h * 0.3) : int(h * 0.5), int(w * 0.3) : int(w * 0.7)])
    return float(band.std())


def test_far_contrast_falls_monotonically_with_fog_density(renderer: EmbeddedRenderer) -> None:
    scene = scene_with("obstacle_ahead", "weather=ClearNoon,obstacle=none")
    contrasts = [far_contrast(renderer, scene, d) for d in (0, 10, 25, 40, 60, 80, 100)]
    assert all(a > b for a, b in itertools.pairwise(contrasts)), contrasts
    assert contrasts[-1] < 0.1 * contrasts[0]


@pytest.mark.parametrize("scenario", ["obstacle_ahead", "right_turn", "unprotected_left"])
def test_night_is_darker_than_day(renderer: EmbeddedRenderer, scenario: str) -> None:
    scene = get_scenario(scenario).sample("weather=ClearNoon", 4, 0)
    day = luminance(renderer.render(scene)[0].image).mean()
    night_scene = replace(scene, weather=WEATHER_PRESETS["ClearNight"])
    night = luminance(renderer.render(night_scene)[0].image).mean()
    assert night < 0.35 * day, (night, day)


def streak_energy(image: np.ndarray) -> float:
    """Mean absolute horizontal second difference: thin streaks raise it."""
    lum = luminance(image)
    return float(np.abs(lum[:, 2:] - 2 * lum[:, 1:-1] + lum[:, :-2]).mean())


def test_rain_adds_streak_energy(renderer: EmbeddedRenderer) -> None:
    scene = scene_with("obstacle_ahead", "weather=HardRainNoon,obstacle=none")
    dry_weather = replace(scene.weather, precipitation=0.0)
    rain = streak_energy(renderer.render(scene)[0].image)
    dry = streak_energy(renderer.render(replace(scene, weather=dry_weather))[0].image)
    assert rain > 1.3 * dry, (rain, dry)


def red_fraction(image: np.ndarray, box: tuple[int, int, int, int]) -> float:
    left, top, right, bottom = box
    patch = image[top:bottom, left:right].astype(int)
    red = (patch[..., 0] > 170) & (patch[..., 1] < 90) & (patch[..., 2] < 90)
    return float(red.mean())


def test_red_light_renders_red_at_its_projected_position(renderer: EmbeddedRenderer) -> None:
    scene = scene_with("traffic_light", "weather=ClearNoon,light=red,distance_band=near")
    frame = renderer.render(scene)[0]
    lamps = [o for o in frame.objects if o.id.startswith("lamp") and o.box is not None]
    assert lamps, "no lamp in view"
    for lamp in lamps:
        assert lamp.kind == "red"
        assert red_fraction(frame.image, lamp.box) > 0.25, lamp  # type: ignore[arg-type]
    green = renderer.render(
        replace(scene, traffic_control=replace(scene.traffic_control, state="green"))
    )[0]
    for lamp in lamps:
        assert red_fraction(green.image, lamp.box) < 0.05  # type: ignore[arg-type]


def barrier_pixels(renderer: EmbeddedRenderer, scene: SceneGraph, distance: float) -> int:
    barrier = Agent("obstacle", "barrier", "ahead_in_lane", distance)
    with_barrier = renderer.render(replace(scene, agents=(barrier,)))[0].image
    without = renderer.render(replace(scene, agents=()))[0].image
    return int(changed(with_barrier, without).sum())


def test_near_barrier_covers_more_pixels_than_far(renderer: EmbeddedRenderer) -> None:
    scene = scene_with("obstacle_ahead", "weather=ClearNoon,obstacle=none")
    near, far = barrier_pixels(renderer, scene, 5.0), barrier_pixels(renderer, scene, 25.0)
    assert far > 50
    assert near > 8 * far, (near, far)


def test_heavy_rain_looks_plainly_different_from_clear(renderer: EmbeddedRenderer) -> None:
    scene = scene_with("right_turn", "weather=ClearNoon,control=none")
    clear = renderer.render(scene)[0].image.astype(int)
    rain = renderer.render(replace(scene, weather=WEATHER_PRESETS["HardRainNoon"]))[0].image
    assert np.abs(clear - rain.astype(int)).mean() > 20
