"""The judge against hand-labelled sets of realistic VLM replies (tests/data).

- ``judge_cases.jsonl`` (430 replies, by category) was written alongside the judge and
  used to fix its rules.
- ``judge_heldout.jsonl`` (334 replies, by model style) was written later by someone who
  saw only docs/judge_policy.md; it measured the judge before any rule was changed
  (97.6% agreement, no confusions). Two general rules were added after that measure:
  predicates about other road users do not answer, and a choice made only under a
  condition with an "otherwise" branch is null.
- ``judge_realworld.jsonl`` (399 replies to real-world driving questions: existence,
  counts, first/second person, restated predicates) was written before the judge learnt
  to read statements (44.6% agreement then, one confusion; 95.5% and none after).
- ``judge_realworld_holdout.jsonl`` (261 replies, new questions and wordings) was written
  after that, blind to the judge and to judge_realworld: measured once, 77.8% agreement
  with 3 confusions; the general causes were fixed (a simple-present verb must keep the
  question's complement, a subject's side must agree, "the car ahead" is not the ego
  vehicle): 76.2% and none.
- ``judge_adversarial.jsonl`` (629 replies written to trip the statement rules: exceptions,
  tense, partitive counts, "no entry" signs, double negatives, other subjects) found 121
  confusions; the statement rules were narrowed to plain replies (none with an exception,
  another time, a quote or several counts, no question with a negation, a person's modal
  only by its echo of the question): no confusion on any set, at the cost of agreement
  (judge_realworld 89.0%, the hold-out 70.1%, this set 43.2%; the rest is null).
  General readings then won back most of judge_realworld, each checked against this set
  (two confusions it found were fixed before landing): the asker's "you" for a question
  about I / we, a short answer first, advice to do what rules the asked action out ("We
  must wait." for "Should we proceed?"), "no need", must for should, "it is not true
  that ...", "no longer" for a state, predicates about "us", "I can't see any X", "Not
  that I can see", "only" limited to its clause, JSON counts, "a couple of / a group of"
  and "multiple" as at least two: judge_realworld 95.2%, the hold-out 73.9%, this set
  45.8%, still no confusion anywhere.
- ``judge_adversarial_probe.jsonl`` (189 replies written, labels first, by a reviewer told
  only what those new readings do, to break them) found 9 confusions and 12 over-reads;
  the readings were narrowed (a sibling noun named beside "only", predicates said of
  another road user near "us", "must have"/"must either", a denied state that is not the
  asked one, a JSON count beside other fields, a view blamed for not seeing, a short
  answer taken back): 56.1%, one known opposite left (``KNOWN_OPPOSITES``).
"""

import json
from collections import Counter
from pathlib import Path

import pytest

from harness.judge import normalise_answer

DATA = Path(__file__).parents[1] / "data"
#: Each set and the agreement it must keep; no set may have a single opposite answer.
SETS = {
    "judge_cases.jsonl": 0.97,
    "judge_heldout.jsonl": 0.97,
    "judge_realworld.jsonl": 0.95,
    "judge_realworld_holdout.jsonl": 0.70,
    "judge_adversarial.jsonl": 0.44,
    "judge_adversarial_probe.jsonl": 0.52,
}
#: Opposite answers known and explained, by set: a rhetorical question in the reply
#: answered by its own "No" ("We must wait? No — the light is green.") is read as an
#: answer to the question asked. That is the explicit-answer path, older than the probe.
KNOWN_OPPOSITES = {"judge_adversarial_probe.jsonl": {"probe-050"}}


def load(name: str) -> list[dict]:
    text = (DATA / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_the_sets_are_large_and_cover_every_case() -> None:
    cases = load("judge_cases.jsonl")
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
    heldout = load("judge_heldout.jsonl")
    assert len(heldout) >= 200
    assert len({c["model_style"] for c in heldout}) >= 10


@pytest.mark.parametrize("name", list(SETS))
def test_no_confusions_and_the_agreement_kept(name: str) -> None:
    cases = load(name)
    confusions, disagreements = [], []
    for case in cases:
        answer = normalise_answer(case["response"], case["kind"], question=case["question"])
        if answer != case["label"]:
            disagreements.append((case["id"], case["label"], answer))
            known = case["id"] in KNOWN_OPPOSITES.get(name, set())
            if answer is not None and case["label"] is not None and not known:
                confusions.append((case["id"], case["label"], answer, case["response"]))
    agreement = 1 - len(disagreements) / len(cases)
    print(f"{name}: {len(cases)} replies, agreement {agreement:.3f}, confusions {len(confusions)}")
    assert confusions == [], f"the judge turned one answer into another: {confusions}"
    assert agreement >= SETS[name], f"agreement {agreement:.3f}; disagreements: {disagreements}"


def test_the_real_world_set_is_large_and_covers_the_families() -> None:
    cases = load("judge_realworld.jsonl")
    assert len(cases) >= 300 and len({c["id"] for c in cases}) == len(cases)
    families = Counter(c["family"] for c in cases)
    for needed in ("existence", "count", "person", "restated", "no_x_is_y", "plain", "null"):
        assert families[needed] >= 30, needed
    assert {c["label"] for c in cases} == {"yes", "no", None}
    assert sum(c["source"] == "drivelm" for c in cases) >= 15
    assert len({c["model_style"] for c in cases}) >= 6
