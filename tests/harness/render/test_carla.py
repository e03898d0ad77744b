"""The CARLA renderer against the real 0.9.16 client module and a fake server (no CARLA
server runs here); live tests run with ``-m carla`` when DRIVECERT_CARLA_HOST answers."""

from __future__ import annotations

import math
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

carla = pytest.importorskip("carla")

from drivecert import UsageError  # noqa: E402
from harness.render import RenderSettings  # noqa: E402
from harness.render._carla._camera import project_box  # noqa: E402
from harness.render._carla._connect import ServerLost  # noqa: E402
from harness.render._carla._contract import CONTRACT  # noqa: E402
from harness.render._carla._renderer import CarlaRenderer  # noqa: E402
from harness.render._carla._spawn import NoSpawn, turn_of  # noqa: E402
from scenarios import WEATHER_PRESETS, get_scenario  # noqa: E402
from tests.harness.render import carla_fake  # noqa: E402
from tests.harness.render.carla_fake import FakeMap, FakeServer, FakeWorld, fake_carla  # noqa: E402

SETTINGS = RenderSettings(width=64, height=36)


def renderer(server: FakeServer, settings: RenderSettings = SETTINGS) -> CarlaRenderer:
    return CarlaRenderer(settings, carla=fake_carla(server), sleep=lambda s: None).open()


@pytest.fixture
def server() -> FakeServer:
    return FakeServer(FakeWorld(FakeMap()))


def test_every_contract_call_exists_on_the_real_client_and_in_the_fake() -> None:
    fakes = {
        "World": carla_fake.FakeWorld,
        "Map": carla_fake.FakeMap,
        "Waypoint": carla_fake.FakeWaypoint,
        "Junction": carla_fake.FakeJunction,
        "Landmark": carla_fake.FakeLandmark,
        "BlueprintLibrary": carla_fake.FakeLibrary,
        "ActorBlueprint": carla_fake.FakeBlueprint,
        "Actor": carla_fake.FakeActor,
        "Vehicle": carla_fake.FakeActor,
        "TrafficLight": carla_fake.FakeLight,
        "Sensor": carla_fake.FakeSensor,
        "Image": carla_fake.FakeImage,
        "TrafficManager": carla_fake.FakeTrafficManager,
        "WorldSettings": carla_fake.FakeSettings,
    }
    for class_name, names in CONTRACT.items():
        real = getattr(carla, class_name)
        for name in names:
            assert hasattr(real, name), f"carla.{class_name}.{name}"
        if class_name in fakes:
            probe = _instance(fakes[class_name])
            missing = [n for n in names if not hasattr(probe, n) and n not in ("id", "type_id")]
            assert not missing, (class_name, missing)


def _instance(cls: type) -> Any:
    samples: dict[type, Any] = {
        carla_fake.FakeWorld: FakeWorld(FakeMap()),
        carla_fake.FakeMap: FakeMap(),
        carla_fake.FakeWaypoint: carla_fake.FakeWaypoint(0, 0, 0, 1, -1),
        carla_fake.FakeJunction: carla_fake.FakeJunction(1),
        carla_fake.FakeLandmark: carla_fake.FakeLandmark(carla_fake.FakeWaypoint(0, 0, 0, 1, -1)),
        carla_fake.FakeImage: carla_fake.FakeImage(4, 2, 1),
    }
    if cls in samples:
        return samples[cls]
    if cls in (carla_fake.FakeActor, carla_fake.FakeSensor):
        world = FakeWorld(FakeMap())
        blueprint = carla_fake.FakeBlueprint("vehicle.x")
        transform = carla.Transform()
        if cls is carla_fake.FakeSensor:
            return carla_fake.FakeSensor(world, blueprint, transform, None)  # type: ignore[arg-type]
        return carla_fake.FakeActor(world, blueprint, transform)
    if cls is carla_fake.FakeBlueprint:
        return carla_fake.FakeBlueprint("vehicle.x")
    return cls()


def test_a_yaw_that_grows_by_90_turns_right_in_carlas_frame() -> None:
    for yaw in (0.0, 37.0, 170.0, -120.0):
        heading = carla.Rotation(yaw=yaw)
        right = heading.get_right_vector()
        turned = carla.Rotation(yaw=yaw + 90.0).get_forward_vector()
        assert math.isclose(turned.x, right.x, abs_tol=1e-5)
        assert math.isclose(turned.y, right.y, abs_tol=1e-5)
        assert turn_of(yaw, yaw + 90.0) == "right"
        assert turn_of(yaw, yaw - 90.0) == "left"
        assert turn_of(yaw, yaw + 5.0) == "straight"
        assert turn_of(yaw, yaw + 180.0) is None


@pytest.mark.parametrize("preset", sorted(WEATHER_PRESETS))
def test_every_weather_reaches_the_world_field_by_field(preset: str, server: FakeServer) -> None:
    scene = get_scenario("right_turn").sample(f"weather={preset},control=light_red", 0, 1)
    renderer(server).render(scene)
    weather = server.world.weather
    for name, value in scene.weather.carla_kwargs().items():
        assert math.isclose(getattr(weather, name), value, rel_tol=1e-6, abs_tol=1e-6), name


def spawn_junction(server: FakeServer, scene: Any) -> int:
    (frame,) = renderer(server).render(scene)
    return int(frame.meta["junction"])


def test_a_right_turn_is_only_put_where_the_ego_lane_can_turn_right(server: FakeServer) -> None:
    scenario = get_scenario("right_turn")
    red = "control=light_red,right_exit=open"
    chosen = {spawn_junction(server, scenario.sample(red, i, 0)) for i in range(40)}
    assert chosen == {1, 6}  # never junction 2 (no right exit) or 3 (right only from lane -2)
    sign = "control=stop_sign,right_exit=open"
    chosen = {spawn_junction(server, scenario.sample(sign, i, 0)) for i in range(10)}
    assert chosen == {5}


def test_a_blocked_right_exit_is_put_where_the_road_has_no_right_exit(server: FakeServer) -> None:
    scenario = get_scenario("right_turn")
    blocked = "control=light_red,right_exit=blocked"
    chosen = {spawn_junction(server, scenario.sample(blocked, i, 0)) for i in range(20)}
    assert chosen == {2}  # road 20 goes only left and straight


def test_t_junction_scenes_use_the_stem_of_a_t(server: FakeServer) -> None:
    scenario = get_scenario("unprotected_left")
    scenes = [scenario.sample(None, i, 0) for i in range(30)]
    tees = [s for s in scenes if s.road.layout == "t_junction"]
    for scene in tees[:5]:
        assert spawn_junction(server, scene) == 4


def test_a_town_without_a_fitting_approach_is_one_line(server: FakeServer) -> None:
    server.world.map.stops.clear()
    scene = get_scenario("right_turn").sample("control=stop_sign,right_exit=open", 0, 0)
    with pytest.raises(NoSpawn, match="no four_way approach whose lane can right_turn") as error:
        renderer(server).render(scene)
    assert isinstance(error.value, UsageError)


def test_the_same_scene_gives_the_same_actors_and_poses(server: FakeServer) -> None:
    scene = get_scenario("right_turn").sample("weather=HardRainNoon,control=light_red", 7, 3)
    poses = []
    for _ in range(2):
        server.world.spawned.clear()
        renderer(server).render(scene)
        poses.append(
            [
                (
                    a.type_id,
                    round(a.transforms[0].location.x, 6),
                    round(a.transforms[0].location.y, 6),
                )
                for a in server.world.spawned
            ]
        )
    assert poses[0] == poses[1]


def test_agents_stand_where_their_relation_puts_them(server: FakeServer) -> None:
    scenario = get_scenario("right_turn")
    scene = next(
        s
        for s in (scenario.sample("control=light_red", i, 0) for i in range(200))
        if s.agents_with("ahead_in_lane")
    )
    (frame,) = renderer(server).render(scene)
    world = server.world
    ego = next(a for a in world.spawned if a.blueprint.attributes.get("role_name") == "ego")
    lead = next(a for a in world.spawned if a.blueprint.attributes.get("role_name") == "lead_car")
    gap = scene.agents_with("ahead_in_lane")[0].distance_m
    ego_at, lead_at = ego.transforms[0].location, lead.transforms[0].location
    assert math.isclose(lead_at.x - ego_at.x, gap, abs_tol=1e-3)  # along the lane (yaw 0)
    assert math.isclose(lead_at.y, ego_at.y, abs_tol=1e-3)
    assert not ego.physics and not lead.physics
    light = world.lights[int(frame.meta["junction"])][0]
    assert light.state == carla.TrafficLightState.Red and light.frozen
    assert {o.id for o in frame.objects} == {a.id for a in scene.agents} | {"control"}


def test_oncoming_vehicles_are_on_the_other_direction(server: FakeServer) -> None:
    scenario = get_scenario("unprotected_left")
    scene = next(
        s
        for s in (scenario.sample(None, i, 0) for i in range(100))
        if s.agents_with("oncoming") and s.road.layout == "four_way"
    )
    renderer(server).render(scene)
    oncoming = [
        a
        for a in server.world.spawned
        if a.blueprint.attributes.get("role_name", "").startswith("oncoming")
    ]
    assert oncoming
    yaw = oncoming[0].transforms[0].rotation.yaw
    assert math.isclose((yaw % 360), 180.0, abs_tol=1e-3)


def test_frames_come_from_the_tick_and_every_actor_is_destroyed(server: FakeServer) -> None:
    scene = get_scenario("right_turn").sample("control=light_green", 3, 0)
    frames = renderer(server).render(scene, (0.0, 0.5, 1.0))
    assert [f.image.shape for f in frames] == [(36, 64, 3)] * 3
    assert frames[0].image[0, 0].tolist()[0] == 200  # red channel from BGRA
    assert [f.time_s for f in frames] == [0.0, 0.5, 1.0] and frames[0].renderer == "carla"
    world = server.world
    assert all(not a.alive for a in world.spawned) and len(world.destroyed) == len(world.spawned)
    assert world.settings.synchronous_mode and world.settings.fixed_delta_seconds == 0.05


def test_a_failed_placement_still_cleans_up(server: FakeServer) -> None:
    scene = next(
        s
        for s in (get_scenario("right_turn").sample("control=light_red", i, 0) for i in range(200))
        if s.agents_with("ahead_in_lane")
    )
    server.world.blocked = {"lead_car"}
    with pytest.raises(Exception, match="could not place lead_car"):
        renderer(server).render(scene)
    assert all(not a.alive for a in server.world.spawned)


def test_a_time_out_mid_sample_reconnects_and_renders_the_same_scene(server: FakeServer) -> None:
    scene = get_scenario("right_turn").sample("control=light_red", 1, 0)
    server.world.fail_ticks = 1  # the server stops answering during this sample
    active = renderer(server)
    frames = active.render(scene)
    assert len(frames) == 1 and active.reconnects == 1 and server.connections == 2
    assert all(not a.alive for a in server.world.spawned)


def test_a_server_that_stays_away_stops_the_run(server: FakeServer) -> None:
    scene = get_scenario("right_turn").sample("control=light_red", 1, 0)
    active = renderer(server)
    server.world.fail_ticks = 1
    server.up = False
    with pytest.raises(ServerLost, match="5 reconnects failed"):
        active.render(scene)


def test_no_server_and_a_version_mismatch_are_one_line(server: FakeServer) -> None:
    server.up = False
    with pytest.raises(
        UsageError, match=r"no CARLA server answered at 127\.0\.0\.1:2000.*start_carla\.sh"
    ):
        renderer(server)
    server.up, server.version = True, "0.9.14"
    with pytest.raises(UsageError, match=r"runs 0\.9\.14 but this client is 0\.9\.16"):
        renderer(server)


def test_a_box_ahead_projects_near_the_image_centre() -> None:
    settings = RenderSettings(width=800, height=450, fov_deg=90.0)
    camera = carla.Transform(carla.Location(x=0, y=0, z=1.4), carla.Rotation())
    box = carla.BoundingBox(carla.Location(0, 0, 1.4), carla.Vector3D(1.0, 1.0, 0.5))
    ahead = box.get_world_vertices(carla.Transform(carla.Location(x=20.0), carla.Rotation()))
    (left, top, right, bottom), depth = project_box(ahead, camera, settings)
    assert left < 400 < right and top < 225 < bottom and 18.0 < depth < 21.5
    behind = box.get_world_vertices(carla.Transform(carla.Location(x=-20.0), carla.Rotation()))
    assert project_box(behind, camera, settings)[0] is None
    right_side = box.get_world_vertices(
        carla.Transform(carla.Location(x=20.0, y=8.0), carla.Rotation())
    )
    assert project_box(right_side, camera, settings)[0][0] > 400  # +y is to the right


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_run_with_no_carla_server_is_one_line_within_the_timeout(tmp_path: Path) -> None:
    out = tmp_path / "run"
    args = ["run", "right_turn", "--renderer", "carla", "--model", "scripted:oracle"]
    args += ["--carla-port", str(_closed_port()), "--carla-timeout", "3", "--out", str(out)]
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "harness.cli", *args], capture_output=True, text=True, timeout=60
    )
    elapsed = time.perf_counter() - started
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "no CARLA server answered at 127.0.0.1:" in lines[0]
    assert "scripts/start_carla.sh" in lines[0] and "Traceback" not in done.stderr
    assert elapsed < 3 + 10 and not out.exists()


def _live_server() -> str | None:
    host = os.environ.get("DRIVECERT_CARLA_HOST")
    if not host:
        return None
    port = int(os.environ.get("DRIVECERT_CARLA_PORT", "2000"))
    try:
        with socket.create_connection((host, port), timeout=3):
            return host
    except OSError:
        return None


@pytest.mark.carla
@pytest.mark.skipif(
    _live_server() is None, reason="no CARLA server: set DRIVECERT_CARLA_HOST to one that answers"
)
def test_live_scene_to_frame_to_certificate(tmp_path: Path) -> None:
    from harness.run import build_config, run

    settings = {
        "scenario": "right_turn",
        "model": "scripted:oracle",
        "renderer": "carla",
        "conditions": "weather=HardRainNoon,control=light_red",
        "n_max": 3,
        "render": {"width": 320, "height": 180},
    }
    result = run(build_config(settings, {}, "live"), tmp_path / "live")
    assert result.summary["queries"] == 3 * 4
    assert (tmp_path / "live" / "certificates.csv").is_file()


ROOT = Path(__file__).resolve().parents[3]


def test_start_carla_says_what_is_missing_and_gives_up_on_a_silent_server(
    tmp_path: Path,
) -> None:
    script = str(ROOT / "scripts" / "start_carla.sh")
    done = subprocess.run(
        ["bash", script, "--carla-root", str(tmp_path / "none")], capture_output=True, text=True
    )
    assert done.returncode == 2 and "no CARLA at" in done.stderr
    silent = tmp_path / "carla"
    silent.mkdir()
    launcher = silent / "CarlaUE4.sh"
    launcher.write_text("#!/usr/bin/env bash\nsleep 30\n")
    launcher.chmod(0o755)
    args = ["--carla-root", str(silent), "--port", str(_closed_port()), "--timeout", "4"]
    env = {**os.environ, "PYTHON": sys.executable}
    done = subprocess.run(
        ["bash", script, *args], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 1 and "no answer on port" in done.stderr
