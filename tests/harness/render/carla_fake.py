"""A fake CARLA server for the tests: the real client's data classes, a made-up map.

It implements exactly the calls listed in ``harness.render._carla._contract`` (a test checks
this), on a map with known junctions:

- junction 1, a four-way: road 10 (yaw 0) whose rightmost lane turns right; traffic lights;
- junction 2: road 20 goes only left and straight (no right exit at all); traffic lights;
- junction 3: road 30 offers a right turn, but only from its left lane, so its rightmost
  lane can never be chosen for a right turn; traffic lights;
- junction 4, a T: road 40 goes left or right, not straight; no lights;
- junction 5, a four-way with a stop sign on road 50 and no lights;
- junction 6, a four-way whose road 70 has one lane that goes every way; traffic lights;
- road 60: a straight stretch with two lanes each way.
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable
from typing import Any

import carla

LANE_WIDTH = 3.5


class FakeWaypoint:
    def __init__(
        self, x: float, y: float, yaw: float, road: int, lane: int, junction: Any = None
    ) -> None:
        self.transform = carla.Transform(carla.Location(x=x, y=y, z=0.0), carla.Rotation(yaw=yaw))
        self.road_id, self.lane_id = road, lane
        self.lane_width = LANE_WIDTH
        self.lane_type = carla.LaneType.Driving
        self.is_junction = junction is not None
        self._junction = junction
        self.left: FakeWaypoint | None = None
        self.right: FakeWaypoint | None = None

    def _moved(self, distance: float) -> FakeWaypoint:
        forward = self.transform.get_forward_vector()
        return self._shifted(forward.x * distance, forward.y * distance)

    def _shifted(self, dx: float, dy: float, depth: int = 0) -> FakeWaypoint:
        """A copy moved by (dx, dy), with the lanes to its left moved alike."""
        location = self.transform.location
        moved = FakeWaypoint(
            location.x + dx,
            location.y + dy,
            self.transform.rotation.yaw,
            self.road_id,
            self.lane_id,
        )
        if self.left is not None and depth < 4:
            moved.left = self.left._shifted(dx, dy, depth + 1)
        return moved

    def next(self, distance: float) -> list[FakeWaypoint]:
        return [self._moved(distance)]

    def previous(self, distance: float) -> list[FakeWaypoint]:
        return [self._moved(-distance)]

    def get_junction(self) -> Any:
        return self._junction

    def get_left_lane(self) -> FakeWaypoint | None:
        return self.left

    def get_right_lane(self) -> FakeWaypoint | None:
        return self.right


class FakeJunction:
    def __init__(self, junction_id: int) -> None:
        self.id = junction_id
        self.links: list[tuple[FakeWaypoint, FakeWaypoint]] = []

    def get_waypoints(self, lane_type: Any) -> list[tuple[FakeWaypoint, FakeWaypoint]]:
        assert lane_type == carla.LaneType.Driving
        return list(self.links)


class FakeLandmark:
    def __init__(self, waypoint: FakeWaypoint) -> None:
        self.waypoint = waypoint


def _road(x: float, y: float, yaw: float, road: int, lanes: int = 2) -> list[FakeWaypoint]:
    """Lanes -1 (rightmost) .. -lanes of a road ending at (x, y), and one lane back."""
    right = carla.Rotation(yaw=yaw).get_right_vector()
    ours = [
        FakeWaypoint(
            x - right.x * LANE_WIDTH * k, y - right.y * LANE_WIDTH * k, yaw, road, -(k + 1)
        )
        for k in range(lanes)
    ]
    back = FakeWaypoint(
        x - right.x * LANE_WIDTH * lanes, y - right.y * LANE_WIDTH * lanes, yaw + 180.0, road, 1
    )
    for k, lane in enumerate(ours):
        lane.left = ours[k + 1] if k + 1 < lanes else back
        lane.right = ours[k - 1] if k > 0 else None
    return ours


class FakeMap:
    def __init__(self) -> None:
        self.name = "Carla/Maps/Town05"
        self.junctions: dict[int, FakeJunction] = {}
        self.incoming: dict[int, list[FakeWaypoint]] = {}
        self.stops: list[FakeLandmark] = []
        self.stretch = _road(0.0, 500.0, 0.0, 60)
        self._junction(1, 10, x=0.0, lanes={-1: ("right", "straight"), -2: ("left", "straight")})
        self._junction(2, 20, x=200.0, lanes={-1: ("straight",), -2: ("left", "straight")})
        self._junction(3, 30, x=400.0, lanes={-1: ("straight",), -2: ("left", "right")})
        self._junction(4, 40, x=600.0, lanes={-1: ("right",), -2: ("left",)})
        self._junction(5, 50, x=800.0, lanes={-1: ("right", "straight"), -2: ("left", "straight")})
        self.stops.append(FakeLandmark(self.incoming[50][0]))
        self._junction(6, 70, x=1000.0, lanes={-1: ("left", "straight", "right")}, width=1)

    def _junction(
        self,
        junction_id: int,
        road: int,
        x: float,
        lanes: dict[int, tuple[str, ...]],
        width: int = 2,
    ) -> None:
        junction = FakeJunction(junction_id)
        incoming = _road(x, 0.0, 0.0, road, lanes=width)
        self.incoming[road] = incoming
        turns = {"right": 90.0, "straight": 0.0, "left": -90.0}
        for lane in incoming:
            for turn in lanes.get(lane.lane_id, ()):
                location = lane.transform.location
                start = FakeWaypoint(
                    location.x + 0.5, location.y, 0.0, road * 10 + 1, lane.lane_id, junction
                )
                start.previous = lambda d, lane=lane: [lane]  # type: ignore[method-assign]
                angle = turns[turn]
                end = FakeWaypoint(
                    location.x + 10.0,
                    location.y + math.copysign(10.0, angle) * (angle != 0),
                    angle,
                    road * 10 + 2,
                    lane.lane_id,
                )
                junction.links.append((start, end))
        self.junctions[junction_id] = junction

    def get_topology(self) -> list[tuple[FakeWaypoint, FakeWaypoint]]:
        pairs = [
            (self.stretch[0], self.stretch[0]._moved(100.0)),
            (self.stretch[1], self.stretch[1]._moved(100.0)),
        ]
        for junction in self.junctions.values():
            pairs += junction.links
        return pairs

    def get_all_landmarks_of_type(self, kind: str) -> list[FakeLandmark]:
        return list(self.stops) if kind == "206" else []


class FakeBlueprint:
    def __init__(self, blueprint_id: str) -> None:
        self.id = blueprint_id
        self.attributes: dict[str, str] = {}

    def has_attribute(self, name: str) -> bool:
        return name in ("role_name", "image_size_x", "image_size_y", "fov")

    def set_attribute(self, name: str, value: str) -> None:
        self.attributes[name] = value


class FakeLibrary:
    def find(self, blueprint_id: str) -> FakeBlueprint:
        return FakeBlueprint(blueprint_id)


class FakeActor:
    _ids = iter(range(1, 10**9))

    def __init__(self, world: FakeWorld, blueprint: FakeBlueprint, transform: Any) -> None:
        self.world, self.blueprint, self.type_id = world, blueprint, blueprint.id
        self.id = next(FakeActor._ids)
        self.transforms = [transform]
        self.alive = True
        self.physics = True
        extent = (
            carla.Vector3D(2.3, 1.0, 0.75)
            if "vehicle" in blueprint.id
            else carla.Vector3D(0.3, 0.3, 0.9)
        )
        self.bounding_box = carla.BoundingBox(carla.Location(0.0, 0.0, extent.z), extent)

    def get_transform(self) -> Any:
        return self.transforms[-1]

    def set_transform(self, transform: Any) -> None:
        self.world.check()
        self.transforms.append(transform)

    def set_simulate_physics(self, enabled: bool) -> None:
        self.physics = enabled

    def destroy(self) -> bool:
        self.alive = False
        self.world.destroyed.append(self)
        return True


class FakeSensor(FakeActor):
    def __init__(
        self, world: FakeWorld, blueprint: FakeBlueprint, transform: Any, parent: FakeActor
    ) -> None:
        super().__init__(world, blueprint, transform)
        self.parent = parent
        self.callback: Callable[[Any], None] | None = None

    def listen(self, callback: Callable[[Any], None]) -> None:
        self.callback = callback

    def stop(self) -> None:
        self.callback = None


class FakeImage:
    def __init__(self, width: int, height: int, frame: int) -> None:
        self.width, self.height, self.frame = width, height, frame
        pixels = bytearray(width * height * 4)
        pixels[0::4] = bytes([frame % 256]) * (width * height)  # blue channel = frame
        pixels[2::4] = bytes([200]) * (width * height)  # red channel
        self.raw_data = bytes(pixels)


class FakeLight:
    def __init__(self) -> None:
        self.state: Any = None
        self.frozen = False
        self.bounding_box = carla.BoundingBox(
            carla.Location(0, 0, 2), carla.Vector3D(0.3, 0.3, 2.0)
        )
        self.transform = carla.Transform(carla.Location(x=12.0, y=6.0), carla.Rotation())

    def set_state(self, state: Any) -> None:
        self.state = state

    def freeze(self, frozen: bool) -> None:
        self.frozen = frozen

    def get_transform(self) -> Any:
        return self.transform


class FakeSettings:
    synchronous_mode = False
    fixed_delta_seconds: float | None = None


class FakeWorld:
    def __init__(self, town: FakeMap, fail_ticks: int = 0, blocked: set[str] | None = None) -> None:
        self.map = town
        self.settings = FakeSettings()
        self.weather: Any = None
        self.frame = 100
        self.fail_ticks = fail_ticks
        self.blocked = blocked or set()
        self.spawned: list[FakeActor] = []
        self.destroyed: list[FakeActor] = []
        self.lights = {junction: [FakeLight()] for junction in (1, 2, 3, 6)}

    def check(self) -> None:
        if self.fail_ticks > 0:
            self.fail_ticks -= 1
            raise RuntimeError(
                "time-out of 2000ms while waiting for the simulator, make sure the simulator "
                "is ready and connected to localhost:2000"
            )

    def get_map(self) -> FakeMap:
        return self.map

    def get_settings(self) -> FakeSettings:
        return self.settings

    def apply_settings(self, settings: FakeSettings) -> int:
        self.settings = settings
        return self.frame

    def set_weather(self, weather: Any) -> None:
        self.weather = weather

    def get_blueprint_library(self) -> FakeLibrary:
        return FakeLibrary()

    def try_spawn_actor(self, blueprint: FakeBlueprint, transform: Any) -> FakeActor | None:
        if blueprint.attributes.get("role_name") in self.blocked:
            return None
        actor = FakeActor(self, blueprint, transform)
        self.spawned.append(actor)
        return actor

    def spawn_actor(
        self, blueprint: FakeBlueprint, transform: Any, attach_to: FakeActor
    ) -> FakeSensor:
        sensor = FakeSensor(self, blueprint, transform, attach_to)
        self.spawned.append(sensor)
        return sensor

    def tick(self) -> int:
        self.check()
        self.frame += 1
        for actor in self.spawned:
            if isinstance(actor, FakeSensor) and actor.callback is not None and actor.alive:
                attrs = actor.blueprint.attributes
                actor.callback(
                    FakeImage(int(attrs["image_size_x"]), int(attrs["image_size_y"]), self.frame)
                )
        return self.frame

    def get_traffic_lights_from_waypoint(self, waypoint: Any, distance: float) -> list[FakeLight]:
        for junction, road in ((1, 10), (2, 20), (3, 30), (6, 70)):
            if waypoint.road_id == road:
                return self.lights[junction]
        return []


class FakeTrafficManager:
    def __init__(self) -> None:
        self.synchronous, self.seed = False, None

    def set_synchronous_mode(self, mode: bool) -> None:
        self.synchronous = mode

    def set_random_device_seed(self, seed: int) -> None:
        self.seed = seed


class FakeServer:
    """What the fake clients connect to; ``up`` False makes every connection time out."""

    def __init__(self, world: FakeWorld, version: str = "0.9.16") -> None:
        self.world, self.version, self.up = world, version, True
        self.connections = 0
        self.manager = FakeTrafficManager()
        self.loaded: list[str] = []


def fake_carla(server: FakeServer) -> Any:
    """The real ``carla`` module's data classes with a Client that reaches ``server``."""

    class FakeClient:
        def __init__(self, host: str, port: int) -> None:
            self.host, self.port, self.timeout = host, port, None

        def set_timeout(self, seconds: float) -> None:
            self.timeout = seconds

        def get_server_version(self) -> str:
            if not server.up:
                raise RuntimeError(
                    f"time-out of 2000ms while waiting for the simulator ({self.host}:{self.port})"
                )
            server.connections += 1
            return server.version

        def get_client_version(self) -> str:
            return "0.9.16"

        def get_world(self) -> FakeWorld:
            return server.world

        def load_world(self, town: str) -> FakeWorld:
            server.loaded.append(town)
            server.world.map.name = f"Carla/Maps/{town}"
            return server.world

        def get_trafficmanager(self) -> FakeTrafficManager:
            return server.manager

    names = (
        "WeatherParameters",
        "Transform",
        "Location",
        "Rotation",
        "TrafficLightState",
        "LaneType",
    )
    return types.SimpleNamespace(Client=FakeClient, **{n: getattr(carla, n) for n in names})
