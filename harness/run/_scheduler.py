"""Which scenes to draw next, and which judged answers count.

Every cell (condition, question) consumes the sample indices of its condition strictly in
order, 0, 1, 2, ..., and stops on its own: at n_max indices, or (sequential mode) once its
confidence sequence decides the spec. A batch is filled with the next samples of the
conditions that still have a live cell, and asks each scene only the questions of its
live cells. Answers that arrive for a cell after it stopped (a batch scheduled before the
stop was known) are dropped, so what is stored, and therefore every certificate, depends
only on each cell's own first n verdicts: not on batch size, pipelining or resumption.

A perception question keeps being asked after its own cell stopped while a decision
question of the same condition that rests on it is live, so that every counted decision
answer has its perception answers on the same scene (for attribution): it keeps sample s
while s is below the stop of some decision resting on it. Decisions are observed before
perceptions, so this too depends only on the cells' own verdicts. The extra answers count
in the perception cell's n; its certificate stays valid, since a sequential cell's
confidence sequence holds at every n, and its recorded stop reason is its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from analysis import SequentialCertifier, StopReason, StopRule, per_condition_delta
from drivecert import DrivecertError
from harness.run._plan import Cell, Plan


@dataclass(frozen=True)
class SampleTask:
    """One scene to draw, render and ask.

    Attributes:
        condition: index of the condition in the plan.
        sample: the sample index within the condition.
        questions: ids of the questions to ask (the condition's live cells).
        unit: index of the plan in its sweep (0 for a run).
    """

    condition: int
    sample: int
    questions: tuple[str, ...]
    unit: int = 0


@dataclass(frozen=True)
class Observation:
    """A judged answer as the scheduler sees it.

    Attributes:
        cell: the cell's index in the plan.
        sample: the sample index.
        failed: the render or the query failed after every attempt.
        event: the certified event happened (unsafe, or wrong); None when failed. For a
            scene observed by its probabilities, the most likely reply's.
        bounds: for a scene observed by its probabilities, sound (lb, ub) on P(event);
            what the cell's certifier is fed instead of ``event``.
    """

    cell: int
    sample: int
    failed: bool
    event: bool | None
    bounds: tuple[float, float] | None = None


def event_bounds(row: Any, event: str) -> tuple[float, float] | None:
    """A stored row's (lb, ub) on P(event) when its scene was observed by probabilities."""
    if getattr(row, "status", "ok") != "ok" or getattr(row, f"{event}_lb", None) is None:
        return None
    return float(getattr(row, f"{event}_lb")), float(getattr(row, f"{event}_ub"))


@dataclass
class CellState:
    """Where one cell stands.

    Attributes:
        cell: the cell.
        certifier: its sequential certifier (sequential mode), else None.
        n: answers observed (failed ones excluded).
        events: observed answers where the event happened.
        failed: samples that failed and were not counted.
        next_sample: the next sample index it expects.
        stopped: why it stopped (``decided``, ``width``, ``n_max``), or None while live.
    """

    cell: Cell
    certifier: SequentialCertifier | None
    n: int = 0
    events: int = 0
    failed: int = 0
    next_sample: int = 0
    stopped: StopReason | None = None

    @property
    def live(self) -> bool:
        """Whether it still wants samples."""
        return self.stopped is None


@dataclass
class Scheduler:
    """Hands out batches of samples and filters judged answers, cell by cell.

    Attributes:
        plan: what to sample and ask.
        unit: the plan's index in its sweep (tags every task).
        family: the number of cells delta is shared over (default: the plan's own); a
            sweep shares it over every cell of every plan.
    """

    plan: Plan
    unit: int = 0
    family: int | None = None
    cells: list[CellState] = field(init=False)
    cursor: list[int] = field(init=False)
    _turn: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        config = self.plan.config
        cells = self.plan.cells
        each = per_condition_delta(config.delta, self.family or len(cells))
        rule = StopRule(n_max=config.n_max)
        self.cells = [
            CellState(
                cell,
                SequentialCertifier(self.plan.spec, each, config.interval_method, rule)
                if config.sequential
                else None,
            )
            for cell in cells
        ]
        self.cursor = [0] * len(self.plan.conditions)
        self._by_id = {(c.cell.condition, c.cell.question): c for c in self.cells}
        feeds = self.plan.feeds()
        self._fed: dict[int, list[CellState]] = {
            state.cell.index: [
                self._by_id[(state.cell.condition, d)] for d in feeds[state.cell.question]
            ]
            for state in self.cells
            if feeds.get(state.cell.question)
        }

    # -- scheduling -----------------------------------------------------------------------
    def _reach(self, state: CellState) -> float:
        """The first sample a cell no longer keeps: its own stop, or that of the latest
        decision resting on it (a perception cell); infinite while any of them is live."""
        if state.live:
            return float("inf")
        fed = self._fed.get(state.cell.index, ())
        reaches = [float("inf") if d.live else d.next_sample for d in fed]
        return max([state.next_sample, *reaches])

    def _wanting(self, condition: int) -> tuple[str, ...]:
        """Questions of the condition's cells that keep its next sample, if within n_max."""
        sample = self.cursor[condition]
        if sample >= self.plan.config.n_max:
            return ()
        return tuple(
            q for q in self.plan.questions if sample < self._reach(self._by_id[(condition, q)])
        )

    def next_batch(self, size: int) -> list[SampleTask]:
        """Up to ``size`` scenes: the next samples of the live conditions, in turn."""
        batch: list[SampleTask] = []
        conditions = len(self.plan.conditions)
        idle = 0
        while len(batch) < size and idle < conditions:
            condition = self._turn
            self._turn = (self._turn + 1) % conditions
            questions = self._wanting(condition)
            if not questions:
                idle += 1
                continue
            idle = 0
            batch.append(SampleTask(condition, self.cursor[condition], questions, self.unit))
            self.cursor[condition] += 1
        return batch

    @property
    def finished(self) -> bool:
        """No cell wants another sample."""
        return not any(self._wanting(c) for c in range(len(self.plan.conditions)))

    # -- results --------------------------------------------------------------------------
    def cell_of(self, condition: int, question: str) -> CellState:
        """The state of (condition, question)."""
        return self._by_id[(condition, question)]

    def observe(self, observations: Sequence[Observation]) -> list[bool]:
        """Feed judged answers in sample order; True for each one that counts (is kept).

        Raises:
            DrivecertError: when a cell's samples arrive out of order or twice.
        """
        order = sorted(range(len(observations)), key=lambda i: self._order(observations[i]))
        keep = [False] * len(observations)
        for i in order:
            keep[i] = self._observe(observations[i])
        return keep

    def _order(self, obs: Observation) -> tuple[bool, int, int]:
        """Decisions (and cells nothing rests on) first, then the perceptions they rest on."""
        return (obs.cell in self._fed, obs.cell, obs.sample)

    def _observe(self, obs: Observation) -> bool:
        state = self.cells[obs.cell]
        if obs.sample < state.next_sample:
            raise DrivecertError(
                f"sample {obs.sample} of cell {state.cell.question}@{state.cell.condition} "
                "arrived twice; the run directory is inconsistent"
            )
        if obs.sample >= self._reach(state):
            return False  # scheduled before the stop was known
        if obs.sample != state.next_sample:
            raise DrivecertError(
                f"cell {state.cell.question}@{state.cell.condition} expected sample "
                f"{state.next_sample}, got {obs.sample}; the run directory is inconsistent"
            )
        state.next_sample += 1
        if obs.failed:
            state.failed += 1
        else:
            event = bool(obs.event)
            state.n += 1
            state.events += int(event)
            live = state.live  # a stopped perception cell still counts, for attribution
            seen = event if obs.bounds is None else obs.bounds
            if live and state.certifier is not None and state.certifier.observe(seen):
                state.stopped = state.certifier.stopped
        if state.stopped is None and state.next_sample >= self.plan.config.n_max:
            state.stopped = "n_max"
        return True

    def replay(self, observations: Iterable[Observation]) -> int:
        """Rebuild the state from stored answers (a resumed run); returns how many.

        Raises:
            DrivecertError: when the store holds a row that the cell would not have kept.
        """
        count = 0
        for obs in sorted(observations, key=self._order):
            if not self._observe(obs):
                state = self.cells[obs.cell]
                raise DrivecertError(
                    f"the store holds sample {obs.sample} of {state.cell.question}@"
                    f"{self.plan.labels[state.cell.condition]} after that cell stopped; "
                    "it was not written by this configuration (use --force-new)"
                )
            count += 1
        for condition in range(len(self.plan.conditions)):
            self.cursor[condition] = max(
                self._by_id[(condition, q)].next_sample for q in self.plan.questions
            )
        return count
