"""One invocation of ``drivecert run``: check, open, resume, loop, certify, report.

Every name and setting is checked, and the run directory inspected, before the model is
loaded or anything is written; a refused run leaves the directory exactly as it was.
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.live import Live

from analysis import AnalysisOptions, write_analysis
from drivecert import UsageError, write_atomic
from harness.render import RENDERERS, Renderer, RenderSettings, frame_times, open_renderer
from harness.report import write_report
from harness.run._ask import Asker
from harness.run._config import RunConfig, fingerprint
from harness.run._export import ordered_rows
from harness.run._pipeline import Counters, Pipeline
from harness.run._plan import Plan, make_plan
from harness.run._progress import LiveTable, snapshot
from harness.run._render_stage import RendererInfo, RenderJob, RenderStage
from harness.run._rundir import RunDir, session_record, versions
from harness.run._scheduler import Observation, Scheduler
from harness.run._writer import StoreWriter
from harness.store import FILE_NAME, Store
from models import CachedModel, Decoding, LoadOptions, ModelBackend, ResponseCache, open_model

#: The revision a backend reports when it cannot tell (e.g. a server without /models).
UNKNOWN = "unknown"
#: Columns of the store the analysis reads.
VERDICT_COLUMNS = (
    "scenario",
    "model",
    "question",
    "condition",
    "sample",
    "status",
    "unsafe",
    "wrong",
    "unparseable",
    "answer",
)


@dataclass(frozen=True)
class RunResult:
    """What a finished run produced.

    Attributes:
        root: the run directory.
        plan: what was run.
        counters: this session's work.
        resumed: rows already in the store when this session started.
        written: the analysis outputs by name.
        summary: the contents of summary.json.
        wall_s: this session's wall time.
        loop_s: of which the run loop (rendering, asking, judging, storing).
        render_s: seconds the render worker was busy.
        model_s: seconds spent in the model.
    """

    root: Path
    plan: Plan
    counters: Counters
    resumed: int
    written: dict[str, Path]
    summary: dict[str, Any]
    wall_s: float
    loop_s: float
    render_s: float
    model_s: float


@dataclass(frozen=True)
class Hooks:
    """What tests and benchmarks may swap in (defaults: the registries)."""

    open_model: Callable[[str, LoadOptions], ModelBackend] = open_model
    open_renderer: Callable[[str, RenderSettings], Renderer] = open_renderer


def run(
    config: RunConfig,
    out: Path,
    *,
    force_new: bool = False,
    console: Console | None = None,
    hooks: Hooks = Hooks(),
    on_batch: Callable[[Counters], None] | None = None,
) -> RunResult:
    """Run (or resume) ``config`` in ``out`` and certify it.

    Args:
        config: the settings.
        out: the run directory.
        force_new: discard earlier results in ``out`` (frames and cached responses stay).
        console: where the live progress table goes (None: no table).
        hooks: model and renderer openers (tests and benchmarks swap them).
        on_batch: called with this session's counters after each committed batch.

    Raises:
        UsageError: on a bad name or setting, or a run directory that cannot be used;
            raised before anything is loaded or written.
    """
    started = time.perf_counter()
    plan = make_plan(config)
    if config.renderer not in RENDERERS:
        raise UsageError(RENDERERS.unknown_message(config.renderer))
    run_dir = RunDir(out)
    payload = config.fingerprint_payload(plan.resolved())
    print_ = fingerprint(payload)
    run_dir.check(payload, print_, force_new)  # read-only: a refusal touches nothing
    with ExitStack() as stack:
        backend = hooks.open_model(config.model, _load_options(plan))
        stack.callback(backend.close)
        stage = _render_stage(plan, run_dir, hooks)  # a renderer that cannot open (no
        stack.callback(stage.close)  # CARLA server) stops the run before anything is written
        stage.start()
        info = stage.info()
        stack.enter_context(run_dir.lock())
        run_dir.check(payload, print_, force_new)  # again: another run may have come meanwhile
        run_dir.clean_staging()
        if force_new:
            run_dir.reset()
        run_dir.write_config(payload, print_)
        cache = ResponseCache(Path(config.cache) if config.cache else run_dir.cache)
        stack.callback(cache.close)
        model = CachedModel(backend, cache)
        store = Store.open(run_dir.store)
        stack.callback(store.close)
        _check_store(store, print_, model, out)
        scheduler = Scheduler(plan)
        resumed = scheduler.replay(_stored(store, plan))
        _write_manifest(run_dir, plan, model, info)
        asker = Asker(model, _decoding(config), config.retries, config.system_prompt)
        writer = StoreWriter(store).start()
        stack.callback(writer.close)  # before the store closes: no commit is cut off
        pipeline = Pipeline(
            scheduler,
            stage,
            asker,
            writer,
            _reference_questions(plan),
            config.batch_size,
            on_batch=on_batch,
        )
        with _live(pipeline, console):
            loop_started = time.perf_counter()
            counters = pipeline.run()
            loop_s = time.perf_counter() - loop_started
        written = _certify(plan, store, run_dir)
        summary = _summary(plan, scheduler, store, counters, time.perf_counter() - started)
        write_atomic(run_dir.root / "summary.json", json.dumps(summary, indent=2) + "\n")
        if config.report:
            written["report"] = write_report(run_dir.root, rows=ordered_rows(store, plan))
        return RunResult(
            root=run_dir.root,
            plan=plan,
            counters=counters,
            resumed=resumed,
            written=written,
            summary=summary,
            wall_s=time.perf_counter() - started,
            loop_s=loop_s,
            render_s=stage.busy_s,
            model_s=asker.busy_s,
        )


def _load_options(plan: Plan) -> LoadOptions:
    """How to load the model: all of a batch's queries in one forward pass."""
    config = plan.config
    return LoadOptions(
        batch_size=config.batch_size * len(plan.questions),
        device=config.model_options.device,
        concurrency=config.model_options.concurrency,
        timeout_s=config.model_options.timeout_s,
        retries=config.model_options.http_retries,
    )


def _live(pipeline: Pipeline, console: Console | None) -> AbstractContextManager[Any]:
    """The live progress table on ``console``, or nothing."""
    if console is None:
        return nullcontext()
    table = LiveTable(pipeline.scheduler, pipeline.counters, pipeline.lock)
    return Live(table, console=console, refresh_per_second=2, transient=True)


def _render_stage(plan: Plan, run_dir: RunDir, hooks: Hooks) -> RenderStage:
    config = plan.config
    options = config.render
    server = config.carla
    settings = RenderSettings(
        width=options.width,
        height=options.height,
        fov_deg=options.fov_deg,
        backend=options.backend,
        server_host=server.host,
        server_port=server.port,
        server_timeout_s=server.timeout_s,
        town=options.town,
    )
    job = RenderJob(
        scenario=plan.scenario,
        conditions=plan.conditions,
        seed=config.seed,
        times=frame_times(options.frames, options.dt),
        frames_dir=run_dir.frames,
        retries=config.retries,
    )
    return RenderStage(lambda: hooks.open_renderer(config.renderer, settings), job)


def _decoding(config: RunConfig) -> Decoding:
    d = config.decoding
    return Decoding(d.max_new_tokens, d.temperature, d.min_pixels, d.max_pixels)


def _reference_questions(plan: Plan) -> dict[str, Any]:
    scene = plan.scenario.sample(plan.conditions[0], 0, plan.config.seed)
    return {q.id: q for q in plan.scenario.ask(scene)}


def _check_store(store: Store, print_: str, model: CachedModel, out: Path) -> None:
    """The store must come from this configuration and this model revision."""
    stored_print = store.meta("fingerprint")
    if stored_print is None:
        store.set_meta("fingerprint", print_)
    elif stored_print != print_:
        raise UsageError(
            f"{out / FILE_NAME} was written by another configuration than {out / 'config.yaml'} "
            "describes; restore that file, choose another --out, or use --force-new"
        )
    current = (model.model_id, model.revision)
    for stored in store.revisions():
        if stored != current and UNKNOWN in (stored[1], current[1]) and stored[0] == current[0]:
            warnings.warn(
                f"cannot tell whether {current[0]} is still the revision that answered {out} "
                f"(stored: {stored[1]}, now: {current[1]}); resuming as the same model",
                RuntimeWarning,
                stacklevel=2,
            )
        elif stored != current:
            raise UsageError(
                f"{out} was answered by {stored[0]} at revision {stored[1]}, but the model is "
                f"now at revision {current[1]}; finish with the same weights, or use --force-new"
            )


def _stored(store: Store, plan: Plan) -> list[Observation]:
    """The store's rows as observations, in sample order per cell."""
    index = {label: i for i, label in enumerate(plan.labels)}
    cells = {(c.condition, c.question): c.index for c in plan.cells}
    out = []
    for row in store.outcomes():
        key = (index.get(row.condition, -1), row.question)
        if key not in cells:
            raise UsageError(
                f"the store holds {row.question}@{row.condition}, which this configuration does "
                "not ask; use the configuration that made it, or --force-new"
            )
        failed = row.status != "ok"
        event = None if failed else bool(getattr(row, plan.config.event))
        out.append(Observation(cells[key], row.sample, failed, event))
    return out


def _write_manifest(run_dir: RunDir, plan: Plan, model: CachedModel, info: RendererInfo) -> None:
    config = plan.config
    run_dir.write_manifest(
        {
            "versions": versions(),
            "renderer": {
                "name": info.name,
                "backend": info.backend,
                "gl_driver": info.driver,
                "settings": info.settings,
            },
            "model": {"spec": config.model, "id": model.model_id, "revision": model.revision},
            "seeds": {
                "base_seed": config.seed,
                "scene_seed": "derive_seed('scene', base_seed, scenario, sample)",
            },
            "session": session_record(),
        }
    )


def verdicts_table(store: Store) -> pd.DataFrame:
    """The store as the analysis's verdicts table (rows in key order)."""
    return store.frame(VERDICT_COLUMNS)


def verdicts_of(store: Store, plan: Plan) -> pd.DataFrame:
    """The store as the analysis's verdicts table, in plan order (condition, question, sample)."""
    return plan.in_order(verdicts_table(store))


def _certify(plan: Plan, store: Store, run_dir: RunDir) -> dict[str, Path]:
    """certificates.csv, tables/ and figures/, built aside and swapped in together."""
    config = plan.config
    options = AnalysisOptions(
        spec=plan.spec,
        delta=config.delta,
        method=config.interval_method,
        multiplicity=config.multiplicity,
        event=config.event,
        group_by=plan.group_by(),
        figures=config.figures,
    )
    return write_analysis(verdicts_of(store, plan), run_dir.root, options)


def _summary(
    plan: Plan, scheduler: Scheduler, store: Store, counters: Counters, wall_s: float
) -> dict[str, Any]:
    config = plan.config
    views = snapshot(scheduler)
    kept = store.count()
    fixed = len(views) * config.n_max
    return {
        "scenario": plan.scenario.name,
        "model": config.model,
        "sequential": config.sequential,
        "event": config.event,
        "cells": [
            {
                "condition": v.condition,
                "question": v.question,
                "n": v.n,
                config.event: v.events,
                "failed": v.failed,
                "stopped": v.status,
            }
            for v in views
        ],
        "queries": kept,
        "queries_fixed_n": fixed,
        "queries_saved": fixed - kept,
        "incomplete_cells": sum(v.failed > 0 for v in views),
        "session": {
            "scenes": counters.samples,
            "queries": counters.queries,
            "dropped_after_stop": counters.dropped,
            "wall_s": round(wall_s, 3),
        },
    }
