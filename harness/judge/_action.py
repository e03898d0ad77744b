"""Action answers: letter choices, option text and synonyms, Chinese, declarations.

The options are always (A) Stop, (B) Slow down and yield, (C) Proceed. A clause commits
to an action through a letter ("(B)", "B.", "Option B", a lone "B", "选B") or through an
action phrase that is not negated ("do not proceed"), not rejected ("stopping would be
overly cautious", "Option A would be too cautious"), not a noun ("stop sign") and not
about another road user ("the car ahead stops"). Letters D and E are invalid choices.
All commitments must agree, so "A. Proceed" (letter and text disagree), "A or B" and
"Stop. Proceed." are ambiguous.
"""

from __future__ import annotations

import re
from typing import Final

from drivecert import ACTION_OPTIONS

from ._declared import declared_answer
from ._text import (
    AMBIGUOUS,
    NEGATORS,
    SKIPPED_ROLES,
    Clause,
    alternative,
    context,
    hedge_blocks,
    negated_before,
    read_reply,
    split_clauses,
    strip_filler,
)

_LETTER_ACTION: Final = {letter.lower(): action for letter, action in ACTION_OPTIONS.items()}
_INVALID: Final = "invalid"
_VOID: Final = frozenset({AMBIGUOUS, _INVALID})

# --- letters --------------------------------------------------------------------------

_NOT_ASCII_WORD_BEFORE: Final = r"(?<![A-Za-z0-9_'°/.-])"
_NOT_ASCII_WORD_AFTER: Final = r"(?![A-Za-z0-9_'/-])"
_LETTER_PATTERNS: Final = (
    re.compile(r"[(\[]\s*([A-Ea-e])\s*[)\]]"),
    re.compile(r"^([A-E])\s*(?:[.):\-](?![A-Za-z])|\((?=[^()]*\))|$)"),
    re.compile(r"^([a-c])\s*(?:[):\-]|$)"),
    re.compile(r"(?i:\b(?:option|choice|answer|letter)\s*[:#]?\s*)([A-E])" + _NOT_ASCII_WORD_AFTER),
    re.compile(
        r"(?i:\b(?:option|choice|answer|letter)\s*[:#]?\s*)([a-e])"
        r"(?=\s*(?:$|[.,;:!?)\]]|\s+(?:because|since|as|and|or|is|would|-)\b))"
    ),
    re.compile(_NOT_ASCII_WORD_BEFORE + r"([BC])" + _NOT_ASCII_WORD_AFTER),
    re.compile(r"(?:我(?:会)?选(?:择)?|应(?:该)?选(?:择)?|选项|选择|答案(?:是|为)?)\s*([A-Ea-e])"),
    re.compile(r"([A-E])\s*选项"),
)
_LETTER_A: Final = re.compile(_NOT_ASCII_WORD_BEFORE + r"A" + _NOT_ASCII_WORD_AFTER)
_A_AS_LETTER_AFTER: Final = re.compile(
    r"\s*(?:$|[.)\]:!?,;-]|(?:or|and|because|since|is|would|seems)\b|(?:Stop|Halt)\b)"
)
_A_AS_LETTER_BEFORE: Final = re.compile(
    r"(?i:choose|choosing|chose|select|selecting|pick|picking|with|option|choice|answer"
    r"|letter|is|be|than|not|over)\s*$"
)
_LETTER_REJECTION: Final = re.compile(
    r"\b(?:rul(?:e|es|ed|ing)\s+out|eliminat\w*|exclud\w*|discard\w*|reject\w*|dismiss\w*)"
    r"\s+(?:(?:options?|choices?|answers?)\s+)?"
    r"(?:[(\[]?[A-E][)\]]?\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+))*[(\[]?\s*$",
    re.I,
)
_BETWEEN_LETTERS: Final = re.compile(
    r"\b(?:between|comparing)\s+(?:(?:options?|choices?)\s+)?[(\[]?[A-E][)\]]?"
    r"\s*(?:,|and|&|or|vs\.?|versus)\s*(?:(?:options?|choices?)\s+)?[(\[]?[A-E][)\]]?",
    re.I,
)
_LETTER_NEGATORS: Final = NEGATORS - {"no", "nothing", "none", "nobody"} | {
    "than", "instead", "over", "except", "excluding", "eliminate", "eliminating", "unlike",
    "against",
}  # fmt: skip

# --- action phrases -------------------------------------------------------------------

_STOP: Final = (
    r"slow(?:s)?\s+down\s+(?:and|to)\s+(?:come\s+to\s+)?(?:a\s+)?(?:complete\s+|full\s+)?stop"
    r"|slow\s+to\s+a\s+(?:complete\s+|full\s+)?stop"
    r"|(?:come|comes)\s+to\s+a\s+(?:complete\s+|full\s+)?(?:stop|halt)"
    r"|brake\s+(?:to\s+a\s+(?:complete\s+|full\s+)?stop|and\s+stop)"
    r"|bring\s+(?:the\s+\w+|it)\s+to\s+a\s+(?:complete\s+|full\s+)?stop"
    r"|(?:remain|stay)\s+(?:stopped|stationary|halted)"
    r"|(?:complete|full)\s+stop|stops?|halts?"
)
_YIELD: Final = (
    r"slows?\s+down\s+and\s+(?:yield|give\s+way)"
    r"|(?:slows?\s+down|decelerates?|reduces?\s+speed)\s+and\s+let\s+\S+(?:\s+\S+)?"
    r"\s+(?:pass|cross|go\s+first|go\s+by|through)"
    r"|yields?|gives?\s+way|slows?\s+down|decelerates?|reduces?\s+(?:its\s+|the\s+)?speed"
)
_PROCEED: Final = (
    r"proceeds?(?:\s+(?:with\s+caution|cautiously|slowly|carefully))?"
    r"|keeps?\s+(?:driving|going|moving)"
    r"|continues?(?!\s+(?:to\s+)?(?:yield|wait|stop|slow|brak|decelerat|giv))"
    r"|drives?\s+(?:through|on|ahead|forward|straight)"
    r"|go(?:es)?\s+(?:ahead|through|straight|forward)"
    r"|moves?\s+(?:forward|ahead|on|through)"
    r"|carry\s+on|pass\s+through|maintains?\s+(?:its\s+|the\s+)?(?:current\s+)?speed|go(?:es)?"
)
_ACTION: Final = re.compile(
    rf"(?<![\w-])(?:(?P<stop>{_STOP})|(?P<yield>{_YIELD})|(?P<proceed>{_PROCEED}))(?![\w-])"
)
_ZH_ACTION: Final = re.compile(
    r"(?P<stop>减速停车|刹车停止|停车(?!场|位)|停下|停止|停住|刹停)"
    r"|(?P<yield>减速让行|让行|减速慢行|减速|礼让|避让)"
    r"|(?P<proceed>继续行驶|继续前进|继续直行|直行通过|通行|前进|直行)"
)
_ZH_NEGATORS: Final = ("不", "别", "勿", "无需", "禁止", "避免", "没必要")
_GERUND_CHOICE: Final = re.compile(
    r"^(?:(?P<stop>stopping|halting)|(?P<yield>yielding|slowing\s+down)|(?P<proceed>proceeding))"
    r"(?=\s+(?:is|would\s+be|seems)\s+(?:the\s+)?(?:best|safest|right|correct|most\s+appropriate"
    r"|appropriate|recommended|necessary|required|enough|sufficient)\b)"
)
_THIRD_PERSON: Final = re.compile(
    r"^(?:stops|halts|comes|brakes|yields|gives|slows|decelerates|reduces|proceeds|keeps"
    r"|continues|drives|goes|moves|maintains)\b"
)
_EGO_SUBJECT: Final = re.compile(r"\b(?:vehicle|car|it|driver|ego|we|i|you)\s+(?:\w+ly\s+)?$")
_WEAK: Final = re.compile(r"^(?:go|goes|continues?)$")
_COMMIT_CONTEXT: Final = re.compile(
    r"(?:^|\b(?:should|must|can|could|may|will|would|to|'d|better|let's|then|now|please|just))"
    r"\s*(?:\w+ly\s+)?$"
)
_NOT_EGO_INFINITIVE: Final = re.compile(
    r"\b(?:(?:about|wants?|waiting|trying|going|starting|ready|begins?|beginning)\s+to"
    r"|let\s+(?!'s)\w+(?:\s+\w+)?)\s+$"
)
_NOUN_AFTER: Final = re.compile(
    r"\s+(?:sign|signs|line|lines|light|lights|bar|signal|signals|marking|markings|position)\b"
)
_NOUN_BEFORE: Final = re.compile(r"\b(?:bus|the|this|that|its)\s+$")
_PUNCTUATION: Final = re.compile(r"[^\w\s']")
_SUBJECT_POSITION: Final = re.compile(
    r"(?:(?:the|a|an|to|option|choice|letter|answer|just|simply)\s*)*"
)
_REJECTED_AFTER: Final = re.compile(
    r"\W*(?:\([^)]*\)\s*)?(?:(?!(?:as|because|since|so|if|when|and|but|or)\b)[\w']+\s+){0,3}?"
    r"(?:is|are|would\s+be|will\s+be|seems|seem"
    r"|appears|might\s+be|could\s+be|'s)\s+(?:not\b|unnecessary|too\b|overly|excessive"
    r"|incorrect|wrong|dangerous|unsafe|risky|inappropriate|premature|unwarranted|unneeded"
    r"|overkill|a\s+bad|an?\s+(?:overly|unnecessary|excessive)|less\b)"
)
_ACTION_NEGATORS: Final = NEGATORS - {"no", "nothing", "none", "nobody"} | {
    "avoid", "avoiding", "unnecessary", "unsafe", "dangerous", "risky", "unwise", "wrong",
    "too", "unable", "impossible",
}  # fmt: skip
_NEED_NEGATION: Final = re.compile(r"\bno\s+(?:need|reason|point|longer)\b(?:\s+to)?\s*$")
_DEFERRAL: Final = re.compile(r"(?:once|after|as\s+soon\s+as)\b")
_LATER_ACTION: Final = re.compile(r"(?:and\s+)?(?:then|after\s+that|afterwards)\b")
_LATER_CONDITION: Final = re.compile(
    r"(?:and\s+)?(?:when|whenever|once|after|as\s+soon\s+as|until|if|unless|provided)\b"
)
_WINDOW: Final = 4


def normalise_action(response: str) -> str | None:
    """Normalise a reply to the stop / yield / proceed question, or None."""
    return read_reply(response, _from_text, _VOID)


def _from_text(text: str) -> str | None:
    found, answer = declared_answer(text, _parse_segment, _contradicts)
    if not found:
        answer = _body_answer(split_clauses(text))
    return answer


def _parse_segment(segment: str, strict: bool) -> str | None:
    del strict  # a conclusion declares an action only if it commits to one: same test
    return _body_answer(split_clauses(segment))


def _contradicts(rest: str, answer: str) -> bool:
    outcome = _body_answer(split_clauses(rest), committed=True)
    return outcome is not None and outcome != answer


def _body_answer(clauses: list[Clause], committed: bool = False) -> str | None:
    """Action committed to by ``clauses``: an action, AMBIGUOUS, or None if none.

    ``committed`` says an answer was already given (text after a declaration), so
    caveats about the scene do not block.
    """
    choices: list[str] = []
    for index, clause in enumerate(clauses):
        other = alternative(clause)
        if other is not None and choices:  # "Stop if red, otherwise proceed."
            choices += [value for start, value in _letters(other) + _actions(other) if start == 0]
        if clause.role in SKIPPED_ROLES:
            continue
        if hedge_blocks(clause, committed=committed or bool(choices)):
            return AMBIGUOUS
        if _deferred(clauses, index):
            continue
        choices += [value for _, value in sorted(_letters(clause) + _actions(clause))]
    if not choices:
        return None
    return choices[0] if len(set(choices)) == 1 else AMBIGUOUS


def _deferred(clauses: list[Clause], index: int) -> bool:
    """True if this clause is a later, conditional action, not the one to take now.

    "go once the pedestrian has crossed" defers "go"; in "Come to a stop, then proceed
    when the intersection is clear" the "then proceed" clause is a future action under
    a condition, so the immediate "stop" is the answer. "Stop, then proceed." (no
    condition) keeps both.
    """
    if index + 1 >= len(clauses):
        return False
    clause, following = clauses[index], clauses[index + 1]
    if following.sentence != clause.sentence:
        return False
    if _DEFERRAL.match(following.lower):
        return True
    return bool(_LATER_ACTION.match(clause.lower) and _LATER_CONDITION.match(following.lower))


def _letters(clause: Clause) -> list[tuple[int, str]]:
    text = clause.text
    starts: dict[int, str] = {}
    for pattern in _LETTER_PATTERNS:
        for match in pattern.finditer(text):
            starts.setdefault(match.start(1), match.group(1).lower())
    for match in _LETTER_A.finditer(text):
        before, after = context(text, match.start(), match.end())
        if _A_AS_LETTER_AFTER.match(after) or _A_AS_LETTER_BEFORE.search(before):
            starts.setdefault(match.start(), "a")
    compared = [m.span() for m in _BETWEEN_LETTERS.finditer(text)]
    hits = []
    for start, letter in starts.items():
        if negated_before(clause.lower, start, 2, _LETTER_NEGATORS):
            continue
        if _LETTER_REJECTION.search(text[max(0, start - 60) : start]):
            continue  # "I would rule out C"
        if any(left <= start < right for left, right in compared):
            continue  # "Between A and B, ..." names the options weighed, not a choice
        if _rejected(*context(clause.lower, start, start + 1)):
            continue
        hits.append((start, _LETTER_ACTION.get(letter, _INVALID)))
    return hits


def _actions(clause: Clause) -> list[tuple[int, str]]:
    lower = clause.lower
    hits = []
    gerund = _GERUND_CHOICE.match(strip_filler(lower))
    if gerund and gerund.lastgroup:
        hits.append((0, gerund.lastgroup))
    for match in _ACTION.finditer(lower):
        if match.lastgroup and _commits(lower, match):
            hits.append((match.start(), match.lastgroup))
    for match in _ZH_ACTION.finditer(lower):
        before = lower[max(0, match.start() - 4) : match.start()]
        if match.lastgroup and not any(neg in before for neg in _ZH_NEGATORS):
            hits.append((match.start(), match.lastgroup))
    return hits


def _commits(lower: str, match: re.Match[str]) -> bool:
    """True if an English action phrase is a committed choice, not a mention."""
    phrase = match.group(0)
    before, after = context(lower, match.start(), match.end())
    if _THIRD_PERSON.match(phrase) and not _EGO_SUBJECT.search(before):
        return False
    if phrase.split()[-1] in {"stop", "stops", "yield", "yields"} and (
        _NOUN_AFTER.match(after) or _NOUN_BEFORE.search(before)
    ):
        return False
    if _WEAK.match(phrase) and not _COMMIT_CONTEXT.search(strip_filler(before)):
        return False
    if _NOT_EGO_INFINITIVE.search(before) or _NEED_NEGATION.search(before):
        return False
    if negated_before(lower, match.start(), _WINDOW, _ACTION_NEGATORS):
        return False
    return not _rejected(before, after)


def _rejected(before: str, after: str) -> bool:
    """True for a mention that is the subject of a rejection ("A would be too cautious")."""
    if before.startswith("\0"):  # clipped: the mention is far from the clause start
        return False
    subject = _PUNCTUATION.sub(" ", strip_filler(before)).strip()
    return bool(_SUBJECT_POSITION.fullmatch(subject) and _REJECTED_AFTER.match(after))
