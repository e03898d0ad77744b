"""The model stage: every live question of every rendered scene, asked in one call, judged.

Every reply is read by the run's judge (``--judge``; the rules by default), and every row,
failed ones included, records that judge's id and revision.

A query that fails is retried (up to ``retries`` more times, in one call with the other
failures); one that still fails becomes a row with status ``failed``. Whatever a backend
raises becomes a failure of the queries it was asked, never a crash of the run.
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from drivecert import ANSWERS, UsageError, one_line
from harness.judge import Judge, judge_response
from harness.run._config import Settings
from harness.run._observe import Measure, as_measure, as_response, measure, observed
from harness.run._plan import Plan
from harness.run._render_stage import RenderedScene, RenderStage
from harness.run._scheduler import SampleTask
from harness.store import ResultRow
from models import AnswerKey, Decoding, ModelBackend, ModelQuery, Response, TreeBudget
from scenarios import Question, SceneGraph, observation

Reply = TypeVar("Reply", Response, Measure)


@dataclass(frozen=True)
class Asked:
    """One question of one scene, ready to send.

    Attributes:
        rendered: the scene and its frames.
        question: the question with its ground truth.
        query: what the model gets.
    """

    rendered: RenderedScene
    question: Question
    query: ModelQuery


def scene_variables(scene: SceneGraph) -> dict[str, str]:
    """Every condition variable's value in ``scene``: the drawn ones, the maneuver, and how
    it is seen (corruption, severity)."""
    return {**scene.variables, "maneuver": scene.maneuver, **observation(scene.condition)}


def answer_key(scene: SceneGraph, question: Question) -> AnswerKey:
    """What a scripted model reads: the ground truth and the scene's variables."""
    truth = question.ground_truth
    variables = scene_variables(scene)
    return AnswerKey(
        kind=truth.kind,
        safe=truth.safe,
        unsafe=truth.unsafe,
        choices=ANSWERS[truth.kind],
        condition=variables,
        seed=scene.scene_seed,
        sample=scene.sample_index,
        question=question.id,
        role=question.role,
        perceives=question.perceives,
    )


def questions_of(rendered: RenderedScene, scenario_questions: Sequence[Question]) -> list[Question]:
    """The questions of the task, from the scene's own questions (ground truth included)."""
    by_id = {q.id: q for q in scenario_questions}
    missing = [q for q in rendered.task.questions if q not in by_id]
    if missing:
        raise UsageError(
            f"scene {rendered.task.sample} has no question {missing[0]!r}; the scenario asks "
            f"{', '.join(by_id)} of it"
        )
    return [by_id[q] for q in rendered.task.questions]


@dataclass
class Asker:
    """Sends queries, retries failures and judges replies.

    Attributes:
        model: the backend (usually a ``CachedModel``).
        decoding: generation settings.
        retries: further attempts of a failed query.
        system_prompt: an optional system turn.
        observe: ``greedy`` (replies), or ``probability``/``bounds`` (the model's own
            probabilities, see :mod:`harness.run._observe`).
        budget: the reply-tree budget of ``bounds``.
        busy_s: seconds spent inside the model.
    """

    model: ModelBackend
    decoding: Decoding
    retries: int
    system_prompt: str | None = None
    observe: str = "greedy"
    budget: TreeBudget = field(default_factory=TreeBudget)
    busy_s: float = field(default=0.0)

    def prepare(self, rendered: RenderedScene, questions: Sequence[Question]) -> list[Asked]:
        """One query per question, all on the scene's frames."""
        assert rendered.scene is not None
        return [
            Asked(
                rendered,
                question,
                ModelQuery.ask(
                    rendered.images,
                    question.prompt,
                    system=self.system_prompt,
                    key=answer_key(rendered.scene, question),
                    image_ids=rendered.frames,
                ),
            )
            for question in questions
        ]

    def generate(self, asked: Sequence[Asked]) -> list[tuple[Response, int]]:
        """A response and its attempt count per query; failures retried in one call."""
        return self._retrying(asked, self._call)

    def measure(self, asked: Sequence[Asked]) -> list[tuple[Measure, int]]:
        """An answer distribution or reply tree (``observe``) and its attempt count per
        query; failures retried in one call."""
        return self._retrying(asked, self._measure)

    def _retrying(
        self, asked: Sequence[Asked], call: Callable[[Sequence[ModelQuery]], Sequence[Reply]]
    ) -> list[tuple[Reply, int]]:
        results: list[tuple[Reply, int] | None] = [None] * len(asked)
        pending = list(range(len(asked)))
        for attempt in range(1, self.retries + 2):
            replies = call([asked[i].query for i in pending])
            still = []
            for i, reply in zip(pending, replies, strict=True):
                results[i] = (reply, attempt)
                if reply.status != "ok":
                    still.append(i)
            pending = still
            if not pending:
                break
        return [r for r in results if r is not None]

    def _measure(self, queries: Sequence[ModelQuery]) -> list[Measure]:
        started = time.perf_counter()
        try:
            found = measure(self.model, queries, self.decoding, self.observe, self.budget)
            if len(found) != len(queries):
                raise RuntimeError(
                    f"the backend returned {len(found)} measurements for {len(queries)} queries"
                )
            return found
        except UsageError:
            raise
        except Exception as error:  # a backend's failure is its queries' failure
            failed = self._failures(queries, one_line(error))
            return [
                as_measure(response, query, self.observe)
                for response, query in zip(failed, queries, strict=True)
            ]
        finally:
            self.busy_s += time.perf_counter() - started

    def _failures(self, queries: Sequence[ModelQuery], message: str) -> list[Response]:
        return [
            Response.failure(
                self.model.model_id, self.model.revision, self.decoding.to_dict(), message
            )
            for _ in queries
        ]

    def _call(self, queries: Sequence[ModelQuery]) -> list[Response]:
        started = time.perf_counter()
        try:
            responses = list(self.model.generate(queries, self.decoding))
            if len(responses) != len(queries):
                raise RuntimeError(
                    f"the backend returned {len(responses)} responses to {len(queries)} queries"
                )
        except UsageError:
            raise
        except Exception as error:  # a backend's failure is its queries' failure
            responses = self._failures(queries, one_line(error))
        finally:
            self.busy_s += time.perf_counter() - started
        return responses


def make_asker(model: ModelBackend, decoding: Decoding, config: Settings) -> Asker:
    """The asker of a run's settings: how it observes scenes, and the reply-tree budget.

    Raises:
        UsageError: naming the backends that can, when ``model``'s cannot observe that way
            (checked here, before any scene is rendered).
    """
    budget = TreeBudget(config.token_budget, config.branch_budget)
    if config.observe != "greedy":
        measure(model, [], decoding, config.observe, budget)  # refuses an unable backend
        if decoding.greedy and not model.model_id.startswith("scripted:"):
            warnings.warn(
                f"observe {config.observe} at temperature 0 reads the greedy reply (each "
                "scene's probability is 0 or 1); set --temperature 1 for the model's own "
                "sampling distribution",
                RuntimeWarning,
                stacklevel=2,
            )
    return Asker(model, decoding, config.retries, config.system_prompt, config.observe, budget)


@dataclass
class Answerer:
    """Asks every live question of rendered scenes in one call and judges the replies.

    Attributes:
        asker: the model stage.
        plans: the sweep's plans, indexed by a task's ``unit``.
        judge: reads every reply (opened in the process that judges, never pickled).
    """

    asker: Asker
    plans: Sequence[Plan]
    judge: Judge

    def answer(self, rendered: Sequence[RenderedScene]) -> list[ResultRow]:
        """One row per (scene, live question), in the scenes' order."""
        asked: list[Asked] = []
        rows: list[ResultRow | None] = []
        model = self.asker.model
        for scene in rendered:
            questions = self._questions(scene)
            if scene.error is not None:
                response = Response.failure(
                    model.model_id, model.revision, {}, scene.error or "render failed"
                )
                rows += [
                    unrendered_row(scene, q, response, self.judge, self.asker.observe)
                    for q in questions
                ]
                continue
            for item in self.asker.prepare(scene, questions):
                asked.append(item)
                rows.append(None)
        observe = self.asker.observe
        made: list[ResultRow]
        if observe == "greedy":
            made = [
                judged_row(item, response, attempts, self.judge)
                for item, (response, attempts) in zip(
                    asked, self.asker.generate(asked), strict=True
                )
            ]
        else:
            measured = self.asker.measure(asked)
            made = [
                measured_row(item, found, attempts, self.judge, observe)
                for item, (found, attempts) in zip(asked, measured, strict=True)
            ]
        answers = iter(made)
        return [next(answers) if row is None else row for row in rows]

    def _questions(self, rendered: RenderedScene) -> list[Question]:
        """The task's questions: the scene's own (with ground truth) when it was drawn."""
        plan = self.plans[rendered.task.unit]
        if rendered.scene is None:
            return [plan.reference[q] for q in rendered.task.questions]
        return questions_of(rendered, plan.scenario.ask(rendered.scene))


@dataclass
class LocalExecutor:
    """Renders in a worker thread while the model answers in this one.

    Attributes:
        render: the render stage (started).
        answerer: asks and judges.
    """

    render: RenderStage
    answerer: Answerer

    @property
    def depth(self) -> int:
        """Batches rendered ahead of the model."""
        return self.render.depth

    def submit(self, batch: list[SampleTask]) -> None:
        """Queue a batch for rendering."""
        self.render.submit(batch)

    def take(self) -> list[ResultRow]:
        """The oldest batch, rendered, asked and judged."""
        return self.answerer.answer(self.render.take())


def judged_row(asked: Asked, response: Response, attempts: int, judge: Judge) -> ResultRow:
    """The stored row of one answered (or failed) query, read by ``judge``."""
    common = _common(asked.rendered, asked.question, response, attempts, judge)
    if response.status != "ok":
        return ResultRow(**common, **_FAILED, error=response.error or "failed")
    return _answered(common, response.text, asked.question, judge)


def measured_row(
    asked: Asked, found: Measure, attempts: int, judge: Judge, observe: str
) -> ResultRow:
    """The stored row of one query observed by its probabilities (or failed): the bounds,
    and the verdict of the most likely reply (see :mod:`harness.run._observe`)."""
    response = as_response(found)
    common = _common(asked.rendered, asked.question, response, attempts, judge, observe)
    if not found.ok:
        return ResultRow(**common, **_FAILED, error=response.error or "failed")
    seen = observed(found, asked.question, judge)
    return _answered(common, seen.text, asked.question, judge, seen.columns())


def _answered(
    common: dict[str, Any],
    text: str,
    question: Question,
    judge: Judge,
    observed: dict[str, Any] | None = None,
) -> ResultRow:
    """The ok row of a reply ``text`` read by ``judge`` (with a scene's observed columns)."""
    verdict = judge_response(text, question, judge.read)
    return ResultRow(
        **common,
        response=text,
        answer=verdict.answer,
        outcome=verdict.outcome,
        wrong=not verdict.correct,
        unsafe=verdict.unsafe,
        over_cautious=verdict.over_cautious,
        unparseable=verdict.unparseable,
        status="ok",
        error=None,
        **(observed or {}),
    )


def unrendered_row(
    rendered: RenderedScene,
    question: Question,
    response: Response,
    judge: Judge,
    observe: str = "greedy",
) -> ResultRow:
    """The stored row of a question whose scene could not be drawn or rendered
    (``response``: the failure recorded in the model's name).

    ``question`` is the scene's own when it was drawn; otherwise the scenario's question of
    that id from another scene, whose ground truth is left empty.
    """
    common = _common(rendered, question, response, rendered.attempts, judge, observe)
    if rendered.scene is None:
        common.update(expected="", safe=(), rationale="")
    return ResultRow(**common, **_FAILED, error=response.error)


_FAILED: dict[str, Any] = {
    "response": None,
    "answer": None,
    "outcome": None,
    "wrong": None,
    "unsafe": None,
    "over_cautious": None,
    "unparseable": None,
    "status": "failed",
}


def _common(
    rendered: RenderedScene,
    question: Question,
    response: Response,
    attempts: int,
    judge: Judge,
    observe: str = "greedy",
) -> dict[str, Any]:
    scene = rendered.scene
    truth = question.ground_truth
    variables = scene_variables(scene) if scene is not None else {}
    return {
        "scenario": rendered.scenario,
        "condition": rendered.condition,
        "sample": rendered.task.sample,
        "question": question.id,
        "question_text": question.text,
        "kind": question.kind,
        "scene_seed": rendered.scene_seed,
        "variables": json.dumps(variables, sort_keys=True),
        "frames": rendered.frames,
        "prompt": question.prompt,
        "model": response.model,
        "revision": response.revision,
        "judge": judge.judge_id,
        "judge_revision": judge.revision,
        "expected": truth.expected,
        "safe": truth.safe,
        "rationale": truth.rationale,
        "latency_s": response.latency_s,
        "attempts": attempts,
        "time": datetime.now(UTC),
        "observe": observe,
    }
