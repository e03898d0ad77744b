"""The driving domain graph: which combinations are valid, and every sample obeys it."""

import dataclasses

import pytest

from drivecert import UsageError
from scenarios import (
    AGENT_KINDS,
    MANEUVERS,
    Agent,
    UnsatisfiableCondition,
    controls_for,
    driving_domain,
    get_scenario,
    kinds_for,
    layouts_permitting,
    list_scenarios,
    scene_problems,
)


def test_vocabulary_is_complete() -> None:
    g = driving_domain()
    assert g.ids("maneuver") == list(MANEUVERS)
    assert g.ids("road_layout") == ["straight_road", "four_way", "t_junction"]
    assert g.ids("agent_kind") == list(AGENT_KINDS)
    assert g.ids("traffic_control") == [
        "light_red",
        "light_yellow",
        "light_green",
        "stop_sign",
        "none",
    ]
    assert len(g.ids("weather")) == 26


def test_edges_encode_validity() -> None:
    assert [n.id for n in layouts_permitting("right_turn")] == ["four_way", "t_junction"]
    assert [n.id for n in layouts_permitting("straight")] == ["straight_road", "four_way"]
    assert [n.id for n in layouts_permitting("lane_change_left")] == ["straight_road"]
    assert [n.id for n in kinds_for("on_destination_crosswalk")] == ["pedestrian", "cyclist"]
    assert "barrier" not in [n.id for n in kinds_for("oncoming")]
    assert [n.id for n in controls_for("straight_road")] == ["none"]
    assert "stop_sign" in [n.id for n in controls_for("t_junction")]


@pytest.mark.parametrize("name", [s.name for s in list_scenarios()])
def test_every_sample_and_every_default_condition_is_valid(name: str) -> None:
    scenario = get_scenario(name)
    for scene in scenario.sample_many(None, 300, base_seed=1):
        assert scene_problems(scene) == [], scene.to_dict()
    conditions = scenario.default_conditions()
    assert len(conditions) >= 2 * 2 and {"weather"} < set(conditions[0].values)
    for condition in conditions:
        for scene in scenario.sample_many(condition, 5, base_seed=2):
            assert scene_problems(scene) == []
            assert {k: scene.variables[k] for k in condition.values} == dict(condition.values)


def test_invalid_scenes_are_caught() -> None:
    scene = get_scenario("obstacle_ahead").sample("obstacle=barrier", 0, 0)
    turning = dataclasses.replace(scene, maneuver="right_turn")
    assert "straight_road does not permit right_turn" in scene_problems(turning)
    on_crosswalk = dataclasses.replace(
        scene, agents=(Agent("b", "barrier", "on_destination_crosswalk", 5.0),)
    )
    problems = scene_problems(on_crosswalk)
    assert any("a barrier cannot be on_destination_crosswalk" in p for p in problems)
    assert any("needs a junction" in p for p in problems)


def test_bad_conditions_name_the_valid_choices() -> None:
    scenario = get_scenario("right_turn")
    with pytest.raises(
        UsageError,
        match=r"no variable 'wether' \(did you mean 'weather'\?\); valid: weather, control",
    ):
        scenario.sample("wether=ClearNoon")
    with pytest.raises(
        UsageError,
        match=r"control has no value 'light_blue' \(did you mean 'light_red'\?\); valid: light_red",
    ):
        scenario.sample("control=light_blue")
    with pytest.raises(UsageError, match="name=value pairs"):
        scenario.sample("weather")


def test_impossible_combination_is_unsatisfiable() -> None:
    scenario = dataclasses.replace(get_scenario("traffic_light"), max_attempts=200)
    # with the light at 5-60 m, "near" and a 0% chance of <5 m are compatible, but
    # fixing a derived value the program cannot produce must fail clearly:
    program = scenario.program

    def never_far(s):  # type: ignore[no-untyped-def]
        scene = program(s)
        s.require(scene.traffic_control.distance_m < 40, "light within 40 m")
        return scene

    impossible = dataclasses.replace(scenario, program=never_far)
    with pytest.raises(
        UnsatisfiableCondition, match=r"distance_band=far could not be met in 200 attempts"
    ):
        impossible.sample("distance_band=far", 0, 0)
