"""Where the ego starts: an approach to a junction whose lanes really allow the maneuver.

A junction's connecting lanes (``Junction.get_waypoints``) link each incoming lane to an
exit. The turn of a link is read from the heading change between its start and its end:
CARLA's frame is left-handed (x forward, y right, z up), so a yaw that grows by about 90
degrees turns right and one that shrinks by about 90 turns left. An approach is a
four-way one when its road can go left, straight and right, the stem of a T when it can
go left and right but not straight. The ego's lane must itself carry the maneuver's link
(a right turn from the rightmost lane), so a label is never put on a lane that cannot
turn. Among the approaches that fit, the scene's seed picks one, so the same scene starts
at the same place.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Literal

from drivecert import UsageError, derive_seed
from harness.render._base import RendererUnavailable
from scenarios import SceneGraph

Turn = Literal["left", "straight", "right"]
TURN_OF_MANEUVER: dict[str, Turn] = {
    "right_turn": "right",
    "left_turn": "left",
    "straight": "straight",
    "lane_change_left": "straight",
    "lane_change_right": "straight",
}
STOP_SIGN_TYPE = "206"  # OpenDRIVE signal type of a stop sign
LIGHT_SEARCH_M = 30.0
STRAIGHT = -1  # the junction id of a stretch of straight road
#: A straight stretch must run this far without a junction (agents stand up to ~40 m).
STRAIGHT_LENGTH_M = 60.0


class NoSpawn(RendererUnavailable, UsageError):
    """The town has no place that fits the scene (e.g. no stop-sign approach)."""


def turn_of(entry_yaw: float, exit_yaw: float) -> Turn | None:
    """The turn a link makes, from the yaw (degrees) at its start and at its end."""
    delta = (exit_yaw - entry_yaw + 180.0) % 360.0 - 180.0
    if abs(delta) <= 30.0:
        return "straight"
    if 45.0 <= delta <= 135.0:
        return "right"
    if -135.0 <= delta <= -45.0:
        return "left"
    return None


@dataclass
class Approach:
    """One incoming lane of a junction and the links it carries.

    Attributes:
        junction: the junction's id.
        lane: the incoming lane's waypoint at the junction's edge.
        links: turn -> the exit waypoint (end of the connecting lane) for this lane.
        road_turns: every turn the incoming road offers, over all its lanes.
        from_kerb: the lane's index counted from the kerb (0 = rightmost driving lane).
        lanes: driving lanes of the road in this direction.
        light: the approach's traffic lights (empty when it has none).
        stop_sign: a stop sign stands on the incoming road.
    """

    junction: int
    lane: Any
    links: dict[Turn, Any]
    road_turns: set[Turn] = field(default_factory=set)
    from_kerb: int = 0
    lanes: int = 1
    light: list[Any] = field(default_factory=list)
    stop_sign: bool = False

    @property
    def key(self) -> tuple[int, int, int]:
        """A stable order: junction, road, lane."""
        return (self.junction, int(self.lane.road_id), int(self.lane.lane_id))

    @property
    def layout(self) -> str:
        """``four_way``, ``t_junction`` (the stem), ``straight_road`` or ``other``."""
        if self.junction == STRAIGHT:
            return "straight_road"
        if {"left", "straight", "right"} <= self.road_turns:
            return "four_way"
        if {"left", "right"} <= self.road_turns and "straight" not in self.road_turns:
            return "t_junction"
        return "other"


def approaches(carla: Any, world: Any) -> list[Approach]:
    """Every incoming lane of every junction of the world's map, in a stable order."""
    town = world.get_map()
    junctions: dict[int, Any] = {}
    for start, end in town.get_topology():
        for point in (start, end):
            if point.is_junction:
                junction = point.get_junction()
                junctions.setdefault(int(junction.id), junction)
    stops = {int(m.waypoint.road_id) for m in town.get_all_landmarks_of_type(STOP_SIGN_TYPE)}
    found: dict[tuple[int, int, int], Approach] = {}
    turns_by_road: dict[tuple[int, int, bool], set[Turn]] = defaultdict(set)
    for junction_id in sorted(junctions):
        for start, end in junctions[junction_id].get_waypoints(carla.LaneType.Driving):
            turn = turn_of(start.transform.rotation.yaw, end.transform.rotation.yaw)
            before = start.previous(0.5)
            if turn is None or not before:
                continue
            lane = before[0]
            key = (junction_id, int(lane.road_id), int(lane.lane_id))
            approach = found.setdefault(key, Approach(junction_id, lane, {}))
            approach.links.setdefault(turn, end)
            turns_by_road[(junction_id, int(lane.road_id), int(lane.lane_id) > 0)].add(turn)
    for approach in found.values():
        lane = approach.lane
        road = (approach.junction, int(lane.road_id), int(lane.lane_id) > 0)
        approach.road_turns = turns_by_road[road]
        approach.from_kerb = _from_kerb(lane, carla)
        approach.lanes = _lanes(lane, carla)
        approach.light = list(world.get_traffic_lights_from_waypoint(lane, LIGHT_SEARCH_M))
        approach.stop_sign = int(lane.road_id) in stops
    return [found[key] for key in sorted(found)]


def straight_stretches(carla: Any, world: Any) -> list[Approach]:
    """Lanes that run STRAIGHT_LENGTH_M ahead without a junction, in a stable order."""
    found: dict[tuple[int, int, int], Approach] = {}
    for start, _ in world.get_map().get_topology():
        if start.is_junction:
            continue
        ahead, travelled = start, 0.0
        while travelled < STRAIGHT_LENGTH_M:
            following = ahead.next(5.0)
            if not following or following[0].is_junction:
                break
            yaws = (ahead.transform.rotation.yaw, following[0].transform.rotation.yaw)
            if turn_of(*yaws) != "straight":
                break
            ahead, travelled = following[0], travelled + 5.0
        if travelled < STRAIGHT_LENGTH_M:
            continue
        key = (STRAIGHT, int(start.road_id), int(start.lane_id))
        stretch = Approach(STRAIGHT, start, {"straight": ahead}, {"straight"})
        stretch.from_kerb = _from_kerb(start, carla)
        stretch.lanes = _lanes(start, carla)
        found.setdefault(key, stretch)
    return [found[key] for key in sorted(found)]


def _same_direction(lane: Any, other: Any, carla: Any) -> bool:
    return (
        other is not None
        and other.lane_type == carla.LaneType.Driving
        and (int(other.lane_id) > 0) == (int(lane.lane_id) > 0)
    )


def _from_kerb(lane: Any, carla: Any) -> int:
    """How many driving lanes of the same direction lie to the lane's right."""
    count, right = 0, lane.get_right_lane()
    while _same_direction(lane, right, carla) and count < 8:
        count += 1
        right = right.get_right_lane()
    return count


def _lanes(lane: Any, carla: Any) -> int:
    """Driving lanes of the road in the lane's direction."""
    count, left = 1, lane.get_left_lane()
    while _same_direction(lane, left, carla) and count < 8:
        count += 1
        left = left.get_left_lane()
    right = lane.get_right_lane()
    while _same_direction(lane, right, carla) and count < 8:
        count += 1
        right = right.get_right_lane()
    return count


def fits(approach: Approach, scene: SceneGraph) -> bool:
    """Whether the approach can carry the scene: layout, the ego lane's own link (or, for a
    blocked exit, no such exit from its road), lane, control."""
    road = scene.road
    turn = TURN_OF_MANEUVER[scene.maneuver]
    if turn in road.blocked_exits:  # a junction whose road has no such exit at all, but the
        if turn in approach.road_turns or not set(road.exits) <= approach.road_turns:
            return False  # others; the town's buildings stand where the exit would be
    elif approach.layout != road.layout or turn not in approach.links:
        return False  # the ego's own lane must make the maneuver
    if approach.from_kerb != scene.ego.lane:  # the ego's own lane, counted from the kerb
        return False
    if scene.maneuver.startswith("lane_change") and approach.lanes < 2:
        return False
    control = scene.traffic_control.kind
    if control == "traffic_light":
        return bool(approach.light)
    if control == "stop_sign":
        return approach.stop_sign
    return True


def choose(candidates: list[Approach], scene: SceneGraph, town: str) -> Approach:
    """The approach the scene's seed picks, preferring the scene's lane count.

    Raises:
        NoSpawn: naming the town and what was asked for, when nothing fits.
    """
    fitting = [a for a in candidates if fits(a, scene)]
    if not fitting:
        raise NoSpawn(
            f"{town} has no {scene.road.layout} approach whose lane can {scene.maneuver} with "
            f"control {scene.traffic_control.label}; choose another town (--carla-town)"
        )
    same_lanes = [a for a in fitting if a.lanes == scene.road.lanes_per_direction]
    pool = same_lanes or fitting
    return pool[derive_seed("carla-spawn", scene.scene_seed) % len(pool)]
