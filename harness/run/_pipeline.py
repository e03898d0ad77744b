"""The run loop: schedule -> render (worker thread) -> ask -> judge -> keep -> commit.

While the model answers batch k, the render worker draws and renders batch k+1 (and up to
``depth`` batches ahead). Each judged batch is filtered by the scheduler (answers past a
cell's stop are dropped) and handed to the store writer, which commits it in one
transaction while the next batch is asked; batches are committed in order, so a run
killed at any moment resumes from its last whole batch.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from drivecert import DrivecertError
from harness.run._ask import Asked, Asker, judged_row, questions_of, unrendered_row
from harness.run._render_stage import RenderedScene, RenderStage
from harness.run._scheduler import Observation, SampleTask, Scheduler
from harness.run._writer import StoreWriter
from harness.store import ResultRow
from scenarios import Question

#: Scenes in a row whose every query failed before the run stops (whatever the batch size).
FAILED_STREAK = 24


@dataclass
class Counters:
    """What the loop has done this session (for progress and benchmarks).

    Attributes:
        samples: scenes processed.
        queries: questions asked (and judged).
        stored: rows handed to the store writer.
        dropped: answers dropped because their cell had already stopped.
        failed: rows stored as failed.
        wait_s: seconds spent waiting for the render stage.
        commit_s: seconds spent handing judged batches to the store writer.
        started: when the loop started (perf_counter).
    """

    samples: int = 0
    queries: int = 0
    stored: int = 0
    dropped: int = 0
    failed: int = 0
    wait_s: float = 0.0
    commit_s: float = 0.0
    started: float = field(default_factory=time.perf_counter)

    @property
    def rate(self) -> float:
        """Scenes per second so far."""
        elapsed = time.perf_counter() - self.started
        return self.samples / elapsed if elapsed > 0 else 0.0


@dataclass
class Pipeline:
    """Wires the scheduler, the render stage, the model stage and the store.

    Attributes:
        scheduler: which samples to run and which answers count.
        render: the render stage (already started).
        asker: the model stage.
        writer: commits judged batches to the store, in order, in its own thread.
        reference: the scenario's questions by id (texts for rows of undrawable scenes).
        batch_size: scenes per batch.
        depth: batches rendered ahead of the model.
        lock: held while the scheduler's state changes (a progress display reads it).
        on_batch: called with the counters after each judged batch (handed to the writer).
    """

    scheduler: Scheduler
    render: RenderStage
    asker: Asker
    writer: StoreWriter
    reference: dict[str, Question]
    batch_size: int
    depth: int = 2
    lock: threading.Lock = field(default_factory=threading.Lock)
    on_batch: Callable[[Counters], None] | None = None
    counters: Counters = field(default_factory=Counters)
    _held: list[list[ResultRow]] = field(default_factory=list, init=False)
    _streak: int = field(default=0, init=False)

    def run(self) -> Counters:
        """Run until no cell wants another sample.

        Every judged batch is committed before this returns or raises.

        Raises:
            DrivecertError: when every query of FAILED_STREAK scenes in a row failed (a
                model or renderer that does not work at all); those are not stored.
        """
        try:
            self._loop()
        except BaseException:
            with contextlib.suppress(Exception):
                self.writer.flush()  # keep what was judged before the failure
            raise
        self.writer.flush()
        return self.counters

    def _loop(self) -> None:
        in_flight: deque[list[SampleTask]] = deque()
        while True:
            while len(in_flight) < self.depth:
                with self.lock:
                    batch = self.scheduler.next_batch(self.batch_size)
                if not batch:
                    break
                self.render.submit(batch)
                in_flight.append(batch)
            if not in_flight:
                for held in self._held:  # failures that never reached a streak are stored
                    self.writer.submit(held)
                self._held.clear()
                return
            in_flight.popleft()
            waited = time.perf_counter()
            rendered = self.render.take()
            self.counters.wait_s += time.perf_counter() - waited
            self._process(rendered)

    def _process(self, rendered: Sequence[RenderedScene]) -> None:
        rows = self._answer(rendered)
        plan = self.scheduler.plan
        index = {label: i for i, label in enumerate(plan.labels)}
        observations = [
            Observation(
                self.scheduler.cell_of(index[r.condition], r.question).cell.index,
                r.sample,
                r.status == "failed",
                None if r.status == "failed" else bool(getattr(r, plan.config.event)),
            )
            for r in rows
        ]
        with self.lock:
            keep = self.scheduler.observe(observations)
        kept = [row for row, k in zip(rows, keep, strict=True) if k]
        started = time.perf_counter()
        self._store(rows, kept)
        counters = self.counters
        counters.commit_s += time.perf_counter() - started
        counters.samples += len(rendered)
        counters.queries += len(rows)
        counters.stored += len(kept)
        counters.dropped += len(rows) - len(kept)
        counters.failed += sum(r.status == "failed" for r in kept)
        if self.on_batch is not None:
            self.on_batch(counters)

    def _store(self, rows: Sequence[ResultRow], kept: list[ResultRow]) -> None:
        """Hand a judged batch to the writer, holding back batches where everything failed.

        FAILED_STREAK scenes in a row whose every query failed mean that the model or the
        renderer does not work at all (a server down, a wrong spec): the run stops without
        storing the batches held, so that a re-run asks them again. The count is of
        scenes, whatever the batch size; a batch with any answer releases the held ones,
        in order, so a scene that fails on its own is stored as failed.
        """
        scenes: dict[tuple[str, int], bool] = {}
        for row in rows:  # per scene, in order: did every query fail?
            key = (row.condition, row.sample)
            scenes[key] = scenes.get(key, True) and row.status == "failed"
        for failed in scenes.values():
            self._streak = self._streak + 1 if failed else 0
        if not all(scenes.values()):
            for held in self._held:
                self.writer.submit(held)
            self._held.clear()
            self.writer.submit(kept)
            return
        self._held.append(kept)
        if self._streak >= FAILED_STREAK:
            error = next((r.error for r in reversed(rows) if r.error), "unknown error")
            self._held.clear()
            raise DrivecertError(
                f"every query of the last {self._streak} scenes failed (last: {error}); "
                "they were not stored: fix the model or renderer and re-run the same command "
                "to resume"
            )

    def _answer(self, rendered: Sequence[RenderedScene]) -> list[ResultRow]:
        """Every live question of every scene, asked in one call and judged."""
        asked: list[Asked] = []
        rows: list[ResultRow | None] = []
        model = self.asker.model
        for scene in rendered:
            questions = self._questions(scene)
            if scene.error is not None:
                rows += [
                    unrendered_row(scene, q, model.model_id, model.revision) for q in questions
                ]
                continue
            for item in self.asker.prepare(scene, questions):
                asked.append(item)
                rows.append(None)
        answers = iter(zip(asked, self.asker.generate(asked), strict=True))
        out: list[ResultRow] = []
        for row in rows:
            if row is None:
                item, (response, attempts) = next(answers)
                row = judged_row(item, response, attempts)
            out.append(row)
        return out

    def _questions(self, rendered: RenderedScene) -> list[Question]:
        """The task's questions: the scene's own (with ground truth) when it was drawn."""
        if rendered.scene is None:
            return [self.reference[q] for q in rendered.task.questions]
        return questions_of(rendered, self.scheduler.plan.scenario.ask(rendered.scene))
