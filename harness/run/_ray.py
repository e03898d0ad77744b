"""Running a sweep's batches on a Ray cluster: each actor one model replica and one renderer.

The driver (``drivecert sweep --ray``) keeps the schedulers and the one store, as in a
local run; only rendering, asking and judging move to the actors. Each actor opens the
run's judge itself, from its spec (a model judge's model is never pickled), without the
run directory's judge cache. Batches go to the
least busy actor and come back in submission order, so every cell sees its samples in
order and the certificates equal a local run's for the same seed. When an actor dies
(its process killed, a GPU fault), its batches in flight are sent again to a fresh actor;
nothing reaches the store twice, because a batch is committed once, when it is taken.

Ray is an optional extra (``pip install 'drivecert[ray]'``), imported only here.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from PIL import Image

from drivecert import DrivecertError, UsageError, one_line, write_atomic
from harness.judge import Judge, open_judge
from harness.render import Frame, RenderSettings, open_renderer
from harness.render._output import frame_digest, png_bytes
from harness.run._ask import Answerer, make_asker
from harness.run._config import RunConfig
from harness.run._plan import SweepPlan, make_plan
from harness.run._render_stage import RenderedScene, RendererInfo, render_task
from harness.run._rundir import RunDir
from harness.run._scheduler import SampleTask
from harness.store import ResultRow
from models import Decoding, LoadOptions, open_model

#: Ports between two CARLA servers of one machine (each uses its port and the next two).
CARLA_PORT_STRIDE = 3
#: Fresh actors the driver starts for dead ones, per worker, before the run stops.
REPLACEMENTS_PER_WORKER = 3
#: Seconds an actor may take to load its model and renderer (a 7B model from disk).
READY_TIMEOUT_S = 1800.0


@dataclass(frozen=True)
class RayOptions:
    """Where and how wide to run.

    Attributes:
        address: ``local`` (start a cluster here), ``auto`` or ``HOST:PORT`` (join one).
        workers: actors per model (default: one per GPU of the cluster, else 2).
        gpus_per_worker: GPUs each actor reserves (default 1 with GPUs, else 0).
    """

    address: str = "local"
    workers: int | None = None
    gpus_per_worker: float | None = None

    def __post_init__(self) -> None:
        if self.workers is not None and self.workers < 1:
            raise UsageError(f"--workers {self.workers}: give 1 or more")
        if self.gpus_per_worker is not None and self.gpus_per_worker < 0:
            raise UsageError(f"--gpus-per-worker {self.gpus_per_worker}: give 0 or more")


@dataclass(frozen=True)
class WorkerSetup:
    """Everything an actor needs, as plain picklable data.

    Attributes:
        model: the model spec.
        load: how to load it.
        renderer: the renderer's name.
        render: the renderer's settings (the CARLA server resolved by the driver,
            environment included, before the per-worker shift).
        runs: the sweep's run configurations, indexed by a task's ``unit``.
        decoding: generation settings.
        slot: the worker's index (its CARLA port shift when it holds no GPU).
    """

    model: str
    load: LoadOptions
    renderer: str
    render: RenderSettings
    runs: tuple[RunConfig, ...]
    decoding: Decoding
    slot: int = 0

    def carla_settings(self, gpu_ids: Sequence[Any]) -> RenderSettings:
        """The settings with this worker's own CARLA server: port + 3 x the GPU it holds on
        its node (as ``start_carla.sh --count`` starts one server per GPU), else + 3 x its
        slot."""
        index = int(gpu_ids[0]) if gpu_ids else self.slot
        return _with_port(self.render, self.render.server_port + CARLA_PORT_STRIDE * index)


class SceneWorker:
    """What each Ray actor runs: draws, renders, asks and judges whole batches.

    The actor takes two batches at once (``max_concurrency=2``): one thread renders (the
    only one that touches the renderer, whose GL context belongs to it) while the other
    batch is in the model (one at a time, under a lock), so rendering on the CPU overlaps
    the model on the GPU as in a local run.
    """

    def __init__(self, setup: WorkerSetup) -> None:
        import ray

        from harness.run._render_stage import _describe
        from harness.run._session import render_jobs

        # the driver resolved DRIVECERT_CARLA_HOST/PORT into the settings; here they would
        # undo this worker's own port
        for name in ("DRIVECERT_CARLA_HOST", "DRIVECERT_CARLA_PORT"):
            os.environ.pop(name, None)
        self.backend = open_model(setup.model, setup.load)
        self._render_thread = ThreadPoolExecutor(1, thread_name_prefix="drivecert-render")
        settings = setup.carla_settings(ray.get_gpu_ids())
        self.renderer = self._render_thread.submit(open_renderer, setup.renderer, settings).result()
        # only the render thread touches the renderer: even reading its GL driver's name
        # elsewhere makes its context current in another thread and changes the pixels
        self.info = self._render_thread.submit(_describe, self.renderer).result()
        plans = tuple(make_plan(run) for run in setup.runs)
        self.jobs = render_jobs(SweepPlan(plans), Path("."))
        first = setup.runs[0]
        self.asker = make_asker(self.backend, setup.decoding, first)
        self.judge = open_judge(first.judge)
        self.answerer = Answerer(self.asker, plans, self.judge)
        self._model = threading.Lock()

    def describe(self) -> dict[str, Any]:
        """The model's name and revision, the judge's, the renderer and this process's id."""
        return {
            "model_id": self.backend.model_id,
            "revision": self.backend.revision,
            "judge_id": self.judge.judge_id,
            "judge_revision": self.judge.revision,
            "renderer": self.info,
            "pid": os.getpid(),
        }

    def process(
        self, batch: list[SampleTask]
    ) -> tuple[list[ResultRow], dict[str, bytes], float, float]:
        """The batch's judged rows, its new frames as PNG bytes by sha256, and the seconds
        spent rendering and in the model."""
        started = time.perf_counter()
        rendered, frames = self._render_thread.submit(self._render, batch).result()
        render_s = time.perf_counter() - started
        with self._model:
            model_before = self.asker.busy_s
            rows = self.answerer.answer(rendered)
            model_s = self.asker.busy_s - model_before
        return rows, frames, render_s, model_s

    def _render(self, batch: list[SampleTask]) -> tuple[list[RenderedScene], dict[str, bytes]]:
        frames: dict[str, bytes] = {}

        def keep(frame: Frame, image: Image.Image) -> str:
            digest = frame_digest(frame)
            if digest not in frames:
                frames[digest] = png_bytes(image)
            return digest

        rendered = [render_task(self.renderer, self.jobs[task.unit], task, keep) for task in batch]
        return rendered, frames


def ray_engine(options: RayOptions) -> Callable[[SweepPlan, RunDir, Any], RayEngine]:
    """An engine factory for :func:`harness.run._session.execute`."""

    def make(sweep: SweepPlan, run_dir: RunDir, hooks: Any) -> RayEngine:
        del hooks  # actors open models and renderers from the registries
        return RayEngine(options, sweep, run_dir)

    return make


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise UsageError(
            "--ray needs Ray: pip install 'drivecert[ray]' (or run without --ray)"
        ) from None
    return ray


@dataclass
class RayEngine:
    """Connects to (or starts) a Ray cluster and opens a pool of actors per model."""

    options: RayOptions
    sweep: SweepPlan
    run_dir: RunDir
    _started: bool = field(default=False, init=False)
    _info: RendererInfo | None = field(default=None, init=False)
    _judge: Judge | None = field(default=None, init=False)
    _pools: list[RayWorkers] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        ray = _ray()
        if not ray.is_initialized():
            address = None if self.options.address == "local" else self.options.address
            if address not in (None, "auto"):
                _reachable(str(address))
            try:
                ray.init(
                    address=address,
                    include_dashboard=False,
                    log_to_driver=False,
                    configure_logging=False,
                )
            except (ConnectionError, RuntimeError, ValueError) as error:
                raise UsageError(
                    f"cannot reach the Ray cluster at {self.options.address} "
                    f"({one_line(error)}); start it with `ray start --head`, or use --ray alone "
                    "for a local one"
                ) from None
            self._started = True
        resources = ray.cluster_resources()
        self.gpus_per_worker, self.workers = worker_shape(
            self.options, float(resources.get("GPU", 0.0)), float(resources.get("CPU", 0.0))
        )
        warnings.warn(  # once per session: it changes speed, not results
            "Ray workers do not read or fill the response cache (nor a model judge's): every "
            "query is asked of the model (the answers are the same with greedy decoding)",
            RuntimeWarning,
            stacklevel=2,
        )

    def renderer_info(self) -> RendererInfo:
        """The renderer of the first actor (opened by :meth:`open`)."""
        if self._info is None:
            raise DrivecertError("no Ray worker is open yet")
        return self._info

    def open(self, model: str, units: Sequence[int]) -> RayWorkers:
        """``workers`` actors, each loading ``model`` and a renderer."""
        plans = [self.sweep.plans[u] for u in units]
        config = self.sweep.config
        from harness.run._session import _decoding, _load_options, render_settings

        base = _resolved_server(render_settings(config))
        setups = [
            WorkerSetup(
                model=model,
                load=_load_options(plans),
                renderer=config.renderer,
                render=base,
                runs=tuple(plan.config for plan in self.sweep.plans),
                decoding=_decoding(config),
                slot=i,
            )
            for i in range(self.workers)
        ]
        pool = RayWorkers(setups, self.gpus_per_worker, self.run_dir.frames)
        self._pools.append(pool)  # closed with the engine even when it fails to start
        pool.start()
        self._info = self._info or pool.renderer
        return pool

    def judge(self) -> Judge:
        """The run's judge in the driver (for a calibration; the actors open their own)."""
        if self._judge is None:
            self._judge = open_judge(self.sweep.config.judge, self.run_dir.judge_cache)
        return self._judge

    def close(self) -> None:
        """Stop every actor, free the driver's judge; shut a cluster this engine started
        down."""
        if self._judge is not None:
            self._judge.close()
        for pool in self._pools:
            pool.close()
        if self._started:
            _ray().shutdown()


def _reachable(address: str, timeout_s: float = 5.0) -> None:
    """Fail in one line, within seconds, when nothing listens at ``HOST:PORT`` (Ray itself
    would retry for minutes).

    Raises:
        UsageError: naming the address and how to start a cluster there.
    """
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise UsageError(f"--ray {address}: give HOST:PORT, auto, or nothing for a local cluster")
    try:
        socket.create_connection((host, int(port)), timeout=timeout_s).close()
    except OSError as error:
        raise UsageError(
            f"no Ray cluster answers at {address} ({error.strerror or error}); start one there "
            "with `ray start --head`, or use --ray alone for a local one"
        ) from None


def worker_shape(options: RayOptions, gpus: float, cpus: float) -> tuple[float, int]:
    """GPUs per worker and workers, from the options and the cluster's resources.

    Raises:
        UsageError: when the workers asked for cannot all be placed (they would wait
            forever).
    """
    per = options.gpus_per_worker if options.gpus_per_worker is not None else float(gpus >= 1)
    if per > 0:
        if gpus < per:
            raise UsageError(
                f"each Ray worker reserves {per:g} GPU(s) but the cluster has {gpus:g}; use "
                "--gpus-per-worker 0 on a CPU-only cluster"
            )
        workers = options.workers or int(gpus // per)
        if workers * per > gpus:
            raise UsageError(
                f"{workers} Ray workers x {per:g} GPU(s) need {workers * per:g} GPUs but the "
                f"cluster has {gpus:g}; use --workers {int(gpus // per)} or fewer"
            )
        return per, workers
    workers = options.workers or 2
    if workers > cpus:
        raise UsageError(
            f"{workers} CPU-only Ray workers need {workers} CPUs but the cluster has {cpus:g}; "
            f"use --workers {max(1, int(cpus))} or fewer"
        )
    return per, workers


def _resolved_server(settings: RenderSettings) -> RenderSettings:
    """The settings with the CARLA server the driver's environment names, if any."""
    from harness.render._carla._connect import Endpoint

    endpoint = Endpoint.of(settings)
    return replace(settings, server_host=endpoint.host, server_port=endpoint.port)


def _with_port(settings: RenderSettings, port: int) -> RenderSettings:
    return replace(settings, server_port=port)


@dataclass
class _Slot:
    """One worker position: its setup and current actor."""

    setup: WorkerSetup
    actor: Any = None
    pid: int = 0
    in_flight: int = 0


@dataclass
class _Flight:
    """A batch sent to an actor and not yet taken."""

    batch: list[SampleTask]
    slot: _Slot
    actor: Any
    ref: Any


@dataclass
class RayWorkers:
    """A pool of actors answering with one model; also the executor of its batches."""

    setups: list[WorkerSetup]
    gpus: float
    frames_dir: Path
    model_id: str = ""
    revision: str = ""
    judge_id: str = ""
    judge_revision: str = ""
    renderer: RendererInfo | None = None
    replaced: int = 0
    _slots: list[_Slot] = field(default_factory=list, init=False)
    _flights: deque[_Flight] = field(default_factory=deque, init=False)
    _render_s: float = 0.0
    _model_s: float = 0.0

    def start(self) -> None:
        """Start every actor and wait until each has loaded its model and renderer.

        Raises:
            DrivecertError: (one line) when an actor cannot start.
        """
        self._slots = [_Slot(setup) for setup in self.setups]
        for slot in self._slots:
            self._launch(slot)
        described = [self._started(slot) for slot in self._slots]
        first = described[0]
        self.model_id, self.revision = first["model_id"], first["revision"]
        self.judge_id, self.judge_revision = first["judge_id"], first["judge_revision"]
        self.renderer = first["renderer"]

    def _launch(self, slot: _Slot) -> None:
        ray = _ray()
        remote = ray.remote(SceneWorker).options(
            num_gpus=self.gpus,
            num_cpus=1 if self.gpus == 0 else 0,
            max_restarts=0,
            max_concurrency=2,
        )
        slot.actor = remote.remote(slot.setup)
        slot.in_flight = 0

    def _started(self, slot: _Slot) -> dict[str, Any]:
        """The actor's description once it is up; one killed while it loads (not one whose
        loading raised) is started again, as a dead worker is mid-sweep."""
        while True:
            try:
                return self._ready(slot)
            except _Died:
                self._count_replacement()
                self._launch(slot)

    def _count_replacement(self) -> None:
        self.replaced += 1
        if self.replaced > REPLACEMENTS_PER_WORKER * len(self._slots):
            raise DrivecertError(
                f"Ray workers died {self.replaced} times (the model or renderer crashes "
                "its process, or the node runs out of memory); what was judged is stored: "
                "fix the cause and re-run the same command to resume"
            )

    def _ready(self, slot: _Slot) -> dict[str, Any]:
        ray = _ray()
        try:
            described: dict[str, Any] = ray.get(
                slot.actor.describe.remote(), timeout=READY_TIMEOUT_S
            )
        except ray.exceptions.GetTimeoutError:
            raise DrivecertError(
                f"a Ray worker did not start within {READY_TIMEOUT_S:g} s (the cluster may be "
                "short of the GPUs or CPUs it reserves, or its model still loading); see `ray "
                "status`, then re-run the same command to resume"
            ) from None
        except ray.exceptions.RayError as error:
            if getattr(error, "actor_init_failed", True) is False:
                raise _Died from None  # killed while loading, not failed by its own code
            raise DrivecertError(f"a Ray worker could not start: {_cause(error)}") from None
        slot.pid = int(described["pid"])
        return described

    @property
    def pids(self) -> list[int]:
        """The actors' process ids (tests kill one)."""
        return [slot.pid for slot in self._slots]

    # -- Workers --------------------------------------------------------------------------
    def executor(self) -> RayWorkers:
        """This pool (it is its own executor)."""
        return self

    def busy(self) -> tuple[float, float]:
        """Seconds the actors spent rendering and in the model (summed over actors)."""
        return self._render_s, self._model_s

    def close(self) -> None:
        """Stop the actors."""
        ray = _ray()
        for slot in self._slots:
            if slot.actor is not None:
                ray.kill(slot.actor, no_restart=True)
                slot.actor = None
        self._flights.clear()

    # -- Executor -------------------------------------------------------------------------
    @property
    def depth(self) -> int:
        """Two batches per actor: one computing, one waiting."""
        return 2 * len(self._slots)

    def submit(self, batch: list[SampleTask]) -> None:
        """Send a batch to the least busy actor."""
        slot = min(self._slots, key=lambda s: s.in_flight)
        self._send(batch, slot)

    def _send(self, batch: list[SampleTask], slot: _Slot) -> None:
        slot.in_flight += 1
        self._flights.append(_Flight(batch, slot, slot.actor, slot.actor.process.remote(batch)))

    def take(self) -> list[ResultRow]:
        """The oldest batch's rows; a batch whose actor died is sent again first.

        Raises:
            DrivecertError: when actors keep dying (REPLACEMENTS_PER_WORKER per worker), or
                a worker raised an error that stops the run (e.g. the renderer is lost).
        """
        ray = _ray()
        flight = self._flights[0]
        while True:
            try:
                rows, frames, render_s, model_s = ray.get(flight.ref)
                break
            except ray.exceptions.RayTaskError as error:  # the worker's code raised
                cause = getattr(error, "cause", None)
                if isinstance(cause, DrivecertError):
                    raise cause from None
                raise DrivecertError(f"a Ray worker failed: {_cause(error)}") from None
            except ray.exceptions.RayError:  # its process, node or result was lost
                flight = self._resend(flight)
        self._flights.popleft()
        flight.slot.in_flight = max(0, flight.slot.in_flight - 1)
        for digest, data in frames.items():
            path = self.frames_dir / f"{digest}.png"
            if not path.exists():
                write_atomic(path, data)
        self._render_s += render_s
        self._model_s += model_s
        return list(rows)

    def _resend(self, flight: _Flight) -> _Flight:
        """Replace the flight's dead actor (once) and send its batch again, in place."""
        slot = flight.slot
        if slot.actor is flight.actor:  # not replaced yet by an earlier batch of it
            self._count_replacement()
            _ray().kill(slot.actor, no_restart=True)
            self._launch(slot)
            described = self._started(slot)
            if (described["model_id"], described["revision"]) != (self.model_id, self.revision):
                raise DrivecertError(
                    f"a fresh Ray worker loaded {described['model_id']} at revision "
                    f"{described['revision']}, not {self.revision}: the weights changed on some "
                    "node; make every node hold the same revision, then re-run to resume"
                )
        slot.in_flight += 1
        again = _Flight(flight.batch, slot, slot.actor, slot.actor.process.remote(flight.batch))
        index = next(i for i, f in enumerate(self._flights) if f is flight)
        self._flights[index] = again
        return again


class _Died(Exception):
    """An actor's process died while it loaded (killed, out of memory): start it again."""


def _cause(error: BaseException) -> str:
    """One line: the error an actor raised, without Ray's traceback."""
    cause = getattr(error, "cause", None)
    if isinstance(cause, BaseException):
        return one_line(cause)
    text = str(error).strip().splitlines()
    found = [line for line in text if "Error" in line and not line.startswith(" ")]
    return (found[-1] if found else text[0] if text else type(error).__name__)[:300]
