"""``vllm:ORG/NAME``: a VLM through vLLM's offline engine (GPU box only)."""

from models._backend import BACKENDS, BackendKind, LoadOptions, ModelBackend


def _open(rest: str, options: LoadOptions) -> ModelBackend:
    from models._vllm import VLLMModel

    return VLLMModel(rest, options)


BACKENDS.register("vllm", BackendKind("vllm", "vllm:ORG/NAME (GPU box)", _open, distributions=True))
