"""Build tiny, randomly initialised vision-language checkpoints fully offline.

    .venv/bin/python scripts/make_tiny_models.py [--out DIR] [--families qwen2-vl,llava] [--force]

Each family gets a complete folder (config, safetensors weights, tokenizer, image/video
processor, chat template) that loads with ``AutoProcessor.from_pretrained(folder)`` and
``AutoModelForImageTextToText.from_pretrained(folder)`` and generates (meaningless) text from
a chat message with one image. The weights are random but deterministic: the same script
under the same torch/transformers versions writes byte-identical ``model.safetensors``.
Tests assert on shapes, token counts and plumbing, never on words.

The default output folder is ``$DRIVECERT_CACHE/tiny-models/<family>`` (``DRIVECERT_CACHE``
defaults to ``~/.cache/drivecert``). A family whose folder already holds a matching
``drivecert_tiny.json`` is skipped unless ``--force`` is given.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

#: Bumped whenever the recipe below changes, so cached folders are rebuilt.
RECIPE_VERSION = 1
MARKER = "drivecert_tiny.json"
FAMILIES: tuple[str, ...] = ("qwen2-vl", "qwen2.5-vl", "qwen3-vl", "llava")

# Text model shared by every family.
VOCAB_SIZE = 512
TEXT_HIDDEN = 64
TEXT_INTERMEDIATE = 128
TEXT_LAYERS = 2
TEXT_HEADS = 4
TEXT_KV_HEADS = 2
HEAD_DIM = TEXT_HIDDEN // TEXT_HEADS  # 16
MROPE_SECTION = [2, 3, 3]  # sums to HEAD_DIM / 2
MAX_POSITIONS = 4096

# Qwen image processors: between 4 and 64 merged image tokens per image by default.
MERGE_SIZE = 2
MIN_MERGED_TOKENS = 4
MAX_MERGED_TOKENS = 64

# LLaVA: a 112x112 CLIP input with 14-pixel patches gives 8*8 = 64 image tokens.
LLAVA_IMAGE_SIZE = 112
LLAVA_PATCH = 14

QWEN_SPECIAL_TOKENS = (
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|vision_pad|>",
    "<|image_pad|>",
    "<|video_pad|>",
)
LLAVA_SPECIAL_TOKENS = ("<unk>", "<s>", "</s>", "<pad>", "<image>")

_SEEDS = {"qwen2-vl": 2001, "qwen2.5-vl": 2501, "qwen3-vl": 3001, "llava": 1501}

# A small fixed corpus: the BPE merges depend only on this text and its order.
_CORPUS = (
    "You are a helpful assistant that answers questions about driving scenes.",
    "Should the car stop, yield or proceed at the intersection? Answer yes or no.",
    "The traffic light is red, so the vehicle must stop before the stop line.",
    "The light is green: proceed carefully if the crossing is clear.",
    "A pedestrian is crossing the road; the driver should yield and wait.",
    "Is it safe to overtake the truck on a wet road in heavy rain? No.",
    "Fog reduces visibility, slow down and keep a safe distance.",
    "Yes, the lane is clear. No, there is a cyclist on the right.",
    "Turn left at the junction after the bus has passed the stop sign.",
    "The ego vehicle approaches a roundabout at night with oncoming headlights.",
    "Stop. Yield. Proceed. Wait. Brake. Accelerate. Keep the lane. Change lanes.",
    "Describe the image. What do you see? A car, a truck, a bicycle, a child, a dog.",
    "Speed limit 30, 50, 70 and 100 km/h; the school zone starts in 200 m.",
    "Answer with one word: stop, yield, proceed, yes or no.",
    "The road is icy and snow covers the markings, so braking distances grow.",
    "An ambulance with flashing lights comes from behind: pull over and stop.",
    "system user assistant: USER: ASSISTANT: image video picture",
)


class TinyBuild(NamedTuple):
    """Everything needed to write one family's folder."""

    config: Any
    model_class: type
    processor: Any
    generation: dict[str, Any]


def cache_root() -> Path:
    """``$DRIVECERT_CACHE/tiny-models`` (``DRIVECERT_CACHE`` defaults to ``~/.cache/drivecert``)."""
    base = os.environ.get("DRIVECERT_CACHE") or str(Path.home() / ".cache" / "drivecert")
    return Path(base).expanduser() / "tiny-models"


def tiny_model_dir(family: str) -> Path:
    """The default folder of one family's tiny checkpoint (it may not be built yet)."""
    _check_family(family)
    return cache_root() / family


def _check_family(family: str) -> None:
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; expected one of {', '.join(FAMILIES)}")


# --------------------------------------------------------------------------- tokenizers


def _byte_level(vocab: dict[str, int] | None = None, merges: list[Any] | None = None) -> Any:
    """A ``tokenizers`` BPE with Qwen2's pre-tokenisation (regex split + byte level)."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
    from transformers.models.qwen2.tokenization_qwen2 import PRETOKENIZE_REGEX

    bpe = models.BPE() if vocab is None else models.BPE(vocab=vocab, merges=merges)
    tok = Tokenizer(bpe)
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(PRETOKENIZE_REGEX), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tok.decoder = decoders.ByteLevel()
    return tok


def _train_bpe(special_tokens: tuple[str, ...]) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Train a byte-level BPE of ``VOCAB_SIZE`` tokens (specials first) on the fixed corpus."""
    from tokenizers import pre_tokenizers, trainers

    tok = _byte_level()
    trainer = trainers.BpeTrainer(
        vocab_size=VOCAB_SIZE,
        min_frequency=1,
        special_tokens=list(special_tokens),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(list(_CORPUS) * 4, trainer=trainer)
    state = json.loads(tok.to_str())["model"]
    merges = [tuple(m.split(" ", 1)) if isinstance(m, str) else tuple(m) for m in state["merges"]]
    return state["vocab"], merges


def _qwen_tokenizer() -> Any:
    """A Qwen2Tokenizer on the tiny BPE with the Qwen(-VL) special tokens."""
    from transformers import Qwen2Tokenizer

    vocab, merges = _train_bpe(QWEN_SPECIAL_TOKENS)
    return Qwen2Tokenizer(
        vocab=vocab,
        merges=merges,
        unk_token=None,
        bos_token=None,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        extra_special_tokens=list(QWEN_SPECIAL_TOKENS[1:]),
        model_max_length=MAX_POSITIONS,
    )


def _llava_tokenizer() -> Any:
    """A generic fast tokenizer on the tiny BPE with llama-style specials and ``<image>``."""
    from tokenizers import AddedToken
    from transformers import PreTrainedTokenizerFast

    tok = _byte_level(*_train_bpe(LLAVA_SPECIAL_TOKENS))
    tok.add_special_tokens(
        [AddedToken(t, special=True, normalized=False) for t in LLAVA_SPECIAL_TOKENS]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="<unk>",
        bos_token="<s>",
        eos_token="</s>",
        pad_token="<pad>",
        extra_special_tokens=["<image>"],
        model_max_length=MAX_POSITIONS,
    )


# --------------------------------------------------------------------------- chat templates


def _qwen_chat_template(default_system: str | None) -> str:
    """A Qwen-VL ChatML template; images and videos become vision_start/pad/end triples."""
    system = (
        "{% if loop.first and message['role'] != 'system' %}"
        "<|im_start|>system\n" + default_system + "<|im_end|>\n"
        "{% endif %}"
        if default_system
        else ""
    )
    return (
        "{% set image_count = namespace(value=0) %}"
        "{% set video_count = namespace(value=0) %}"
        "{% for message in messages %}" + system + "<|im_start|>{{ message['role'] }}\n"
        "{% if message['content'] is string %}"
        "{{ message['content'] }}"
        "{% else %}"
        "{% for content in message['content'] %}"
        "{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}"
        "{% set image_count.value = image_count.value + 1 %}"
        "{% if add_vision_id %}Picture {{ image_count.value }}: {% endif %}"
        "<|vision_start|><|image_pad|><|vision_end|>"
        "{% elif content['type'] == 'video' or 'video' in content %}"
        "{% set video_count.value = video_count.value + 1 %}"
        "{% if add_vision_id %}Video {{ video_count.value }}: {% endif %}"
        "<|vision_start|><|video_pad|><|vision_end|>"
        "{% elif 'text' in content %}"
        "{{ content['text'] }}"
        "{% endif %}"
        "{% endfor %}"
        "{% endif %}"
        "<|im_end|>\n"
        "{% endfor %}"
        "{% if add_generation_prompt %}"
        "<|im_start|>assistant\n"
        "{% endif %}"
    )


# LLaVA-1.5 style: "USER: <image>\n{text} ASSISTANT:".
LLAVA_CHAT_TEMPLATE = (
    "{{ bos_token }}"
    "{% for message in messages %}"
    "{% if message['role'] == 'system' %}"
    "{% if message['content'] is string %}{{ message['content'] + ' ' }}"
    "{% else %}{% for c in message['content'] if c['type'] == 'text' %}{{ c['text'] + ' ' }}"
    "{% endfor %}{% endif %}"
    "{% else %}"
    "{{ message['role'].upper() + ': ' }}"
    "{% if message['content'] is string %}{{ message['content'] + ' ' }}"
    "{% else %}"
    "{% for c in message['content'] if c['type'] == 'image' or 'image' in c %}{{ '<image>\n' }}"
    "{% endfor %}"
    "{% for c in message['content'] if c['type'] == 'text' %}{{ c['text'] + ' ' }}{% endfor %}"
    "{% endif %}"
    "{% if message['role'] == 'assistant' %}{{ eos_token }}{% endif %}"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}ASSISTANT:{% endif %}"
)


# --------------------------------------------------------------------------- families


def _qwen_text(tokenizer: Any, **extra: Any) -> dict[str, Any]:
    """Text-model fields shared by the three Qwen families."""
    return {
        "vocab_size": VOCAB_SIZE,
        "hidden_size": TEXT_HIDDEN,
        "intermediate_size": TEXT_INTERMEDIATE,
        "num_hidden_layers": TEXT_LAYERS,
        "num_attention_heads": TEXT_HEADS,
        "num_key_value_heads": TEXT_KV_HEADS,
        "max_position_embeddings": MAX_POSITIONS,
        "bos_token_id": tokenizer.convert_tokens_to_ids("<|endoftext|>"),
        "eos_token_id": tokenizer.convert_tokens_to_ids("<|im_end|>"),
        "pad_token_id": tokenizer.pad_token_id,
        **extra,
    }


def _qwen_token_ids(tokenizer: Any) -> dict[str, int]:
    ids = tokenizer.convert_tokens_to_ids
    return {
        "image_token_id": ids("<|image_pad|>"),
        "video_token_id": ids("<|video_pad|>"),
        "vision_start_token_id": ids("<|vision_start|>"),
        "vision_end_token_id": ids("<|vision_end|>"),
    }


def _qwen_generation(tokenizer: Any) -> dict[str, Any]:
    ids = tokenizer.convert_tokens_to_ids
    return {
        "bos_token_id": ids("<|endoftext|>"),
        "eos_token_id": [ids("<|im_end|>"), ids("<|endoftext|>")],
        "pad_token_id": tokenizer.pad_token_id,
        "do_sample": False,
        # A random model must not emit vision placeholders: re-fed text would break.
        "suppress_tokens": [ids(t) for t in QWEN_SPECIAL_TOKENS[3:]] + [ids("<|im_start|>")],
    }


def _qwen_processor(
    processor_cls: type,
    video_cls: type,
    tokenizer: Any,
    patch: int,
    template: str,
    qwen3_video: bool = False,
    **norm: Any,
) -> Any:
    """Image processor, video processor and tokenizer for a Qwen-VL family."""
    from transformers import Qwen2VLImageProcessor

    factor = patch * MERGE_SIZE
    size = {
        "shortest_edge": MIN_MERGED_TOKENS * factor * factor,
        "longest_edge": MAX_MERGED_TOKENS * factor * factor,
    }
    common = {"patch_size": patch, "merge_size": MERGE_SIZE, "temporal_patch_size": 2, **norm}
    image_processor = Qwen2VLImageProcessor(size=size, **common)
    # Videos are bounded the qwen-vl-utils way (cap_pixels_per_frame, which also silences a
    # transformers warning). Qwen2/2.5-VL: longest_edge caps each frame, max_video_tokens is
    # the context budget; Qwen3-VL: longest_edge is the whole video's budget and
    # max_video_tokens a per-frame ceiling.
    if qwen3_video:
        video_size = {
            "shortest_edge": size["shortest_edge"],
            "longest_edge": 16 * size["longest_edge"],
        }
        video_budget = MAX_MERGED_TOKENS
    else:
        video_size, video_budget = dict(size), MAX_POSITIONS
    video_processor = video_cls(
        size=video_size, cap_pixels_per_frame=True, max_video_tokens=video_budget, **common
    )
    return processor_cls(
        image_processor=image_processor,
        tokenizer=tokenizer,
        video_processor=video_processor,
        chat_template=template,
    )


def _build_qwen2_vl() -> TinyBuild:
    from transformers import (
        Qwen2VLConfig,
        Qwen2VLForConditionalGeneration,
        Qwen2VLProcessor,
        Qwen2VLVideoProcessor,
    )

    tokenizer = _qwen_tokenizer()
    rope = {"rope_type": "default", "rope_theta": 1_000_000.0, "mrope_section": MROPE_SECTION}
    config = Qwen2VLConfig(
        text_config=_qwen_text(tokenizer, rope_parameters=rope, max_window_layers=TEXT_LAYERS),
        vision_config={
            "depth": 1,
            "embed_dim": 32,
            "hidden_size": TEXT_HIDDEN,
            "num_heads": 2,
            "mlp_ratio": 2,
            "patch_size": 14,
            "spatial_merge_size": MERGE_SIZE,
            "temporal_patch_size": 2,
        },
        tie_word_embeddings=False,
        **_qwen_token_ids(tokenizer),
    )
    processor = _qwen_processor(
        Qwen2VLProcessor,
        Qwen2VLVideoProcessor,
        tokenizer,
        14,
        _qwen_chat_template("You are a helpful assistant."),
    )
    return TinyBuild(
        config, Qwen2VLForConditionalGeneration, processor, _qwen_generation(tokenizer)
    )


def _build_qwen2_5_vl() -> TinyBuild:
    from transformers import (
        Qwen2_5_VLConfig,
        Qwen2_5_VLForConditionalGeneration,
        Qwen2_5_VLProcessor,
        Qwen2VLVideoProcessor,
    )

    tokenizer = _qwen_tokenizer()
    rope = {"rope_type": "default", "rope_theta": 1_000_000.0, "mrope_section": MROPE_SECTION}
    config = Qwen2_5_VLConfig(
        text_config=_qwen_text(tokenizer, rope_parameters=rope, max_window_layers=TEXT_LAYERS),
        vision_config={
            "depth": 2,
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_heads": 2,
            "out_hidden_size": TEXT_HIDDEN,
            "patch_size": 14,
            "spatial_merge_size": MERGE_SIZE,
            "temporal_patch_size": 2,
            "window_size": 56,
            "fullatt_block_indexes": [1],
            "tokens_per_second": 2,
        },
        tie_word_embeddings=False,
        **_qwen_token_ids(tokenizer),
    )
    processor = _qwen_processor(
        Qwen2_5_VLProcessor,
        Qwen2VLVideoProcessor,
        tokenizer,
        14,
        _qwen_chat_template("You are a helpful assistant."),
    )
    return TinyBuild(
        config, Qwen2_5_VLForConditionalGeneration, processor, _qwen_generation(tokenizer)
    )


def _build_qwen3_vl() -> TinyBuild:
    from transformers import (
        Qwen3VLConfig,
        Qwen3VLForConditionalGeneration,
        Qwen3VLProcessor,
        Qwen3VLVideoProcessor,
    )

    tokenizer = _qwen_tokenizer()
    rope = {
        "rope_type": "default",
        "rope_theta": 5_000_000.0,
        "mrope_section": MROPE_SECTION,
        "mrope_interleaved": True,
    }
    config = Qwen3VLConfig(
        text_config=_qwen_text(tokenizer, head_dim=HEAD_DIM, rope_parameters=rope),
        vision_config={
            "depth": 2,
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_heads": 2,
            "out_hidden_size": TEXT_HIDDEN,
            "patch_size": 16,
            "spatial_merge_size": MERGE_SIZE,
            "temporal_patch_size": 2,
            "num_position_embeddings": 64,
            "deepstack_visual_indexes": [0],
        },
        tie_word_embeddings=False,
        **_qwen_token_ids(tokenizer),
    )
    processor = _qwen_processor(
        Qwen3VLProcessor,
        Qwen3VLVideoProcessor,
        tokenizer,
        16,
        _qwen_chat_template(None),
        qwen3_video=True,
        image_mean=[0.5, 0.5, 0.5],
        image_std=[0.5, 0.5, 0.5],
    )
    return TinyBuild(
        config, Qwen3VLForConditionalGeneration, processor, _qwen_generation(tokenizer)
    )


def _build_llava() -> TinyBuild:
    from transformers import (
        CLIPImageProcessor,
        CLIPVisionConfig,
        LlamaConfig,
        LlavaConfig,
        LlavaForConditionalGeneration,
        LlavaProcessor,
    )

    tokenizer = _llava_tokenizer()
    ids = tokenizer.convert_tokens_to_ids
    grid = LLAVA_IMAGE_SIZE // LLAVA_PATCH
    config = LlavaConfig(
        vision_config=CLIPVisionConfig(
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=2,
            image_size=LLAVA_IMAGE_SIZE,
            patch_size=LLAVA_PATCH,
            projection_dim=32,
        ),
        text_config=LlamaConfig(
            vocab_size=VOCAB_SIZE,
            hidden_size=TEXT_HIDDEN,
            intermediate_size=TEXT_INTERMEDIATE,
            num_hidden_layers=TEXT_LAYERS,
            num_attention_heads=TEXT_HEADS,
            num_key_value_heads=TEXT_KV_HEADS,
            max_position_embeddings=MAX_POSITIONS,
            bos_token_id=ids("<s>"),
            eos_token_id=ids("</s>"),
            pad_token_id=ids("<pad>"),
        ),
        image_token_index=ids("<image>"),
        image_seq_length=grid * grid,
        vision_feature_layer=-2,
        vision_feature_select_strategy="default",
        projector_hidden_act="gelu",
        tie_word_embeddings=False,
    )
    image_processor = CLIPImageProcessor(
        size={"shortest_edge": LLAVA_IMAGE_SIZE},
        crop_size={"height": LLAVA_IMAGE_SIZE, "width": LLAVA_IMAGE_SIZE},
    )
    processor = LlavaProcessor(
        image_processor=image_processor,
        tokenizer=tokenizer,
        patch_size=LLAVA_PATCH,
        vision_feature_select_strategy="default",
        num_additional_image_tokens=1,  # CLIP's CLS token, dropped by the "default" strategy
        chat_template=LLAVA_CHAT_TEMPLATE,
    )
    generation = {
        "bos_token_id": ids("<s>"),
        "eos_token_id": ids("</s>"),
        "pad_token_id": ids("<pad>"),
        "do_sample": False,
        "suppress_tokens": [ids("<image>"), ids("<s>"), ids("<pad>"), ids("<unk>")],
    }
    return TinyBuild(config, LlavaForConditionalGeneration, processor, generation)


_BUILDERS: dict[str, Callable[[], TinyBuild]] = {
    "qwen2-vl": _build_qwen2_vl,
    "qwen2.5-vl": _build_qwen2_5_vl,
    "qwen3-vl": _build_qwen3_vl,
    "llava": _build_llava,
}


# --------------------------------------------------------------------------- building


def _config_hash(config: Any) -> str:
    """SHA-256 of the config as sorted JSON, without the transformers version."""
    data = config.to_dict()
    data.pop("transformers_version", None)
    blob = json.dumps(data, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()


def _marker(family: str, config: Any) -> dict[str, Any]:
    import torch
    import transformers

    return {
        "family": family,
        "seed": _SEEDS[family],
        "recipe_version": RECIPE_VERSION,
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "config_sha256": _config_hash(config),
    }


def _read_marker(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / MARKER).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write(family: str, spec: TinyBuild, marker: dict[str, Any], folder: Path) -> None:
    """Initialise the weights under the family's seed and save everything into ``folder``."""
    import torch
    from transformers import GenerationConfig

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(_SEEDS[family])
        model = spec.model_class(spec.config).eval()
    model.generation_config = GenerationConfig(**spec.generation)
    model.save_pretrained(folder)
    spec.processor.save_pretrained(folder)
    (folder / MARKER).write_text(json.dumps(marker, indent=2, sort_keys=True) + "\n")


def is_up_to_date(family: str, out: Path, marker: dict[str, Any] | None = None) -> bool:
    """Whether ``out`` holds a checkpoint of ``family`` built by the current recipe."""
    if marker is None:
        marker = _marker(family, _BUILDERS[family]().config)
    return (Path(out) / "model.safetensors").is_file() and _read_marker(Path(out)) == marker


def build_tiny_model(family: str, out: Path, force: bool = False) -> Path:
    """Build ``family``'s tiny checkpoint into ``out`` (a folder) and return ``out``.

    Skips the work when ``out`` already holds a matching ``drivecert_tiny.json`` unless
    ``force``. The folder is written beside ``out`` first and moved into place at the end,
    so a crash or a concurrent builder never leaves a half-written checkpoint.
    """
    return _ensure(family, Path(out), force)[0]


def _ensure(family: str, out: Path, force: bool) -> tuple[Path, bool]:
    """``build_tiny_model`` that also tells whether it built (True) or skipped (False)."""
    _check_family(family)
    spec = _BUILDERS[family]()
    marker = _marker(family, spec.config)  # before the model exists: it edits its config
    if not force and is_up_to_date(family, out, marker):
        return out, False
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        tmp.chmod(0o755)
        _write(family, spec, marker, tmp)
        if out.exists():
            shutil.rmtree(out, ignore_errors=True)
        try:
            tmp.rename(out)
        except OSError:
            # A concurrent builder (e.g. another pytest-xdist worker) got there first.
            if not is_up_to_date(family, out, marker):
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out, True


def folder_size(folder: Path) -> int:
    """Total bytes of the files in ``folder``."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> None:
    """Command line: build the requested families and print one line per family."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None, help="output folder (one per family)")
    parser.add_argument("--families", default=",".join(FAMILIES), help="comma-separated list")
    parser.add_argument("--force", action="store_true", help="rebuild even when up to date")
    args = parser.parse_args(argv)
    root = args.out if args.out is not None else cache_root()
    families = [f.strip() for f in args.families.split(",") if f.strip()]
    unknown = sorted(set(families) - set(FAMILIES))
    if unknown:
        parser.error(
            f"unknown families {', '.join(unknown)}; expected some of {', '.join(FAMILIES)}"
        )

    # Shared imports happen before the clock starts, so the times below are the builds alone.
    import transformers
    import transformers.modeling_utils
    import transformers.processing_utils

    transformers.utils.logging.disable_progress_bar()
    for family in families:
        folder = root / family
        start = time.perf_counter()
        _, built = _ensure(family, folder, args.force)
        elapsed = time.perf_counter() - start
        state = "built" if built else "up to date"
        print(f"{family:11} {folder}  {folder_size(folder) / 1e6:.2f} MB  {elapsed:.2f} s  {state}")


if __name__ == "__main__":
    main()
