"""The live progress table: one row per (condition, question), redrawn twice a second (for
a failure search, the arms with the highest upper bounds, with the search's own intervals).

Bounds are computed only when the table is drawn, for every cell at once (vectorised), so
the display costs the run loop nothing between redraws. In fixed-n mode the interval shown
is the run's fixed-n interval (Clopper-Pearson for a sequence method) at the current n,
which holds only once n reaches n_max.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text

from analysis import METHODS, binomial_bounds, certifier_bounds, per_condition_delta
from harness.run._pipeline import Counters
from harness.run._scheduler import CellState, Scheduler

_STYLE = {"safe": "green", "unsafe": "bold red", "undecided": "yellow"}


@dataclass
class CellView:
    """A snapshot of one cell for display."""

    condition: str
    question: str
    n: int
    events: int
    failed: int
    lower: float
    upper: float
    decision: str
    status: str


def snapshot(scheduler: Scheduler) -> list[CellView]:
    """Every cell's counts, current bounds and decision."""
    plan = scheduler.plan
    config = plan.config
    states: list[CellState] = scheduler.cells
    search = getattr(scheduler, "search", None)  # a failure search: its own intervals
    if search is not None:
        lower, upper = search.bounds()
    elif config.sequential:
        certifiers = [s.certifier for s in states if s.certifier is not None]
        lower, upper = certifier_bounds(certifiers)
    else:
        each = per_condition_delta(config.delta, scheduler.family or len(states))
        method = config.interval_method if config.interval_method in METHODS else "clopper-pearson"
        lower, upper = binomial_bounds(
            np.array([s.events for s in states]), np.array([s.n for s in states]), each, method
        )
    decisions = plan.spec.decide_many(lower, upper)
    return [
        CellView(
            condition=plan.labels[s.cell.condition],
            question=s.cell.question,
            n=s.n,
            events=s.events,
            failed=s.failed,
            lower=float(lo),
            upper=float(up),
            decision=str(d),
            status=s.stopped or "running",
        )
        for s, lo, up, d in zip(states, lower, upper, decisions, strict=True)
    ]


@dataclass
class LiveTable:
    """A rich renderable of the cells of the plan being sampled; read under ``lock``."""

    schedulers: Sequence[Scheduler]
    counters: Counters
    lock: threading.Lock

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        with self.lock:
            current = next((s for s in self.schedulers if not s.finished), self.schedulers[-1])
            views = snapshot(current)
            samples, rate = self.counters.samples, self.counters.rate
        yield progress_table(current, views, samples, rate, options.max_height - 8)


def progress_table(
    scheduler: Scheduler, views: list[CellView], samples: int, rate: float, room: int
) -> Table:
    """The table: live cells first when they do not all fit in ``room`` rows."""
    plan = scheduler.plan
    event = plan.config.event
    done = sum(v.status != "running" for v in views)
    table = Table(
        title=(
            f"{plan.scenario.name} · {plan.config.model} · {samples} scenes this session "
            f"({rate:.1f}/s) · {done}/{len(views)} cells stopped"
        ),
        title_justify="left",
    )
    for column, justify in (
        ("condition", "left"),
        ("question", "left"),
        ("n", "right"),
        (event, "right"),
        ("failed", "right"),
        ("lower", "right"),
        ("upper", "right"),
        ("decision", "left"),
        ("stopped", "left"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    shown = views
    room = max(room, 4)
    if getattr(scheduler, "search", None) is not None:  # the arms still in contention first
        shown = sorted(views, key=lambda v: -v.upper)[:room]
    elif len(views) > room:
        shown = [v for v in views if v.status == "running"][:room] or views[:room]
    for v in shown:
        table.add_row(
            v.condition,
            v.question,
            str(v.n),
            str(v.events),
            str(v.failed) if v.failed else "",
            f"{v.lower:.3f}",
            f"{v.upper:.3f}",
            Text(v.decision, style=_STYLE.get(v.decision, "")),
            v.status,
        )
    if len(shown) < len(views):
        table.caption = f"{len(views) - len(shown)} more cells not shown"
    return table
