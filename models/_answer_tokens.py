"""Which reply starts count as which answer, and how token probabilities sum to answers.

A reply *starts with* an answer when, after leading whitespace, its text is one of the
answer's :data:`ANSWER_FORMS` followed by the end of the text or a character that is not a letter
or digit: ``"Yes"``, ``" yes."``, ``"(A)"``, ``"A"``, ``"Slow down"`` count; ``"Yesterday"``,
``"As"`` do not. Lowercase letters are not forms (``"a"`` is a word).

What is summed, from the next-token distribution at the answer position (temperature and
top-p applied):

1. every first token whose text already decides an answer (:func:`classify` gives the
   answer), with its probability;
2. every first token that is a strict prefix of some form and decides nothing yet
   (``"("``, ``" "``, ``"S"`` of Stop / Slow, ``"Ye"``): a *prefix*. Where a backend can
   extend the sequence (transformers), the prefix is extended by one token and each pair
   whose joined text decides an answer adds ``P(first) * P(second | first)``; pairs that
   still decide nothing go to ``other``. Every first token is counted once, in one of
   these cases, so no mass is counted twice.
3. everything else goes to ``other``: other words, prefixes not extended (the vLLM and
   HTTP backends see one step only; transformers extends at most
   :data:`MAX_PREFIXES` prefixes, the most likely, of mass at least :data:`MIN_PREFIX`),
   and tokens a backend did not report (outside its top-k logprobs).

So each answer's probability is a lower bound of the probability that the sampled reply
starts with it, exact up to the mass left in ``other`` by rule 3.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

from drivecert import ACTION_CHOICES_TEXT, ACTION_OPTIONS, ANSWERS, AnswerKind
from models._types import AnswerDistribution, Decoding, ModelQuery, Response

#: The texts a reply may start with, per answer kind and answer.
ANSWER_FORMS: Final[Mapping[AnswerKind, Mapping[str, tuple[str, ...]]]] = {
    "yes_no": {"yes": ("Yes", "yes", "YES"), "no": ("No", "no", "NO")},
    "action": {
        answer: (letter, f"({letter}", *words)
        for (letter, answer), words in zip(
            ACTION_OPTIONS.items(),
            (
                ("Stop", "stop", "STOP"),
                ("Yield", "yield", "YIELD", "Slow", "slow"),
                ("Proceed", "proceed", "PROCEED", "Go", "go"),
            ),
            strict=True,
        )
    },
}
MAX_PREFIXES = 64
MIN_PREFIX = 1e-6

PREFIX: Final = "prefix"
"""What :func:`classify` says of a text that is a strict prefix of a form and decides nothing."""

Reading = str | Literal["prefix"] | None


def classify(text: str, kind: AnswerKind) -> Reading:
    """The answer ``text`` starts with, :data:`PREFIX` if it may still become one, else None."""
    body = text.lstrip()
    found = {
        answer
        for answer, forms in ANSWER_FORMS[kind].items()
        for form in forms
        if body.startswith(form) and (len(body) == len(form) or not body[len(form)].isalnum())
    }
    if len(found) == 1:
        return found.pop()
    every = (form for forms in ANSWER_FORMS[kind].values() for form in forms)
    if not found and any(form.startswith(body) for form in every):
        return PREFIX
    return None


@dataclass(frozen=True)
class TokenTable:
    """A vocabulary's first tokens sorted by what they mean for one answer kind.

    Attributes:
        kind: the answer kind.
        answers: token id -> the answer it decides.
        prefixes: the ids of prefix tokens (rule 2).
        texts: every token's text, by id (to read the pairs of extended prefixes).
        starting: first character (of the text, and of the text without leading
            whitespace) -> the ids of the tokens starting with it.
    """

    kind: AnswerKind
    answers: Mapping[int, str]
    prefixes: tuple[int, ...]
    texts: tuple[str, ...]
    starting: Mapping[str, tuple[int, ...]]

    @classmethod
    def build(cls, texts: Iterable[str], kind: AnswerKind) -> TokenTable:
        """Classify every token text (index = token id)."""
        words = tuple(texts)
        answers: dict[int, str] = {}
        prefixes = []
        starting: dict[str, set[int]] = {}
        for token, text in enumerate(words):
            if not text:  # a token that writes nothing starts no reply
                continue
            for head in {text[:1], text.lstrip()[:1]} - {""}:
                starting.setdefault(head, set()).add(token)
            reading = classify(text, kind)
            if reading == PREFIX:
                prefixes.append(token)
            elif reading is not None:
                answers[token] = reading
        index = {c: tuple(sorted(ids)) for c, ids in starting.items()}
        return cls(kind, answers, tuple(prefixes), words, index)

    def second_answers(self, prefix: int) -> dict[int, str]:
        """Second tokens that, after the prefix token ``prefix``, decide an answer."""
        head = self.texts[prefix]
        body = head.lstrip()
        every = (form for forms in ANSWER_FORMS[self.kind].values() for form in forms)
        rests = {form[len(body) :] for form in every if form.startswith(body)}
        out = {}
        for token in sorted({t for r in rests if r for t in self.starting.get(r[0], ())}):
            reading = classify(head + self.texts[token], self.kind)
            if reading not in (None, PREFIX):
                out[token] = str(reading)
        return out


def empty(kind: AnswerKind) -> dict[str, float]:
    """Every answer of ``kind`` at probability 0, in ANSWERS order."""
    return dict.fromkeys(ANSWERS[kind], 0.0)


def finish(mass: Mapping[str, float]) -> tuple[dict[str, float], float]:
    """The answers' masses (clipped to [0, 1]) and ``other``, the rest."""
    clipped = {a: min(1.0, max(0.0, p)) for a, p in mass.items()}
    return clipped, max(0.0, 1.0 - sum(clipped.values()))


def from_top_logprobs(
    top: Iterable[tuple[str, float]], kind: AnswerKind
) -> tuple[dict[str, float], float]:
    """Answers and ``other`` from one step's reported (token text, log-probability) pairs.

    Only tokens that decide an answer count (rule 1); prefixes, unreported tokens and the
    rest are ``other``. A token text reported twice counts once.
    """
    mass = empty(kind)
    seen = set()
    for text, logprob in top:
        reading = classify(text, kind)
        if text in seen or reading in (None, PREFIX):
            continue
        seen.add(text)
        mass[str(reading)] += math.exp(logprob)
    return finish(mass)


def answer_kind(query: ModelQuery) -> AnswerKind | None:
    """The query's answer kind: its key's, else read from the question (None if neither)."""
    if query.key is not None:
        return query.key.kind
    question = query.question
    if ACTION_CHOICES_TEXT in question:
        return "action"
    if "yes or no" in question.lower():
        return "yes_no"
    return None


KIND_UNKNOWN = (
    "cannot tell whether the question is yes/no or action; give the query an AnswerKey or "
    "end the question with 'Answer yes or no.' or the lettered options"
)


Masses = tuple[dict[str, float], float]
"""The answers' probabilities and ``other``."""
NO_MASS: Final[Masses] = ({}, 0.0)
"""The placeholder a query of unknown kind carries to :func:`record` (which fails it)."""


def record(
    kind: AnswerKind | None,
    found: Masses | BaseException,
    model: str,
    revision: str,
    decoding: Decoding,
    latency_s: float,
) -> AnswerDistribution:
    """The distribution of one query, or its failed record (also when its kind is unknown)."""
    if kind is None or isinstance(found, BaseException):
        error = KIND_UNKNOWN if kind is None else found
        failed = Response.failure(model, revision, decoding, error, latency_s)  # type: ignore[arg-type]
        return AnswerDistribution.failure(kind or "yes_no", failed)
    probabilities, other = found
    return AnswerDistribution(
        kind, probabilities, other, model, revision, decoding.to_dict(), latency_s
    )
