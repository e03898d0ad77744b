"""Declared final answers ("Final answer: C", "Therefore, the answer is yes").

A declaration is a marker followed by a segment (the first sentence after the marker,
or the next non-empty line when the marker ends its line, as in a "### Final answer"
header). Answer markers ("answer:", "the answer is", "final answer", "I choose") always
declare; conclusion words ("therefore", "thus", a sentence-initial "so") declare only
when the segment itself commits to an answer, which the kind-specific parser decides.
A verdict on a letter ("A is correct", "Option B is the safest choice") declares that
letter, unless it is conditional ("If A is correct, ...") or negated ("I don't think A
is the best option").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from ._text import AMBIGUOUS, negated_before, split_sentences

SegmentParser = Callable[[str, bool], str | None]
"""(segment, strict) -> answer, AMBIGUOUS, or None when the segment holds no answer."""

RestChecker = Callable[[str, str], bool]
"""(text after the last declaration, declared answer) -> True if the rest contradicts it."""

_MARKER: Final = re.compile(
    r"""
    (?P<correction>\bcorrect(?:ion|ed\s+answer)\b\s*[:\-]?)
    |(?P<answer>
        \bfinal\s+(?:answer|choice|decision|verdict|response|action)\b
            (?:\s+(?:is|would\s+be|will\s+be|should\s+be)\b)?
      | \b(?:the|my|our)\s+(?:(?:correct|best|right|appropriate|most\s+appropriate|safest
            |safe|recommended|proper|final|only)\s+)?
            (?:answer|choice|option|action|response|decision|course\s+of\s+action)
            \s+(?:is|would\s+be|should\s+be|will\s+be)\b
      | \b(?:correct|best|right|safest)\s+(?:answer|choice|option|action)\s+(?:is|would\s+be)\b
      | (?<![\w-])(?:answer|choice|decision|action|verdict|conclusion|response)\s*[:=]
      | \bi(?:\s+would|\s+will|'d)?\s+(?:choose|select|pick|go\s+with|opt\s+for|answer)\b
      | 最终(?:答案|选择) | 答案(?:应该是|应为|是|为)? | 结论(?:是|为)?
      | 我(?:会)?选(?:择)? | 应(?:该)?选(?:择)?
    )
    |(?P<conclusion>
        \b(?:therefore|thus|hence|consequently|in\s+conclusion|to\s+conclude|in\s+summary
            |to\s+summari[sz]e|in\s+short|overall|ultimately)\b
      | (?:^|(?<=[.!?]\s))so\b
      | 所以 | 因此 | 综上(?:所述)?
    )
    """,
    re.I | re.M | re.X,
)
_LETTER_VERDICT: Final = re.compile(
    r"(?<![\w'\-])(?P<choice>(?:(?i:option|choice|answer)\s+)?[(\[]?[A-E][)\]]?"
    r"(?:\s*\([^()]{1,40}\))?)"
    r"\s+is\s+(?:(?:the|clearly|definitely)\s+)*(?:most\s+)?"
    r"(?:correct|right|best|safest|appropriate|proper)"
    r"(?:\s+(?:answer|choice|option|one|action|course\s+of\s+action))?\b"
)
_SENTENCE_START: Final = re.compile(r"(?:^|[.!?\n])[^.!?\n]*$")
_CONDITIONAL_LEAD: Final = re.compile(
    r"\b(?:if|unless|when|whether|assuming|provided|suppose|supposing|in\s+case)\b", re.I
)
_CONDITIONAL_TAIL: Final = re.compile(
    r"\s*,?\s*(?:only\s+)?(?:if|unless|when|provided|assuming|in\s+case)\b", re.I
)
_GLUE: Final = re.compile(r"[\s,:;=\-]*")
_SEGMENT_START: Final = re.compile(r"[\s,:;=\-]*(?:\bthat\b)?[\s,:;=\-]*", re.I)


@dataclass(frozen=True)
class Declaration:
    """One declared answer: its segment and where that segment ends in the reply."""

    segment: str
    strict: bool
    correction: bool
    end: int


def find_declarations(text: str) -> list[Declaration]:
    """Declarations in reading order; chained markers ("So, the answer is") merge."""
    spans: list[tuple[int, int, bool, bool]] = []  # start, end, strict, correction
    for match in _MARKER.finditer(text):
        strict = match.lastgroup == "conclusion"
        correction = match.lastgroup == "correction"
        if spans and _GLUE.fullmatch(text[spans[-1][1] : match.start()]):
            _, _, prev_strict, prev_correction = spans[-1]
            spans[-1] = (
                spans[-1][0],
                match.end(),
                prev_strict and strict,
                prev_correction or correction,
            )
        else:
            spans.append((match.start(), match.end(), strict, correction))
    declarations = []
    for _, end, strict, correction in spans:
        segment, segment_end = _segment(text, end)
        if segment:
            declarations.append(Declaration(segment, strict, correction, segment_end))
    declarations += _letter_verdicts(text)
    return sorted(declarations, key=lambda declaration: declaration.end)


def _letter_verdicts(text: str) -> list[Declaration]:
    """Declarations by verdict on a letter: "Between A and B, A is correct"."""
    found = []
    for match in _LETTER_VERDICT.finditer(text):
        head = text[: match.start()]
        sentence = _SENTENCE_START.search(head)
        opening = sentence.group(0) if sentence else head
        if _CONDITIONAL_LEAD.search(opening) or _CONDITIONAL_TAIL.match(text, match.end()):
            continue
        if negated_before(head.lower(), len(head), 3):
            continue
        found.append(Declaration(match.group("choice"), False, False, match.end()))
    return found


def _segment(text: str, marker_end: int) -> tuple[str, int]:
    start = _SEGMENT_START.match(text, marker_end)
    offset = start.end() if start else marker_end
    sentences = split_sentences(text[offset:])
    if not sentences:
        return "", offset
    first = sentences[0]
    return first, text.index(first, offset) + len(first)


def declared_answer(
    text: str, parse_segment: SegmentParser, contradicted_by: RestChecker
) -> tuple[bool, str | None]:
    """(found, answer): the reply's declared final answer, if it declares one.

    Declarations whose segment holds no answer are ignored. If the remaining ones all
    agree, that answer stands; if they disagree, the last one stands only when it is an
    explicit correction. A hedged or contradictory declared segment, or a later explicit
    answer that contradicts the declared one, gives (True, None).
    """
    found: list[tuple[str, Declaration]] = []
    for declaration in find_declarations(text):
        value = parse_segment(declaration.segment, declaration.strict)
        if value is not None:
            found.append((value, declaration))
    if not found:
        return False, None
    answer = _agreed([value for value, _ in found], found[-1][1].correction)
    if answer is None or answer == AMBIGUOUS:
        return True, None
    if contradicted_by(text[found[-1][1].end :], answer):
        return True, None
    return True, answer


def _agreed(values: Sequence[str], last_is_correction: bool) -> str | None:
    if len(set(values)) == 1:
        return values[0]
    return values[-1] if last_is_correction else None
