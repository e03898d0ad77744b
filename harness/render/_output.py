"""Writing frames: content-addressed PNGs plus a JSONL index linking frames to scenes."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from PIL import Image

from harness.render._base import Frame, Renderer
from harness.render._sheet import contact_sheet
from scenarios import Condition, Scenario, SceneGraph

PNG_COMPRESSION = 1  # fast; PNG is lossless at every level


def frame_digest(frame: Frame) -> str:
    """SHA-256 of the frame's pixels and shape (the PNG's content address)."""
    digest = hashlib.sha256(str(frame.image.shape).encode())
    digest.update(frame.image.tobytes())
    return digest.hexdigest()


def write_png(frame: Frame, directory: Path) -> tuple[Path, str]:
    """Save ``frame`` as ``directory/<sha256[:20]>.png`` (once) and return (path, digest)."""
    digest = frame_digest(frame)
    path = directory / f"{digest[:20]}.png"
    if not path.exists():
        buffer = io.BytesIO()
        Image.fromarray(frame.image).save(buffer, "PNG", compress_level=PNG_COMPRESSION)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(buffer.getvalue())
        tmp.replace(path)
    return path, digest


@dataclass(frozen=True)
class RenderJob:
    """What to render: scenes of one scenario under some conditions.

    Attributes:
        scenario: the scenario.
        conditions: the conditions, in order.
        n: scenes per condition.
        seed: base seed.
        start: index of the first scene.
        times: frame times along the maneuver (one frame when ``(0.0,)``).
    """

    scenario: Scenario
    conditions: tuple[Condition, ...]
    n: int
    seed: int
    start: int
    times: tuple[float, ...]

    def scenes(self) -> Iterator[SceneGraph]:
        """Every scene of the job, condition by condition."""
        for condition in self.conditions:
            for index in range(self.start, self.start + self.n):
                yield self.scenario.sample(condition, index, self.seed)


def index_record(scene: SceneGraph, frame: Frame, path: str, digest: str) -> dict[str, Any]:
    """The JSONL index line of one frame."""
    return {
        "frame": path,
        "sha256": digest,
        "scenario": scene.scenario,
        "condition": scene.condition.label,
        "sample_index": scene.sample_index,
        "base_seed": scene.base_seed,
        "scene_seed": scene.scene_seed,
        "time_s": frame.time_s,
        "renderer": frame.renderer,
        "objects": [asdict(o) for o in frame.objects],
        "scene": scene.to_dict(),
    }


def render_job(
    renderer: Renderer, job: RenderJob, out: Path, progress: Iterable[int] | None = None
) -> list[tuple[SceneGraph, list[Frame]]]:
    """Render ``job`` into ``out/frames`` and append to ``out/index.jsonl``.

    Each line is written and flushed as soon as its frame exists, so an interrupted run
    keeps everything already rendered. Returns the scenes with their frames.
    """
    frames_dir = out / "frames"
    frames_dir.mkdir(parents=True, exist_ok=True)
    settings = {"renderer": renderer.name, **renderer.settings.to_dict()}
    (out / "render.json").write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    results = []
    ticks = iter(progress) if progress is not None else None
    with (out / "index.jsonl").open("a", encoding="utf-8") as index:
        for scene in job.scenes():
            frames = renderer.render(scene, job.times)
            for frame in frames:
                path, digest = write_png(frame, frames_dir)
                record = index_record(scene, frame, str(path.relative_to(out)), digest)
                index.write(json.dumps(record, separators=(",", ":")) + "\n")
                index.flush()
            results.append((scene, frames))
            if ticks is not None:
                next(ticks, None)
    return results


def sheet_columns(scenario: Scenario) -> int:
    """Columns of a scenario's contact sheet: the values of its last grid variable."""
    grid = list(scenario.default_grid.values())
    return len(grid[-1]) if grid else 4


def write_contact_sheet(
    scenario: Scenario, rendered: list[tuple[SceneGraph, list[Frame]]], path: Path
) -> Path:
    """One grid image: the first frame of each scene, labelled with its condition."""
    images = [frames[0].image for _, frames in rendered]
    labels = [f"{scene.condition.label} #{scene.sample_index}" for scene, _ in rendered]
    columns = sheet_columns(scenario)
    path.parent.mkdir(parents=True, exist_ok=True)
    contact_sheet(images, labels, columns=columns).save(path, optimize=True)
    return path
