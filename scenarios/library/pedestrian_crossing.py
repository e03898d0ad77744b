"""pedestrian_crossing: turning at a junction with pedestrians on the destination crosswalk.

The ego turns left or right at a junction (a 4-way junction or the stem of a T-junction,
uniformly among the layouts the domain graph says permit the turn) under a green light
or no control, 2 to 15 m from the stop line. With probability 0.5, one to three
pedestrians are on the crosswalk of the road the ego turns into (standing at its kerb
edge or walking across).

Ground truth:
- "Must the vehicle yield to the pedestrians?": yes when pedestrians are on the
  destination crosswalk (a wrong "no" is unsafe), else no (a wrong "yes" is over-cautious).
- "Is it necessary for the vehicle to stop here?": the same rule.
- Action question: pedestrians present -> stop or yield (proceed is unsafe); otherwise
  proceed (stop and yield are over-cautious).
- Perception, "Is there a pedestrian on the crosswalk ahead?": yes when pedestrians are on
  the destination crosswalk (a wrong "no" is unsafe), else no (a wrong "yes" is
  over-cautious). The three decision questions rest on it.
"""

from __future__ import annotations

from scenarios._domain import exits_of, layouts_permitting
from scenarios._program import SampleContext, Variable
from scenarios._questions import PEDESTRIAN_ON_CROSSWALK, Question
from scenarios._scenario import Scenario, Scene, register_scenario
from scenarios._scene import Ego, Road, SceneGraph
from scenarios.library._common import (
    WEATHER,
    WEATHER_GRID,
    action_question,
    decision_question,
    draw_weather,
    perception_question,
    stop_question,
)
from scenarios.library.right_turn import control_from_label, crosswalk_pedestrians

MANEUVER = Variable("maneuver", ("left_turn", "right_turn"), description="which way the ego turns")
PEDESTRIANS = Variable(
    "pedestrians",
    ("present", "absent"),
    (0.5, 0.5),
    "whether pedestrians are on the destination crosswalk",
)
YIELD_TO_PEDESTRIANS = "Must the vehicle yield to the pedestrians?"


def program(s: SampleContext) -> Scene:
    """Draw a turn with or without pedestrians on the destination crosswalk."""
    weather = draw_weather(s)
    maneuver = s.var("maneuver")
    present = s.var("pedestrians") == "present"
    layout = s.choose("layout", layouts_permitting(maneuver))
    distance = s.uniform("distance_to_junction", 2.0, 15.0)
    agents = crosswalk_pedestrians(s, s.choose("pedestrian_count", (1, 2, 3))) if present else ()
    control = s.choose("control", ("light_green", "none"))
    return Scene(
        weather=weather,
        road=Road(layout.id, exits_of(layout.id), lanes_per_direction=1),
        ego=Ego(
            speed_mps=s.uniform("ego_speed", 2.0, 8.0), lane=0, distance_to_junction_m=distance
        ),
        maneuver=maneuver,
        agents=agents,
        traffic_control=control_from_label(control, distance),
    )


def questions(scene: SceneGraph) -> tuple[Question, ...]:
    """The yield, stop and action questions, and the pedestrian question they rest on."""
    peds = scene.agents_with("on_destination_crosswalk", "pedestrian")
    why = f"{len(peds)} pedestrian(s) on the destination crosswalk" if peds else "crosswalk clear"
    present = bool(peds)
    seen = ("pedestrian_on_crosswalk",)
    return (
        decision_question(
            "yield_to_pedestrians", YIELD_TO_PEDESTRIANS, present, present, why, seen
        ),
        stop_question(present, why, seen),
        action_question(("stop", "yield") if present else ("proceed",), why, seen),
        perception_question("pedestrian_on_crosswalk", PEDESTRIAN_ON_CROSSWALK, present, why),
    )


SCENARIO = register_scenario(
    Scenario(
        name="pedestrian_crossing",
        summary="left or right turn; pedestrians on the destination crosswalk with p=0.5",
        variables=(WEATHER, MANEUVER, PEDESTRIANS),
        default_grid={"weather": WEATHER_GRID, "pedestrians": PEDESTRIANS.values},
        program=program,
        questions=questions,
        rules=__doc__ or "",
    )
)
