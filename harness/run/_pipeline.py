"""The run loop: schedule -> execute (render, ask, judge) -> keep -> commit.

An executor keeps ``depth`` batches in flight and hands back each batch's judged rows in
submission order: locally, a render thread draws batch k+1 while the model answers batch
k; under Ray, actors on other GPUs or machines do both. Each judged batch is filtered by
its plan's scheduler (answers past a cell's stop are dropped) and handed to the store
writer, which commits it in one transaction while the next batch is asked; batches are
committed in order, so a run killed at any moment resumes from its last whole batch.

A sweep's plans are sampled one after another through the same executor: the next plan's
batches start while the last ones of the previous plan are still in flight.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from drivecert import DrivecertError
from harness.run._scheduler import Observation, SampleTask, Scheduler, event_bounds
from harness.run._writer import StoreWriter
from harness.store import ResultRow


class Executor(Protocol):
    """Renders, asks and judges batches of tasks, in submission order."""

    @property
    def depth(self) -> int:
        """Batches it keeps in flight."""
        ...

    def submit(self, batch: list[SampleTask]) -> None:
        """Start on a batch (may block while ``depth`` batches are in flight)."""

    def take(self) -> list[ResultRow]:
        """The judged rows of the oldest batch not yet taken (blocks until ready)."""
        ...


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
    """Wires the schedulers, an executor and the store.

    Attributes:
        schedulers: one per plan, in the order they are sampled.
        executor: renders, asks and judges batches.
        writer: commits judged batches to the store, in order, in its own thread.
        batch_size: scenes per batch.
        lock: held while a scheduler's state changes (a progress display reads it).
        on_batch: called with the counters after each judged batch (handed to the writer).
    """

    schedulers: Sequence[Scheduler]
    executor: Executor
    writer: StoreWriter
    batch_size: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    on_batch: Callable[[Counters], None] | None = None
    counters: Counters = field(default_factory=Counters)
    _held: list[list[ResultRow]] = field(default_factory=list, init=False)
    _streak: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        self._by_scenario = {s.plan.scenario.name: s for s in self.schedulers}
        self._conditions = {
            s.plan.scenario.name: {label: i for i, label in enumerate(s.plan.labels)}
            for s in self.schedulers
        }

    def run(self) -> Counters:
        """Run until no cell wants another sample.

        Every judged batch is committed before this returns or raises (the writer goes on,
        for the next model of a sweep).

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
        self.writer.drain()
        return self.counters

    def _next_batch(self) -> list[SampleTask]:
        for scheduler in self.schedulers:
            batch = scheduler.next_batch(self.batch_size)
            if batch:
                return batch
        return []

    def _loop(self) -> None:
        in_flight = 0
        while True:
            while in_flight < self.executor.depth:
                with self.lock:
                    batch = self._next_batch()
                if not batch:
                    break
                self.executor.submit(batch)
                in_flight += 1
            if not in_flight:
                for held in self._held:  # failures that never reached a streak are stored
                    self.writer.submit(held)
                self._held.clear()
                return
            in_flight -= 1
            waited = time.perf_counter()
            rows = self.executor.take()
            self.counters.wait_s += time.perf_counter() - waited
            self._process(rows)

    def _process(self, rows: Sequence[ResultRow]) -> None:
        """Feed judged rows to their schedulers and commit the ones kept."""
        observations = []
        for r in rows:
            scheduler = self._by_scenario[r.scenario]
            condition = self._conditions[r.scenario][r.condition]
            event = scheduler.plan.config.event
            observations.append(
                Observation(
                    scheduler.cell_of(condition, r.question).cell.index,
                    r.sample,
                    r.status == "failed",
                    None if r.status == "failed" else bool(getattr(r, event)),
                    event_bounds(r, event),
                )
            )
        by_plan: dict[str, list[int]] = {}
        for i, r in enumerate(rows):
            by_plan.setdefault(r.scenario, []).append(i)
        keep = [False] * len(rows)
        with self.lock:
            for name, indices in by_plan.items():
                kept = self._by_scenario[name].observe([observations[i] for i in indices])
                for i, k in zip(indices, kept, strict=True):
                    keep[i] = k
        kept_rows = [row for row, k in zip(rows, keep, strict=True) if k]
        started = time.perf_counter()
        self._store(rows, kept_rows)
        counters = self.counters
        counters.commit_s += time.perf_counter() - started
        counters.samples += len({(r.scenario, r.condition, r.sample) for r in rows})
        counters.queries += len(rows)
        counters.stored += len(kept_rows)
        counters.dropped += len(rows) - len(kept_rows)
        counters.failed += sum(r.status == "failed" for r in kept_rows)
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
