"""The tiny offline checkpoints of scripts/make_tiny_models.py load, generate and count right.

The four families are built once per module into a temporary folder (a few seconds, mostly
imports); the models are random, so only shapes, token counts and plumbing are checked.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
qwen_vl_utils = pytest.importorskip("qwen_vl_utils")
Image = pytest.importorskip("PIL.Image")

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_tiny_models.py"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("drivecert_make_tiny_models", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # works without registering it in sys.modules
    return module


mtm = _load_script()

FAMILIES = list(mtm.FAMILIES)
QWEN = ["qwen2-vl", "qwen2.5-vl", "qwen3-vl"]
PATCH = {"qwen2-vl": 14, "qwen2.5-vl": 14, "qwen3-vl": 16}
QUESTION = "Should the car stop, yield or proceed? Answer yes or no."

# Image tokens measured for (width, height, small) with the default processor and with
# size={"shortest_edge": 4 * f**2, "longest_edge": 16 * f**2}, f = patch * merge (small=True).
QWEN_TOKENS: dict[str, dict[tuple[int, int, bool], int]] = {
    "qwen2-vl": {(640, 360, False): 60, (640, 360, True): 15, (100, 300, False): 44,
                 (100, 300, True): 12, (20, 20, False): 4},
    "qwen2.5-vl": {(640, 360, False): 60, (640, 360, True): 15, (100, 300, False): 44,
                   (100, 300, True): 12, (20, 20, False): 4},
    "qwen3-vl": {(640, 360, False): 60, (640, 360, True): 15, (100, 300, False): 27,
                 (100, 300, True): 12, (20, 20, False): 4},
}  # fmt: skip
LLAVA_TOKENS = 64  # (112 / 14) ** 2 patches, CLS dropped


@pytest.fixture(scope="module")
def tiny_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tiny-models")
    transformers.utils.logging.disable_progress_bar()
    for family in FAMILIES:
        mtm.build_tiny_model(family, root / family)
    return root


def _load(root: Path, family: str) -> tuple[Any, Any]:
    processor = transformers.AutoProcessor.from_pretrained(root / family)
    model = transformers.AutoModelForImageTextToText.from_pretrained(root / family).eval()
    return processor, model


def _image(width: int, height: int, seed: int = 0) -> Any:
    generator = torch.Generator().manual_seed(seed)
    pixels = torch.randint(0, 256, (height, width, 3), generator=generator, dtype=torch.uint8)
    return Image.fromarray(pixels.numpy(), "RGB")


def _messages(image: Any, text: str = QUESTION, **extra: Any) -> list[dict[str, Any]]:
    return [
        {
            "role": "user",
            "content": [{"type": "image", "image": image, **extra}, {"type": "text", "text": text}],
        }
    ]


def _image_token_id(processor: Any) -> int:
    return int(processor.tokenizer.convert_tokens_to_ids(processor.image_token))


def _small_size(family: str) -> dict[str, int]:
    factor = PATCH[family] * 2
    return {"shortest_edge": 4 * factor**2, "longest_edge": 16 * factor**2}


def _sha256s(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("family", FAMILIES)
def test_folder_is_complete_small_and_recorded(tiny_root: Path, family: str) -> None:
    folder = tiny_root / family
    names = {p.name for p in folder.iterdir()}
    expected = {"config.json", "model.safetensors", "generation_config.json", mtm.MARKER}
    expected |= {"tokenizer.json", "tokenizer_config.json", "processor_config.json"}
    expected |= {"chat_template.jinja"}
    assert expected <= names
    assert not any(name.startswith(".") for name in names)
    assert 0.3e6 < mtm.folder_size(folder) < 5e6
    marker = json.loads((folder / mtm.MARKER).read_text())
    assert marker["family"] == family
    assert marker["transformers"] == transformers.__version__
    assert isinstance(marker["seed"], int) and len(marker["config_sha256"]) == 64


@pytest.mark.parametrize("family", FAMILIES)
def test_one_image_chat_generates_greedily(tiny_root: Path, family: str) -> None:
    processor, model = _load(tiny_root, family)
    image = _image(200, 120)
    text = processor.apply_chat_template(
        _messages(image), add_generation_prompt=True, tokenize=False
    )
    assert isinstance(text, str) and QUESTION in text
    inputs = processor(text=[text], images=[image], return_tensors="pt", padding=True)
    with torch.inference_mode():
        out = model.generate(**inputs, max_new_tokens=8, do_sample=False)
        again = model.generate(**inputs, max_new_tokens=8, do_sample=False)
    new = out.shape[1] - inputs["input_ids"].shape[1]
    assert 1 <= new <= 8
    assert torch.equal(out, again)
    assert isinstance(processor.batch_decode(out[:, -new:], skip_special_tokens=True)[0], str)


@pytest.mark.parametrize("family", QWEN)
def test_qwen_vl_utils_path_with_min_max_pixels(tiny_root: Path, family: str) -> None:
    processor, model = _load(tiny_root, family)
    size = _small_size(family)
    messages = _messages(
        _image(640, 360), min_pixels=size["shortest_edge"], max_pixels=size["longest_edge"]
    )
    text = processor.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    images, videos = qwen_vl_utils.process_vision_info(messages, image_patch_size=PATCH[family])
    assert videos is None and len(images) == 1
    assert all(side % (2 * PATCH[family]) == 0 for side in images[0].size)
    inputs = processor(text=[text], images=images, return_tensors="pt", padding=True, size=size)
    grid = inputs["image_grid_thw"]
    count = int((inputs["input_ids"] == _image_token_id(processor)).sum())
    assert count == int(grid.prod()) // processor.image_processor.merge_size**2
    assert count == QWEN_TOKENS[family][(640, 360, True)]
    with torch.inference_mode():
        out = model.generate(**inputs, max_new_tokens=8, do_sample=False)
    assert 1 <= out.shape[1] - inputs["input_ids"].shape[1] <= 8


@pytest.mark.parametrize("family", FAMILIES)
def test_batch_of_two_with_left_padding(tiny_root: Path, family: str) -> None:
    processor, model = _load(tiny_root, family)
    processor.tokenizer.padding_side = "left"
    images = [_image(200, 120, seed=1), _image(120, 240, seed=2)]
    questions = ["Stop?", QUESTION + " Is the crossing clear of pedestrians and cyclists?"]
    texts = [
        processor.apply_chat_template(_messages(im, q), add_generation_prompt=True, tokenize=False)
        for im, q in zip(images, questions, strict=True)
    ]
    batch = processor(text=texts, images=images, return_tensors="pt", padding=True)
    mask = batch["attention_mask"]
    assert mask.shape[0] == 2 and int(mask[0, 0]) == 0 and bool(mask[:, -1].all())
    assert torch.equal(
        batch["input_ids"][0][mask[0] == 0],
        torch.full((int((mask[0] == 0).sum()),), processor.tokenizer.pad_token_id),
    )
    single = processor(text=texts[:1], images=images[:1], return_tensors="pt", padding=True)
    with torch.inference_mode():
        out = model.generate(**batch, max_new_tokens=8, do_sample=False)
        batch_logits = model(**batch).logits[0, -1]
        single_logits = model(**single).logits[0, -1]
    assert out.shape[0] == 2 and 1 <= out.shape[1] - batch["input_ids"].shape[1] <= 8
    # Left padding must not change what the short prompt sees.
    torch.testing.assert_close(batch_logits, single_logits, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize(("family", "case"), [(f, c) for f in QWEN for c in QWEN_TOKENS[f]])
def test_qwen_image_token_count_matches_image_processor(
    tiny_root: Path, family: str, case: tuple[int, int, bool]
) -> None:
    width, height, small = case
    processor = transformers.AutoProcessor.from_pretrained(tiny_root / family)
    image_processor = processor.image_processor
    default = image_processor.size
    size = (
        _small_size(family)
        if small
        else {"shortest_edge": default["shortest_edge"], "longest_edge": default["longest_edge"]}
    )
    text = processor.apply_chat_template(
        _messages(_image(width, height)), add_generation_prompt=True, tokenize=False
    )
    kwargs = {"size": size} if small else {}
    inputs = processor(text=[text], images=[_image(width, height)], return_tensors="pt", **kwargs)
    merge = image_processor.merge_size
    count = int((inputs["input_ids"] == _image_token_id(processor)).sum())
    patches = image_processor.get_number_of_image_patches(
        height, width, {"min_pixels": size["shortest_edge"], "max_pixels": size["longest_edge"]}
    )
    assert count == int(inputs["image_grid_thw"].prod()) // merge**2 == patches // merge**2
    assert count == QWEN_TOKENS[family][case]


@pytest.mark.parametrize("size", [(640, 360), (100, 300), (20, 20)])
def test_llava_image_token_count(tiny_root: Path, size: tuple[int, int]) -> None:
    processor, model = _load(tiny_root, "llava")
    image = _image(*size)
    text = processor.apply_chat_template(
        _messages(image), add_generation_prompt=True, tokenize=False
    )
    assert text.startswith("<s>USER: <image>\n") and text.endswith("ASSISTANT:")
    inputs = processor(text=[text], images=[image], return_tensors="pt")
    count = int((inputs["input_ids"] == model.config.image_token_id).sum())
    assert count == LLAVA_TOKENS == model.config.image_seq_length
    assert tuple(inputs["pixel_values"].shape[-2:]) == (112, 112)


@pytest.mark.parametrize("family", FAMILIES)
def test_rebuild_is_byte_identical(tiny_root: Path, family: str, tmp_path: Path) -> None:
    again = mtm.build_tiny_model(family, tmp_path / family, force=True)
    assert _sha256s(again) == _sha256s(tiny_root / family)


def test_second_call_skips_unless_forced(
    tiny_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    families = ["qwen2-vl", "llava"]
    stamps = {f: (tiny_root / f / "model.safetensors").stat().st_mtime_ns for f in families}
    mtm.main(["--out", str(tiny_root), "--families", ",".join(families)])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    assert all("up to date" in line and " MB " in line for line in lines)
    for f in families:
        assert (tiny_root / f / "model.safetensors").stat().st_mtime_ns == stamps[f]

    # --force rebuilds (here into a copy); a stale marker rebuilds too.
    mtm.main(["--out", str(tmp_path), "--families", "llava", "--force"])
    assert "built" in capsys.readouterr().out
    marker_path = tmp_path / "llava" / mtm.MARKER
    marker = json.loads(marker_path.read_text())
    marker_path.write_text(json.dumps({**marker, "seed": -1}))
    assert not mtm.is_up_to_date("llava", tmp_path / "llava")
    mtm.build_tiny_model("llava", tmp_path / "llava")
    assert json.loads(marker_path.read_text()) == marker
    assert _sha256s(tmp_path / "llava") == _sha256s(tiny_root / "llava")


def test_default_folder_and_unknown_family(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRIVECERT_CACHE", str(tmp_path))
    assert mtm.tiny_model_dir("qwen3-vl") == tmp_path / "tiny-models" / "qwen3-vl"
    monkeypatch.delenv("DRIVECERT_CACHE")
    assert (
        mtm.tiny_model_dir("llava")
        == Path.home() / ".cache" / "drivecert" / "tiny-models" / "llava"
    )
    with pytest.raises(ValueError, match="unknown family"):
        mtm.tiny_model_dir("gpt-4v")
    with pytest.raises(ValueError, match="unknown family"):
        mtm.build_tiny_model("gpt-4v", tmp_path / "x")
