"""The sampled scene: a small graph of ego, road, agents, traffic control and weather.

Every record is a frozen dataclass that round-trips through JSON (``to_dict`` /
``from_dict``). Distances are metres, speeds metres per second, angles degrees. Agent
positions are given relative to the ego's path: ``distance_m`` along it and
``lateral_offset_m`` across it (positive to the right).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from drivecert import DrivecertError
from scenarios._condition import Condition
from scenarios._graph import Graph
from scenarios._weather import Weather

MANEUVERS = ("straight", "left_turn", "right_turn", "lane_change_left", "lane_change_right")
ROAD_LAYOUTS = ("straight_road", "four_way", "t_junction")
AGENT_KINDS = ("car", "truck", "bus", "motorcycle", "cyclist", "pedestrian", "barrier", "cones")
RELATIONS = (
    "ahead_in_lane",
    "on_destination_crosswalk",
    "oncoming",
    "parked",
    "in_target_lane",
    "none",
)
CONTROL_KINDS = ("traffic_light", "stop_sign", "none")
LIGHT_STATES = ("red", "yellow", "green")
EXITS = ("left", "straight", "right")


def _check(value: str, valid: tuple[str, ...], what: str) -> None:
    if value not in valid:
        raise DrivecertError(f"unknown {what} {value!r}; valid: {', '.join(valid)}")


@dataclass(frozen=True)
class Road:
    """The road the ego drives on.

    Attributes:
        layout: ``straight_road``, ``four_way`` or ``t_junction`` (approached on the stem).
        exits: the directions a vehicle may leave the junction by (``straight`` only on a
            straight road).
        lanes_per_direction: lanes in the ego's direction (>= 2 allows lane changes).
        lane_width_m: lane width.
        speed_limit_mps: posted limit.
        blocked_exits: exits whose way is closed by a building (empty in a real junction).
    """

    layout: str
    exits: tuple[str, ...]
    lanes_per_direction: int = 1
    lane_width_m: float = 3.5
    speed_limit_mps: float = 13.9
    blocked_exits: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check(self.layout, ROAD_LAYOUTS, "road layout")
        for exit_ in (*self.exits, *self.blocked_exits):
            _check(exit_, EXITS, "exit")
        if self.lanes_per_direction < 1 or self.lane_width_m <= 0:
            raise DrivecertError("a road needs at least one lane of positive width")

    @property
    def is_junction(self) -> bool:
        """Whether the ego approaches a junction."""
        return self.layout != "straight_road"


@dataclass(frozen=True)
class Ego:
    """The ego vehicle (its camera sits at x=1.5 m, z=1.4 m in the renderers).

    Attributes:
        speed_mps: current speed.
        lane: lane index counted from the kerb, 0 = rightmost.
        distance_to_junction_m: distance to the stop line; None on a straight road.
    """

    speed_mps: float
    lane: int = 0
    distance_to_junction_m: float | None = None

    def __post_init__(self) -> None:
        if self.speed_mps < 0 or self.lane < 0:
            raise DrivecertError("ego speed and lane must be non-negative")


@dataclass(frozen=True)
class Agent:
    """A traffic participant or static obstacle, placed relative to the ego's path.

    Attributes:
        id: unique within the scene, e.g. ``"ped0"``.
        kind: one of ``AGENT_KINDS``.
        relation: how it relates to the ego's path, one of ``RELATIONS``.
        distance_m: distance along the ego's path (for crosswalk agents: to the crosswalk).
        lateral_offset_m: offset across the path, positive to the right.
        heading_deg: heading relative to the ego's (0 = same direction, 180 = oncoming).
        speed_mps: 0 when stationary.
    """

    id: str
    kind: str
    relation: str
    distance_m: float
    lateral_offset_m: float = 0.0
    heading_deg: float = 0.0
    speed_mps: float = 0.0

    def __post_init__(self) -> None:
        _check(self.kind, AGENT_KINDS, "agent kind")
        _check(self.relation, RELATIONS, "agent relation")
        if self.speed_mps < 0:
            raise DrivecertError(f"agent {self.id}: speed must be non-negative")

    @property
    def moving(self) -> bool:
        """Whether the agent moves."""
        return self.speed_mps > 0


@dataclass(frozen=True)
class TrafficControl:
    """What controls the ego's approach.

    Attributes:
        kind: ``traffic_light``, ``stop_sign`` or ``none``.
        state: light colour for a traffic light, else None.
        distance_m: distance from the ego to the stop line / sign.
    """

    kind: str = "none"
    state: str | None = None
    distance_m: float | None = None

    def __post_init__(self) -> None:
        _check(self.kind, CONTROL_KINDS, "traffic control")
        if self.kind == "traffic_light":
            _check(str(self.state), LIGHT_STATES, "light state")
        elif self.state is not None:
            raise DrivecertError(f"a {self.kind} has no light state")

    @property
    def label(self) -> str:
        """``light_red``, ``stop_sign``, ``none``..."""
        return f"light_{self.state}" if self.kind == "traffic_light" else self.kind


@dataclass(frozen=True)
class SceneGraph:
    """One sampled scene: one i.i.d. draw of its scenario under its condition.

    Attributes:
        scenario: scenario name.
        condition: the condition it was drawn under (empty = unconditioned).
        sample_index: index of this draw within the condition.
        base_seed: the run's base seed.
        scene_seed: the seed of this scene's random stream.
        attempts: program runs it took (rejection sampling).
        weather: the weather.
        road: the road.
        ego: the ego vehicle.
        maneuver: what the ego is doing, one of ``MANEUVERS``.
        agents: the other participants and obstacles.
        traffic_control: the control of the ego's approach.
        variables: the value of every condition variable in this scene.
        choices: every named random choice the program made (the trace).
    """

    scenario: str
    condition: Condition
    sample_index: int
    base_seed: int
    scene_seed: int
    attempts: int
    weather: Weather
    road: Road
    ego: Ego
    maneuver: str
    agents: tuple[Agent, ...] = ()
    traffic_control: TrafficControl = field(default_factory=TrafficControl)
    variables: dict[str, str] = field(default_factory=dict)
    choices: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _check(self.maneuver, MANEUVERS, "maneuver")
        ids = [a.id for a in self.agents]
        if len(ids) != len(set(ids)):
            raise DrivecertError(f"scene agents need unique ids, got {ids}")

    def agents_with(self, relation: str | None = None, kind: str | None = None) -> list[Agent]:
        """Agents filtered by relation and/or kind."""
        return [
            a
            for a in self.agents
            if (relation is None or a.relation == relation) and (kind is None or a.kind == kind)
        ]

    def as_graph(self) -> Graph:
        """The scene as a labelled graph (ego, road, control, weather, agents)."""
        g = Graph()
        g.add_node("ego", "ego", maneuver=self.maneuver, **asdict(self.ego))
        g.add_node("road", "road", **_plain(asdict(self.road)))
        g.add_node("weather", "weather", **self.weather.to_dict())
        g.add_node("control", "traffic_control", **asdict(self.traffic_control))
        g.add_edge("ego", "road", "drives_on")
        g.add_edge("ego", "weather", "under")
        g.add_edge("road", "control", "controlled_by")
        for agent in self.agents:
            g.add_node(agent.id, "agent", **asdict(agent))
            g.add_edge(agent.id, "ego", agent.relation, distance_m=agent.distance_m)
        return g

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "scenario": self.scenario,
            "condition": self.condition.to_dict(),
            "sample_index": self.sample_index,
            "base_seed": self.base_seed,
            "scene_seed": self.scene_seed,
            "attempts": self.attempts,
            "weather": self.weather.to_dict(),
            "road": _plain(asdict(self.road)),
            "ego": asdict(self.ego),
            "maneuver": self.maneuver,
            "agents": [asdict(a) for a in self.agents],
            "traffic_control": asdict(self.traffic_control),
            "variables": dict(self.variables),
            "choices": dict(self.choices),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SceneGraph:
        """Inverse of :meth:`to_dict`."""
        road = dict(data["road"])
        road["exits"] = tuple(road["exits"])
        road["blocked_exits"] = tuple(road["blocked_exits"])
        return cls(
            scenario=data["scenario"],
            condition=Condition.from_dict(data["condition"]),
            sample_index=data["sample_index"],
            base_seed=data["base_seed"],
            scene_seed=data["scene_seed"],
            attempts=data["attempts"],
            weather=Weather.from_dict(data["weather"]),
            road=Road(**road),
            ego=Ego(**data["ego"]),
            maneuver=data["maneuver"],
            agents=tuple(Agent(**a) for a in data["agents"]),
            traffic_control=TrafficControl(**data["traffic_control"]),
            variables=dict(data["variables"]),
            choices=dict(data["choices"]),
        )


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}
