"""vLLM offline backend (GPU box only): the same conversations through vLLM's chat API.

Messages are built by :func:`models._chat.openai_messages` and replies cleaned by
:func:`models._chat.clean_reply`, exactly as for the HTTP backend; the pixel limits go to
the multimodal processor. vLLM is imported only when a ``vllm:`` model is opened. vLLM
schedules a call's prompts together, so an error from it fails every query of that call:
each gets a failed :class:`Response` (they are asked again next time), nothing raises.

``answer_distribution`` asks for one token with its top :data:`TOP_LOGPROBS` log-probabilities
(the engine is opened with ``logprobs_mode="processed_logprobs"``, vLLM >= 0.10.2, so
they are taken after vLLM's own logits processing rather than raw; untested here, as vLLM
needs CUDA) and sums them as :mod:`models._answer_tokens` says:
one step only, so prefix tokens like ``"("`` and unreported tokens go to ``other``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from drivecert import AnswerKind, DrivecertError
from models._answer_tokens import NO_MASS, Masses, answer_kind, from_top_logprobs, record
from models._backend import LoadOptions
from models._chat import clean_reply, openai_messages
from models._types import AnswerDistribution, Decoding, ModelQuery, Response

MAX_IMAGES_PER_PROMPT = 8
TOP_LOGPROBS = 20


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
            logprobs_mode="processed_logprobs",
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
        sampling = self.vllm.SamplingParams(
            temperature=decoding.temperature,
            top_p=decoding.top_p,
            max_tokens=decoding.max_new_tokens,
        )
        outputs, share = self._chat(queries, decoding, sampling)
        if isinstance(outputs, BaseException):
            failed = Response.failure(self.model_id, self.revision, decoding, outputs, share)
            return [failed] * len(queries)
        settings = decoding.to_dict()
        return [
            Response(clean_reply(o.outputs[0].text), self.model_id, self.revision, settings, share)
            for o in outputs
        ]

    def answer_distribution(
        self, queries: Sequence[ModelQuery], decoding: Decoding
    ) -> list[AnswerDistribution]:
        """Each query's answer probabilities from its first token's top log-probabilities.

        If the engine raises, every query gets a failed record carrying the error.
        """
        kinds = [answer_kind(q) for q in queries]
        asked = [q for q, kind in zip(queries, kinds, strict=True) if kind is not None]
        sampling = self.vllm.SamplingParams(
            temperature=decoding.temperature,
            top_p=decoding.top_p,
            max_tokens=1,
            logprobs=TOP_LOGPROBS,
        )
        outputs, share = self._chat(asked, decoding, sampling)
        answers = iter(outputs if not isinstance(outputs, BaseException) else [])
        out = []
        for kind in kinds:
            found: Masses | BaseException = NO_MASS
            if kind is not None:
                found = (
                    outputs if isinstance(outputs, BaseException) else _masses(next(answers), kind)
                )
            out.append(record(kind, found, self.model_id, self.revision, decoding, share))
        return out

    def _chat(
        self, queries: Sequence[ModelQuery], decoding: Decoding, sampling: Any
    ) -> tuple[list[Any] | BaseException, float]:
        """vLLM's outputs for the queries (or the error it raised), and each one's time share."""
        if not queries:
            return [], 0.0
        conversations = [openai_messages(q) for q in queries]
        limits = {
            k: v
            for k, v in (("min_pixels", decoding.min_pixels), ("max_pixels", decoding.max_pixels))
            if v is not None
        }
        started = time.perf_counter()
        try:
            outputs: list[Any] | BaseException = self.llm.chat(
                conversations, sampling, use_tqdm=False, mm_processor_kwargs=limits or None
            )
        except Exception as error:  # an engine error fails the call's queries, not the run
            outputs = error
        return outputs, (time.perf_counter() - started) / len(queries)

    def close(self) -> None:
        """Drop the engine."""
        del self.llm


def _masses(output: Any, kind: AnswerKind) -> Masses:
    """Answers and ``other`` from a vLLM request output's first-step logprobs
    (``{token_id: Logprob(logprob, rank, decoded_token)}``)."""
    step = output.outputs[0].logprobs[0]
    return from_top_logprobs(((p.decoded_token or "", p.logprob) for p in step.values()), kind)
