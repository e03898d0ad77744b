"""Question variants: paraphrases and synonym swaps that change the wording only."""

from __future__ import annotations

import re

import pytest

from drivecert import UsageError
from scenarios import SYNONYM_SWAPS, list_scenarios, reworded, scene_condition


def library_questions():  # type: ignore[no-untyped-def]
    found = {}
    for scenario in list_scenarios():
        for index in range(60):
            for q in scenario.ask(scenario.sample(None, index, 0)):
                found.setdefault(q.text, q)
    return list(found.values())


@pytest.mark.parametrize("question", library_questions(), ids=lambda q: q.text)
def test_every_library_question_has_five_real_paraphrases(question) -> None:  # type: ignore[no-untyped-def]
    variants = question.variants
    assert len(variants) >= 5 and len(set(variants)) == len(variants)
    assert question.text not in variants
    for text in variants:
        assert text.endswith("?") and text[0].isupper()
        # a paraphrase keeps the polarity: no negation that would turn a yes into a no
        assert not re.search(r"\b(?:not|no|never)\b|n't\b", text.lower()), text


def test_a_variant_changes_the_wording_and_nothing_else() -> None:
    scenario = next(s for s in list_scenarios() if s.name == "right_turn")
    condition = scenario.resolve_condition("weather=ClearNoon,question_variant=p3")
    assert condition.label == "weather=ClearNoon,question_variant=p3"
    clean = scene_condition(condition)
    scene, plain = scenario.sample(condition, 4, 2), scenario.sample(clean, 4, 2)
    assert (scene.scene_seed, scene.variables, scene.agents) == (
        plain.scene_seed,
        plain.variables,
        plain.agents,
    )
    for asked, original in zip(scenario.ask(scene), scenario.ask(plain), strict=True):
        assert asked.text == original.variants[2] != original.text
        assert (asked.id, asked.ground_truth, asked.kind, asked.role, asked.perceives) == (
            original.id,
            original.ground_truth,
            original.kind,
            original.role,
            original.perceives,
        )
        assert asked.prompt.endswith(original.prompt[len(original.text) :])  # same format


def test_synonym_swaps_keep_case_and_leave_other_questions_alone() -> None:
    question = next(q for q in library_questions() if q.id == "stop_needed")
    assert reworded(question, "swap:stop->halt").text == (
        "Is it necessary for the vehicle to halt here?"
    )
    assert reworded(question, "swap:necessary->required").text == (
        "Is it required for the vehicle to stop here?"
    )
    light = next(q for q in library_questions() if q.id == "light_red")
    assert reworded(light, "swap:safe->okay") == light  # no "safe" in it
    assert set(SYNONYM_SWAPS) == {"stop", "vehicle", "necessary", "safe"}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("swap:stop->quit", "is not a variant"),
        ("p", "is not a variant"),
        ("paraphrase1", "is not a variant"),
    ],
)
def test_bad_variants_are_one_line_errors(value: str, message: str) -> None:
    scenario = list_scenarios()[0]
    with pytest.raises(UsageError, match=message) as error:
        scenario.resolve_condition(f"question_variant={value}")
    assert "\n" not in str(error.value)


def test_a_paraphrase_a_question_lacks_is_refused_when_asked() -> None:
    scenario = list_scenarios()[0]
    condition = scenario.resolve_condition("question_variant=p9")
    with pytest.raises(UsageError, match=r"has 5 paraphrases, no p9; use p1\.\.p5"):
        scenario.ask(scenario.sample(condition, 0, 0))
    assert scenario.resolve_condition("question_variant=original").label == "all"
