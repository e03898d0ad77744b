"""The judge against a hand-labelled set of realistic VLM replies (tests/data)."""

import json
from collections import Counter
from pathlib import Path

import pytest

from harness.judge import normalise_answer

CASES_FILE = Path(__file__).parents[1] / "data" / "judge_cases.jsonl"


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    return [
        json.loads(line)
        for line in CASES_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def test_the_set_is_large_and_covers_every_case(cases) -> None:
    assert len(cases) >= 250
    categories = Counter(c["category"] for c in cases)
    for needed in (
        "markdown",
        "because",
        "answer_is",
        "final_after_reasoning",
        "letter",
        "negation",
        "chinese",
        "hedge",
        "refusal",
        "contradiction",
    ):
        assert categories[needed] >= 8, needed
    assert {c["kind"] for c in cases} == {"yes_no", "action"}


def test_no_confusions_and_97_percent_agreement(cases) -> None:
    confusions, disagreements = [], []
    for case in cases:
        answer = normalise_answer(case["response"], case["kind"], question=case["question"])
        if answer != case["label"]:
            disagreements.append((case["id"], case["label"], answer))
            if answer is not None and case["label"] is not None:
                confusions.append((case["id"], case["label"], answer, case["response"]))
    agreement = 1 - len(disagreements) / len(cases)
    assert confusions == [], f"the judge turned one answer into another: {confusions}"
    assert agreement >= 0.97, f"agreement {agreement:.3f}; disagreements: {disagreements}"
