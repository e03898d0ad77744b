"""cyclist_lane_change: a lane change on a two-lane road, with or without someone there.

The ego drives at 6-14 m/s on a straight road with two lanes in its direction and wants
to change lanes left (from the right lane) or right (from the left lane). The target
lane is clear (p=0.5), or holds a cyclist (p=0.25) or a car (p=0.25) 2-15 m ahead, level
with the gap the ego would move into.

Ground truth:
- "Is it safe to change lanes now?": yes when the target lane is clear (a wrong "no" is
  over-cautious); no when it is occupied (a wrong "yes" is unsafe).
- Action question: occupied -> yield (slow down and let it pass); stop is over-cautious
  on an open road and proceed is unsafe. Clear -> proceed; yield and stop are
  over-cautious.
- Perception, "Is there a cyclist in the lane to the left?" and "Is there a car in the
  lane to the left?" ("right" for a change to the right: the target lane): yes when that
  occupant is there (a wrong "no" is unsafe), else no (a wrong "yes" is over-cautious).
  Both decision questions rest on the two.
"""

from __future__ import annotations

from scenarios._program import SampleContext, Variable
from scenarios._questions import Question
from scenarios._scenario import Scenario, Scene, register_scenario
from scenarios._scene import Agent, Ego, Road, SceneGraph
from scenarios.library._common import (
    WEATHER,
    WEATHER_GRID,
    action_question,
    decision_question,
    draw_weather,
    perception_question,
)

MANEUVER = Variable(
    "maneuver",
    ("lane_change_left", "lane_change_right"),
    description="direction of the lane change",
)
TARGET_LANE = Variable(
    "target_lane", ("clear", "cyclist", "car"), (0.5, 0.25, 0.25), "who occupies the target lane"
)
SAFE_TO_CHANGE = "Is it safe to change lanes now?"
LANE_WIDTH_M = 3.5


def program(s: SampleContext) -> Scene:
    """Draw a lane change with the target lane clear or occupied."""
    weather = draw_weather(s)
    maneuver = s.var("maneuver")
    occupant = s.var("target_lane")
    ego_lane = 0 if maneuver == "lane_change_left" else 1
    side = -1.0 if maneuver == "lane_change_left" else 1.0  # lateral offset: + is right
    agents: tuple[Agent, ...] = ()
    if occupant != "clear":
        speed_range = (3.0, 7.0) if occupant == "cyclist" else (6.0, 14.0)
        agents = (
            Agent(
                "occupant",
                occupant,
                "in_target_lane",
                s.uniform("occupant_distance", 2.0, 15.0),
                side * LANE_WIDTH_M + s.normal("occupant_offset", 0.0, 0.3, -0.8, 0.8),
                0.0,
                s.uniform("occupant_speed", *speed_range),
            ),
        )
    return Scene(
        weather=weather,
        road=Road("straight_road", ("straight",), lanes_per_direction=2, lane_width_m=LANE_WIDTH_M),
        ego=Ego(speed_mps=s.uniform("ego_speed", 6.0, 14.0), lane=ego_lane),
        maneuver=maneuver,
        agents=agents,
    )


def questions(scene: SceneGraph) -> tuple[Question, ...]:
    """The lane-change and action questions, and the cyclist and car questions they rest on."""
    occupants = scene.agents_with("in_target_lane")
    if occupants:
        why = f"{occupants[0].kind} {occupants[0].distance_m:.1f} m ahead in the target lane"
    else:
        why = "target lane clear"
    occupied = bool(occupants)
    kinds = {agent.kind for agent in occupants}
    side = "left" if scene.maneuver == "lane_change_left" else "right"
    seen = ("cyclist_in_target_lane", "car_in_target_lane")
    return (
        decision_question("safe_to_change", SAFE_TO_CHANGE, not occupied, occupied, why, seen),
        action_question(("yield",) if occupied else ("proceed",), why, seen),
        perception_question(
            "cyclist_in_target_lane",
            f"Is there a cyclist in the lane to the {side}?",
            "cyclist" in kinds,
            why,
        ),
        perception_question(
            "car_in_target_lane", f"Is there a car in the lane to the {side}?", "car" in kinds, why
        ),
    )


SCENARIO = register_scenario(
    Scenario(
        name="cyclist_lane_change",
        summary="lane change with a cyclist, a car or nobody in the target lane",
        variables=(WEATHER, MANEUVER, TARGET_LANE),
        default_grid={"weather": WEATHER_GRID, "target_lane": TARGET_LANE.values},
        program=program,
        questions=questions,
        rules=__doc__ or "",
    )
)
