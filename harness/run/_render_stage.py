"""The render stage: draws and renders the next batch while the model answers this one.

One worker thread drives the renderer (its GL calls run on the process's one GL thread) and
works through bounded queues, so rendering on the CPU overlaps the model on the GPU and
at most ``depth`` batches wait in memory. A scene that fails to draw or render is retried
and then handed on as a failure record; nothing raised on one scene stops the run.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from drivecert import DrivecertError, one_line
from harness.perturb import corruption_of
from harness.render import Frame, Renderer, RendererUnavailable
from harness.render._output import corrupted, write_png
from harness.run._scheduler import SampleTask
from scenarios import Condition, Scenario, SceneGraph

_STOP = object()


@dataclass(frozen=True)
class RenderedScene:
    """A drawn and rendered scene, or why it could not be.

    Attributes:
        task: what was asked for.
        scenario: the scenario's name.
        condition: the condition's label.
        scene_seed: the seed of the scene's random stream.
        scene: the scene graph (None if drawing it failed).
        images: its frames as RGB images (empty on failure).
        frames: the frames' sha256 (``frames/<sha>.png``).
        error: one line on failure, else None.
        attempts: how many times it was tried.
    """

    task: SampleTask
    scenario: str
    condition: str
    scene_seed: int
    scene: SceneGraph | None
    images: tuple[Image.Image, ...]
    frames: tuple[str, ...]
    error: str | None
    attempts: int


@dataclass(frozen=True)
class RendererInfo:
    """What the opened renderer says about itself (for the manifest)."""

    name: str
    backend: str
    driver: str
    settings: dict[str, Any]


@dataclass
class RenderJob:
    """What the stage renders: scenes of one scenario at fixed frame times."""

    scenario: Scenario
    conditions: Sequence[Condition]
    seed: int
    times: tuple[float, ...]
    frames_dir: Path
    retries: int


@dataclass
class RenderStage:
    """A worker thread rendering batches of :class:`SampleTask` in submission order.

    Attributes:
        open_renderer: opens the renderer (called in the worker thread).
        jobs: what to render, per unit (a task's ``unit`` indexes it).
        busy_s: seconds the worker spent drawing, rendering and writing frames.
    """

    open_renderer: Callable[[], Renderer]
    jobs: Sequence[RenderJob]
    depth: int = 2
    busy_s: float = 0.0
    _inbox: queue.Queue[Any] = field(init=False)
    _outbox: queue.Queue[Any] = field(init=False)
    _thread: threading.Thread | None = field(default=None, init=False)
    _stop: threading.Event = field(default_factory=threading.Event, init=False)

    def __post_init__(self) -> None:
        self._inbox = queue.Queue(maxsize=self.depth)
        self._outbox = queue.Queue(maxsize=self.depth)

    def start(self) -> None:
        """Start the worker; it opens the renderer in its own thread (writing nothing)."""
        self._thread = threading.Thread(target=self._work, name="drivecert-render", daemon=True)
        self._thread.start()

    def info(self) -> RendererInfo:
        """The renderer's description, once open (waits for it).

        Raises:
            DrivecertError: the error that kept the renderer from opening.
        """
        first = self._outbox.get()
        if isinstance(first, BaseException):
            raise first
        assert isinstance(first, RendererInfo)
        return first

    def submit(self, batch: list[SampleTask]) -> None:
        """Queue a batch (blocks while ``depth`` batches wait)."""
        self._inbox.put(batch)

    def take(self) -> list[RenderedScene]:
        """The next rendered batch, in submission order (blocks until it is ready).

        Raises:
            DrivecertError: when the worker died (an error outside any one scene).
        """
        while True:
            try:
                result = self._outbox.get(timeout=0.5)
            except queue.Empty:
                if self._thread is not None and not self._thread.is_alive():
                    raise DrivecertError("the render worker stopped unexpectedly") from None
                continue
            if isinstance(result, BaseException):
                raise result
            assert isinstance(result, list)
            return result

    def close(self) -> None:
        """Stop the worker and release the renderer."""
        self._stop.set()
        for box in (self._inbox, self._outbox):
            while True:
                try:
                    box.get_nowait()
                except queue.Empty:
                    break
        with contextlib.suppress(queue.Full):
            self._inbox.put_nowait(_STOP)
        if self._thread is not None:
            self._thread.join(timeout=30)

    # -- worker ---------------------------------------------------------------------------
    def _work(self) -> None:
        try:
            renderer = self.open_renderer()
            self._outbox.put(_describe(renderer))
        except BaseException as error:  # handed to the main thread, which reports it
            self._outbox.put(error)
            return
        try:
            while not self._stop.is_set():
                batch = self._inbox.get()
                if batch is _STOP:
                    break
                started = time.perf_counter()
                out = [self._render(renderer, task) for task in batch]
                self.busy_s += time.perf_counter() - started
                self._put(out)
        except DrivecertError as error:  # e.g. a server lost for good: its own message
            self._put(error)
        except BaseException as error:
            self._put(DrivecertError(f"the render worker failed: {one_line(error)}"))
        finally:
            renderer.close()

    def _put(self, item: Any) -> None:
        while not self._stop.is_set():
            try:
                self._outbox.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def _render(self, renderer: Renderer, task: SampleTask) -> RenderedScene:
        job = self.jobs[task.unit]
        return render_task(renderer, job, task, frame_saver(job))


#: Saves one frame (with its PIL image) and returns its sha256.
FrameSink = Callable[[Frame, Image.Image], str]


def frame_saver(job: RenderJob) -> FrameSink:
    """A sink writing ``frames/<sha>.png`` in the job's folder (once per frame)."""

    def save(frame: Frame, image: Image.Image) -> str:
        return write_png(frame, job.frames_dir, image)[1]

    return save


def render_task(
    renderer: Renderer, job: RenderJob, task: SampleTask, save: FrameSink
) -> RenderedScene:
    """Draw and render one task's scene, retrying; a failure becomes a record.

    Raises:
        RendererUnavailable: when no scene can be rendered (the run stops).
    """
    condition = job.conditions[task.condition]
    corruption = corruption_of(condition)
    where = (job.scenario.name, condition.label, job.scenario.scene_seed(task.sample, job.seed))
    error = ""
    scene: SceneGraph | None = None
    for attempt in range(1, job.retries + 2):
        try:
            scene = job.scenario.sample(condition, task.sample, job.seed)
            frames = corrupted(renderer.render(scene, job.times), corruption, scene.scene_seed)
            images, shas = [], []
            for frame in frames:
                image = frame.to_pil()
                shas.append(save(frame, image))
                images.append(image)
            return RenderedScene(task, *where, scene, tuple(images), tuple(shas), None, attempt)
        except RendererUnavailable:
            raise  # no scene can be rendered: the run stops instead of failing each one
        except Exception as failure:  # one scene's failure is a record, not a crash
            error = f"render failed: {one_line(failure)}"
    return RenderedScene(task, *where, scene, (), (), error, job.retries + 1)


def _describe(renderer: Renderer) -> RendererInfo:
    return RendererInfo(
        name=renderer.name,
        backend=str(getattr(renderer, "backend", "")),
        driver=str(getattr(renderer, "driver", "")),
        settings=renderer.settings.to_dict(),
    )
