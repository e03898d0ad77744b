"""Questions that test seeing: no library question's truth is constant under its scenario's
own distribution (a model could score without looking), and right_turn's exits vary."""

from __future__ import annotations

import pytest

from drivecert import UsageError
from harness.cli import main
from scenarios import answer_balance, constant_questions, get_scenario, list_scenarios


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
