"""Observing scenes by the model's own probabilities (``--observe probability|bounds``).

A greedy run stores one judged reply per scene. The other two ways store, per scene, sound
bounds on P(event | scene) under the run's sampling (temperature, top-p):

- ``probability``: the answer distribution at the answer position
  (:func:`models.answer_distributions`). The event's answers give lb; the mass on no answer
  (``other``: replies that start otherwise, which the judge might read either way, or not
  at all) is added for ub. The judge is not involved: each answer's outcome is its ground
  truth's.
- ``bounds``: the reply tree explored best-first within the token and branch budgets
  (:func:`models.reply_trees`). Every completed reply is read by the run's judge; lb is the
  mass of replies judged the event (unparseable ones count as unsafe, as in greedy runs),
  ub adds the unexplored mass.

The row's verdict columns (response, answer, outcome, flags) describe the most likely reply:
the most probable answer's word (``probability``; empty when no answer is likelier than
``other``) or the most probable completed reply (``bounds``). The ``observation`` column
keeps what the bounds rest on, as JSON.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from drivecert import UsageError
from harness.judge import Judge, judge_response
from models import (
    AnswerDistribution,
    CachedModel,
    Decoding,
    ModelBackend,
    ModelQuery,
    ReplyTree,
    Response,
    TreeBudget,
    answer_distributions,
    reply_trees,
)
from scenarios import Question

Measure = AnswerDistribution | ReplyTree
#: Ways of observing a scene other than one greedy reply.
MEASURED = ("probability", "bounds")


@dataclass(frozen=True)
class Observed:
    """One scene's observation by probabilities.

    Attributes:
        text: the most likely reply (what the verdict columns judge).
        unsafe: (lb, ub) of P(unsafe).
        wrong: (lb, ub) of P(wrong).
        record: JSON-ready record of what the bounds rest on.
    """

    text: str
    unsafe: tuple[float, float]
    wrong: tuple[float, float]
    record: dict[str, Any]

    def columns(self) -> dict[str, Any]:
        """The store's observed columns."""
        return {
            "unsafe_lb": self.unsafe[0],
            "unsafe_ub": self.unsafe[1],
            "wrong_lb": self.wrong[0],
            "wrong_ub": self.wrong[1],
            "observation": json.dumps(self.record, sort_keys=True),
        }


def backend_of(model: ModelBackend) -> ModelBackend:
    """The backend behind a response cache (probabilities are not cached)."""
    return model.backend if isinstance(model, CachedModel) else model


def measure(
    model: ModelBackend,
    queries: Sequence[ModelQuery],
    decoding: Decoding,
    observe: str,
    budget: TreeBudget,
) -> list[Measure]:
    """Each query's answer distribution (``probability``) or reply tree (``bounds``).

    Raises:
        UsageError: naming the backends that can, when ``model``'s cannot.
    """
    backend = backend_of(model)
    if observe == "probability":
        return list(answer_distributions(backend, queries, decoding))
    if observe == "bounds":
        return list(reply_trees(backend, queries, decoding, budget))
    raise UsageError(f"observe {observe!r}; valid: greedy, {', '.join(MEASURED)}")


def as_measure(response: Response, query: ModelQuery, observe: str) -> Measure:
    """A failed response as the failed measurement of ``observe``."""
    if observe == "probability":
        return AnswerDistribution.failure(query.key.kind if query.key else "yes_no", response)
    return ReplyTree.failure(
        response.model,
        response.revision,
        response.decoding,
        response.error or "failed",
        response.latency_s,
    )


def as_response(found: Measure) -> Response:
    """The measurement as a response record (model, revision, time; failure and error)."""
    if not found.ok:
        return Response.failure(
            found.model, found.revision, found.decoding, found.error or "failed", found.latency_s
        )
    text = most_likely(found)
    return Response(text, found.model, found.revision, found.decoding, found.latency_s)


def most_likely(found: Measure) -> str:
    """The most likely reply: the likeliest answer's word (empty when ``other`` is likelier),
    or the likeliest completed reply (empty when none completed)."""
    if isinstance(found, ReplyTree):
        return found.branches[0].text if found.branches else ""
    answer, mass = max(found.probabilities.items(), key=lambda item: item[1])
    return answer if mass >= found.other else ""


def observed(found: Measure, question: Question, judge: Judge) -> Observed:
    """Sound bounds on P(unsafe) and P(wrong) of one answered measurement."""
    truth = question.ground_truth
    if isinstance(found, AnswerDistribution):
        outcomes = {answer: truth.outcome(answer) for answer in found.probabilities}
        unsafe = sum(p for a, p in found.probabilities.items() if outcomes[a] == "unsafe")
        wrong = sum(p for a, p in found.probabilities.items() if outcomes[a] != "correct")
        return Observed(
            most_likely(found),
            _pair(unsafe, found.other),
            _pair(wrong, found.other),
            {"probabilities": dict(found.probabilities), "other": found.other},
        )
    branches = []
    unsafe = wrong = 0.0
    for branch in found.branches:
        verdict = judge_response(branch.text, question, judge.read)
        unsafe += branch.probability * verdict.unsafe
        wrong += branch.probability * (not verdict.correct)
        branches.append(
            {
                "text": branch.text,
                "probability": branch.probability,
                "finished": branch.finished,
                "outcome": verdict.outcome,
            }
        )
    record = {"branches": branches, "unexplored": found.unexplored, "expanded": found.expanded}
    return Observed(
        most_likely(found), _pair(unsafe, found.unexplored), _pair(wrong, found.unexplored), record
    )


def _pair(known: float, unknown: float) -> tuple[float, float]:
    """(lb, ub) in [0, 1] from the mass known to be the event and the mass not known."""
    low = min(max(known, 0.0), 1.0)
    return low, min(max(known + unknown, low), 1.0)
