"""Observation variables (corruption, severity): in every scenario, never in the scene."""

from __future__ import annotations

import pytest

from drivecert import UsageError
from scenarios import list_scenarios, scene_condition


@pytest.mark.parametrize("scenario", list_scenarios(), ids=lambda s: s.name)
def test_a_corrupted_condition_draws_the_clean_conditions_scenes(scenario) -> None:  # type: ignore[no-untyped-def]
    clean = scenario.default_conditions()[0]
    corrupted = scenario.resolve_condition(f"{clean.label},corruption=motion_blur,severity=4")
    assert corrupted.label == f"{clean.label},corruption=motion_blur,severity=4"
    assert scene_condition(corrupted) == clean
    for index in range(5):
        a, b = scenario.sample(clean, index, 11), scenario.sample(corrupted, index, 11)
        assert (a.scene_seed, a.variables, a.agents, a.road, a.weather) == (
            b.scene_seed,
            b.variables,
            b.agents,
            b.road,
            b.weather,
        )
        assert scenario.ask(a) == scenario.ask(b)  # the same questions and ground truth
        assert b.condition == corrupted


def test_severity_defaults_and_bad_values_are_one_line_errors() -> None:
    scenario = list_scenarios()[0]
    assert scenario.resolve_condition("corruption=fog").label == "corruption=fog,severity=3"
    assert scenario.resolve_condition("corruption=none").label == "all"
    for bad, message in (
        ("severity=2", "grades no corruption"),
        ("corruption=fog,severity=6", "severity has no value '6'"),
        ("corruption=Fog!", "is not a name"),
        ("corruptoin=fog", "did you mean 'corruption'"),
    ):
        with pytest.raises(UsageError, match=message) as error:
            scenario.resolve_condition(bad)
        assert "\n" not in str(error.value)


def test_a_scenario_cannot_declare_an_observation_variable_of_its_own() -> None:
    import dataclasses

    from drivecert import DrivecertError
    from scenarios import Variable

    scenario = list_scenarios()[0]
    clash = Variable("severity", ("low", "high"), (0.5, 0.5))
    with pytest.raises(DrivecertError, match="observation variables"):
        dataclasses.replace(scenario, name="clash", variables=(*scenario.variables, clash))
