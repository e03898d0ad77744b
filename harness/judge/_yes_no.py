"""Yes/no answers: explicit answer words, question-aware predicates, Chinese, declarations.

Two kinds of signal are read from each clause:

* explicit answers: yes / yeah / yep / nope / affirmative / negative / 是 / 否 ... and
  the word "no" when it is an interjection ("No.", "No, it ...", "I would say no"),
  never when it is a determiner ("no pedestrians", "no need"); a bare Chinese echo of
  a predicate ("需要。", "不可以，...") is an explicit answer too;
* predicates of the families in ``_question`` (necessity, possibility, permission,
  safety, blocking, advice) and their negations ("not necessary", "no need to", "does
  not block", "impossible", "cannot", "不安全", "没有建筑物挡住").

When the question is known (see ``question_frame``), only predicates of its family
count, readings flip for a question that asks the negative form ("Is it dangerous?"),
and a predicate whose complement names another action than the question's ("It is
necessary to slow down" for "Is it necessary to stop?") is not an answer. Without a
question every predicate counts, as before. "might / may / could" before a predicate
hedges it, and a positive predicate followed by a condition ("safe once the cyclist has
passed") is not an answer now.

Predicates count before the first explicit answer, and in main clauses of the sentence
that holds it ("No, it is necessary" is contradictory); later ones are explanation.
For a known question, a "but" caveat after a committed answer counts only if it names
the question's action.
All counted signals must agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from ._declared import declared_answer
from ._question import Family, QuestionFrame, action_class, question_frame
from ._stated import QuestionShape, question_shape, stated_answer
from ._text import (
    AMBIGUOUS,
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

_MENTION: Final = re.compile(r"\byes\s*(?:/|\bor\b|\band/or\b)\s*no\b|\bno\s*(?:/|\bor\b)\s*yes\b")
_YES_WORD: Final = re.compile(r"\b(?:yes|yeah|yep|yup|yea)\b(?!-\w)")
_NO_WORD: Final = re.compile(r"\b(?:nope|nah)\b")
_NO_INTERJECTION: Final = re.compile(
    r"\bno\b(?=\s*(?:$|[.,!?;:)\]\"']|-(?!\w))"
    r"|\s+(?:it|it's|its|they|they're|there|this|that|these|those|he|she|i|i'm|we|you"
    r"|the|a|an|because|since|as|but|not|sir)\b)"
)
_WHOLE_CLAUSE_YES: Final = re.compile(
    r"(?:affirmative|correct|indeed|absolutely|certainly|definitely|of\s+course|true"
    r"|that's\s+right|that\s+is\s+correct)\W*"
)
_WHOLE_CLAUSE_NO: Final = re.compile(
    r"(?:negative|incorrect|false|(?:absolutely|certainly|definitely|of\s+course)\s+not"
    r"|not\s+at\s+all|no\s+way|not\s+(?:right\s+)?now|not\s+at\s+(?:the|this)\s+moment"
    r"|not\s+yet|not\s+currently|not\s+at\s+present)\W*"
)
_ZH_LEAD_IN: Final = re.compile(r"^(?:我认为|我觉得|我想|我判断|我的回答是|回答|嗯)\s*")
_ZH_START: Final = re.compile(
    r"(?P<echo_no>不需要|不必要|不必|不可以)"
    r"|(?P<no>不是)"
    r"|(?P<echo_no2>不可|不能|不用|不应该|不应|没必要|无需)"
    r"|(?P<no2>否|不对|不会|没有(?=\W|$|的)|不(?=\W|$))"
    r"|(?P<yes>是的|是(?=\W|$|的)|对的|对(?=\W|$)|没错)"
    r"|(?P<echo_yes>需要)"
    r"|(?P<yes2>有的|有(?=\W|$))"
    r"|(?P<echo_yes2>可以|能(?=\W|$)|应该|必须)"
    r"|(?P<yes3>肯定|当然)"
)
_ZH_BARE_REST: Final = re.compile(r"[了的啊呀吧呢哦嘛\s]*")


# --- predicates -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Predicate:
    family: Family
    negative: bool
    pattern: str
    legacy: bool = True
    """Counted without a question too; False for words that only answer their family."""


_PREDICATES: Final[tuple[_Predicate, ...]] = (
    # Negative forms come first: at the same position the longer, negative word wins.
    _Predicate("necessity", True, r"\b(?:unnecessary|unneeded|needn't|mustn't)\b"),
    _Predicate("necessity", True, r"不需要|不必要|不必|无需|不用|没必要|没有必要"),
    _Predicate(
        "possibility", True, r"\b(?:impossible|infeasible|cannot|can't|can\s+not|unable\s+to)\b"
    ),
    _Predicate("possibility", True, r"不可以|不能|不可能|不可"),
    _Predicate("possibility", True, r"无法", legacy=False),
    _Predicate("permission", True, r"\b(?:prohibited|forbidden|disallowed)\b|不允许|禁止"),
    _Predicate("permission", True, r"\billegal\b|违法", legacy=False),
    _Predicate("safety", True, r"\bunsafe\b"),
    _Predicate("safety", True, r"\bdangerous\b|不安全|危险", legacy=False),
    _Predicate("blocking", True, r"\b(?:unblocked|unobstructed)\b"),
    _Predicate("advice", True, r"\bshouldn't\b|不应该|不应"),
    _Predicate(
        "necessity",
        False,
        r"\b(?:necessary|needed|needs?|required|requires?|mandatory|must|has\s+to|have\s+to)\b"
        r"|需要|必须",
    ),
    _Predicate("necessity", False, r"必要", legacy=False),
    _Predicate("possibility", False, r"\b(?:possible|feasible|can)\b|可以"),
    _Predicate(
        "possibility",
        False,
        r"\bable\s+to\b|能够|(?<![可智功性技本才职动体热电])能(?![见源量力否])",
        legacy=False,
    ),
    _Predicate("permission", False, r"\b(?:allowed|permitted|permissible)\b|允许"),
    _Predicate("permission", False, r"\blegal\b|合法", legacy=False),
    _Predicate("safety", False, r"\bsafe\b"),
    _Predicate("safety", False, r"\bsafely\b|安全", legacy=False),
    _Predicate(
        "blocking", False, r"\b(?:blocks?|blocked|blocking|obstructs?|obstructed|obstructing)\b"
    ),
    _Predicate("blocking", False, r"挡住|挡着|挡了|挡在|阻挡|阻碍|遮挡|堵住|堵塞", legacy=False),
    _Predicate("advice", False, r"\b(?:should|ought\s+to)\b|应该"),
)
_PREDICATE: Final = re.compile(
    "|".join(f"(?P<p{index}>{entry.pattern})" for index, entry in enumerate(_PREDICATES))
)
_FOLLOWED_BY_NOT: Final = re.compile(r"\s*(?:not\b|n't\b)")
_MODALS: Final = frozenset({"can", "cannot", "can't", "can not", "must", "should"})
_PERCEPTION: Final = re.compile(
    r"\s+(?:not\s+)?(?:be\s+seen|see|tell|observe|notice|determine|identify|confirm|say"
    r"|spot|be\s+observed|be\s+noted|note|mention|make\s+out|read)\b"
)
_FIRST_PERSON: Final = re.compile(r"\bi(?:'m|\s+am)?(?:\s+(?:not|really|simply|just))*\s+$")
_NOUN_BLOCK: Final = re.compile(r"\b(?:a|one|the|city|next|each|this|that)\s*$")
_NOT_A_PREDICATE: Final = re.compile(r"\s+(?:distance|speed|manner|space|gap)\b")
_PREDICATIVE: Final = re.compile(
    r"\b(?:is|are|was|were|be|been|being|'s|seems?|looks?|remains?|too|very|quite"
    r"|extremely|rather|really|highly|so|not)\s+$"
)
_SAFELY_MODAL: Final = re.compile(
    r"\b(?:can|cannot|can't|able\s+to|unable\s+to|be)\s+(?:[\w']+\s+){0,2}$"
)
_ZH_SAFE_NOT_PREDICATE_BEFORE: Final = re.compile(
    r"(?:注意|保证|确保|保持|为了|交通|行车|保障|影响|威胁|涉及|关乎|有关)$"
)
_ZH_SAFE_NOT_PREDICATE_AFTER: Final = re.compile(
    r"(?:距离|带|问题|隐患|措施|第一|意识|岛|员|帽|性|起见|提示|警示|标志|气囊|系统)"
)
_ZH_DANGER_NOT_PREDICATE_AFTER: Final = re.compile(r"[品区标警信物因]")
_MODAL_HEDGE: Final = re.compile(r"\b(?:might|may|could)(?:n't)?(?:\s+[\w']+){0,2}\s+$")
_ZH_NEGATOR: Final = re.compile(r"[不没无未别勿](?![仅但只光管论过断])")
_ZH_EXISTENTIAL: Final = re.compile(r"^(?:没有|没)(?!有?必要)")
_ZH_CONCESSIVE: Final = re.compile(r"[也都还仍]|依然|依旧")
_CJK: Final = re.compile(r"[\u3400-\u9fff]")
_WINDOW: Final = 3
_COMPLEMENT_WORDS: Final = 6
_ZH_COMPLEMENT_CHARS: Final = 6
_DEFERRING_CONDITION: Final = re.compile(
    r"(?:and\s+)?(?:once|after|as\s+soon\s+as|when|whenever|if|only\s+if)\b|如果|若|等到"
)


def normalise_yes_no(response: str, question: str | None = None) -> str | None:
    """Normalise a reply to a yes/no question to "yes", "no" or None.

    With ``question``, predicates are read relative to what it asks (see module doc).
    """
    frame = question_frame(question)
    shape = question_shape(question)
    return read_reply(response, lambda text: _from_text(text, frame, shape))


def _from_text(text: str, frame: QuestionFrame | None, shape: QuestionShape | None) -> str | None:
    found, answer = declared_answer(
        text,
        lambda segment, strict: _parse_segment(segment, strict, frame, shape),
        lambda rest, declared: _contradicts(rest, declared, frame, shape),
    )
    if not found:
        answer = _body_answer(split_clauses(text), frame, shape=shape)
    return answer


def _parse_segment(
    segment: str, strict: bool, frame: QuestionFrame | None, shape: QuestionShape | None
) -> str | None:
    clauses = split_clauses(segment)
    # A conclusion ("In summary, ...") declares through an explicit answer, or, when the
    # question is known, through a predicate of the question's family.
    explicit_first = bool(clauses and _explicit(clauses[0], frame))
    if strict and not explicit_first and (frame is None or frame.polarity == 0):
        return None
    return _body_answer(clauses, frame, shape=shape)


def _contradicts(
    rest: str, answer: str, frame: QuestionFrame | None, shape: QuestionShape | None
) -> bool:
    outcome = _body_answer(
        split_clauses(rest), frame, explicit_only=True, committed=True, shape=shape
    )
    return outcome is not None and outcome != answer


def _body_answer(
    clauses: list[Clause],
    frame: QuestionFrame | None,
    explicit_only: bool = False,
    committed: bool = False,
    shape: QuestionShape | None = None,
) -> str | None:
    """Answer carried by ``clauses``: "yes"/"no", AMBIGUOUS, or None if no signal.

    ``explicit_only`` ignores predicates; ``committed`` says an answer was already given
    (text after a declaration), so caveats about the scene do not block. With a
    recognised question ``shape``, a reply with no answer word or predicate may answer by
    a statement ("There is no traffic in my lane."); a question about all of something, or
    one about existence or a state with no predicate family, counts no predicate.
    """
    predicates = not explicit_only and _predicates_answer(frame, shape)
    signals: list[str] = []
    explicit_sentence: int | None = None
    for index, clause in enumerate(clauses):
        other = alternative(clause)
        if other is not None and signals:  # "Yes if it is green, otherwise no."
            signals += _explicit(other, frame)
        if clause.role in SKIPPED_ROLES:
            continue
        if hedge_blocks(clause, committed=committed or bool(signals)) and not _states_despite_hedge(
            clauses, index, frame, shape
        ):
            return AMBIGUOUS
        explicit = _explicit(clause, frame)
        if explicit:
            signals += explicit
            if explicit_sentence is None:
                explicit_sentence = clause.sentence
            continue
        if not predicates:
            continue
        counted = explicit_sentence is None or (
            clause.sentence == explicit_sentence and clause.role == "main"
        )
        if counted:
            ego_only = shape is not None and bool(shape.person)
            signals += _counted_predicates(clauses, index, frame, bool(signals), ego_only)
    if not signals:
        if explicit_only or shape is None or not _states(frame, shape):
            return None
        return stated_answer(clauses, shape)
    return signals[0] if len(set(signals)) == 1 else AMBIGUOUS


def _states(frame: QuestionFrame | None, shape: QuestionShape | None) -> bool:
    """Whether a statement may answer: for existence questions, questions about you / we
    (read by their echo), and state questions with no predicate family (those are answered
    by their family's predicates)."""
    if shape is None:
        return False
    return (
        frame is None
        or shape.kind in ("existence", "count", "universal", "person")
        or bool(shape.person)
    )


def _states_despite_hedge(
    clauses: list[Clause], index: int, frame: QuestionFrame | None, shape: QuestionShape | None
) -> bool:
    """ "The road is not clear" answers "Is the road clear?", though "it is not clear" alone
    is a hedge: a clause that restates the asked state is not hedged. Nor is "I can't see
    any deer" for "Is there a deer ...?": it reports that none is there, unless the reply
    blames the view ("... because the windshield is fogged")."""
    clause = clauses[index]
    if shape is None or not _states(frame, shape):
        return False
    if shape.kind == "existence":
        blamed = any(_VIEW.search(c.lower) for c in clauses)
        seen = bool(_SEE_NONE.search(clause.lower)) and not blamed
        return seen and stated_answer([clause], shape) == "no"
    return shape.kind == "copula" and stated_answer([clause], shape) in ("yes", "no")


_VIEW: Final = re.compile(
    r"\b(?:fog\w*|glare|dark\w*|obscur\w*|blur\w*|view|visibility|image|picture|photo|camera"
    r"|windshield|windscreen|lens|resolution|frame|angle|blocked|hidden|too\s+far)\b"
)
_SEE_NONE: Final = re.compile(
    r"\b(?:i|we)\s+(?:cannot|can't|can\s+not|could\s+not|couldn't)\s+see\s+any\b"
)


def _predicates_answer(frame: QuestionFrame | None, shape: QuestionShape | None) -> bool:
    """Whether predicates may answer: not for "Are all ...?" (a predicate about some says
    nothing of all), nor for an existence or state question with no predicate family."""
    if shape is None:
        return True
    if shape.kind in ("universal", "person"):
        return False  # a person's modal is read by its echo of the question (_stated)
    if shape.person and (frame is None or frame.family in _AGENT_FAMILIES):
        return False  # "Are we allowed to ...?" too; "Are you blocked?" reads "blocking us"
    return frame is not None or shape.kind not in ("existence", "copula")


def _counted_predicates(
    clauses: list[Clause],
    index: int,
    frame: QuestionFrame | None,
    committed: bool,
    ego_only: bool = False,
) -> list[str]:
    """Predicate readings of ``clauses[index]`` that answer the question (with
    ``ego_only``, only those said of us: "we are not blocked", "blocking us")."""
    clause = clauses[index]
    if _deferred(clauses, index):
        return []  # "safe once the cyclist has passed" is not an answer about now
    values = []
    for value, relation in _predicates(clause, frame, ego_only):
        if frame is not None and committed and clause.role == "caveat" and relation != "same":
            continue  # "不需要停车，但需要减速": the caveat is about another action
        values.append(value)
    return values


def _deferred(clauses: list[Clause], index: int) -> bool:
    """True if the next clause of the sentence makes this one conditional or later.

    "It is safe to go once the pedestrian has crossed" and "it is necessary to stop if
    the light turns red" do not answer for now; caveats such as "provided the driver
    signals" or "until the ambulance passes" do not defer.
    """
    if index + 1 >= len(clauses):
        return False
    following = clauses[index + 1]
    return (
        following.sentence == clauses[index].sentence
        and following.role == "condition"
        and bool(_DEFERRING_CONDITION.match(following.lower))
    )


def _explicit(clause: Clause, frame: QuestionFrame | None) -> list[str]:
    """Explicit yes/no answer words of a clause, in reading order."""
    lower = _MENTION.sub(" ", clause.lower)
    head = strip_filler(lower)
    if _WHOLE_CLAUSE_NO.fullmatch(head):
        return ["no"]
    if _WHOLE_CLAUSE_YES.fullmatch(head):
        return ["yes"]
    hits = [(m.start(), "yes") for m in _YES_WORD.finditer(lower)]
    hits += [(m.start(), "no") for m in _NO_WORD.finditer(lower)]
    hits += [(m.start(), "no") for m in _NO_INTERJECTION.finditer(lower)]
    if not hits:
        return _zh_explicit(_ZH_LEAD_IN.sub("", head), frame)
    return [value for _, value in sorted(hits)]


def _zh_explicit(head: str, frame: QuestionFrame | None) -> list[str]:
    """A Chinese answer at the start of a clause: 是 / 否 / 没有, or a predicate echo.

    A bare echo of a predicate ("需要。", "不可以，...") answers like yes / no, whatever
    the question's family; one with a complement ("不需要停车", "可以通行") is a
    predicate, read by ``_predicates`` (so for a known question only in its family).
    """
    match = _ZH_START.match(head)
    if not match or not match.lastgroup:
        return []
    value = "no" if match.lastgroup.startswith(("no", "echo_no")) else "yes"
    if not match.lastgroup.startswith("echo"):
        return [value]
    if not _ZH_BARE_REST.fullmatch(head[match.end() :]):
        return []
    if frame is None:
        return [value]
    if frame.polarity == 0:
        return []
    return [_flip(value) if frame.polarity < 0 else value]


def _predicates(
    clause: Clause, frame: QuestionFrame | None, ego_only: bool = False
) -> list[tuple[str, str]]:
    """(reading, relation) of each predicate of the clause that the question counts.

    The relation says whether the predicate's complement names the question's action:
    "same", "other" (dropped here) or "unknown". Questions to you / we never get here:
    their replies are read by their echo of the question (``_stated``).
    """
    lower = clause.lower
    values = []
    for match in _PREDICATE.finditer(lower):
        entry = _PREDICATES[int(str(match.lastgroup)[1:])]
        if frame is None:
            if not entry.legacy:
                continue
        elif frame.polarity == 0 or entry.family not in (frame.family, _ALSO.get(frame.family)):
            continue
        word = match.group(0)
        before, after = context(lower, match.start(), match.end())
        if _skip_predicate(word, before, after):
            continue
        if ego_only and not (_EGO_BEFORE.search(before) or _EGO_AFTER.match(after)):
            continue  # "The car ahead of us is blocked" is not about us
        if _REPORTED.search(before):
            continue  # "was blocked earlier", "nothing suggests the road is blocked"
        if entry.family in _AGENT_FAMILIES and _OTHER_SUBJECT.search(before):
            continue  # "the oncoming vehicle must yield" says nothing of the ego vehicle
        relation = _relation(frame, lower, match)
        if relation == "other":
            continue
        if (
            frame is not None
            and entry.family != frame.family
            and (relation != "same" or _NOT_OBLIGATION.match(after))
        ):
            continue  # "must have priority", "must have stopped", "must either stop or ..."
        if _MODAL_HEDGE.search(before):
            values.append((AMBIGUOUS, relation))  # "it might be safe"
            continue
        zh = bool(_CJK.match(word))
        negated = negated_before(lower, match.start(), _WINDOW) or (
            zh and _zh_negated(lower, match.start())
        )
        if entry.negative:
            value = AMBIGUOUS if negated else "no"
        elif negated or (not zh and _FOLLOWED_BY_NOT.match(after)):
            value = "no"
        else:
            value = "yes"
        if frame is not None and frame.polarity < 0:
            value = _flip(value)
        values.append((value, relation))
    return values


def _flip(value: str) -> str:
    return {"yes": "no", "no": "yes"}.get(value, value)


_REPORTED: Final = re.compile(
    r"\b(?:was|were|had\s+been|used\s+to|suggests?|suggesting|indicates?|evidence"
    r"|no\s+sign|appears?\s+that)\b(?:\s+[\w']+){0,4}\s*$"
)
#: A second predicate family that answers a question's family besides its own: what must be
#: done should be done ("The car must stop" answers "Should the car stop?").
_ALSO: Final[dict[str, str]] = {"advice": "necessity"}
#: A predicate said of us: "we are not blocked", "... is blocking us / our lane".
_EGO_BEFORE: Final = re.compile(
    r"\b(?:we|i)(?:\s+(?:are|am|were|was)|'re|'m)?(?:\s+(?:not|currently|still|being|really))*"
    r"\s+$"
)
_EGO_AFTER: Final = re.compile(r"\s+(?:us|me|our|my)\b")
#: What a "must" for a "should" question may not be: a guess ("must have stopped", "must be
#: stopping") or a choice ("must either stop or turn").
_NOT_OBLIGATION: Final = re.compile(r"\s+(?:have|be|either)\b|[^.;]*\bor\b")
_AGENT_FAMILIES: Final = frozenset({"necessity", "possibility", "permission", "advice"})
_OTHER_SUBJECT: Final = re.compile(
    r"\b(?:(?:oncoming|other|approaching|opposing|lead|leading|crossing)\s+(?:vehicle|car)s?"
    r"|trucks?|bus(?:es)?|cyclists?|pedestrians?|motorcycl(?:e|es|ist|ists)"
    r"|bicycl(?:e|es|ist|ists)|bikes?|traffic|they|he|she)\s+(?:[\w']+\s+){0,2}$"
)


def _skip_predicate(word: str, before: str, after: str) -> bool:
    """True if the word is not used as a predicate here ("I can see", "a safe distance")."""
    if word in _MODALS or word.endswith("able to"):
        return bool(_PERCEPTION.match(after) or _FIRST_PERSON.search(before))
    if word == "block":
        return bool(_NOUN_BLOCK.search(before))
    if word == "safe":
        return bool(_NOT_A_PREDICATE.match(after))
    if word == "dangerous":
        return not _PREDICATIVE.search(before)
    if word == "safely":
        return not _SAFELY_MODAL.search(before)
    if word == "安全":
        return bool(
            _ZH_SAFE_NOT_PREDICATE_BEFORE.search(before)
            or _ZH_SAFE_NOT_PREDICATE_AFTER.match(after)
        )
    if word == "危险":
        return bool(_ZH_DANGER_NOT_PREDICATE_AFTER.match(after))
    return False


def _relation(frame: QuestionFrame | None, lower: str, match: re.Match[str]) -> str:
    """Does the predicate's complement name the question's action?

    The complement is the first action within a few words after the predicate ("not
    necessary to stop", "需要减速"), else the action the clause opens with ("Turning
    right is impossible"). "unknown" when the question or the complement names none.
    """
    if frame is None or frame.action is None or frame.family == "blocking":
        return "unknown"
    rest = lower[match.end() :]
    if _CJK.match(match.group(0)):
        window = rest[:_ZH_COMPLEMENT_CHARS]
    else:
        window = " ".join(rest.split()[:_COMPLEMENT_WORDS])
    complement = action_class(window) or action_class(lower[: match.start()])
    if complement is None:
        return "unknown"
    return "same" if complement == frame.action else "other"


def _zh_negated(lower: str, start: int) -> bool:
    """A Chinese negator just before ``start``, or a clause that opens "没有 <noun>".

    "没有建筑物挡住" (no building blocks) negates the predicate it leads to, unless a
    concessive word intervenes ("没有红灯也需要停车").
    """
    if _ZH_NEGATOR.search(lower[max(0, start - 3) : start]):
        return True
    head = _ZH_LEAD_IN.sub("", strip_filler(lower[:start]))
    return bool(_ZH_EXISTENTIAL.match(head)) and not _ZH_CONCESSIVE.search(head)
