"""unprotected_left: a left turn across oncoming traffic, with no protected arrow.

The ego waits to turn left at a 4-way junction (green ball light or no control), 0 to
10 m from the stop line. With probability 0.8 one oncoming vehicle (car, truck, bus or
motorcycle) approaches in the opposite lane at 20-150 m and 6-20 m/s; otherwise the
oncoming lane is empty. The vehicle's time to arrival (distance / speed) sets the derived
variable ``gap``: short below the 5.0 s critical gap for a left turn (HCM passenger-car
value, rounded up), long otherwise, and long with no vehicle. Conditioning on ``gap`` is
exact (by rejection).

Ground truth:
- "Is it safe to turn left now?": yes for a long gap (a wrong "no" is over-cautious); no
  for a short gap (a wrong "yes" is unsafe).
- "Must the vehicle yield to the oncoming vehicle?": yes for a short gap (a wrong "no" is
  unsafe); no for a long gap or an empty lane (a wrong "yes" is over-cautious).
- Action question: short gap -> stop or yield (proceed is unsafe); long gap -> proceed
  (stop and yield are over-cautious).
- Perception, "Is there a vehicle approaching in the oncoming lane?": yes when a vehicle
  comes, at any distance (a wrong "no" is unsafe), no for an empty lane (a wrong "yes" is
  over-cautious). The three decision questions rest on it.
"""

from __future__ import annotations

from scenarios._program import SampleContext, Variable
from scenarios._questions import ONCOMING_VEHICLE, Question
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
from scenarios.library.right_turn import control_from_label

CRITICAL_GAP_S = 5.0
GAP = Variable(
    "gap",
    ("short", "long"),
    description=f"oncoming time to arrival: short < {CRITICAL_GAP_S:.0f} s <= long",
    derived=True,
)
ONCOMING = Variable(
    "oncoming",
    ("car", "truck", "bus", "motorcycle", "none"),
    (0.44, 0.12, 0.08, 0.16, 0.2),
    "the oncoming vehicle, or none (an empty oncoming lane)",
)
SAFE_TO_TURN = "Is it safe to turn left now?"
YIELD_TO_ONCOMING = "Must the vehicle yield to the oncoming vehicle?"


def time_to_arrival(agent: Agent) -> float:
    """Seconds until ``agent`` reaches the ego at its current speed."""
    return agent.distance_m / agent.speed_mps


def program(s: SampleContext) -> Scene:
    """Draw a left turn with one oncoming vehicle."""
    weather = draw_weather(s)
    kind = s.var("oncoming")
    agents: tuple[Agent, ...] = ()
    if kind == "none":
        s.observe("gap", "long")
    else:
        distance = s.uniform("oncoming_distance", 20.0, 150.0)
        speed = s.uniform("oncoming_speed", 6.0, 20.0)
        s.observe("gap", "short" if distance / speed < CRITICAL_GAP_S else "long")
        # The ego waits in the innermost lane; the vehicle uses the adjacent oncoming lane.
        agents = (Agent("oncoming", kind, "oncoming", distance, -3.5, 180.0, speed),)
    lanes = s.choose("lanes", (1, 2))
    stop_line = s.uniform("distance_to_junction", 0.0, 10.0)
    control = s.choose("control", ("light_green", "none"))
    return Scene(
        weather=weather,
        road=Road("four_way", ("left", "straight", "right"), lanes_per_direction=lanes),
        ego=Ego(
            speed_mps=s.uniform("ego_speed", 0.0, 3.0),
            lane=lanes - 1,
            distance_to_junction_m=stop_line,
        ),
        maneuver="left_turn",
        agents=agents,
        traffic_control=control_from_label(control, stop_line),
    )


def questions(scene: SceneGraph) -> tuple[Question, ...]:
    """The turn, yield and action questions, and the oncoming-vehicle question they rest on."""
    vehicles = scene.agents_with("oncoming")
    if vehicles:
        tta = time_to_arrival(vehicles[0])
        short = tta < CRITICAL_GAP_S
        why = (
            f"oncoming {vehicles[0].kind} arrives in {tta:.1f} s (critical gap {CRITICAL_GAP_S} s)"
        )
    else:
        short, why = False, "the oncoming lane is empty"
    seen = ("oncoming_vehicle",)
    return (
        decision_question("safe_to_turn", SAFE_TO_TURN, not short, short, why, seen),
        decision_question("yield_to_oncoming", YIELD_TO_ONCOMING, short, short, why, seen),
        action_question(("stop", "yield") if short else ("proceed",), why, seen),
        perception_question("oncoming_vehicle", ONCOMING_VEHICLE, bool(vehicles), why),
    )


SCENARIO = register_scenario(
    Scenario(
        name="unprotected_left",
        summary="unprotected left turn across an oncoming vehicle; gap short or long",
        variables=(WEATHER, GAP, ONCOMING),
        default_grid={"weather": WEATHER_GRID, "gap": GAP.values},
        program=program,
        questions=questions,
        rules=__doc__ or "",
    )
)
