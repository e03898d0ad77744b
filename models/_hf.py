"""Hugging Face transformers backend: Qwen-VL through qwen_vl_utils, other VLMs generically.

- Qwen2-VL, Qwen2.5-VL and Qwen3-VL: ``AutoProcessor`` + ``AutoModelForImageTextToText``,
  with every image resized as ``qwen_vl_utils.process_vision_info`` does (its
  ``smart_resize`` within the min/max pixel limits, then PIL's default resampling), so the
  image-token count follows the limits. A batch's images are resized in parallel threads.
- LLaVA-1.5, LLaVA-OneVision, InternVL, Idefics3/SmolVLM, Gemma 3 and other chat-template
  VLMs: the processor's chat template and its own image preprocessing (fixed-resolution
  processors ignore the pixel limits).
- Batches are left-padded and generated together; greedy unless a temperature is set.
- bf16 on GPU, fp32 on CPU; ``device_map="auto"`` across several GPUs; flash-attention 2
  when the ``flash_attn`` package is there, else SDPA (said once).
- On CUDA out-of-memory the batch is halved and retried, and that is said once.
- Any other error while preparing or generating a batch: its queries are retried one at
  a time, and each one that still fails gets a failed response (the rest are answered).
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PIL import Image

from drivecert import DrivecertError, one_line
from models._backend import LoadOptions
from models._chat import clean_reply, hf_messages
from models._hf_answers import AnswerReader
from models._hf_load import folder_fingerprint, load_checkpoint, placement
from models._tree_types import ReplyTree, TreeBudget
from models._types import AnswerDistribution, Decoding, ImageRef, ModelQuery, Response

if TYPE_CHECKING:
    from models._hf_tree import TreeReader

QWEN_TYPES = frozenset({"qwen2_vl", "qwen2_5_vl", "qwen3_vl", "qwen3_vl_moe"})


@dataclass(frozen=True)
class Generation:
    """One query's generated tokens, for tests and benchmarks.

    Attributes:
        tokens: the new token ids.
        text: their decoding.
        first_logits: the logits of the first new token (a list of floats), when asked.
        image_tokens: image placeholder tokens in the prompt.
        latency_s: its share of its batch's wall time (preprocessing and generation).
        error: one line when this query failed (then there are no tokens), else None.
    """

    tokens: tuple[int, ...]
    text: str
    first_logits: tuple[float, ...] | None
    image_tokens: int
    latency_s: float = 0.0
    error: str | None = None


class TransformersModel:
    """A VLM loaded with transformers, answering batches of queries."""

    def __init__(self, source: str, options: LoadOptions) -> None:
        self.processor: Any
        self.model: Any
        self.source = source
        self.options = options
        self.batch_size = options.batch_size
        self._oom_reported = False
        # PIL resizing releases the GIL: a batch's images are resized side by side
        self._resizer = ThreadPoolExecutor(max_workers=max(1, min(8, os.cpu_count() or 1)))
        folder = Path(source).expanduser()
        is_folder = folder.is_dir()
        self.device, kwargs = placement(options)
        self.processor, self.model = load_checkpoint(
            str(folder) if is_folder else source, is_folder, kwargs
        )
        if "device_map" not in kwargs:
            self.model.to(self.device)
        self.model.eval()
        self.processor.tokenizer.padding_side = "left"
        if self.processor.tokenizer.pad_token is None:
            self.processor.tokenizer.pad_token = self.processor.tokenizer.eos_token
        self.model_type = str(self.model.config.model_type)
        self.is_qwen = self.model_type in QWEN_TYPES
        self._model_id = source if not is_folder else str(folder.resolve())
        commit = getattr(self.model.config, "_commit_hash", None)
        self._revision = folder_fingerprint(folder) if is_folder else str(commit or "unknown")
        image_processor = getattr(self.processor, "image_processor", None)
        self.patch_size = int(getattr(image_processor, "patch_size", 14) or 14)
        self.image_token_id = getattr(self.model.config, "image_token_id", None) or getattr(
            self.model.config, "image_token_index", None
        )
        self._reader: AnswerReader | None = None
        self._trees: TreeReader | None = None

    @property
    def model_id(self) -> str:
        """The hub id, or the folder's absolute path."""
        return self._model_id

    @property
    def revision(self) -> str:
        """The hub commit hash, or a content fingerprint of the folder."""
        return self._revision

    def pixel_limits(self, decoding: Decoding) -> tuple[int | None, int | None]:
        """The min/max pixels in force: the decoding's, else the processor's own."""
        size: Any = getattr(getattr(self.processor, "image_processor", None), "size", None)

        def own(name: str) -> int | None:
            value = size.get(name) if isinstance(size, dict) else getattr(size, name, None)
            return int(value) if value is not None else None

        low = decoding.min_pixels if decoding.min_pixels is not None else own("shortest_edge")
        high = decoding.max_pixels if decoding.max_pixels is not None else own("longest_edge")
        return low, high

    def qwen_resize(self, image: Image.Image, low: int | None, high: int | None) -> Image.Image:
        """qwen_vl_utils' resize, bit for bit: smart_resize to multiples of patch x merge within
        [low, high] pixels, then PIL's default resampling (without copying RGB images)."""
        from qwen_vl_utils import smart_resize
        from qwen_vl_utils.vision_process import to_rgb

        height, width = smart_resize(
            image.height, image.width, factor=self.patch_size * 2, min_pixels=low, max_pixels=high
        )
        rgb = image if image.mode == "RGB" else to_rgb(image)
        return rgb.resize((width, height))

    def prepare(self, queries: Sequence[ModelQuery], decoding: Decoding) -> Any:
        """Tokenised, left-padded model inputs for a batch."""
        low, high = self.pixel_limits(decoding) if self.is_qwen else (None, None)
        conversations = [hf_messages(q) for q in queries]
        texts = [
            self.processor.apply_chat_template(c, tokenize=False, add_generation_prompt=True)
            for c in conversations
        ]
        kwargs: dict[str, Any] = {"text": texts, "padding": True, "return_tensors": "pt"}
        if self.is_qwen:
            originals = _images(queries)

            def resize(image: Image.Image) -> Image.Image:
                return self.qwen_resize(image, low, high)

            if len(originals) > 1:
                images = list(self._resizer.map(resize, originals))
            else:
                images = [resize(image) for image in originals]
            if images:
                kwargs["images"] = images
                kwargs["size"] = {"shortest_edge": low, "longest_edge": high}
        elif any(q.images for q in queries):
            kwargs["images"] = [list(q.images) for q in queries]
        return self.processor(**kwargs).to(self.model.device)

    def generate_detailed(
        self, queries: Sequence[ModelQuery], decoding: Decoding, first_logits: bool = False
    ) -> list[Generation]:
        """Generate ``batch_size`` queries at a time, halving it on CUDA out-of-memory.

        Any other error in a batch sends its queries one at a time; a query that still
        fails gets a :class:`Generation` with ``error`` set instead of tokens.
        """
        out: list[Generation] = []
        start = 0
        while start < len(queries):
            chunk = queries[start : start + self.batch_size]
            began = time.perf_counter()
            try:
                batch = self._generate_batch(self.prepare(chunk, decoding), decoding, first_logits)
            except Exception as error:  # torch.OutOfMemoryError, without importing torch here
                if _out_of_memory(error):
                    if self.batch_size == 1:
                        raise
                    self._out_of_memory()
                    continue
                batch = self._one_at_a_time(chunk, decoding, first_logits, error)
            share = (time.perf_counter() - began) / len(chunk)
            out += [replace(g, latency_s=share) for g in batch]
            start += len(chunk)
        return out

    def _one_at_a_time(
        self,
        chunk: Sequence[ModelQuery],
        decoding: Decoding,
        first_logits: bool,
        error: Exception,
    ) -> list[Generation]:
        """Each query of a failed batch on its own; those that fail again get ``error``."""
        if len(chunk) == 1:
            return [_failed(error)]
        out = []
        for query in chunk:
            try:
                inputs = self.prepare([query], decoding)
                out += self._generate_batch(inputs, decoding, first_logits)
            except Exception as again:
                if _out_of_memory(again):
                    self._release()
                out.append(_failed(again))
        return out

    def _out_of_memory(self) -> None:
        """Free what can be freed, halve the batch size and say so once per model."""
        self._release()
        if not self._oom_reported:
            self._oom_reported = True
            warnings.warn(
                f"CUDA out of memory at batch size {self.batch_size}; halving it and "
                "retrying until it fits (the batch size stays reduced)",
                RuntimeWarning,
                stacklevel=3,
            )
        self.batch_size = max(1, self.batch_size // 2)

    def _generate_batch(
        self, inputs: Any, decoding: Decoding, first_logits: bool
    ) -> list[Generation]:
        import torch

        settings: dict[str, Any] = {
            "max_new_tokens": decoding.max_new_tokens,
            "do_sample": not decoding.greedy,
            "return_dict_in_generate": True,
            "output_logits": first_logits,
            "pad_token_id": self.processor.tokenizer.pad_token_id,
        }
        if not decoding.greedy:  # exactly the decoding's sampling, not the checkpoint's top-k/p
            settings.update(temperature=decoding.temperature, top_k=0, top_p=decoding.top_p)
        with torch.inference_mode():
            result: Any = self.model.generate(**inputs, **settings)
        prompt = inputs["input_ids"].shape[1]
        new = result.sequences[:, prompt:]
        texts = self.processor.batch_decode(new, skip_special_tokens=True)
        pad = self.processor.tokenizer.pad_token_id
        eos = {self.processor.tokenizer.eos_token_id, *_eos_ids(self.model)}
        generations = []
        for row, text in enumerate(texts):
            tokens = [int(t) for t in new[row].tolist()]
            while tokens and tokens[-1] == pad and pad not in eos:
                tokens.pop()
            logits = (
                tuple(float(v) for v in result.logits[0][row].float().tolist())
                if first_logits
                else None
            )
            images = (
                int((inputs["input_ids"][row] == self.image_token_id).sum())
                if self.image_token_id is not None
                else 0
            )
            generations.append(Generation(tuple(tokens), clean_reply(text), logits, images))
        return generations

    def generate(self, queries: Sequence[ModelQuery], decoding: Decoding) -> list[Response]:
        """Answer ``queries``; each response carries its share of the batch's wall time.

        A query that fails on its own gets a failed response; the others are answered.
        """
        settings = decoding.to_dict()
        return [
            Response(g.text, self.model_id, self.revision, settings, g.latency_s)
            if g.error is None
            else Response.failure(self.model_id, self.revision, settings, g.error, g.latency_s)
            for g in self.generate_detailed(queries, decoding)
        ]

    def answer_distribution(
        self, queries: Sequence[ModelQuery], decoding: Decoding
    ) -> list[AnswerDistribution]:
        """Each query's answer probabilities from its next-token logits (models._hf_answers)."""
        if self._reader is None:
            self._reader = AnswerReader(self)
        return self._reader.read(queries, decoding)

    def reply_tree(
        self, queries: Sequence[ModelQuery], decoding: Decoding, budget: TreeBudget
    ) -> list[ReplyTree]:
        """Each query's reply tree: its likeliest replies, exactly scored (models._hf_tree)."""
        from models._hf_tree import TreeReader

        if self._trees is None:
            self._trees = TreeReader(self)
        return self._trees.read(queries, decoding, budget)

    def _release(self) -> None:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()

    def close(self) -> None:
        """Drop the weights and free GPU memory."""
        self._resizer.shutdown()
        del self.model
        self._release()


def _out_of_memory(error: BaseException) -> bool:
    """Whether ``error`` is torch's CUDA out-of-memory (without importing torch here)."""
    return type(error).__name__ == "OutOfMemoryError"


def _failed(error: BaseException) -> Generation:
    """The generation of a query that failed: no tokens, and why."""
    return Generation((), "", None, 0, error=one_line(error))


def _images(queries: Sequence[ModelQuery]) -> list[Image.Image]:
    """Every image in message order, query by query (the order the chat templates place them)."""
    return [
        query.images[part.index]
        for query in queries
        for message in query.messages
        for part in message.parts
        if isinstance(part, ImageRef)
    ]


def _eos_ids(model: Any) -> list[int]:
    value = getattr(model.generation_config, "eos_token_id", None)
    if value is None:
        return []
    return [int(v) for v in value] if isinstance(value, list) else [int(value)]


def open_transformers(source: str, options: LoadOptions) -> TransformersModel:
    """Load ``source`` (hub id or folder), with the import error made one line."""
    try:
        return TransformersModel(source, options)
    except ImportError as error:
        raise DrivecertError(
            f"the transformers backend needs torch and transformers: {error}; "
            "run bash scripts/setup.sh"
        ) from None
