"""Unit tests of the answer normaliser against docs/judge_policy.md.

Cases are grouped by policy rule. ``None`` means the reply must be judged unparseable.
"""

from __future__ import annotations

import pytest

from harness.judge import AnswerKind, normalise_answer
from harness.judge._question import question_frame

Case = tuple[str, str | None]
QCase = tuple[str, str | None, str | None]
"""(reply, question or None, expected answer)."""


def _ids(cases: list[Case]) -> list[str]:
    return [repr(text)[:60] for text, _ in cases]


def _qids(cases: list[QCase]) -> list[str]:
    return [f"{text[:40]!r} | {str(question)[:25]!r}" for text, question, _ in cases]


NEED_STOP = "Is it necessary for the vehicle to stop here?"
MUST_YIELD = "Must the vehicle yield to the pedestrians?"
SAFE_GO = "Is it safe to proceed through the junction now?"
SAFE_LANE = "Is it safe to change lanes now?"
LEFT_POSSIBLE = "Is a left turn physically possible here?"
BLOCKS = "Does a building block the vehicle's route?"
ZH_NEED_STOP = "车辆是否需要停车？"
ZH_SAFE_LANE = "现在变道安全吗？"
ZH_BLOCKED = "右侧车道是否被挡住？"


# --- yes_no ---------------------------------------------------------------------------

YES_NO_EXPLICIT: list[Case] = [
    ("Yes", "yes"),
    ("No", "no"),
    ("yes.", "yes"),
    ("no", "no"),
    ("NO.", "no"),
    ("**Yes**", "yes"),
    ("Yes, because the crossing is empty.", "yes"),
    ("No - the road is clear", "no"),
    ("No — the road is clear", "no"),
    ("No; the lane is free.", "no"),
    ("The answer is no.", "no"),
    ("The answer is: **No**", "no"),
    ("Answer: Yes", "yes"),
    ("ASSISTANT: No", "no"),
    ("Assistant: yes, it can.", "yes"),
    ("<|im_start|>assistant\nYes<|im_end|>", "yes"),
    ("USER: <image>\nIs the lane blocked? ASSISTANT: No, it is not.", "no"),
    ("yeah", "yes"),
    ("Yep!", "yes"),
    ("nope", "no"),
    ("Affirmative", "yes"),
    ("Negative.", "no"),
    ("Absolutely not.", "no"),
    ("Of course.", "yes"),
    ("I would say yes.", "yes"),
    ("I would say no.", "no"),
    ("Definitely yes!", "yes"),
    ("Is it safe to turn left? Yes.", "yes"),
    ("Yes/No: Yes", "yes"),
    ("Ｙｅｓ", "yes"),
    ("ＮＯ。", "no"),
    ('{"answer": "yes"}', "yes"),
    ("{'answer': 'no', 'reason': 'no pedestrians'}", "no"),
    ('```json\n{"answer": "no"}\n```', "no"),
    ('{"final_answer": true}', "yes"),
    ("<think>The light is red so yes... hmm</think>No.", "no"),
]

YES_NO_PREDICATES: list[Case] = [
    ("not necessary", "no"),
    ("It is unnecessary.", "no"),
    ("There is no need to stop.", "no"),
    ("No need to stop.", "no"),
    ("The vehicle does not need to stop.", "no"),
    ("The vehicle doesn't have to stop.", "no"),
    ("It isn't required.", "no"),
    ("The truck does not block the lane.", "no"),
    ("Nothing blocks the route.", "no"),
    ("The road is not blocked.", "no"),
    ("That is not possible.", "no"),
    ("Impossible.", "no"),
    ("It is not safe to proceed.", "no"),
    ("A parked car is there but it doesn't block the lane.", "no"),
    ("It is necessary to stop.", "yes"),
    ("A building blocks the route.", "yes"),
    ("A right turn is possible.", "yes"),
    ("The vehicle must stop.", "yes"),
    ("You should stop.", "yes"),
    ("As you can see, the lane is clear.", None),
    ("It is not impossible.", None),
    ("It is possible but not necessary.", None),
]

YES_NO_DETERMINER: list[Case] = [
    ("No pedestrians are visible. Yes, it may turn.", "yes"),
    ("There are no pedestrians.", None),
    ("I see no pedestrians.", None),
    ("No one is crossing.", None),
    ("No, no one is crossing.", "no"),
    ("Yes, there are no obstacles.", "yes"),
    ("No, there are no obstacles.", "no"),
    ("There is no pedestrian. No.", "no"),
    ("The answer is yes, because no vehicles are blocking the road.", "yes"),
    ("Yes it is necessary, no doubt.", "yes"),
    ("The answer is no pedestrians.", None),
]

YES_NO_CHINESE: list[Case] = [
    ("是", "yes"),
    ("是的", "yes"),
    ("对", "yes"),
    ("需要", "yes"),
    ("可以", "yes"),
    ("有", "yes"),
    ("否", "no"),
    ("不是", "no"),
    ("不", "no"),
    ("不需要", "no"),
    ("不必", "no"),
    ("不可以", "no"),
    ("没有", "no"),
    ("无需", "no"),
    ("是的，车辆需要停车。", "yes"),
    ("不需要，因为没有行人。", "no"),
    ("我认为不需要停车。", "no"),
    ("答案：否", "no"),
    ("答案是：是", "yes"),
    ("是否需要停车？需要。", "yes"),
    ("这是一个十字路口。", None),
    ("可能需要", None),
]

YES_NO_DECLARED: list[Case] = [
    ("The pedestrian is near, so yes... wait. Final answer: no", "no"),
    ("Let me think. The light is red. Therefore, the answer is yes.", "yes"),
    ("The road is wet. So: No.", "no"),
    ("**Answer:** Yes", "yes"),
    ("### Final Answer\nNo", "no"),
    ("In conclusion, no.", "no"),
    ("The light is green so the car may go. Answer: yes", "yes"),
    ("It seems necessary to stop. Hmm, no pedestrians though. Final answer: No.", "no"),
    ("Answer: no\nReasoning: the vehicle does not need to stop.", "no"),
    ("Answer: Yes. Final answer: No.", None),
    ("Answer: Yes. Correction: No.", "no"),
    ("Yes. Correction: no.", "no"),
    ("Answer: yes\n\nActually, no.", None),
    ("Final answer: maybe", None),
]

YES_NO_HEDGES: list[Case] = [
    ("It depends", None),
    ("It depends on the traffic light.", None),
    ("I cannot determine this from the image", None),
    ("Maybe", None),
    ("Possibly", None),
    ("Probably yes.", None),
    ("Yes, probably.", None),
    ("I'm not able to answer", None),
    ("Unclear", None),
    ("", None),
    ("   \n ", None),
    ("The image shows a city street with cars and trees.", None),
    ("Yes, but I'm not sure.", None),
    ("No, I cannot determine that.", None),
    ("Not sure, but I'd say yes.", None),
    ("Not necessarily.", None),
    ("I can't see any traffic lights in the image.", None),
    ("If the light is green, yes.", None),
    ("Yes?", None),
    ("Yes, but proceed with caution", "yes"),
    ("Yes, but it is unclear whether the pedestrian will cross.", "yes"),
    ("No. However, watch for cyclists.", "no"),
    ("Answer: Yes. However, visibility is unclear.", "yes"),
    ("Yes. However, I am not sure.", None),
]

YES_NO_CONTRADICTIONS: list[Case] = [
    ("Yes. No.", None),
    ("Yes and no.", None),
    ("No... actually yes", None),
    ("It is not necessary, yes it is", None),
    ("Yes, there is no need to stop.", None),
    ("No, it is necessary to stop.", None),
    ("Saying yes would be wrong. No.", None),
    ("Yes and yes.", "yes"),
]


# --- action ---------------------------------------------------------------------------

ACTION_LETTERS: list[Case] = [
    ("A", "stop"),
    ("a", "stop"),
    ("(B)", "yield"),
    ("B.", "yield"),
    ("B)", "yield"),
    ("[C]", "proceed"),
    ("(c)", "proceed"),
    ("Option B", "yield"),
    ("option (b)", "yield"),
    ("Answer: C", "proceed"),
    ("**(A) Stop**", "stop"),
    ("The correct choice is B.", "yield"),
    ("The pedestrian has crossed and the light is green. Final answer: C", "proceed"),
    ("Therefore, the answer is (B)", "yield"),
    ("I choose B.", "yield"),
    ("I'd go with C because the road is clear.", "proceed"),
    ("The answer is A because a pedestrian is crossing.", "stop"),
    ("Given the pedestrian, I'd say B.", "yield"),
    ("$\\boxed{C}$", "proceed"),
    ("The final answer is \\boxed{A}.", "stop"),
    ("Ａ", "stop"),
    ("（Ｂ）", "yield"),
    ("ASSISTANT: A", "stop"),
    ("<|im_start|>assistant\nC<|im_end|>", "proceed"),
    ('{"answer": "C"}', "proceed"),
    ('{"choice": "B", "reason": "stopping is not needed"}', "yield"),
    ("A pedestrian is crossing.", None),
    ("The answer is D.", None),
    ("(D) None of the above", None),
]

ACTION_TEXT: list[Case] = [
    ("Stop", "stop"),
    ("STOP!", "stop"),
    ("Halt.", "stop"),
    ("The vehicle should come to a complete stop.", "stop"),
    ("Brake to a stop.", "stop"),
    ("The vehicle should slow down and come to a stop.", "stop"),
    ("Slow down and yield", "yield"),
    ("Yield.", "yield"),
    ("Give way to the pedestrian.", "yield"),
    ("Slow down.", "yield"),
    ("Decelerate and let it pass.", "yield"),
    ("The best action would be to slow down.", "yield"),
    ("Proceed", "proceed"),
    ("Go.", "proceed"),
    ("Go ahead.", "proceed"),
    ("Continue driving.", "proceed"),
    ("Keep driving.", "proceed"),
    ("Drive through the intersection.", "proceed"),
    ("Proceed with caution.", "proceed"),
    ("The safest option is to stop.", "stop"),
    ("Stopping is the safest option.", "stop"),
    ("There is a stop sign ahead, so the vehicle must stop.", "stop"),
    ("Come to a stop at the stop sign.", "stop"),
    ("Proceed through the yield sign.", "proceed"),
    ("The car ahead stops suddenly, so the vehicle should slow down.", "yield"),
    ("The pedestrian is about to go, so the vehicle should yield.", "yield"),
    ("The vehicle should stop and let the pedestrian cross.", "stop"),
    ("Yes, the vehicle should stop.", "stop"),
    ("Yes", None),
    ("Wait for the pedestrian to cross.", None),
    ("Stop here.", "stop"),
    ("Stop at the stop line.", "stop"),
    ("Yield the right of way to the pedestrian.", "yield"),
]

ACTION_CHINESE: list[Case] = [
    ("停车", "stop"),
    ("停下", "stop"),
    ("刹车停止", "stop"),
    ("减速让行", "yield"),
    ("让行", "yield"),
    ("减速", "yield"),
    ("继续行驶", "proceed"),
    ("通行", "proceed"),
    ("前进", "proceed"),
    ("直行通过", "proceed"),
    ("答案：B", "yield"),
    ("选B", "yield"),
    ("我选择C。", "proceed"),
    ("应该停车。", "stop"),
    ("不需要停车，继续行驶。", "proceed"),
    ("不要继续行驶，应该停车。", "stop"),
    ("答案是A，停车。", "stop"),
    ("答案是A，继续行驶。", None),
    ("禁止通行", None),
]

ACTION_MISMATCH_AND_NEGATION: list[Case] = [
    ("A. Proceed", None),
    ("A: Proceed", None),
    ("C) Stop", None),
    ("[A] Proceed", None),
    ("A. Stop", "stop"),
    ("A - Stop", "stop"),
    ("B. Slow down and yield", "yield"),
    ("(B) Slow down and yield", "yield"),
    ("The correct answer is B) Slow down and yield.", "yield"),
    ("Do not proceed.", None),
    ("Do not proceed; stop.", "stop"),
    ("The vehicle should not stop, it should proceed", "proceed"),
    ("The vehicle must not proceed and should stop.", "stop"),
    ("Don't stop, keep going.", "proceed"),
    ("The vehicle must yield, not stop.", "yield"),
    ("The vehicle should stop rather than proceed.", "stop"),
    ("Instead of stopping, the car should yield.", "yield"),
    ("Neither stop nor yield; proceed.", "proceed"),
    ("It is not safe to proceed.", None),
    ("No need to stop.", None),
    ("There is no need to stop; the vehicle can proceed.", "proceed"),
    ("Proceeding would be dangerous, so stop.", "stop"),
    ("C. The vehicle should not stop since the light is green.", "proceed"),
    ("A full stop is not required.", None),
]

ACTION_REASONING: list[Case] = [
    (
        "Option A would be overly cautious since the pedestrian has crossed, so the answer is C",
        "proceed",
    ),
    ("Stopping would be overly cautious; the vehicle should proceed.", "proceed"),
    ("Option A (stop) would be too cautious. The vehicle should slow down and yield.", "yield"),
    ("Options: (A) Stop (B) Slow down and yield (C) Proceed. Answer: B", "yield"),
    ("Option A: Stop. Option B: Slow down. Option C: Proceed. I'd choose option C.", "proceed"),
    ("**Answer:** (C) Proceed\n\n**Explanation:** stopping would be unnecessary.", "proceed"),
    ("Answer: (C) Proceed. Option A would be overly cautious.", "proceed"),
    ("Answer: A. Correction: C.", "proceed"),
    ("Answer: A. Final answer: C.", None),
    ("(A) Stop (B) Slow down and yield (C) Proceed", None),
    ("A or B", None),
    ("Stop. Proceed.", None),
    ("Slow down and proceed with caution.", None),
    ("Stop, then proceed when the pedestrian has crossed.", "stop"),
    ("The vehicle should yield to the pedestrian and then continue.", None),
    ("If the light turns green, proceed.", None),
    ("The vehicle can go once the pedestrian passes.", None),
]

ACTION_HEDGES: list[Case] = [
    ("It depends", None),
    ("I cannot determine this from the image.", None),
    ("Maybe B.", None),
    ("It depends on the traffic light, but probably B.", None),
    ("I'm not able to answer", None),
    ("Unclear", None),
    ("", None),
    ("The image shows a wet road at night.", None),
    ("B, although it might be possible to proceed.", None),
    ("Final answer: B. However, the light is unclear.", "yield"),
    ("Final answer: B. But I am not sure.", None),
]


# --- question-aware predicates and the newer rules ---------------------------------

QUESTION_FAMILIES: list[tuple[str, str | None, int | None]] = [
    (NEED_STOP, "necessity", 1),
    (MUST_YIELD, "necessity", 1),
    ("Does the car have to give way to the cyclist?", "necessity", 1),
    (LEFT_POSSIBLE, "possibility", 1),
    ("Can the truck fit under the bridge?", "possibility", 1),
    ("Is the vehicle allowed to turn left on red?", "permission", 1),
    (SAFE_GO, "safety", 1),
    ("Can the vehicle safely overtake the tractor?", "safety", 1),
    ("Is it dangerous to overtake here?", "safety", -1),
    ("Isn't it safe to merge now?", "safety", 0),
    (BLOCKS, "blocking", 1),
    ("Is the exit lane obstructed by the bus?", "blocking", 1),
    ("Should the vehicle wait at the line?", "advice", 1),
    (ZH_NEED_STOP, "necessity", 1),
    (ZH_SAFE_LANE, "safety", 1),
    ("是否禁止左转？", "permission", -1),
    (ZH_BLOCKED, "blocking", 1),
    ("What colour is the traffic light?", None, None),
]

YES_NO_QUESTION_AWARE: list[QCase] = [
    # Only predicates of the question's family answer it.
    ("The vehicle can go.", NEED_STOP, None),
    ("The vehicle can go.", None, "yes"),
    ("The car can make the left turn; the side road is wide open.", LEFT_POSSIBLE, "yes"),
    ("It is not safe.", SAFE_GO, "no"),
    ("It is not safe.", None, "no"),
    ("The junction is clear, so it is safe to go ahead.", SAFE_GO, "yes"),
    ("The vehicle should slow down for the puddles.", NEED_STOP, None),
    ("A parked van blocks the lane, so it is not safe to merge.", SAFE_LANE, "no"),
    ("A parked van blocks the lane, so it is not safe to merge.", None, None),
    ("A parked van blocks the lane, so it is not safe to merge.", BLOCKS, "yes"),
    ("It is not necessary to stop, although it is safe to continue.", None, None),
    ("It is not necessary to stop, although it is safe to continue.", NEED_STOP, "no"),
    ("It is not necessary to stop, although it is safe to continue.", SAFE_GO, "yes"),
    ("It is possible but not necessary.", NEED_STOP, "no"),
    ("It is possible but not necessary.", LEFT_POSSIBLE, "yes"),
    # Explicit answer words are never affected by the question.
    ("Yes, the vehicle can go.", NEED_STOP, "yes"),
    ("No, although the vehicle is allowed to turn there.", LEFT_POSSIBLE, "no"),
    # A complement naming another action than the question's is not an answer.
    ("It is necessary to slow down, but there is no need to stop.", NEED_STOP, "no"),
    ("It is necessary to slow down, but there is no need to stop.", None, None),
    ("Stopping is not required here.", MUST_YIELD, None),
    ("The vehicle has to give way to the woman on the zebra crossing.", MUST_YIELD, "yes"),
    # Questions asking the negative form flip readings; negated questions take none.
    (
        "Overtaking is safe here: the road ahead is empty.",
        "Is it dangerous to overtake here?",
        "no",
    ),
    ("It is dangerous to overtake on this bend.", "Is it dangerous to overtake here?", "yes"),
    ("It is safe.", "Isn't it safe to merge now?", None),
    ("Yes.", "Isn't it safe to merge now?", "yes"),
    ("Left turns are forbidden at this junction.", "是否禁止左转？", "yes"),
    # An unrecognised question keeps the behaviour without a question.
    ("The vehicle must stop.", "What colour is the traffic light?", "yes"),
    # Chinese.
    ("可以通行。", ZH_NEED_STOP, None),
    ("可以通行。", None, "yes"),
    ("不需要停车，绿灯亮着。", ZH_NEED_STOP, "no"),
    ("可以。", ZH_NEED_STOP, "yes"),
    ("现在变道不安全，后方有摩托车。", ZH_SAFE_LANE, "no"),
    ("现在变道很安全。", ZH_SAFE_LANE, "yes"),
    ("不能安全变道。", ZH_SAFE_LANE, "no"),
    ("要注意安全。", ZH_SAFE_LANE, None),
    ("没有车辆挡住右侧车道。", ZH_BLOCKED, "no"),
    ("有一辆货车挡住了右侧车道。", ZH_BLOCKED, "yes"),
    ("没有红灯也需要停车，前面有校车。", ZH_NEED_STOP, "yes"),
    ("没有行人。", ZH_NEED_STOP, None),
    ("不需要停车，但需要注意观察路口。", ZH_NEED_STOP, "no"),
    ("需要减速，但不需要停车。", ZH_NEED_STOP, "no"),
    ("需要减速，但不需要停车。", None, None),
]

YES_NO_NEWER_RULES: list[QCase] = [
    # Emoji and symbols are noise.
    ("No 🚫", None, "no"),
    ("✅ Yes, the lane is free.", SAFE_LANE, "yes"),
    ("👍", None, None),
    # Lines labelled as reasons are skipped.
    ("- **Left turn:** impossible\n- **Explanation:** a barrier blocks the side road", None, "no"),
    (
        "- **Left turn:** impossible\n- **Explanation:** a barrier blocks the side road",
        LEFT_POSSIBLE,
        "no",
    ),
    ("Verdict below.\nReason: the truck blocks the lane.", BLOCKS, None),
    # might / may / could hedge a predicate; a deferring condition defers it.
    ("The lane could be blocked by the delivery van.", BLOCKS, None),
    ("It may be necessary to stop.", NEED_STOP, None),
    ("It might not be safe to merge.", SAFE_LANE, None),
    ("It is safe to merge once the bus has passed.", SAFE_LANE, None),
    ("It is not safe to proceed until the fire engine has passed.", SAFE_GO, "no"),
    ("It is safe to change lanes now, provided the driver signals.", SAFE_LANE, "yes"),
    # Refusals.
    ("As an AI, I can't make driving decisions for you.", SAFE_GO, None),
    ("I'm unable to provide real-time driving advice.", NEED_STOP, None),
    ("As a language model I cannot make safety judgements, but yes.", SAFE_GO, None),
    # Conclusions declare through a predicate of the question's family.
    (
        "The fog hides the signal. Cars may be coming. In conclusion, given the poor "
        "visibility, it is not safe to enter the junction.",
        SAFE_GO,
        "no",
    ),
    ("It looked fine at first. Overall, though, it is necessary to stop.", NEED_STOP, "yes"),
    # A parenthetical caveat inside a declared answer does not contradict it.
    ("Final answer: No, a left turn is not possible (though it is allowed).", None, "no"),
    ("Final answer: Yes, a left turn is possible (though not permitted).", LEFT_POSSIBLE, "yes"),
    # JSON fields must agree.
    ('{"answer": "no", "final_answer": "yes"}', None, None),
    ('{"answer": "yes", "decision": "yes"}', None, "yes"),
    # An echoed prompt with a mid-line assistant marker.
    ("User: Is it necessary to stop? Assistant: Yes", None, "yes"),
    # An "otherwise" alternative makes the reply conditional.
    ("Yes if the pedestrian is on the crossing, otherwise no.", MUST_YIELD, None),
]

ACTION_NEWER_RULES: list[Case] = [
    ("Stop 🛑", "stop"),
    ("(A) Stop ❌ (B) Slow down and yield ❌ (C) Proceed ✅", None),
    # A letter's attached text must name its action, also in a declared answer.
    ("Final answer: C (Stop)", None),
    ("Answer: B (Proceed)", None),
    ("Answer: B (Slow down and yield)", "yield"),
    ("A (Stop)", "stop"),
    # Every answer field of a JSON reply must agree.
    ('{"choice": "A", "decision": "proceed"}', None),
    ('{"answer": "B", "action": "yield"}', "yield"),
    ('{"answer": "B", "decision": "not sure"}', None),
    # Only the text after the last assistant marker, even mid-line.
    ("USER: <image> What now? (A) Stop (B) Slow down and yield (C) Proceed ASSISTANT: B", "yield"),
    ("Human: What now? (A) Stop (B) Slow down and yield (C) Proceed Assistant: (A)", "stop"),
    ("Stop. Note for the assistant: none.", "stop"),
    # Immediate action, then a conditional later one.
    ("Yield to the cyclist, then continue once the lane is clear.", "yield"),
    ("Stop at the line, then go when the light turns green.", "stop"),
    ("Slow down, then stop if the light turns red.", "yield"),
    ("Stop, then go.", None),
    ("Proceed, then stop at the next junction.", None),
    # Verdicts on letters, rejected letters and options weighed.
    (
        "We can eliminate C because of the red light. Between A and B, B is the safest choice.",
        "yield",
    ),
    ("I would rule out A since nobody is crossing. C is correct.", "proceed"),
    ("Comparing B and C: C is the best option here.", "proceed"),
    ("If A is correct, the light must be red.", None),
    ("I don't think A is the best option; C.", "proceed"),
    ("A is the safest option, but B is the best choice.", None),
    # An "otherwise" alternative is a second choice.
    ("Stop if the light is red, otherwise proceed.", None),
    ("Stop, otherwise the car will hit the pedestrian.", "stop"),
    # Refusals.
    ("As an AI, I cannot make real-time driving decisions. Stop.", None),
    ("I can't help with that request.", None),
]


def _check(text: str, kind: AnswerKind, expected: str | None) -> None:
    assert normalise_answer(text, kind) == expected


@pytest.mark.parametrize(("text", "expected"), YES_NO_EXPLICIT, ids=_ids(YES_NO_EXPLICIT))
def test_yes_no_explicit_answers(text: str, expected: str | None) -> None:
    _check(text, "yes_no", expected)


@pytest.mark.parametrize(("text", "expected"), YES_NO_PREDICATES, ids=_ids(YES_NO_PREDICATES))
def test_yes_no_predicates(text: str, expected: str | None) -> None:
    _check(text, "yes_no", expected)


@pytest.mark.parametrize(("text", "expected"), YES_NO_DETERMINER, ids=_ids(YES_NO_DETERMINER))
def test_yes_no_determiner_no_is_not_an_answer(text: str, expected: str | None) -> None:
    _check(text, "yes_no", expected)


@pytest.mark.parametrize(("text", "expected"), YES_NO_CHINESE, ids=_ids(YES_NO_CHINESE))
def test_yes_no_chinese(text: str, expected: str | None) -> None:
    _check(text, "yes_no", expected)


@pytest.mark.parametrize(("text", "expected"), YES_NO_DECLARED, ids=_ids(YES_NO_DECLARED))
def test_yes_no_declared_final_answer(text: str, expected: str | None) -> None:
    _check(text, "yes_no", expected)


@pytest.mark.parametrize(("text", "expected"), YES_NO_HEDGES, ids=_ids(YES_NO_HEDGES))
def test_yes_no_hedges_and_caveats(text: str, expected: str | None) -> None:
    _check(text, "yes_no", expected)


@pytest.mark.parametrize(
    ("text", "expected"), YES_NO_CONTRADICTIONS, ids=_ids(YES_NO_CONTRADICTIONS)
)
def test_yes_no_contradictions(text: str, expected: str | None) -> None:
    _check(text, "yes_no", expected)


@pytest.mark.parametrize(("text", "expected"), ACTION_LETTERS, ids=_ids(ACTION_LETTERS))
def test_action_letters(text: str, expected: str | None) -> None:
    _check(text, "action", expected)


@pytest.mark.parametrize(("text", "expected"), ACTION_TEXT, ids=_ids(ACTION_TEXT))
def test_action_option_text_and_synonyms(text: str, expected: str | None) -> None:
    _check(text, "action", expected)


@pytest.mark.parametrize(("text", "expected"), ACTION_CHINESE, ids=_ids(ACTION_CHINESE))
def test_action_chinese(text: str, expected: str | None) -> None:
    _check(text, "action", expected)


@pytest.mark.parametrize(
    ("text", "expected"), ACTION_MISMATCH_AND_NEGATION, ids=_ids(ACTION_MISMATCH_AND_NEGATION)
)
def test_action_mismatch_and_negation(text: str, expected: str | None) -> None:
    _check(text, "action", expected)


@pytest.mark.parametrize(("text", "expected"), ACTION_REASONING, ids=_ids(ACTION_REASONING))
def test_action_reasoning_and_several_choices(text: str, expected: str | None) -> None:
    _check(text, "action", expected)


@pytest.mark.parametrize(("text", "expected"), ACTION_HEDGES, ids=_ids(ACTION_HEDGES))
def test_action_hedges(text: str, expected: str | None) -> None:
    _check(text, "action", expected)


@pytest.mark.parametrize(
    ("question", "family", "polarity"),
    QUESTION_FAMILIES,
    ids=[question[:40] for question, _, _ in QUESTION_FAMILIES],
)
def test_question_family_and_polarity(
    question: str, family: str | None, polarity: int | None
) -> None:
    frame = question_frame(question)
    found = (frame.family, frame.polarity) if frame else (None, None)
    assert found == (family, polarity)


@pytest.mark.parametrize(
    ("text", "question", "expected"), YES_NO_QUESTION_AWARE, ids=_qids(YES_NO_QUESTION_AWARE)
)
def test_yes_no_predicates_are_read_relative_to_the_question(
    text: str, question: str | None, expected: str | None
) -> None:
    assert normalise_answer(text, "yes_no", question=question) == expected


@pytest.mark.parametrize(
    ("text", "question", "expected"), YES_NO_NEWER_RULES, ids=_qids(YES_NO_NEWER_RULES)
)
def test_yes_no_noise_reasons_hedges_refusals_and_conclusions(
    text: str, question: str | None, expected: str | None
) -> None:
    assert normalise_answer(text, "yes_no", question=question) == expected


@pytest.mark.parametrize(("text", "expected"), ACTION_NEWER_RULES, ids=_ids(ACTION_NEWER_RULES))
def test_action_mismatches_json_turns_deferrals_and_verdicts(
    text: str, expected: str | None
) -> None:
    _check(text, "action", expected)


def test_action_replies_ignore_the_question() -> None:
    for text, expected in ACTION_LETTERS + ACTION_NEWER_RULES:
        assert normalise_answer(text, "action", question=NEED_STOP) == expected


def test_without_a_question_every_earlier_case_keeps_its_answer() -> None:
    earlier = (
        YES_NO_EXPLICIT
        + YES_NO_PREDICATES
        + YES_NO_DETERMINER
        + YES_NO_CHINESE
        + YES_NO_DECLARED
        + YES_NO_HEDGES
        + YES_NO_CONTRADICTIONS
    )
    for text, expected in earlier:
        assert normalise_answer(text, "yes_no", question=None) == expected, text


def test_unknown_kind_raises_naming_bad_and_valid_kinds() -> None:
    with pytest.raises(ValueError, match=r"'multiple_choice'.*'yes_no'.*'action'"):
        normalise_answer("Yes", "multiple_choice")  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["yes_no", "action"])
def test_outputs_stay_in_the_kind_vocabulary(kind: AnswerKind) -> None:
    vocabulary = {"yes_no": {"yes", "no", None}, "action": {"stop", "yield", "proceed", None}}
    replies = [text for text, _ in YES_NO_EXPLICIT + ACTION_LETTERS + ACTION_TEXT]
    assert {normalise_answer(text, kind) for text in replies} <= vocabulary[kind]


def test_normalisation_is_deterministic() -> None:
    text = "Option A would be overly cautious, so the answer is C"
    assert len({normalise_answer(text, "action") for _ in range(5)}) == 1


# --- obligations of other road users; conditional alternatives ---------------------------
YIELD_ONCOMING = "Must the vehicle yield to the oncoming vehicle?"
STOP_HERE = "Is it necessary for the vehicle to stop here?"


@pytest.mark.parametrize(
    ("response", "question", "expected"),
    [
        ("The approaching truck has to give way to us.", YIELD_ONCOMING, None),
        ("The cyclist needs to stop at the line.", STOP_HERE, None),
        ("Pedestrians are on the crossing, so the vehicle must stop.", STOP_HERE, "yes"),
        ("The ego car must yield here.", YIELD_ONCOMING, "yes"),
        ("The bus does not block the route.", "Does a building block the vehicle's route?", "no"),
    ],
)
def test_predicates_about_other_road_users_do_not_answer(response, question, expected) -> None:
    assert normalise_answer(response, "yes_no", question) == expected


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        ("If the signal is still amber at the line, brake; otherwise continue.", None),
        ("Should the child step out, stop; otherwise go.", None),
        ("Go ahead if the lane stays clear, otherwise stop.", None),
        ("Stop now, otherwise you will hit the barrier.", "stop"),
    ],
)
def test_an_otherwise_branch_after_a_conditional_choice_is_null(response, expected) -> None:
    assert normalise_answer(response, "action") == expected
