"""The vLLM backend's handling of engine errors, on a fake engine (vLLM needs a GPU)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from PIL import Image

from models import Decoding, LoadOptions, ModelQuery
from models._vllm import VLLMModel


class FakeLLM:
    """Answers "No." to every conversation, or raises ``error`` when given one."""

    def __init__(self, error: Exception | None = None) -> None:
        self.error = error
        self.calls = 0

    def chat(self, conversations: list[Any], sampling: Any, **kwargs: Any) -> list[Any]:
        self.calls += 1
        if self.error is not None:
            raise self.error
        return [SimpleNamespace(outputs=[SimpleNamespace(text=" No. ")]) for _ in conversations]


def fake_model(llm: FakeLLM) -> VLLMModel:
    """A VLLMModel around a fake engine (the constructor would load vLLM)."""
    model = VLLMModel.__new__(VLLMModel)
    model.vllm = SimpleNamespace(SamplingParams=lambda **kwargs: kwargs)
    model.llm = llm
    model.options = LoadOptions()
    model._model_id = "Qwen/Qwen2.5-VL-7B-Instruct"
    model._revision = "abc123"
    return model


def batch(n: int) -> list[ModelQuery]:
    return [ModelQuery.ask([Image.new("RGB", (4, 4))], f"Question {i}?") for i in range(n)]


def test_answers_come_back_cleaned_in_order() -> None:
    responses = fake_model(FakeLLM()).generate(batch(3), Decoding())
    assert [r.text for r in responses] == ["No."] * 3 and all(r.ok for r in responses)
    assert responses[0].revision == "abc123"


def test_an_engine_error_fails_every_query_of_the_call() -> None:
    llm = FakeLLM(RuntimeError("CUDA error: an illegal memory access\nstack ..."))
    responses = fake_model(llm).generate(batch(4), Decoding(max_new_tokens=5))
    assert [r.status for r in responses] == ["failed"] * 4 and llm.calls == 1
    assert responses[0].error == "RuntimeError: CUDA error: an illegal memory access"
    assert responses[0].decoding["max_new_tokens"] == 5
    assert fake_model(llm).generate([], Decoding()) == [] and llm.calls == 1
