"""``--renderer carla``: each scene graph realised in a CARLA world, one camera frame per time.

For a scene: the weather's 14 fields are set; the ego is spawned on an approach that
really allows its maneuver (``_spawn``); agents are placed by relation (``_place``) and
frozen; the approach's traffic lights are set to the scene's state and frozen (switched
off for a stop sign or no control); an RGB camera rides the ego at (1.5, 0, 1.4); the
world ticks once per frame time and the frame of that tick is taken. Every actor spawned
is destroyed afterwards, errors included.

A lost server (a time-out or a dropped connection) is not a failure of the sample: the
renderer reconnects with backoff, reloads the world and renders the same scene again.
After MAX_RECONNECTS failures it raises ``ServerLost`` and the run stops, keeping what it
stored. CARLA's own rendering is not bit-deterministic (carla#4446); the actors and their
poses are.
"""

from __future__ import annotations

import contextlib
import queue
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from drivecert import DrivecertError
from harness.render._base import Frame, RenderSettings
from harness.render._carla._camera import camera_mount, camera_transform, object_boxes, rgb
from harness.render._carla._connect import (
    DEFAULT_TOWN,
    START_HINT,
    Endpoint,
    ServerLost,
    connect,
    import_carla,
    prepare_world,
)
from harness.render._carla._place import (
    SPAWN_LIFT_M,
    agent_pose,
    ego_pose,
    route,
    spawn_waypoint,
)
from harness.render._carla._spawn import Approach, approaches, choose, straight_stretches
from scenarios import Agent, SceneGraph

MAX_RECONNECTS = 5
BACKOFF_S = (2.0, 4.0, 8.0, 16.0, 30.0)
EGO_BLUEPRINT = "vehicle.lincoln.mkz_2020"
BLUEPRINTS = {
    "car": "vehicle.tesla.model3",
    "truck": "vehicle.carlamotors.carlacola",
    "bus": "vehicle.mitsubishi.fusorosa",
    "motorcycle": "vehicle.yamaha.yzf",
    "cyclist": "vehicle.bh.crossbike",
    "pedestrian": "walker.pedestrian.0001",
    "barrier": "static.prop.streetbarrier",
    "cones": "static.prop.trafficcone01",
}
_LOST = ("time-out", "timeout", "timed out", "connection", "connect", "rpc")


def server_lost(error: BaseException) -> bool:
    """Whether a CARLA error means the server is gone (not that one call was refused)."""
    text = str(error).lower()
    return isinstance(error, RuntimeError) and any(word in text for word in _LOST)


class CarlaRenderer:
    """Renders scene graphs in a CARLA server (``drivecert run --renderer carla``).

    Args:
        settings: image size, field of view, camera mount, server and town.
        carla: the ``carla`` module (default: imported when opened).
        sleep: waits between reconnects (tests pass a no-op).
    """

    name = "carla"

    def __init__(
        self,
        settings: RenderSettings | None = None,
        carla: Any = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings or RenderSettings()
        self._carla = carla
        self._sleep = sleep
        self._endpoint = Endpoint.of(self.settings)
        self._client: Any = None
        self._world: Any = None
        self._candidates: dict[str, list[Approach]] = {}
        self.reconnects = 0

    # -- life ------------------------------------------------------------------------------
    def open(self) -> CarlaRenderer:
        """Connect to the server (one line naming host, port and how to start one if none)."""
        if self._carla is None:
            self._carla = import_carla()
        self._client = connect(self._carla, self._endpoint)
        return self

    @property
    def town(self) -> str:
        """The map scenes are rendered on."""
        return self.settings.town or DEFAULT_TOWN

    @property
    def backend(self) -> str:
        """``carla`` and the server's version."""
        return f"carla {self._client.get_server_version()}" if self._client else "carla"

    @property
    def driver(self) -> str:
        """The server and the town."""
        return f"{self._endpoint.host}:{self._endpoint.port} {self.town}"

    def close(self) -> None:
        """Give the server back in asynchronous mode."""
        if self._world is not None:
            try:
                world_settings = self._world.get_settings()
                world_settings.synchronous_mode = False
                self._world.apply_settings(world_settings)
            except RuntimeError:
                pass
        self._world = None

    # -- rendering -------------------------------------------------------------------------
    def render(self, scene: SceneGraph, times: Sequence[float] = (0.0,)) -> list[Frame]:
        """Frames of ``scene`` at each time; reconnects and retries if the server is lost.

        Raises:
            ServerLost: after MAX_RECONNECTS reconnects that did not bring it back.
            NoSpawn: when the town has no place for the scene.
        """
        if self._client is None:
            self.open()
        while True:
            try:
                return self._render_once(scene, times)
            except RuntimeError as error:
                if not server_lost(error):
                    raise DrivecertError(f"CARLA refused a call: {error}") from None
                self._reconnect(error)

    def _reconnect(self, error: BaseException) -> None:
        """Wait, connect again and reload the world; ServerLost after MAX_RECONNECTS."""
        while self.reconnects < MAX_RECONNECTS:
            self._sleep(BACKOFF_S[min(self.reconnects, len(BACKOFF_S) - 1)])
            self.reconnects += 1
            self._world = None
            try:
                self._client = connect(self._carla, self._endpoint)
                return
            except DrivecertError:
                continue
        raise ServerLost(
            f"lost the CARLA server at {self._endpoint.host}:{self._endpoint.port} "
            f"({str(error).splitlines()[0]}) and {MAX_RECONNECTS} reconnects failed; "
            f"restart it ({START_HINT}) and re-run the same command to resume"
        )

    def _prepared(self, scene: SceneGraph) -> Any:
        if self._world is None:
            self._world, _ = prepare_world(self._client, self.town, scene.base_seed)
            self._candidates.clear()
        return self._world

    def _approaches(self, world: Any, layout: str) -> list[Approach]:
        kind = "straight" if layout == "straight_road" else "junction"
        if kind not in self._candidates:
            find = straight_stretches if kind == "straight" else approaches
            self._candidates[kind] = find(self._carla, world)
        return self._candidates[kind]

    def _render_once(self, scene: SceneGraph, times: Sequence[float]) -> list[Frame]:
        world = self._prepared(scene)
        approach = choose(self._approaches(world, scene.road.layout), scene, self.town)
        world.set_weather(self._carla.WeatherParameters(**scene.weather.carla_kwargs()))
        staged = Staged(approach, spawn_waypoint(approach, scene))
        try:
            self._stage(world, scene, staged, times[0])
            return self._capture(world, scene, staged, times)
        finally:
            for actor in reversed(staged.spawned):
                with contextlib.suppress(RuntimeError):
                    actor.destroy()

    def _stage(self, world: Any, scene: SceneGraph, staged: Staged, t0: float) -> None:
        """Spawn the ego, its camera and the agents; set the lights (all go in ``staged``)."""
        library = world.get_blueprint_library()
        staged.points = route(staged.approach, scene, staged.start)
        ego_start = ego_pose(scene, staged.points, t0)
        staged.ego = self._spawn(world, library.find(EGO_BLUEPRINT), ego_start)
        staged.spawned.append(staged.ego)
        mount = camera_mount(self._carla, self.settings)
        blueprint = self._camera_blueprint(library)
        staged.camera = world.spawn_actor(blueprint, mount, attach_to=staged.ego)
        staged.spawned.append(staged.camera)
        for agent in scene.agents:
            pose = agent_pose(scene, agent, staged.approach, staged.start, t0)
            actor = self._spawn(world, library.find(BLUEPRINTS[agent.kind]), pose, agent.id)
            staged.spawned.append(actor)
            staged.agents.append((agent, actor))
        self._set_lights(staged.approach, scene)

    def _capture(
        self, world: Any, scene: SceneGraph, staged: Staged, times: Sequence[float]
    ) -> list[Frame]:
        """One tick and one camera frame per time, everyone moved to their pose first."""
        carla, settings = self._carla, self.settings
        images: queue.Queue[Any] = queue.Queue()
        staged.camera.listen(images.put)
        meta = {
            "town": self.town,
            "junction": staged.approach.junction,
            "road": int(staged.start.road_id),
            "lane": int(staged.start.lane_id),
        }
        frames = []
        for t in times:
            ego = ego_pose(scene, staged.points, t).to_transform(carla, SPAWN_LIFT_M)
            staged.ego.set_transform(ego)
            for agent, actor in staged.agents:
                pose = agent_pose(scene, agent, staged.approach, staged.start, t)
                actor.set_transform(pose.to_transform(carla, SPAWN_LIFT_M))
            image = self._image(images, world.tick())
            seen = [(agent.id, agent.kind, actor) for agent, actor in staged.agents]
            seen += [("control", "traffic_light", light) for light in staged.approach.light[:1]]
            camera = camera_transform(carla, ego, settings)
            frames.append(
                Frame(rgb(image), float(t), object_boxes(seen, camera, settings), "carla", meta)
            )
        staged.camera.stop()
        return frames

    def _camera_blueprint(self, library: Any) -> Any:
        blueprint = library.find("sensor.camera.rgb")
        blueprint.set_attribute("image_size_x", str(self.settings.width))
        blueprint.set_attribute("image_size_y", str(self.settings.height))
        blueprint.set_attribute("fov", str(self.settings.fov_deg))
        return blueprint

    def _spawn(self, world: Any, blueprint: Any, pose: Any, what: str = "ego") -> Any:
        if blueprint.has_attribute("role_name"):
            blueprint.set_attribute("role_name", what)
        actor = world.try_spawn_actor(blueprint, pose.to_transform(self._carla, SPAWN_LIFT_M))
        if actor is None:
            raise DrivecertError(
                f"CARLA could not place {what} at ({pose.x:.1f}, {pose.y:.1f}) in {self.town} "
                "(something is in the way)"
            )
        actor.set_simulate_physics(False)
        return actor

    def _set_lights(self, approach: Approach, scene: SceneGraph) -> None:
        control = scene.traffic_control
        states = self._carla.TrafficLightState
        state = {"red": states.Red, "yellow": states.Yellow, "green": states.Green}.get(
            str(control.state), states.Off
        )
        for light in approach.light:
            light.set_state(state if control.kind == "traffic_light" else states.Off)
            light.freeze(True)

    def _image(self, images: queue.Queue[Any], tick: int) -> Any:
        deadline = time.monotonic() + self._endpoint.timeout_s
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeError(f"time-out waiting for the camera frame of tick {tick}")
            try:
                image = images.get(timeout=remaining)
            except queue.Empty:
                continue
            if int(image.frame) >= int(tick):
                return image


@dataclass
class Staged:
    """What one scene put into the world (destroyed when it is done)."""

    approach: Approach
    start: Any
    points: list[Any] = field(default_factory=list)
    ego: Any = None
    camera: Any = None
    agents: list[tuple[Agent, Any]] = field(default_factory=list)
    spawned: list[Any] = field(default_factory=list)


def open_carla(settings: RenderSettings) -> CarlaRenderer:
    """Connect a CARLA renderer (the registry's opener)."""
    return CarlaRenderer(settings).open()
