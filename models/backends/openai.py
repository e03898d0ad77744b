"""``openai:MODEL@BASE_URL``: any OpenAI-compatible chat-completions server."""

from models._backend import BACKENDS, BackendKind, LoadOptions, ModelBackend


def _open(rest: str, options: LoadOptions) -> ModelBackend:
    from models._openai import OpenAIModel

    return OpenAIModel(rest, options)


def _check(rest: str) -> object:
    from models._openai import parse_openai

    return parse_openai(rest)


BACKENDS.register(
    "openai",
    BackendKind("openai", "openai:MODEL@http://HOST:PORT/v1", _open, _check, distributions=True),
)
