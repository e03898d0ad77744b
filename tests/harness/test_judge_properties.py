"""Properties of the judge that must hold for every input, checked with hypothesis."""

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.judge import normalise_answer

VOCABULARY = {"yes_no": {"yes", "no", None}, "action": {"stop", "yield", "proceed", None}}
CASES = [
    json.loads(line)
    for line in (Path(__file__).parents[1] / "data" / "judge_cases.jsonl")
    .read_text("utf-8")
    .splitlines()
    if line.strip()
]
LABELLED = [c for c in CASES if c["label"] is not None]

WRAPPERS = [
    lambda t: f"**{t}**",
    lambda t: f"ASSISTANT: {t}",
    lambda t: f"  {t}\n\n",
    lambda t: f"<|im_start|>assistant\n{t}<|im_end|>",
    lambda t: f"> {t}",
    lambda t: f"```\n{t}\n```",
]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=300), kind=st.sampled_from(["yes_no", "action"]))
def test_any_text_gives_an_answer_of_the_vocabulary_or_null(text: str, kind: str) -> None:
    assert normalise_answer(text, kind) in VOCABULARY[kind]  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(
    case=st.sampled_from(LABELLED),
    wrap=st.sampled_from(WRAPPERS),
)
def test_formatting_never_turns_one_answer_into_another(case: dict, wrap) -> None:
    answer = normalise_answer(wrap(case["response"]), case["kind"], case["question"])
    assert answer in (case["label"], None), (case["id"], wrap(case["response"]), answer)


@settings(max_examples=200, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(
            [
                "yes",
                "no",
                "stop",
                "proceed",
                "yield",
                "not",
                "A",
                "B",
                "C",
                "maybe",
                "necessary",
                "safe",
                "the",
                "car",
                "pedestrian",
                "light",
                "red",
                ".",
                ",",
                "because",
                "answer:",
            ]
        ),
        max_size=25,
    ),
    kind=st.sampled_from(["yes_no", "action"]),
)
def test_word_salad_stays_in_vocabulary_and_is_deterministic(words: list[str], kind: str) -> None:
    text = " ".join(words)
    first = normalise_answer(text, kind)  # type: ignore[arg-type]
    assert first in VOCABULARY[kind]
    assert normalise_answer(text, kind) == first  # type: ignore[arg-type]
