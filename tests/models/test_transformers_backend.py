"""The transformers backend end to end on tiny random checkpoints: load, batch, generate."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from PIL import Image

from drivecert import UsageError
from models import Decoding, LoadOptions, ModelQuery, open_model

ROOT = Path(__file__).resolve().parents[2]
FAMILIES = ("qwen2-vl", "qwen2.5-vl", "qwen3-vl", "llava")


def load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_tiny_models", ROOT / "scripts/make_tiny_models.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> dict[str, Path]:
    builder = load_builder()
    out = tmp_path_factory.mktemp("tiny")
    return {family: builder.build_tiny_model(family, out / family) for family in FAMILIES}


def scene(seed: int, size: tuple[int, int] = (160, 96)) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 255, size=(size[1], size[0], 3), dtype=np.uint8))


QUESTIONS = (
    "Is it necessary for the vehicle to stop here?",
    "What should the vehicle do now? (A) Stop (B) Slow down and yield (C) Proceed",
    "Does a building block the vehicle's route?",
    "Is a right turn physically possible here?",
)


def queries() -> list[ModelQuery]:
    return [ModelQuery.ask([scene(i, (160 + 32 * i, 96))], q) for i, q in enumerate(QUESTIONS)]


@pytest.mark.parametrize("family", FAMILIES)
def test_batch_of_four_matches_one_at_a_time(tiny, family: str) -> None:
    decoding = Decoding(max_new_tokens=6)
    single = open_model(f"hf:{tiny[family]}", LoadOptions(batch_size=1))
    batched = open_model(f"hf:{tiny[family]}", LoadOptions(batch_size=4))
    one = single.generate_detailed(queries(), decoding, first_logits=True)  # type: ignore[attr-defined]
    four = batched.generate_detailed(queries(), decoding, first_logits=True)  # type: ignore[attr-defined]
    for a, b in zip(one, four, strict=True):
        assert a.image_tokens == b.image_tokens > 0
        if a.tokens != b.tokens:
            # a random tiny model has near-flat logits, so a near-tie may flip a token under
            # padding: then the first step's logits must still agree
            assert a.first_logits is not None and b.first_logits is not None
            assert np.allclose(a.first_logits, b.first_logits, atol=1e-4)
        else:
            assert np.allclose(a.first_logits, b.first_logits, atol=1e-4)
    responses = batched.generate(queries(), decoding)
    assert len(responses) == 4 and all(isinstance(r.text, str) for r in responses)
    assert responses[0].model == str(tiny[family].resolve())
    assert responses[0].revision.startswith("sha256:")
    assert responses[0].decoding["max_new_tokens"] == 6


@pytest.mark.parametrize("family", ["qwen2-vl", "qwen2.5-vl", "qwen3-vl"])
@pytest.mark.parametrize(("min_pixels", "max_pixels"), [(None, 128 * 128), (128 * 128, 256 * 256)])
def test_image_tokens_follow_the_pixel_limits(tiny, family, min_pixels, max_pixels) -> None:
    from qwen_vl_utils import smart_resize

    model = open_model(f"hf:{tiny[family]}")
    decoding = Decoding(max_new_tokens=1, min_pixels=min_pixels, max_pixels=max_pixels)
    low, high = model.pixel_limits(decoding)  # type: ignore[attr-defined]
    patch = model.patch_size  # type: ignore[attr-defined]
    for size in ((320, 180), (96, 200)):
        query = ModelQuery.ask([scene(7, size)], QUESTIONS[0])
        (generation,) = model.generate_detailed([query], decoding)  # type: ignore[attr-defined]
        height, width = smart_resize(
            size[1], size[0], factor=patch * 2, min_pixels=low, max_pixels=high
        )
        assert generation.image_tokens == (height // patch) * (width // patch) // 4
        assert low is None or height * width >= low
        assert height * width <= high


def test_missing_folder_and_missing_weights_are_one_line(tmp_path, monkeypatch) -> None:
    with pytest.raises(UsageError, match="cannot load a model from folder"):
        open_model(f"hf:{tmp_path}")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(UsageError) as error:
        open_model("hf:Qwen/Qwen2-VL-7B-Instruct")
    message = str(error.value)
    assert "no weights for Qwen/Qwen2-VL-7B-Instruct in the Hugging Face cache" in message
    assert "hf:/path/to/folder" in message and "\n" not in message


def test_out_of_memory_halves_the_batch_and_says_so_once(tiny, monkeypatch) -> None:
    # CUDA cannot run here: the OOM is injected, the retry path is the real one
    import torch

    model = open_model(f"hf:{tiny['qwen2-vl']}", LoadOptions(batch_size=4))
    real = model.model.generate  # type: ignore[attr-defined]
    sizes: list[int] = []

    def generate(**kwargs):
        sizes.append(int(kwargs["input_ids"].shape[0]))
        if kwargs["input_ids"].shape[0] > 1:
            raise torch.OutOfMemoryError("CUDA out of memory (injected)")
        return real(**kwargs)

    monkeypatch.setattr(model.model, "generate", generate)  # type: ignore[attr-defined]
    with pytest.warns(RuntimeWarning, match="out of memory at batch size 4") as caught:
        responses = model.generate(queries(), Decoding(max_new_tokens=2))
    assert len(responses) == 4
    assert sizes[:3] == [4, 2, 1] and model.batch_size == 1  # type: ignore[attr-defined]
    assert len([w for w in caught if "out of memory" in str(w.message)]) == 1
    assert math.isfinite(responses[0].latency_s)


def test_a_failing_query_fails_alone_and_its_batch_is_retried_one_by_one(tiny, monkeypatch) -> None:
    model = open_model(f"hf:{tiny['qwen2-vl']}", LoadOptions(batch_size=4))
    real_prepare = model.prepare  # type: ignore[attr-defined]
    real_generate = model.model.generate  # type: ignore[attr-defined]
    sizes: list[int] = []

    def prepare(batch, decoding):
        if any("building" in q.question for q in batch):
            raise ValueError("cannot read this image\n(injected)")
        return real_prepare(batch, decoding)

    def generate(**kwargs):
        sizes.append(int(kwargs["input_ids"].shape[0]))
        if kwargs["input_ids"].shape[0] > 1:
            raise RuntimeError("CUDA error: device-side assert triggered (injected)")
        return real_generate(**kwargs)

    monkeypatch.setattr(model, "prepare", prepare)
    responses = model.generate(queries(), Decoding(max_new_tokens=2))
    assert [r.status for r in responses] == ["ok", "ok", "failed", "ok"]
    assert responses[2].error == "ValueError: cannot read this image"
    assert responses[2].text == "" and math.isfinite(responses[2].latency_s)
    monkeypatch.setattr(model, "prepare", real_prepare)
    monkeypatch.setattr(model.model, "generate", generate)  # type: ignore[attr-defined]
    responses = model.generate(queries(), Decoding(max_new_tokens=2))
    assert all(r.ok for r in responses) and sizes == [4, 1, 1, 1, 1]
    assert model.batch_size == 4  # type: ignore[attr-defined]  # only OOM shrinks it
