"""Frame output: content addresses shared with the model cache, one scene at a time."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from drivecert import DrivecertError, pixel_sha256
from harness.render import RENDERERS, Frame, RendererKind, RenderSettings, open_renderer
from harness.render._embedded import EmbeddedRenderer
from harness.render._output import RenderJob, frame_digest, render_job, write_png
from models import Decoding, ModelQuery, cache_key
from scenarios import SceneGraph, get_scenario


class FakeRenderer:
    """A flat frame per scene and time, its colour taken from the scene seed."""

    name = "fake"

    def __init__(self, settings: RenderSettings | None = None) -> None:
        self.settings = settings or RenderSettings(width=32, height=18)
        self.rendered = 0

    def render(self, scene: SceneGraph, times: Sequence[float] = (0.0,)) -> list[Frame]:
        self.rendered += 1
        shade = scene.scene_seed % 200
        shape = (self.settings.height, self.settings.width, 3)
        return [
            Frame(np.full(shape, shade + k, dtype=np.uint8), t, renderer="fake")
            for k, t in enumerate(times)
        ]

    def close(self) -> None:
        pass


def test_frame_digest_is_the_hash_of_its_image_and_the_cache_key_image_id(
    renderer: EmbeddedRenderer, tmp_path: Path
) -> None:
    scene = get_scenario("right_turn").sample("weather=ClearNoon", 0, 0)
    (frame,) = renderer.render(scene)
    image = frame.to_pil()
    assert image.mode == "RGB" and image.size == (800, 450)
    digest = frame_digest(frame)
    path, written = write_png(frame, tmp_path)
    assert written == digest and path.name == f"{digest}.png" and len(path.stem) == 64
    assert digest == pixel_sha256(image) == pixel_sha256(Image.open(path))
    hashed = ModelQuery.ask([image], "Is it necessary to stop?")
    given = ModelQuery.ask([image], "Is it necessary to stop?", image_ids=[digest])
    assert hashed.image_hashes() == given.image_hashes() == (digest,)
    assert cache_key("m", "r", hashed, Decoding()) == cache_key("m", "r", given, Decoding())


def test_render_job_yields_scene_by_scene(tmp_path: Path) -> None:
    scenario = get_scenario("right_turn")
    conditions = tuple(scenario.default_conditions()[:2])
    fake = FakeRenderer()
    job = RenderJob(scenario, conditions, n=3, seed=4, start=0, times=(0.0, 0.5))
    scenes = render_job(fake, job, tmp_path)
    assert fake.rendered == 0 and not (tmp_path / "index.jsonl").exists()  # lazy
    scene, frames = next(scenes)
    assert fake.rendered == 1 and len(frames) == 2 and scene.condition == conditions[0]
    rest = list(scenes)
    assert fake.rendered == 6 and len(rest) == 5
    lines = [json.loads(x) for x in (tmp_path / "index.jsonl").read_text().splitlines()]
    assert len(lines) == 12
    for record in lines:
        assert record["frame"] == f"frames/{record['sha256']}.png"
        assert pixel_sha256(Image.open(tmp_path / record["frame"])) == record["sha256"]


def test_renderers_are_typed_kinds() -> None:
    kind = RENDERERS.get("embedded")
    assert isinstance(kind, RendererKind) and kind.name == "embedded" and kind.summary
    with pytest.raises(DrivecertError, match="must be a RendererKind"):
        RENDERERS.register("fake", FakeRenderer)  # type: ignore[arg-type]
    small = RenderSettings(width=64, height=36)
    renderer = open_renderer("embedded", small)
    assert isinstance(renderer, EmbeddedRenderer) and renderer.settings is small
    renderer.close()
