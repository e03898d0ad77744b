"""The driving domain: a graph of what can occur together in a scene.

Nodes carry the vocabulary (maneuvers, road layouts, exits, agent kinds, relations,
traffic controls, weathers); edges say which combinations are valid:

- ``layout --has_exit--> exit`` and ``maneuver --uses_exit--> exit``: a right turn needs a
  junction with a right exit;
- ``layout --permits--> maneuver``;
- ``relation --admits--> agent_kind`` (only pedestrians and cyclists stand on a crosswalk);
- ``relation --needs--> maneuver`` (an agent in the target lane needs a lane change);
- ``layout --controlled_by--> control`` (lights and stop signs stand at junctions).

Scenario programs draw from these node sets, and :func:`scene_problems` checks any scene
against them.
"""

from __future__ import annotations

from functools import cache

from scenarios._graph import Graph, Node
from scenarios._scene import SceneGraph
from scenarios._weather import WEATHER_PRESETS

# kind: category, length, width, height (metres), typical speed range (m/s)
AGENT_SHAPES: dict[str, tuple[str, float, float, float, tuple[float, float]]] = {
    "car": ("vehicle", 4.5, 1.8, 1.5, (0.0, 16.0)),
    "truck": ("vehicle", 8.0, 2.5, 3.4, (0.0, 14.0)),
    "bus": ("vehicle", 12.0, 2.55, 3.2, (0.0, 13.0)),
    "motorcycle": ("vehicle", 2.2, 0.8, 1.4, (0.0, 17.0)),
    "cyclist": ("vulnerable", 1.8, 0.6, 1.7, (0.0, 7.0)),
    "pedestrian": ("vulnerable", 0.5, 0.6, 1.75, (0.0, 2.0)),
    "barrier": ("static", 0.6, 2.5, 1.0, (0.0, 0.0)),
    "cones": ("static", 0.4, 2.0, 0.7, (0.0, 0.0)),
}

_MANEUVER_EXITS: dict[str, tuple[str, ...]] = {
    "straight": ("straight",),
    "left_turn": ("left",),
    "right_turn": ("right",),
    "lane_change_left": ("straight",),
    "lane_change_right": ("straight",),
}
_LAYOUT_EXITS: dict[str, tuple[str, ...]] = {
    "straight_road": ("straight",),
    "four_way": ("left", "straight", "right"),
    "t_junction": ("left", "right"),
}
_RELATION_KINDS = {
    "ahead_in_lane": (
        "car",
        "truck",
        "bus",
        "motorcycle",
        "cyclist",
        "pedestrian",
        "barrier",
        "cones",
    ),
    "on_destination_crosswalk": ("pedestrian", "cyclist"),
    "oncoming": ("car", "truck", "bus", "motorcycle", "cyclist"),
    "parked": ("car", "truck", "bus", "motorcycle"),
    "in_target_lane": ("car", "truck", "bus", "motorcycle", "cyclist"),
    "none": ("car", "truck", "bus", "motorcycle", "cyclist", "pedestrian", "barrier", "cones"),
}
_RELATION_MANEUVERS = {
    "on_destination_crosswalk": ("left_turn", "right_turn"),
    "in_target_lane": ("lane_change_left", "lane_change_right"),
}
_CONTROLS = ("light_red", "light_yellow", "light_green", "stop_sign", "none")


@cache
def driving_domain() -> Graph:
    """The driving domain graph (built once per process)."""
    g = Graph()
    for exit_ in ("left", "straight", "right"):
        g.add_node(f"exit:{exit_}", "exit", direction=exit_)
    for maneuver, exits in _MANEUVER_EXITS.items():
        lanes = 2 if maneuver.startswith("lane_change") else 1
        g.add_node(maneuver, "maneuver", min_lanes=lanes)
        for exit_ in exits:
            g.add_edge(maneuver, f"exit:{exit_}", "uses_exit")
    for layout, exits in _LAYOUT_EXITS.items():
        g.add_node(layout, "road_layout", junction=layout != "straight_road")
        for exit_ in exits:
            g.add_edge(layout, f"exit:{exit_}", "has_exit")
    for layout, exits in _LAYOUT_EXITS.items():
        for maneuver, used in _MANEUVER_EXITS.items():
            lane_change = maneuver.startswith("lane_change")
            if set(used) <= set(exits) and (not lane_change or layout == "straight_road"):
                g.add_edge(layout, maneuver, "permits")
    for kind, (category, length, width, height, speeds) in AGENT_SHAPES.items():
        g.add_node(
            kind,
            "agent_kind",
            category=category,
            length_m=length,
            width_m=width,
            height_m=height,
            speed_range_mps=speeds,
        )
    for relation, kinds in _RELATION_KINDS.items():
        g.add_node(f"rel:{relation}", "relation", name=relation)
        for kind in kinds:
            g.add_edge(f"rel:{relation}", kind, "admits")
        for maneuver in _RELATION_MANEUVERS.get(relation, ()):
            g.add_edge(f"rel:{relation}", maneuver, "needs")
    for control in _CONTROLS:
        g.add_node(control, "traffic_control")
    for layout in _LAYOUT_EXITS:
        for control in _CONTROLS if layout != "straight_road" else ("none",):
            g.add_edge(layout, control, "controlled_by")
    for name, weather in WEATHER_PRESETS.items():
        g.add_node(name, "weather", **weather.carla_kwargs())
    return g


def layouts_permitting(maneuver: str) -> list[Node]:
    """Road layouts on which ``maneuver`` is possible."""
    return driving_domain().neighbours(maneuver, "permits", direction="in")


def exits_of(layout: str) -> tuple[str, ...]:
    """The exits of a road layout, in left-straight-right order."""
    return tuple(n["direction"] for n in driving_domain().neighbours(layout, "has_exit"))


def kinds_for(relation: str) -> list[Node]:
    """Agent kinds that may stand in ``relation`` to the ego's path."""
    return driving_domain().neighbours(f"rel:{relation}", "admits")


def controls_for(layout: str) -> list[Node]:
    """Traffic controls that may stand on ``layout``."""
    return driving_domain().neighbours(layout, "controlled_by")


def scene_problems(scene: SceneGraph) -> list[str]:
    """Every way ``scene`` breaks the domain's edges (empty when it is valid)."""
    g = driving_domain()
    problems: list[str] = []
    road = scene.road
    if not g.has_edge(road.layout, scene.maneuver, "permits"):
        problems.append(f"{road.layout} does not permit {scene.maneuver}")
    declared = exits_of(road.layout)  # each exit open, or closed by a building
    opened = tuple(e for e in declared if e not in road.blocked_exits)
    if tuple(road.exits) != opened or not set(road.blocked_exits) <= set(declared):
        problems.append(
            f"{road.layout} has exits {declared}, scene opens {road.exits} and blocks "
            f"{road.blocked_exits}"
        )
    needed_lanes = g.node(scene.maneuver)["min_lanes"]
    if road.lanes_per_direction < needed_lanes:
        problems.append(f"{scene.maneuver} needs {needed_lanes} lanes per direction")
    if road.is_junction != (scene.ego.distance_to_junction_m is not None):
        problems.append("distance_to_junction_m must be set exactly when there is a junction")
    if not g.has_edge(road.layout, scene.traffic_control.label, "controlled_by"):
        problems.append(f"{scene.traffic_control.label} cannot stand on {road.layout}")
    for agent in scene.agents:
        relation = f"rel:{agent.relation}"
        if not g.has_edge(relation, agent.kind, "admits"):
            problems.append(f"{agent.id}: a {agent.kind} cannot be {agent.relation}")
        needs = g.neighbours(relation, "needs")
        if needs and scene.maneuver not in {n.id for n in needs}:
            problems.append(f"{agent.id}: {agent.relation} needs one of {[n.id for n in needs]}")
        if agent.relation == "on_destination_crosswalk" and not road.is_junction:
            problems.append(f"{agent.id}: a crosswalk agent needs a junction")
    if scene.weather.name not in WEATHER_PRESETS:
        # custom weathers are allowed; only named ones must match their preset
        return problems
    if scene.weather != WEATHER_PRESETS[scene.weather.name]:
        problems.append(f"weather {scene.weather.name} differs from its preset")
    return problems
