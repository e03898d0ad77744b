"""What a yes/no question asks: its predicate family, polarity and action.

A predicate in a reply ("it is not necessary", "the vehicle can go", "不安全") answers a
question only if it is the predicate the question asks about: "The vehicle can go." says
nothing about "Is it necessary for the vehicle to stop?". Predicates are grouped in
families:

* necessity: necessary, need, required, must, has to, mandatory; 需要 / 必须 / 不必 / 无需
* possibility: possible, feasible, can / cannot, able / unable; 可以 / 能 / 不能 / 不可能
* permission: allowed, permitted, prohibited, forbidden; 允许 / 禁止
* safety: safe, unsafe, dangerous; 安全 / 不安全 / 危险
* blocking: block, obstruct, unblocked, unobstructed; 挡住 / 阻挡
* advice: should, ought to; 应该 / 不应该

``question_frame`` reads the family from the question's first predicate word, whether
the question asks the negative form ("Is it unsafe ...?", readings flip) or is itself
negated ("Isn't it safe ...?", predicates cannot answer it), and which action the
question is about ("stop", "turn", ...), so that "It is necessary to slow down" is not
read as an answer to "Is it necessary to stop?".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final, Literal

Family = Literal["necessity", "possibility", "permission", "safety", "blocking", "advice"]
Polarity = Literal[1, -1, 0]


@dataclass(frozen=True)
class QuestionFrame:
    """The predicate a yes/no question asks about.

    Attributes:
        family: the predicate family whose predicates answer the question.
        polarity: 1 if the question asks the positive predicate ("Is it safe?"), -1 if it
            asks the negative one ("Is it dangerous?", so "it is safe" means no), 0 if
            the question is negated ("Isn't it safe?"), so predicates cannot answer it.
        action: the action class the question is about ("stop", "yield", "proceed",
            "turn", "lane"), or None.
    """

    family: Family
    polarity: Polarity
    action: str | None


# --- question families ----------------------------------------------------------------

_NEG_Q: Final[tuple[tuple[Family, str], ...]] = (
    ("necessity", r"\b(?:unnecessary|unneeded|needn't)\b|不需要|不必|无需|没必要"),
    ("possibility", r"\b(?:impossible|infeasible|unable|cannot|can't)\b|不可能|不能|无法"),
    ("permission", r"\b(?:prohibited|forbidden|illegal|disallowed)\b|禁止|违法|不允许"),
    ("safety", r"\b(?:unsafe|dangerous|risky|hazardous)\b|不安全|危险"),
    ("blocking", r"\b(?:unblocked|unobstructed)\b"),
    ("advice", r"\b(?:shouldn't)\b|不应该|不应"),
)
_POS_Q: Final[tuple[tuple[Family, str], ...]] = (
    (
        "necessity",
        r"\b(?:necessary|need|needs|needed|required?|requires|must|ha(?:ve|s)\s+to"
        r"|mandatory|obligatory|obliged)\b|需不需要|需要|必须|必要",
    ),
    (
        "possibility",
        r"\b(?:possible|feasible|can|could|able)\b"
        r"|可不可以|可以|能不能|能否|能够|可能|(?<![可智功性技本才])能(?![见源量力])",
    ),
    ("permission", r"\b(?:allowed|permitted|permissible|legal|legally|may)\b|允许|准许|合法"),
    ("safety", r"\b(?:safe|safely)\b|安不安全|安全"),
    ("blocking", r"\b(?:block(?:s|ed|ing)?|obstruct(?:s|ed|ing)?)\b|挡|阻碍|堵"),
    ("advice", r"\b(?:should|ought)\b|应不应该|该不该|应该|应当"),
)
_Q_WORDS: Final[tuple[tuple[Family, Polarity, re.Pattern[str]], ...]] = (
    *((family, -1, re.compile(pattern)) for family, pattern in _NEG_Q),
    *((family, 1, re.compile(pattern)) for family, pattern in _POS_Q),
)
_MODAL_TRIGGER: Final = re.compile(r"^(?:can|could|可以|能|能够|能否|能不能|可不可以)$")
_MODAL_REFINEMENT: Final[tuple[tuple[Family, re.Pattern[str]], ...]] = (
    ("safety", re.compile(r"\b(?:safe|safely)\b|安全")),
    ("permission", re.compile(r"\b(?:legal|legally|allowed|permitted)\b|合法|允许")),
)
_Q_NEGATED_EN: Final = re.compile(
    r"(?:\b(?:not|no|never|nothing|nobody|none|without)|n't)\s+(?:[\w']+\s+){0,2}$"
)
_Q_NEGATED_ZH: Final = re.compile(r"[不没无未][\u3400-\u9fff]?$")
_Q_ALTERNATIVE_ZH: Final = re.compile(r"(?:是不是|是否|有没有|要不要|会不会|能不能|可不可)$")


def question_frame(question: str | None) -> QuestionFrame | None:
    """The frame of a yes/no question, or None when no predicate family is recognised."""
    if not question:
        return None
    lower = unicodedata.normalize("NFKC", question).replace("\u2019", "'").lower()
    hits = [
        (match.start(), -len(match.group(0)), family, polarity, match)
        for family, polarity, pattern in _Q_WORDS
        for match in pattern.finditer(lower)
    ]
    if not hits:
        return None
    start, _, family, polarity, match = min(hits, key=lambda hit: hit[:2])
    word = match.group(0)
    if _MODAL_TRIGGER.match(word):
        for refined, pattern in _MODAL_REFINEMENT:
            if pattern.search(lower, match.end()):
                family = refined
                break
    if _is_negated(lower[max(0, start - 30) : start], word):
        polarity = 0
    action = action_class(lower[match.end() :]) or action_class(lower)
    return QuestionFrame(family, polarity, action)


def _is_negated(before: str, word: str) -> bool:
    if re.match(r"[\u3400-\u9fff]", word):
        return bool(_Q_NEGATED_ZH.search(before)) and not _Q_ALTERNATIVE_ZH.search(before)
    return bool(_Q_NEGATED_EN.search(before))


# --- action classes -------------------------------------------------------------------

_ACTION_CLASSES: Final = re.compile(
    r"(?P<lane>\b(?:change|changes|changing)\s+lanes?\b|\blane\s+change|\bmerg(?:e|es|ing)\b"
    r"|\bovertak(?:e|es|ing)\b|变道|换道|并线|超车)"
    r"|(?P<stop>\b(?:stop|stops|stopping|stopped|halt|halts|halting|brake|brakes|braking)\b"
    r"|停车|停下|停止|停住|刹车|刹停)"
    r"|(?P<yield>\b(?:yield|yields|yielding|give\s+way|giving\s+way|slow(?:s|ing)?\s+down"
    r"|decelerat\w*|reduce\s+(?:its\s+|the\s+)?speed)\b|让行|避让|礼让|减速|慢行|让)"
    r"|(?P<turn>\b(?:turn|turns|turning|u-turn)\b|转弯|右转|左转|掉头)"
    r"|(?P<proceed>\b(?:proceed\w*|go|goes|continu\w*|cross|crossing|enter|enters|entering"
    r"|drive|drives|driving|move\s+(?:forward|ahead|on|through)|pass\s+through"
    r"|keep\s+(?:going|driving|moving))\b|通行|前进|继续|直行|通过|行驶|驶入|进入)"
)


def action_class(text: str) -> str | None:
    """Class of the first action named in ``text`` ("stop", "yield", "proceed", ...)."""
    match = _ACTION_CLASSES.search(text)
    return match.lastgroup if match else None
