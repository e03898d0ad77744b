"""Writing frames: content-addressed PNGs plus a JSONL index linking frames to scenes.

A frame's address is :func:`drivecert.pixel_sha256` of its pixels, the same id a model
query's cache key uses for the image, so frames, PNG files and cached answers join.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from PIL import Image

from drivecert import UsageError, pixel_sha256, write_atomic
from harness.perturb import NO_CORRUPTION, Corruption
from harness.render._base import Frame, Renderer
from harness.render._sheet import contact_sheet
from scenarios import Condition, Scenario, SceneGraph

PNG_COMPRESSION = 1  # fast; PNG is lossless at every level


def frame_digest(frame: Frame) -> str:
    """The frame's :func:`drivecert.pixel_sha256` (its PNG's content address)."""
    return pixel_sha256(frame.image)


def png_bytes(image: Image.Image) -> bytes:
    """The image as the PNG bytes of ``frames/<sha>.png``."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=PNG_COMPRESSION)
    return buffer.getvalue()


def write_png(frame: Frame, directory: Path, image: Image.Image | None = None) -> tuple[Path, str]:
    """Save ``frame`` as ``directory/<sha256>.png`` (once) and return (path, digest).

    ``image`` is the frame as a PIL image when the caller has converted it already.
    """
    digest = frame_digest(frame)
    path = directory / f"{digest}.png"
    if not path.exists():
        write_atomic(path, png_bytes(image or frame.to_pil()))
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
        corruption: the camera corruption every frame is written with, seeded by its
            scene's ``scene_seed`` (``none``: clean frames).
    """

    scenario: Scenario
    conditions: tuple[Condition, ...]
    n: int
    seed: int
    start: int
    times: tuple[float, ...]
    corruption: Corruption = field(default_factory=Corruption)

    def scenes(self) -> Iterator[SceneGraph]:
        """Every scene of the job, condition by condition."""
        for condition in self.conditions:
            for index in range(self.start, self.start + self.n):
                yield self.scenario.sample(condition, index, self.seed)


def corrupted(frames: Sequence[Frame], corruption: Corruption, seed: int) -> list[Frame]:
    """``frames`` as the camera delivers them under ``corruption``, seeded by ``seed`` (the
    scene's ``scene_seed``, so the same scene is corrupted the same way every time)."""
    if corruption.name == NO_CORRUPTION:
        return list(frames)
    return [replace(f, image=corruption.apply(f.image, seed)) for f in frames]


def index_record(
    scene: SceneGraph,
    frame: Frame,
    path: str,
    digest: str,
    corruption: Corruption | None = None,
) -> dict[str, Any]:
    """The JSONL index line of one frame (with its corruption, when it has one)."""
    clean = corruption is None or corruption.name == NO_CORRUPTION
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
        **({} if clean or corruption is None else {"corruption": corruption.to_dict()}),
    }


SETTINGS_FILE = "render.json"
INDEX_FILE = "index.jsonl"
FrameKey = tuple[str, str, int, int, float]


def frame_key(record: dict[str, Any]) -> FrameKey:
    """What identifies an index line: scenario, condition, sample, base seed and time."""
    return (
        str(record["scenario"]),
        str(record["condition"]),
        int(record["sample_index"]),
        int(record["base_seed"]),
        round(float(record["time_s"]), 9),
    )


def prepare_render_dir(out: Path, settings: dict[str, Any], force: bool) -> set[FrameKey]:
    """Check a render folder before adding to it; return the frames it already indexes.

    Frames are added to an existing index only when ``render.json`` records the same
    settings; otherwise one line asks for ``--force`` (which starts the index again; the
    content-addressed frames stay) or another folder. A line cut short by a killed render is
    dropped, so the index never holds half a record.

    Raises:
        UsageError: when ``out`` is a file, or holds frames of other settings without force.
    """
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file; give a directory for the frames")
    recorded_path, index_path = out / SETTINGS_FILE, out / INDEX_FILE
    recorded = _read_json(recorded_path) if recorded_path.is_file() else None
    if index_path.exists() or recorded is not None:
        if recorded != settings and not force:
            raise UsageError(
                f"{out} holds frames rendered with other settings ({_changes(recorded, settings)});"
                " add --force to start its index again, or choose another --out"
            )
        if recorded != settings:
            index_path.unlink(missing_ok=True)
    write_atomic(recorded_path, json.dumps(settings, indent=2) + "\n")
    if not index_path.is_file():
        return set()
    raw = index_path.read_bytes()
    whole = raw[: raw.rfind(b"\n") + 1]
    if whole != raw:  # a line cut short by a killed render
        write_atomic(index_path, whole)
    keys: set[FrameKey] = set()
    for number, line in enumerate(whole.splitlines(), start=1):
        try:
            keys.add(frame_key(json.loads(line)))
        except (ValueError, KeyError, TypeError):  # JSON, Unicode and field errors
            raise UsageError(
                f"{index_path}:{number} is not a frame record; add --force to start the index "
                "again, or choose another --out"
            ) from None
    return keys


def render_job(
    renderer: Renderer,
    job: RenderJob,
    out: Path,
    indexed: set[FrameKey] | None = None,
    render_all: bool = False,
) -> Iterator[tuple[SceneGraph, list[Frame]]]:
    """Render ``job`` into ``out/frames`` and ``out/index.jsonl``, one scene at a time.

    A generator: nothing is rendered until it is iterated, and each scene's frames are
    yielded as soon as they are written, so memory holds one scene's frames at a time.
    Each index line is flushed as soon as its frame exists, so an interrupted run keeps
    everything already rendered. Frames in ``indexed`` are not indexed twice, and their
    scenes are not rendered again unless ``render_all`` (a contact sheet needs them).

    Yields:
        Each scene rendered, with its frames, condition by condition.
    """
    frames_dir = out / "frames"
    frames_dir.mkdir(parents=True, exist_ok=True)
    seen = indexed if indexed is not None else set()
    with (out / INDEX_FILE).open("a", encoding="utf-8") as index:
        for scene in job.scenes():
            keys = [
                frame_key(
                    {
                        "scenario": scene.scenario,
                        "condition": scene.condition.label,
                        "sample_index": scene.sample_index,
                        "base_seed": scene.base_seed,
                        "time_s": t,
                    }
                )
                for t in job.times
            ]
            if not render_all and all(key in seen for key in keys):
                continue
            frames = corrupted(renderer.render(scene, job.times), job.corruption, scene.scene_seed)
            for key, frame in zip(keys, frames, strict=True):
                path, digest = write_png(frame, frames_dir)
                if key in seen:
                    continue
                record = index_record(
                    scene, frame, str(path.relative_to(out)), digest, job.corruption
                )
                index.write(json.dumps(record, separators=(",", ":")) + "\n")
                index.flush()
                seen.add(key)
            yield scene, frames


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _changes(before: Any, after: dict[str, Any]) -> str:
    if not isinstance(before, dict):
        return "no readable render.json"
    changed = [
        f"{k}: {before.get(k)} -> {after.get(k)}" for k in after if before.get(k) != after[k]
    ]
    return ", ".join(changed[:3]) or "other keys"


def sheet_columns(scenario: Scenario) -> int:
    """Columns of a scenario's contact sheet: the values of its last grid variable."""
    grid = list(scenario.default_grid.values())
    return len(grid[-1]) if grid else 4


def write_contact_sheet(
    scenario: Scenario, firsts: Sequence[tuple[SceneGraph, Frame]], path: Path
) -> Path:
    """One grid image of each scene's first frame, labelled with its condition.

    Args:
        scenario: the scenario (its last grid variable sets the columns).
        firsts: each scene with its first frame, in grid order.
        path: the PNG to write.
    """
    images = [frame.image for _, frame in firsts]
    labels = [f"{scene.condition.label} #{scene.sample_index}" for scene, _ in firsts]
    columns = sheet_columns(scenario)
    buffer = io.BytesIO()
    contact_sheet(images, labels, columns=columns).save(buffer, "PNG", optimize=True)
    return write_atomic(path, buffer.getvalue())
