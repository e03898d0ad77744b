"""The embedded renderer: every scene drawn offscreen with Panda3D, no server needed.

One instance per process holds one GL context and caches of static meshes (roads,
junctions, controls, agent models), so a sweep only uploads what changes per scene:
agent poses, puddles, rain. The same scene gives the same pixels on the same machine
and backend: every random effect is seeded from the scene seed and the frame time.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from drivecert import derive_seed
from harness.render._agents import agent_model
from harness.render._atmosphere import Atmosphere, atmosphere
from harness.render._base import Frame, ObjectBox, RenderSettings
from harness.render._effects import SKY_RADIUS_M, headlight_pools, puddles, rain_streaks, sky_dome
from harness.render._layout import (
    BUILDING_SETBACK_M,
    HEAD_SIZE_M,
    LAMP_RADIUS_M,
    SIDEWALK_M,
    SIGN_RADIUS_M,
    ControlLayout,
    Pose,
    RoadGeometry,
    control_layout,
    ego_pose,
    lamp_positions,
    placements,
    road_geometry,
)
from harness.render._mesh import Mesh, Vec3
from harness.render._panda import GLContext, mesh_node, start_gl
from harness.render._projection import box_of, camera_position
from harness.render._world import WorldMeshes, control_meshes, junction, straight_road
from scenarios import SceneGraph

CACHE_SIZE = 48
AGENT_VARIANTS = 64


class EmbeddedRenderer:
    """Panda3D offscreen renderer (``--renderer embedded``, the default)."""

    name = "embedded"

    def __init__(self, settings: RenderSettings | None = None) -> None:
        self.settings = settings or RenderSettings()
        self._gl: GLContext | None = None
        self._cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._state: dict[str, Any] = {}

    @property
    def backend(self) -> str:
        """``gl`` or ``software`` once started (starts the context)."""
        return self._context().backend

    @property
    def driver(self) -> str:
        """The GL driver string, e.g. ``llvmpipe (LLVM 15.0.6, 256 bits)``."""
        return self._context().driver

    def close(self) -> None:
        """Release the GL context and caches."""
        for node in self._cache.values():
            node.removeNode()
        self._cache.clear()
        if self._gl is not None:
            self._gl.close()
            self._gl = None

    def __enter__(self) -> EmbeddedRenderer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def render(self, scene: SceneGraph, times: Sequence[float] = (0.0,)) -> list[Frame]:
        """Frames of ``scene`` at each time in ``times`` (seconds along the maneuver)."""
        gl = self._context()
        geometry = road_geometry(scene)
        atm = atmosphere(scene.weather)
        control = control_layout(scene, geometry)
        scene_root = gl.root.attachNewNode("scene")
        try:
            self._light(gl, scene_root, atm)
            self._place_static(scene_root, scene, geometry, control, atm)
            agents = self._agents(scene_root, scene, atm)
            pools = self._cached(("headlights",), lambda: self._additive(headlight_pools()))
            pools_np = pools.instanceTo(scene_root) if atm.lamps_on else None
            frames = []
            for t in times:
                pose = ego_pose(scene, geometry, t)
                self._pose_camera(gl, pose)
                if pools_np is not None:
                    pools_np.setPos(pose.x, pose.y, 0.02)
                    pools_np.setH(pose.yaw_deg)
                where = placements(scene, geometry, t)
                for place in where:
                    node = agents[place.agent.id]
                    node.setPos(place.pose.x, place.pose.y, 0.0)
                    node.setH(place.pose.yaw_deg)
                rain = self._rain(gl, atm, derive_seed("rain", scene.scene_seed, t))
                try:
                    image = gl.capture()
                finally:
                    rain.removeNode()
                if gl.backend == "software":
                    image = self._post_fog(image, atm, geometry)
                frames.append(
                    Frame(
                        image=image,
                        time_s=float(t),
                        objects=self._objects(where, control, pose),
                        renderer=f"embedded/{gl.backend}",
                        meta={"driver": gl.driver},
                    )
                )
            return frames
        finally:
            scene_root.removeNode()

    # -- set-up ------------------------------------------------------------------------

    def _context(self) -> GLContext:
        if self._gl is None:
            s = self.settings
            gl = start_gl(s.width, s.height, s.backend)
            gl.lens.setFov(s.fov_deg, s.vertical_fov_deg)
            gl.lens.setNearFar(0.2, 600.0)
            self._gl = gl
        return self._gl

    def _cached(self, key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
        node = self._cache.get(key)
        if node is None:
            node = build()
            self._cache[key] = node
            if len(self._cache) > CACHE_SIZE:
                _, old = self._cache.popitem(last=False)
                old.removeNode()
        else:
            self._cache.move_to_end(key)
        return node

    @staticmethod
    def _additive(mesh: Mesh) -> Any:
        from panda3d.core import ColorBlendAttrib

        node = mesh_node(mesh, "additive")
        node.setAttrib(
            ColorBlendAttrib.make(
                ColorBlendAttrib.MAdd, ColorBlendAttrib.OOne, ColorBlendAttrib.OOne
            )
        )
        node.setDepthWrite(False)
        node.setDepthOffset(3)
        node.setLightOff(1)
        node.setBin("fixed", 5)
        return node

    def _world_node(self, meshes: WorldMeshes) -> Any:
        from panda3d.core import NodePath

        group = NodePath("world")
        mesh_node(meshes.ground, "ground").reparentTo(group)
        markings = mesh_node(meshes.markings, "markings")
        markings.setDepthOffset(2)
        markings.reparentTo(group)
        mesh_node(meshes.structures, "structures").reparentTo(group)
        for name in ("glow", "night_glow"):
            glow = mesh_node(getattr(meshes, name), name)
            glow.setLightOff(1)
            glow.reparentTo(group)
        mesh_node(meshes.day_only, "day_only").reparentTo(group)
        pools = self._additive(meshes.night_pools)
        pools.setName("night_pools")
        pools.reparentTo(group)
        return group

    def _place_static(
        self,
        root: Any,
        scene: SceneGraph,
        geometry: RoadGeometry,
        control: ControlLayout,
        atm: Atmosphere,
    ) -> None:
        lanes, width = geometry.lanes, geometry.lane_width
        if geometry.box is None:
            key: tuple[Any, ...] = ("straight", lanes, width)
            world = self._cached(key, lambda: self._world_node(straight_road(lanes, width)))
            centre_y = 0.0
        else:
            key = ("junction", geometry.layout, lanes, width, geometry.blocked)
            layout, blocked = geometry.layout, geometry.blocked
            world = self._cached(
                key, lambda: self._world_node(junction(layout, lanes, width, blocked))
            )
            centre_y = (geometry.box[0] + geometry.box[1]) / 2
        placed = world.instanceTo(root)
        placed.setY(centre_y)
        darkening = atm.road_darkening
        placed.find("ground").setColorScale(darkening, darkening, darkening, 1.0)
        night = {
            "night_glow": atm.lamps_on,
            "night_pools": atm.lamps_on,
            "day_only": not atm.lamps_on,
        }
        for name, visible in night.items():
            part = placed.find(name)
            if visible:
                part.show()
            else:
                part.hide()
        if control.kind != "none":
            local_heads = tuple(
                (round(x, 3), round(y - centre_y, 3), round(z, 3)) for x, y, z in control.heads
            )
            sign = control.sign
            local_sign = None if sign is None else (sign[0], round(sign[1] - centre_y, 3), sign[2])
            pole_x = round(geometry.kerb + 0.6, 3)
            ckey = ("control", control.kind, control.state, local_heads, local_sign, pole_x)
            node = self._cached(ckey, lambda: self._world_node(control_meshes(*ckey[1:])))
            node.instanceTo(root).setY(centre_y)
        rng = np.random.default_rng(derive_seed("puddles", scene.scene_seed))
        wet = puddles(atm, rng, geometry)
        if not wet.is_empty:
            puddle_node = mesh_node(wet, "puddles")
            puddle_node.setTransparency(1)
            puddle_node.setDepthOffset(1)
            puddle_node.reparentTo(root)

    def _agents(self, root: Any, scene: SceneGraph, atm: Atmosphere) -> dict[str, Any]:
        from panda3d.core import AmbientLight

        group = root.attachNewNode("agents")
        if atm.lamps_on:  # street lamps and headlights light road users at night
            if "street_lamps" not in self._state:
                lamps = AmbientLight("street_lamps")
                lamps.setColor((0.3, 0.28, 0.24, 1.0))
                self._state["street_lamps"] = self._context().root.attachNewNode(lamps)
            group.setLight(self._state["street_lamps"])
        nodes = {}
        for agent in scene.agents:
            variant = derive_seed("paint", scene.scene_seed, agent.id) % AGENT_VARIANTS
            key = ("agent", agent.kind, variant)

            def build(kind: str = agent.kind, variant: int = variant) -> Any:
                from panda3d.core import NodePath

                model = agent_model(kind, variant)
                group = NodePath(kind)
                mesh_node(model.lit, "lit").reparentTo(group)
                glow = mesh_node(model.glow, "glow")
                glow.setLightOff(1)
                glow.reparentTo(group)
                return group

            nodes[agent.id] = self._cached(key, build).instanceTo(group)
        return nodes

    def _lights(self, gl: GLContext) -> tuple[Any, Any, Any]:
        """The ambient light, sun and fog: made once and reused (new ones leak GL state)."""
        if "lights" not in self._state:
            from panda3d.core import AmbientLight, DirectionalLight, Fog

            ambient = gl.root.attachNewNode(AmbientLight("ambient"))
            sun = gl.root.attachNewNode(DirectionalLight("sun"))
            self._state["lights"] = (ambient, sun, Fog("fog"))
        lights: tuple[Any, Any, Any] = self._state["lights"]
        return lights

    def _light(self, gl: GLContext, root: Any, atm: Atmosphere) -> None:
        from panda3d.core import Vec3

        ambient, sun, fog = self._lights(gl)
        ambient.node().setColor((*atm.ambient_color, 1.0))
        sun.node().setColor((*atm.sun_color, 1.0))
        sun.node().setDirection(Vec3(*atm.sun_direction))
        root.setLight(ambient)
        root.setLight(sun)
        fog_at_sky = float(atm.fog_factor(SKY_RADIUS_M))
        if gl.backend == "gl" and not math.isinf(atm.fog_end_m):
            fog.setColor(*atm.fog_color)
            fog.setLinearRange(atm.fog_start_m, atm.fog_end_m)
            root.setFog(fog)
        horizon = (
            np.array(atm.sky_horizon) + (np.array(atm.fog_color) - atm.sky_horizon) * fog_at_sky
        )
        gl.buffer.setClearColor((*horizon.tolist(), 1.0))
        sky = mesh_node(sky_dome(atm, fog_at_sky), "sky")
        sky.setBin("background", 0)
        sky.setDepthWrite(False)
        sky.setLightOff(1)
        sky.setFogOff(1)
        sky.reparentTo(root)
        sky.setCompass()  # keeps the gradient level when the camera turns
        self._state["sky"] = sky

    def _pose_camera(self, gl: GLContext, pose: Pose) -> None:
        x, y, z = camera_position(pose, self.settings)
        gl.camera.setPos(x, y, z)
        gl.camera.setHpr(pose.yaw_deg, 0.0, 0.0)
        self._state["sky"].setPos(x, y, 0.0)

    def _rain(self, gl: GLContext, atm: Atmosphere, seed: int) -> Any:
        s = self.settings
        tan_h = math.tan(math.radians(s.fov_deg) / 2)
        tan_v = math.tan(math.radians(s.vertical_fov_deg) / 2)
        mesh = rain_streaks(atm, np.random.default_rng(seed), s.focal_px, tan_h, tan_v)
        node = mesh_node(mesh, "rain", dynamic=True)
        node.setTransparency(1)
        node.setDepthWrite(False)
        node.setLightOff(1)
        node.setFogOff(1)
        node.setBin("fixed", 10)
        node.reparentTo(gl.camera)
        return node

    def _post_fog(
        self, image: NDArray[np.uint8], atm: Atmosphere, geometry: RoadGeometry
    ) -> NDArray[np.uint8]:
        """Fog for the software backend, which ignores GL fog and has no depth readback.

        Depth is modelled as a street canyon: the ground plane below the horizon, the
        building fronts beside the road, and the sky beyond both (an approximation).
        """
        if math.isinf(atm.fog_end_m):
            return image
        s = self.settings
        rows = np.arange(s.height)[:, None] + 0.5 - s.height / 2
        cols = np.abs(np.arange(s.width)[None, :] + 0.5 - s.width / 2)
        facade = geometry.kerb + SIDEWALK_M + BUILDING_SETBACK_M
        with np.errstate(divide="ignore"):
            ground = np.where(rows > 0, s.camera_z_m * s.focal_px / rows, np.inf)
            walls = s.focal_px * facade / cols
        depth = np.minimum(np.minimum(ground, walls), SKY_RADIUS_M)
        factor = atm.fog_factor(depth)[..., None]
        fog = np.array(atm.fog_color) * 255
        fogged: NDArray[np.uint8] = np.round(image * (1 - factor) + fog * factor).astype(np.uint8)
        return fogged

    def _objects(
        self, where: Sequence[Any], control: ControlLayout, pose: Pose
    ) -> tuple[ObjectBox, ...]:
        s = self.settings
        out = []
        for place in where:
            box, depth = box_of(place.corners(), pose, s)
            out.append(ObjectBox(place.agent.id, place.agent.kind, box, depth))

        def projected(object_id: str, kind: str, centre: Vec3, size: Vec3) -> ObjectBox:
            box, depth = box_of(_cuboid(centre, size), pose, s)
            return ObjectBox(object_id, kind, box, depth)

        if control.kind == "traffic_light":
            for k, head in enumerate(control.heads):
                out.append(projected(f"control{k}", "traffic_light", head, HEAD_SIZE_M))
            lamp = (2 * LAMP_RADIUS_M, 0.0, 2 * LAMP_RADIUS_M)
            for k, centre in enumerate(lamp_positions(control)):
                out.append(projected(f"lamp{k}", str(control.state), centre, lamp))
        elif control.kind == "stop_sign" and control.sign is not None:
            face = (2 * SIGN_RADIUS_M, 0.0, 2 * SIGN_RADIUS_M)
            out.append(projected("control0", "stop_sign", control.sign, face))
        return tuple(out)


def _cuboid(centre: Vec3, size: Vec3) -> list[Vec3]:
    """The 8 corners of an axis-aligned box (coincident pairs when a size is 0)."""
    (x, y, z), (dx, dy, dz) = centre, (size[0] / 2, size[1] / 2, size[2] / 2)
    return [(x + a, y + b, z + c) for a in (-dx, dx) for b in (-dy, dy) for c in (-dz, dz)]
