"""vLLM offline backend (GPU box only): the same conversations through vLLM's chat API.

Messages are built by :func:`models._chat.openai_messages` and replies cleaned by
:func:`models._chat.clean_reply`, exactly as for the HTTP backend; the pixel limits go to
the multimodal processor. vLLM is imported only when a ``vllm:`` model is opened. vLLM
schedules a call's prompts together, so an error from it fails every query of that call:
each gets a failed :class:`Response` (they are asked again next time), nothing raises.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from drivecert import DrivecertError
from models._backend import LoadOptions
from models._chat import clean_reply, openai_messages
from models._types import Decoding, ModelQuery, Response

MAX_IMAGES_PER_PROMPT = 8


def import_vllm() -> Any:
    """The vllm module, or a one-line error saying how to get it."""
    try:
        import vllm
    except ImportError:
        raise DrivecertError(
            "the vllm backend needs vLLM, which runs on CUDA GPUs only: "
            "pip install 'drivecert[vllm]' on a GPU box, or use hf: or openai: here"
        ) from None
    return vllm


class VLLMModel:
    """A VLM served in-process by vLLM."""

    def __init__(self, source: str, options: LoadOptions) -> None:
        self.vllm = import_vllm()
        self._model_id = source
        self.options = options
        self.llm = self.vllm.LLM(
            model=source,
            limit_mm_per_prompt={"image": MAX_IMAGES_PER_PROMPT},
            max_num_seqs=options.batch_size,
        )
        config = self.llm.llm_engine.model_config
        self._revision = str(getattr(config, "revision", None) or "unknown")

    @property
    def model_id(self) -> str:
        """The hub id or folder vLLM loaded."""
        return self._model_id

    @property
    def revision(self) -> str:
        """The revision vLLM resolved, or ``unknown``."""
        return self._revision

    def generate(self, queries: Sequence[ModelQuery], decoding: Decoding) -> list[Response]:
        """Answer all queries in one vLLM call (vLLM batches them itself).

        If the call raises, every query gets a failed response carrying the error.
        """
        if not queries:
            return []
        conversations = [openai_messages(q) for q in queries]
        sampling = self.vllm.SamplingParams(
            temperature=decoding.temperature, max_tokens=decoding.max_new_tokens
        )
        limits = {
            k: v
            for k, v in (("min_pixels", decoding.min_pixels), ("max_pixels", decoding.max_pixels))
            if v is not None
        }
        started = time.perf_counter()
        try:
            outputs = self.llm.chat(
                conversations, sampling, use_tqdm=False, mm_processor_kwargs=limits or None
            )
        except Exception as error:  # an engine error fails the call's queries, not the run
            share = (time.perf_counter() - started) / len(queries)
            failed = Response.failure(self.model_id, self.revision, decoding, error, share)
            return [failed] * len(queries)
        share = (time.perf_counter() - started) / len(queries)
        settings = decoding.to_dict()
        return [
            Response(clean_reply(o.outputs[0].text), self.model_id, self.revision, settings, share)
            for o in outputs
        ]

    def close(self) -> None:
        """Drop the engine."""
        del self.llm
