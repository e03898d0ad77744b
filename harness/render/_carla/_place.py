"""Poses in CARLA for the ego and every agent of a scene, at any time along the maneuver.

Relations map onto the road network like this (distances along lanes, offsets across):

- ``ahead_in_lane``: on the ego's lane, ``distance_m`` ahead along its waypoints;
- ``on_destination_crosswalk``: across the exit of the ego's link, where its crosswalk is,
  the offset (-4..4) spread over the exit road, facing across it;
- ``oncoming``: on the nearest lane of the other direction, ``distance_m`` ahead, facing
  the ego;
- ``in_target_lane``: on the lane the ego changes into, ``distance_m`` ahead;
- ``parked``: at the kerb right of the ego's lane;
- ``none``: ahead of the ego, offset as given.

Positive offsets are to the right and a positive heading turns clockwise, as CARLA's yaw
does (its frame is x forward, y right, z up). Moving agents advance along their heading.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from harness.render._carla._spawn import TURN_OF_MANEUVER, Approach
from scenarios import Agent, SceneGraph

STEP_M = 1.0
ROUTE_M = 120.0
LANE_CHANGE_S = 3.0
SPAWN_LIFT_M = 0.3  # above the road, so spawning does not collide with it


@dataclass(frozen=True)
class Pose:
    """A place and a heading in CARLA's frame."""

    x: float
    y: float
    z: float
    yaw: float

    def to_transform(self, carla: Any, lift: float = 0.0) -> Any:
        """A ``carla.Transform``."""
        return carla.Transform(
            carla.Location(x=self.x, y=self.y, z=self.z + lift), carla.Rotation(yaw=self.yaw)
        )


def pose_of(waypoint: Any, right_m: float = 0.0, turn_deg: float = 0.0) -> Pose:
    """A waypoint's pose, moved ``right_m`` to its right and turned by ``turn_deg``."""
    transform = waypoint.transform
    right = transform.get_right_vector()
    location = transform.location
    return Pose(
        location.x + right.x * right_m,
        location.y + right.y * right_m,
        location.z,
        transform.rotation.yaw + turn_deg,
    )


def ahead(waypoint: Any, distance_m: float) -> Any:
    """The waypoint ``distance_m`` along the lane (the first branch at a fork)."""
    if distance_m <= 0.05:
        return waypoint
    following = waypoint.next(distance_m)
    return following[0] if following else waypoint


def spawn_waypoint(approach: Approach, scene: SceneGraph) -> Any:
    """Where the ego stands: ``distance_to_junction_m`` before the junction, or the
    stretch's start on a straight road."""
    distance = scene.ego.distance_to_junction_m
    if approach.layout == "straight_road" or not distance:
        return approach.lane
    before = approach.lane.previous(distance)
    return before[0] if before else approach.lane


def route(approach: Approach, scene: SceneGraph, start: Any) -> list[Any]:
    """Waypoints every metre from ``start`` along the maneuver's link and beyond."""
    exit_point = approach.links.get(TURN_OF_MANEUVER[scene.maneuver])
    points, current = [start], start
    while len(points) * STEP_M < ROUTE_M:
        options = current.next(STEP_M)
        if not options:
            break
        if len(options) > 1 and exit_point is not None:
            options = sorted(options, key=lambda w: _distance(w, exit_point))
        current = options[0]
        points.append(current)
    return points


def ego_pose(scene: SceneGraph, points: list[Any], t: float) -> Pose:
    """The ego at time ``t``: along its route at its speed; lane changes drift across."""
    travelled = scene.ego.speed_mps * t
    index = min(round(travelled / STEP_M), len(points) - 1)
    shift = 0.0
    if scene.maneuver.startswith("lane_change"):
        progress = min(1.0, t / LANE_CHANGE_S)
        smooth = progress * progress * (3 - 2 * progress)
        side = -1.0 if scene.maneuver == "lane_change_left" else 1.0
        shift = side * float(points[index].lane_width) * smooth
    return pose_of(points[index], right_m=shift)


def agent_pose(scene: SceneGraph, agent: Agent, approach: Approach, start: Any, t: float) -> Pose:
    """Where ``agent`` stands at time ``t``."""
    base = _base_pose(scene, agent, approach, start)
    step = agent.speed_mps * t
    yaw = math.radians(base.yaw)
    return Pose(base.x + math.cos(yaw) * step, base.y + math.sin(yaw) * step, base.z, base.yaw)


def _base_pose(scene: SceneGraph, agent: Agent, approach: Approach, start: Any) -> Pose:
    relation = agent.relation
    if relation == "on_destination_crosswalk":
        exit_point = approach.links.get(TURN_OF_MANEUVER[scene.maneuver]) or start
        half = float(exit_point.lane_width) * max(1, approach.lanes)
        across = agent.lateral_offset_m / 4.0 * half
        facing = 90.0 if agent.heading_deg >= 0 else -90.0
        return pose_of(exit_point, right_m=across, turn_deg=facing)
    if relation == "oncoming":
        point = _other_direction(ahead(start, agent.distance_m))
        return pose_of(point, right_m=agent.lateral_offset_m)
    if relation == "in_target_lane":
        side = start.get_left_lane() if scene.maneuver == "lane_change_left" else None
        side = side or start.get_right_lane() or start
        return pose_of(ahead(side, agent.distance_m), agent.lateral_offset_m, agent.heading_deg)
    if relation == "parked":
        point = ahead(start, agent.distance_m)
        kerb = float(point.lane_width) / 2.0 + 1.0
        return pose_of(point, right_m=kerb + agent.lateral_offset_m, turn_deg=agent.heading_deg)
    point = ahead(start, agent.distance_m)
    return pose_of(point, right_m=agent.lateral_offset_m, turn_deg=agent.heading_deg)


def _other_direction(waypoint: Any) -> Any:
    """The nearest lane whose traffic runs the other way (the waypoint itself if none)."""
    current = waypoint.get_left_lane()
    for _ in range(8):
        if current is None:
            return waypoint
        if (int(current.lane_id) > 0) != (int(waypoint.lane_id) > 0):
            return current
        current = current.get_left_lane()
    return waypoint


def _distance(a: Any, b: Any) -> float:
    la, lb = a.transform.location, b.transform.location
    return math.hypot(la.x - lb.x, la.y - lb.y)
