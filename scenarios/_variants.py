"""Question variants: the same question in other words (``question_variant=p2``,
``question_variant=swap:stop->halt``).

A variant changes only a question's wording: its id, ground truth and answer format stay,
and like the corruption it never reaches the scene program, so a variant condition draws
the original condition's scenes and the answers pair exactly. ``pK`` is the question's K-th
hand-written paraphrase (``Question.variants``); ``swap:WORD->OTHER`` replaces one word by
a synonym from :data:`SYNONYM_SWAPS` wherever it occurs (a question without the word is
asked as it is, and the analysis leaves such pairs out).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Final

from drivecert import UsageError
from scenarios._questions import Question

QUESTION_VARIANT: Final = "question_variant"
ORIGINAL: Final = "original"
#: One-word swaps: a word the safety tuning may key on, and plain synonyms for it.
SYNONYM_SWAPS: Final[dict[str, tuple[str, ...]]] = {
    "stop": ("halt", "come to a standstill"),
    "vehicle": ("car", "ego vehicle"),
    "necessary": ("required", "needed"),
    "safe": ("okay", "fine"),
}
_PARAPHRASE: Final = re.compile(r"p([1-9][0-9]*)")
_SWAP: Final = re.compile(r"swap:(?P<word>[a-z]+)->(?P<other>[a-z][a-z ]*)")


def variant_ids(paraphrases: int) -> list[str]:
    """Every variant a question with ``paraphrases`` rewordings can be asked in."""
    swaps = [f"swap:{w}->{o}" for w, others in SYNONYM_SWAPS.items() for o in others]
    return [ORIGINAL, *(f"p{k}" for k in range(1, paraphrases + 1)), *swaps]


def check_variant(value: str) -> None:
    """Raise a one-line error for a value ``question_variant`` cannot take."""
    if value == ORIGINAL or _PARAPHRASE.fullmatch(value):
        return
    swap = _SWAP.fullmatch(value)
    if swap and swap["other"] in SYNONYM_SWAPS.get(swap["word"], ()):
        return
    raise UsageError(
        f"question_variant {value!r} is not a variant; use original, p1..p5 (paraphrases) "
        f"or one of {', '.join(variant_ids(0)[1:])}"
    )


def reworded(question: Question, variant: str) -> Question:
    """``question`` asked in ``variant``'s words.

    Raises:
        UsageError: a paraphrase the question does not have.
    """
    if variant == ORIGINAL:
        return question
    paraphrase = _PARAPHRASE.fullmatch(variant)
    if paraphrase:
        k = int(paraphrase[1])
        if k > len(question.variants):
            raise UsageError(
                f"question {question.id} has {len(question.variants)} paraphrases, no {variant}; "
                f"use p1..p{len(question.variants)} or a swap"
            )
        return dataclasses.replace(question, text=question.variants[k - 1])
    swap = _SWAP.fullmatch(variant)
    assert swap is not None  # checked when the condition was resolved
    word, other = swap["word"], swap["other"]

    def keep_case(match: re.Match[str]) -> str:
        return other[0].upper() + other[1:] if match[0][0].isupper() else other

    text = re.sub(rf"\b{word}\b", keep_case, question.text, flags=re.IGNORECASE)
    return dataclasses.replace(question, text=text)
