"""How a scenario's true answers are spread: a question whose truth never varies can be
scored perfectly without looking at the image.

``answer_balance`` counts each question's true (expected) answer over ``n`` scenes drawn
from the scenario's own distribution (no condition) or under one condition;
``constant_questions`` names the questions whose truth never varied and that are not
marked ``constant_truth`` with a reason.
"""

from __future__ import annotations

from collections import Counter

from scenarios._condition import Condition
from scenarios._scenario import Scenario

#: Scenes drawn per distribution; a question true with probability 1% still shows both
#: answers in 400 scenes with probability 0.98.
BALANCE_SCENES = 400


def answer_balance(
    scenario: Scenario,
    condition: Condition | str | None = None,
    n: int = BALANCE_SCENES,
    seed: int = 0,
) -> dict[str, Counter[str]]:
    """Per question id, how often each answer is the true one in ``n`` scenes."""
    return _tally(scenario, condition, n, seed)[0]


def constant_questions(
    scenario: Scenario, n: int = BALANCE_SCENES, seed: int = 0
) -> dict[str, str]:
    """Questions whose truth was the same in all ``n`` scenes of the scenario's own
    distribution and that carry no ``constant_truth`` reason: id -> the constant answer."""
    counts, marked = _tally(scenario, None, n, seed)
    return {
        qid: next(iter(answers))
        for qid, answers in counts.items()
        if len(answers) == 1 and qid not in marked
    }


def _tally(
    scenario: Scenario, condition: Condition | str | None, n: int, seed: int
) -> tuple[dict[str, Counter[str]], set[str]]:
    counts: dict[str, Counter[str]] = {}
    marked: set[str] = set()
    for index in range(n):
        scene = scenario.sample(condition, index, seed)
        for question in scenario.ask(scene):
            counts.setdefault(question.id, Counter())[question.ground_truth.expected] += 1
            if question.constant_truth:
                marked.add(question.id)
    return counts, marked
