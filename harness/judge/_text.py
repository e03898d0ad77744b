"""Text clean-up and segmentation shared by the yes/no and action parsers.

Nothing here knows about answers: it turns a raw model reply into plain text (unicode,
chat templates, markdown and LaTeX removed), splits that text into sentences and clauses
with a coarse discourse *role*, pulls answer fields out of JSON replies and recognises
hedges and negation cues.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final, Literal

AMBIGUOUS: Final = "ambiguous"
"""Sentinel outcome: an answer was attempted but is hedged or self-contradictory."""

Role = Literal["main", "reason", "caveat", "condition", "rejected", "question"]

# --- clean-up -------------------------------------------------------------------------

_CJK: Final = "\u3400-\u9fff"

_PUNCT_MAP: Final = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"', "\u300c": '"', "\u300d": '"',
        "\u300e": '"', "\u300f": '"', "\u3010": "[", "\u3011": "]",
        "\u2010": "-", "\u2011": "-", "\u2012": "-",
        "\u2013": " - ", "\u2014": " - ", "\u2015": " - ", "\u2212": "-",
        "\u3002": ". ", "\uff61": ". ", "\u3001": ", ", "\u2022": "\n- ",
        "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "", "\u00ad": "",
    }
)  # fmt: skip
_CJK_SPACING: Final = re.compile(rf"([!?;,:])(?=[{_CJK}])")

_ASSISTANT_TURN: Final = re.compile(
    r"<\|im_start\|>\s*assistant\b"
    r"|<\|start_header_id\|>\s*assistant\s*<\|end_header_id\|>"
    r"|<\|assistant\|>|<start_of_turn>\s*model\b|\[/INST\]"
    r"|^[ \t]*(?:#+[ \t]*)?(?:assistant|gpt|chatbot|bot|model)[ \t]*:",
    re.I | re.M,
)
_MID_LINE_TURN: Final = re.compile(r"(?<=\s)(?:ASSISTANT|Assistant|GPT|Gpt)[ \t]*:")
_USER_TURN: Final = re.compile(r"(?:^|\s)(?:USER|User|user|HUMAN|Human|human)[ \t]*:", re.M)
_SPECIAL_TOKEN: Final = re.compile(
    r"<\|[^|<>]{0,40}\|>|</?s>|<image>|<pad>|<eos>|<bos>|<unk>|<end_of_turn>|\[/?INST\]", re.I
)
_THINK_BLOCK: Final = re.compile(r"<think>.*?</think>", re.S | re.I)
_THINK_CLOSE: Final = re.compile(r"^.*</think>", re.S | re.I)
_LATEX_WRAP: Final = re.compile(r"\\(?:boxed|text|textbf|mathrm|mathbf)\s*\{([^{}]*)\}")
_CODE_FENCE: Final = re.compile(r"^[ \t]*(?:```|~~~)[\w+-]*[ \t]*$", re.M)
_HRULE: Final = re.compile(r"^[ \t]*(?:[-*_][ \t]*){3,}$", re.M)
_HEADER: Final = re.compile(r"^[ \t]*#{1,6}[ \t]*", re.M)
_QUOTE_MARK: Final = re.compile(r"^[ \t]*>+[ \t]?", re.M)
_BULLET: Final = re.compile(r"^[ \t]*(?:[-*+]|\d{1,2}[.)])[ \t]+", re.M)
_LINK: Final = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS: Final = re.compile(r"\*+|__+|~~|`+|\$+")
_SPACES: Final = re.compile(r"[ \t\f\v]+")
_BLANK_LINES: Final = re.compile(r"\s*\n\s*")
_WRAPPING_QUOTES: Final = "\"' "
_SYMBOL_CATEGORIES: Final = frozenset({"So", "Cs", "Co"})
_INVISIBLE: Final = re.compile("[\ufe00-\ufe0f\U000e0000-\U000e007f\u20e3]")


def clean_text(response: str) -> str:
    """Return the reply as plain text: NFKC, no chat template, markdown or LaTeX."""
    text = unicodedata.normalize("NFKC", response).translate(_PUNCT_MAP)
    text = _CJK_SPACING.sub(r"\1 ", text)
    text = _INVISIBLE.sub("", _without_symbols(text))
    turn_end = _last_assistant_turn(text)
    if turn_end is not None:  # an echoed prompt: keep only the last assistant turn
        text = text[turn_end:]
    text = _SPECIAL_TOKEN.sub(" ", text)
    without_thinking = _THINK_CLOSE.sub("", _THINK_BLOCK.sub("", text))
    if without_thinking.strip():
        text = without_thinking
    text = _LATEX_WRAP.sub(r"\1", _LATEX_WRAP.sub(r"\1", text))
    for pattern in (_CODE_FENCE, _HRULE, _HEADER, _QUOTE_MARK, _BULLET):
        text = pattern.sub("", text)
    text = _EMPHASIS.sub("", _LINK.sub(r"\1", text))
    text = _SPACES.sub(" ", text)
    return _BLANK_LINES.sub("\n", text).strip().strip(_WRAPPING_QUOTES)


def _without_symbols(text: str) -> str:
    """Emoji and other symbols (✅, ❌, 👍, 🚦) are noise: they become spaces."""
    return "".join(
        " " if unicodedata.category(char) in _SYMBOL_CATEGORIES else char for char in text
    )


def _last_assistant_turn(text: str) -> int | None:
    """End of the last assistant marker, or None.

    Markers at the start of a line ("ASSISTANT:", "<|im_start|>assistant") always count;
    a marker in the middle of a line ("... (C) Proceed ASSISTANT: C") counts only after
    a user turn ("USER:", "Human:"), so that prose never loses its beginning.
    """
    ends = [match.end() for match in _ASSISTANT_TURN.finditer(text)]
    user = _USER_TURN.search(text)
    if user:
        ends += [m.end() for m in _MID_LINE_TURN.finditer(text) if m.start() > user.start()]
    return max(ends) if ends else None


# --- JSON replies ---------------------------------------------------------------------

_JSON_OBJECT: Final = re.compile(r"\{[^{}]*\}")
_ANSWER_KEYS: Final = (
    "final_answer", "finalanswer", "answer", "choice", "option", "action", "decision",
    "prediction", "label", "result", "response", "output",
)  # fmt: skip
#: Fields a count comes in (``{"count": 0}``), read only when no answer field is given.
_COUNT_KEYS: Final = ("count", "number", "total", "num")
_JSON_FIELD: Final = re.compile(
    r"[\"']?(\w+)[\"']?\s*:\s*(?:\"((?:[^\"\\]|\\.)*)\"|'([^']*)'|(true|false)|(\d+)\b)", re.I
)


def json_answers(text: str) -> list[str] | None:
    """Values of every answer field of the first JSON-like object with one, else None.

    All answer-like fields ("answer", "final_answer", "action", "choice", "decision",
    "option", "response", ...) are returned, in the object's order, so that the caller
    can require them to agree. Booleans come back as "yes"/"no". Strict JSON is tried
    first, then a lenient key/value scan that also accepts single quotes. An object with no
    answer field, only a count (``{"count": 0}``), answers with the count.
    """
    for match in _JSON_OBJECT.finditer(text):
        fields = _json_fields(match.group(0))
        values = [value for name, value in fields if name in _ANSWER_KEYS]
        if values:
            return values
        if len(fields) == 1 and fields[0][0] in _COUNT_KEYS:
            return [fields[0][1]]  # only a count: {"count": 0}, not {"object": "car", ...}
    return None


def _json_fields(blob: str) -> list[tuple[str, str]]:
    try:
        data = json.loads(blob)
    except ValueError:
        data = None
    if isinstance(data, dict):
        return [
            (_key(name), _scalar(value))
            for name, value in data.items()
            if isinstance(value, str | bool | int)
        ]
    fields = []
    for match in _JSON_FIELD.finditer(blob):
        value = match.group(2) or match.group(3) or match.group(4) or match.group(5) or ""
        fields.append((_key(match.group(1)), _scalar(value)))
    return fields


def _key(name: str) -> str:
    return name.lower().replace("-", "_")


def _scalar(value: object) -> str:
    if isinstance(value, bool) or value in ("true", "false"):
        return "yes" if value in (True, "true") else "no"
    return str(value)


def agreed_answer(
    outcomes: Iterable[str | None], void: frozenset[str] = frozenset({AMBIGUOUS})
) -> str | None:
    """The one answer every JSON answer field gives.

    None if any field is void (hedged, contradictory or invalid) or the fields differ;
    fields without an answer are ignored.
    """
    found = set(outcomes)
    if found & void:
        return None
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def read_reply(
    response: str,
    from_text: Callable[[str], str | None],
    void: frozenset[str] = frozenset({AMBIGUOUS}),
) -> str | None:
    """The answer ``from_text`` reads in a reply, or None.

    A reply that is JSON answers through its answer fields, which must all agree
    (``{"answer": "C", "action": "stop"}`` is no answer); a void outcome is None.
    """
    text = clean_text(response)
    if not text:
        return None
    values = json_answers(text)
    if values is not None:
        return agreed_answer((from_text(value) for value in values), void)
    answer = from_text(text)
    return None if answer in void else answer


# --- sentences and clauses ------------------------------------------------------------


@dataclass(frozen=True)
class Clause:
    """A clause of the reply: its text, lower-cased text, sentence index and role."""

    text: str
    lower: str
    sentence: int
    role: Role


_SENTENCE_SPLIT: Final = re.compile(
    rf"(?<=[.!?])\s+|\n+|(?<=\.\.)(?=\w)|(?<=[!?])(?=\w)|(?<=\.)(?=[A-Z{_CJK}])"
)
_CONNECTORS: Final = (
    r"but|however|although|though|because|since|so|therefore|thus|hence|whereas|while"
    r"|unless|if|when|once|until|before|after|instead|rather\s+than|otherwise|then|yet"
    r"|given|due\s+to"
)
_MODAL_AFTER_AND: Final = (
    r"and\s+(?:(?:it|they|you|we|the\s+\w+(?:\s+\w+)?)\s+)?"
    r"(?:should|must|can|will|needs?\s+to|has\s+to|have\s+to)\b"
)
_CLAUSE_SPLIT: Final = re.compile(
    rf"\s*[,;](?!\d)\s*|(?<!\d):(?!\d)\s*|\s+-+\s+"
    rf"|\s+(?=(?:{_CONNECTORS})\b)|\s+(?={_MODAL_AFTER_AND})"
    r"|\s*\((?=\s*(?:though|although|but|however|except|even\s+(?:if|though)|unless|if)\b)"
    r"|(?=因为|由于|(?<!不)但(?!愿)|不过|然而|可是|如果|所以|因此|否则)",
    re.I,
)
_REASON_LABEL: Final = re.compile(
    r"^(?:reasons?|reasoning|rationale|because|explanation|justification|why|原因|理由|解释)"
    r"\s*[:：]",
    re.I,
)
_ROLES: Final[tuple[tuple[Role, re.Pattern[str]], ...]] = (
    ("rejected", re.compile(r"^(?:rather\s+than|instead\s+of)\b", re.I)),
    (
        "reason",
        re.compile(
            r"^(?:(?:and\s+)?(?:because|since|given|due\s+to|considering|seeing\s+that"
            r"|as(?!\s+(?:a\s+result|such|well|for|long|an?\s+(?:ai|artificial|language|large|text)))"
            r"|for\s+(?=the|it|there))\b|因为|由于)",
            re.I,
        ),
    ),
    (
        "condition",
        re.compile(
            r"^(?:(?:and\s+)?(?:if|unless|when|whenever|once|until|before|after|otherwise"
            r"|as\s+long\s+as|in\s+case|provided)\b|如果|若|否则)",
            re.I,
        ),
    ),
    (
        "caveat",
        re.compile(
            r"^(?:(?:but|however|although|though|while|whereas|yet|except)\b"
            r"|但是|但(?!愿)|不过|然而|可是|只是)",
            re.I,
        ),
    ),
)
_BARE_CONNECTOR: Final = re.compile(
    r"(?:but|however|although|though|yet|instead|because|since|otherwise|then|so|therefore"
    r"|thus|hence|also|well|ok|okay|still|nevertheless|但是|但|不过|然而|可是|因为|所以|因此)",
    re.I,
)
LEADING_FILLER: Final = re.compile(
    r"^(?:(?:and|so|then|therefore|thus|hence|but|however|yet|also|overall|ok|okay|well"
    r"|hmm+|oh|instead|now|in\s+conclusion|in\s+summary|ultimately|consequently|actually"
    r"|please|just|simply|clearly|obviously|honestly)\b\s*)+",
    re.I,
)


CONTEXT: Final = 80
"""How many characters around a match the context checks look at."""


def context(lower: str, start: int, end: int) -> tuple[str, str]:
    """Up to CONTEXT characters before ``start`` and after ``end``.

    Text further away never changes a decision, and bounding it keeps every context
    regex linear in the clause length. A clipped "before" starts with a NUL so that
    patterns anchored at ``^`` cannot mistake it for the start of the clause.
    """
    before = lower[max(0, start - CONTEXT) : start]
    if start > CONTEXT:
        before = "\0" + before
    return before, lower[end : end + CONTEXT]


def split_sentences(text: str) -> list[str]:
    """Sentences (or lines) of ``text``, stripped and non-empty, punctuation kept."""
    return [part.strip() for part in _SENTENCE_SPLIT.split(text) if part and part.strip()]


def split_clauses(text: str) -> list[Clause]:
    """Clauses of ``text`` in reading order, each tagged with a discourse role.

    Questions (sentences ending in "?") are echoes of the prompt, so every clause of a
    question gets the role "question"; other clauses are classified by their first words.
    A sentence that opens with a condition ("If the light is green, proceed.") is
    conditional throughout, and a sentence labelled as a reason ("Reason: ...",
    "Explanation: ...") is a reason throughout, so none of their clauses commits to an
    answer.
    """
    clauses = []
    for index, sentence in enumerate(split_sentences(text)):
        sentence_role: Role | None = "question" if sentence.endswith("?") else None
        if _REASON_LABEL.match(sentence):  # "Reason: ...", "Explanation: ..."
            sentence_role = "reason"
        parts = [p.strip(" .!?\"'") for p in _CLAUSE_SPLIT.split(sentence) if p]
        carried: Role = "main"  # role of a bare connector ("However,") for the next clause
        for position, part in enumerate(p for p in parts if p):
            role = sentence_role or _role(part)
            if position == 0 and role == "condition":
                sentence_role = "condition"
            if _BARE_CONNECTOR.fullmatch(part):
                carried = role
                continue
            if role == "main":
                role, carried = carried, "main"
            clauses.append(Clause(part, part.lower(), index, role))
    return clauses


def _role(part: str) -> Role:
    for role, pattern in _ROLES:
        if pattern.match(part):
            return role
    return "main"


_OTHERWISE: Final = re.compile(r"^(?:otherwise|or\s+else|否则)\b\W*", re.I)


def alternative(clause: Clause) -> Clause | None:
    """The alternative answer of an "otherwise" clause, as a main clause, else None.

    "Stop if the light is red, otherwise proceed." and "Yes if it is green, otherwise
    no." do not commit: the caller counts the alternative ("proceed", "no") when it opens
    the clause, so that the reply becomes contradictory.
    """
    if clause.role != "condition":
        return None
    match = _OTHERWISE.match(clause.text)
    if not match or match.end() >= len(clause.text):
        return None
    text = clause.text[match.end() :]
    return Clause(text, text.lower(), clause.sentence, "main")


def strip_filler(lower: str) -> str:
    """The clause without leading connectors and fillers ("so", "and then", "well")."""
    return LEADING_FILLER.sub("", lower).strip()


# --- hedges and negation --------------------------------------------------------------

_ANSWER_HEDGE: Final = re.compile(
    r"\b(?:maybe|perhaps|possibly|probably|presumably|not\s+(?:sure|certain)|unsure"
    r"|uncertain|it\s+depends|depends\s+on|depending\s+on|hard\s+to\s+(?:say|tell)"
    r"|difficult\s+to\s+(?:say|tell)|(?:do\s+not|don't)\s+know|no\s+idea"
    r"|not\s+necessarily|not\s+obvious|(?:can't|cannot)\s+be\s+sure)\b"
    r"|(?<!不)可能|也许|或许|大概|不确定|不一定|视情况|取决于|看情况|说不准|不好说",
    re.I,
)
_REFUSAL: Final = re.compile(
    r"\b(?:cannot|can't|can\s+not|could\s+not|couldn't|unable\s+to|not\s+able\s+to"
    r"|impossible\s+to|not\s+possible\s+to|no\s+way\s+to|hard\s+to|difficult\s+to)"
    r"\s+(?:\w+\s+){0,2}?(?:determine[ds]?|tell|say|answer|know|judge|assess|decide"
    r"|confirm|verify|be\s+sure|identify|infer|conclude)\b"
    r"|\bi(?:'m|\s+am)?\s+(?:cannot|can't|can\s+not|unable\s+to|not\s+able\s+to)\s+(?:see|view|help|assist)\b"
    r"|\b(?:unclear|not\s+clear|ambiguous|insufficient|not\s+enough\s+(?:information|context|detail)"
    r"|i'm\s+sorry|i\s+am\s+sorry|as\s+an?\s+(?:ai|artificial\s+intelligence|(?:large\s+)?language\s+model)"
    r"|i\s+(?:cannot|can't|can\s+not)\s+(?:help|assist|provide)"
    r"|i(?:'m|\s+am)\s+(?:unable|not\s+able)\s+to\s+(?:help|assist|provide|give|offer|make)"
    r"|i\s+(?:cannot|can't|can\s+not|(?:'m|\s+am)\s+(?:unable|not\s+able)\s+to)\s+make\s+(?:[\w-]+\s+){0,3}?"
    r"(?:decisions?|judge?ments?|recommendations?|assessments?|calls?))\b"
    r"|无法确定|无法判断|不清楚|难以判断|难以确定|抱歉|无法回答",
    re.I,
)
SKIPPED_ROLES: Final = frozenset({"question", "reason", "condition", "rejected"})


def hedge_blocks(clause: Clause, committed: bool) -> bool:
    """True if a hedge or refusal in ``clause`` makes the whole reply unanswerable.

    Hedges in reasons, conditions and echoed questions never block. After a committed
    answer, a "but/however" caveat blocks only if it hedges the answer itself ("Yes,
    but I'm not sure"), not if it is about the scene ("Yes, but visibility is unclear").
    """
    if clause.role in SKIPPED_ROLES:
        return False
    if _ANSWER_HEDGE.search(clause.text):
        return True
    if committed and clause.role == "caveat":
        return False
    return _REFUSAL.search(clause.text) is not None


_WORD: Final = re.compile(r"[\w']+")
NEGATORS: Final = frozenset(
    {"not", "no", "never", "nothing", "none", "nobody", "neither", "nor", "without",
     "cannot", "hardly"}
)  # fmt: skip


def negated_before(
    lower: str, start: int, window: int, negators: frozenset[str] = NEGATORS
) -> bool:
    """True if one of the ``window`` words before ``start`` is a negator or ends in n't."""
    words = _WORD.findall(lower[max(0, start - 60) : start])[-window:]
    return any(word in negators or word.endswith("n't") for word in words)
