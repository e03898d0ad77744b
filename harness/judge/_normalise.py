"""Normalise a VLM's free-text reply to a canonical answer (see docs/judge_policy.md).

``normalise_answer(response, kind, question=None)`` returns "yes" / "no" / None for
``yes_no`` questions and "stop" / "yield" / "proceed" / None for ``action`` questions
(options (A) Stop, (B) Slow down and yield, (C) Proceed). The one hard rule of the
policy: never turn a yes into a no, or one action into another; when unsure, return None.

Decision order (the same for both kinds):

0. Question (``yes_no`` only, see ``_question``): the question's first predicate word
   gives its family (necessity, possibility, permission, safety, blocking, advice), its
   polarity ("Is it dangerous ...?" flips readings; "Isn't it safe ...?" leaves only
   explicit answers) and its action ("stop", "turn", ...). Without a question, or with
   an unrecognised one, every predicate counts (the behaviour before questions). Action
   replies ignore the question.
1. Clean the text: NFKC (full-width characters), typographic quotes and dashes, Chinese
   punctuation, emoji and other symbols (noise: "No ❌" is "No"); keep only the text
   after the last assistant marker of an echoed chat template ("ASSISTANT:" at a line
   start, or mid-line after a "USER:" turn) and drop special tokens, <think> blocks,
   LaTeX (\\boxed{C}) and markdown (bold, headers, bullets, quotes, code fences). An
   empty result is None.
2. JSON: if the reply holds an object with answer fields ("answer", "final_answer",
   "action", "choice", "decision", "option", "response", ...), each field's value is
   normalised on its own (steps 3-4); all fields that answer must agree, and a hedged or
   disagreeing field makes the reply None.
3. Declared final answers ("Final answer: C", "The answer is no", "**Answer:** Yes",
   "Therefore, the answer is (B)", "So: No.", "答案：B", and a verdict on a letter: "A is
   correct", "Option B is the safest choice") win over earlier reasoning. If several
   disagree, the last wins only if it is a "Correction:"; otherwise None. A hedged or
   self-contradictory declaration, or a later explicit answer that contradicts it, is
   None; a parenthetical caveat inside it ("(though not permitted)") is not. Conclusion
   words ("therefore", "so", "in summary", "overall") declare only when they are
   followed by an answer: an explicit one ("Therefore, yes."), or, for a known yes/no
   question, a predicate of its family ("In summary, ..., it is not safe").
4. Otherwise the reply is split into sentences and clauses; echoed questions, reasons
   ("because ...", lines labelled "Reason:" / "Explanation:"), conditions ("if ...") and
   rejected options ("rather than ...", "rule out C", "Between A and B") are skipped. A
   hedge or refusal ("maybe", "it depends", "I cannot determine", "As an AI language
   model", "I cannot make ... decisions") is None, unless it is a caveat about the scene
   after a committed answer. An "otherwise" alternative ("Stop if red, otherwise
   proceed") counts as a second answer. Every remaining answer signal must agree, else
   None:
   - yes_no (see ``_yes_no``): explicit answer words, with "no" counted only as an
     interjection, never as a determiner ("no pedestrians"); Chinese answers and bare
     predicate echoes ("需要。"); and predicates with their negations ("not necessary"
     is no, "没有建筑物挡住" is no) - only those of the question's family when it is
     known, and not when their complement names another action than the question's.
     Predicates hedged by might / may / could, or deferred by a condition ("safe once the
     cyclist has passed"), are not answers; a "but / 但" caveat after a committed answer
     does not count. Predicates count only before the first explicit answer or in its
     sentence.
   - action (see ``_action``): letters in any common form (also "A (Stop)"), option text
     and synonyms in English and Chinese; negated ("do not proceed"), rejected ("Option A
     would be overly cautious") and noun ("stop sign") mentions are not choices, so a
     letter whose text names another action ("A. Proceed", "A (Slow down and yield)") is
     None. In "<action>, then <action> when / once / until ... <condition>" only the
     immediate action counts.
5. No signal at all (a description of the image, an unrelated reply) is None.
"""

from __future__ import annotations

from drivecert import ANSWERS, AnswerKind

from ._action import normalise_action
from ._yes_no import normalise_yes_no


def normalise_answer(response: str, kind: AnswerKind, question: str | None = None) -> str | None:
    """Normalise a free-text reply to the canonical answer for ``kind``, or None.

    Returns "yes", "no" or None for ``"yes_no"``; "stop", "yield", "proceed" or None for
    ``"action"``. None means the reply is empty, hedged, contradictory or unparseable.

    ``question`` is the question the reply answers. For ``"yes_no"`` it decides which
    predicates count as answers ("The vehicle can go." answers "Is it possible ...?"
    but not "Is it necessary to stop?"); without it, or when its predicate family is not
    recognised, every predicate counts. ``"action"`` replies ignore it.

    Raises:
        ValueError: if ``kind`` is not one of "yes_no", "action".
    """
    if kind == "yes_no":
        return normalise_yes_no(response, question)
    if kind == "action":
        return normalise_action(response)
    valid = ", ".join(repr(name) for name in ANSWERS)
    raise ValueError(f"unknown answer kind {kind!r}; expected one of {valid}")
