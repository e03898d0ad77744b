"""Scripted reference models: known error rates for validating the whole harness.

Spec syntax (stable: outside checks rely on it)::

    scripted:oracle                     the ground-truth safe answer, always
    scripted:always-yes | always-no     that answer to every question
    scripted:always-proceed | always-stop
    scripted:noisy?error=0.1            wrong with probability 0.1
    scripted:noisy?error=0.05&weather.HardRainNoon=0.9&maneuver.right_turn=0.3
    scripted:noisy?error=0.05&weather.HardRainNoon+maneuver.right_turn=0.95
    scripted:noisy?perception=0.1&perception.weather.HardRainNoon=0.5&decision_seen=0.05&decision_missed=0.8
    ...&style=free                      varied free text ("Yes, because ...")
    scripted:oracle?latency_ms=50       any model: sleep 50 ms once per generate call
    scripted:noisy?error=0.1&fail=0.02  any model: 2% of queries fail (a failed Response)

A rule ``var.value[+var.value...]=rate`` applies when the scene's condition has every
listed value. The most specific matching rule (most variables) sets the rate; ties go to
the first listed; ``error`` applies when no rule matches (default 0).

Perception and decision (attribution known-answer models): ``perception=RATE`` makes
perception questions wrong at that rate, and each decision question resting on them wrong
at ``decision_missed`` when any of its perception questions on the same scene was answered
wrong, else at ``decision_seen``. Each of the three takes per-condition rules with its name
as a prefix (``perception.weather.HardRainNoon=0.5``) and defaults to the ``error`` rate
(and its rules). Whether a perception question is missed is one draw per (scene, question),
``derive_seed("scripted-perceive", spec, seed, sample, question id)``, shared by the
perception answer and every decision resting on it; decisions resting on nothing keep the
``error`` rate.

A wrong answer is an unsafe one when the question has any (the first unsafe answer in
caution order for yes/no there is only one), else an over-cautious one. So on questions
whose wrong answers are all unsafe, P(unsafe) equals the error rate set.

Answers are deterministic given (spec, scene seed, sample, question): the draw comes from
``derive_seed("scripted", spec, seed, sample, question)``. No images are read.

``latency_ms`` and ``fail`` change how a call behaves, never what is answered: the model id
and the answer draw use the spec without them, so ``scripted:noisy?error=0.1&latency_ms=50``
answers exactly as ``scripted:noisy?error=0.1``. ``latency_ms=N`` stands in for a GPU
model's batch time in benchmarks. ``fail=RATE`` makes a query fail (status ``failed``,
error "scripted failure") with probability RATE; whether it fails is fixed by (scene seed,
sample, question), independent of the answer draw, so a failing query fails again when
retried, and a higher rate fails a superset of the queries a lower one does.

Answer distributions (``answer_distribution``) for known-answer tests of probability
observations: each query gets P(wrong) drawn per scene from Beta(R * 20, (1 - R) * 20),
mean R = the rate its answer would be wrong at above (the rule's, the perception rate, or
the decision rate given the scene's perception draws), fixed by
``derive_seed("scripted-distribution", spec, seed, sample, question)``; R of 0 or 1 is
kept exact. That mass goes to the wrong answer :func:`scripted_answer` would give, the
rest to the most cautious correct one; ``other`` is 0. ``oracle`` puts 1 on the expected
answer, ``always-X`` 1 on X (all to ``other`` when X is not an answer of the question).
``fail`` and ``latency_ms`` act as for ``generate``.

Reply trees (``reply_tree``): one finished branch per answer of nonzero probability in
that distribution, its text :func:`render_answer` of the answer, most probable first; the
least probable beyond ``budget.branches`` are left unexplored, and a tree costs one model
step. ``always-X`` gives X's text at probability 1 even when X is not an answer of the
question (``generate`` replies it). The decoding is not read, as for distributions.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypeVar

import numpy as np

from drivecert import ANSWERS, UsageError, derive_seed, derive_uniform
from models._scripted_spec import ScriptedSpec
from models._tree_types import ReplyBranch, ReplyTree, TreeBudget
from models._types import AnswerDistribution, AnswerKey, Decoding, ModelQuery, Response

T = TypeVar("T")
FAILURE = "scripted failure"
#: Beta concentration a + b of the per-scene P(wrong) of ``answer_distribution``.
CONCENTRATION = 20.0

# Free-text renderings; every one must normalise back to its answer (a test checks).
FREE_TEXT: dict[str, tuple[str, ...]] = {
    "yes": (
        "Yes.",
        "Yes, because of what is visible ahead of the vehicle.",
        "yes",
        "I think the answer is yes.",
        "Yes - the scene calls for it.",
    ),
    "no": (
        "No.",
        "No, because nothing in the scene requires it.",
        "no",
        "I think the answer is no.",
        "No - the scene does not call for it.",
    ),
    "stop": (
        "(A) Stop",
        "The vehicle should stop.",
        "A",
        "Stop the vehicle now.",
        "Answer: A. Stop.",
    ),
    "yield": (
        "(B) Slow down and yield",
        "The vehicle should slow down and yield.",
        "B",
        "Slow down and yield.",
        "Answer: B.",
    ),
    "proceed": (
        "(C) Proceed",
        "The vehicle should proceed.",
        "C",
        "Proceed with the maneuver.",
        "Answer: C. Proceed.",
    ),
}


def _wrong(key: AnswerKey) -> str:
    """The wrong answer given on an error: unsafe when the question has one."""
    wrong = [a for a in key.choices if a not in key.safe]
    unsafe = [a for a in wrong if a in key.unsafe]
    return (unsafe or wrong)[0]


def scripted_answer(spec: ScriptedSpec, key: AnswerKey, question: str) -> str:
    """The canonical answer (yes/no/stop/yield/proceed) the scripted model gives."""
    if spec.name.startswith("always-"):
        return spec.name.removeprefix("always-")
    if spec.name != "noisy":
        return key.expected
    if spec.attribution and key.role == "perception":
        return _wrong(key) if missed(spec, key, key.question) else key.expected
    rate = error_probability(spec, key)
    rng = np.random.default_rng(derive_seed("scripted", spec.text, key.seed, key.sample, question))
    return _wrong(key) if rng.random() < rate else key.expected


def error_probability(spec: ScriptedSpec, key: AnswerKey) -> float:
    """The scene's rate of a wrong answer: its condition's rule, or for the attribution
    model the perception rate, or the decision rate given the scene's perception draws."""
    condition = dict(key.condition)
    if spec.name != "noisy":
        return 0.0
    if spec.attribution and key.role == "perception":
        return spec.rate("perception", condition)
    if spec.attribution and key.perceives:
        blind = any(missed(spec, key, seen) for seen in key.perceives)
        return spec.rate("decision_missed" if blind else "decision_seen", condition)
    return spec.error_rate(condition)


def scripted_distribution(
    spec: ScriptedSpec, key: AnswerKey, question: str
) -> tuple[dict[str, float], float]:
    """The answers' probabilities and ``other`` for one query (see the module docstring)."""
    probabilities = dict.fromkeys(ANSWERS[key.kind], 0.0)
    if spec.name.startswith("always-"):
        answer = spec.name.removeprefix("always-")
        if answer not in probabilities:  # e.g. always-yes asked an action question
            return probabilities, 1.0
        probabilities[answer] = 1.0
        return probabilities, 0.0
    rate = error_probability(spec, key)
    wrong = rate
    if 0 < rate < 1:
        seed = derive_seed("scripted-distribution", spec.text, key.seed, key.sample, question)
        draw = np.random.default_rng(seed).beta(rate * CONCENTRATION, (1 - rate) * CONCENTRATION)
        wrong = float(draw)
    probabilities[_wrong(key)] += wrong
    probabilities[key.expected] += 1.0 - wrong
    return probabilities, 0.0


def scripted_replies(spec: ScriptedSpec, key: AnswerKey, question: str) -> dict[str, float]:
    """Each reply text of nonzero probability and its probability (see the module docstring)."""
    if spec.name.startswith("always-"):
        return {render_answer(spec, spec.name.removeprefix("always-"), key, question): 1.0}
    probabilities, _ = scripted_distribution(spec, key, question)
    return {
        render_answer(spec, answer, key, question): p
        for answer, p in probabilities.items()
        if p > 0
    }


def missed(spec: ScriptedSpec, key: AnswerKey, perception: str) -> bool:
    """Whether the model answers the scene's perception question ``perception`` wrong: one
    draw per (scene, question id) below the scene's perception rate."""
    if not perception:
        raise UsageError(
            f"{spec.text} needs each perception question's id; build the AnswerKey with "
            "question=... (the harness does)"
        )
    draw = derive_uniform("scripted-perceive", spec.text, key.seed, key.sample, perception)
    return draw < spec.rate("perception", dict(key.condition))


def scripted_fails(spec: ScriptedSpec, key: AnswerKey, question: str) -> bool:
    """Whether the query fails: a uniform draw of its own (not the answer's) below ``fail``."""
    if spec.fail <= 0:
        return False
    draw = derive_uniform("scripted-fail", key.seed, key.sample, question)
    return draw < spec.fail  # draw is in [0, 1), so fail=1 fails every query


def render_answer(spec: ScriptedSpec, answer: str, key: AnswerKey, question: str) -> str:
    """The reply text: the bare answer, or one of its free-text renderings."""
    if spec.style == "exact" or answer not in FREE_TEXT:
        return answer
    pick = derive_seed("scripted-style", spec.text, key.seed, key.sample, question)
    options = FREE_TEXT[answer]
    return options[pick % len(options)]


class ScriptedModel:
    """A known-answer model: reads each query's :class:`AnswerKey`, never its images."""

    def __init__(self, spec: ScriptedSpec) -> None:
        self.spec = spec

    @property
    def model_id(self) -> str:
        """The spec without call options, e.g. scripted:noisy?error=0.1."""
        return self.spec.text

    @property
    def revision(self) -> str:
        """Scripted models have one revision."""
        return "scripted-1"

    def generate(self, queries: Sequence[ModelQuery], decoding: Decoding) -> list[Response]:
        """Answer every query from its key; sleep ``latency_ms`` once for the whole call.

        Each response carries an even share of the call's time. Queries drawn to fail
        (``fail=RATE``) get a failed response with error "scripted failure".

        Raises:
            UsageError: if a query has no answer key.
        """
        replies, share = self._timed(queries, self._reply)
        settings = decoding.to_dict()
        return [
            Response(text, self.model_id, self.revision, settings, share)
            if text is not None
            else Response.failure(self.model_id, self.revision, settings, FAILURE, share)
            for text in replies
        ]

    def answer_distribution(
        self, queries: Sequence[ModelQuery], decoding: Decoding
    ) -> list[AnswerDistribution]:
        """Each query's answer probabilities from its key (see the module docstring).

        Raises:
            UsageError: if a query has no answer key.
        """
        found, share = self._timed(queries, self._distribution)
        out = []
        for query, result in zip(queries, found, strict=True):
            assert query.key is not None  # _distribution checked it
            if result is None:
                failed = Response.failure(self.model_id, self.revision, decoding, FAILURE, share)
                out.append(AnswerDistribution.failure(query.key.kind, failed))
                continue
            probabilities, other = result
            out.append(
                AnswerDistribution(
                    query.key.kind,
                    probabilities,
                    other,
                    self.model_id,
                    self.revision,
                    decoding.to_dict(),
                    share,
                )
            )
        return out

    def reply_tree(
        self, queries: Sequence[ModelQuery], decoding: Decoding, budget: TreeBudget
    ) -> list[ReplyTree]:
        """Each query's reply tree from its key (see the module docstring).

        Raises:
            UsageError: if a query has no answer key.
        """
        found, share = self._timed(queries, self._replies)
        where = (self.model_id, self.revision)
        out = []
        for replies in found:
            if replies is None:
                out.append(ReplyTree.failure(*where, decoding, FAILURE, share))
                continue
            ranked = sorted(replies.items(), key=lambda item: (-item[1], item[0]))
            kept = tuple(ReplyBranch(text, p, True) for text, p in ranked[: budget.branches])
            unexplored = max(0.0, 1.0 - sum(b.probability for b in kept))
            out.append(ReplyTree(kept, unexplored, 1, *where, decoding.to_dict(), share))
        return out

    def _timed(
        self, queries: Sequence[ModelQuery], answer: Callable[[ModelQuery], T]
    ) -> tuple[list[T], float]:
        """``answer`` of every query, ``latency_ms`` slept once, and each query's time share."""
        if not queries:
            return [], 0.0
        started = time.perf_counter()
        found = [answer(query) for query in queries]
        if self.spec.latency_ms > 0:
            time.sleep(self.spec.latency_ms / 1000)
        return found, (time.perf_counter() - started) / len(queries)

    def _key(self, query: ModelQuery) -> AnswerKey:
        if query.key is None:
            raise UsageError(
                f"{self.spec.text} answers from the query's answer key, and this query has "
                "none; build queries with ModelQuery.ask(..., key=AnswerKey(...))"
            )
        return query.key

    def _reply(self, query: ModelQuery) -> str | None:
        """The reply text, or None when the query is drawn to fail."""
        key, question = self._key(query), query.question
        if scripted_fails(self.spec, key, question):
            return None
        answer = scripted_answer(self.spec, key, question)
        return render_answer(self.spec, answer, key, question)

    def _distribution(self, query: ModelQuery) -> tuple[dict[str, float], float] | None:
        """The answers' probabilities and ``other``, or None when the query is drawn to fail."""
        key, question = self._key(query), query.question
        if scripted_fails(self.spec, key, question):
            return None
        return scripted_distribution(self.spec, key, question)

    def _replies(self, query: ModelQuery) -> dict[str, float] | None:
        """Reply texts and their probabilities, or None when the query is drawn to fail."""
        key, question = self._key(query), query.question
        if scripted_fails(self.spec, key, question):
            return None
        return scripted_replies(self.spec, key, question)

    def close(self) -> None:
        """Nothing to free."""
