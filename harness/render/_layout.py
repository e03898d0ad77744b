"""Where everything in a scene stands, in metres: the renderer-independent world layout.

World frame: x right, y forward along the ego's approach, z up; right-hand traffic. The
ego road's centre line is x = 0; the ego's direction has its lanes at x > 0, lane 0 by
the kerb. At t = 0 the camera's ground point is at (ego lane centre, 0).

Scene distances are measured from the camera along the ego's path: to an agent's near
face, to the stop line for junctions and controls. Scene headings follow CARLA (degrees,
positive turns right seen from above); world yaws here are counter-clockwise from +y.

Junction (when the road has one): the stop line is at y = D (the ego's distance to the
junction), the near crosswalk spans D + 1 .. D + 4, the junction box J0 .. J1 with
J0 = D + 4.5 and width 2R where R = lanes x lane width. Each arm has a crosswalk 0.5 m
to 3.5 m from the box. A T-junction has no far arm: a row of buildings closes it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from drivecert import DrivecertError
from scenarios import AGENT_SHAPES, Agent, SceneGraph

SIDEWALK_M = 3.0
BUILDING_SETBACK_M = 1.5  # from the back of the sidewalk to the building fronts
STRAIGHT_SHOULDER_M = 2.2  # parking shoulder on a straight road
JUNCTION_SHOULDER_M = 0.3
CROSSWALK_NEAR_M = 0.5
CROSSWALK_FAR_M = 3.5
STOP_LINE_TO_BOX_M = 4.5
LANE_CHANGE_S = 4.0
TURN_YAW_AT_START_DEG = 4.0

# Which arm's crosswalk a maneuver's destination crosswalk is.
_DESTINATION_ARM = {"right_turn": "east", "left_turn": "west", "straight": "north"}


@dataclass(frozen=True)
class Pose:
    """A ground pose: position (x, y) and yaw counter-clockwise from +y, in degrees."""

    x: float
    y: float
    yaw_deg: float

    def forward(self) -> tuple[float, float]:
        """Unit vector the pose faces."""
        a = math.radians(self.yaw_deg)
        return -math.sin(a), math.cos(a)


@dataclass(frozen=True)
class Placement:
    """One agent in the world at one instant.

    Attributes:
        agent: the scene's agent.
        pose: its footprint centre and yaw.
        size: (length, width, height) from the driving domain.
    """

    agent: Agent
    pose: Pose
    size: tuple[float, float, float]

    def corners(self) -> list[tuple[float, float, float]]:
        """The 8 corners of its bounding box in world coordinates."""
        length, width, height = self.size
        fx, fy = self.pose.forward()
        rx, ry = fy, -fx
        out = []
        for a in (-0.5, 0.5):
            for b in (-0.5, 0.5):
                x = self.pose.x + a * length * fx + b * width * rx
                y = self.pose.y + a * length * fy + b * width * ry
                out += [(x, y, 0.0), (x, y, height)]
        return out


@dataclass(frozen=True)
class RoadGeometry:
    """The static road: layout, widths and junction extents (y values absolute).

    Attributes:
        layout: the scene's road layout.
        lanes: lanes per direction (both roads of a junction).
        lane_width: lane width.
        half_width: R, the distance from the centre line to the edge of the outer lane.
        shoulder: asphalt beyond the outer lane before the kerb.
        stop_line_y: y of the ego's stop line (None on a straight road).
        box: (J0, J1), the y extent of the junction box (None on a straight road).
        exits: open exits; blocked: exits closed by a building.
    """

    layout: str
    lanes: int
    lane_width: float
    half_width: float
    shoulder: float
    stop_line_y: float | None
    box: tuple[float, float] | None
    exits: tuple[str, ...]
    blocked: tuple[str, ...]

    @property
    def kerb(self) -> float:
        """Distance from the centre line to the kerb."""
        return self.half_width + self.shoulder

    def lane_centre(self, lane: int) -> float:
        """x of the centre of the ego-direction lane ``lane`` (0 = kerb lane)."""
        return (self.lanes - lane - 0.5) * self.lane_width

    def crosswalk_centre(self, arm: str) -> tuple[float, float]:
        """Centre (x, y) of the crosswalk on ``arm`` (south = the ego's approach)."""
        if self.box is None:
            raise ValueError("a straight road has no crosswalks")
        j0, j1 = self.box
        mid = (CROSSWALK_NEAR_M + CROSSWALK_FAR_M) / 2
        centre_y = (j0 + j1) / 2
        return {
            "south": (0.0, j0 - mid),
            "north": (0.0, j1 + mid),
            "east": (self.half_width + mid, centre_y),
            "west": (-self.half_width - mid, centre_y),
        }[arm]


def road_geometry(scene: SceneGraph) -> RoadGeometry:
    """The road of ``scene`` in world coordinates."""
    road = scene.road
    half = road.lanes_per_direction * road.lane_width_m
    stop = scene.ego.distance_to_junction_m if road.is_junction else None
    if stop is None and road.is_junction:
        raise DrivecertError(
            f"scene {scene.scenario}#{scene.sample_index} has a junction but no "
            "ego.distance_to_junction_m; set it in the scenario's program"
        )
    box = (
        None if stop is None else (stop + STOP_LINE_TO_BOX_M, stop + STOP_LINE_TO_BOX_M + 2 * half)
    )
    return RoadGeometry(
        layout=road.layout,
        lanes=road.lanes_per_direction,
        lane_width=road.lane_width_m,
        half_width=half,
        shoulder=JUNCTION_SHOULDER_M if road.is_junction else STRAIGHT_SHOULDER_M,
        stop_line_y=stop,
        box=box,
        exits=road.exits,
        blocked=road.blocked_exits,
    )


def _smoothstep(u: float) -> float:
    u = min(max(u, 0.0), 1.0)
    return u * u * (3 - 2 * u)


def ego_pose(scene: SceneGraph, geometry: RoadGeometry, t: float = 0.0) -> Pose:
    """The camera's ground pose at time ``t`` seconds along the maneuver.

    At t = 0 the ego is in its approach lane; a turn within 5 m of the stop line has
    begun to steer, and a lane change has just started. Later poses follow the path at
    the ego's speed: straight on, a quarter circle through the junction, or a smooth
    lateral move of one lane over 4 s.
    """
    x0 = geometry.lane_centre(scene.ego.lane)
    travelled = scene.ego.speed_mps * t
    maneuver = scene.maneuver
    if maneuver.startswith("lane_change"):
        return _lane_change_pose(maneuver, x0, geometry.lane_width, scene.ego.speed_mps, t)
    if maneuver in ("right_turn", "left_turn") and geometry.box is not None:
        return _turn_pose(maneuver, x0, geometry, travelled)
    return Pose(x0, travelled, 0.0)


def _lane_change_pose(maneuver: str, x0: float, width: float, speed: float, t: float) -> Pose:
    side = 1.0 if maneuver == "lane_change_right" else -1.0
    u0 = 0.1  # the change has just started at t = 0
    u = u0 + t / LANE_CHANGE_S
    lateral = width * (_smoothstep(u) - _smoothstep(u0))
    rate = width * 6 * u * (1 - u) / LANE_CHANGE_S if u < 1 else 0.0
    yaw = -side * math.degrees(math.atan2(rate, max(speed, 1.0)))
    return Pose(x0 + side * lateral, speed * t, yaw)


def _turn_pose(maneuver: str, x0: float, geometry: RoadGeometry, travelled: float) -> Pose:
    assert geometry.box is not None
    j0 = geometry.box[0]
    if maneuver == "right_turn":  # kerb lane into the kerb lane of the right arm
        start_y, radius, side = j0 - 2.5, geometry.lane_width / 2 + 2.5, -1.0
    else:  # innermost lane into the innermost lane of the left arm
        start_y, radius, side = j0, geometry.half_width + geometry.lane_width / 2, 1.0
    if travelled <= start_y:  # steering builds up over the last 5 m before the arc
        ramp = max(0.0, 1.0 - (start_y - travelled) / 5.0)
        return Pose(x0, travelled, side * TURN_YAW_AT_START_DEG * ramp)
    arc = travelled - start_y
    angle = min(arc / radius, math.pi / 2)
    x = x0 - side * radius + side * radius * math.cos(angle)
    y = start_y + radius * math.sin(angle)
    beyond = arc - math.pi / 2 * radius
    if beyond > 0:
        x -= side * beyond
    return Pose(x, y, side * math.degrees(angle))


def agent_pose(scene: SceneGraph, geometry: RoadGeometry, agent: Agent, t: float = 0.0) -> Pose:
    """An agent's footprint centre and yaw at time ``t`` (it moves along its heading)."""
    length, width = AGENT_SHAPES[agent.kind][1], AGENT_SHAPES[agent.kind][2]
    if agent.relation == "on_destination_crosswalk" and geometry.box is not None:
        x, y, yaw = _crosswalk_spot(scene, geometry, agent)
    else:
        yaw = -agent.heading_deg
        a = math.radians(yaw)
        extent_y = abs(math.cos(a)) * length + abs(math.sin(a)) * width
        x = geometry.lane_centre(scene.ego.lane) + agent.lateral_offset_m
        y = agent.distance_m + extent_y / 2
    a = math.radians(yaw)
    step = agent.speed_mps * t
    return Pose(x - math.sin(a) * step, y + math.cos(a) * step, yaw)


def _crosswalk_spot(
    scene: SceneGraph, geometry: RoadGeometry, agent: Agent
) -> tuple[float, float, float]:
    """Position on the destination crosswalk; the offset runs along the crossing."""
    arm = _DESTINATION_ARM.get(scene.maneuver, "north")
    cx, cy = geometry.crosswalk_centre(arm)
    along = agent.lateral_offset_m / 4.0 * (geometry.half_width - 0.5)
    sign = 1.0 if agent.heading_deg >= 0 else -1.0
    if arm in ("east", "west"):  # crossing runs along y
        return cx, cy + along, 0.0 if sign > 0 else 180.0
    return cx + along, cy, -90.0 * sign


def placements(scene: SceneGraph, geometry: RoadGeometry, t: float = 0.0) -> list[Placement]:
    """Every agent's placement at time ``t``."""
    out = []
    for agent in scene.agents:
        _, length, width, height, _ = AGENT_SHAPES[agent.kind]
        out.append(Placement(agent, agent_pose(scene, geometry, agent, t), (length, width, height)))
    return out


@dataclass(frozen=True)
class ControlLayout:
    """Where the traffic control of the ego's approach stands.

    Attributes:
        kind: ``traffic_light``, ``stop_sign`` or ``none``.
        state: light colour, if a light.
        heads: centres (x, y, z) of signal heads facing the ego (one per mount).
        sign: centre (x, y, z) of the stop sign's face.
    """

    kind: str
    state: str | None
    heads: tuple[tuple[float, float, float], ...]
    sign: tuple[float, float, float] | None


LIGHT_HEAD_Z = (5.6, 3.2)  # overhead mast-arm head, kerb-side pole head
LAMP_OFFSETS_Z = {"red": 0.36, "yellow": 0.0, "green": -0.36}
LAMP_RADIUS_M = 0.15
HEAD_SIZE_M = (0.42, 0.3, 1.2)  # signal housing: width, depth, height
SIGN_RADIUS_M = 0.4  # stop sign octagon, centre to corner


def control_layout(scene: SceneGraph, geometry: RoadGeometry) -> ControlLayout:
    """The ego approach's traffic light heads or stop sign, in world coordinates."""
    control = scene.traffic_control
    if control.kind == "none" or geometry.box is None:
        return ControlLayout("none", None, (), None)
    stop = geometry.stop_line_y
    assert stop is not None
    kerb_x = geometry.kerb + 0.6
    if control.kind == "stop_sign":
        return ControlLayout("stop_sign", None, (), (kerb_x, stop, 2.2))
    far_y = geometry.box[1] + 0.8
    over_x = geometry.lane_centre(0) if geometry.lanes == 1 else geometry.half_width / 2
    heads = ((over_x, far_y, LIGHT_HEAD_Z[0]), (kerb_x, stop + 0.5, LIGHT_HEAD_Z[1]))
    return ControlLayout("traffic_light", control.state, heads, None)


def lamp_positions(layout: ControlLayout) -> list[tuple[float, float, float]]:
    """Centres of the lit lamps (one per head) of a traffic light."""
    if layout.kind != "traffic_light" or layout.state is None:
        return []
    dz = LAMP_OFFSETS_Z[layout.state]
    return [(x, y - 0.2, z + dz) for x, y, z in layout.heads]
