"""One invocation of ``drivecert run``: check, open, resume, loop, certify, report.

Every name and setting is checked, and the run directory inspected, before the model is
loaded or anything is written; a refused run leaves the directory exactly as it was.
"""

from __future__ import annotations

import json
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, ExitStack, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
from rich.console import Console
from rich.live import Live

from analysis import AnalysisOptions, JudgeCalibration, write_analysis
from drivecert import DrivecertError, UsageError, write_atomic
from harness.judge import Judge, check_judge, open_judge
from harness.judge._accuracy import LabelledReply, load_labelled, measure_judge
from harness.render import RENDERERS, Renderer, RenderSettings, frame_times, open_renderer
from harness.report import write_report
from harness.run._ask import Answerer, Asker, LocalExecutor, make_asker
from harness.run._config import RunConfig, Settings, fingerprint
from harness.run._export import ordered_rows
from harness.run._pipeline import Counters, Executor, Pipeline
from harness.run._plan import Plan, SweepPlan, make_plan
from harness.run._progress import LiveTable, snapshot
from harness.run._render_stage import RendererInfo, RenderJob, RenderStage
from harness.run._rundir import RunDir, session_record, versions
from harness.run._scheduler import Observation, Scheduler, event_bounds
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
    "question_text",  # a synonym swap leaves some questions as they were (robustness)
    "observe",
    "unsafe_lb",
    "unsafe_ub",
    "wrong_lb",
    "wrong_ub",
)


@dataclass(frozen=True)
class RunResult:
    """What a finished run or sweep produced.

    Attributes:
        root: the run directory.
        sweep: every plan that was run (one for a run).
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
    sweep: SweepPlan
    counters: Counters
    resumed: int
    written: dict[str, Path]
    summary: dict[str, Any]
    wall_s: float
    loop_s: float
    render_s: float
    model_s: float

    @property
    def plan(self) -> Plan:
        """The plan of a run (the first plan of a sweep)."""
        return self.sweep.plans[0]


@dataclass(frozen=True)
class Hooks:
    """What tests and benchmarks may swap in (defaults: the registries)."""

    open_model: Callable[[str, LoadOptions], ModelBackend] = open_model
    open_renderer: Callable[[str, RenderSettings], Renderer] = open_renderer
    open_judge: Callable[[str, Path | None], Judge] = open_judge


class Workers(Protocol):
    """Where one model's batches are rendered, asked and judged."""

    @property
    def model_id(self) -> str:
        """The model's name."""
        ...

    @property
    def revision(self) -> str:
        """The weights' revision."""
        ...

    @property
    def judge_id(self) -> str:
        """The judge's id."""
        ...

    @property
    def judge_revision(self) -> str:
        """The judge's revision."""
        ...

    def executor(self) -> Executor:
        """The executor (called once the run directory is locked and written)."""
        ...

    def busy(self) -> tuple[float, float]:
        """Seconds spent rendering and in the model so far."""
        ...

    def close(self) -> None:
        """Free the model (and the workers)."""


class Engine(Protocol):
    """Opens the workers of a session: in this process (default) or on a Ray cluster."""

    def renderer_info(self) -> RendererInfo:
        """The renderer's description; raises (one line) when it cannot open."""
        ...

    def open(self, model: str, units: Sequence[int]) -> Workers:
        """Workers answering with ``model`` for the given plans."""
        ...

    def judge(self) -> Judge:
        """The run's judge in this process (opened once; closed with the engine)."""
        ...

    def close(self) -> None:
        """Release everything."""


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
    plan = make_plan(config)
    sweep = SweepPlan((plan,))
    payload = config.fingerprint_payload(plan.resolved())
    return execute(
        sweep, payload, out, force_new=force_new, console=console, hooks=hooks, on_batch=on_batch
    )


def execute(
    sweep: SweepPlan,
    payload: dict[str, Any],
    out: Path,
    *,
    force_new: bool = False,
    console: Console | None = None,
    hooks: Hooks = Hooks(),
    on_batch: Callable[[Counters], None] | None = None,
    engine: Callable[[SweepPlan, RunDir, Hooks], Engine] | None = None,
    schedulers_for: Callable[[SweepPlan], list[Scheduler]] | None = None,
    finish: Callable[[Store, RunDir], dict[str, Path]] | None = None,
) -> RunResult:
    """Run (or resume) every plan of ``sweep`` in ``out``, one model after another, and
    certify them together.

    Args:
        sweep: the plans.
        payload: the settings that define the run (config.yaml; their fingerprint).
        out: the run directory.
        force_new: discard earlier results in ``out`` (frames and cached responses stay).
        console: where the live progress table goes (None: no table).
        hooks: model and renderer openers (tests and benchmarks swap them).
        on_batch: called with this session's counters after each committed batch.
        engine: opens the workers (default: this process; see ``harness.run._ray``).
        schedulers_for: the plans' schedulers (default: one :class:`Scheduler` per plan;
            a failure search drives its own).
        finish: writes further outputs into the run directory after the certificates and
            before the summary and report (their paths are added to ``written``).

    Raises:
        UsageError: on a bad name or setting, or a run directory that cannot be used;
            raised before anything is loaded or written.
    """
    started = time.perf_counter()
    config = sweep.config
    if config.renderer not in RENDERERS:
        raise UsageError(RENDERERS.unknown_message(config.renderer))
    check_judge(config.judge)
    labelled = load_labelled(Path(config.judge_labels)) if config.judge_labels else None
    run_dir = RunDir(out)
    print_ = fingerprint(payload)
    run_dir.check(payload, print_, force_new)  # read-only: a refusal touches nothing
    models = sweep.models()
    resuming = not force_new and run_dir.store.is_file()
    with ExitStack() as stack:
        workers = (engine or LocalEngine)(sweep, run_dir, hooks)
        stack.callback(workers.close)
        info: RendererInfo | None = None
        early: Workers | None = None
        if not resuming:  # a new run: a model or renderer that cannot open stops it before
            early = workers.open(models[0], sweep.units_of(models[0]))  # anything is written
            stack.callback(early.close)
            info = workers.renderer_info()
        stack.enter_context(run_dir.lock())
        run_dir.check(payload, print_, force_new)  # again: another run may have come meanwhile
        run_dir.clean_staging()
        if force_new:
            run_dir.reset()
        run_dir.write_config(payload, print_)
        store = Store.open(run_dir.store)
        stack.callback(store.close)
        _check_store(store, print_, sweep, out)
        schedulers = (
            schedulers_for(sweep)
            if schedulers_for is not None
            else [
                Scheduler(plan, unit=i, family=sweep.family) for i, plan in enumerate(sweep.plans)
            ]
        )
        resumed = 0
        for model in models:  # what earlier sessions stored, so finished models stay unloaded
            known = store.meta(f"model:{model}")
            if known is not None:
                resumed += _replay(store, [schedulers[u] for u in sweep.units_of(model)], known)
        writer = StoreWriter(store).start()
        stack.callback(writer.close)  # before the store closes: no commit is cut off
        counters = Counters()
        lock = threading.Lock()
        loop_s, render_s, model_s = 0.0, 0.0, 0.0
        answered: list[dict[str, str]] = []
        manifest_written = False
        for model in models:
            units = sweep.units_of(model)
            mine = [schedulers[u] for u in units]
            known = store.meta(f"model:{model}")
            if known is not None and all(s.finished for s in mine):
                revision = next((r for m, r in store.revisions() if m == known), UNKNOWN)
                answered.append({"spec": model, "id": known, "revision": revision})
                continue
            opened = early if early is not None and model == models[0] else None
            opened = opened or workers.open(model, units)
            try:
                info = info or workers.renderer_info()
                _check_model(store, model, opened, models, out)
                if known is None:
                    resumed += _replay(store, mine, opened.model_id)
                answered.append({"spec": model, "id": opened.model_id, "revision": opened.revision})
                executor = opened.executor()
                judge = _judge_record(config, opened, labelled)
                _write_manifest(run_dir, sweep, answered, info, judge, first=not manifest_written)
                manifest_written = True
                pipeline = Pipeline(
                    mine,
                    executor,
                    writer,
                    config.batch_size,
                    lock=lock,
                    on_batch=on_batch,
                    counters=counters,
                )
                with _live(pipeline, console):
                    loop_started = time.perf_counter()
                    pipeline.run()
                    loop_s += time.perf_counter() - loop_started
                render_busy, model_busy = opened.busy()
                render_s, model_s = render_s + render_busy, model_s + model_busy
            finally:
                opened.close()  # frees its GPUs (or CPUs) for the next model's workers
        calibration = (
            measure_judge(*labelled, workers.judge().read, run_dir.root, str(config.judge_labels))
            if labelled
            else None
        )
        written = _certify(sweep, store, run_dir, calibration)
        if finish is not None:
            written.update(finish(store, run_dir))
        ids = {entry["spec"]: entry["id"] for entry in answered}
        summary = _summary(sweep, schedulers, ids, store, counters, time.perf_counter() - started)
        write_atomic(run_dir.root / "summary.json", json.dumps(summary, indent=2) + "\n")
        if config.report:
            written["report"] = write_report(run_dir.root, rows=ordered_rows(store, sweep))
        return RunResult(
            root=run_dir.root,
            sweep=sweep,
            counters=counters,
            resumed=resumed,
            written=written,
            summary=summary,
            wall_s=time.perf_counter() - started,
            loop_s=loop_s,
            render_s=render_s,
            model_s=model_s,
        )


@dataclass
class LocalEngine:
    """Workers in this process: a render thread and the model, with the response cache."""

    sweep: SweepPlan
    run_dir: RunDir
    hooks: Hooks
    stage: RenderStage | None = None
    cache: ResponseCache | None = None
    _judge: Judge | None = None

    def renderer_info(self) -> RendererInfo:
        """Open the render stage (once) and describe its renderer."""
        if self.stage is None:
            self.stage = _render_stage(self.sweep, self.run_dir, self.hooks)
            self.stage.start()
            self._info = self.stage.info()
        return self._info

    def open(self, model: str, units: Sequence[int]) -> LocalWorkers:
        """Load ``model`` (and, the first time, the judge) in this process."""
        plans = [self.sweep.plans[u] for u in units]
        backend = self.hooks.open_model(model, _load_options(plans))
        try:
            self.judge()  # before the renderer starts: a GL driver's LLVM and torch's clash
        except BaseException:
            backend.close()
            raise
        return LocalWorkers(self, backend)

    def judge(self) -> Judge:
        """The run's judge, opened once (a model judge writes its cache, ``cache/judge/``,
        only once it judges: inside the locked run directory)."""
        if self._judge is None:
            self._judge = self.hooks.open_judge(self.sweep.config.judge, self.run_dir.judge_cache)
        return self._judge

    def response_cache(self) -> ResponseCache:
        """The run's response cache (opened on first use, inside the locked directory)."""
        if self.cache is None:
            config = self.sweep.config
            self.cache = ResponseCache(Path(config.cache) if config.cache else self.run_dir.cache)
        return self.cache

    def close(self) -> None:
        """Stop the render stage, close the cache and free the judge."""
        if self.stage is not None:
            self.stage.close()
        if self.cache is not None:
            self.cache.close()
        if self._judge is not None:
            self._judge.close()


@dataclass
class LocalWorkers:
    """A model loaded in this process, answering batches the shared render stage draws."""

    engine: LocalEngine
    backend: ModelBackend
    asker: Asker | None = None
    closed: bool = False
    _render_from: float = 0.0

    @property
    def model_id(self) -> str:
        """The model's name."""
        return self.backend.model_id

    @property
    def revision(self) -> str:
        """The weights' revision."""
        return self.backend.revision

    @property
    def judge_id(self) -> str:
        """The judge's id."""
        return self.engine.judge().judge_id

    @property
    def judge_revision(self) -> str:
        """The judge's revision."""
        return self.engine.judge().revision

    def executor(self) -> LocalExecutor:
        """Render in the stage's thread, answer here through the response cache, and judge
        here (a model judge's judgements cached in the run's ``cache/judge/``)."""
        stage = self.engine.stage
        if stage is None:
            raise DrivecertError("the render stage is opened by renderer_info() first")
        engine = self.engine
        config = engine.sweep.config
        self._render_from = stage.busy_s
        model = CachedModel(self.backend, engine.response_cache())
        self.asker = make_asker(model, _decoding(config), config)
        return LocalExecutor(stage, Answerer(self.asker, engine.sweep.plans, engine.judge()))

    def busy(self) -> tuple[float, float]:
        """Seconds the render stage and the model were busy for this model."""
        stage = self.engine.stage
        render = stage.busy_s - self._render_from if stage else 0.0
        return (render, self.asker.busy_s if self.asker else 0.0)

    def close(self) -> None:
        """Free the model (once; the judge is the engine's)."""
        if not self.closed:
            self.closed = True
            self.backend.close()


def _load_options(plans: Sequence[Plan]) -> LoadOptions:
    """How to load the model: all of a batch's queries in one forward pass."""
    config = plans[0].config
    return LoadOptions(
        batch_size=config.batch_size * max(len(plan.questions) for plan in plans),
        device=config.model_options.device,
        concurrency=config.model_options.concurrency,
        timeout_s=config.model_options.timeout_s,
        retries=config.model_options.http_retries,
    )


def _live(pipeline: Pipeline, console: Console | None) -> AbstractContextManager[Any]:
    """The live progress table on ``console``, or nothing."""
    if console is None:
        return nullcontext()
    table = LiveTable(pipeline.schedulers, pipeline.counters, pipeline.lock)
    return Live(table, console=console, refresh_per_second=2, transient=True)


def render_settings(config: Settings) -> RenderSettings:
    """The renderer's settings from a run's."""
    options = config.render
    server = config.carla
    return RenderSettings(
        width=options.width,
        height=options.height,
        fov_deg=options.fov_deg,
        backend=options.backend,
        server_host=server.host,
        server_port=server.port,
        server_timeout_s=server.timeout_s,
        town=options.town,
    )


def render_jobs(sweep: SweepPlan, frames_dir: Path) -> list[RenderJob]:
    """What to render for each plan of ``sweep``, frames saved in ``frames_dir``."""
    config = sweep.config
    times = frame_times(config.render.frames, config.render.dt)
    return [
        RenderJob(
            scenario=plan.scenario,
            conditions=plan.conditions,
            seed=config.seed,
            times=times,
            frames_dir=frames_dir,
            retries=config.retries,
        )
        for plan in sweep.plans
    ]


def _render_stage(sweep: SweepPlan, run_dir: RunDir, hooks: Hooks) -> RenderStage:
    config = sweep.config
    settings = render_settings(config)
    jobs = render_jobs(sweep, run_dir.frames)
    return RenderStage(lambda: hooks.open_renderer(config.renderer, settings), jobs)


def _decoding(config: Settings) -> Decoding:
    d = config.decoding
    return Decoding(d.max_new_tokens, d.temperature, d.min_pixels, d.max_pixels, d.top_p)


def _check_store(store: Store, print_: str, sweep: SweepPlan, out: Path) -> None:
    """The store must come from this configuration, and hold only its models' answers."""
    stored_print = store.meta("fingerprint")
    if stored_print is None:
        store.set_meta("fingerprint", print_)
    elif stored_print != print_:
        raise UsageError(
            f"{out / FILE_NAME} was written by another configuration than {out / 'config.yaml'} "
            "describes; restore that file, choose another --out, or use --force-new"
        )
    asked = set()
    for plan in sweep.plans:
        model_id = store.meta(f"model:{plan.config.model}")
        asked.add((plan.scenario.name, model_id))
    for scenario, model_id in store.pairs():
        if (scenario, model_id) not in asked:
            raise UsageError(
                f"{out / FILE_NAME} holds answers of {model_id} on {scenario}, which this "
                "configuration does not ask; use the configuration that made it, or --force-new"
            )


def _check_model(store: Store, spec: str, opened: Workers, models: list[str], out: Path) -> None:
    """The model must answer under its own name, at the revision stored (if any)."""
    for other in models:
        if other != spec and store.meta(f"model:{other}") == opened.model_id:
            raise UsageError(
                f"{spec} and {other} both answer as {opened.model_id}; a sweep tells models "
                "apart by that name, so list each model once"
            )
    known = store.meta(f"model:{spec}")
    if known is not None and known != opened.model_id:
        raise UsageError(
            f"{spec} answered {out} as {known} but now names itself {opened.model_id}; "
            "finish with the same model, or use --force-new"
        )
    store.set_meta(f"model:{spec}", opened.model_id)
    current = (opened.model_id, opened.revision)
    for stored in store.revisions():
        if stored[0] != current[0] or stored == current:
            continue
        if UNKNOWN in (stored[1], current[1]):
            warnings.warn(
                f"cannot tell whether {current[0]} is still the revision that answered {out} "
                f"(stored: {stored[1]}, now: {current[1]}); resuming as the same model",
                RuntimeWarning,
                stacklevel=2,
            )
        else:
            raise UsageError(
                f"{out} was answered by {stored[0]} at revision {stored[1]}, but the model is "
                f"now at revision {current[1]}; finish with the same weights, or use --force-new"
            )


def _replay(store: Store, schedulers: Sequence[Scheduler], model_id: str) -> int:
    """Feed the stored answers of ``model_id`` into its plans' schedulers; how many."""
    count = 0
    for scheduler in schedulers:
        count += scheduler.replay(_stored(store, scheduler.plan, model_id))
    return count


def _stored(store: Store, plan: Plan, model_id: str) -> list[Observation]:
    """The plan's stored rows as observations, in sample order per cell."""
    index = {label: i for i, label in enumerate(plan.labels)}
    cells = {(c.condition, c.question): c.index for c in plan.cells}
    out = []
    for row in store.outcomes(plan.scenario.name, model_id):
        key = (index.get(row.condition, -1), row.question)
        if key not in cells:
            raise UsageError(
                f"the store holds {row.question}@{row.condition} of {plan.scenario.name}, which "
                "this configuration does not ask; use the configuration that made it, or "
                "--force-new"
            )
        failed = row.status != "ok"
        event = None if failed else bool(getattr(row, plan.config.event))
        out.append(
            Observation(cells[key], row.sample, failed, event, event_bounds(row, plan.config.event))
        )
    return out


def _judge_record(
    config: Settings, opened: Workers, labelled: tuple[list[LabelledReply], str] | None
) -> dict[str, Any]:
    """What the manifest says of the judge: its spec, id and revision, and the labelled
    replies it is calibrated on (their path and sha256), if any."""
    labels = None
    if labelled is not None:
        labels = {"path": config.judge_labels, "sha256": labelled[1], "replies": len(labelled[0])}
    return {
        "spec": config.judge,
        "id": opened.judge_id,
        "revision": opened.judge_revision,
        "labels": labels,
    }


def _write_manifest(
    run_dir: RunDir,
    sweep: SweepPlan,
    models: list[dict[str, str]],
    info: RendererInfo,
    judge: dict[str, Any],
    first: bool,
) -> None:
    """manifest.json: written when the session's first model opens, updated at each next."""
    config = sweep.config
    run_dir.write_manifest(
        {
            "versions": versions(),
            "renderer": {
                "name": info.name,
                "backend": info.backend,
                "gl_driver": info.driver,
                "settings": info.settings,
            },
            "model": models[0],
            "models": models,
            "judge": judge,
            "seeds": {
                "base_seed": config.seed,
                "scene_seed": "derive_seed('scene', base_seed, scenario, sample)",
            },
            "session": session_record(),
        },
        new_session=first,
    )


def verdicts_table(store: Store) -> pd.DataFrame:
    """The store as the analysis's verdicts table (rows in key order)."""
    return store.frame(VERDICT_COLUMNS)


def verdicts_of(store: Store, plan: Plan | SweepPlan) -> pd.DataFrame:
    """The store as the analysis's verdicts table, in plan order, with each question's role
    and the perception questions a decision rests on (for attribution)."""
    table = verdicts_table(store).merge(
        question_roles(plan), on=["scenario", "question"], how="left"
    )
    return plan.in_order(table.assign(perceives=table["perceives"].fillna("")))


def question_roles(plan: Plan | SweepPlan) -> pd.DataFrame:
    """(scenario, question, role, perceives) of every scenario the plan asks: perception or
    decision, and a decision's perception question ids, comma-separated."""
    plans = plan.plans if isinstance(plan, SweepPlan) else (plan,)
    firsts = {p.scenario.name: p for p in plans}
    rows = [
        (name, q.id, q.role, ",".join(q.perceives))
        for name, first in firsts.items()
        for q in first.reference.values()
    ]
    return pd.DataFrame(rows, columns=["scenario", "question", "role", "perceives"])


def _certify(
    sweep: SweepPlan, store: Store, run_dir: RunDir, calibration: JudgeCalibration | None
) -> dict[str, Path]:
    """certificates.csv, tables/ and figures/ (and judge_corrected.csv with a calibration,
    as ``drivecert certify --judge-labels``), built aside and swapped in together."""
    config = sweep.config
    options = AnalysisOptions(
        judge=calibration,
        spec=sweep.plans[0].spec,
        delta=config.delta,
        method=config.interval_method,
        multiplicity=config.multiplicity,
        event=config.event,
        group_by=sweep.group_by(),
        figures=config.figures,
    )
    return write_analysis(verdicts_of(store, sweep), run_dir.root, options)


def _summary(
    sweep: SweepPlan,
    schedulers: Sequence[Scheduler],
    ids: dict[str, str],
    store: Store,
    counters: Counters,
    wall_s: float,
) -> dict[str, Any]:
    """summary.json: every cell's counts and stop, and what the queries cost; ``ids`` names
    each model spec's answers in the store."""
    config = sweep.config
    cells: list[dict[str, Any]] = []
    incomplete = 0
    for scheduler in schedulers:
        plan = scheduler.plan
        cells += [
            {
                "scenario": plan.scenario.name,
                "model": plan.config.model,
                "model_id": ids.get(plan.config.model, plan.config.model),
                "condition": v.condition,
                "question": v.question,
                "n": v.n,
                config.event: v.events,
                "failed": v.failed,
                "stopped": v.status,
            }
            for v in snapshot(scheduler)
        ]
        incomplete += sum(state.failed > 0 for state in scheduler.cells)
    kept = store.count()
    fixed = len(cells) * config.n_max
    first = sweep.plans[0]
    return {
        "scenario": first.scenario.name,
        "model": first.config.model,
        "scenarios": list(dict.fromkeys(p.scenario.name for p in sweep.plans)),
        "models": sweep.models(),
        "sequential": config.sequential,
        "event": config.event,
        "observe": config.observe,
        "sampling": {
            "temperature": config.decoding.temperature,
            "top_p": config.decoding.top_p,
            **(
                {"token_budget": config.token_budget, "branch_budget": config.branch_budget}
                if config.observe == "bounds"
                else {}
            ),
        },
        "cells": cells,
        "queries": kept,
        "queries_fixed_n": fixed,
        "queries_saved": fixed - kept,
        "incomplete_cells": incomplete,
        "session": {
            "scenes": counters.samples,
            "queries": counters.queries,
            "dropped_after_stop": counters.dropped,
            "wall_s": round(wall_s, 3),
        },
    }
