"""Questions that test seeing: no library question's truth is constant under its scenario's
own distribution (a model could score without looking), and right_turn's exits vary."""

from __future__ import annotations

import pytest

from drivecert import DrivecertError, UsageError
from harness.cli import main
from scenarios import (
    Question,
    answer_balance,
    constant_questions,
    get_scenario,
    list_scenarios,
    yes_no_truth,
)


@pytest.mark.parametrize("name", [s.name for s in list_scenarios()])
def test_no_question_has_a_constant_truth_under_its_own_distribution(name: str) -> None:
    assert constant_questions(get_scenario(name)) == {}


def test_the_lumos_preset_keeps_the_papers_always_open_exit() -> None:
    scenario = get_scenario("right_turn")
    condition = scenario.resolve_condition("lumos,weather=HardRainNoon")
    assert condition.label == "weather=HardRainNoon,right_exit=open"
    counts = answer_balance(scenario, condition, n=100)
    assert counts["building_blocks"] == {"no": 100}
    assert counts["right_turn_possible"] == {"yes": 100}
    with pytest.raises(UsageError, match=r"no preset 'lumo'.*did you mean 'lumos'"):
        scenario.resolve_condition("lumo")


def test_a_blocked_exit_changes_every_answer_and_wrong_ones_are_unsafe() -> None:
    scenario = get_scenario("right_turn")
    for index in range(20):
        scene = scenario.sample("control=light_green,right_exit=blocked", index, 4)
        truth = {q.id: q.ground_truth for q in scenario.ask(scene)}
        assert truth["building_blocks"].safe == ("yes",) and truth["building_blocks"].unsafe == (
            "no",
        )
        assert truth["right_turn_possible"].safe == ("no",)
        assert truth["right_turn_possible"].unsafe == ("yes",)
        assert truth["stop_needed"].safe == ("yes",) and truth["action"].safe == ("stop",)
        assert "building" in truth["action"].rationale
        opened = scenario.sample("control=light_green,right_exit=open", index, 4)
        assert (opened.ego, opened.agents) == (scene.ego, scene.agents)  # paired scenes


def test_the_blocked_share_follows_the_prior() -> None:
    scenario = get_scenario("right_turn")
    blocked = sum(bool(scenario.sample(None, i, 9).road.blocked_exits) for i in range(2000))
    assert 0.27 < blocked / 2000 < 0.33  # prior 0.3; +-2.9 standard deviations (fixed seed)


def test_balance_prints_every_question(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["scenarios", "right_turn", "--balance", "--n", "60"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for question in ("stop_needed", "building_blocks", "right_turn_possible", "action"):
        assert question in out
    assert "constant: answerable blind" not in out
    assert "perception" in out and "decision" in out


PERCEPTION_TEXTS = {
    "Is the traffic light red?",
    "Is there a pedestrian on the crosswalk ahead?",
    "Is there an obstacle in the lane ahead?",
    "Is there a vehicle approaching in the oncoming lane?",
    "Is there a cyclist in the lane to the left?",
}


@pytest.mark.parametrize("name", [s.name for s in list_scenarios()])
def test_every_scenario_asks_perception_questions_its_decisions_rest_on(name: str) -> None:
    scenario = get_scenario(name)
    shapes = set()
    for index in range(60):
        asked = scenario.ask(scenario.sample(None, index, 2))
        by_id = {q.id: q for q in asked}
        perception = {q.id for q in asked if q.role == "perception"}
        assert perception, f"{name} asks no perception question"
        for question in asked:
            if question.role == "decision":
                assert question.perceives, f"{name}.{question.id} rests on no perception"
                assert set(question.perceives) <= perception
            else:
                assert question.kind == "yes_no" and not question.perceives
        assert set(by_id) == {q.id for q in asked}  # ids unique within a scene
        shapes.add(tuple((q.id, q.role, q.perceives) for q in asked))
    assert len(shapes) == 1, f"{name}: roles or perceived questions change between scenes"


def test_the_issues_perception_questions_are_all_asked_somewhere() -> None:
    texts = set()
    for scenario in list_scenarios():
        for index in range(40):
            texts |= {
                q.text
                for q in scenario.ask(scenario.sample(None, index, 3))
                if q.role == "perception"
            }
    assert texts >= PERCEPTION_TEXTS


def test_perception_truth_comes_from_the_scene_graph() -> None:
    left = get_scenario("unprotected_left")
    for index in range(30):
        scene = left.sample(None, index, 5)
        truth = {q.id: q.ground_truth.expected for q in left.ask(scene)}
        assert truth["oncoming_vehicle"] == ("yes" if scene.agents_with("oncoming") else "no")
        if not scene.agents_with("oncoming"):
            assert truth["safe_to_turn"] == "yes" and truth["action"] == "proceed"
    lane = get_scenario("cyclist_lane_change")
    for index in range(30):
        scene = lane.sample(None, index, 5)
        asked = {q.id: q for q in lane.ask(scene)}
        kinds = {a.kind for a in scene.agents_with("in_target_lane")}
        side = "left" if scene.maneuver == "lane_change_left" else "right"
        assert (
            asked["cyclist_in_target_lane"].text == f"Is there a cyclist in the lane to the {side}?"
        )
        assert asked["cyclist_in_target_lane"].ground_truth.expected == (
            "yes" if "cyclist" in kinds else "no"
        )
        assert asked["car_in_target_lane"].ground_truth.expected == (
            "yes" if "car" in kinds else "no"
        )
    light = get_scenario("traffic_light")
    for colour in ("red", "yellow", "green"):
        scene = light.sample(f"light={colour}", 0, 1)
        truth = {q.id: q.ground_truth for q in light.ask(scene)}
        red, green = truth["light_red"], truth["light_green"]
        assert red.expected == ("yes" if colour == "red" else "no")
        assert red.unsafe == (("no",) if colour == "red" else ())  # a missed red light is unsafe
        assert green.expected == ("yes" if colour == "green" else "no")
        assert green.unsafe == (() if colour == "green" else ("yes",))  # red taken for green


def test_a_question_round_trips_with_its_role() -> None:
    scenario = get_scenario("right_turn")
    for question in scenario.ask(scenario.sample(None, 0, 0)):
        assert Question.from_dict(question.to_dict()) == question


def test_a_perception_question_must_be_yes_no_and_rest_on_nothing() -> None:
    truth = yes_no_truth(True, wrong_is_unsafe=True, rationale="r")
    with pytest.raises(DrivecertError, match="perception question q must be yes/no"):
        Question("q", "Is it?", truth, role="perception", perceives=("p",))
    with pytest.raises(DrivecertError, match="role 'planning'"):
        Question("q", "Is it?", truth, role="planning")  # type: ignore[arg-type]
