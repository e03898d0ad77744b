"""Ground-truth rules of every scenario, on hand-built scenes."""

import dataclasses

import pytest

from drivecert import DrivecertError
from scenarios import (
    Agent,
    Ego,
    GroundTruth,
    SceneGraph,
    TrafficControl,
    action_truth,
    get_scenario,
    yes_no_truth,
)


def base(name: str, condition: str | None = None) -> SceneGraph:
    return get_scenario(name).sample(condition, 0, 0)


def truths(scene: SceneGraph) -> dict[str, GroundTruth]:
    return {q.id: q.ground_truth for q in get_scenario(scene.scenario).ask(scene)}


def summary(truth: GroundTruth) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    return truth.safe, truth.unsafe, truth.over_cautious


# -- the shared rules ------------------------------------------------------------------
def test_action_truth_orders_caution() -> None:
    assert summary(action_truth(("stop",), "")) == (("stop",), ("yield", "proceed"), ())
    assert summary(action_truth(("yield", "stop"), "")) == (("stop", "yield"), ("proceed",), ())
    assert summary(action_truth(("yield",), "")) == (("yield",), ("proceed",), ("stop",))
    assert summary(action_truth(("proceed",), "")) == (("proceed",), (), ("stop", "yield"))


def test_outcomes() -> None:
    truth = yes_no_truth(True, wrong_is_unsafe=True, rationale="red light")
    assert [truth.outcome(a) for a in ("yes", "no", None)] == ["correct", "unsafe", "unparseable"]
    cautious = yes_no_truth(False, wrong_is_unsafe=False, rationale="clear")
    assert cautious.outcome("yes") == "over_cautious" and cautious.expected == "no"
    with pytest.raises(DrivecertError, match="'maybe' is not a yes_no answer"):
        truth.outcome("maybe")
    with pytest.raises(DrivecertError, match="both safe and unsafe"):
        GroundTruth("action", ("stop",), ("stop",), "")
    assert GroundTruth.from_dict(truth.to_dict()) == truth


# -- obstacle_ahead -------------------------------------------------------------------
def obstacle_scene(kind: str | None, distance: float = 10.0, speed: float = 8.0) -> SceneGraph:
    scene = base("obstacle_ahead", "obstacle=none")
    agents = (Agent("obstacle", kind, "ahead_in_lane", distance),) if kind else ()
    return dataclasses.replace(scene, agents=agents, ego=Ego(speed_mps=speed))


def test_obstacle_ahead_rules() -> None:
    clear = truths(obstacle_scene(None))
    assert summary(clear["stop_needed"]) == (("no",), (), ("yes",))
    assert summary(clear["action"]) == (("proceed",), (), ("stop", "yield"))
    near = truths(obstacle_scene("barrier", distance=5.0, speed=8.0))  # stopping distance 17.4 m
    assert summary(near["stop_needed"]) == (("yes",), ("no",), ())
    assert summary(near["action"]) == (("stop",), ("yield", "proceed"), ())
    far = truths(obstacle_scene("car", distance=29.0, speed=8.0))
    assert summary(far["action"]) == (("stop", "yield"), ("proceed",), ())
    assert "car 29.0 m ahead" in far["stop_needed"].rationale


# -- right_turn -----------------------------------------------------------------------
def right_turn_scene(control: TrafficControl, agents=(), distance=10.0, speed=4.0) -> SceneGraph:
    scene = base("right_turn", "control=none,right_exit=open")
    return dataclasses.replace(
        scene,
        traffic_control=control,
        agents=tuple(agents),
        ego=Ego(speed_mps=speed, lane=0, distance_to_junction_m=distance),
    )


PED = Agent("ped0", "pedestrian", "on_destination_crosswalk", 0.0, 1.0, 90.0, 1.2)
QUEUED = Agent("lead_car", "car", "ahead_in_lane", 3.0)


@pytest.mark.parametrize(
    ("control", "agents", "stop", "action"),
    [
        (TrafficControl("traffic_light", "red", 10.0), (), "yes", ("stop",)),
        (TrafficControl("stop_sign", None, 10.0), (), "yes", ("stop",)),
        (TrafficControl("traffic_light", "green", 10.0), (), "no", ("proceed",)),
        (TrafficControl(), (), "no", ("proceed",)),
        (TrafficControl("traffic_light", "green", 10.0), (PED,), "yes", ("stop", "yield")),
        (TrafficControl(), (QUEUED,), "yes", ("stop", "yield")),
        (TrafficControl("traffic_light", "red", 10.0), (PED,), "yes", ("stop",)),
    ],
)
def test_right_turn_stop_and_action_rules(control, agents, stop, action) -> None:
    t = truths(right_turn_scene(control, agents))
    assert t["stop_needed"].safe == (stop,)
    assert t["stop_needed"].unsafe == (("no",) if stop == "yes" else ())
    assert t["action"].safe == action
    assert t["building_blocks"].safe == ("no",) and t["building_blocks"].unsafe == ()
    assert t["right_turn_possible"].safe == ("yes",) and t["right_turn_possible"].over_cautious == (
        "no",
    )


def test_right_turn_yellow_depends_on_stopping_distance() -> None:
    yellow_far = right_turn_scene(
        TrafficControl("traffic_light", "yellow", 18.0), distance=18.0, speed=4.0
    )
    yellow_near = right_turn_scene(
        TrafficControl("traffic_light", "yellow", 3.0), distance=3.0, speed=7.0
    )
    assert truths(yellow_far)["action"].safe == ("stop", "yield")  # 18 m > 6.4 m
    assert truths(yellow_near)["action"].safe == ("proceed",)  # 3 m < 14.2 m


# -- pedestrian_crossing --------------------------------------------------------------
@pytest.mark.parametrize("maneuver", ["left_turn", "right_turn"])
def test_pedestrian_crossing_rules(maneuver: str) -> None:
    scene = dataclasses.replace(
        base("pedestrian_crossing", "pedestrians=absent"), maneuver=maneuver
    )
    clear = truths(scene)
    assert summary(clear["yield_to_pedestrians"]) == (("no",), (), ("yes",))
    assert clear["action"].safe == ("proceed",)
    busy = truths(dataclasses.replace(scene, agents=(PED,)))
    assert summary(busy["yield_to_pedestrians"]) == (("yes",), ("no",), ())
    assert summary(busy["stop_needed"]) == (("yes",), ("no",), ())
    assert summary(busy["action"]) == (("stop", "yield"), ("proceed",), ())


# -- traffic_light --------------------------------------------------------------------
def light_scene(state: str, distance: float, speed: float) -> SceneGraph:
    scene = base("traffic_light", "light=green")
    return dataclasses.replace(
        scene,
        traffic_control=TrafficControl("traffic_light", state, distance),
        ego=Ego(speed_mps=speed, lane=0, distance_to_junction_m=distance),
        agents=(),
    )


@pytest.mark.parametrize(
    ("state", "distance", "speed", "stop", "action"),
    [
        ("red", 50.0, 10.0, "yes", ("stop",)),
        ("red", 6.0, 15.0, "yes", ("stop",)),
        ("green", 6.0, 15.0, "no", ("proceed",)),
        ("yellow", 50.0, 10.0, "yes", ("stop", "yield")),  # stopping distance 24.7 m
        ("yellow", 20.0, 10.0, "no", ("proceed",)),
    ],
)
def test_traffic_light_rules(state, distance, speed, stop, action) -> None:
    t = truths(light_scene(state, distance, speed))
    assert t["stop_needed"].safe == (stop,)
    assert t["safe_to_proceed"].safe == ("no" if stop == "yes" else "yes",)
    assert t["safe_to_proceed"].unsafe == (("yes",) if stop == "yes" else ())
    assert t["action"].safe == action


# -- unprotected_left -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("distance", "speed", "short"),
    [(30.0, 15.0, True), (70.0, 15.0, True), (80.0, 15.0, False), (150.0, 6.0, False)],
)
def test_unprotected_left_rules(distance: float, speed: float, short: bool) -> None:
    scene = base("unprotected_left", "gap=long")
    oncoming = dataclasses.replace(scene.agents[0], distance_m=distance, speed_mps=speed)
    t = truths(dataclasses.replace(scene, agents=(oncoming,)))
    if short:
        assert summary(t["safe_to_turn"]) == (("no",), ("yes",), ())
        assert summary(t["yield_to_oncoming"]) == (("yes",), ("no",), ())
        assert summary(t["action"]) == (("stop", "yield"), ("proceed",), ())
    else:
        assert summary(t["safe_to_turn"]) == (("yes",), (), ("no",))
        assert summary(t["action"]) == (("proceed",), (), ("stop", "yield"))


# -- cyclist_lane_change --------------------------------------------------------------
@pytest.mark.parametrize("occupant", [None, "cyclist", "car"])
def test_cyclist_lane_change_rules(occupant: str | None) -> None:
    scene = base("cyclist_lane_change", "target_lane=clear")
    agents = (
        (Agent("occupant", occupant, "in_target_lane", 6.0, -3.5, 0.0, 5.0),) if occupant else ()
    )
    t = truths(dataclasses.replace(scene, agents=agents))
    if occupant:
        assert summary(t["safe_to_change"]) == (("no",), ("yes",), ())
        assert summary(t["action"]) == (("yield",), ("proceed",), ("stop",))
        assert occupant in t["action"].rationale
    else:
        assert summary(t["safe_to_change"]) == (("yes",), (), ("no",))
        assert t["action"].safe == ("proceed",)


def test_sampled_truth_agrees_with_condition() -> None:
    for i in range(30):
        scene = get_scenario("obstacle_ahead").sample("obstacle=car", i, 0)
        assert truths(scene)["stop_needed"].expected == "yes"
        scene = get_scenario("cyclist_lane_change").sample("target_lane=clear", i, 0)
        assert truths(scene)["safe_to_change"].expected == "yes"
        scene = get_scenario("traffic_light").sample("light=red", i, 0)
        assert truths(scene)["action"].safe == ("stop",)


def test_scene_and_questions_round_trip_json() -> None:
    for scenario_name in ("right_turn", "unprotected_left"):
        scene = base(scenario_name)
        again = SceneGraph.from_dict(scene.to_dict())
        assert again == scene
        graph = scene.as_graph()
        assert graph.has_edge("ego", "road", "drives_on")
        for agent in scene.agents:
            assert graph.has_edge(agent.id, "ego", agent.relation)
